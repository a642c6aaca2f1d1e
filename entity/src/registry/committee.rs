//! A residents' committee (居委会) of a site.

use sea_orm::entity::prelude::*;

/// A residents' committee.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// Name, unique within the site.
    pub name: String,
    /// Created at.
    pub created_at: DateTimeUtc,
}

no_relations!();
