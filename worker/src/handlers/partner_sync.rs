//! `job.changed` -> a signed webhook to each partner that receives them: one `partner_delivery`
//! row per partner, keyed by the posting's version (the worker's partner-sync loop sends them).

use entity::{
    messaging::{Envelope, Event},
    partners,
};
use sea_orm::DatabaseTransaction;

use super::{Handler, HandlerFuture};

/// The consumer group that queues partner webhooks.
pub const HANDLER: Handler = Handler {
    group: "partner_sync",
    binds: &["job.changed"],
    // Partners must see a posting's versions in order.
    ordered: true,
    run,
};

fn run<'a>(txn: &'a DatabaseTransaction, envelope: &'a Envelope) -> HandlerFuture<'a> {
    Box::pin(async move {
        if let Event::JobChanged(changed) = &envelope.event {
            partners::job_changed(txn, changed).await?;
        }
        Ok(())
    })
}
