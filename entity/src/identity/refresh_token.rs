//! Refresh tokens: opaque, stored hashed, single use, rotated in families.

use sea_orm::entity::prelude::*;

/// One issued refresh token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_token")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The account.
    pub account_id: Uuid,
    /// The login session it descends from; reuse of any member revokes the family.
    pub family_id: Uuid,
    /// SHA-256 (hex) of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Issued at.
    pub created_at: DateTimeUtc,
    /// Expires at.
    pub expires_at: DateTimeUtc,
    /// When it was exchanged (single use).
    pub used_at: Option<DateTimeUtc>,
    /// No longer written: a token's validity follows its family's (`refresh_family`).
    pub revoked_at: Option<DateTimeUtc>,
}

no_relations!();
