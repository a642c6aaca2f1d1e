//! Running one message through one consumer group's handler, exactly once in effect: the message
//! id is recorded in `processed_message` in the handler's own transaction, so a redelivered
//! message (after a crash before the ack, or a duplicate publish) finds its id and changes nothing.
//! A panic in a handler is caught and is a failure of that message, not of the process.

use std::panic::AssertUnwindSafe;

use chrono::Utc;
use entity::{Db, messaging::Envelope, platform::processed_message};
use futures_util::FutureExt;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use tracing::Instrument;

use crate::handlers::Handler;

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler ran and committed.
    Handled,
    /// This group had already handled the message: nothing was done.
    Duplicate,
}

/// Why a message failed (it will be retried, then dead-lettered).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The handler returned an error.
    #[error("handler failed: {0}")]
    Handler(String),
    /// The handler panicked.
    #[error("handler panicked: {0}")]
    Panic(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Runs `envelope` through `handler` in one transaction with the processed-message record, with
/// the message's cause (request id, trace context, actor) on every log line and on whatever the
/// handler records.
pub async fn process(db: &Db, handler: &Handler, envelope: &Envelope) -> Result<Outcome, Failure> {
    let span = tracing::info_span!(
        "message",
        group = handler.group,
        message = %envelope.id,
        request_id = envelope.request_id.as_deref().unwrap_or(""),
        traceparent = envelope.traceparent.as_deref().unwrap_or(""),
    );
    let outcome = entity::trace::scope(envelope.trace(), process_inner(db, handler, envelope))
        .instrument(span.clone())
        .await;
    crate::metrics::handled(handler.group, &outcome);
    if let Ok(Outcome::Handled) = &outcome {
        span.in_scope(|| tracing::info!(event = envelope.event.name(), "message handled"));
    }
    outcome
}

async fn process_inner(
    db: &Db,
    handler: &Handler,
    envelope: &Envelope,
) -> Result<Outcome, Failure> {
    let txn = db.begin().await?;
    let inserted = processed_message::Entity::insert(processed_message::ActiveModel {
        consumer: Set(handler.group.to_owned()),
        message_id: Set(envelope.id),
        processed_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            processed_message::Column::Consumer,
            processed_message::Column::MessageId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        txn.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let run = AssertUnwindSafe((handler.run)(&txn, envelope))
        .catch_unwind()
        .await;
    match run {
        Ok(Ok(())) => {
            txn.commit().await?;
            Ok(Outcome::Handled)
        }
        Ok(Err(e)) => {
            txn.rollback().await?;
            Err(Failure::Handler(e.to_string()))
        }
        Err(panic) => {
            txn.rollback().await?;
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Failure::Panic(message))
        }
    }
}
