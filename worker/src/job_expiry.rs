//! The scheduled task that expires a published job posting at its `valid_through`.

use entity::{platform::scheduled_task, recruitment::job};
use uuid::Uuid;

use crate::scheduler::{TaskFuture, TaskKind};

/// The task kind.
pub const TASK: TaskKind = TaskKind {
    name: job::EXPIRE_TASK,
    run,
};

fn run<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    task: &'a scheduled_task::Model,
) -> TaskFuture<'a> {
    Box::pin(async move {
        let id: Uuid = serde_json::from_value(task.payload["job_id"].clone())?;
        job::expire_if_due(txn, id).await?;
        Ok(())
    })
}
