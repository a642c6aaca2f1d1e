//! Job postings, with a substring-searchable text column (trigram index on PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the job posting table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobPosting::Table)
                    .if_not_exists()
                    .col(pk_uuid(JobPosting::Id))
                    .col(uuid(JobPosting::EmployerId))
                    .col(string_len(JobPosting::Title, 100))
                    .col(text(JobPosting::Description))
                    .col(string_len(JobPosting::Category, 24))
                    .col(string_len(JobPosting::Location, 200))
                    .col(integer(JobPosting::SalaryMin))
                    .col(integer(JobPosting::SalaryMax))
                    .col(string_len(JobPosting::SalaryUnit, 8))
                    .col(integer(JobPosting::Headcount))
                    .col(small_integer_null(JobPosting::AgeMin))
                    .col(small_integer_null(JobPosting::AgeMax))
                    .col(json_binary(JobPosting::Skills))
                    .col(boolean(JobPosting::SuitableForDisabled))
                    .col(boolean(JobPosting::FlexibleHours))
                    .col(boolean(JobPosting::TransportProvided))
                    .col(boolean(JobPosting::HousingProvided))
                    .col(string_len(JobPosting::Contact, 100))
                    .col(timestamp_with_time_zone(JobPosting::ValidThrough))
                    .col(string_len(JobPosting::Status, 16))
                    .col(text_null(JobPosting::StatusReason))
                    .col(text(JobPosting::SearchText))
                    .col(integer(JobPosting::Version).default(1))
                    .col(timestamp_with_time_zone_null(JobPosting::PublishedAt))
                    .col(timestamp_with_time_zone(JobPosting::CreatedAt))
                    .col(timestamp_with_time_zone(JobPosting::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_job_status_id",
            JobPosting::Table,
            [JobPosting::Status, JobPosting::Id],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_job_employer_id",
            JobPosting::Table,
            [JobPosting::EmployerId, JobPosting::Id],
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_job_search_trgm ON job_posting USING gin (search_text gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(manager, [JobPosting::Table]).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum JobPosting {
    Table,
    Id,
    EmployerId,
    Title,
    Description,
    Category,
    Location,
    SalaryMin,
    SalaryMax,
    SalaryUnit,
    Headcount,
    AgeMin,
    AgeMax,
    Skills,
    SuitableForDisabled,
    FlexibleHours,
    TransportProvided,
    HousingProvided,
    Contact,
    ValidThrough,
    Status,
    StatusReason,
    SearchText,
    Version,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}
