//! What an employer writes: a posting's content, its search text, drafts and their edits.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*,
};
use serde_json::json;

use crate::recruitment::employer;
use crate::{DomainError, audit::AuditEntry, kernel::Role, text};

use super::*;

/// A posting's content as an employer or a partner writes it: the API's `JobRequest`.
/// [`JobDraft::check`] turns it into [`JobContent`], the only form the database takes.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = JobRequest, description = "A job posting's content.")]
pub struct JobDraft {
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

/// A posting's content that passed [`JobDraft::check`]: text trimmed and within its lengths,
/// pay, headcount, ages and skills in range, the end in the future. Read it as a [`JobDraft`].
#[derive(Debug, Clone)]
pub struct JobContent(JobDraft);

impl std::ops::Deref for JobContent {
    type Target = JobDraft;

    fn deref(&self) -> &JobDraft {
        &self.0
    }
}

impl JobDraft {
    /// Checks every field; the errors name each field that is wrong.
    pub fn check(self) -> Result<JobContent, DomainError> {
        let mut errors = BTreeMap::new();
        let mut field = |name: &str, value: &str, max: usize| {
            text::field(&mut errors, name, value, max).unwrap_or_default()
        };
        let title = field("title", &self.title, 100);
        let description = field("description", &self.description, 5000);
        let location = field("location", &self.location, 200);
        let contact = field("contact", &self.contact, 100);
        let mut invalid = |field: &str, message: &str| errors.insert(field.into(), message.into());
        if self.salary_min < 0 || self.salary_max < self.salary_min {
            invalid(
                "salary_max",
                "must be at least salary_min, and salary_min at least 0",
            );
        }
        if !(1..=10_000).contains(&self.headcount) {
            invalid("headcount", "must be 1–10,000");
        }
        if let (Some(a), Some(b)) = (self.age_min, self.age_max)
            && a > b
        {
            invalid("age_max", "must be at least age_min");
        }
        if self.age_min.is_some_and(|a| !(16..=80).contains(&a))
            || self.age_max.is_some_and(|a| !(16..=80).contains(&a))
        {
            invalid("age_min", "ages must be 16–80");
        }
        if self.valid_through <= Utc::now() {
            invalid("valid_through", "must be in the future");
        }
        if self.skills.len() > 20
            || self
                .skills
                .iter()
                .any(|s| s.trim().is_empty() || s.chars().count() > 30)
        {
            invalid("skills", "at most 20 skills of 1–30 characters");
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let skills = self.skills.iter().map(|s| s.trim().to_owned()).collect();
        Ok(JobContent(Self {
            title,
            description,
            location,
            contact,
            skills,
            ..self
        }))
    }
}

fn search_text(content: &JobContent, employer_name: &str) -> String {
    search_key(&format!(
        "{} {} {}",
        content.title, content.description, employer_name
    ))
}

/// The form text is searched in: lower-cased, every character written three times.
///
/// A trigram index can only serve a `LIKE` pattern with at least three characters between its
/// wildcards, and Chinese search words are often one or two characters (电焊, 保洁). Tripled,
/// every query of one character or more is at least three, so PostgreSQL's `pg_trgm` index
/// serves them all. Matching stays exact: the tripled query occurs in the tripled text exactly
/// when the query occurs in the text.
pub fn search_key(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut key = String::with_capacity(lower.len() * 3);
    for c in lower.chars() {
        key.extend([c, c, c]);
    }
    key
}

/// The columns a posting's content fills (everything an employer writes, and the search text).
pub fn content_columns(content: JobContent, employer_name: &str) -> ActiveModel {
    let search_text = search_text(&content, employer_name);
    let JobContent(content) = content;
    ActiveModel {
        search_text: Set(search_text),
        title: Set(content.title),
        description: Set(content.description),
        category: Set(content.category),
        location: Set(content.location),
        salary_min: Set(content.salary_min),
        salary_max: Set(content.salary_max),
        salary_unit: Set(content.salary_unit),
        headcount: Set(content.headcount),
        age_min: Set(content.age_min),
        age_max: Set(content.age_max),
        skills: Set(json!(content.skills)),
        suitable_for_disabled: Set(content.suitable_for_disabled),
        flexible_hours: Set(content.flexible_hours),
        transport_provided: Set(content.transport_provided),
        housing_provided: Set(content.housing_provided),
        contact: Set(content.contact),
        valid_through: Set(content.valid_through),
        ..Default::default()
    }
}

pub(super) async fn employer_name<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
) -> Result<String, DomainError> {
    Ok(employer::Entity::find_by_id(employer_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?
        .name)
}

/// Creates a draft for the employer.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
    content: JobContent,
) -> Result<Model, DomainError> {
    let now = Utc::now();
    let mut draft = content_columns(content, &employer_name(db, employer_id).await?);
    draft.id = Set(Uuid::now_v7());
    draft.employer_id = Set(employer_id);
    draft.status = Set(JobStatus::Draft);
    draft.status_reason = Set(None);
    draft.version = Set(1);
    draft.published_at = Set(None);
    draft.created_at = Set(now);
    draft.updated_at = Set(now);
    Ok(draft.insert(db).await?)
}

/// Only drafts can be edited: 409 `illegal_transition` otherwise.
pub fn ensure_editable(job: &Model) -> Result<(), DomainError> {
    if job.status == JobStatus::Draft {
        return Ok(());
    }
    Err(DomainError::conflict(
        "illegal_transition",
        format!("a {} posting cannot be edited; only drafts can", job.status),
    ))
}

/// Replaces a draft's content (its employer; a posting sent back by staff is a draft again).
/// Other states are 409 `illegal_transition`; `version` must be the one the caller read.
pub async fn edit<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    employer_id: Uuid,
    id: Uuid,
    version: i32,
    content: JobContent,
) -> Result<Model, DomainError> {
    let job = get(db, Viewer::Employer(employer_id), id).await?;
    if job.employer_id != employer_id {
        return Err(DomainError::NotFound);
    }
    ensure_editable(&job)?;
    let mut edited = content_columns(content, &employer_name(db, employer_id).await?);
    edited.version = Set(version + 1);
    edited.updated_at = Set(Utc::now());
    DomainError::update_one(
        Entity::update_many()
            .set(edited)
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(JobStatus::Draft.as_str()))
            .filter(Column::Version.eq(version)),
        db,
        "the posting changed since it was read; read it again",
    )
    .await?;
    AuditEntry::new("job.edit", "job", id)
        .by(account_id, Role::Employer.as_str())
        .details(json!({ "version": version + 1 }))
        .record(db)
        .await?;
    get(db, Viewer::Employer(employer_id), id).await
}
