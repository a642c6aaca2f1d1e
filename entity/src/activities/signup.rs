//! A resident's sign-up (the `activity_signup` table) and where it stands.

use sea_orm::entity::prelude::*;

/// A resident's place (or ticket on the waiting list) for an activity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_signup")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The resident.
    pub resident_id: Uuid,
    /// The resident's site.
    pub site_id: Uuid,
    /// See [`SignupStatus`].
    pub status: SignupStatus,
    /// Waiting-list ticket (order of the list).
    pub waitlist_ticket: Option<i32>,
    /// The check-in code (the content of the resident's QR code).
    pub code: String,
    /// Who signed up (the resident, its leader or staff).
    pub signed_up_by: Uuid,
    /// Signed up by someone else for the resident.
    pub on_behalf: bool,
    /// Moved from the waiting list to a seat at.
    pub promoted_at: Option<DateTimeUtc>,
    /// Checked in at.
    pub checked_in_at: Option<DateTimeUtc>,
    /// Checked in by.
    pub checked_in_by: Option<Uuid>,
    /// Cancelled at.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Changed at.
    pub updated_at: DateTimeUtc,
}

no_relations!();

string_enum!(
    /// Where a sign-up stands.
    SignupStatus {
        /// Has a seat.
        Confirmed => "confirmed",
        /// On the waiting list.
        Waitlisted => "waitlisted",
        /// Cancelled (by the resident, its leader or staff).
        Cancelled => "cancelled",
        /// Checked in.
        Attended => "attended",
        /// Had a seat and did not come (recorded after the end).
        NoShow => "no_show",
    }
);
