//! `job.changed` -> a signed webhook to each partner that receives them: one `partner_delivery`
//! row per partner, keyed by the posting's version (the worker's partner-sync loop sends them).

use entity::{messaging::events::JobChanged, partners};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

consumer_group! {
    /// The consumer group that queues partner webhooks; ordered, since partners must see a
    /// posting's versions in order.
    group: "partner_sync", binds: "job.changed", ordered: true,
    on: JobChanged => queue_webhooks
}

async fn queue_webhooks(
    txn: &DatabaseTransaction,
    _message_id: Uuid,
    changed: &JobChanged,
) -> anyhow::Result<()> {
    partners::job_changed(txn, changed).await?;
    Ok(())
}
