//! The provincial talent exchange and other partners: clients with secrets, postings they push
//! in (keyed by their external id and version), and signed webhook deliveries of ours.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates partner and partner_delivery; gives job_posting its partner columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Partner::Table)
                    .if_not_exists()
                    .col(pk_uuid(Partner::Id))
                    .col(uuid_uniq(Partner::EmployerId))
                    .col(string_len(Partner::Name, 200))
                    .col(text_null(Partner::WebhookUrl))
                    .col(string_len(Partner::Scopes, 200))
                    .col(boolean(Partner::ReviewInbound))
                    .col(string_len(Partner::ClientSecretHash, 64))
                    .col(string_len_null(Partner::PreviousClientSecretHash, 64))
                    .col(blob(Partner::SigningSecretCipher))
                    .col(blob_null(Partner::PreviousSigningSecretCipher))
                    .col(timestamp_with_time_zone_null(Partner::PreviousValidUntil))
                    .col(boolean(Partner::Disabled))
                    .col(uuid(Partner::CreatedBy))
                    .col(timestamp_with_time_zone(Partner::CreatedAt))
                    .col(timestamp_with_time_zone(Partner::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for def in [
            uuid_null(JobPosting::PartnerId),
            string_len_null(JobPosting::ExternalId, 200),
            big_integer_null(JobPosting::ExternalVersion),
            string_len_null(JobPosting::HiringOrganization, 200),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(JobPosting::Table)
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_job_posting_partner_external")
                    .table(JobPosting::Table)
                    .col(JobPosting::PartnerId)
                    .col(JobPosting::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The reconciliation feed walks our postings by (updated_at, id).
        manager
            .create_index(
                Index::create()
                    .name("idx_job_posting_updated")
                    .table(JobPosting::Table)
                    .col(JobPosting::UpdatedAt)
                    .col(JobPosting::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerDelivery::Table)
                    .if_not_exists()
                    .col(pk_uuid(PartnerDelivery::Id))
                    .col(uuid(PartnerDelivery::PartnerId))
                    .col(uuid(PartnerDelivery::JobId))
                    .col(integer(PartnerDelivery::JobVersion))
                    .col(string_len(PartnerDelivery::EventType, 32))
                    .col(text(PartnerDelivery::Body))
                    .col(string_len(PartnerDelivery::State, 16))
                    .col(integer(PartnerDelivery::Attempts))
                    .col(timestamp_with_time_zone(PartnerDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone(PartnerDelivery::GiveUpAt))
                    .col(timestamp_with_time_zone_null(PartnerDelivery::LockedUntil))
                    .col(integer_null(PartnerDelivery::LastStatus))
                    .col(text_null(PartnerDelivery::LastError))
                    .col(timestamp_with_time_zone(PartnerDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(PartnerDelivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartnerDelivery::Table, PartnerDelivery::PartnerId)
                            .to(Partner::Table, Partner::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partner_delivery_version")
                    .table(PartnerDelivery::Table)
                    .col(PartnerDelivery::PartnerId)
                    .col(PartnerDelivery::JobId)
                    .col(PartnerDelivery::JobVersion)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partner_delivery_due")
                    .table(PartnerDelivery::Table)
                    .col(PartnerDelivery::State)
                    .col(PartnerDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partner_delivery_list")
                    .table(PartnerDelivery::Table)
                    .col(PartnerDelivery::PartnerId)
                    .col(PartnerDelivery::State)
                    .col(PartnerDelivery::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(PartnerDelivery::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        for index in [
            "idx_job_posting_partner_external",
            "idx_job_posting_updated",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(index)
                        .table(JobPosting::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            JobPosting::PartnerId,
            JobPosting::ExternalId,
            JobPosting::ExternalVersion,
            JobPosting::HiringOrganization,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(JobPosting::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Partner::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Partner {
    Table,
    Id,
    EmployerId,
    Name,
    WebhookUrl,
    Scopes,
    ReviewInbound,
    ClientSecretHash,
    PreviousClientSecretHash,
    SigningSecretCipher,
    PreviousSigningSecretCipher,
    PreviousValidUntil,
    Disabled,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobPosting {
    Table,
    Id,
    UpdatedAt,
    PartnerId,
    ExternalId,
    ExternalVersion,
    HiringOrganization,
}

#[derive(DeriveIden)]
enum PartnerDelivery {
    Table,
    Id,
    PartnerId,
    JobId,
    JobVersion,
    EventType,
    Body,
    State,
    Attempts,
    NextAttemptAt,
    GiveUpAt,
    LockedUntil,
    LastStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}
