//! The seven steps of the points scheme over HTTP: calls for claims, claims and their steps,
//! objections during publicity.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    claims::{self, ClaimAction, ClaimStatus, StepInput, campaign, claim, objection, step},
    points::Category,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{create, text};
use crate::{
    auth::Principal,
    error::{ApiError, Problem},
    extract::{Json, Query},
    idempotency::StoredResponse,
    pagination::{PageParams, Paginated},
    startup::AppState,
};

/// A call for claims.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// The site (platform administrators; staff: their own).
    pub site_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// Title, up to 100 characters.
    pub title: String,
    /// The rules, up to 2,000 characters.
    pub rules: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Only these groups hear of it (empty: the whole site).
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
}

/// A published call for claims.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Campaign {
    /// Id.
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The category.
    pub category: Category,
    /// Title.
    pub title: String,
    /// The rules.
    pub rules: String,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
}

impl From<campaign::Model> for Campaign {
    fn from(m: campaign::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            category: Category::parse(&m.category).unwrap_or(Category::Civility),
            title: m.title,
            rules: m.rules,
            period_start: m.period_start,
            period_end: m.period_end,
        }
    }
}

/// Publishes a call for claims (step 1, 通知), fanned out to the site or some groups.
#[utoipa::path(
    post, path = "/api/v1/points/campaigns", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = CampaignRequest,
    responses(
        (status = 201, description = "Published", body = Campaign),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<CampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    let title = text("title", &body.title, 100)?;
    let rules = text("rules", &body.rules, 2000)?;
    let site = body
        .site_id
        .or(caller.scope.site_id())
        .ok_or_else(|| ApiError::invalid("site_id", "required"))?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let c = claims::create_campaign(
                txn,
                &actor,
                site,
                body.category,
                title,
                rules,
                (body.period_start, body.period_end),
                body.group_ids,
            )
            .await?;
            StoredResponse::json(StatusCode::CREATED, &Campaign::from(c))
        })
    })
    .await
}

/// A claim.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Claim {
    /// Id.
    pub id: Uuid,
    /// The household credited.
    pub household_id: Uuid,
    /// The resident who did it.
    pub resident_id: Uuid,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// What was done.
    pub description: String,
    /// Points (set at verification).
    pub points: Option<i32>,
    /// Status.
    pub status: ClaimStatus,
    /// Why it was rejected.
    pub status_reason: Option<String>,
    /// When the publicity window closes.
    pub publicity_ends_at: Option<DateTime<Utc>>,
    /// Applied for by the group leader.
    pub on_behalf: bool,
    /// Applied at.
    pub created_at: DateTime<Utc>,
    /// Every step so far (on `GET /points/claims/{id}`).
    pub steps: Option<Vec<Step>>,
}

/// One step of a claim.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Step {
    /// From (empty for the application).
    pub from: String,
    /// To.
    pub to: String,
    /// Who (none: the scheduler).
    pub actor_account_id: Option<Uuid>,
    /// In which role.
    pub actor_role: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<step::Model> for Step {
    fn from(m: step::Model) -> Self {
        Self {
            from: m.from_status,
            to: m.to_status,
            actor_account_id: m.actor_account_id,
            actor_role: m.actor_role,
            reason: m.reason,
            at: m.created_at,
        }
    }
}

impl From<claim::Model> for Claim {
    fn from(m: claim::Model) -> Self {
        Self {
            id: m.id,
            household_id: m.household_id,
            resident_id: m.resident_id,
            campaign_id: m.campaign_id,
            category: Category::parse(&m.category).unwrap_or(Category::Civility),
            description: m.description,
            points: m.points,
            status: ClaimStatus::parse(&m.status).unwrap_or(ClaimStatus::Applied),
            status_reason: m.status_reason,
            publicity_ends_at: m.publicity_ends_at,
            on_behalf: m.on_behalf,
            created_at: m.created_at,
            steps: None,
        }
    }
}

/// An application for points.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The resident (group leaders applying for one; residents: themselves).
    pub resident_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// What was done, up to 1,000 characters.
    pub description: String,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
}

/// Applies for points (step 2, 申请): the resident, or its group leader for it.
#[utoipa::path(
    post, path = "/api/v1/points/claims", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = ClaimRequest,
    responses(
        (status = 201, description = "Applied", body = Claim),
        (status = 403, description = "Not a resident or its leader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resident in reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn apply_for_points(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<ClaimRequest>,
) -> Result<HttpResponse, ApiError> {
    let description = text("description", &body.description, 1000)?;
    let resident = body
        .resident_id
        .or(caller.resident_id)
        .ok_or_else(|| ApiError::invalid("resident_id", "required"))?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let c = claims::apply(
                txn,
                &actor,
                resident,
                body.category,
                description,
                body.campaign_id,
            )
            .await?;
            StoredResponse::json(StatusCode::CREATED, &Claim::from(c))
        })
    })
    .await
}

/// Claim list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// Only this status.
    pub status: Option<ClaimStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Claims in the caller's reach (staff: the site; leaders: their groups; residents: their
/// household), newest first.
#[utoipa::path(
    get, path = "/api/v1/points/claims", tag = "points", security(("bearer" = [])),
    params(ClaimQuery),
    responses((status = 200, description = "A page of claims", body = Paginated<Claim>))
)]
pub async fn list_claims(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ClaimQuery>,
) -> Result<web::Json<Paginated<Claim>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = claims::list(state.db.conn(), &caller.scope, q.status, &page).await?;
    Ok(web::Json(list.map(Claim::from).into()))
}

/// One claim with every step.
#[utoipa::path(
    get, path = "/api/v1/points/claims/{id}", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    responses(
        (status = 200, description = "The claim", body = Claim),
        (status = 404, description = "No such claim in reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_claim(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Claim>, ApiError> {
    let (c, steps) = claims::get(state.db.conn(), &caller.scope, id.into_inner()).await?;
    Ok(web::Json(Claim {
        steps: Some(steps.into_iter().map(Step::from).collect()),
        ..c.into()
    }))
}

/// Options of a step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// Points (verify), within the category's range.
    pub points: Option<i32>,
    /// Why (reject: required), up to 500 characters.
    pub reason: Option<String>,
    /// Publicity window in days (publicize; default 3).
    pub days: Option<i64>,
}

async fn step_claim(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: ClaimAction,
    body: StepRequest,
) -> Result<web::Json<Claim>, ApiError> {
    let reason = body.reason.map(|r| text("reason", &r, 500)).transpose()?;
    let txn = state.db.begin().await?;
    let c = claims::act(
        &txn,
        Some(&caller.actor()),
        id,
        action,
        StepInput {
            points: body.points,
            reason,
            days: body.days,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(c.into()))
}

macro_rules! claim_step {
    ($fn:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            post, path = $path, tag = "points", security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Claim id")),
            request_body = StepRequest,
            responses(
                (status = 200, description = "Done", body = Claim),
                (status = 403, description = "This role may not take this step", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such claim in reach", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`illegal_transition`, `objection_pending` or `publicity_open`", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $fn(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
            Json(body): Json<StepRequest>,
        ) -> Result<web::Json<Claim>, ApiError> {
            step_claim(&state, &caller, id.into_inner(), $action, body).await
        }
    };
}

claim_step!(
    verify_claim,
    "/api/v1/points/claims/{id}/verify",
    ClaimAction::Verify,
    "Step 3 (认定): the group leader or staff confirm the facts and set the points."
);
claim_step!(
    register_claim,
    "/api/v1/points/claims/{id}/register",
    ClaimAction::Register,
    "Step 4 (登记): staff enter the claim in the register."
);
claim_step!(
    publicize_claim,
    "/api/v1/points/claims/{id}/publicize",
    ClaimAction::Publicize,
    "Step 5 (公示): staff post it for `days` (default 3); it is credited when the window closes."
);
claim_step!(
    credit_claim,
    "/api/v1/points/claims/{id}/credit",
    ClaimAction::Credit,
    "Step 6 (充值) by staff, after the window, with no objection open (normally the scheduler does it)."
);
claim_step!(
    reject_claim,
    "/api/v1/points/claims/{id}/reject",
    ClaimAction::Reject,
    "Rejects a claim before it is credited, with a reason (staff; the leader while applied)."
);

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
}

impl From<objection::Model> for Objection {
    fn from(m: objection::Model) -> Self {
        Self {
            id: m.id,
            claim_id: m.claim_id,
            reason: m.reason,
            status: m.status,
            decided_at: m.decided_at,
        }
    }
}

/// Objects to a publicized claim (any resident of the site).
#[utoipa::path(
    post, path = "/api/v1/points/claims/{id}/objections", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    request_body = ObjectionRequest,
    responses(
        (status = 201, description = "Raised", body = Objection),
        (status = 403, description = "Not a resident", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such publicized claim at the caller's site", body = Problem, content_type = "application/problem+json"),
    )
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
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/uphold", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Upheld", body = Objection),
        (status = 404, description = "No such objection in reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: already decided", body = Problem, content_type = "application/problem+json"),
    )
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
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/dismiss", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Dismissed", body = Objection),
        (status = 404, description = "No such objection in reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn dismiss_objection(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<web::Json<Objection>, ApiError> {
    decide(&state, &caller, id.into_inner(), false, body).await
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/points/campaigns").route(web::post().to(create_campaign)))
        .service(
            web::resource("/points/claims")
                .route(web::post().to(apply_for_points))
                .route(web::get().to(list_claims)),
        )
        .service(web::resource("/points/claims/{id}").route(web::get().to(get_claim)))
        .service(web::resource("/points/claims/{id}/verify").route(web::post().to(verify_claim)))
        .service(
            web::resource("/points/claims/{id}/register").route(web::post().to(register_claim)),
        )
        .service(
            web::resource("/points/claims/{id}/publicize").route(web::post().to(publicize_claim)),
        )
        .service(web::resource("/points/claims/{id}/credit").route(web::post().to(credit_claim)))
        .service(web::resource("/points/claims/{id}/reject").route(web::post().to(reject_claim)))
        .service(
            web::resource("/points/claims/{id}/objections").route(web::post().to(object_to_claim)),
        )
        .service(
            web::resource("/points/objections/{id}/uphold").route(web::post().to(uphold_objection)),
        )
        .service(
            web::resource("/points/objections/{id}/dismiss")
                .route(web::post().to(dismiss_objection)),
        );
}
