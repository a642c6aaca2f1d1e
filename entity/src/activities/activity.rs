//! An activity (the `activity` table) and its kinds.

use sea_orm::entity::prelude::*;

/// An activity of a site.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// See [`ActivityKind`].
    pub kind: ActivityKind,
    /// Where.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTimeUtc,
    /// Ends at.
    pub ends_at: DateTimeUtc,
    /// Sign-up opens at.
    pub signup_opens_at: DateTimeUtc,
    /// Sign-up closes at.
    pub signup_closes_at: DateTimeUtc,
    /// Seats.
    pub capacity: i32,
    /// Seats taken.
    pub confirmed: i32,
    /// The last waiting-list ticket handed out.
    pub waitlist_next: i32,
    /// Tickets that have left the waiting list (promoted or cancelled).
    pub waitlist_left: i32,
    /// Whether a full activity takes a waiting list.
    pub waitlist_enabled: bool,
    /// Open to the whole site (otherwise to the groups in `activity_audience`).
    pub whole_site: bool,
    /// Contact.
    pub contact: String,
    /// Points category awarded for attendance (used by the points scheme).
    pub points_category: Option<crate::points::Category>,
    /// Points awarded for attendance.
    pub points_amount: Option<i32>,
    /// Employers taking part (job fairs), a JSON array of ids.
    pub employer_ids: Json,
    /// Attendance recorded after the end.
    pub finished: bool,
    /// Created by.
    pub created_by: Uuid,
    /// Incremented on every change.
    pub version: i32,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

impl Model {
    /// Seats not yet taken (never negative, even if capacity was lowered below the confirmed).
    pub fn seats_left(&self) -> i32 {
        (self.capacity - self.confirmed).max(0)
    }
}

string_enum!(
    /// What kind of activity.
    ActivityKind {
        /// Skills training.
        Training => "training",
        /// A lecture (policy, health, law).
        Lecture => "lecture",
        /// A performance by a cultural troupe.
        Performance => "performance",
        /// Volunteer service.
        VolunteerService => "volunteer_service",
        /// A job fair (就业进社区).
        JobFair => "job_fair",
        /// A film screening.
        Screening => "screening",
        /// Sports.
        Sports => "sports",
    }
);
