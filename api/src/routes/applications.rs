//! Applications: residents (or their group leaders and staff for them) apply; the employer
//! moves them through its pipeline; a hire records the employment.

use entity::{
    kernel::Role,
    recruitment::{
        application::{self, Applicants, ApplicationStatus, Mover},
        job::{self, JobCategory},
    },
    registry::ops,
};
use sea_orm::EntityTrait;

use super::common::{assist_reason, create};
use super::prelude::*;
use crate::routes::residents::served_resident;

/// An application.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Application {
    /// Id.
    pub id: Uuid,
    /// The posting.
    pub job_id: Uuid,
    /// The applicant.
    pub resident_id: Uuid,
    /// Submitted by a group leader or staff for the resident.
    pub on_behalf: bool,
    /// Status.
    pub status: ApplicationStatus,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// The applicant's name (staff lists only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_name: Option<String>,
}

impl From<application::Model> for Application {
    fn from(m: application::Model) -> Self {
        Self {
            id: m.id,
            job_id: m.job_id,
            resident_id: m.resident_id,
            on_behalf: m.on_behalf,
            status: m.status,
            created_at: m.created_at,
            updated_at: m.updated_at,
            resident_name: None,
        }
    }
}

/// Who applies.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// The resident applied for (group leaders and staff); omit to apply for yourself.
    pub resident_id: Option<Uuid>,
    /// Why a leader or staff member acts for the resident (up to 200 characters; audited).
    /// Only when acting for someone else.
    pub reason: Option<String>,
}

/// A move in the pipeline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    /// The new status.
    pub status: ApplicationStatus,
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Applies for a published posting: a resident for itself, or a group leader or staff member for
/// a resident (recorded and audited). One application per resident and posting.
#[problems(
    403 "Employers and partners do not apply",
    404 "No such published posting",
    409 "`duplicate_application` or `job_not_open`",
    422 "No such resident in the caller's reach",
)]
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/applications", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = ApplyRequest,
    responses((status = 201, description = "Applied", body = Application))
)]
pub async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ApplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let resident_id = body.resident_id.or(caller.resident_id).ok_or_else(|| {
        ApiError::invalid("resident_id", "required when applying for someone else")
    })?;
    let reason = assist_reason(body.reason.as_deref())?;
    let (actor, job_id) = (caller.actor(), id.into_inner());
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let application = application::apply(txn, &actor, job_id, resident_id, reason).await?;
            StoredResponse::json(StatusCode::CREATED, &Application::from(application))
        })
    })
    .await
}

/// Applications to a posting: all of them for its employer; for staff, those of their site's
/// residents (with names), to follow up the people they helped apply.
#[problems(
    403 "Neither the employer nor staff",
    404 "Not the caller's posting",
)]
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/applications", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id"), ApplicationQuery),
    responses((status = 200, description = "A page of applications", body = Paginated<Application>))
)]
pub async fn list_for_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<ApplicationQuery>,
) -> Result<web::Json<Paginated<Application>>, ApiError> {
    let reader = match (caller.employer_id, caller.role) {
        (Some(employer), _) => Applicants::Employer(employer),
        (None, role) if role.is_staff() => Applicants::Staff(&caller.scope),
        _ => {
            return Err(ApiError::forbidden(
                "only the posting's employer and staff see its applicants",
            ));
        }
    };
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let apps = application::for_job(state.db.conn(), reader, id.into_inner(), &page).await?;
    let names = match reader {
        Applicants::Staff(scope) => {
            ops::resident_names(
                state.db.conn(),
                scope,
                apps.items.iter().map(|a| a.resident_id),
            )
            .await?
        }
        Applicants::Employer(_) => Default::default(),
    };
    Ok(web::Json(
        apps.map(|a| {
            let resident_name = names.get(&a.resident_id).cloned();
            Application {
                resident_name,
                ..Application::from(a)
            }
        })
        .into(),
    ))
}

/// The caller's own applications, with their outcome.
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/applications", tag = "jobs", security(("bearer" = [])),
    params(ApplicationQuery),
    responses((status = 200, description = "A page of applications", body = Paginated<Application>))
)]
pub async fn mine(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ApplicationQuery>,
) -> Result<web::Json<Paginated<Application>>, ApiError> {
    let resident = caller
        .resident_id
        .ok_or(ApiError::forbidden("only residents have applications"))?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let apps = application::of_resident(state.db.conn(), resident, &page).await?;
    Ok(web::Json(apps.map(Application::from).into()))
}

/// A resident's applications (staff of its site, its group leader): the service desk's view.
#[problems(403 "Not staff or a group leader", 404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/residents/{id}/applications", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id"), ApplicationQuery),
    responses((status = 200, description = "A page of applications", body = Paginated<Application>))
)]
pub async fn of_resident(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<ApplicationQuery>,
) -> Result<web::Json<Paginated<Application>>, ApiError> {
    let resident = served_resident(&state, &caller, id.into_inner()).await?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let apps = application::of_resident(state.db.conn(), resident, &page).await?;
    Ok(web::Json(apps.map(Application::from).into()))
}

/// Moves an application: the employer through viewed, interviewing, offered, hired or
/// not_selected; the applicant (or its leader or staff) withdraws before hired. A hire records the
/// employment. Illegal moves are 409.
#[problems(
    403 "The other side makes this move",
    404 "Not in the caller's reach",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    patch, path = "/api/v1/applications/{id}", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = ApplicationPatch,
    responses((status = 200, description = "Moved", body = Application))
)]
pub async fn advance(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ApplicationPatch>,
) -> Result<web::Json<Application>, ApiError> {
    let id = id.into_inner();
    let mover = match (caller.role, caller.employer_id) {
        (Role::Employer, Some(e)) => Mover::Employer(caller.account_id, e),
        (Role::Partner, _) | (Role::Employer, None) => {
            return Err(ApiError::forbidden("partners do not move applications"));
        }
        _ => Mover::Applicant(caller.actor()),
    };
    let txn = state.db.begin().await?;
    let channel = {
        let app = application::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(ApiError::not_found())?;
        let job = job::Entity::find_by_id(app.job_id)
            .one(&txn)
            .await?
            .ok_or(ApiError::not_found())?;
        match job.category {
            JobCategory::WorkAway => "work_away",
            JobCategory::IndustryBase => "industry",
            _ => "local",
        }
    };
    let moved = application::advance(&txn, &mover, id, body.status, channel).await?;
    txn.commit().await?;
    Ok(web::Json(moved.into()))
}

/// Employment found outside the platform.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmploymentRequest {
    /// The worker.
    pub resident_id: Uuid,
    /// `work_away`, `local` or `industry`.
    pub channel: String,
    /// First day.
    pub start_date: chrono::NaiveDate,
}

/// The end of an employment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmploymentEnd {
    /// Last day.
    pub end_date: chrono::NaiveDate,
}

/// An employment record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Employment {
    /// Id.
    pub id: Uuid,
    /// The worker.
    pub resident_id: Uuid,
    /// The worker's household.
    pub household_id: Uuid,
    /// The employer, when hired through the platform.
    pub employer_id: Option<Uuid>,
    /// The posting, when hired through the platform.
    pub job_id: Option<Uuid>,
    /// Channel.
    pub channel: String,
    /// First day.
    pub start_date: chrono::NaiveDate,
    /// Last day, once ended.
    pub end_date: Option<chrono::NaiveDate>,
    /// The worker's name (staff lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_name: Option<String>,
}

impl From<entity::recruitment::employment::Model> for Employment {
    fn from(m: entity::recruitment::employment::Model) -> Self {
        Self {
            id: m.id,
            resident_id: m.resident_id,
            household_id: m.household_id,
            employer_id: m.employer_id,
            job_id: m.job_id,
            channel: m.channel,
            start_date: m.start_date,
            end_date: m.end_date,
            resident_name: None,
        }
    }
}

/// Records employment found outside the platform (staff of the resident's site).
#[problems(
    403 "Not staff",
    404 "No such resident in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/employments", tag = "jobs", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = EmploymentRequest,
    responses((status = 201, description = "Recorded", body = Employment))
)]
pub async fn record_employment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<EmploymentRequest>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(body.channel.as_str(), "work_away" | "local" | "industry") {
        return Err(ApiError::invalid(
            "channel",
            "must be work_away, local or industry",
        ));
    }
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let record = application::record_employment(
                txn,
                &actor,
                body.resident_id,
                &body.channel,
                body.start_date,
            )
            .await?;
            StoredResponse::json(StatusCode::CREATED, &Employment::from(record))
        })
    })
    .await
}

/// Ends an employment (staff of the resident's site).
#[problems(
    403 "Not staff",
    404 "Not in the caller's reach",
    409 "`already_ended`",
)]
#[utoipa::path(
    post, path = "/api/v1/employments/{id}/end", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employment id")),
    request_body = EmploymentEnd,
    responses((status = 200, description = "Ended", body = Employment))
)]
pub async fn end_employment(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<EmploymentEnd>,
) -> Result<web::Json<Employment>, ApiError> {
    let txn = state.db.begin().await?;
    let record =
        application::end_employment(&txn, &caller.actor(), id.into_inner(), body.end_date).await?;
    txn.commit().await?;
    Ok(web::Json(record.into()))
}

/// Filters of the employment records.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmploymentQuery {
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
    /// Only current (`true`) or ended (`false`) ones.
    pub current: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Employment records of the caller's site, newest first, with the worker's name (staff).
#[problems(403 "Not staff")]
#[utoipa::path(
    get, path = "/api/v1/employments", tag = "jobs", security(("bearer" = [])),
    params(EmploymentQuery),
    responses((status = 200, description = "A page of employment records", body = Paginated<Employment>))
)]
pub async fn list_employments(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<EmploymentQuery>,
) -> Result<web::Json<Paginated<Employment>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let rows = entity::recruitment::employment::list(
        state.db.conn(),
        &caller.actor(),
        q.site_id,
        q.current,
        &page,
    )
    .await?;
    let names = ops::resident_names(
        state.db.conn(),
        &caller.scope,
        rows.items.iter().map(|e| e.resident_id),
    )
    .await?;
    Ok(web::Json(
        rows.map(|e| {
            let resident_name = names.get(&e.resident_id).cloned();
            Employment {
                resident_name,
                ..Employment::from(e)
            }
        })
        .into(),
    ))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/jobs/{id}/applications")
            .route(web::post().to(apply))
            .route(web::get().to(list_for_job)),
    )
    .service(web::resource("/me/applications").route(web::get().to(mine)))
    .service(web::resource("/residents/{id}/applications").route(web::get().to(of_resident)))
    .service(web::resource("/applications/{id}").route(web::patch().to(advance)))
    .service(
        web::resource("/employments")
            .route(web::post().to(record_employment))
            .route(web::get().to(list_employments)),
    )
    .service(web::resource("/employments/{id}/end").route(web::post().to(end_employment)));
}
