//! Recording events: one insert into `outbox`, in the caller's transaction, so an event exists if
//! and only if the change it describes committed.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use super::{Envelope, Event};
use crate::platform::outbox;

/// Records `event` in the outbox; call it with the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(db: &C, event: Event) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let payload = serde_json::to_value(&event).map_err(|e| DbErr::Custom(e.to_string()))?;
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
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// The envelope of a stored outbox row.
pub fn envelope(row: &outbox::Model) -> Result<Envelope, serde_json::Error> {
    Ok(Envelope {
        id: row.id,
        schema_version: row.schema_version,
        occurred_at: row.created_at,
        event: serde_json::from_value(row.payload.clone())?,
    })
}
