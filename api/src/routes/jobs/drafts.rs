//! Writing a posting: its content checked field by field (also for partner postings), and
//! employers creating and editing drafts.

use entity::recruitment::job::{self, JobCategory, JobContent, SalaryUnit, Viewer};

use super::Job;
use crate::routes::{
    common::{create, nullable, text_field},
    prelude::*,
};

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
    let content = body.validate()?;
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
    let content = body.apply(current).validate()?;
    let job = job::edit(&txn, caller.account_id, employer_id, id, version, content).await?;
    txn.commit().await?;
    Ok(web::Json(job))
}
