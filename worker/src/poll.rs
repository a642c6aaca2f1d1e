//! The one loop every polling queue runs (the embedded relay, push and SMS dispatch, partner
//! webhooks, scheduled tasks): a round claims up to a batch of due rows with a lease and works
//! them; a full batch goes again at once, a short one waits the queue's idle pause, a failed one
//! waits longer; `stop` ends the loop between rounds. Each queue says its numbers once, here.

use std::{future::Future, time::Duration};

use tokio::sync::watch;

/// A queue's numbers.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    /// Its name, in logs.
    pub name: &'static str,
    /// Rows claimed per round.
    pub batch: usize,
    /// How long a claim lasts (longer than a round's work can take); none where rows are held by
    /// row locks for the round instead (the relay).
    pub lease: Option<chrono::Duration>,
    /// The pause after a round that found less than a batch.
    pub idle: Duration,
    /// The pause after a round that failed (the database was away).
    pub after_failure: Duration,
}

/// The outbox relay (embedded mode and RabbitMQ).
pub const RELAY: Queue = Queue {
    name: "relay",
    batch: 200,
    lease: None,
    idle: Duration::from_millis(100),
    after_failure: Duration::from_secs(1),
};

/// Push and SMS sends.
pub const DISPATCH: Queue = Queue {
    name: "dispatch",
    batch: 2000,
    lease: Some(chrono::Duration::seconds(120)),
    idle: Duration::from_millis(250),
    after_failure: Duration::from_secs(1),
};

/// Partners' webhooks.
pub const WEBHOOKS: Queue = Queue {
    name: "webhooks",
    batch: 200,
    lease: Some(chrono::Duration::seconds(60)),
    idle: Duration::from_millis(200),
    after_failure: Duration::from_secs(1),
};

/// Scheduled tasks.
pub const SCHEDULER: Queue = Queue {
    name: "scheduler",
    batch: 50,
    lease: Some(chrono::Duration::seconds(60)),
    idle: Duration::from_millis(500),
    after_failure: Duration::from_secs(1),
};

impl Queue {
    /// The lease of a queue that has one; a minute otherwise.
    pub fn lease(&self) -> chrono::Duration {
        self.lease.unwrap_or(chrono::Duration::seconds(60))
    }

    /// The batch as a SQL `LIMIT`.
    pub fn limit(&self) -> i64 {
        i64::try_from(self.batch).unwrap_or(i64::MAX)
    }

    /// The pause after a round that worked `done` rows (or failed).
    pub fn pause<E: std::fmt::Display>(&self, round: &Result<usize, E>) -> Duration {
        match round {
            Ok(done) if *done >= self.batch => Duration::ZERO,
            Ok(_) => self.idle,
            Err(e) => {
                tracing::warn!(queue = self.name, error = %e, "round failed; retrying");
                self.after_failure
            }
        }
    }

    /// Runs `round` until `stop` turns true.
    pub async fn run<F, Fut, E>(&self, mut stop: watch::Receiver<bool>, mut round: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<usize, E>>,
        E: std::fmt::Display,
    {
        while !*stop.borrow() {
            let pause = self.pause(&round().await);
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => break,
            }
        }
    }
}
