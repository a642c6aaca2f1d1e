//! How domains tell each other and the worker: events others must hear about (typed payloads,
//! recorded in the outbox in the same transaction as the writes they describe), and scheduled
//! tasks (typed payloads, run by the worker when due).

pub mod events;
pub mod outbox;
pub mod schedule;
pub mod tasks;

pub use events::{Envelope, Event};
