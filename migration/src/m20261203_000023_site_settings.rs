//! What the printed papers of a site need: the community's name as it signs them, the
//! supervision phone residents call about points and objections, and the seal's text.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `site_settings` (one row per site, written when the site admin first saves).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SiteSettings::Table)
                    .if_not_exists()
                    .col(pk_uuid(SiteSettings::SiteId))
                    .col(string_len(SiteSettings::CommunityName, 50))
                    .col(string_len(SiteSettings::SupervisionPhone, 20))
                    .col(string_len(SiteSettings::SealText, 50))
                    .col(uuid(SiteSettings::UpdatedBy))
                    .col(timestamp_with_time_zone(SiteSettings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, [SiteSettings::Table]).await
    }
}

#[derive(DeriveIden)]
enum SiteSettings {
    Table,
    SiteId,
    CommunityName,
    SupervisionPhone,
    SealText,
    UpdatedBy,
    UpdatedAt,
}
