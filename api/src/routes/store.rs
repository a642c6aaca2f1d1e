//! The community store: items with a points price and stock (staff manage them), and
//! redemptions that move balance and stock in one transaction.

use entity::points::{self, ItemContent, RedemptionStatus, item, redemption};

use super::common::{assist_reason, create, text};
use super::prelude::*;

/// A store item: the row itself, without its times.
pub type Item = item::Model;

/// An item's content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    /// The site (on creation; ignored on changes).
    pub site_id: Option<Uuid>,
    /// Name, up to 100 characters.
    pub name: String,
    /// Description, up to 1,000 characters (may be empty).
    #[serde(default)]
    pub description: String,
    /// Price in points, 1–100,000.
    pub price: i32,
    /// Stock, 0–1,000,000.
    pub stock: i32,
    /// On sale (default yes).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl ItemRequest {
    fn validate(self) -> Result<(Option<Uuid>, ItemContent), ApiError> {
        let mut errors = FieldErrors::new();
        let name = text("name", &self.name, 100)
            .map_err(|_| errors.insert("name".into(), "must be 1–100 characters".into()))
            .unwrap_or_default();
        if self.description.chars().count() > 1000 {
            errors.insert("description".into(), "at most 1,000 characters".into());
        }
        if !(1..=100_000).contains(&self.price) {
            errors.insert("price".into(), "must be 1–100,000".into());
        }
        if !(0..=1_000_000).contains(&self.stock) {
            errors.insert("stock".into(), "must be 0–1,000,000".into());
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok((
            self.site_id,
            ItemContent {
                name,
                description: self.description.trim().to_owned(),
                price: self.price,
                stock: self.stock,
                active: self.active,
            },
        ))
    }
}

/// A page of items.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The store of the caller's site (residents see what is on sale).
#[utoipa::path(
    get, path = "/api/v1/store/items", tag = "store", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of items", body = Paginated<Item>))
)]
pub async fn list_items(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<PageQuery>,
) -> Result<web::Json<Paginated<Item>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let items = points::items(state.db.conn(), &caller.scope, &page).await?;
    Ok(web::Json(items.into()))
}

/// Adds an item (staff of the site).
#[problems(
    403 "Not staff",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/store/items", tag = "store", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = ItemRequest,
    responses((status = 201, description = "Added", body = Item))
)]
pub async fn create_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<ItemRequest>,
) -> Result<HttpResponse, ApiError> {
    let (site, content) = body.validate()?;
    let site = site
        .or(caller.scope.site_id())
        .ok_or_else(|| ApiError::invalid("site_id", "required"))?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let i = points::create_item(txn, &actor, site, content).await?;
            StoredResponse::json(StatusCode::CREATED, &i)
        })
    })
    .await
}

/// Changes an item (staff of its site); `stock` is set outright.
#[problems(
    403 "Not staff",
    404 "No such item in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    patch, path = "/api/v1/store/items/{id}", tag = "store", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Item id")),
    request_body = ItemRequest,
    responses((status = 200, description = "Changed", body = Item))
)]
pub async fn update_item(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ItemRequest>,
) -> Result<web::Json<Item>, ApiError> {
    let (_, content) = body.validate()?;
    let txn = state.db.begin().await?;
    let i = points::update_item(&txn, &caller.actor(), id.into_inner(), content).await?;
    txn.commit().await?;
    Ok(web::Json(i))
}

/// A redemption.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Redemption {
    /// Id.
    pub id: Uuid,
    /// The household whose points paid.
    pub household_id: Uuid,
    /// The item.
    pub item_id: Uuid,
    /// How many.
    pub quantity: i32,
    /// Points paid.
    pub points: i32,
    /// Status.
    pub status: RedemptionStatus,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<redemption::Model> for Redemption {
    fn from(m: redemption::Model) -> Self {
        Self {
            id: m.id,
            household_id: m.household_id,
            item_id: m.item_id,
            quantity: m.quantity,
            points: m.points,
            status: m.status,
            created_at: m.created_at,
        }
    }
}

/// What to redeem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequest {
    /// The item.
    pub item_id: Uuid,
    /// How many, 1–100 (default 1).
    #[serde(default = "one")]
    pub quantity: i32,
    /// The household (staff at the counter; residents redeem for their own).
    pub household_id: Option<Uuid>,
    /// Why staff redeem for the household (up to 200 characters; audited). Staff only.
    pub reason: Option<String>,
}

fn one() -> i32 {
    1
}

/// Redeems an item: balance and stock move in one transaction. Retry with the same
/// `Idempotency-Key` on a flaky network: the first answer is replayed and nothing is charged twice.
#[problems(
    404 "No such household in the caller's reach",
    409 "`insufficient_points` or `out_of_stock`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/store/redemptions", tag = "store", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = RedemptionRequest,
    responses((status = 201, description = "Redeemed (pending hand-over)", body = Redemption))
)]
pub async fn redeem(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<RedemptionRequest>,
) -> Result<HttpResponse, ApiError> {
    if !(1..=100).contains(&body.quantity) {
        return Err(ApiError::invalid("quantity", "must be 1–100"));
    }
    let household = body
        .household_id
        .or(caller.scope.own().map(|own| own.household_id))
        .ok_or_else(|| ApiError::invalid("household_id", "required"))?;
    let reason = assist_reason(body.reason.as_deref())?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let r =
                points::redeem(txn, &actor, household, body.item_id, body.quantity, reason).await?;
            StoredResponse::json(StatusCode::CREATED, &Redemption::from(r))
        })
    })
    .await
}

/// Filters of the counter's redemption list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RedemptionQuery {
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
    /// Only this household.
    pub household_id: Option<Uuid>,
    /// Only this state (`pending`: to hand over).
    pub status: Option<RedemptionStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Redemptions of the caller's site, newest first (staff): the counter's list of what is to be
/// handed over.
#[problems(400 "Bad query", 403 "Not staff")]
#[utoipa::path(
    get, path = "/api/v1/store/redemptions", tag = "store", security(("bearer" = [])),
    params(RedemptionQuery),
    responses((status = 200, description = "A page of redemptions", body = Paginated<Redemption>))
)]
pub async fn list_redemptions(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<RedemptionQuery>,
) -> Result<web::Json<Paginated<Redemption>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = points::RedemptionFilter {
        site_id: q.site_id,
        household_id: q.household_id,
        status: q.status,
    };
    let list = points::redemptions(state.db.conn(), &caller.actor(), &filter, &page).await?;
    Ok(web::Json(list.map(Redemption::from).into()))
}

/// The caller's household's redemptions, newest first.
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/redemptions", tag = "store", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of redemptions", body = Paginated<Redemption>))
)]
pub async fn my_redemptions(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<PageQuery>,
) -> Result<web::Json<Paginated<Redemption>>, ApiError> {
    let household = caller.own_household()?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = points::redemptions_of(state.db.conn(), household, &page).await?;
    Ok(web::Json(list.map(Redemption::from).into()))
}

async fn settle(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    to: RedemptionStatus,
) -> Result<web::Json<Redemption>, ApiError> {
    let txn = state.db.begin().await?;
    let r = points::settle(&txn, &caller.actor(), id, to).await?;
    txn.commit().await?;
    Ok(web::Json(r.into()))
}

/// Hands a redemption over (staff of the site).
#[problems(
    404 "No such redemption in the caller's reach",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/store/redemptions/{id}/fulfil", tag = "store", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Redemption id")),
    responses((status = 200, description = "Handed over", body = Redemption))
)]
pub async fn fulfil_redemption(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Redemption>, ApiError> {
    settle(&state, &caller, *id, RedemptionStatus::Fulfilled).await
}

/// Cancels a redemption (staff of the site): a refund entry returns the points and the stock is
/// restored.
#[problems(
    404 "No such redemption in the caller's reach",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/store/redemptions/{id}/cancel", tag = "store", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Redemption id")),
    responses((status = 200, description = "Cancelled and refunded", body = Redemption))
)]
pub async fn cancel_redemption(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Redemption>, ApiError> {
    settle(&state, &caller, *id, RedemptionStatus::Cancelled).await
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/store/items")
            .route(web::get().to(list_items))
            .route(web::post().to(create_item)),
    )
    .service(web::resource("/store/items/{id}").route(web::patch().to(update_item)))
    .service(
        web::resource("/store/redemptions")
            .route(web::post().to(redeem))
            .route(web::get().to(list_redemptions)),
    )
    .service(web::resource("/me/redemptions").route(web::get().to(my_redemptions)))
    .service(
        web::resource("/store/redemptions/{id}/fulfil").route(web::post().to(fulfil_redemption)),
    )
    .service(
        web::resource("/store/redemptions/{id}/cancel").route(web::post().to(cancel_redemption)),
    );
}
