//! What caused each message and send: the outbox row, a notification's deliveries and a
//! partner's webhook deliveries carry the request id (and the outbox row the W3C trace context
//! and the acting account), so one search follows a request to everything it caused. And the
//! indexes housekeeping deletes by; housekeeping is no longer a scheduled task.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds the trace columns and the housekeeping indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(Outbox::RequestId, 128),
            string_len_null(Outbox::Traceparent, 55),
            uuid_null(Outbox::ActorAccountId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Delivery::Table)
                    .add_column(string_len_null(Delivery::RequestId, 128))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerDelivery::Table)
                    .add_column(string_len_null(PartnerDelivery::RequestId, 128))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_processed_message_processed_at")
                    .table(ProcessedMessage::Table)
                    .if_not_exists()
                    .col(ProcessedMessage::ProcessedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_token_expires_at")
                    .table(RefreshToken::Table)
                    .if_not_exists()
                    .col(RefreshToken::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM scheduled_task WHERE kind = 'housekeeping'")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, table) in [
            (
                "idx_processed_message_processed_at",
                ProcessedMessage::Table.into_iden(),
            ),
            (
                "idx_refresh_token_expires_at",
                RefreshToken::Table.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
        }
        for column in [
            Outbox::RequestId,
            Outbox::Traceparent,
            Outbox::ActorAccountId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Delivery::Table)
                    .drop_column(Delivery::RequestId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerDelivery::Table)
                    .drop_column(PartnerDelivery::RequestId)
                    .to_owned(),
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
