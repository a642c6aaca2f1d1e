//! Redemptions at the store (the `redemption` table) and where one stands.

use sea_orm::entity::prelude::*;

/// Points spent on an item, waiting to be handed over, handed over, or cancelled.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemption")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The household whose points paid.
    pub household_id: Uuid,
    /// The item.
    pub item_id: Uuid,
    /// How many.
    pub quantity: i32,
    /// Points paid.
    pub points: i32,
    /// See [`RedemptionStatus`].
    pub status: RedemptionStatus,
    /// Who redeemed.
    pub created_by: Uuid,
    /// When.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// Where a redemption stands.
    RedemptionStatus {
        /// Paid, to be handed over.
        Pending => "pending",
        /// Handed over.
        Fulfilled => "fulfilled",
        /// Cancelled: points refunded, stock restored.
        Cancelled => "cancelled",
    }
);
