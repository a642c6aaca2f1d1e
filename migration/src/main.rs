//! `migration`: applies, rolls back or inspects Anju's migrations (`DATABASE_URL` names the database).

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
