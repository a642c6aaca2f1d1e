//! Tables of the shared mechanisms: idempotency keys, the outbox, processed messages and
//! scheduled tasks.

pub mod idempotency_key;
pub mod outbox;
pub mod processed_message;
pub mod scheduled_task;
