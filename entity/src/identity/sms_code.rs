//! One-time codes: the six digits sent by SMS, and the eight digits staff print for a resident
//! who cannot receive one. Stored only as a keyed hash.

use sea_orm::entity::prelude::*;

/// One challenge.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_code")]
pub struct Model {
    /// Id (also part of the hashed input, so equal codes hash differently).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Keyed hash of the phone number the code is for.
    pub phone_hash: String,
    /// What the code may be used for (see `CodePurpose`).
    pub purpose: super::codes::CodePurpose,
    /// Keyed hash of the code.
    pub code_hash: String,
    /// The resident a printed activation code is for.
    pub resident_id: Option<Uuid>,
    /// The staff account that printed it.
    pub issued_by: Option<Uuid>,
    /// Wrong codes tried so far.
    pub attempts: i16,
    /// Sent or printed at.
    pub created_at: DateTimeUtc,
    /// Useless after.
    pub expires_at: DateTimeUtc,
    /// When it was used (once).
    pub consumed_at: Option<DateTimeUtc>,
}

no_relations!();
