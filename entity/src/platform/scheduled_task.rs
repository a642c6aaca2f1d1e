//! Work due at a given time (reminders, expiries, deadlines, housekeeping).

use sea_orm::entity::prelude::*;

/// One task.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_task")]
pub struct Model {
    /// The task id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Which job runs it.
    pub kind: String,
    /// The job's input.
    pub payload: Json,
    /// At most one pending task per key (e.g. `job-expiry:<job id>`).
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    /// When the task is due.
    pub run_at: DateTimeUtc,
    /// `pending`, `running`, `done` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Until when the worker that claimed it is presumed alive.
    pub locked_until: Option<DateTimeUtc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the task was created.
    pub created_at: DateTimeUtc,
    /// When it finished.
    pub done_at: Option<DateTimeUtc>,
}

no_relations!();
