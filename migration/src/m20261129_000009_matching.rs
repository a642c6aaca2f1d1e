//! Job matching (who was told about which posting, category subscriptions) and the employers'
//! inbox.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the job_subscription, job_match and employer_notification tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobSubscription::Table)
                    .if_not_exists()
                    .col(uuid(JobSubscription::ResidentId))
                    .col(string_len(JobSubscription::Category, 24))
                    .col(timestamp_with_time_zone(JobSubscription::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(JobSubscription::ResidentId)
                            .col(JobSubscription::Category),
                    )
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_job_subscription_category",
            JobSubscription::Table,
            [JobSubscription::Category, JobSubscription::ResidentId],
        )
        .await?;
        // One row per posting and resident told about it: the primary key is what makes sure
        // nobody is notified twice for one posting, whatever redeliveries or races happen.
        manager
            .create_table(
                Table::create()
                    .table(JobMatch::Table)
                    .if_not_exists()
                    .col(uuid(JobMatch::JobId))
                    .col(uuid(JobMatch::ResidentId))
                    .col(uuid(JobMatch::SiteId))
                    .col(string_len(JobMatch::Reason, 16))
                    .col(timestamp_with_time_zone(JobMatch::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(JobMatch::JobId)
                            .col(JobMatch::ResidentId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmployerNotification::Table)
                    .if_not_exists()
                    .col(pk_uuid(EmployerNotification::Id))
                    .col(uuid(EmployerNotification::EmployerId))
                    .col(uuid(EmployerNotification::MessageId))
                    .col(string_len(EmployerNotification::Category, 32))
                    .col(string_len(EmployerNotification::Title, 200))
                    .col(text(EmployerNotification::Body))
                    .col(string_len_null(EmployerNotification::Link, 100))
                    .col(timestamp_with_time_zone(EmployerNotification::CreatedAt))
                    .col(timestamp_with_time_zone_null(EmployerNotification::ReadAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_unique_index(
            manager,
            "ux_employer_notification_message",
            EmployerNotification::Table,
            [
                EmployerNotification::MessageId,
                EmployerNotification::EmployerId,
            ],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_employer_notification_inbox",
            EmployerNotification::Table,
            [EmployerNotification::EmployerId, EmployerNotification::Id],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                EmployerNotification::Table.into_iden(),
                JobMatch::Table.into_iden(),
                JobSubscription::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum JobSubscription {
    Table,
    ResidentId,
    Category,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JobMatch {
    Table,
    JobId,
    ResidentId,
    SiteId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmployerNotification {
    Table,
    Id,
    EmployerId,
    MessageId,
    Category,
    Title,
    Body,
    Link,
    CreatedAt,
    ReadAt,
}
