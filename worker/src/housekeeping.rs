//! Periodic clean-up that keeps the shared tables small (idempotency keys, rate-limit windows,
//! one-time codes), as a self-rescheduling task (so with several workers it still runs once per
//! period).

use chrono::{Duration, Utc};
use entity::{
    Db,
    identity::codes,
    messaging::schedule,
    platform::{idempotency_key, rate_limit, scheduled_task},
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::scheduler::{TaskFuture, TaskKind};

/// How often housekeeping runs.
pub const INTERVAL: Duration = Duration::minutes(10);
/// The task kind.
pub const KIND: &str = "housekeeping";

/// The housekeeping task.
pub const TASK: TaskKind = TaskKind { name: KIND, run };

fn run<'a>(txn: &'a sea_orm::DatabaseTransaction, _: &'a scheduled_task::Model) -> TaskFuture<'a> {
    Box::pin(async move {
        let removed = purge_expired_idempotency_keys(txn).await?;
        if removed > 0 {
            tracing::info!(removed, "purged expired idempotency keys");
        }
        let now = Utc::now();
        let windows = rate_limit::purge_expired(txn, now).await?;
        let codes = codes::purge_expired(txn, now).await?;
        if windows + codes > 0 {
            tracing::info!(
                windows,
                codes,
                "purged finished rate-limit windows and old codes"
            );
        }
        // The next run; the dedupe key of this one is cleared when it completes, in this
        // transaction, so exactly one next run exists.
        schedule::schedule(
            txn,
            KIND,
            serde_json::json!({}),
            Utc::now() + INTERVAL,
            Some(format!("{KIND}:next")),
        )
        .await?;
        Ok(())
    })
}

/// Makes sure a housekeeping run is scheduled (at start).
pub async fn ensure_scheduled(db: &Db) -> Result<(), DbErr> {
    schedule::schedule(
        db.writer(),
        KIND,
        serde_json::json!({}),
        Utc::now(),
        Some(format!("{KIND}:next")),
    )
    .await
}

/// Forgets idempotency keys past their retention (24 h); returns how many were removed.
pub async fn purge_expired_idempotency_keys<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let result = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lt(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
