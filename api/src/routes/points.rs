//! Points accounts: a household's balance and its ledger, and deductions by staff.

use entity::points::{self, Category, CategoryRange, entry};

use super::common::{create, text};
use super::prelude::*;

/// One ledger entry: the row itself, without the ids of household, site and actor.
pub type Entry = entry::Model;

/// A household's points (`PointsAccount` in the document).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PointsAccount)]
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
        entries: entries.into(),
    }))
}

/// The caller's household's points: balance and history.
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/points", tag = "points", security(("bearer" = [])),
    params(EntryQuery),
    responses((status = 200, description = "Balance and entries", body = Account))
)]
pub async fn my_points(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<EntryQuery>,
) -> Result<web::Json<Account>, ApiError> {
    let household = caller.own_household()?;
    account(&state, &caller, household, q).await
}

/// A household's points (staff of its site, its group leader, its members).
#[problems(404 "No such household in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/households/{id}/points", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), EntryQuery),
    responses((status = 200, description = "Balance and entries", body = Account))
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
#[problems(
    403 "Not staff",
    404 "No such household in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/points/deductions", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = DeductionRequest,
    responses((status = 201, description = "Deducted", body = Entry))
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
            StoredResponse::json(StatusCode::CREATED, &e)
        })
    })
    .await
}

/// A category and the points range one claim of it may earn at the site.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryView {
    /// The category.
    pub category: Category,
    /// Its name in Chinese.
    pub title: String,
    /// Fewest points per claim.
    pub min_points: i32,
    /// Most points per claim.
    pub max_points: i32,
    /// Whether the site changed the default range.
    pub customised: bool,
}

impl From<CategoryRange> for CategoryView {
    fn from(r: CategoryRange) -> Self {
        Self {
            category: r.category,
            title: r.category.title().to_owned(),
            min_points: r.min_points,
            max_points: r.max_points,
            customised: r.customised,
        }
    }
}

/// Which site (platform administrators name one; everybody else has theirs).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteQuery {
    /// The site (platform administrators).
    pub site_id: Option<Uuid>,
}

fn site_of(caller: &Principal, site: Option<Uuid>) -> Result<Uuid, ApiError> {
    match (caller.scope.site_id(), site) {
        (Some(own), None) => Ok(own),
        (Some(own), Some(asked)) if own == asked => Ok(own),
        (Some(_), Some(_)) => Err(ApiError::not_found()),
        (None, Some(asked)) if caller.role == entity::kernel::Role::PlatformAdmin => Ok(asked),
        _ => Err(ApiError::invalid("site_id", "required")),
    }
}

/// The seven categories (七大载体) with the points range in force at the site.
#[problems(422 "`site_id` needed")]
#[utoipa::path(
    get, path = "/api/v1/points/categories", tag = "points", security(("bearer" = [])),
    params(SiteQuery),
    responses((status = 200, description = "The categories", body = [CategoryView]))
)]
pub async fn list_categories(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<SiteQuery>,
) -> Result<web::Json<Vec<CategoryView>>, ApiError> {
    let site = site_of(&caller, q.site_id)?;
    let list = points::categories(state.db.conn(), site).await?;
    Ok(web::Json(
        list.into_iter().map(CategoryView::from).collect(),
    ))
}

/// A category's range at a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeRequest {
    /// The site (platform administrators).
    pub site_id: Option<Uuid>,
    /// Fewest points per claim, at least 1.
    pub min_points: i32,
    /// Most points per claim, at most 10,000.
    pub max_points: i32,
}

/// Changes a category's range for the site (its site administrator; audited).
#[problems(
    403 "Not a site administrator",
    422 "Invalid range",
)]
#[utoipa::path(
    put, path = "/api/v1/points/categories/{category}", tag = "points", security(("bearer" = [])),
    params(("category" = Category, Path, description = "The category")),
    request_body = RangeRequest,
    responses((status = 200, description = "Changed", body = CategoryView))
)]
pub async fn set_category_range(
    state: web::Data<AppState>,
    caller: Principal,
    category: web::Path<String>,
    Json(body): Json<RangeRequest>,
) -> Result<web::Json<CategoryView>, ApiError> {
    let category = Category::parse(&category).ok_or(ApiError::not_found())?;
    let site = site_of(&caller, body.site_id)?;
    let txn = state.db.begin().await?;
    let range = points::set_range(
        &txn,
        &caller.actor(),
        site,
        category,
        body.min_points,
        body.max_points,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(range.into()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/me/points").route(web::get().to(my_points)))
        .service(web::resource("/households/{id}/points").route(web::get().to(household_points)))
        .service(web::resource("/points/deductions").route(web::post().to(deduct)))
        .service(web::resource("/points/categories").route(web::get().to(list_categories)))
        .service(
            web::resource("/points/categories/{category}").route(web::put().to(set_category_range)),
        );
}
