//! Recording events: one insert into `outbox`, in the caller's transaction, so an event exists if
//! and only if the change it describes committed.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use super::{Envelope, Event, events::NotificationRequested};
use crate::platform::outbox;

/// Records a `NotificationRequested` event (the common case of [`record`]).
pub async fn notify<C: ConnectionTrait>(
    db: &C,
    notification: NotificationRequested,
) -> Result<Uuid, DbErr> {
    record(db, Event::NotificationRequested(notification)).await
}

/// Records `event` in the outbox; call it with the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(db: &C, event: Event) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let payload = serde_json::to_value(&event).map_err(|e| DbErr::Custom(e.to_string()))?;
    let trace = crate::trace::current().unwrap_or_default();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id),
        event_type: Set(event.name().to_owned()),
        schema_version: Set(event.schema_version()),
        routing_key: Set(event.name().to_owned()),
        payload: Set(payload),
        created_at: Set(now),
        available_at: Set(now),
        attempts: Set(0),
        last_error: Set(None),
        published_at: Set(None),
        dead_at: Set(None),
        traceparent: Set(Some(trace.child_traceparent())),
        request_id: Set(trace.request_id),
        actor_account_id: Set(trace.actor),
    })
    .exec_without_returning(db)
    .await?;
    // Inside a request's span this line carries its request id: the first stop of a search
    // that follows the request to the worker and the sends it causes.
    tracing::info!(event = %id, event_type = event.name(), "event recorded");
    Ok(id)
}

/// The envelope of a stored outbox row.
pub fn envelope(row: &outbox::Model) -> Result<Envelope, serde_json::Error> {
    Ok(Envelope {
        id: row.id,
        schema_version: row.schema_version,
        occurred_at: row.created_at,
        request_id: row.request_id.clone(),
        traceparent: row.traceparent.clone(),
        actor_account_id: row.actor_account_id,
        event: serde_json::from_value(row.payload.clone())?,
    })
}
