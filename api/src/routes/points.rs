//! Points accounts: a household's balance and its ledger, and deductions by staff.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use entity::points::{self, EntryKind, entry};
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

/// One ledger entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: EntryKind,
    /// Points added (positive) or taken (negative).
    pub amount: i32,
    /// The balance after it.
    pub balance_after: i32,
    /// Points a deduction could not take.
    pub shortfall: i32,
    /// What it refers to.
    pub reference_type: String,
    /// The referenced object.
    pub reference_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<entry::Model> for Entry {
    fn from(m: entry::Model) -> Self {
        Self {
            id: m.id,
            kind: EntryKind::parse(&m.kind).unwrap_or(EntryKind::Correction),
            amount: m.amount,
            balance_after: m.balance_after,
            shortfall: m.shortfall,
            reference_type: m.reference_type,
            reference_id: m.reference_id,
            reason: m.reason,
            created_at: m.created_at,
        }
    }
}

/// A household's points.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    /// The household.
    pub household_id: Uuid,
    /// Points held.
    pub balance: i32,
    /// Its entries, newest first.
    pub entries: Paginated<Entry>,
}

/// A page of entries.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

async fn account(
    state: &AppState,
    caller: &Principal,
    household_id: Uuid,
    q: EntryQuery,
) -> Result<web::Json<Account>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let (balance, entries) =
        points::household_account(state.db.conn(), &caller.scope, household_id, &page).await?;
    Ok(web::Json(Account {
        household_id,
        balance,
        entries: entries.map(Entry::from).into(),
    }))
}

/// The caller's household's points: balance and history.
#[utoipa::path(
    get, path = "/api/v1/me/points", tag = "points", security(("bearer" = [])),
    params(EntryQuery),
    responses(
        (status = 200, description = "Balance and entries", body = Account),
        (status = 403, description = "Not a resident", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn my_points(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<EntryQuery>,
) -> Result<web::Json<Account>, ApiError> {
    let household = match &caller.scope {
        entity::scope::Scope::Own(own) | entity::scope::Scope::Groups { own, .. } => {
            own.household_id
        }
        _ => {
            return Err(ApiError::Forbidden(
                "only residents have a household account",
            ));
        }
    };
    account(&state, &caller, household, q).await
}

/// A household's points (staff of its site, its group leader, its members).
#[utoipa::path(
    get, path = "/api/v1/households/{id}/points", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), EntryQuery),
    responses(
        (status = 200, description = "Balance and entries", body = Account),
        (status = 404, description = "No such household in the caller's reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn household_points(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<EntryQuery>,
) -> Result<web::Json<Account>, ApiError> {
    account(&state, &caller, id.into_inner(), q).await
}

/// A deduction for a violation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeductionRequest {
    /// The household.
    pub household_id: Uuid,
    /// Points, 1–10,000.
    pub points: i32,
    /// Why (shown to the household), up to 200 characters.
    pub reason: String,
}

/// Deducts points (staff; audited; the household is told). More than the balance takes it to
/// zero and records the shortfall.
#[utoipa::path(
    post, path = "/api/v1/points/deductions", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = DeductionRequest,
    responses(
        (status = 201, description = "Deducted", body = Entry),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn deduct(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<DeductionRequest>,
) -> Result<HttpResponse, ApiError> {
    if !(1..=10_000).contains(&body.points) {
        return Err(ApiError::invalid("points", "must be 1–10,000"));
    }
    let reason = text("reason", &body.reason, 200)?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let e = points::deduct(txn, &actor, body.household_id, body.points, reason).await?;
            StoredResponse::json(StatusCode::CREATED, &Entry::from(e))
        })
    })
    .await
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/me/points").route(web::get().to(my_points)))
        .service(web::resource("/households/{id}/points").route(web::get().to(household_points)))
        .service(web::resource("/points/deductions").route(web::post().to(deduct)));
}
