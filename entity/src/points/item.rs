//! Items of the community store (the `store_item` table).

use sea_orm::entity::prelude::*;

/// Something residents can buy with points.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "store_item")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site's store.
    pub site_id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points.
    pub price: i32,
    /// In stock.
    pub stock: i32,
    /// On sale.
    pub active: bool,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();
