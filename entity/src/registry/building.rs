//! An apartment building; each belongs to one resident group.

use sea_orm::entity::prelude::*;

/// A building.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "building")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The group that covers it.
    pub group_id: Uuid,
    /// Name or number, unique within the site (e.g. 12号楼).
    pub name: String,
    /// Created at.
    pub created_at: DateTimeUtc,
}

no_relations!();
