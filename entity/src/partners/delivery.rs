//! Webhook deliveries: one message to one partner about one version of one posting.

use sea_orm::entity::prelude::*;

/// One message to one partner about one version of one posting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "partner_delivery")]
pub struct Model {
    /// Id, sent as `webhook-id` (the same on every attempt).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The posting.
    pub job_id: Uuid,
    /// The posting's version.
    pub job_version: i32,
    /// `job.published`, `job.updated`, `job.closed`, `job.filled` or `job.expired`.
    pub event_type: String,
    /// The exact body sent.
    pub body: String,
    /// `pending`, `delivered` or `failed` (dead-lettered).
    pub state: super::webhooks::DeliveryState,
    /// Attempts so far.
    pub attempts: i32,
    /// Not before.
    pub next_attempt_at: DateTimeUtc,
    /// Dead-lettered if not delivered by then.
    pub give_up_at: DateTimeUtc,
    /// Claimed by a worker until.
    pub locked_until: Option<DateTimeUtc>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    /// The last error.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Delivered at.
    pub delivered_at: Option<DateTimeUtc>,
    /// The id of the request that caused it.
    pub request_id: Option<String>,
}

no_relations!();
