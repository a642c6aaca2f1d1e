//! Staff see the notices they sent and how each fared: a `broadcast` row per notice (what was
//! sent, to whom, how many it reached when sent), written with the outbox event; delivery
//! outcomes are read from the inbox and delivery rows by the event id, which the delivery queue
//! gains an index on.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates `broadcast` and indexes `delivery.message_id`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Broadcast::Table)
                    .if_not_exists()
                    .col(pk_uuid(Broadcast::Id))
                    .col(uuid(Broadcast::SiteId))
                    .col(string_len(Broadcast::Title, 200))
                    .col(text(Broadcast::Body))
                    .col(json_binary(Broadcast::Audience))
                    .col(boolean(Broadcast::Urgent))
                    .col(big_integer(Broadcast::Recipients))
                    .col(uuid(Broadcast::SentBy))
                    .col(timestamp_with_time_zone(Broadcast::CreatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_broadcast_site",
            Broadcast::Table,
            [Broadcast::SiteId, Broadcast::Id],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_delivery_message",
            Delivery::Table,
            [Delivery::MessageId],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_index(manager, "idx_delivery_message", Delivery::Table).await?;
        ddl::drop_tables(manager, [Broadcast::Table]).await
    }
}

#[derive(DeriveIden)]
enum Broadcast {
    Table,
    Id,
    SiteId,
    Title,
    Body,
    Audience,
    Urgent,
    Recipients,
    SentBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    MessageId,
}
