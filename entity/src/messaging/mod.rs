//! Events others must hear about: typed payloads, recorded in the outbox in the same transaction
//! as the writes they describe, and the scheduled-task table.

pub mod events;
pub mod outbox;
pub mod schedule;
pub mod tasks;

pub use events::{Envelope, Event};
