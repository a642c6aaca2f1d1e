//! Tables of the shared mechanisms: idempotency keys, the outbox, processed messages, rate
//! limits and scheduled tasks.

pub mod idempotency_key;
pub mod outbox;
pub mod processed_message;
pub mod rate_limit;
pub mod scheduled_task;
