//! Runs due scheduled tasks (the kinds in [`crate::tasks`]): claims them with a lease, runs each
//! in a transaction that also marks the task done, and backs off failures.

use entity::{Db, messaging::schedule};
use tokio::sync::watch;

use crate::{poll::SCHEDULER, tasks};

/// Runs the due tasks once; returns how many were claimed.
pub async fn run_due(db: &Db) -> Result<usize, sea_orm::DbErr> {
    let tasks = schedule::claim_due(db, SCHEDULER.batch as u64, SCHEDULER.lease()).await?;
    for task in &tasks {
        let Some(kind) = tasks::ALL.iter().find(|k| k.name == task.kind) else {
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
