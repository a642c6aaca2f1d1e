//! A household's points account (the `point_account` table).

use sea_orm::entity::prelude::*;

/// The account (its balance is the sum of its entries).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_account")]
pub struct Model {
    /// The household.
    #[sea_orm(primary_key, auto_increment = false)]
    pub household_id: Uuid,
    /// Its site.
    pub site_id: Uuid,
    /// Points held.
    pub balance: i32,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();
