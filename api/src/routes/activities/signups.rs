//! Sign-ups: residents (or their group leaders, or staff, for them) sign up, land on the waiting
//! list when full, cancel, and are checked in by QR code; the participant list and the caller's
//! own sign-ups.

use entity::{
    activities::{self, CheckIn, SignupStatus, signup},
    registry::ops,
};

use crate::routes::{
    common::{assist_reason, create, text},
    prelude::*,
    residents::served_resident,
};

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
    /// The resident's name (staff and group leaders' lists; absent in a resident's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_name: Option<String>,
}

/// A check-in's answer: the sign-up, and whether it was checked in before.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckInResult {
    /// The sign-up.
    #[serde(flatten)]
    pub signup: Signup,
    /// Already checked in (a second scan): the door says so instead of welcoming twice.
    pub repeat: bool,
}

fn signup_dto(m: signup::Model, position: Option<u64>) -> Signup {
    Signup {
        resident_name: None,
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

/// Who signs up: the caller itself, or a resident a leader or staff acts for.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The resident (leaders and staff acting for someone).
    pub resident_id: Option<Uuid>,
    /// Why a leader or staff member acts for the resident (up to 200 characters; audited).
    /// Only when acting for someone else.
    pub reason: Option<String>,
}

/// Signs up: `confirmed` while seats last, then `waitlisted` with a position.
#[problems(
    404 "No such activity for this resident",
    409 "`already_signed_up`, `signup_closed` or `activity_full`",
    422 "`resident_id` missing",
)]
#[utoipa::path(
    post, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = SignupRequest,
    responses((status = 201, description = "Signed up (confirmed or waitlisted)", body = Signup))
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
    let reason = assist_reason(body.reason.as_deref())?;
    let (actor, activity_id) = (caller.actor(), id.into_inner());
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let outcome =
                activities::sign_up(txn, &actor, activity_id, resident_id, reason).await?;
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
#[problems(
    404 "No such sign-up in the caller's reach",
    409 "`illegal_transition`: already cancelled or over",
)]
#[utoipa::path(
    delete, path = "/api/v1/activities/{id}/signups/{resident_id}", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"), ("resident_id" = Uuid, Path, description = "Resident id")),
    responses((status = 200, description = "Cancelled", body = Signup))
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
#[problems(
    403 "Not staff",
    404 "No such activity or sign-up",
    409 "`not_confirmed` or `checkin_closed`",
    422 "Unknown code, or neither code nor resident",
)]
#[utoipa::path(
    post, path = "/api/v1/activities/{id}/checkins", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = CheckInRequest,
    responses((status = 200, description = "Checked in (or already: `repeat`)", body = CheckInResult))
)]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<CheckInRequest>,
) -> Result<web::Json<CheckInResult>, ApiError> {
    let who = match (body.code, body.resident_id) {
        (Some(code), None) => CheckIn::Code(text("code", &code, 32)?),
        (None, Some(r)) => CheckIn::Resident(r),
        _ => {
            return Err(ApiError::invalid("code", "send either code or resident_id"));
        }
    };
    let txn = state.db.begin().await?;
    let done = activities::check_in(&txn, &caller.actor(), id.into_inner(), who).await?;
    txn.commit().await?;
    let names =
        ops::resident_names(state.db.conn(), &caller.scope, [done.signup.resident_id]).await?;
    let mut signup = signup_dto(done.signup, None);
    signup.resident_name = names.get(&signup.resident_id).cloned();
    Ok(web::Json(CheckInResult {
        signup,
        repeat: done.repeat,
    }))
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
#[problems(
    403 "Not staff or a leader",
    404 "No such activity in the caller's reach",
)]
#[utoipa::path(
    get, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"), SignupQuery),
    responses((status = 200, description = "A page of sign-ups", body = Paginated<Signup>))
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
    let mut page = signup_page(&state, list).await?;
    let names = ops::resident_names(
        state.db.conn(),
        &caller.scope,
        page.items.iter().map(|s| s.resident_id),
    )
    .await?;
    for s in &mut page.items {
        s.resident_name = names.get(&s.resident_id).cloned();
    }
    Ok(web::Json(page))
}

/// A resident's sign-ups (staff of its site, its group leader): the service desk's view.
#[problems(403 "Not staff or a group leader", 404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/residents/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id"), MySignupQuery),
    responses((status = 200, description = "A page of sign-ups", body = Paginated<Signup>))
)]
pub async fn resident_signups(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<MySignupQuery>,
) -> Result<web::Json<Paginated<Signup>>, ApiError> {
    let resident = served_resident(&state, &caller, id.into_inner()).await?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = activities::of_resident(state.db.conn(), resident, &page).await?;
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
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/signups", tag = "activities", security(("bearer" = [])),
    params(MySignupQuery),
    responses((status = 200, description = "A page of sign-ups", body = Paginated<Signup>))
)]
pub async fn my_signups(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<MySignupQuery>,
) -> Result<web::Json<Paginated<Signup>>, ApiError> {
    let resident = caller
        .resident_id
        .ok_or(ApiError::forbidden("only residents sign up"))?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = activities::of_resident(state.db.conn(), resident, &page).await?;
    Ok(web::Json(signup_page(&state, list).await?))
}
