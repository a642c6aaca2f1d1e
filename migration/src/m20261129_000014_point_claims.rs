//! Calls for claims (通知), claims with every step recorded, and objections during publicity.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates point_campaign, point_claim, point_claim_step and point_objection.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PointCampaign::Table)
                    .if_not_exists()
                    .col(pk_uuid(PointCampaign::Id))
                    .col(uuid(PointCampaign::SiteId))
                    .col(string_len(PointCampaign::Category, 32))
                    .col(string_len(PointCampaign::Title, 200))
                    .col(text(PointCampaign::Rules))
                    .col(date(PointCampaign::PeriodStart))
                    .col(date(PointCampaign::PeriodEnd))
                    .col(uuid(PointCampaign::CreatedBy))
                    .col(timestamp_with_time_zone(PointCampaign::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointClaim::Table)
                    .if_not_exists()
                    .col(pk_uuid(PointClaim::Id))
                    .col(uuid(PointClaim::SiteId))
                    .col(uuid(PointClaim::GroupId))
                    .col(uuid(PointClaim::HouseholdId))
                    .col(uuid(PointClaim::ResidentId))
                    .col(uuid_null(PointClaim::CampaignId))
                    .col(string_len(PointClaim::Category, 32))
                    .col(text(PointClaim::Description))
                    .col(integer_null(PointClaim::Points))
                    .col(string_len(PointClaim::Status, 16))
                    .col(text_null(PointClaim::StatusReason))
                    .col(timestamp_with_time_zone_null(PointClaim::PublicityEndsAt))
                    .col(uuid(PointClaim::SubmittedBy))
                    .col(boolean(PointClaim::OnBehalf))
                    .col(timestamp_with_time_zone(PointClaim::CreatedAt))
                    .col(timestamp_with_time_zone(PointClaim::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_point_claim_site",
            PointClaim::Table,
            [PointClaim::SiteId, PointClaim::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointClaimStep::Table)
                    .if_not_exists()
                    .col(pk_uuid(PointClaimStep::Id))
                    .col(uuid(PointClaimStep::ClaimId))
                    .col(string_len(PointClaimStep::FromStatus, 16))
                    .col(string_len(PointClaimStep::ToStatus, 16))
                    .col(uuid_null(PointClaimStep::ActorAccountId))
                    .col(string_len(PointClaimStep::ActorRole, 16))
                    .col(text_null(PointClaimStep::Reason))
                    .col(timestamp_with_time_zone(PointClaimStep::CreatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_point_claim_step_claim",
            PointClaimStep::Table,
            [PointClaimStep::ClaimId, PointClaimStep::Id],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointObjection::Table)
                    .if_not_exists()
                    .col(pk_uuid(PointObjection::Id))
                    .col(uuid(PointObjection::ClaimId))
                    .col(uuid(PointObjection::SiteId))
                    .col(uuid(PointObjection::ResidentId))
                    .col(text(PointObjection::Reason))
                    .col(string_len(PointObjection::Status, 16))
                    .col(uuid_null(PointObjection::DecidedBy))
                    .col(timestamp_with_time_zone_null(PointObjection::DecidedAt))
                    .col(timestamp_with_time_zone(PointObjection::CreatedAt))
                    .to_owned(),
            )
            .await?;
        ddl::create_index(
            manager,
            "idx_point_objection_claim",
            PointObjection::Table,
            [PointObjection::ClaimId, PointObjection::Status],
        )
        .await?;
        crate::append_only(manager, "point_claim_step", "anju_claim_steps_append_only").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(
            manager,
            [
                PointObjection::Table.into_iden(),
                PointClaimStep::Table.into_iden(),
                PointClaim::Table.into_iden(),
                PointCampaign::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum PointCampaign {
    Table,
    Id,
    SiteId,
    Category,
    Title,
    Rules,
    PeriodStart,
    PeriodEnd,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PointClaim {
    Table,
    Id,
    SiteId,
    GroupId,
    HouseholdId,
    ResidentId,
    CampaignId,
    Category,
    Description,
    Points,
    Status,
    StatusReason,
    PublicityEndsAt,
    SubmittedBy,
    OnBehalf,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PointClaimStep {
    Table,
    Id,
    ClaimId,
    FromStatus,
    ToStatus,
    ActorAccountId,
    ActorRole,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PointObjection {
    Table,
    Id,
    ClaimId,
    SiteId,
    ResidentId,
    Reason,
    Status,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}
