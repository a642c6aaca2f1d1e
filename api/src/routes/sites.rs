//! Sites and their residents' committees.

use entity::{
    activities::{self, ActivityKind},
    registry::{
        committee,
        ops::{self, NewSite},
        site,
    },
};
use sea_orm::EntityTrait;

use super::common::{create, text};
use super::prelude::*;

/// A settlement site.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Site {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Unique code.
    pub code: String,
    /// Region.
    pub region: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<site::Model> for Site {
    fn from(m: site::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            code: m.code,
            region: m.region,
            created_at: m.created_at,
        }
    }
}

/// A new site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSiteRequest {
    /// Name, e.g. 兴贤里社区.
    pub name: String,
    /// Unique code: 2–40 lowercase letters, digits and hyphens.
    #[schema(example = "xingxianli")]
    pub code: String,
    /// Region, e.g. 河南省三门峡市卢氏县.
    #[serde(default)]
    pub region: String,
}

/// A residents' committee.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Committee {
    /// Id.
    pub id: Uuid,
    /// Site.
    pub site_id: Uuid,
    /// Name.
    pub name: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<committee::Model> for Committee {
    fn from(m: committee::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// A new committee.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitteeRequest {
    /// Name, unique within the site.
    pub name: String,
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Creates a site (platform administrators).
#[problems(
    403 "Not a platform administrator",
    409 "`duplicate_code`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/sites", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewSiteRequest,
    responses((status = 201, description = "Created", body = Site))
)]
pub async fn create_site(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewSiteRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_platform_admin()?;
    let code = body.code.trim().to_owned();
    if !(2..=40).contains(&code.len())
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ApiError::invalid(
            "code",
            "must be 2–40 lowercase letters, digits or hyphens",
        ));
    }
    let new = NewSite {
        name: text("name", &body.name, 100)?,
        code,
        region: body.region.trim().chars().take(100).collect(),
    };
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let site = ops::create_site(txn, &actor, new).await?;
            StoredResponse::json(StatusCode::CREATED, &Site::from(site))
        })
    })
    .await
}

/// Sites the caller may see.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/sites", tag = "registry", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page of sites", body = Paginated<Site>))
)]
pub async fn list_sites(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ListQuery>,
) -> Result<web::Json<Paginated<Site>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let sites = ops::list_sites(state.db.conn(), &caller.scope, &page).await?;
    Ok(web::Json(sites.map(Site::from).into()))
}

/// One site.
#[problems(404 "No such site in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The site", body = Site))
)]
pub async fn get_site(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Site>, ApiError> {
    let site = ops::get_site(state.db.conn(), &caller.scope, id.into_inner()).await?;
    Ok(web::Json(site.into()))
}

/// What a site's printed papers say about it.
#[problems(404 "No such site in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/settings", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The settings (the defaults until the site admin saves them)", body = ops::SiteSettings))
)]
pub async fn get_site_settings(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<ops::SiteSettings>, ApiError> {
    Ok(web::Json(
        ops::site_settings(state.db.conn(), &caller.scope, id.into_inner()).await?,
    ))
}

/// New settings of a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSettingsRequest {
    /// The community's name as papers are signed, up to 50 characters.
    #[schema(example = "兴贤里社区居民委员会")]
    pub community_name: String,
    /// The supervision phone (监督电话): digits, hyphens and spaces, 5 to 20 characters; empty
    /// prints none.
    #[schema(example = "0398-7123456")]
    pub supervision_phone: String,
    /// The seal's text, up to 50 characters.
    #[schema(example = "卢氏县兴贤里社区居民委员会")]
    pub seal_text: String,
}

/// Saves what a site's printed papers say about it (the site's administrator or a platform
/// administrator; audited with the values before and after).
#[problems(
    403 "Not the site's administrator",
    404 "No such site in the caller's reach",
    422 "A field is invalid",
)]
#[utoipa::path(
    put, path = "/api/v1/sites/{id}/settings", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    request_body = SiteSettingsRequest,
    responses((status = 200, description = "Saved", body = ops::SiteSettings))
)]
pub async fn put_site_settings(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<SiteSettingsRequest>,
) -> Result<web::Json<ops::SiteSettings>, ApiError> {
    let txn = state.db.begin().await?;
    let saved = ops::save_site_settings(
        &txn,
        &caller.actor(),
        id.into_inner(),
        &ops::SiteSettings {
            community_name: body.community_name,
            supervision_phone: body.supervision_phone,
            seal_text: body.seal_text,
            updated_at: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(saved))
}

/// A site's public board: what the job kiosk in its service centre shows beside the jobs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SiteBoard {
    /// Site id.
    pub site_id: Uuid,
    /// The site's name.
    pub site_name: String,
    /// Activities open to the whole site in the next 60 days (job fairs among them), soonest
    /// first, at most 20.
    pub activities: Vec<BoardActivity>,
}

/// An activity as the public board shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoardActivity {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Kind (`job_fair` for 就业进社区).
    pub kind: ActivityKind,
    /// Place.
    pub place: String,
    /// Starts at.
    pub starts_at: DateTime<Utc>,
    /// Ends at.
    pub ends_at: DateTime<Utc>,
    /// Sign-up closes at.
    pub signup_closes_at: DateTime<Utc>,
    /// Seats left.
    pub seats_left: i32,
}

/// A site's public board for the job kiosk: its name and coming activities open to everyone.
/// No login: nothing on it is personal.
#[problems(404 "No such site")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/board", tag = "registry",
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The board", body = SiteBoard))
)]
pub async fn site_board(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SiteBoard>, ApiError> {
    let id = id.into_inner();
    let site = site::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let activities = activities::on_board(state.db.conn(), id, 60, 20).await?;
    Ok(web::Json(SiteBoard {
        site_id: site.id,
        site_name: site.name,
        activities: activities
            .into_iter()
            .map(|a| BoardActivity {
                // Before the fields that move out of the row.
                seats_left: a.seats_left(),
                id: a.id,
                title: a.title,
                kind: a.kind,
                place: a.place,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                signup_closes_at: a.signup_closes_at,
            })
            .collect(),
    }))
}

/// Creates a residents' committee (staff of the site).
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    409 "`duplicate_name`",
)]
#[utoipa::path(
    post, path = "/api/v1/sites/{id}/committees", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewCommitteeRequest,
    responses((status = 201, description = "Created", body = Committee))
)]
pub async fn create_committee(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<NewCommitteeRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = text("name", &body.name, 100)?;
    let site_id = id.into_inner();
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let committee = ops::create_committee(txn, &actor, site_id, name).await?;
            StoredResponse::json(StatusCode::CREATED, &Committee::from(committee))
        })
    })
    .await
}

/// Committees of a site.
#[problems(404 "No such site in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/committees", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id"), ListQuery),
    responses((status = 200, description = "A page of committees", body = Paginated<Committee>))
)]
pub async fn list_committees(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Result<web::Json<Paginated<Committee>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let committees =
        ops::list_committees(state.db.conn(), &caller.scope, id.into_inner(), &page).await?;
    Ok(web::Json(committees.map(Committee::from).into()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sites")
            .route(web::post().to(create_site))
            .route(web::get().to(list_sites)),
    )
    .service(web::resource("/sites/{id}").route(web::get().to(get_site)))
    .service(web::resource("/sites/{id}/board").route(web::get().to(site_board)))
    .service(
        web::resource("/sites/{id}/settings")
            .route(web::get().to(get_site_settings))
            .route(web::put().to(put_site_settings)),
    )
    .service(
        web::resource("/sites/{id}/committees")
            .route(web::post().to(create_committee))
            .route(web::get().to(list_committees)),
    );
}
