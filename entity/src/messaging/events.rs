//! The event types. Each has a stable name (the AMQP routing key) and a schema version; consumers
//! read the version to stay compatible while producers evolve.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
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
    /// What kind of notice it is and its facts, for the channels that carry only some kinds
    /// (subscription messages, voice calls); `None` for the others (broadcasts, matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
}

/// The kinds of notice a resident can subscribe to in WeChat, and that may need a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A seat came free and the resident moved up from the waiting list.
    SeatOffered,
    /// An application moved on (viewed, offered, hired, not selected).
    ApplicationStatus,
    /// An employer invites the resident to an interview.
    Interview,
    /// A points claim was credited or turned down.
    ClaimResult,
    /// An activity the resident signed up for starts soon.
    ActivityReminder,
}

impl NoticeKind {
    /// Every kind.
    pub const ALL: [NoticeKind; 5] = [
        Self::SeatOffered,
        Self::ApplicationStatus,
        Self::Interview,
        Self::ClaimResult,
        Self::ActivityReminder,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeatOffered => "seat_offered",
            Self::ApplicationStatus => "application_status",
            Self::Interview => "interview",
            Self::ClaimResult => "claim_result",
            Self::ActivityReminder => "activity_reminder",
        }
    }

    /// The stored name read back.
    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }

    /// Whether a resident must get it even without a subscription grant: by SMS then.
    pub fn must_arrive(self) -> bool {
        matches!(
            self,
            Self::SeatOffered | Self::Interview | Self::ClaimResult
        )
    }

    /// Whether residents marked for voice notices also get a call.
    pub fn calls(self) -> bool {
        matches!(
            self,
            Self::SeatOffered | Self::Interview | Self::ClaimResult
        )
    }
}

/// A fact of a notice that can fill a field of a subscription-message template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// What it is about: the activity's or job's name.
    Subject,
    /// When (`2026年12月3日 15:00`).
    Time,
    /// Where.
    Place,
    /// The outcome in a word or two: 候补成功, 邀请面试, 已入账.
    Status,
    /// A number: the points credited.
    Amount,
    /// The notice's title.
    Title,
    /// A short remark: the notice's text, cut to fit.
    Note,
}

/// A notice's kind and facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The kind.
    pub kind: NoticeKind,
    /// Its facts (title and text come from the notification itself).
    #[serde(default)]
    pub facts: std::collections::BTreeMap<Fact, String>,
}

impl Notice {
    /// A notice of `kind` with these facts.
    pub fn new(kind: NoticeKind, facts: impl IntoIterator<Item = (Fact, String)>) -> Self {
        Self {
            kind,
            facts: facts.into_iter().collect(),
        }
    }
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
