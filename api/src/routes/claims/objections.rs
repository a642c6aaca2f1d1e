//! Objections during publicity: any resident of the site raises one, staff uphold or dismiss it.

use entity::claims::{self, objection};

use crate::routes::{common::text, prelude::*};

/// An objection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// Why, up to 500 characters.
    pub reason: String,
}

/// An objection and its decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Objection {
    /// Id.
    pub id: Uuid,
    /// The claim.
    pub claim_id: Uuid,
    /// Why.
    pub reason: String,
    /// `pending`, `upheld` or `dismissed`.
    pub status: String,
    /// Decided at.
    pub decided_at: Option<DateTime<Utc>>,
    /// Made at.
    pub created_at: DateTime<Utc>,
}

impl From<objection::Model> for Objection {
    fn from(m: objection::Model) -> Self {
        Self {
            id: m.id,
            claim_id: m.claim_id,
            reason: m.reason,
            status: m.status,
            decided_at: m.decided_at,
            created_at: m.created_at,
        }
    }
}

/// Objects to a publicized claim (any resident of the site).
#[problems(
    403 "Not a resident",
    404 "No such publicized claim at the caller's site",
)]
#[utoipa::path(
    post, path = "/api/v1/points/claims/{id}/objections", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    request_body = ObjectionRequest,
    responses((status = 201, description = "Raised", body = Objection))
)]
pub async fn object_to_claim(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ObjectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let txn = state.db.begin().await?;
    let o = claims::object(&txn, &caller.actor(), id.into_inner(), reason).await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(Objection::from(o)))
}

/// A decision's reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Why (default: the objection's reason), up to 500 characters.
    pub reason: Option<String>,
}

async fn decide(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    uphold: bool,
    body: DecisionRequest,
) -> Result<web::Json<Objection>, ApiError> {
    let reason = body.reason.map(|r| text("reason", &r, 500)).transpose()?;
    let txn = state.db.begin().await?;
    let o = claims::decide(&txn, &caller.actor(), id, uphold, reason).await?;
    txn.commit().await?;
    Ok(web::Json(o.into()))
}

/// Upholds an objection (staff): the claim is rejected; points already credited are reversed by a
/// correction entry.
#[problems(
    404 "No such objection in reach",
    409 "`illegal_transition`: already decided",
)]
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/uphold", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses((status = 200, description = "Upheld", body = Objection))
)]
pub async fn uphold_objection(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<web::Json<Objection>, ApiError> {
    decide(&state, &caller, id.into_inner(), true, body).await
}

/// Dismisses an objection (staff); a claim whose window has closed is then credited.
#[problems(
    404 "No such objection in reach",
    409 "`illegal_transition`: already decided",
)]
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/dismiss", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses((status = 200, description = "Dismissed", body = Objection))
)]
pub async fn dismiss_objection(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<web::Json<Objection>, ApiError> {
    decide(&state, &caller, id.into_inner(), false, body).await
}

/// Where an objection stands.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// Waiting for staff.
    Pending,
    /// Upheld: the claim was rejected.
    Upheld,
    /// Dismissed.
    Dismissed,
}

impl ObjectionStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Upheld => "upheld",
            Self::Dismissed => "dismissed",
        }
    }
}

/// Filters of the objections queue.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObjectionQuery {
    /// Only this status (the queue: `pending`).
    #[param(inline)]
    pub status: Option<ObjectionStatus>,
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Objections to decide, oldest first (staff of the site). The objector is not shown: residents
/// object without fear of their neighbours.
#[problems(403 "Not staff")]
#[utoipa::path(
    get, path = "/api/v1/points/objections", tag = "points", security(("bearer" = [])),
    params(ObjectionQuery),
    responses((status = 200, description = "A page of objections", body = Paginated<Objection>))
)]
pub async fn list_objections(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ObjectionQuery>,
) -> Result<web::Json<Paginated<Objection>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request::<Uuid>()?;
    let rows = claims::objections(
        state.db.conn(),
        &caller.actor(),
        q.status.map(ObjectionStatus::as_str),
        q.site_id,
        &page,
    )
    .await?;
    Ok(web::Json(rows.map(Objection::from).into()))
}
