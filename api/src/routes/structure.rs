//! Resident groups (with their leaders), buildings and households.

use entity::registry::{
    building, household,
    ops::{self, BuildingFilter, GroupFilter, HouseholdChanges, HouseholdFilter},
    resident_group,
};

use super::prelude::*;
use super::{
    common::{create, text},
    residents::{BirthShown, ResidentSummary},
};

/// A resident group (居民组).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Group {
    /// Id.
    pub id: Uuid,
    /// Site.
    pub site_id: Uuid,
    /// Committee.
    pub committee_id: Uuid,
    /// Name.
    pub name: String,
    /// The leading resident, if appointed.
    pub leader_resident_id: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<resident_group::Model> for Group {
    fn from(m: resident_group::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            committee_id: m.committee_id,
            name: m.name,
            leader_resident_id: m.leader_resident_id,
            created_at: m.created_at,
        }
    }
}

/// A new group.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroupRequest {
    /// The committee.
    pub committee_id: Uuid,
    /// Name, unique within the committee.
    pub name: String,
}

/// The resident to appoint as leader.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaderRequest {
    /// A resident of the group's site.
    pub resident_id: Uuid,
}

/// Group list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// Only this committee.
    pub committee_id: Option<Uuid>,
    /// Only this site (platform administrators looking at the site they picked; others see their
    /// own site's, and another site's nothing).
    pub site_id: Option<Uuid>,

    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A building.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Building {
    /// Id.
    pub id: Uuid,
    /// Site.
    pub site_id: Uuid,
    /// The group that covers it.
    pub group_id: Uuid,
    /// Name or number.
    pub name: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<building::Model> for Building {
    fn from(m: building::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            group_id: m.group_id,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// A new building.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBuildingRequest {
    /// The group that covers it.
    pub group_id: Uuid,
    /// Name or number, unique within the site.
    pub name: String,
}

/// Building list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BuildingQuery {
    /// Only this group.
    pub group_id: Option<Uuid>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A household (the stored row is the contract's `Household`).
pub type Household = household::Model;

/// A household with its members.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HouseholdDetail {
    /// The household.
    #[serde(flatten)]
    pub household: Household,
    /// Its members the caller may see.
    pub members: Vec<ResidentSummary>,
}

/// A new household.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHouseholdRequest {
    /// The building.
    pub building_id: Uuid,
    /// Label, unique within the building.
    pub label: String,
    /// Low-income household.
    #[serde(default)]
    pub low_income: bool,
}

/// Changes to a household.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdPatch {
    /// New label.
    pub label: Option<String>,
    /// New low-income flag.
    pub low_income: Option<bool>,
    /// Why (recorded in the audit trail).
    pub reason: Option<String>,
}

/// Household list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// Only this group.
    pub group_id: Option<Uuid>,
    /// Only this building.
    pub building_id: Option<Uuid>,
    /// Only (not) low-income households.
    pub low_income: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Creates a resident group (staff).
#[problems(
    403 "Not staff",
    409 "`duplicate_name`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/groups", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewGroupRequest,
    responses((status = 201, description = "Created", body = Group))
)]
pub async fn create_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewGroupRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = text("name", &body.name, 100)?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let group = ops::create_group(txn, &actor, body.committee_id, name).await?;
            StoredResponse::json(StatusCode::CREATED, &Group::from(group))
        })
    })
    .await
}

/// Groups the caller may see.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/groups", tag = "registry", security(("bearer" = [])),
    params(GroupQuery),
    responses((status = 200, description = "A page of groups", body = Paginated<Group>))
)]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<GroupQuery>,
) -> Result<web::Json<Paginated<Group>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = GroupFilter {
        committee_id: q.committee_id,
    };
    let scope = caller.scope.at_site(q.site_id);
    let groups = ops::list_groups(state.db.conn(), &scope, &filter, &page).await?;
    Ok(web::Json(groups.map(Group::from).into()))
}

/// One group.
#[problems(404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/groups/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Group id")),
    responses((status = 200, description = "The group", body = Group))
)]
pub async fn get_group(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Group>, ApiError> {
    let group = ops::get_group(state.db.conn(), &caller.scope, id.into_inner()).await?;
    Ok(web::Json(group.into()))
}

/// Appoints the group's leader (staff); the resident's account gains the group-leader role for
/// this group.
#[problems(
    403 "Not staff",
    404 "Not in the caller's reach",
    422 "No such resident in the site",
)]
#[utoipa::path(
    put, path = "/api/v1/groups/{id}/leader", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = LeaderRequest,
    responses((status = 200, description = "Appointed", body = Group))
)]
pub async fn appoint_leader(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<LeaderRequest>,
) -> Result<web::Json<Group>, ApiError> {
    let txn = state.db.begin().await?;
    let group =
        ops::appoint_leader(&txn, &caller.actor(), id.into_inner(), body.resident_id).await?;
    txn.commit().await?;
    Ok(web::Json(group.into()))
}

/// Creates a building (staff).
#[problems(
    403 "Not staff",
    409 "`duplicate_name`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/buildings", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewBuildingRequest,
    responses((status = 201, description = "Created", body = Building))
)]
pub async fn create_building(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewBuildingRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = text("name", &body.name, 100)?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let building = ops::create_building(txn, &actor, body.group_id, name).await?;
            StoredResponse::json(StatusCode::CREATED, &Building::from(building))
        })
    })
    .await
}

/// Buildings the caller may see.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/buildings", tag = "registry", security(("bearer" = [])),
    params(BuildingQuery),
    responses((status = 200, description = "A page of buildings", body = Paginated<Building>))
)]
pub async fn list_buildings(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<BuildingQuery>,
) -> Result<web::Json<Paginated<Building>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = BuildingFilter {
        group_id: q.group_id,
    };
    let buildings = ops::list_buildings(state.db.conn(), &caller.scope, &filter, &page).await?;
    Ok(web::Json(buildings.map(Building::from).into()))
}

/// One building.
#[problems(404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/buildings/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Building id")),
    responses((status = 200, description = "The building", body = Building))
)]
pub async fn get_building(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Building>, ApiError> {
    let building = ops::get_building(state.db.conn(), &caller.scope, id.into_inner()).await?;
    Ok(web::Json(building.into()))
}

/// Creates a household (staff).
#[problems(
    403 "Not staff",
    409 "`duplicate_label`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/households", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewHouseholdRequest,
    responses((status = 201, description = "Created", body = Household))
)]
pub async fn create_household(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewHouseholdRequest>,
) -> Result<HttpResponse, ApiError> {
    let label = text("label", &body.label, 50)?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let household =
                ops::create_household(txn, &actor, body.building_id, label, body.low_income)
                    .await?;
            StoredResponse::json(StatusCode::CREATED, &household)
        })
    })
    .await
}

/// Households the caller may see.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/households", tag = "registry", security(("bearer" = [])),
    params(HouseholdQuery),
    responses((status = 200, description = "A page of households", body = Paginated<Household>))
)]
pub async fn list_households(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<HouseholdQuery>,
) -> Result<web::Json<Paginated<Household>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = HouseholdFilter {
        group_id: q.group_id,
        building_id: q.building_id,
        low_income: q.low_income,
    };
    let households = ops::list_households(state.db.conn(), &caller.scope, &filter, &page).await?;
    Ok(web::Json(households.into()))
}

/// One household with its members.
#[problems(404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/households/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses((status = 200, description = "The household", body = HouseholdDetail))
)]
pub async fn get_household(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<HouseholdDetail>, ApiError> {
    let id = id.into_inner();
    let household = ops::get_household(state.db.conn(), &caller.scope, id).await?;
    let members = ops::household_members(state.db.conn(), &caller.scope, id).await?;
    Ok(web::Json(HouseholdDetail {
        household,
        members: members
            .into_iter()
            .map(|m| ResidentSummary::shown(m, BirthShown::to(&caller)))
            .collect(),
    }))
}

/// Edits a household (staff of its site, or the leader of its group); audited.
#[problems(
    403 "Residents may not edit",
    404 "Not in the caller's reach",
    409 "`duplicate_label`",
)]
#[utoipa::path(
    patch, path = "/api/v1/households/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    request_body = HouseholdPatch,
    responses((status = 200, description = "Updated", body = Household))
)]
pub async fn update_household(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<HouseholdPatch>,
) -> Result<web::Json<Household>, ApiError> {
    let changes = HouseholdChanges {
        label: body
            .label
            .as_deref()
            .map(|l| text("label", l, 50))
            .transpose()?,
        low_income: body.low_income,
    };
    let txn = state.db.begin().await?;
    let household =
        ops::update_household(&txn, &caller.actor(), id.into_inner(), changes, body.reason).await?;
    txn.commit().await?;
    Ok(web::Json(household))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/groups")
            .route(web::post().to(create_group))
            .route(web::get().to(list_groups)),
    )
    .service(web::resource("/groups/{id}").route(web::get().to(get_group)))
    .service(web::resource("/groups/{id}/leader").route(web::put().to(appoint_leader)))
    .service(
        web::resource("/buildings")
            .route(web::post().to(create_building))
            .route(web::get().to(list_buildings)),
    )
    .service(web::resource("/buildings/{id}").route(web::get().to(get_building)))
    .service(
        web::resource("/households")
            .route(web::post().to(create_household))
            .route(web::get().to(list_households)),
    )
    .service(
        web::resource("/households/{id}")
            .route(web::get().to(get_household))
            .route(web::patch().to(update_household)),
    );
}
