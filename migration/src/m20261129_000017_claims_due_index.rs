//! A partial index on the claims waiting out their publicity window, so that each credit run
//! finds the due claims of its site without walking every claim the site ever had.

use sea_orm_migration::prelude::*;

use crate::ddl;

/// Creates idx_point_claim_publicized (the same SQL on PostgreSQL and SQLite).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::sql(
            manager,
            "CREATE INDEX IF NOT EXISTS idx_point_claim_publicized \
                 ON point_claim (site_id, publicity_ends_at) WHERE status = 'publicized'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ddl::sql(manager, "DROP INDEX IF EXISTS idx_point_claim_publicized").await?;
        Ok(())
    }
}
