//! Anju's background work: the outbox relay, RabbitMQ consumers and scheduled tasks. The `worker`
//! binary runs it against RabbitMQ; the api runs the same code in-process in embedded mode.

pub mod consumer;
pub mod delivery;
pub mod dispatch;
pub mod egress;
pub mod handlers;
pub mod housekeeping;
pub mod metrics;
pub mod partner_sync;
pub mod poll;
pub mod rabbit;
pub mod relay;
pub mod scheduler;
pub mod settings;
pub mod status;
pub mod tasks;
pub mod telemetry;
