//! Partner clients: a partner system, whose id is its OAuth `client_id`.

use sea_orm::entity::prelude::*;

/// A partner system. Its id is its OAuth `client_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner")]
pub struct Model {
    /// Id, also the `client_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The employer record its postings appear under.
    pub employer_id: Uuid,
    /// Name.
    pub name: String,
    /// Where our postings are sent (none: no webhooks).
    pub webhook_url: Option<String>,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// Its postings wait for staff review before residents see them.
    pub review_inbound: bool,
    /// SHA-256 (hex) of the current client secret.
    pub client_secret_hash: String,
    /// SHA-256 (hex) of the previous client secret, valid until `previous_valid_until`.
    pub previous_client_secret_hash: Option<String>,
    /// The current webhook signing secret, encrypted.
    pub signing_secret_cipher: Vec<u8>,
    /// The previous signing secret, encrypted (webhooks carry both signatures meanwhile).
    pub previous_signing_secret_cipher: Option<Vec<u8>>,
    /// End of the rotation overlap.
    pub previous_valid_until: Option<DateTimeUtc>,
    /// Disabled partners cannot obtain or use tokens and receive nothing.
    pub disabled: bool,
    /// Created by.
    pub created_by: Uuid,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();
