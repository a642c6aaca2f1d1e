//! Employers: organisations that post jobs, verified by staff before they can publish.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the employer table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Employer::Table)
                    .if_not_exists()
                    .col(pk_uuid(Employer::Id))
                    .col(uuid_uniq(Employer::AccountId))
                    .col(string_len(Employer::Name, 200))
                    .col(string_len_uniq(Employer::CreditCode, 18))
                    .col(string_len(Employer::ContactName, 50))
                    .col(string_len(Employer::ContactPhone, 11))
                    .col(string_len(Employer::Status, 16))
                    .col(text_null(Employer::StatusReason))
                    .col(uuid_null(Employer::ReviewedBy))
                    .col(timestamp_with_time_zone_null(Employer::ReviewedAt))
                    .col(timestamp_with_time_zone(Employer::CreatedAt))
                    .col(timestamp_with_time_zone(Employer::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_employer_status_id",
            Employer::Table,
            [Employer::Status, Employer::Id],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(manager, [Employer::Table]).await
    }
}

#[derive(DeriveIden)]
enum Employer {
    Table,
    Id,
    AccountId,
    Name,
    CreditCode,
    ContactName,
    ContactPhone,
    Status,
    StatusReason,
    ReviewedBy,
    ReviewedAt,
    CreatedAt,
    UpdatedAt,
}
