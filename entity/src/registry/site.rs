//! A settlement site (tenant), e.g. Xingxianli.

use sea_orm::entity::prelude::*;

/// A settlement site.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name, e.g. 兴贤里社区.
    pub name: String,
    /// Short unique code, e.g. `xingxianli`.
    #[sea_orm(unique)]
    pub code: String,
    /// Where it is, e.g. 河南省三门峡市卢氏县.
    pub region: String,
    /// Created at.
    pub created_at: DateTimeUtc,
}

no_relations!();
