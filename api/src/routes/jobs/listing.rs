//! Reading postings: the list with its filters, one posting, and a published one as schema.org
//! `JobPosting` JSON-LD. The public may read without a token.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, dev::Payload, http::header};
use entity::{
    kernel::Role,
    recruitment::{
        employer,
        job::{self, JobCategory, JobFilter, JobStatus, SalaryUnit, Viewer},
    },
};
use sea_orm::EntityTrait;

use crate::routes::prelude::*;

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

/// A job posting: the row itself, serialized without what only the server needs.
pub type Job = job::Model;

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

/// Job postings: published ones for residents and the public; employers also see their own in
/// every state; staff see all (filter by `status=pending_review` to review). Newest first.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/jobs", tag = "jobs",
    params(JobQuery),
    responses((status = 200, description = "A page of postings", body = Paginated<Job>))
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
    Ok(web::Json(jobs.into()))
}

/// One posting (published ones for everybody; others for their employer and staff).
#[problems(404 "No such posting visible to the caller")]
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses((status = 200, description = "The posting", body = Job))
)]
pub async fn get_job(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Job>, ApiError> {
    let job = job::get(state.db.conn(), viewer(caller.0.as_ref()), id.into_inner()).await?;
    Ok(web::Json(job))
}

/// A published posting as schema.org `JobPosting` JSON-LD; closed, filled or expired postings
/// answer 404.
#[problems(404 "Not a published posting")]
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/jsonld", tag = "jobs",
    params(("id" = Uuid, Path, description = "Job id")),
    responses(
        (status = 200, description = "schema.org JobPosting", body = Object, content_type = "application/ld+json"),
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
        .ok_or(ApiError::not_found())?;
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
