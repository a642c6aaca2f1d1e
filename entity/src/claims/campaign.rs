//! Calls for claims (the `point_campaign` table).

use sea_orm::entity::prelude::*;

/// A call for claims of one category for a period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_campaign")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// A [`crate::points::Category`] name.
    pub category: crate::points::Category,
    /// Title.
    pub title: String,
    /// The rules.
    pub rules: String,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// Published by.
    pub created_by: Uuid,
    /// Published at.
    pub created_at: DateTimeUtc,
}

no_relations!();
