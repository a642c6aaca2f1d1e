//! Job applications and employment records.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the application and employment tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobApplication::Table)
                    .if_not_exists()
                    .col(pk_uuid(JobApplication::Id))
                    .col(uuid(JobApplication::JobId))
                    .col(uuid(JobApplication::EmployerId))
                    .col(uuid(JobApplication::ResidentId))
                    .col(uuid(JobApplication::SiteId))
                    .col(uuid(JobApplication::SubmittedBy))
                    .col(boolean(JobApplication::OnBehalf))
                    .col(string_len(JobApplication::Status, 16))
                    .col(timestamp_with_time_zone(JobApplication::CreatedAt))
                    .col(timestamp_with_time_zone(JobApplication::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_unique_index(
            manager,
            "ux_application_job_resident",
            JobApplication::Table,
            [JobApplication::JobId, JobApplication::ResidentId],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_application_resident",
            JobApplication::Table,
            [JobApplication::ResidentId, JobApplication::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Employment::Table)
                    .if_not_exists()
                    .col(pk_uuid(Employment::Id))
                    .col(uuid(Employment::ResidentId))
                    .col(uuid(Employment::SiteId))
                    .col(uuid(Employment::HouseholdId))
                    .col(uuid_null(Employment::EmployerId))
                    .col(uuid_null(Employment::JobId))
                    .col(uuid_null(Employment::ApplicationId).unique_key())
                    .col(string_len(Employment::Channel, 16))
                    .col(date(Employment::StartDate))
                    .col(date_null(Employment::EndDate))
                    .col(uuid(Employment::CreatedBy))
                    .col(timestamp_with_time_zone(Employment::CreatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_employment_household",
            Employment::Table,
            [Employment::HouseholdId],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                Employment::Table.into_iden(),
                JobApplication::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum JobApplication {
    Table,
    Id,
    JobId,
    EmployerId,
    ResidentId,
    SiteId,
    SubmittedBy,
    OnBehalf,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Employment {
    Table,
    Id,
    ResidentId,
    SiteId,
    HouseholdId,
    EmployerId,
    JobId,
    ApplicationId,
    Channel,
    StartDate,
    EndDate,
    CreatedBy,
    CreatedAt,
}
