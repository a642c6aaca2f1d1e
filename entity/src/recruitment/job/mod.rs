//! Job postings and their lifecycle: draft -> pending_review -> published -> closed | filled |
//! expired, with staff review (publish, or reject back to draft with a reason), renewal before
//! expiry and automatic expiry at `valid_through` by a scheduled task. The table and its states
//! are here; [`content`] is what employers write, [`listing`] who sees what, [`lifecycle`] the
//! moves and what they tell others.

mod content;
mod lifecycle;
mod listing;

pub use content::*;
pub use lifecycle::*;
pub use listing::*;

use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, entity::prelude::*};

use crate::error::stored_json;

/// A job posting. The row is also the API's `Job` (its field docs are the contract's
/// descriptions); what only the server needs is not serialized.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
#[sea_orm(table_name = "job_posting")]
#[schema(as = Job, description = "A job posting.")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The employer.
    pub employer_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Channel.
    pub category: JobCategory,
    /// Where.
    pub location: String,
    /// Lowest pay.
    pub salary_min: i32,
    /// Highest pay.
    pub salary_max: i32,
    /// Per what.
    pub salary_unit: SalaryUnit,
    /// People wanted.
    pub headcount: i32,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Skills wanted.
    #[schema(value_type = Vec<String>)]
    pub skills: Json,
    /// Suitable for disabled workers.
    pub suitable_for_disabled: bool,
    /// Flexible hours.
    pub flexible_hours: bool,
    /// Transport provided.
    pub transport_provided: bool,
    /// Housing provided.
    pub housing_provided: bool,
    /// Contact.
    pub contact: String,
    /// Valid until.
    pub valid_through: DateTime<Utc>,
    /// Status.
    pub status: JobStatus,
    /// Why staff rejected it.
    pub status_reason: Option<String>,
    /// Lower-cased title, description and employer name, for substring search.
    #[serde(skip)]
    pub search_text: String,
    /// Version (incremented on every change).
    pub version: i32,
    /// First published at.
    pub published_at: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    #[serde(skip)]
    pub updated_at: DateTime<Utc>,
    /// The partner that sent it (none: ours).
    #[serde(skip)]
    pub partner_id: Option<Uuid>,
    /// The partner's id for it.
    #[serde(skip)]
    pub external_id: Option<String>,
    /// The partner's version of it.
    #[serde(skip)]
    pub external_version: Option<i64>,
    /// The hiring organization, for postings from the provincial talent exchange (their
    /// `employer_id` is the exchange's own record).
    pub hiring_organization: Option<String>,
}

no_relations!();

impl Model {
    /// The skills wanted; a stored value that is not a list of texts is an error that names it.
    pub fn skill_list(&self) -> Result<Vec<String>, DbErr> {
        stored_json(&self.skills, "job_posting.skills", self.id)
    }
}

string_enum!(
    /// The community's recruitment channels.
    JobCategory {
        /// A local job.
        Local => "local",
        /// Work away from home (外出务工).
        WorkAway => "work_away",
        /// A public-welfare post (公益岗位).
        PublicWelfare => "public_welfare",
        /// A community workshop (扶贫车间).
        CommunityWorkshop => "community_workshop",
        /// A satellite factory.
        SatelliteFactory => "satellite_factory",
        /// An industry base (e.g. edible fungi).
        IndustryBase => "industry_base",
    }
);

string_enum!(
    /// What the salary is per.
    SalaryUnit {
        /// Per hour.
        Hour => "hour",
        /// Per day.
        Day => "day",
        /// Per month.
        Month => "month",
        /// Per piece.
        Piece => "piece",
    }
);

string_enum!(
    /// Where a posting stands.
    JobStatus {
        /// Being written by the employer.
        Draft => "draft",
        /// Submitted, waiting for staff.
        PendingReview => "pending_review",
        /// Visible to residents and the public.
        Published => "published",
        /// Closed by the employer.
        Closed => "closed",
        /// Filled.
        Filled => "filled",
        /// Past `valid_through`.
        Expired => "expired",
    }
);

impl JobStatus {
    /// The states a posting can still leave (it is not closed, filled or expired).
    pub const OPEN: [Self; 3] = [Self::Draft, Self::PendingReview, Self::Published];

    /// Whether the posting is still open.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

/// What someone does to a posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// The employer submits a draft for review.
    Submit,
    /// Staff publish it.
    Publish,
    /// Staff send it back to draft, with a reason.
    Reject,
    /// The employer closes it.
    Close,
    /// The employer marks it filled.
    Fill,
    /// The scheduler expires it.
    Expire,
}

impl JobAction {
    /// Every transition rule in one place: the status an action leads to from `from`, if any.
    pub fn next(self, from: JobStatus) -> Option<JobStatus> {
        use JobStatus::*;
        match (self, from) {
            (Self::Submit, Draft) => Some(PendingReview),
            (Self::Publish, PendingReview) => Some(Published),
            (Self::Reject, PendingReview) => Some(Draft),
            (Self::Close, Draft | PendingReview | Published) => Some(Closed),
            (Self::Fill, Published) => Some(Filled),
            (Self::Expire, Published) => Some(Expired),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Reject => "reject",
            Self::Close => "close",
            Self::Fill => "fill",
            Self::Expire => "expire",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{JobAction::*, JobStatus::*};

    #[test]
    fn search_keys_match_exactly_the_substrings_of_the_text() {
        let text = super::search_key("兴贤里 电焊工 Welder 哈哈");
        let found = |q: &str| text.contains(&super::search_key(q));
        for q in [
            "电",
            "电焊",
            "电焊工",
            "welder",
            "WELD",
            " 电",
            "哈哈",
            "里 电",
        ] {
            assert!(found(q), "{q}");
        }
        for q in ["焊电", "哈哈哈", "电焊工人", "weldr", "兴里"] {
            assert!(!found(q), "{q}");
        }
    }

    #[test]
    fn the_lifecycle_is_the_documented_one() {
        assert_eq!(Submit.next(Draft), Some(PendingReview));
        assert_eq!(Publish.next(PendingReview), Some(Published));
        assert_eq!(Reject.next(PendingReview), Some(Draft));
        assert_eq!(Fill.next(Published), Some(Filled));
        assert_eq!(Expire.next(Published), Some(Expired));
        assert_eq!(Close.next(Published), Some(Closed));
        assert_eq!(Publish.next(Draft), None);
        assert_eq!(Submit.next(Published), None);
        assert_eq!(Fill.next(Draft), None);
        assert_eq!(Close.next(Expired), None);
        assert_eq!(Expire.next(Closed), None);
    }
}
