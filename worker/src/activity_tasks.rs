//! The scheduled tasks of activities: reminders 24 h and 2 h before the start to everyone with a
//! seat, and attendance (no-shows) recorded at the end.

use chrono::{DateTime, Utc};
use entity::{activities, platform::scheduled_task};
use uuid::Uuid;

use crate::scheduler::{TaskFuture, TaskKind};

/// Reminders.
pub const REMIND: TaskKind = TaskKind {
    name: activities::REMIND_TASK,
    run: remind,
};

/// No-shows at the end.
pub const FINISH: TaskKind = TaskKind {
    name: activities::FINISH_TASK,
    run: finish,
};

fn remind<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    task: &'a scheduled_task::Model,
) -> TaskFuture<'a> {
    Box::pin(async move {
        let id: Uuid = serde_json::from_value(task.payload["activity_id"].clone())?;
        let hours: i64 = serde_json::from_value(task.payload["hours"].clone())?;
        let starts_at: DateTime<Utc> = serde_json::from_value(task.payload["starts_at"].clone())?;
        let told = activities::remind(txn, id, hours, starts_at).await?;
        tracing::info!(activity_id = %id, hours, told, "activity reminder");
        Ok(())
    })
}

fn finish<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    task: &'a scheduled_task::Model,
) -> TaskFuture<'a> {
    Box::pin(async move {
        let id: Uuid = serde_json::from_value(task.payload["activity_id"].clone())?;
        let no_shows = activities::finish(txn, id).await?;
        tracing::info!(activity_id = %id, no_shows, "activity finished");
        Ok(())
    })
}
