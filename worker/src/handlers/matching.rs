//! `job.published` -> the residents the posting suits (and its category's subscribers) are told,
//! once each, through one `notification.requested` per site.

use entity::{messaging::events::JobPublished, recruitment::matching};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

consumer_group! {
    /// The consumer group that matches postings to residents.
    group: "matching", binds: "job.published", ordered: false,
    on: JobPublished => match_job
}

async fn match_job(
    txn: &DatabaseTransaction,
    _message_id: Uuid,
    published: &JobPublished,
) -> anyhow::Result<()> {
    let today = entity::kernel::china_time::today();
    let told = matching::match_job(txn, published.job_id, today).await?;
    tracing::info!(job_id = %published.job_id, told, "job matched");
    Ok(())
}
