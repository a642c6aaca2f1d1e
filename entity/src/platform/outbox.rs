//! Events recorded in the same transaction as the writes they describe, waiting for the relay.

use sea_orm::entity::prelude::*;

/// One event to publish.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// The event id (UUIDv7), also the message id consumers deduplicate on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event type, e.g. `job.published`.
    pub event_type: String,
    /// The payload's schema version.
    pub schema_version: i16,
    /// The routing key on the topic exchange.
    pub routing_key: String,
    /// The event payload.
    pub payload: Json,
    /// When the event was recorded.
    pub created_at: DateTimeUtc,
    /// Not published before this time (retry backoff).
    pub available_at: DateTimeUtc,
    /// Failed publish attempts so far.
    pub attempts: i32,
    /// The last publish failure.
    pub last_error: Option<String>,
    /// When the broker confirmed the event; `None` while pending.
    pub published_at: Option<DateTimeUtc>,
    /// Embedded mode: when the event was parked after its handlers kept failing.
    pub dead_at: Option<DateTimeUtc>,
    /// The id of the request that caused it.
    pub request_id: Option<String>,
    /// Its W3C trace context (`traceparent`), continued by the message.
    pub traceparent: Option<String>,
    /// The account whose request caused it.
    pub actor_account_id: Option<Uuid>,
}

no_relations!();
