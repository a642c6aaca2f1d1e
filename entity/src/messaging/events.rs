//! The event types. Each has a stable name (the AMQP routing key) and a schema version; consumers
//! read the version to stay compatible while producers evolve.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who a notification is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// These residents.
    Residents {
        /// The residents.
        resident_ids: Vec<Uuid>,
    },
    /// Everyone of a site (optionally narrowed by the filters).
    Site {
        /// The site.
        site_id: Uuid,
        /// Only these committees (empty: all).
        #[serde(default)]
        committee_ids: Vec<Uuid>,
        /// Only these groups (empty: all).
        #[serde(default)]
        group_ids: Vec<Uuid>,
        /// Only residents aged 16–59.
        #[serde(default)]
        working_age: bool,
        /// Only residents looking for work.
        #[serde(default)]
        job_seeking: bool,
    },
}

/// How urgent a notification is; urgent ones may bypass quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Delivered outside quiet hours.
    #[default]
    Normal,
    /// Delivered at once (e.g. a waiting-list seat offer).
    Urgent,
}

/// A notice to some residents: an inbox row each, then push or SMS per their preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRequested {
    /// The site the notice belongs to.
    pub site_id: Uuid,
    /// Category (e.g. `broadcast`, `job`, `activity`, `points`, `account`).
    pub category: String,
    /// Title, in Simplified Chinese.
    pub title: String,
    /// Body, in Simplified Chinese.
    pub body: String,
    /// Who receives it.
    pub audience: Audience,
    /// Urgency.
    #[serde(default)]
    pub urgency: Urgency,
    /// The object it is about, e.g. `job:<id>`, for the app to open.
    #[serde(default)]
    pub link: Option<String>,
}

/// A posting was published: the worker matches it against residents and tells those it suits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPublished {
    /// The posting.
    pub job_id: Uuid,
    /// Its version when published.
    pub version: i32,
}

/// What became of a posting, as partners hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobChange {
    /// Published.
    Published,
    /// Changed while published (renewed).
    Updated,
    /// Closed while published.
    Closed,
    /// Filled.
    Filled,
    /// Expired.
    Expired,
}

/// A published posting of ours changed: partners that receive webhooks are told of it, as it was
/// at that version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobChanged {
    /// The posting.
    pub job_id: Uuid,
    /// Its version after the change.
    pub version: i32,
    /// What happened.
    pub change: JobChange,
    /// The posting at that version, as schema.org `JobPosting` JSON-LD.
    pub posting: serde_json::Value,
}

/// A notice to an employer (new application, withdrawal), for its inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerNotice {
    /// The employer.
    pub employer_id: Uuid,
    /// Category (`application`).
    pub category: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// The object it is about, e.g. `application:<id>`.
    #[serde(default)]
    pub link: Option<String>,
}

/// Every event, tagged by its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    /// A notice to residents.
    #[serde(rename = "notification.requested")]
    NotificationRequested(NotificationRequested),
    /// A posting was published.
    #[serde(rename = "job.published")]
    JobPublished(JobPublished),
    /// A published posting changed.
    #[serde(rename = "job.changed")]
    JobChanged(JobChanged),
    /// A notice to an employer.
    #[serde(rename = "employer_notification.requested")]
    EmployerNotificationRequested(EmployerNotice),
}

impl Event {
    /// The event's name, also its routing key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotificationRequested(_) => "notification.requested",
            Self::JobPublished(_) => "job.published",
            Self::JobChanged(_) => "job.changed",
            Self::EmployerNotificationRequested(_) => "employer_notification.requested",
        }
    }

    /// The payload's schema version.
    pub fn schema_version(&self) -> i16 {
        match self {
            Self::NotificationRequested(_)
            | Self::JobPublished(_)
            | Self::JobChanged(_)
            | Self::EmployerNotificationRequested(_) => 1,
        }
    }
}

/// An event with its message id, as it travels through the broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The message id (the outbox row's id): consumers deduplicate on it.
    pub id: Uuid,
    /// The payload's schema version.
    pub schema_version: i16,
    /// When it was recorded.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// The id of the request that caused it (also the `x-request-id` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Its W3C trace context (also the `traceparent` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The account whose request caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_account_id: Option<uuid::Uuid>,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

impl Envelope {
    /// The cause this message carries, for the work its handlers do.
    pub fn trace(&self) -> crate::trace::Trace {
        crate::trace::Trace {
            request_id: self.request_id.clone(),
            traceparent: self.traceparent.clone(),
            actor: self.actor_account_id,
            statements: 0,
        }
    }
}
