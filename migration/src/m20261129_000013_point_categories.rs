//! A site's own point ranges for the seven categories (the defaults live in code).

use sea_orm_migration::{prelude::*, schema::*};

use crate::ddl;

/// Creates point_category_range.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PointCategoryRange::Table)
                    .if_not_exists()
                    .col(uuid(PointCategoryRange::SiteId))
                    .col(string_len(PointCategoryRange::Category, 32))
                    .col(integer(PointCategoryRange::MinPoints))
                    .col(integer(PointCategoryRange::MaxPoints))
                    .col(uuid(PointCategoryRange::UpdatedBy))
                    .col(timestamp_with_time_zone(PointCategoryRange::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(PointCategoryRange::SiteId)
                            .col(PointCategoryRange::Category),
                    )
                    .check(Expr::col(PointCategoryRange::MinPoints).gte(1))
                    .check(
                        Expr::col(PointCategoryRange::MaxPoints)
                            .gte(Expr::col(PointCategoryRange::MinPoints)),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::drop_tables(manager, [PointCategoryRange::Table]).await
    }
}

#[derive(DeriveIden)]
enum PointCategoryRange {
    Table,
    SiteId,
    Category,
    MinPoints,
    MaxPoints,
    UpdatedBy,
    UpdatedAt,
}
