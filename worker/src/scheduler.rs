//! Runs due scheduled tasks: claims them with a lease, runs each kind's function in a
//! transaction that also marks the task done, and backs off failures.

use std::{future::Future, pin::Pin};

use entity::{Db, messaging::schedule, platform::scheduled_task};
use sea_orm::DatabaseTransaction;
use tokio::sync::watch;

use crate::poll::SCHEDULER;

/// A task kind's future.
pub type TaskFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One kind of scheduled task.
pub struct TaskKind {
    /// The kind's name (`scheduled_task.kind`).
    pub name: &'static str,
    /// The work, in the transaction that marks the task done.
    pub run: for<'a> fn(&'a DatabaseTransaction, &'a scheduled_task::Model) -> TaskFuture<'a>,
}

/// Every task kind.
pub static KINDS: &[TaskKind] = &[
    crate::job_expiry::TASK,
    crate::activity_tasks::REMIND,
    crate::activity_tasks::FINISH,
    crate::claim_credit::TASK,
];

/// Runs the due tasks once; returns how many were claimed.
pub async fn run_due(db: &Db) -> Result<usize, sea_orm::DbErr> {
    let tasks = schedule::claim_due(db, SCHEDULER.batch as u64, SCHEDULER.lease()).await?;
    for task in &tasks {
        let Some(kind) = KINDS.iter().find(|k| k.name == task.kind) else {
            schedule::fail(db, task, "unknown task kind").await?;
            continue;
        };
        let txn = db.begin().await?;
        // Completion first, in the work's transaction: if the work fails, both roll back; if
        // another worker took the task over after our lease ran out, we do nothing.
        if !schedule::complete(&txn, task).await? {
            txn.rollback().await?;
            continue;
        }
        let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe((kind
            .run)(
            &txn, task,
        )))
        .await;
        crate::metrics::task(kind.name, matches!(outcome, Ok(Ok(()))));
        match outcome {
            Ok(Ok(())) => txn.commit().await?,
            Ok(Err(e)) => {
                txn.rollback().await?;
                tracing::warn!(task = %task.id, kind = %task.kind, error = %e, "scheduled task failed");
                schedule::fail(db, task, &e.to_string()).await?;
            }
            Err(_) => {
                txn.rollback().await?;
                tracing::error!(task = %task.id, kind = %task.kind, "scheduled task panicked");
                schedule::fail(db, task, "panicked").await?;
            }
        }
    }
    Ok(tasks.len())
}

/// Runs due tasks until `stop` turns true.
pub async fn run(db: Db, stop: watch::Receiver<bool>) {
    SCHEDULER.run(stop, || run_due(&db)).await;
}
