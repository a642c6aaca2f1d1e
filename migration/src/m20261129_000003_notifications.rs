//! The notification inbox, and dead-lettering of outbox rows in embedded mode.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the inbox table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .if_not_exists()
                    .col(pk_uuid(Notification::Id))
                    .col(uuid(Notification::ResidentId))
                    .col(uuid(Notification::SiteId))
                    .col(uuid(Notification::MessageId))
                    .col(string_len(Notification::Category, 40))
                    .col(string_len(Notification::Title, 200))
                    .col(text(Notification::Body))
                    .col(string_len_null(Notification::Link, 200))
                    .col(string_len(Notification::Urgency, 16))
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notification::ReadAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_unique_index(
            manager,
            "ux_notification_message_resident",
            Notification::Table,
            [Notification::MessageId, Notification::ResidentId],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_notification_resident_id",
            Notification::Table,
            [Notification::ResidentId, Notification::Id],
        )
        .await?;
        // Embedded mode has no dead-letter queue: an event whose handlers keep failing is parked in
        // the outbox (dead_at set) where an administrator can list and re-drive it.
        ddl::add_columns(
            manager,
            Outbox::Table,
            [timestamp_with_time_zone_null(Outbox::DeadAt)],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_columns(manager, Outbox::Table, [Outbox::DeadAt]).await?;
        ddl::drop_tables(manager, [Notification::Table]).await
    }
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    ResidentId,
    SiteId,
    MessageId,
    Category,
    Title,
    Body,
    Link,
    Urgency,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    DeadAt,
}
