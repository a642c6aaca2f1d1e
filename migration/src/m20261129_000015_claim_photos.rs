//! Photos attached to a points claim: the object store holds the bytes, this table what and where.

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates point_claim_photo.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PointClaimPhoto::Table)
                    .if_not_exists()
                    .col(uuid(PointClaimPhoto::ClaimId))
                    .col(small_integer(PointClaimPhoto::Position))
                    .col(string_len(PointClaimPhoto::ObjectKey, 200))
                    .col(string_len(PointClaimPhoto::ContentType, 32))
                    .col(integer(PointClaimPhoto::SizeBytes))
                    .col(string_len(PointClaimPhoto::Sha256, 64))
                    .col(timestamp_with_time_zone(PointClaimPhoto::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PointClaimPhoto::ClaimId)
                            .col(PointClaimPhoto::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PointClaimPhoto::Table, PointClaimPhoto::ClaimId)
                            .to(PointClaim::Table, PointClaim::Id),
                    )
                    .check(
                        Expr::col(PointClaimPhoto::Position)
                            .between(1, 3)
                            .and(Expr::col(PointClaimPhoto::SizeBytes).between(1, 2 * 1024 * 1024)),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(manager, [PointClaimPhoto::Table]).await
    }
}

#[derive(DeriveIden)]
enum PointClaimPhoto {
    Table,
    ClaimId,
    Position,
    ObjectKey,
    ContentType,
    SizeBytes,
    Sha256,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PointClaim {
    Table,
    Id,
}
