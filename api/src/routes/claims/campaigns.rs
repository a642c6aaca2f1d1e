//! Calls for claims (step 1, 通知): staff publish one to the site or some of its groups.

use chrono::NaiveDate;
use entity::{
    claims::{self, campaign},
    points::Category,
};

use crate::routes::{
    common::{create, text},
    prelude::*,
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
            category: m.category,
            title: m.title,
            rules: m.rules,
            period_start: m.period_start,
            period_end: m.period_end,
        }
    }
}

/// Publishes a call for claims (step 1, 通知), fanned out to the site or some groups.
#[problems(
    403 "Not staff",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/points/campaigns", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = CampaignRequest,
    responses((status = 201, description = "Published", body = Campaign))
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

/// Paging of calls for claims.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// Only this site (platform administrators; others see their own site's).
    pub site_id: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Calls for claims of the caller's site, newest first (residents answer them; staff manage
/// their claims).
#[utoipa::path(
    get, path = "/api/v1/points/campaigns", tag = "points", security(("bearer" = [])),
    params(CampaignQuery),
    responses((status = 200, description = "A page of calls for claims", body = Paginated<Campaign>))
)]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<CampaignQuery>,
) -> Result<web::Json<Paginated<Campaign>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request::<Uuid>()?;
    let rows = claims::campaigns(state.db.conn(), &caller.scope, q.site_id, &page).await?;
    Ok(web::Json(rows.map(Campaign::from).into()))
}
