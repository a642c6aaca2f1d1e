//! `job.published` -> the residents the posting suits (and its category's subscribers) are told,
//! once each, through one `notification.requested` per site.

use entity::{
    messaging::{Envelope, Event},
    recruitment::matching,
};
use sea_orm::DatabaseTransaction;

use super::{Handler, HandlerFuture};

/// The consumer group that matches postings to residents.
pub const HANDLER: Handler = Handler {
    group: "matching",
    binds: &["job.published"],
    ordered: false,
    run,
};

fn run<'a>(txn: &'a DatabaseTransaction, envelope: &'a Envelope) -> HandlerFuture<'a> {
    Box::pin(async move {
        if let Event::JobPublished(published) = &envelope.event {
            let today = entity::kernel::china_time::today();
            let told = matching::match_job(txn, published.job_id, today).await?;
            tracing::info!(job_id = %published.job_id, told, "job matched");
        }
        Ok(())
    })
}
