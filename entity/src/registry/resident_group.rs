//! A resident group (居民组) of a committee, with one leader.

use sea_orm::entity::prelude::*;

/// A resident group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resident_group")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The committee.
    pub committee_id: Uuid,
    /// Name, unique within the committee.
    pub name: String,
    /// The resident who leads the group (组长), if appointed.
    pub leader_resident_id: Option<Uuid>,
    /// Created at.
    pub created_at: DateTimeUtc,
}

no_relations!();
