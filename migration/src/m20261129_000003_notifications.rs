//! The notification inbox, and dead-lettering of outbox rows in embedded mode.

use sea_orm_migration::{prelude::*, schema::*};

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
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_message_resident")
                    .table(Notification::Table)
                    .col(Notification::MessageId)
                    .col(Notification::ResidentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notification_resident_id")
                    .table(Notification::Table)
                    .col(Notification::ResidentId)
                    .col(Notification::Id)
                    .to_owned(),
            )
            .await?;
        // Embedded mode has no dead-letter queue: an event whose handlers keep failing is parked in
        // the outbox (dead_at set) where an administrator can list and re-drive it.
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(timestamp_with_time_zone_null(Outbox::DeadAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::DeadAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(Notification::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
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
