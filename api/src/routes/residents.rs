//! Residents: registration, lists with filters, edits (audited) and the audited reveal of a full
//! ID number. ID numbers are masked in every other response.

use chrono::NaiveDate;
use entity::{
    kernel::Role,
    people::{Gender, IdCardNumber, Phone, Relation},
    registry::{
        ops::{self, ResidentChanges, ResidentData, ResidentFilter},
        resident,
        types::{EmploymentStatus, JobPreferences},
    },
};

use super::common::{create, nullable, text, text_field};
use super::prelude::*;

/// A resident, as its caller may see it: the ID number masked for everyone
/// (`4****************X`), and the birth date left out for group leaders, who see `age`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Resident {
    /// Id.
    pub id: Uuid,
    /// Site.
    pub site_id: Uuid,
    /// Group.
    pub group_id: Uuid,
    /// Building.
    pub building_id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Relation to the head of household.
    pub relation: Option<Relation>,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date; absent for group leaders, who see `age` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Age in whole years today (China time).
    pub age: u32,
    /// Mobile number.
    pub phone: Option<String>,
    /// The ID number, masked: the first character, sixteen stars and the check character, so
    /// that nothing shown beside it rebuilds the number. `POST /residents/{id}/id-card/reveal`
    /// (staff, audited) is the one way to the full number.
    #[schema(example = "4****************X")]
    pub id_card_number: String,
    /// Has a disability.
    pub disability: bool,
    /// Disability level 1–4.
    pub disability_level: Option<u8>,
    /// Party member.
    pub party_member: bool,
    /// Skills.
    pub skills: Vec<String>,
    /// Employment status.
    pub employment_status: EmploymentStatus,
    /// Looking for work.
    pub job_seeking: bool,
    /// Job-seeking preferences.
    pub job_preferences: JobPreferences,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

fn parse_stored<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// How much of a resident's birth a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthShown {
    /// The birth date (staff, administrators, the resident's own household).
    Date,
    /// Only the age (group leaders: enough for their work, too little to rebuild an ID number).
    Age,
}

impl BirthShown {
    /// What `caller` sees.
    pub fn to(caller: &Principal) -> Self {
        if caller.role == Role::GroupLeader {
            Self::Age
        } else {
            Self::Date
        }
    }

    fn date(self, birth_date: NaiveDate) -> Option<NaiveDate> {
        (self == Self::Date).then_some(birth_date)
    }
}

/// Whole years from `birth_date` to today in China.
pub fn age(birth_date: NaiveDate) -> u32 {
    today().years_since(birth_date).unwrap_or(0)
}

impl Resident {
    /// The resident as a caller who sees `birth` may see it.
    pub fn shown(m: resident::Model, birth: BirthShown) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            group_id: m.group_id,
            building_id: m.building_id,
            household_id: m.household_id,
            relation: m.relation.as_deref().and_then(parse_stored),
            name: m.name,
            gender: parse_stored(&m.gender).unwrap_or(Gender::Female),
            birth_date: birth.date(m.birth_date),
            age: age(m.birth_date),
            phone: m.phone,
            id_card_number: m.id_card_masked,
            disability: m.disability,
            disability_level: m.disability_level.and_then(|l| u8::try_from(l).ok()),
            party_member: m.party_member,
            skills: serde_json::from_value(m.skills).unwrap_or_default(),
            employment_status: EmploymentStatus::parse(&m.employment_status),
            job_seeking: m.job_seeking,
            job_preferences: serde_json::from_value(m.job_preferences).unwrap_or_default(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A household member, briefly.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResidentSummary {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Relation to the head of household.
    pub relation: Option<Relation>,
    /// Gender.
    pub gender: Gender,
    /// Birth date; absent for group leaders, who see `age` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Age in whole years today (China time).
    pub age: u32,
}

impl ResidentSummary {
    /// The member as a caller who sees `birth` may see it.
    pub fn shown(m: resident::Model, birth: BirthShown) -> Self {
        Self {
            id: m.id,
            name: m.name,
            relation: m.relation.as_deref().and_then(parse_stored),
            gender: parse_stored(&m.gender).unwrap_or(Gender::Female),
            birth_date: birth.date(m.birth_date),
            age: age(m.birth_date),
        }
    }
}

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

/// Resident list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResidentQuery {
    /// Only this group.
    pub group_id: Option<Uuid>,
    /// Only this building.
    pub building_id: Option<Uuid>,
    /// Only this household.
    pub household_id: Option<Uuid>,
    /// Only residents with (without) a disability.
    pub disability: Option<bool>,
    /// Only (non-)party members.
    pub party_member: Option<bool>,
    /// Only residents (not) looking for work.
    pub job_seeking: Option<bool>,
    /// Only residents aged 16–59 today.
    pub working_age: Option<bool>,
    /// Only this employment status.
    pub employment_status: Option<EmploymentStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Why a full ID number is needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// The reason, recorded in the audit trail (e.g. 办理低保年审).
    pub reason: String,
}

/// A full ID number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevealedIdCard {
    /// The resident.
    pub resident_id: Uuid,
    /// The full ID number.
    pub id_card_number: String,
}

/// Why an activation code is printed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationCodeRequest {
    /// The reason, recorded in the audit trail (e.g. 老人无智能手机，代为激活).
    pub reason: String,
}

/// A printed activation code: hand it to the resident, who activates with the registered phone
/// and these digits at `POST /auth/activate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivationCode {
    /// The resident.
    pub resident_id: Uuid,
    /// The registered phone it works with, masked.
    #[schema(example = "138****5678")]
    pub phone: String,
    /// Eight digits, usable once.
    #[schema(value_type = String, example = "40718263")]
    pub code: entity::secret::Secret,
    /// Useless after.
    pub expires_at: DateTime<Utc>,
}

/// Today in China (Asia/Shanghai is UTC+8 all year).
pub fn today() -> NaiveDate {
    entity::kernel::china_time::today()
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
#[utoipa::path(
    post, path = "/api/v1/residents", tag = "registry", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewResidentRequest,
    responses(
        (status = 201, description = "Registered", body = Resident),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate_id_card`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
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
            StoredResponse::json(StatusCode::CREATED, &Resident::shown(resident, birth))
        })
    })
    .await
}

/// Residents the caller may see.
#[utoipa::path(
    get, path = "/api/v1/residents", tag = "registry", security(("bearer" = [])),
    params(ResidentQuery),
    responses(
        (status = 200, description = "A page of residents", body = Paginated<Resident>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_residents(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ResidentQuery>,
) -> Result<web::Json<Paginated<Resident>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let filter = ResidentFilter {
        group_id: q.group_id,
        building_id: q.building_id,
        household_id: q.household_id,
        disability: q.disability,
        party_member: q.party_member,
        job_seeking: q.job_seeking,
        working_age_on: q.working_age.filter(|w| *w).map(|_| today()),
        employment_status: q.employment_status,
    };
    let residents = ops::list_residents(state.db.conn(), &caller.scope, &filter, &page).await?;
    let birth = BirthShown::to(&caller);
    Ok(web::Json(
        residents.map(|r| Resident::shown(r, birth)).into(),
    ))
}

/// One resident.
#[utoipa::path(
    get, path = "/api/v1/residents/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    responses(
        (status = 200, description = "The resident", body = Resident),
        (status = 404, description = "Not in the caller's reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_resident(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Resident>, ApiError> {
    let resident = ops::get_resident(state.db.conn(), &caller.scope, id.into_inner()).await?;
    Ok(web::Json(Resident::shown(
        resident,
        BirthShown::to(&caller),
    )))
}

/// Edits a resident (staff of its site, or the leader of its group); audited.
#[utoipa::path(
    patch, path = "/api/v1/residents/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = ResidentPatch,
    responses(
        (status = 200, description = "Updated", body = Resident),
        (status = 403, description = "Residents may not edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
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
    )))
}

/// Reveals a resident's full ID number (staff of its site only); writes an audit event with the
/// reason.
#[utoipa::path(
    post, path = "/api/v1/residents/{id}/id-card/reveal", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = RevealRequest,
    responses(
        (status = 200, description = "The full number", body = RevealedIdCard),
        (status = 403, description = "Not staff of the resident's site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reveal_id_card(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RevealRequest>,
) -> Result<web::Json<RevealedIdCard>, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let number = ops::reveal_id_card(&txn, &caller.actor(), &state.pii, id, reason).await?;
    txn.commit().await?;
    Ok(web::Json(RevealedIdCard {
        resident_id: id,
        id_card_number: number,
    }))
}

/// Prints a one-time activation code for a resident who cannot receive the SMS code (staff of
/// its site; audited with the reason). It works once, within 7 days, with the resident's
/// registered phone only; printing another voids it.
#[utoipa::path(
    post, path = "/api/v1/residents/{id}/activation-code", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = ActivationCodeRequest,
    responses(
        (status = 201, description = "The code, shown once", body = ActivationCode),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_activated` or `resident_has_no_phone`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn print_activation_code(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ActivationCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let (code, phone) = entity::identity::codes::print_activation_code(
        &txn,
        &caller.actor(),
        &state.pii,
        id,
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(ActivationCode {
            resident_id: id,
            phone: phone.masked(),
            code: code.code.into(),
            expires_at: code.expires_at,
        }))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/residents")
            .route(web::post().to(create_resident))
            .route(web::get().to(list_residents)),
    )
    .service(
        web::resource("/residents/{id}")
            .route(web::get().to(get_resident))
            .route(web::patch().to(update_resident)),
    )
    .service(web::resource("/residents/{id}/id-card/reveal").route(web::post().to(reveal_id_card)))
    .service(
        web::resource("/residents/{id}/activation-code")
            .route(web::post().to(print_activation_code)),
    );
}
