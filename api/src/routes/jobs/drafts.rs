//! Employers creating and editing drafts (the content is the domain's [`job::JobDraft`], checked
//! there field by field).

use entity::recruitment::job::{self, JobCategory, SalaryUnit, Viewer};

use super::Job;
use crate::routes::{
    common::{create, nullable},
    prelude::*,
};

/// A job posting's content as written: the domain's draft, checked by [`job::JobDraft::check`].
pub type JobRequest = job::JobDraft;

/// Creates a draft posting (employers).
#[problems(
    403 "Not an employer",
    422 "Invalid fields, each named",
)]
#[utoipa::path(
    post, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = JobRequest,
    responses((status = 201, description = "Draft created", body = Job))
)]
pub async fn create_job(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<JobRequest>,
) -> Result<HttpResponse, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::forbidden("only employers post jobs"))?;
    let content = body.check()?;
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let job = job::create(txn, employer_id, content).await?;
            StoredResponse::json(StatusCode::CREATED, &job)
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
    /// The draft's content with these changes applied, as a full request to check.
    fn apply(self, job: job::Model) -> Result<JobRequest, ApiError> {
        let skills = match self.skills {
            Some(skills) => skills,
            None => job.skill_list()?,
        };
        Ok(JobRequest {
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
            skills,
            suitable_for_disabled: self
                .suitable_for_disabled
                .unwrap_or(job.suitable_for_disabled),
            flexible_hours: self.flexible_hours.unwrap_or(job.flexible_hours),
            transport_provided: self.transport_provided.unwrap_or(job.transport_provided),
            housing_provided: self.housing_provided.unwrap_or(job.housing_provided),
            contact: self.contact.unwrap_or(job.contact),
            valid_through: self.valid_through.unwrap_or(job.valid_through),
        })
    }
}

/// Edits a draft (its employer); a posting staff sent back is a draft again. The whole result is
/// validated as on creation.
#[problems(
    403 "Not an employer",
    404 "Not the caller's posting",
    409 "`illegal_transition`: not a draft; `concurrent_change`",
    422 "Invalid fields, each named",
)]
#[utoipa::path(
    patch, path = "/api/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = JobPatch,
    responses((status = 200, description = "Edited", body = Job))
)]
pub async fn edit_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<JobPatch>,
) -> Result<web::Json<Job>, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::forbidden("only employers edit their postings"))?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let current = job::get(&txn, Viewer::Employer(employer_id), id).await?;
    if current.employer_id != employer_id {
        return Err(ApiError::not_found());
    }
    job::ensure_editable(&current)?;
    let version = current.version;
    let content = body.apply(current)?.check()?;
    let job = job::edit(&txn, caller.account_id, employer_id, id, version, content).await?;
    txn.commit().await?;
    Ok(web::Json(job))
}
