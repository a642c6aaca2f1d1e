//! Photos attached to claims (the `point_claim_photo` table; the bytes live in the object store).

use sea_orm::entity::prelude::*;

/// One photo of a claim.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_claim_photo")]
pub struct Model {
    /// The claim.
    #[sea_orm(primary_key, auto_increment = false)]
    pub claim_id: Uuid,
    /// 1 to 3, in the order sent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i16,
    /// Where the object store keeps it.
    pub object_key: String,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i32,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Stored at.
    pub created_at: DateTimeUtc,
}

no_relations!();
