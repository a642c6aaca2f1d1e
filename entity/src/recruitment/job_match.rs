//! Who was told about which posting.

use sea_orm::entity::prelude::*;

/// One resident told about one posting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_match")]
pub struct Model {
    /// The posting.
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: Uuid,
    /// The resident.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resident_id: Uuid,
    /// The resident's site.
    pub site_id: Uuid,
    /// `profile` or `subscription`.
    pub reason: String,
    /// When.
    pub created_at: DateTimeUtc,
}

no_relations!();
