//! The points ledger (one account per household, append-only entries) and the community store
//! (items with stock, redemptions).

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates point_account, point_entry, store_item and redemption.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PointAccount::Table)
                    .if_not_exists()
                    .col(uuid(PointAccount::HouseholdId).primary_key())
                    .col(uuid(PointAccount::SiteId))
                    // The balance can never go negative, whatever the code does.
                    .col(integer(PointAccount::Balance).default(0))
                    .col(timestamp_with_time_zone(PointAccount::UpdatedAt))
                    .check(Expr::col(PointAccount::Balance).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointEntry::Table)
                    .if_not_exists()
                    .col(pk_uuid(PointEntry::Id))
                    .col(uuid(PointEntry::HouseholdId))
                    .col(uuid(PointEntry::SiteId))
                    .col(string_len(PointEntry::Kind, 16))
                    .col(integer(PointEntry::Amount))
                    .col(integer(PointEntry::BalanceAfter))
                    .col(integer(PointEntry::Shortfall).default(0))
                    .col(string_len(PointEntry::ReferenceType, 32))
                    .col(uuid_null(PointEntry::ReferenceId))
                    .col(text_null(PointEntry::Reason))
                    .col(uuid_null(PointEntry::ActorAccountId))
                    .col(timestamp_with_time_zone(PointEntry::CreatedAt))
                    .check(Expr::col(PointEntry::BalanceAfter).gte(0))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_point_entry_household",
            PointEntry::Table,
            [PointEntry::HouseholdId, PointEntry::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(StoreItem::Table)
                    .if_not_exists()
                    .col(pk_uuid(StoreItem::Id))
                    .col(uuid(StoreItem::SiteId))
                    .col(string_len(StoreItem::Name, 100))
                    .col(text(StoreItem::Description))
                    .col(integer(StoreItem::Price))
                    .col(integer(StoreItem::Stock))
                    .col(boolean(StoreItem::Active).default(true))
                    .col(timestamp_with_time_zone(StoreItem::CreatedAt))
                    .col(timestamp_with_time_zone(StoreItem::UpdatedAt))
                    .check(Expr::col(StoreItem::Stock).gte(0))
                    .check(Expr::col(StoreItem::Price).gt(0))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_store_item_site",
            StoreItem::Table,
            [StoreItem::SiteId, StoreItem::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Redemption::Table)
                    .if_not_exists()
                    .col(pk_uuid(Redemption::Id))
                    .col(uuid(Redemption::SiteId))
                    .col(uuid(Redemption::HouseholdId))
                    .col(uuid(Redemption::ItemId))
                    .col(integer(Redemption::Quantity))
                    .col(integer(Redemption::Points))
                    .col(string_len(Redemption::Status, 16))
                    .col(uuid(Redemption::CreatedBy))
                    .col(timestamp_with_time_zone(Redemption::CreatedAt))
                    .col(timestamp_with_time_zone(Redemption::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_redemption_household",
            Redemption::Table,
            [Redemption::HouseholdId, Redemption::Id],
        )
        .await?;
        // Entries are never changed or removed: corrections are new entries.
        crate::append_only(manager, "point_entry", "anju_points_append_only").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                Redemption::Table.into_iden(),
                StoreItem::Table.into_iden(),
                PointEntry::Table.into_iden(),
                PointAccount::Table.into_iden(),
            ],
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            ddl::sql(manager, "DROP FUNCTION IF EXISTS anju_points_append_only()").await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PointAccount {
    Table,
    HouseholdId,
    SiteId,
    Balance,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PointEntry {
    Table,
    Id,
    HouseholdId,
    SiteId,
    Kind,
    Amount,
    BalanceAfter,
    Shortfall,
    ReferenceType,
    ReferenceId,
    Reason,
    ActorAccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StoreItem {
    Table,
    Id,
    SiteId,
    Name,
    Description,
    Price,
    Stock,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Redemption {
    Table,
    Id,
    SiteId,
    HouseholdId,
    ItemId,
    Quantity,
    Points,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
