//! Job postings: employers write and submit them, staff publish or reject them, residents and
//! the public find published ones (also as schema.org `JobPosting` JSON-LD).

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, dev::Payload, http::header};
use entity::{
    kernel::Role,
    recruitment::{
        employer,
        job::{
            self, JobAction, JobActor, JobCategory, JobContent, JobFilter, JobStatus, SalaryUnit,
            Viewer,
        },
    },
};
use sea_orm::EntityTrait;

use super::common::{create, nullable, text, text_field};
use super::prelude::*;

/// The caller if it sent a token (an invalid token is still a 401), or the public.
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequest for MaybePrincipal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let fut = Principal::from_request(req, payload);
            Box::pin(async move { fut.await.map(|p| MaybePrincipal(Some(p))) })
        } else {
            Box::pin(async { Ok(MaybePrincipal(None)) })
        }
    }
}

fn viewer(caller: Option<&Principal>) -> Viewer {
    match caller {
        Some(p) if matches!(p.role, Role::Staff | Role::SiteAdmin | Role::PlatformAdmin) => {
            Viewer::Staff
        }
        Some(p) => match p.employer_id {
            Some(e) => Viewer::Employer(e),
            None => Viewer::Public,
        },
        None => Viewer::Public,
    }
}

/// A job posting's content.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// Title (up to 100 characters).
    pub title: String,
    /// Description (up to 5,000 characters).
    pub description: String,
    /// Recruitment channel.
    pub category: JobCategory,
    /// Where the work is.
    pub location: String,
    /// Lowest pay per unit, in yuan.
    pub salary_min: i32,
    /// Highest pay per unit, in yuan.
    pub salary_max: i32,
    /// What the pay is per.
    pub salary_unit: SalaryUnit,
    /// People wanted.
    pub headcount: i32,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Skills wanted.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Suitable for disabled workers.
    #[serde(default)]
    pub suitable_for_disabled: bool,
    /// Flexible hours for carers of children or elders.
    #[serde(default)]
    pub flexible_hours: bool,
    /// Transport provided (work away from home).
    #[serde(default)]
    pub transport_provided: bool,
    /// Housing provided (work away from home).
    #[serde(default)]
    pub housing_provided: bool,
    /// Contact.
    pub contact: String,
    /// Valid until (required, in the future).
    pub valid_through: DateTime<Utc>,
}

impl JobRequest {
    pub(crate) fn validate(self) -> Result<JobContent, ApiError> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &str, value: &str, max: usize| {
            text_field(&mut errors, name, value, max).unwrap_or_default()
        };
        let title = field("title", &self.title, 100);
        let description = field("description", &self.description, 5000);
        let location = field("location", &self.location, 200);
        let contact = field("contact", &self.contact, 100);
        if self.salary_min < 0 || self.salary_max < self.salary_min {
            errors.insert(
                "salary_max".into(),
                "must be at least salary_min, and salary_min at least 0".into(),
            );
        }
        if !(1..=10_000).contains(&self.headcount) {
            errors.insert("headcount".into(), "must be 1–10,000".into());
        }
        if let (Some(a), Some(b)) = (self.age_min, self.age_max)
            && a > b
        {
            errors.insert("age_max".into(), "must be at least age_min".into());
        }
        if self.age_min.is_some_and(|a| !(16..=80).contains(&a))
            || self.age_max.is_some_and(|a| !(16..=80).contains(&a))
        {
            errors.insert("age_min".into(), "ages must be 16–80".into());
        }
        if self.valid_through <= Utc::now() {
            errors.insert("valid_through".into(), "must be in the future".into());
        }
        if self.skills.len() > 20
            || self
                .skills
                .iter()
                .any(|s| s.trim().is_empty() || s.chars().count() > 30)
        {
            errors.insert(
                "skills".into(),
                "at most 20 skills of 1–30 characters".into(),
            );
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(JobContent {
            title,
            description,
            category: self.category,
            location,
            salary_min: self.salary_min,
            salary_max: self.salary_max,
            salary_unit: self.salary_unit,
            headcount: self.headcount,
            age_min: self.age_min,
            age_max: self.age_max,
            skills: self
                .skills
                .into_iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            suitable_for_disabled: self.suitable_for_disabled,
            flexible_hours: self.flexible_hours,
            transport_provided: self.transport_provided,
            housing_provided: self.housing_provided,
            contact,
            valid_through: self.valid_through,
        })
    }
}

/// A job posting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// The employer.
    pub employer_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Channel.
    pub category: JobCategory,
    /// Where.
    pub location: String,
    /// Lowest pay.
    pub salary_min: i32,
    /// Highest pay.
    pub salary_max: i32,
    /// Per what.
    pub salary_unit: SalaryUnit,
    /// People wanted.
    pub headcount: i32,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Skills wanted.
    pub skills: Vec<String>,
    /// Suitable for disabled workers.
    pub suitable_for_disabled: bool,
    /// Flexible hours.
    pub flexible_hours: bool,
    /// Transport provided.
    pub transport_provided: bool,
    /// Housing provided.
    pub housing_provided: bool,
    /// Contact.
    pub contact: String,
    /// Valid until.
    pub valid_through: DateTime<Utc>,
    /// Status.
    pub status: JobStatus,
    /// Why staff rejected it.
    pub status_reason: Option<String>,
    /// Version (incremented on every change).
    pub version: i32,
    /// First published at.
    pub published_at: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// The hiring organization, for postings from the provincial talent exchange (their
    /// `employer_id` is the exchange's own record).
    pub hiring_organization: Option<String>,
}

impl From<job::Model> for Job {
    fn from(m: job::Model) -> Self {
        Self {
            id: m.id,
            employer_id: m.employer_id,
            title: m.title,
            description: m.description,
            category: m.category,
            location: m.location,
            salary_min: m.salary_min,
            salary_max: m.salary_max,
            salary_unit: m.salary_unit,
            headcount: m.headcount,
            age_min: m.age_min,
            age_max: m.age_max,
            skills: serde_json::from_value(m.skills).unwrap_or_default(),
            suitable_for_disabled: m.suitable_for_disabled,
            flexible_hours: m.flexible_hours,
            transport_provided: m.transport_provided,
            housing_provided: m.housing_provided,
            contact: m.contact,
            valid_through: m.valid_through,
            status: m.status,
            status_reason: m.status_reason,
            version: m.version,
            published_at: m.published_at,
            created_at: m.created_at,
            hiring_organization: m.hiring_organization,
        }
    }
}

/// Job list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Text to find in the title, description or employer name (Chinese substrings work).
    pub q: Option<String>,
    /// Only this channel.
    pub category: Option<JobCategory>,
    /// Only jobs paying at least this much (their maximum).
    pub salary_min: Option<i32>,
    /// Only jobs suitable for disabled workers.
    pub suitable_for_disabled: Option<bool>,
    /// Only jobs with flexible hours.
    pub flexible_hours: Option<bool>,
    /// Only this status (staff; employers for their own).
    pub status: Option<JobStatus>,
    /// Only the caller's own postings (employers).
    pub mine: Option<bool>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Why staff reject a posting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// The reason, shown to the employer.
    pub reason: String,
}

/// Creates a draft posting (employers).
#[utoipa::path(
    post, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = JobRequest,
    responses(
        (status = 201, description = "Draft created", body = Job),
        (status = 403, description = "Not an employer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<JobRequest>,
) -> Result<HttpResponse, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::Forbidden("only employers post jobs"))?;
    let content = body.validate()?;
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let job = job::create(txn, employer_id, content).await?;
            StoredResponse::json(StatusCode::CREATED, &Job::from(job))
        })
    })
    .await
}

/// Changes to a draft: only the fields sent change; `null` clears an age limit.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    /// Title (up to 100 characters).
    pub title: Option<String>,
    /// Description (up to 5,000 characters).
    pub description: Option<String>,
    /// Recruitment channel.
    pub category: Option<JobCategory>,
    /// Where the work is.
    pub location: Option<String>,
    /// Lowest pay per unit, in yuan.
    pub salary_min: Option<i32>,
    /// Highest pay per unit, in yuan.
    pub salary_max: Option<i32>,
    /// What the pay is per.
    pub salary_unit: Option<SalaryUnit>,
    /// People wanted.
    pub headcount: Option<i32>,
    /// Youngest acceptable age (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i16>)]
    pub age_min: Option<Option<i16>>,
    /// Oldest acceptable age (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i16>)]
    pub age_max: Option<Option<i16>>,
    /// Skills wanted (replaces the list).
    pub skills: Option<Vec<String>>,
    /// Suitable for disabled workers.
    pub suitable_for_disabled: Option<bool>,
    /// Flexible hours for carers of children or elders.
    pub flexible_hours: Option<bool>,
    /// Transport provided.
    pub transport_provided: Option<bool>,
    /// Housing provided.
    pub housing_provided: Option<bool>,
    /// Contact.
    pub contact: Option<String>,
    /// Valid until (in the future).
    pub valid_through: Option<DateTime<Utc>>,
}

impl JobPatch {
    /// The draft's content with these changes applied, as a full request to validate.
    fn apply(self, job: job::Model) -> JobRequest {
        JobRequest {
            title: self.title.unwrap_or(job.title),
            description: self.description.unwrap_or(job.description),
            category: self.category.unwrap_or(job.category),
            location: self.location.unwrap_or(job.location),
            salary_min: self.salary_min.unwrap_or(job.salary_min),
            salary_max: self.salary_max.unwrap_or(job.salary_max),
            salary_unit: self.salary_unit.unwrap_or(job.salary_unit),
            headcount: self.headcount.unwrap_or(job.headcount),
            age_min: self.age_min.unwrap_or(job.age_min),
            age_max: self.age_max.unwrap_or(job.age_max),
            skills: self
                .skills
                .unwrap_or_else(|| serde_json::from_value(job.skills).unwrap_or_default()),
            suitable_for_disabled: self
                .suitable_for_disabled
                .unwrap_or(job.suitable_for_disabled),
            flexible_hours: self.flexible_hours.unwrap_or(job.flexible_hours),
            transport_provided: self.transport_provided.unwrap_or(job.transport_provided),
            housing_provided: self.housing_provided.unwrap_or(job.housing_provided),
            contact: self.contact.unwrap_or(job.contact),
            valid_through: self.valid_through.unwrap_or(job.valid_through),
        }
    }
}

/// Edits a draft (its employer); a posting staff sent back is a draft again. The whole result is
/// validated as on creation.
#[utoipa::path(
    patch, path = "/api/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = JobPatch,
    responses(
        (status = 200, description = "Edited", body = Job),
        (status = 403, description = "Not an employer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's posting", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: not a draft; `concurrent_change`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn edit_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<JobPatch>,
) -> Result<web::Json<Job>, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::Forbidden("only employers edit their postings"))?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let current = job::get(&txn, Viewer::Employer(employer_id), id).await?;
    if current.employer_id != employer_id {
        return Err(ApiError::NotFound);
    }
    job::ensure_editable(&current)?;
    let version = current.version;
    let content = body.apply(current).validate()?;
    let job = job::edit(&txn, caller.account_id, employer_id, id, version, content).await?;
    txn.commit().await?;
    Ok(web::Json(job.into()))
}

/// Job postings: published ones for residents and the public; employers also see their own in
/// every state; staff see all (filter by `status=pending_review` to review). Newest first.
#[utoipa::path(
    get, path = "/api/v1/jobs", tag = "jobs",
    params(JobQuery),
    responses(
        (status = 200, description = "A page of postings", body = Paginated<Job>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_jobs(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    Query(q): Query<JobQuery>,
) -> Result<web::Json<Paginated<Job>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    if q.q.as_ref().is_some_and(|s| s.chars().count() > 50) {
        return Err(ApiError::InvalidQuery(FieldErrors::from([(
            "q".into(),
            "at most 50 characters".into(),
        )])));
    }
    let filter = JobFilter {
        q: q.q,
        category: q.category,
        salary_min: q.salary_min,
        suitable_for_disabled: q.suitable_for_disabled,
        flexible_hours: q.flexible_hours,
        status: q.status,
        mine: q.mine == Some(true),
    };
    let jobs = job::list(state.db.conn(), viewer(caller.0.as_ref()), &filter, &page).await?;
    Ok(web::Json(jobs.map(Job::from).into()))
}

/// One posting (published ones for everybody; others for their employer and staff).
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "The posting", body = Job),
        (status = 404, description = "No such posting visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_job(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Job>, ApiError> {
    let job = job::get(state.db.conn(), viewer(caller.0.as_ref()), id.into_inner()).await?;
    Ok(web::Json(job.into()))
}

async fn act(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: JobAction,
    reason: Option<String>,
) -> Result<web::Json<Job>, ApiError> {
    let actor = match (caller.role, caller.employer_id) {
        (Role::Employer, Some(e)) => JobActor::Employer(caller.account_id, e),
        (Role::Staff | Role::SiteAdmin | Role::PlatformAdmin, _) => {
            JobActor::Staff(caller.account_id, caller.role)
        }
        _ => {
            return Err(ApiError::Forbidden(
                "only employers and staff act on job postings",
            ));
        }
    };
    let txn = state.db.begin().await?;
    let job = job::act(&txn, actor, id, action, reason).await?;
    txn.commit().await?;
    Ok(web::Json(job.into()))
}

macro_rules! action_route {
    ($fn:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            post, path = $path, tag = "jobs", security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Job id")),
            responses(
                (status = 200, description = "Done", body = Job),
                (status = 403, description = "This role may not do that", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such posting visible to the caller", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`illegal_transition`, `employer_not_verified` or `valid_through_passed`", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $fn(state: web::Data<AppState>, caller: Principal, id: web::Path<Uuid>) -> Result<web::Json<Job>, ApiError> {
            act(&state, &caller, id.into_inner(), $action, None).await
        }
    };
}

action_route!(
    submit_job,
    "/api/v1/jobs/{id}/submit",
    JobAction::Submit,
    "Submits a draft for review (its verified employer)."
);
action_route!(
    publish_job,
    "/api/v1/jobs/{id}/publish",
    JobAction::Publish,
    "Publishes a submitted posting (staff); it expires at `valid_through`."
);
action_route!(
    close_job,
    "/api/v1/jobs/{id}/close",
    JobAction::Close,
    "Closes a posting (its employer, or staff)."
);
action_route!(
    fill_job,
    "/api/v1/jobs/{id}/fill",
    JobAction::Fill,
    "Marks a published posting filled (its employer)."
);

/// Sends a submitted posting back to draft with a reason (staff).
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/reject", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Back to draft", body = Job),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such posting", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reject_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RejectRequest>,
) -> Result<web::Json<Job>, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    act(
        &state,
        &caller,
        id.into_inner(),
        JobAction::Reject,
        Some(reason),
    )
    .await
}

/// A later end date for a published posting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The new `valid_through`, later than the current one.
    pub valid_through: DateTime<Utc>,
}

/// Extends a published posting before it expires (its employer).
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/renew", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = RenewRequest,
    responses(
        (status = 200, description = "Renewed", body = Job),
        (status = 403, description = "Not an employer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's posting", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: not published", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`valid_through` not later", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn renew_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RenewRequest>,
) -> Result<web::Json<Job>, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::Forbidden("only employers renew their postings"))?;
    let txn = state.db.begin().await?;
    let job = job::renew(
        &txn,
        caller.account_id,
        employer_id,
        id.into_inner(),
        body.valid_through,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(job.into()))
}

/// A published posting as schema.org `JobPosting` JSON-LD; closed, filled or expired postings
/// answer 404.
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/jsonld", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "schema.org JobPosting", body = Object, content_type = "application/ld+json"),
        (status = 404, description = "Not a published posting", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn job_jsonld(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let job = job::get(state.db.conn(), Viewer::Public, id.into_inner()).await?;
    let employer = employer::Entity::find_by_id(job.employer_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound)?;
    let employment_type = if job.flexible_hours {
        "PART_TIME"
    } else {
        "FULL_TIME"
    };
    let unit = match job.salary_unit {
        SalaryUnit::Hour => "HOUR",
        SalaryUnit::Day => "DAY",
        SalaryUnit::Piece => "PIECE",
        SalaryUnit::Month => "MONTH",
    };
    let document = serde_json::json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "anju", "value": job.id},
        "title": job.title,
        "description": job.description,
        "datePosted": job.published_at.unwrap_or(job.created_at).to_rfc3339(),
        "validThrough": job.valid_through.to_rfc3339(),
        "employmentType": employment_type,
        "hiringOrganization": {"@type": "Organization", "name": employer.name, "identifier": employer.credit_code},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "streetAddress": job.location, "addressCountry": "CN"}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY", "value": {"@type": "QuantitativeValue", "minValue": job.salary_min, "maxValue": job.salary_max, "unitText": unit}},
        "totalJobOpenings": job.headcount,
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/ld+json"))
        .body(document.to_string()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/jobs")
            .route(web::post().to(create_job))
            .route(web::get().to(list_jobs)),
    )
    .service(
        web::resource("/jobs/{id}")
            .route(web::get().to(get_job))
            .route(web::patch().to(edit_job)),
    )
    .service(web::resource("/jobs/{id}/submit").route(web::post().to(submit_job)))
    .service(web::resource("/jobs/{id}/publish").route(web::post().to(publish_job)))
    .service(web::resource("/jobs/{id}/reject").route(web::post().to(reject_job)))
    .service(web::resource("/jobs/{id}/close").route(web::post().to(close_job)))
    .service(web::resource("/jobs/{id}/fill").route(web::post().to(fill_job)))
    .service(web::resource("/jobs/{id}/renew").route(web::post().to(renew_job)))
    .service(web::resource("/jobs/{id}/jsonld").route(web::get().to(job_jsonld)));
}
