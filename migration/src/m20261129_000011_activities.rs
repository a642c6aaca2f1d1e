//! Activities (trainings, lectures, performances, volunteer service, job fairs), their audience and
//! sign-ups with a waiting list.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates the activity, activity_audience and activity_signup tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .if_not_exists()
                    .col(pk_uuid(Activity::Id))
                    .col(uuid(Activity::SiteId))
                    .col(string_len(Activity::Title, 200))
                    .col(text(Activity::Description))
                    .col(string_len(Activity::Kind, 24))
                    .col(string_len(Activity::Place, 200))
                    .col(timestamp_with_time_zone(Activity::StartsAt))
                    .col(timestamp_with_time_zone(Activity::EndsAt))
                    .col(timestamp_with_time_zone(Activity::SignupOpensAt))
                    .col(timestamp_with_time_zone(Activity::SignupClosesAt))
                    // The seat counter and the waiting-list ticket counter: every sign-up,
                    // cancellation and capacity change starts by updating this row, which is what
                    // serializes them per activity on PostgreSQL (SQLite has one writer anyway).
                    .col(integer(Activity::Capacity))
                    .col(integer(Activity::Confirmed).default(0))
                    .col(integer(Activity::WaitlistNext).default(0))
                    // Tickets that left the waiting list (promoted or cancelled): a new ticket's
                    // place is `waitlist_next - waitlist_left`, known without counting.
                    .col(integer(Activity::WaitlistLeft).default(0))
                    .col(boolean(Activity::WaitlistEnabled))
                    .col(boolean(Activity::WholeSite))
                    .col(string_len(Activity::Contact, 100))
                    .col(string_len_null(Activity::PointsCategory, 32))
                    .col(integer_null(Activity::PointsAmount))
                    .col(json_binary(Activity::EmployerIds))
                    .col(boolean(Activity::Finished).default(false))
                    .col(uuid(Activity::CreatedBy))
                    .col(integer(Activity::Version).default(1))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(timestamp_with_time_zone(Activity::UpdatedAt))
                    .check(Expr::col(Activity::Confirmed).lte(Expr::col(Activity::Capacity)))
                    .check(Expr::col(Activity::Confirmed).gte(0))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_activity_site_start",
            Activity::Table,
            [Activity::SiteId, Activity::StartsAt, Activity::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityAudience::Table)
                    .if_not_exists()
                    .col(uuid(ActivityAudience::ActivityId))
                    .col(uuid(ActivityAudience::GroupId))
                    .primary_key(
                        Index::create()
                            .col(ActivityAudience::ActivityId)
                            .col(ActivityAudience::GroupId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivitySignup::Table)
                    .if_not_exists()
                    .col(pk_uuid(ActivitySignup::Id))
                    .col(uuid(ActivitySignup::ActivityId))
                    .col(uuid(ActivitySignup::ResidentId))
                    .col(uuid(ActivitySignup::SiteId))
                    .col(string_len(ActivitySignup::Status, 16))
                    .col(integer_null(ActivitySignup::WaitlistTicket))
                    .col(string_len(ActivitySignup::Code, 32).unique_key())
                    .col(uuid(ActivitySignup::SignedUpBy))
                    .col(boolean(ActivitySignup::OnBehalf))
                    .col(timestamp_with_time_zone_null(ActivitySignup::PromotedAt))
                    .col(timestamp_with_time_zone_null(ActivitySignup::CheckedInAt))
                    .col(uuid_null(ActivitySignup::CheckedInBy))
                    .col(timestamp_with_time_zone_null(ActivitySignup::CancelledAt))
                    .col(timestamp_with_time_zone(ActivitySignup::CreatedAt))
                    .col(timestamp_with_time_zone(ActivitySignup::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_unique_index(
            manager,
            "ux_signup_activity_resident",
            ActivitySignup::Table,
            [ActivitySignup::ActivityId, ActivitySignup::ResidentId],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_signup_waitlist",
            ActivitySignup::Table,
            [
                ActivitySignup::ActivityId,
                ActivitySignup::Status,
                ActivitySignup::WaitlistTicket,
            ],
        )
        .await?;
        ddl::create_index(
            manager,
            "idx_signup_resident",
            ActivitySignup::Table,
            [ActivitySignup::ResidentId, ActivitySignup::Id],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                ActivitySignup::Table.into_iden(),
                ActivityAudience::Table.into_iden(),
                Activity::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    SiteId,
    Title,
    Description,
    Kind,
    Place,
    StartsAt,
    EndsAt,
    SignupOpensAt,
    SignupClosesAt,
    Capacity,
    Confirmed,
    WaitlistNext,
    WaitlistLeft,
    WaitlistEnabled,
    WholeSite,
    Contact,
    PointsCategory,
    PointsAmount,
    EmployerIds,
    Finished,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActivityAudience {
    Table,
    ActivityId,
    GroupId,
}

#[derive(DeriveIden)]
enum ActivitySignup {
    Table,
    Id,
    ActivityId,
    ResidentId,
    SiteId,
    Status,
    WaitlistTicket,
    Code,
    SignedUpBy,
    OnBehalf,
    PromotedAt,
    CheckedInAt,
    CheckedInBy,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}
