//! Registering a resident and editing one (audited), each request checked field by field.

use chrono::NaiveDate;
use entity::{
    people::{Gender, IdCardNumber, Phone, Relation},
    registry::{
        ops::{self, ResidentChanges, ResidentData},
        types::{EmploymentStatus, JobPreferences},
    },
};

use super::{BirthShown, Resident, today};
use crate::routes::{
    common::{create, nullable, text_field},
    prelude::*,
};

/// A new resident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResidentRequest {
    /// The household.
    pub household_id: Uuid,
    /// Name.
    pub name: String,
    /// ID-card number (GB 11643, 18 characters).
    pub id_card_number: String,
    /// Gender; taken from the ID number when absent, and must agree with it.
    pub gender: Option<Gender>,
    /// Birth date; taken from the ID number when absent, and must agree with it.
    pub birth_date: Option<NaiveDate>,
    /// Mobile number.
    pub phone: Option<String>,
    /// Relation to the head of household.
    pub relation: Option<Relation>,
    /// Has a disability.
    #[serde(default)]
    pub disability: bool,
    /// Disability level 1–4 (only with a disability).
    pub disability_level: Option<u8>,
    /// Party member.
    #[serde(default)]
    pub party_member: bool,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Employment status.
    #[serde(default)]
    pub employment_status: EmploymentStatus,
    /// Looking for work.
    #[serde(default)]
    pub job_seeking: bool,
    /// Job-seeking preferences.
    #[serde(default)]
    pub job_preferences: JobPreferences,
}

/// Changes to a resident; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentPatch {
    /// Name.
    pub name: Option<String>,
    /// Mobile number (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Relation (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Relation>)]
    pub relation: Option<Option<Relation>>,
    /// Has a disability.
    pub disability: Option<bool>,
    /// Disability level 1–4 (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u8>)]
    pub disability_level: Option<Option<u8>>,
    /// Party member.
    pub party_member: Option<bool>,
    /// Skills (replaces the list).
    pub skills: Option<Vec<String>>,
    /// Employment status.
    pub employment_status: Option<EmploymentStatus>,
    /// Looking for work.
    pub job_seeking: Option<bool>,
    /// Job-seeking preferences.
    pub job_preferences: Option<JobPreferences>,
    /// Why (recorded in the audit trail).
    pub reason: Option<String>,
}

fn skills(list: Vec<String>, errors: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for skill in list {
        let s = skill.trim().to_owned();
        if s.is_empty() || s.chars().count() > 30 {
            errors.insert("skills".into(), "each skill must be 1–30 characters".into());
        } else if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.len() > 30 {
        errors.insert("skills".into(), "at most 30 skills".into());
    }
    out
}

impl NewResidentRequest {
    fn validate(self) -> Result<(Uuid, ResidentData), ApiError> {
        let mut errors = FieldErrors::new();
        let name = text_field(&mut errors, "name", &self.name, 50);
        let id_card = match IdCardNumber::parse(&self.id_card_number, today()) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.insert("id_card_number".into(), e.to_string());
                None
            }
        };
        if let Some(n) = &id_card {
            if self.gender.is_some_and(|g| g != n.gender()) {
                errors.insert("gender".into(), "does not match the ID number".into());
            }
            if self.birth_date.is_some_and(|d| d != n.birth_date()) {
                errors.insert("birth_date".into(), "does not match the ID number".into());
            }
        }
        let phone = match self.phone.as_deref().map(Phone::parse).transpose() {
            Ok(p) => p,
            Err(e) => {
                errors.insert("phone".into(), e.to_string());
                None
            }
        };
        if let Some(level) = self.disability_level
            && (!(1..=4).contains(&level) || !self.disability)
        {
            errors.insert(
                "disability_level".into(),
                "must be 1–4 and needs disability = true".into(),
            );
        }
        let skills = skills(self.skills, &mut errors);
        match (name, id_card) {
            (Some(name), Some(id_card)) if errors.is_empty() => Ok((
                self.household_id,
                ResidentData {
                    name,
                    gender: id_card.gender(),
                    birth_date: id_card.birth_date(),
                    phone,
                    id_card,
                    relation: self.relation,
                    disability: self.disability,
                    disability_level: self.disability_level,
                    party_member: self.party_member,
                    skills,
                    employment_status: self.employment_status,
                    job_seeking: self.job_seeking,
                    job_preferences: self.job_preferences,
                },
            )),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Registers a resident in a household (staff).
#[problems(
    403 "Not staff",
    409 "`duplicate_id_card`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/residents", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewResidentRequest,
    responses((status = 201, description = "Registered", body = Resident))
)]
pub async fn create_resident(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewResidentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (household_id, data) = body.validate()?;
    let actor = caller.actor();
    let cipher = state.pii.clone();
    let birth = BirthShown::to(&caller);
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let resident = ops::create_resident(txn, &actor, &cipher, household_id, data).await?;
            StoredResponse::json(StatusCode::CREATED, &Resident::shown(resident, birth)?)
        })
    })
    .await
}

/// Edits a resident (staff of its site, or the leader of its group); audited.
#[problems(
    403 "Residents may not edit",
    404 "Not in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    patch, path = "/api/v1/residents/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = ResidentPatch,
    responses((status = 200, description = "Updated", body = Resident))
)]
pub async fn update_resident(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ResidentPatch>,
) -> Result<web::Json<Resident>, ApiError> {
    let mut errors = FieldErrors::new();
    let name = body
        .name
        .as_deref()
        .and_then(|n| text_field(&mut errors, "name", n, 50));
    let phone = match body.phone {
        Some(Some(p)) => match Phone::parse(&p) {
            Ok(p) => Some(Some(p)),
            Err(e) => {
                errors.insert("phone".into(), e.to_string());
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(level)) = body.disability_level
        && !(1..=4).contains(&level)
    {
        errors.insert("disability_level".into(), "must be 1–4".into());
    }
    let skills = body.skills.map(|s| skills(s, &mut errors));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = ResidentChanges {
        name,
        phone,
        relation: body.relation,
        disability: body.disability,
        disability_level: body.disability_level,
        party_member: body.party_member,
        skills,
        employment_status: body.employment_status,
        job_seeking: body.job_seeking,
        job_preferences: body.job_preferences,
    };
    let txn = state.db.begin().await?;
    let resident =
        ops::update_resident(&txn, &caller.actor(), id.into_inner(), changes, body.reason).await?;
    txn.commit().await?;
    Ok(web::Json(Resident::shown(
        resident,
        BirthShown::to(&caller),
    )?))
}
