//! The shared mechanisms every later feature stands on: idempotency keys, the transactional outbox,
//! the consumers' processed-message ledger and scheduled tasks.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the platform tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One stored response per (scope, key); `scope` is the caller (account id or client address class).
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .if_not_exists()
                    .col(string_len(IdempotencyKey::Scope, 80))
                    .col(string_len(IdempotencyKey::Key, 255))
                    .col(string_len(IdempotencyKey::RequestHash, 64))
                    .col(string_len(IdempotencyKey::State, 16))
                    .col(small_integer_null(IdempotencyKey::ResponseStatus))
                    .col(text_null(IdempotencyKey::ResponseContentType))
                    .col(blob_null(IdempotencyKey::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKey::LockedUntil))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKey::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::Scope)
                            .col(IdempotencyKey::Key),
                    )
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_idempotency_key_expires_at",
            IdempotencyKey::Table,
            [IdempotencyKey::ExpiresAt],
        )
        .await?;

        // Events recorded in the same transaction as the writes they describe.
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(pk_uuid(Outbox::Id))
                    .col(string_len(Outbox::EventType, 100))
                    .col(small_integer(Outbox::SchemaVersion))
                    .col(string_len(Outbox::RoutingKey, 200))
                    .col(json_binary(Outbox::Payload))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone(Outbox::AvailableAt))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone_null(Outbox::PublishedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_outbox_unpublished",
            Outbox::Table,
            [Outbox::PublishedAt, Outbox::AvailableAt],
        )
        .await?;

        // A consumer group's record of the messages it has handled, written in the handler's transaction.
        manager
            .create_table(
                Table::create()
                    .table(ProcessedMessage::Table)
                    .if_not_exists()
                    .col(string_len(ProcessedMessage::Consumer, 100))
                    .col(uuid(ProcessedMessage::MessageId))
                    .col(timestamp_with_time_zone(ProcessedMessage::ProcessedAt))
                    .primary_key(
                        Index::create()
                            .col(ProcessedMessage::Consumer)
                            .col(ProcessedMessage::MessageId),
                    )
                    .to_owned(),
            )
            .await?;

        // Work due at a time (reminders, expiries, deadlines), claimed like outbox rows.
        manager
            .create_table(
                Table::create()
                    .table(ScheduledTask::Table)
                    .if_not_exists()
                    .col(pk_uuid(ScheduledTask::Id))
                    .col(string_len(ScheduledTask::Kind, 100))
                    .col(json_binary(ScheduledTask::Payload))
                    .col(string_len_null(ScheduledTask::DedupeKey, 200).unique_key())
                    .col(timestamp_with_time_zone(ScheduledTask::RunAt))
                    .col(string_len(ScheduledTask::State, 16))
                    .col(integer(ScheduledTask::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(ScheduledTask::LockedUntil))
                    .col(text_null(ScheduledTask::LastError))
                    .col(timestamp_with_time_zone(ScheduledTask::CreatedAt))
                    .col(timestamp_with_time_zone_null(ScheduledTask::DoneAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_scheduled_task_due",
            ScheduledTask::Table,
            [ScheduledTask::State, ScheduledTask::RunAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                ScheduledTask::Table.into_iden(),
                ProcessedMessage::Table.into_iden(),
                Outbox::Table.into_iden(),
                IdempotencyKey::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Scope,
    Key,
    RequestHash,
    State,
    ResponseStatus,
    ResponseContentType,
    ResponseBody,
    LockedUntil,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    EventType,
    SchemaVersion,
    RoutingKey,
    Payload,
    CreatedAt,
    AvailableAt,
    Attempts,
    LastError,
    PublishedAt,
}

#[derive(DeriveIden)]
enum ProcessedMessage {
    Table,
    Consumer,
    MessageId,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum ScheduledTask {
    Table,
    Id,
    Kind,
    Payload,
    DedupeKey,
    RunAt,
    State,
    Attempts,
    LockedUntil,
    LastError,
    CreatedAt,
    DoneAt,
}
