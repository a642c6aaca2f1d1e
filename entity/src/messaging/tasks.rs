//! Scheduled work as types: each kind of task is a payload struct with its stored name. Domains
//! schedule a value ([`super::schedule::task`]); the worker's `tasks` module runs it, decoding
//! the stored payload back into the same type, so a field is named once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// A kind of scheduled task: its payload and its stored name (`scheduled_task.kind`).
pub trait Task: Serialize + DeserializeOwned + Send + 'static {
    /// The stored name.
    const KIND: &'static str;
}

/// Expires a published posting if its `valid_through` has passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireJob {
    /// The posting.
    pub job_id: Uuid,
}

impl Task for ExpireJob {
    const KIND: &'static str = "job.expire";
}

/// Reminds everyone with a seat, `hours` before an activity starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemindActivity {
    /// The activity.
    pub activity_id: Uuid,
    /// Hours before the start (24 or 2).
    pub hours: i64,
    /// The start the reminder was scheduled for (a moved activity's old reminders do nothing).
    pub starts_at: DateTime<Utc>,
}

impl Task for RemindActivity {
    const KIND: &'static str = "activity.remind";
}

/// Records attendance (no-shows) when an activity ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishActivity {
    /// The activity.
    pub activity_id: Uuid,
}

impl Task for FinishActivity {
    const KIND: &'static str = "activity.finish";
}

/// Credits a claim when its publicity window closes, unless an objection is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditClaim {
    /// The claim.
    pub claim_id: Uuid,
}

impl Task for CreditClaim {
    const KIND: &'static str = "points.credit";
}
