//! Delivery channels: residents' devices, notification preferences, and the delivery queue that
//! push and SMS sends go through.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the device, preference and delivery tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Device::Table)
                    .if_not_exists()
                    .col(pk_uuid(Device::Id))
                    .col(uuid(Device::ResidentId))
                    .col(string_len(Device::Platform, 16))
                    .col(string_len(Device::Provider, 16))
                    .col(string_len(Device::Token, 255))
                    .col(timestamp_with_time_zone(Device::CreatedAt))
                    .col(timestamp_with_time_zone(Device::LastSeenAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_unique_index(
            manager,
            "ux_device_provider_token",
            Device::Table,
            [Device::Provider, Device::Token],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_device_resident",
            Device::Table,
            [Device::ResidentId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationPreference::Table)
                    .if_not_exists()
                    .col(pk_uuid(NotificationPreference::ResidentId))
                    .col(json_binary(NotificationPreference::Categories))
                    .col(boolean(NotificationPreference::Push))
                    .col(boolean(NotificationPreference::Sms))
                    .col(string_len_null(NotificationPreference::QuietStart, 5))
                    .col(string_len_null(NotificationPreference::QuietEnd, 5))
                    .col(boolean(NotificationPreference::UrgentBypassesQuietHours))
                    .col(timestamp_with_time_zone(NotificationPreference::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .if_not_exists()
                    .col(pk_uuid(Delivery::Id))
                    .col(string_len_uniq(Delivery::DedupeKey, 200))
                    .col(uuid(Delivery::ResidentId))
                    .col(uuid(Delivery::MessageId))
                    .col(string_len(Delivery::Channel, 8))
                    .col(string_len(Delivery::Provider, 16))
                    .col(uuid_null(Delivery::DeviceId))
                    .col(string_len(Delivery::Target, 255))
                    .col(string_len(Delivery::Title, 200))
                    .col(text(Delivery::Body))
                    .col(string_len_null(Delivery::Link, 200))
                    .col(boolean(Delivery::Urgent))
                    .col(string_len(Delivery::State, 16))
                    .col(timestamp_with_time_zone(Delivery::NotBefore))
                    .col(integer(Delivery::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(Delivery::LockedUntil))
                    .col(text_null(Delivery::LastError))
                    .col(timestamp_with_time_zone(Delivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(Delivery::SentAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_delivery_due",
            Delivery::Table,
            [Delivery::State, Delivery::NotBefore],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_delivery_target",
            Delivery::Table,
            [Delivery::Channel, Delivery::Target, Delivery::CreatedAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                Delivery::Table.into_iden(),
                NotificationPreference::Table.into_iden(),
                Device::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Device {
    Table,
    Id,
    ResidentId,
    Platform,
    Provider,
    Token,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum NotificationPreference {
    Table,
    ResidentId,
    Categories,
    Push,
    Sms,
    QuietStart,
    QuietEnd,
    UrgentBypassesQuietHours,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Id,
    DedupeKey,
    ResidentId,
    MessageId,
    Channel,
    Provider,
    DeviceId,
    Target,
    Title,
    Body,
    Link,
    Urgent,
    State,
    NotBefore,
    Attempts,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}
