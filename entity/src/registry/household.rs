//! A household (户) living in a building.

use sea_orm::entity::prelude::*;

/// A household.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The group of its building (kept in step with the building).
    pub group_id: Uuid,
    /// The building.
    pub building_id: Uuid,
    /// Label, unique within the building (e.g. `3-201`).
    pub label: String,
    /// Receives minimum living allowance (低保): sensitive.
    pub low_income: bool,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();
