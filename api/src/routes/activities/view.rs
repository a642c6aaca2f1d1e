//! Activities as the API shows them (seats left, points for attendance), the list for the caller
//! and one activity with its waiting list's length.

use entity::{
    activities::{self, ActivityFilter, ActivityKind, activity},
    error::stored_json,
};

use super::AttendancePoints;
use crate::routes::prelude::*;

/// An activity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    /// Id.
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Place.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at.
    pub ends_at: DateTime<Utc>,
    /// Sign-up opens at.
    pub signup_opens_at: DateTime<Utc>,
    /// Sign-up closes at.
    pub signup_closes_at: DateTime<Utc>,
    /// Seats.
    pub capacity: i32,
    /// Seats left.
    pub seats_left: i32,
    /// Whether a full activity keeps a waiting list.
    pub waitlist_enabled: bool,
    /// People on the waiting list (on `GET /activities/{id}`).
    pub waitlist_length: Option<u64>,
    /// Open to the whole site (otherwise to some groups).
    pub whole_site: bool,
    /// Contact.
    pub contact: String,
    /// Points for attendance.
    pub points: Option<AttendancePoints>,
    /// Employers taking part.
    pub employer_ids: Vec<Uuid>,
    /// Attendance has been recorded (the activity is over).
    pub finished: bool,
}

impl TryFrom<activity::Model> for Activity {
    type Error = sea_orm::DbErr;

    /// The row as shown; stored employer ids that do not read are an error that names them.
    fn try_from(m: activity::Model) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            // Before the fields that move out of the row.
            seats_left: m.seats_left(),
            employer_ids: stored_json(&m.employer_ids, "activity.employer_ids", m.id)?,
            id: m.id,
            site_id: m.site_id,
            title: m.title,
            description: m.description,
            kind: m.kind,
            place: m.place,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            signup_opens_at: m.signup_opens_at,
            signup_closes_at: m.signup_closes_at,
            capacity: m.capacity,
            waitlist_enabled: m.waitlist_enabled,
            waitlist_length: None,
            whole_site: m.whole_site,
            contact: m.contact,
            points: m
                .points_category
                .zip(m.points_amount)
                .map(|(category, amount)| AttendancePoints {
                    category: category.to_string(),
                    amount,
                }),
            finished: m.finished,
        })
    }
}

/// Activity list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Starting at or after (default: activities not yet over).
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only this site (platform administrators looking at the site they picked; others see their
    /// own site's, and another site's nothing).
    pub site_id: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Activities for the caller (its site; residents see those for their group), soonest first.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    params(ActivityQuery),
    responses((status = 200, description = "A page of activities", body = Paginated<Activity>))
)]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ActivityQuery>,
) -> Result<web::Json<Paginated<Activity>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = ActivityFilter {
        kind: q.kind,
        from: q.from,
        to: q.to,
    };
    let scope = caller.scope.at_site(q.site_id);
    let list = activities::list(state.db.conn(), &scope, &filter, &page).await?;
    Ok(web::Json(list.try_map(Activity::try_from)?.into()))
}

/// One activity, with seats left and the waiting list's length.
#[problems(404 "No such activity for the caller")]
#[utoipa::path(
    get, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    responses((status = 200, description = "The activity", body = Activity))
)]
pub async fn get_activity(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Activity>, ApiError> {
    let a = activities::get(state.db.conn(), &caller.scope, id.into_inner()).await?;
    let waiting = activities::waitlist_length(state.db.conn(), a.id).await?;
    Ok(web::Json(Activity {
        waitlist_length: Some(waiting),
        ..a.try_into()?
    }))
}
