//! The scheduled tasks the worker runs, one file each, registered once in [`ALL`]. A task is a
//! payload type from `entity::messaging::tasks` with a [`Run`] implementation here; the
//! scheduler claims due rows, decodes each payload into its type and runs it in the transaction
//! that marks the task done.

mod credit_claim;
mod expire_job;
mod finish_activity;
mod remind_activity;

use std::{future::Future, pin::Pin};

use entity::{
    messaging::tasks::{CreditClaim, ExpireJob, FinishActivity, RemindActivity, Task},
    platform::scheduled_task,
};
use sea_orm::DatabaseTransaction;

/// How a task of this type is run.
pub trait Run: Task {
    /// The work, in the transaction that marks the task done.
    fn run(self, txn: &DatabaseTransaction) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// A task kind's future.
pub type TaskFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One kind of scheduled task, as the scheduler sees it.
pub struct TaskKind {
    /// The kind's name (`scheduled_task.kind`).
    pub name: &'static str,
    /// Decodes the stored payload and runs it.
    pub run: for<'a> fn(&'a DatabaseTransaction, &'a scheduled_task::Model) -> TaskFuture<'a>,
}

const fn kind<T: Run>() -> TaskKind {
    TaskKind {
        name: T::KIND,
        run: decode_and_run::<T>,
    }
}

fn decode_and_run<'a, T: Run>(
    txn: &'a DatabaseTransaction,
    task: &'a scheduled_task::Model,
) -> TaskFuture<'a> {
    Box::pin(async move {
        let payload: T = serde_json::from_value(task.payload.clone())?;
        payload.run(txn).await
    })
}

/// Every task kind.
pub static ALL: &[TaskKind] = &[
    kind::<ExpireJob>(),
    kind::<RemindActivity>(),
    kind::<FinishActivity>(),
    kind::<CreditClaim>(),
];
