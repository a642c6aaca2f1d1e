//! Anju's database migrations, valid on SQLite and PostgreSQL.
//!
//! The api applies them at start in embedded mode; in production the `migration` binary does
//! (`cargo run -p migration -- up`).

pub use sea_orm_migration::prelude::*;

mod ddl;
mod m20261129_000001_platform;
mod m20261129_000002_identity_registry;
mod m20261129_000003_notifications;
mod m20261129_000004_delivery;
mod m20261129_000005_uuid_v7;
mod m20261129_000006_employers;
mod m20261129_000007_jobs;
mod m20261129_000008_applications;
mod m20261129_000009_matching;
mod m20261129_000010_search_key;
mod m20261129_000011_activities;
mod m20261129_000012_points_ledger;
mod m20261129_000013_point_categories;
mod m20261129_000014_point_claims;
mod m20261129_000015_claim_photos;
mod m20261129_000016_partners;
mod m20261129_000017_claims_due_index;
mod m20261202_000018_id_card_mask;
mod m20261202_000019_account_security;
mod m20261202_000020_trace_and_retention;
mod m20261203_000021_id_card_tail;
mod m20261203_000022_broadcast;
mod m20261203_000023_site_settings;
mod m20261203_000024_wechat;

/// Makes `table` append-only in the database itself: updates and deletes raise an error, on
/// PostgreSQL through the trigger function `function`, on SQLite through two triggers.
pub(crate) async fn append_only(
    manager: &SchemaManager<'_>,
    table: &str,
    function: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {function}()"
            ))
            .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS {table}_no_{} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
                    op.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_platform::Migration),
            Box::new(m20261129_000002_identity_registry::Migration),
            Box::new(m20261129_000003_notifications::Migration),
            Box::new(m20261129_000004_delivery::Migration),
            Box::new(m20261129_000005_uuid_v7::Migration),
            Box::new(m20261129_000006_employers::Migration),
            Box::new(m20261129_000007_jobs::Migration),
            Box::new(m20261129_000008_applications::Migration),
            Box::new(m20261129_000009_matching::Migration),
            Box::new(m20261129_000010_search_key::Migration),
            Box::new(m20261129_000011_activities::Migration),
            Box::new(m20261129_000012_points_ledger::Migration),
            Box::new(m20261129_000013_point_categories::Migration),
            Box::new(m20261129_000014_point_claims::Migration),
            Box::new(m20261129_000015_claim_photos::Migration),
            Box::new(m20261129_000016_partners::Migration),
            Box::new(m20261129_000017_claims_due_index::Migration),
            Box::new(m20261202_000018_id_card_mask::Migration),
            Box::new(m20261202_000019_account_security::Migration),
            Box::new(m20261202_000020_trace_and_retention::Migration),
            Box::new(m20261203_000021_id_card_tail::Migration),
            Box::new(m20261203_000022_broadcast::Migration),
            Box::new(m20261203_000023_site_settings::Migration),
            Box::new(m20261203_000024_wechat::Migration),
        ]
    }
}
