//! What caused each message and send: the outbox row, a notification's deliveries and a
//! partner's webhook deliveries carry the request id (and the outbox row the W3C trace context
//! and the acting account), so one search follows a request to everything it caused. And the
//! indexes housekeeping deletes by; housekeeping is no longer a scheduled task.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Adds the trace columns and the housekeeping indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::add_columns(
            manager,
            Outbox::Table,
            [
                string_len_null(Outbox::RequestId, 128),
                string_len_null(Outbox::Traceparent, 55),
                uuid_null(Outbox::ActorAccountId),
            ],
        )
        .await?;
        ddl::add_columns(
            manager,
            Delivery::Table,
            [string_len_null(Delivery::RequestId, 128)],
        )
        .await?;
        ddl::add_columns(
            manager,
            PartnerDelivery::Table,
            [string_len_null(PartnerDelivery::RequestId, 128)],
        )
        .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_processed_message_processed_at",
            ProcessedMessage::Table,
            [ProcessedMessage::ProcessedAt],
        )
        .await?;
        ddl::create_index_if_not_exists(
            manager,
            "idx_refresh_token_expires_at",
            RefreshToken::Table,
            [RefreshToken::ExpiresAt],
        )
        .await?;
        ddl::sql(
            manager,
            "DELETE FROM scheduled_task WHERE kind = 'housekeeping'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_index(
            manager,
            "idx_processed_message_processed_at",
            ProcessedMessage::Table,
        )
        .await?;
        ddl::drop_index(manager, "idx_refresh_token_expires_at", RefreshToken::Table).await?;
        ddl::drop_columns(
            manager,
            Outbox::Table,
            [
                Outbox::RequestId,
                Outbox::Traceparent,
                Outbox::ActorAccountId,
            ],
        )
        .await?;
        ddl::drop_columns(manager, Delivery::Table, [Delivery::RequestId]).await?;
        ddl::drop_columns(
            manager,
            PartnerDelivery::Table,
            [PartnerDelivery::RequestId],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    RequestId,
    Traceparent,
    ActorAccountId,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    RequestId,
}

#[derive(DeriveIden)]
enum PartnerDelivery {
    Table,
    RequestId,
}

#[derive(DeriveIden)]
enum ProcessedMessage {
    Table,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    ExpiresAt,
}
