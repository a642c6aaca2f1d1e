//! The partner's own routes: its postings in (by external id and version) and the
//! reconciliation feed of ours.

use entity::{
    DomainError,
    kernel::Role,
    partners::{self, FeedKey, PartnerScope, partner},
    recruitment::{
        external::{InboundPosting, Upserted},
        job::{JobCategory, SalaryUnit},
    },
};
use serde_json::Value;

use crate::routes::{common::text_field, jobs::JobRequest, prelude::*};

async fn calling_partner(
    state: &AppState,
    caller: &Principal,
    scope: PartnerScope,
) -> Result<partner::Model, ApiError> {
    if caller.role != Role::Partner {
        return Err(ApiError::forbidden("only partner systems may do this"));
    }
    // A disabled (or removed) partner's tokens stop working at once.
    let p = match partners::get(state.db.conn(), caller.account_id).await {
        Ok(p) if !p.disabled => p,
        Ok(_) | Err(entity::DomainError::NotFound) => {
            return Err(ApiError::InvalidToken(
                "the token does not match an enabled partner".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let in_token = caller
        .token_scope
        .as_deref()
        .is_some_and(|s| s.split(' ').any(|s| s == scope.as_str()));
    if !p.has(scope) || !in_token {
        return Err(ApiError::forbidden(
            "the partner or this token lacks the scope for this",
        ));
    }
    Ok(p)
}

/// An organization (schema.org `Organization`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Organization {
    /// Name, up to 200 characters.
    pub name: String,
    /// Anything else (`@type`, identifiers) is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A place (schema.org `Place`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Place {
    /// The address, as text, up to 200 characters.
    pub address: String,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A salary range (schema.org `QuantitativeValue`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalaryValue {
    /// Lowest.
    pub min_value: i32,
    /// Highest.
    pub max_value: i32,
    /// `HOUR`, `DAY`, `MONTH` or `PIECE`.
    pub unit_text: String,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// Pay (schema.org `MonetaryAmount`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Salary {
    /// `CNY`.
    pub currency: String,
    /// The range.
    pub value: SalaryValue,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A posting from the partner: schema.org `JobPosting` fields, plus the exchange's own
/// (`version`, `contact`, age limits, accommodations, Anju's channel).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerPosting {
    /// JSON-LD context (ignored).
    #[serde(rename = "@context")]
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
    /// JSON-LD type (ignored; `JobPosting`).
    #[serde(rename = "@type")]
    pub type_: Option<String>,
    /// The exchange's version of this posting; must grow with every change.
    pub version: i64,
    /// Title, up to 100 characters.
    pub title: String,
    /// Description, up to 5,000 characters.
    pub description: String,
    /// When it was posted (informational).
    pub date_posted: Option<DateTime<Utc>>,
    /// Valid until (required, in the future).
    pub valid_through: DateTime<Utc>,
    /// Who hires.
    pub hiring_organization: Organization,
    /// Where.
    pub job_location: Place,
    /// Pay.
    pub base_salary: Salary,
    /// People wanted (default 1).
    pub total_job_openings: Option<i32>,
    /// Anju's channel (`local`, `work_away`, ...; default `local`).
    pub occupational_category: Option<JobCategory>,
    /// Skills wanted.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Contact, up to 100 characters.
    pub contact: String,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Suitable for disabled workers.
    #[serde(default)]
    pub suitable_for_disabled: bool,
    /// Flexible hours.
    #[serde(default)]
    pub flexible_hours: bool,
    /// Transport provided.
    #[serde(default)]
    pub transport_provided: bool,
    /// Housing provided.
    #[serde(default)]
    pub housing_provided: bool,
}

/// Our field names to the partner's, so validation errors name what the partner sent.
fn partner_field(ours: &str) -> &str {
    match ours {
        "location" => "jobLocation.address",
        "salary_min" => "baseSalary.value.minValue",
        "salary_max" => "baseSalary.value.maxValue",
        "headcount" => "totalJobOpenings",
        "age_min" => "ageMin",
        "age_max" => "ageMax",
        "valid_through" => "validThrough",
        other => other,
    }
}

impl PartnerPosting {
    fn validate(self, external_id: &str) -> Result<InboundPosting, ApiError> {
        let mut errors = FieldErrors::new();
        if external_id.is_empty()
            || external_id.len() > 200
            || !external_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        {
            errors.insert(
                "external_id".into(),
                "1–200 characters of A–Z, a–z, 0–9, - _ . :".into(),
            );
        }
        if self.version < 1 {
            errors.insert("version".into(), "must be at least 1".into());
        }
        if self.base_salary.currency != "CNY" {
            errors.insert("baseSalary.currency".into(), "must be CNY".into());
        }
        let unit = match self
            .base_salary
            .value
            .unit_text
            .to_ascii_uppercase()
            .as_str()
        {
            "HOUR" => Some(SalaryUnit::Hour),
            "DAY" => Some(SalaryUnit::Day),
            "MONTH" => Some(SalaryUnit::Month),
            "PIECE" => Some(SalaryUnit::Piece),
            _ => {
                errors.insert(
                    "baseSalary.value.unitText".into(),
                    "must be HOUR, DAY, MONTH or PIECE".into(),
                );
                None
            }
        };
        let hiring = text_field(
            &mut errors,
            "hiringOrganization.name",
            &self.hiring_organization.name,
            200,
        );
        let draft = JobRequest {
            title: self.title,
            description: self.description,
            category: self.occupational_category.unwrap_or(JobCategory::Local),
            location: self.job_location.address,
            salary_min: self.base_salary.value.min_value,
            salary_max: self.base_salary.value.max_value,
            salary_unit: unit.unwrap_or(SalaryUnit::Month),
            headcount: self.total_job_openings.unwrap_or(1),
            age_min: self.age_min,
            age_max: self.age_max,
            skills: self.skills,
            suitable_for_disabled: self.suitable_for_disabled,
            flexible_hours: self.flexible_hours,
            transport_provided: self.transport_provided,
            housing_provided: self.housing_provided,
            contact: self.contact,
            valid_through: self.valid_through,
        };
        let content = match draft.check() {
            Ok(c) => Some(c),
            Err(DomainError::Invalid(found)) => {
                for (field, message) in found {
                    errors.insert(partner_field(&field).to_owned(), message);
                }
                None
            }
            Err(other) => return Err(other.into()),
        };
        match (content, hiring) {
            (Some(content), Some(hiring_organization)) if errors.is_empty() => Ok(InboundPosting {
                external_id: external_id.to_owned(),
                version: self.version,
                hiring_organization,
                content,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// A partner posting as stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerJob {
    /// Anju's id for it.
    pub id: Uuid,
    /// The partner's id for it.
    pub external_id: String,
    /// The partner's version stored.
    pub version: i64,
    /// `pending_review`, `published`, `closed`, ...
    pub status: String,
    /// Whether this request changed it (`created`, `updated`, `unchanged`, `closed`).
    pub outcome: String,
}

fn partner_job(j: entity::recruitment::job::Model, outcome: &str) -> PartnerJob {
    PartnerJob {
        id: j.id,
        external_id: j.external_id.unwrap_or_default(),
        version: j.external_version.unwrap_or(0),
        status: j.status.to_string(),
        outcome: outcome.to_owned(),
    }
}

/// Creates or updates one of the partner's postings by its external id. Idempotent: the same
/// version again changes nothing (200); an older version is 409 `stale_version`; a closed
/// posting is never reopened (409 `posting_closed`). New postings are published at once, or
/// wait for staff review when the partner is set so.
#[problems(
    403 "Not a partner with jobs:write",
    409 "stale_version or posting_closed",
    422 "Invalid fields, named as sent",
)]
#[utoipa::path(
    put, path = "/api/v1/partner/jobs/{external_id}", tag = "partners", security(("bearer" = [])),
    params(("external_id" = String, Path, description = "The partner's id for the posting")),
    request_body = PartnerPosting,
    responses(
        (status = 201, description = "Created", body = PartnerJob),
        (status = 200, description = "Updated, or the same version again", body = PartnerJob),
    )
)]
pub async fn put_partner_job(
    state: web::Data<AppState>,
    caller: Principal,
    external_id: web::Path<String>,
    Json(body): Json<PartnerPosting>,
) -> Result<HttpResponse, ApiError> {
    let external_id = crate::extract::path_text("external_id", external_id.into_inner())?;
    let p = calling_partner(&state, &caller, PartnerScope::JobsWrite).await?;
    let posting = body.validate(&external_id)?;
    let mut attempt = 0;
    // Two first PUTs of one posting race on the unique index: the loser retries and updates.
    let (job, outcome) = loop {
        attempt += 1;
        let txn = state.db.begin().await?;
        match partners::upsert_job(&txn, &p, posting.clone()).await {
            Ok(done) => {
                txn.commit().await?;
                break done;
            }
            Err(entity::DomainError::Db(e)) if attempt < 3 && is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    let (status, word) = match outcome {
        Upserted::Created => (StatusCode::CREATED, "created"),
        Upserted::Updated => (StatusCode::OK, "updated"),
        Upserted::Unchanged => (StatusCode::OK, "unchanged"),
    };
    Ok(HttpResponse::build(status).json(partner_job(job, word)))
}

fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Which version closes it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CloseQuery {
    /// The partner's version of the close; an older one than stored is 409 `stale_version`.
    pub version: Option<i64>,
}

/// Closes one of the partner's postings: it leaves residents' lists. Idempotent.
#[problems(
    403 "Not a partner with jobs:write",
    404 "No such posting of this partner",
    409 "stale_version",
)]
#[utoipa::path(
    delete, path = "/api/v1/partner/jobs/{external_id}", tag = "partners", security(("bearer" = [])),
    params(("external_id" = String, Path, description = "The partner's id for the posting"), CloseQuery),
    responses((status = 200, description = "Closed (or already closed)", body = PartnerJob))
)]
pub async fn delete_partner_job(
    state: web::Data<AppState>,
    caller: Principal,
    external_id: web::Path<String>,
    Query(q): Query<CloseQuery>,
) -> Result<web::Json<PartnerJob>, ApiError> {
    let external_id = crate::extract::path_text("external_id", external_id.into_inner())?;
    let p = calling_partner(&state, &caller, PartnerScope::JobsWrite).await?;
    let txn = state.db.begin().await?;
    let job = partners::close_job(&txn, &p, &external_id, q.version).await?;
    txn.commit().await?;
    Ok(web::Json(partner_job(job, "closed")))
}

/// Feed filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only postings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// One posting in the feed: its current state, or a tombstone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    /// Anju's id.
    pub id: Uuid,
    /// Anju's version (the same as in webhooks).
    pub version: i32,
    /// `published`, `closed`, `filled` or `expired` (or `pending_review`/`draft` if staff
    /// withdrew it).
    pub status: String,
    /// True when it is no longer open: drop it.
    pub deleted: bool,
    /// Last changed at (the feed's order).
    pub updated_at: DateTime<Utc>,
    /// The posting as schema.org `JobPosting` JSON-LD (also for tombstones, as last known).
    #[schema(value_type = Object)]
    pub posting: Value,
}

/// Our postings changed since a time, oldest change first, closed ones as tombstones: a
/// partner that missed webhooks catches up by walking this to the end and keeping the highest
/// version of each posting.
#[problems(403 "Not a partner with jobs:read")]
#[utoipa::path(
    get, path = "/api/v1/partner/jobs", tag = "partners", security(("bearer" = [])),
    params(FeedQuery),
    responses((status = 200, description = "A page of changes", body = Paginated<FeedItem>))
)]
pub async fn partner_job_feed(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<FeedQuery>,
) -> Result<web::Json<Paginated<FeedItem>>, ApiError> {
    calling_partner(&state, &caller, PartnerScope::JobsRead).await?;
    let page = PageParams::new(q.limit, q.cursor).into_request::<FeedKey>()?;
    let list = partners::feed(state.db.conn(), q.updated_since, &page).await?;
    Ok(web::Json(
        list.map(|(j, employer)| FeedItem {
            id: j.id,
            version: j.version,
            deleted: j.status != entity::recruitment::job::JobStatus::Published,
            status: j.status.to_string(),
            updated_at: j.updated_at,
            posting: entity::recruitment::json_ld::job_posting(&j, &employer),
        })
        .into(),
    ))
}
