//! The provincial talent exchange and other partners: clients with secrets, postings they push
//! in (keyed by their external id and version), and signed webhook deliveries of ours.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

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
        ddl::add_columns(
            manager,
            JobPosting::Table,
            [
                uuid_null(JobPosting::PartnerId),
                string_len_null(JobPosting::ExternalId, 200),
                big_integer_null(JobPosting::ExternalVersion),
                string_len_null(JobPosting::HiringOrganization, 200),
            ],
        )
        .await?;
        ddl::create_unique_index(
            manager,
            "idx_job_posting_partner_external",
            JobPosting::Table,
            [JobPosting::PartnerId, JobPosting::ExternalId],
        )
        .await?;
        // The reconciliation feed walks our postings by (updated_at, id).
        ddl::create_index(
            manager,
            "idx_job_posting_updated",
            JobPosting::Table,
            [JobPosting::UpdatedAt, JobPosting::Id],
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
        ddl::create_unique_index(
            manager,
            "idx_partner_delivery_version",
            PartnerDelivery::Table,
            [
                PartnerDelivery::PartnerId,
                PartnerDelivery::JobId,
                PartnerDelivery::JobVersion,
            ],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_partner_delivery_due",
            PartnerDelivery::Table,
            [PartnerDelivery::State, PartnerDelivery::NextAttemptAt],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_partner_delivery_list",
            PartnerDelivery::Table,
            [
                PartnerDelivery::PartnerId,
                PartnerDelivery::State,
                PartnerDelivery::Id,
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(manager, [PartnerDelivery::Table]).await?;
        for index in [
            "idx_job_posting_partner_external",
            "idx_job_posting_updated",
        ] {
            ddl::drop_index(manager, index, JobPosting::Table).await?;
        }
        ddl::drop_columns(
            manager,
            JobPosting::Table,
            [
                JobPosting::PartnerId,
                JobPosting::ExternalId,
                JobPosting::ExternalVersion,
                JobPosting::HiringOrganization,
            ],
        )
        .await?;
        ddl::drop_tables(manager, [Partner::Table]).await
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
