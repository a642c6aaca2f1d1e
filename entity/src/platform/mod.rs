//! Tables of the shared mechanisms: idempotency keys, the outbox, processed messages, rate
//! limits, scheduled tasks and
//! WeChat's shared access token.

pub mod idempotency_key;
pub mod outbox;
pub mod processed_message;
pub mod rate_limit;
pub mod scheduled_task;
pub mod wechat_token;
