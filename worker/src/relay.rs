//! The outbox relay. In production it publishes claimed rows to RabbitMQ (see `rabbit`); in
//! embedded mode it hands them straight to the handlers in-process. Both mark a row published
//! only after every consumer got it, and back off a row that failed.

use chrono::Utc;
use entity::{
    Db,
    messaging::{Envelope, outbox::envelope},
    platform::outbox,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType},
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{consumer, handlers, poll::RELAY};

/// Failed attempts before an event is dead-lettered (embedded mode).
pub const MAX_ATTEMPTS: i32 = 5;

/// Backoff before the next attempt: 1 s, 2 s, 4 s … up to 5 minutes.
pub fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds((1i64 << attempts.clamp(0, 9)).min(300))
}

/// Unpublished, due rows, oldest first; on PostgreSQL locked `FOR UPDATE SKIP LOCKED` so that
/// concurrent relays take disjoint batches (SQLite's single writer serialises them instead).
pub async fn claim<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<outbox::Model>, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .filter(outbox::Column::AvailableAt.lte(Utc::now()))
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(db)
        .await
}

/// Marks rows published.
pub async fn mark_published<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(Utc::now()))
        .filter(outbox::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried after a backoff, or (embedded mode, `dead`) parked.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    row: &outbox::Model,
    error: &str,
    dead: bool,
) -> Result<(), DbErr> {
    let attempts = row.attempts + 1;
    let mut update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(
            outbox::Column::AvailableAt,
            Expr::value(Utc::now() + backoff(attempts)),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        );
    if dead {
        update = update.col_expr(outbox::Column::DeadAt, Expr::value(Utc::now()));
    }
    update
        .filter(outbox::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Embedded mode, one round: every due row goes through every handler bound to it. Handlers run
/// in their own transactions (with the processed-message record), so a crash between a handler's
/// commit and the row's marking only causes a harmless second delivery.
pub async fn embedded_once(db: &Db) -> Result<usize, DbErr> {
    let rows = claim(db.conn(), RELAY.batch as u64).await?;
    let count = rows.len();
    let mut done = Vec::with_capacity(count);
    for row in rows {
        match deliver_in_process(db, &row).await {
            Ok(()) => done.push(row.id),
            Err(error) => {
                let dead = row.attempts + 1 >= MAX_ATTEMPTS;
                tracing::warn!(event = %row.id, event_type = %row.event_type, attempts = row.attempts + 1, dead, request_id = row.request_id.as_deref().unwrap_or(""), error = %error, "event delivery failed");
                if dead {
                    crate::metrics::dead_lettered("embedded");
                }
                mark_failed(db.writer(), &row, &error, dead).await?;
            }
        }
    }
    mark_published(db.writer(), &done).await?;
    crate::metrics::published(done.len());
    Ok(count)
}

async fn deliver_in_process(db: &Db, row: &outbox::Model) -> Result<(), String> {
    let envelope: Envelope = envelope(row).map_err(|e| format!("unreadable payload: {e}"))?;
    for handler in handlers::for_event(envelope.event.name()) {
        consumer::process(db, handler, &envelope)
            .await
            .map_err(|e| format!("{}: {e}", handler.group))?;
    }
    Ok(())
}

/// Embedded mode: relays until `stop` turns true.
pub async fn run_embedded(db: Db, stop: watch::Receiver<bool>) {
    RELAY.run(stop, || embedded_once(&db)).await;
}

/// Dead-lettered events (embedded mode), oldest first.
pub async fn dead_letters<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::DeadAt.is_not_null())
        .filter(outbox::Column::PublishedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Re-drives a dead-lettered event: it is delivered again from the start (handlers that already
/// handled it skip it by its id).
pub async fn redrive<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DbErr> {
    let result = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::DeadAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::AvailableAt, Expr::value(Utc::now()))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::DeadAt.is_not_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
