//! Messages a consumer group has handled, recorded in the handler's own transaction so that a
//! redelivered message is a no-op.

use sea_orm::entity::prelude::*;

/// One handled message.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processed_message")]
pub struct Model {
    /// The consumer group.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    /// The message (outbox event) id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    /// When the handler committed.
    pub processed_at: DateTimeUtc,
}

no_relations!();
