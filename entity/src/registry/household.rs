//! A household (户) living in a building.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A household. The row is also the API's `Household` (its field docs are the contract's
/// descriptions); the id is a UUIDv7, the label unique within the building, the group kept in
/// step with the building's, and `low_income` sensitive.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize, ToSchema)]
#[sea_orm(table_name = "household")]
#[schema(as = Household, description = "A household.")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Site.
    pub site_id: Uuid,
    /// Group.
    pub group_id: Uuid,
    /// Building.
    pub building_id: Uuid,
    /// Label, e.g. `3-201`.
    pub label: String,
    /// Receives the minimum living allowance (低保).
    pub low_income: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

no_relations!();
