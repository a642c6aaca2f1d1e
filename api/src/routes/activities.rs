//! Activities: staff create and edit them; residents (or their group leaders, or staff, for them)
//! sign up, land on the waiting list when full, cancel, and check in by QR code.

use chrono::Timelike;
use entity::activities::{
    self, ActivityContent, ActivityEdit, ActivityFilter, ActivityKind, AudienceSpec, CheckIn,
    SignupStatus, activity, signup,
};

use super::common::{create, text, text_field};
use super::prelude::*;

/// Who an activity is for within its site (both empty: the whole site).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityAudience {
    /// These committees.
    #[serde(default)]
    pub committee_ids: Vec<Uuid>,
    /// These groups.
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
}

/// Points awarded for attendance: checking in files a claim, already registered, that goes on
/// to publicity and crediting like any other.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendancePoints {
    /// Points category (`policy_savvy`, `public_welfare`, …).
    pub category: String,
    /// Points, 1–100.
    pub amount: i32,
}

/// A new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    /// The site.
    pub site_id: Uuid,
    /// Title (up to 100 characters).
    pub title: String,
    /// Description (up to 5,000 characters).
    pub description: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Place.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at (after the start).
    pub ends_at: DateTime<Utc>,
    /// Sign-up opens at (default: now).
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes at (default: the start).
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Seats, 1–100,000.
    pub capacity: i32,
    /// Keep a waiting list when full (default on).
    #[serde(default = "yes")]
    pub waitlist: bool,
    /// Who it is for (default: the whole site).
    #[serde(default)]
    pub audience: ActivityAudience,
    /// Contact.
    pub contact: String,
    /// Points for attendance.
    pub points: Option<AttendancePoints>,
    /// Employers taking part (job fairs).
    #[serde(default)]
    pub employer_ids: Vec<Uuid>,
}

fn yes() -> bool {
    true
}

impl ActivityRequest {
    fn validate(self) -> Result<(Uuid, ActivityContent, AudienceSpec), ApiError> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &str, value: &str, max: usize| {
            text_field(&mut errors, name, value, max).unwrap_or_default()
        };
        let title = field("title", &self.title, 100);
        let description = field("description", &self.description, 5000);
        let place = field("place", &self.place, 200);
        let contact = field("contact", &self.contact, 100);
        let now = Utc::now();
        // Whole seconds: activities need no more, and every database stores them exactly.
        let second = |t: DateTime<Utc>| t.with_nanosecond(0).unwrap_or(t);
        let (starts_at, ends_at) = (second(self.starts_at), second(self.ends_at));
        let opens = second(self.signup_opens_at.unwrap_or(now));
        let closes = second(self.signup_closes_at.unwrap_or(starts_at));
        if self.ends_at <= self.starts_at {
            errors.insert("ends_at".into(), "must be after starts_at".into());
        }
        if self.starts_at <= now {
            errors.insert("starts_at".into(), "must be in the future".into());
        }
        if closes <= opens || closes > self.ends_at {
            errors.insert(
                "signup_closes_at".into(),
                "must be after signup_opens_at and no later than ends_at".into(),
            );
        }
        if !(1..=100_000).contains(&self.capacity) {
            errors.insert("capacity".into(), "must be 1–100,000".into());
        }
        if let Some(p) = &self.points
            && (entity::points::Category::parse(p.category.trim()).is_none()
                || !(1..=100).contains(&p.amount))
        {
            errors.insert(
                "points".into(),
                "category one of the seven points categories, amount 1–100".into(),
            );
        }
        if self.employer_ids.len() > 200 {
            errors.insert("employer_ids".into(), "at most 200 employers".into());
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok((
            self.site_id,
            ActivityContent {
                title,
                description,
                kind: self.kind,
                place,
                starts_at,
                ends_at,
                signup_opens_at: opens,
                signup_closes_at: closes,
                capacity: self.capacity,
                waitlist_enabled: self.waitlist,
                contact,
                points: self.points.and_then(|p| {
                    entity::points::Category::parse(p.category.trim()).map(|c| (c, p.amount))
                }),
                employer_ids: self.employer_ids,
            },
            AudienceSpec {
                committee_ids: self.audience.committee_ids,
                group_ids: self.audience.group_ids,
            },
        ))
    }
}

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

impl From<activity::Model> for Activity {
    fn from(m: activity::Model) -> Self {
        Self {
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
            seats_left: (m.capacity - m.confirmed).max(0),
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
            employer_ids: serde_json::from_value(m.employer_ids).unwrap_or_default(),
            finished: m.finished,
        }
    }
}

/// A sign-up.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Signup {
    /// Id.
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// The resident.
    pub resident_id: Uuid,
    /// Status.
    pub status: SignupStatus,
    /// Place on the waiting list (1 is next), while waitlisted.
    pub position: Option<u64>,
    /// The check-in code: the content of the resident's QR code.
    pub code: String,
    /// Signed up by someone else (group leader, staff).
    pub on_behalf: bool,
    /// Given a seat from the waiting list at.
    pub promoted_at: Option<DateTime<Utc>>,
    /// Checked in at.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Cancelled at.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Signed up at.
    pub created_at: DateTime<Utc>,
}

fn signup_dto(m: signup::Model, position: Option<u64>) -> Signup {
    Signup {
        id: m.id,
        activity_id: m.activity_id,
        resident_id: m.resident_id,
        status: m.status,
        position,
        code: m.code,
        on_behalf: m.on_behalf,
        promoted_at: m.promoted_at,
        checked_in_at: m.checked_in_at,
        cancelled_at: m.cancelled_at,
        created_at: m.created_at,
    }
}

/// Creates an activity (staff of its site); reminders and attendance are scheduled with it.
#[utoipa::path(
    post, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = ActivityRequest,
    responses(
        (status = 201, description = "Created", body = Activity),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<ActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let (site_id, content, spec) = body.validate()?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let a = activities::create(txn, &actor, site_id, content, &spec).await?;
            StoredResponse::json(StatusCode::CREATED, &Activity::from(a))
        })
    })
    .await
}

/// Changes to an activity: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    /// Title (up to 100 characters).
    pub title: Option<String>,
    /// Description (up to 5,000 characters).
    pub description: Option<String>,
    /// Place (participants are told of a change).
    pub place: Option<String>,
    /// Contact.
    pub contact: Option<String>,
    /// Starts at (participants are told; reminders move).
    pub starts_at: Option<DateTime<Utc>>,
    /// Ends at.
    pub ends_at: Option<DateTime<Utc>>,
    /// Sign-up opens at.
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes at.
    pub signup_closes_at: Option<DateTime<Utc>>,
    /// Keep a waiting list when full (off only while nobody waits).
    pub waitlist: Option<bool>,
    /// Seats: more promote from the waiting list at once; fewer than are taken is 409.
    pub capacity: Option<i32>,
}

/// Edits an activity (staff of its site, before it ends).
#[utoipa::path(
    patch, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = ActivityPatch,
    responses(
        (status = 200, description = "Changed", body = Activity),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`capacity_below_confirmed`, `waitlist_not_empty`, `activity_over` or `concurrent_change`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn edit_activity(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ActivityPatch>,
) -> Result<web::Json<Activity>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut field = |name: &str, value: Option<String>, max: usize| {
        value.and_then(|v| text_field(&mut errors, name, &v, max))
    };
    let second = |t: Option<DateTime<Utc>>| t.map(|t| t.with_nanosecond(0).unwrap_or(t));
    let change = ActivityEdit {
        title: field("title", body.title, 100),
        description: field("description", body.description, 5000),
        place: field("place", body.place, 200),
        contact: field("contact", body.contact, 100),
        starts_at: second(body.starts_at),
        ends_at: second(body.ends_at),
        signup_opens_at: second(body.signup_opens_at),
        signup_closes_at: second(body.signup_closes_at),
        waitlist_enabled: body.waitlist,
        capacity: body.capacity,
    };
    if body.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.insert("capacity".into(), "must be 1–100,000".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let txn = state.db.begin().await?;
    let a = activities::edit(&txn, &caller.actor(), id.into_inner(), change).await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
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
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Activities for the caller (its site; residents see those for their group), soonest first.
#[utoipa::path(
    get, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    params(ActivityQuery),
    responses(
        (status = 200, description = "A page of activities", body = Paginated<Activity>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
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
    let list = activities::list(state.db.conn(), &caller.scope, &filter, &page).await?;
    Ok(web::Json(list.map(Activity::from).into()))
}

/// One activity, with seats left and the waiting list's length.
#[utoipa::path(
    get, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    responses(
        (status = 200, description = "The activity", body = Activity),
        (status = 404, description = "No such activity for the caller", body = Problem, content_type = "application/problem+json"),
    )
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
        ..a.into()
    }))
}

/// Who signs up: the caller itself, or a resident a leader or staff acts for.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The resident (leaders and staff acting for someone).
    pub resident_id: Option<Uuid>,
}

/// Signs up: `confirmed` while seats last, then `waitlisted` with a position.
#[utoipa::path(
    post, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up (confirmed or waitlisted)", body = Signup),
        (status = 404, description = "No such activity for this resident", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_signed_up`, `signup_closed` or `activity_full`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`resident_id` missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_up_for_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let resident_id = body
        .resident_id
        .or(caller.resident_id)
        .ok_or_else(|| ApiError::invalid("resident_id", "required when signing up someone else"))?;
    let (actor, activity_id) = (caller.actor(), id.into_inner());
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let outcome = activities::sign_up(txn, &actor, activity_id, resident_id).await?;
            StoredResponse::json(
                StatusCode::CREATED,
                &signup_dto(outcome.signup, outcome.position),
            )
        })
    })
    .await
}

/// Cancels a sign-up (the resident, its leader or staff); a freed seat goes to the first person
/// waiting, who is told at once.
#[utoipa::path(
    delete, path = "/api/v1/activities/{id}/signups/{resident_id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"), ("resident_id" = Uuid, Path, description = "Resident id")),
    responses(
        (status = 200, description = "Cancelled", body = Signup),
        (status = 404, description = "No such sign-up in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: already cancelled or over", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cancel_signup(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Signup>, ApiError> {
    let (activity_id, resident_id) = path.into_inner();
    let txn = state.db.begin().await?;
    let s = activities::cancel(&txn, &caller.actor(), activity_id, resident_id).await?;
    txn.commit().await?;
    Ok(web::Json(signup_dto(s, None)))
}

/// A check-in: the code from the resident's QR code, or (staff) the resident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The scanned code.
    pub code: Option<String>,
    /// The resident, when checking in without the code.
    pub resident_id: Option<Uuid>,
}

/// Checks a participant in (staff); a second scan answers the same and counts once.
#[utoipa::path(
    post, path = "/api/v1/activities/{id}/checkins", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = CheckInRequest,
    responses(
        (status = 200, description = "Checked in", body = Signup),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity or sign-up", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_confirmed` or `checkin_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown code, or neither code nor resident", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<CheckInRequest>,
) -> Result<web::Json<Signup>, ApiError> {
    let who = match (body.code, body.resident_id) {
        (Some(code), None) => CheckIn::Code(text("code", &code, 32)?),
        (None, Some(r)) => CheckIn::Resident(r),
        _ => {
            return Err(ApiError::invalid("code", "send either code or resident_id"));
        }
    };
    let txn = state.db.begin().await?;
    let s = activities::check_in(&txn, &caller.actor(), id.into_inner(), who).await?;
    txn.commit().await?;
    Ok(web::Json(signup_dto(s, None)))
}

/// Participant list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignupQuery {
    /// Only this status (`confirmed`, `waitlisted`, `attended`, `no_show`, `cancelled`).
    pub status: Option<SignupStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Participants, waiting list and attendance of an activity (staff; leaders for their groups).
#[utoipa::path(
    get, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"), SignupQuery),
    responses(
        (status = 200, description = "A page of sign-ups", body = Paginated<Signup>),
        (status = 403, description = "Not staff or a leader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity in the caller's reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_signups(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<SignupQuery>,
) -> Result<web::Json<Paginated<Signup>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = activities::signups(
        state.db.conn(),
        &caller.actor(),
        id.into_inner(),
        q.status,
        &page,
    )
    .await?;
    Ok(web::Json(signup_page(&state, list).await?))
}

/// A page of sign-ups as the API shows them, their waiting-list places read in one query.
async fn signup_page(
    state: &AppState,
    list: entity::page::Page<activities::signup::Model>,
) -> Result<Paginated<Signup>, ApiError> {
    let positions = activities::positions(state.db.conn(), &list.items).await?;
    let items = list
        .items
        .into_iter()
        .map(|s| {
            let position = positions.get(&s.id).copied();
            signup_dto(s, position)
        })
        .collect();
    Ok(Paginated {
        items,
        next_cursor: list.next_cursor,
    })
}

/// Page of the caller's own sign-ups.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MySignupQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The caller's sign-ups, newest first, with waiting-list positions and QR codes.
#[utoipa::path(
    get, path = "/api/v1/me/signups", tag = "activities", security(("bearer" = [])),
    params(MySignupQuery),
    responses(
        (status = 200, description = "A page of sign-ups", body = Paginated<Signup>),
        (status = 403, description = "Not a resident", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn my_signups(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<MySignupQuery>,
) -> Result<web::Json<Paginated<Signup>>, ApiError> {
    let resident = caller
        .resident_id
        .ok_or(ApiError::Forbidden("only residents sign up"))?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = activities::of_resident(state.db.conn(), resident, &page).await?;
    Ok(web::Json(signup_page(&state, list).await?))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/activities")
            .route(web::post().to(create_activity))
            .route(web::get().to(list_activities)),
    )
    .service(
        web::resource("/activities/{id}")
            .route(web::get().to(get_activity))
            .route(web::patch().to(edit_activity)),
    )
    .service(
        web::resource("/activities/{id}/signups")
            .route(web::post().to(sign_up_for_activity))
            .route(web::get().to(list_signups)),
    )
    .service(
        web::resource("/activities/{id}/signups/{resident_id}")
            .route(web::delete().to(cancel_signup)),
    )
    .service(web::resource("/activities/{id}/checkins").route(web::post().to(check_in)))
    .service(web::resource("/me/signups").route(web::get().to(my_signups)));
}
