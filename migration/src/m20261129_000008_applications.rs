//! Job applications and employment records.

use sea_orm_migration::{prelude::*, schema::*};

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
        manager
            .create_index(
                Index::create()
                    .name("ux_application_job_resident")
                    .table(JobApplication::Table)
                    .col(JobApplication::JobId)
                    .col(JobApplication::ResidentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_resident")
                    .table(JobApplication::Table)
                    .col(JobApplication::ResidentId)
                    .col(JobApplication::Id)
                    .to_owned(),
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
        manager
            .create_index(
                Index::create()
                    .name("idx_employment_household")
                    .table(Employment::Table)
                    .col(Employment::HouseholdId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Employment::Table.into_iden(),
            JobApplication::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
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
