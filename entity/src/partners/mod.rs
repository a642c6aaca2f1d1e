//! Partners: the provincial talent exchange and any system like it. A partner authenticates by
//! OAuth 2.0 client credentials ([`client`]), pushes its postings in, keyed by its external id
//! and ordered by its version ([`inbound`]; recruitment stores them), reads ours ([`feed`]), and
//! receives them as signed webhooks ([`webhooks`]).
//!
//! Owns the tables `partner` and `partner_delivery`. Consumes `job.changed` (the worker's
//! `partner_sync` group turns it into deliveries); emits no events of its own.

pub mod client;
pub mod delivery;
pub mod feed;
pub mod inbound;
pub mod partner;
pub mod webhooks;

pub use client::{
    NewPartner, PartnerScope, Secrets, authenticate, create, get, list, rotate, secret_hash,
    signing_key,
};
pub use feed::{FeedKey, feed};
pub use inbound::{close_job, upsert_job};
pub use webhooks::{
    DeliveryState, MAX_AGE, claim_due, deliveries, job_changed, record_attempt, resend,
};
