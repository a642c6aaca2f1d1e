//! Periodic clean-up that keeps the shared tables small.

use std::time::Duration;

use chrono::Utc;
use entity::{Db, platform::idempotency_key};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use tokio::sync::watch;

/// How often housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

/// Forgets idempotency keys past their retention (24 h); returns how many were removed.
pub async fn purge_expired_idempotency_keys(db: &Db) -> Result<u64, DbErr> {
    let result = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lt(Utc::now()))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected)
}

/// Runs housekeeping every [`INTERVAL`] until `shutdown` turns true.
pub async fn run(db: Db, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match purge_expired_idempotency_keys(&db).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged expired idempotency keys"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}
