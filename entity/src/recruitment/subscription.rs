//! A resident's subscription to one job category.

use sea_orm::entity::prelude::*;

/// "Tell me about every new posting of this category."
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_subscription")]
pub struct Model {
    /// The resident.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resident_id: Uuid,
    /// A [`super::job::JobCategory`] name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: String,
    /// Since when.
    pub created_at: DateTimeUtc,
}

no_relations!();
