//! A site's own range for a category (the `point_category_range` table).

use sea_orm::entity::prelude::*;

/// The points range a site set for one category.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_category_range")]
pub struct Model {
    /// The site.
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    /// A [`Category`](super::Category) name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: String,
    /// Fewest points per claim.
    pub min_points: i32,
    /// Most points per claim.
    pub max_points: i32,
    /// Set by.
    pub updated_by: Uuid,
    /// Set at.
    pub updated_at: DateTimeUtc,
}

no_relations!();
