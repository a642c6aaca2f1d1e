//! A partial index on the claims waiting out their publicity window, so that each credit run
//! finds the due claims of its site without walking every claim the site ever had.

use sea_orm_migration::prelude::*;

/// Creates idx_point_claim_publicized (the same SQL on PostgreSQL and SQLite).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_point_claim_publicized \
                 ON point_claim (site_id, publicity_ends_at) WHERE status = 'publicized'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_point_claim_publicized")
            .await?;
        Ok(())
    }
}
