//! Items of the community store (the `store_item` table).

use sea_orm::entity::prelude::*;

/// Something residents can buy with points. The row is also the API's `Item` (its field docs
/// are the contract's descriptions); the times are not serialized.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
#[sea_orm(table_name = "store_item")]
#[schema(as = Item, description = "A store item.")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
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
    #[serde(skip)]
    pub created_at: DateTimeUtc,
    /// Changed at.
    #[serde(skip)]
    pub updated_at: DateTimeUtc,
}

no_relations!();
