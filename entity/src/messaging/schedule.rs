//! Scheduled tasks: work due at a time, claimed atomically with a lease so several workers never
//! run one task at once, and completed in the same transaction as the work itself, so a task
//! whose worker died before committing simply runs again and a finished one never does.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use super::tasks::Task;
use crate::{Db, platform::scheduled_task};

/// Attempts before a task is given up (state `failed`).
pub const MAX_ATTEMPTS: i32 = 8;

/// Schedules `task` at `run_at`. With a `dedupe_key`, a second schedule for the same key is
/// ignored while the first exists (e.g. one expiry per job).
pub async fn task<C: ConnectionTrait, T: Task>(
    db: &C,
    task: &T,
    run_at: DateTime<Utc>,
    dedupe_key: Option<String>,
) -> Result<(), DbErr> {
    let payload = serde_json::to_value(task).map_err(|e| DbErr::Custom(e.to_string()))?;
    schedule(db, T::KIND, payload, run_at, dedupe_key).await
}

/// Schedules `kind` with `payload` at `run_at` (see [`task`]).
async fn schedule<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: serde_json::Value,
    run_at: DateTime<Utc>,
    dedupe_key: Option<String>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = scheduled_task::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        payload: Set(payload),
        dedupe_key: Set(dedupe_key),
        run_at: Set(run_at),
        state: Set("pending".into()),
        attempts: Set(0),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        done_at: Set(None),
    };
    scheduled_task::Entity::insert(row)
        .on_conflict(
            OnConflict::column(scheduled_task::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Claims up to `limit` due tasks (and tasks whose worker's lease ran out) for this worker, for
/// `lease`.
pub async fn claim_due(
    db: &Db,
    limit: u64,
    lease: Duration,
) -> Result<Vec<scheduled_task::Model>, DbErr> {
    let now = Utc::now();
    let until = now + lease;
    let backend = db.backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE scheduled_task SET state = 'running', locked_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM scheduled_task \
               WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2) \
               ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        }
        _ => {
            // SQLite has one writer at a time: the statement is atomic on its own.
            "UPDATE scheduled_task SET state = 'running', locked_until = $1, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM scheduled_task \
               WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2) \
               ORDER BY run_at LIMIT $3) \
             RETURNING *"
        }
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    scheduled_task::Model::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        [until.into(), now.into(), limit.into()],
    ))
    .all(db.writer())
    .await
}

/// Marks a claimed task done, in the transaction of its work; `false` means the lease was lost
/// (another worker took the task over) and the transaction must be rolled back.
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    task: &scheduled_task::Model,
) -> Result<bool, DbErr> {
    let result = scheduled_task::Entity::update_many()
        .col_expr(scheduled_task::Column::State, "done".into())
        .col_expr(scheduled_task::Column::DoneAt, Utc::now().into())
        .col_expr(
            scheduled_task::Column::DedupeKey,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(scheduled_task::Column::Id.eq(task.id))
        .filter(scheduled_task::Column::State.eq("running"))
        .filter(scheduled_task::Column::LockedUntil.eq(task.locked_until))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records a failed attempt: retried with exponential backoff, given up after `MAX_ATTEMPTS`.
pub async fn fail(db: &Db, task: &scheduled_task::Model, error: &str) -> Result<(), DbErr> {
    let give_up = task.attempts >= MAX_ATTEMPTS;
    let delay = Duration::seconds(5i64 << task.attempts.clamp(0, 12));
    scheduled_task::Entity::update_many()
        .col_expr(
            scheduled_task::Column::State,
            (if give_up { "failed" } else { "pending" }).into(),
        )
        .col_expr(scheduled_task::Column::RunAt, (Utc::now() + delay).into())
        .col_expr(
            scheduled_task::Column::LastError,
            error.chars().take(2000).collect::<String>().into(),
        )
        .filter(scheduled_task::Column::Id.eq(task.id))
        .filter(scheduled_task::Column::LockedUntil.eq(task.locked_until))
        .exec(db.writer())
        .await?;
    Ok(())
}
