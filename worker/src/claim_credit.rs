//! The scheduled task that credits a claim when its publicity window closes (充值), unless an
//! objection is open (staff decide it; a dismissal credits then).

use entity::{claims, platform::scheduled_task};
use uuid::Uuid;

use crate::scheduler::{TaskFuture, TaskKind};

/// The task kind.
pub const TASK: TaskKind = TaskKind {
    name: claims::CREDIT_TASK,
    run,
};

fn run<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    task: &'a scheduled_task::Model,
) -> TaskFuture<'a> {
    Box::pin(async move {
        let id: Uuid = serde_json::from_value(task.payload["claim_id"].clone())?;
        let credited = claims::credit_due(txn, id).await?;
        tracing::info!(claim_id = %id, credited, "claim credit due");
        Ok(())
    })
}
