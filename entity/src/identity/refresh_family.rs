//! A login session: the refresh tokens rotated from one login. Revoking the family is what
//! ends the session; a token is valid only while its family is not revoked.

use sea_orm::entity::prelude::*;

/// One login session.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_family")]
pub struct Model {
    /// Id (the `family_id` of its tokens).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// Logged in at.
    pub created_at: DateTimeUtc,
    /// Last rotation (every rotation takes this row, which orders it against revocation).
    pub rotated_at: Option<DateTimeUtc>,
    /// Ended at (logout, reuse, password change, account disabled).
    pub revoked_at: Option<DateTimeUtc>,
}

no_relations!();
