//! Residents as a caller may see them (the ID number masked, the birth date only to those who
//! may know it), the filtered list and one resident.

use chrono::NaiveDate;
use entity::{
    kernel::Role,
    people::{Gender, Relation},
    registry::{
        ops::{self, ResidentFilter, ResidentSearch},
        resident,
        types::{EmploymentStatus, JobPreferences},
    },
};

use crate::routes::prelude::*;

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
    pub fn shown(m: resident::Model, birth: BirthShown) -> Result<Self, ApiError> {
        Ok(Self {
            id: m.id,
            site_id: m.site_id,
            group_id: m.group_id,
            building_id: m.building_id,
            household_id: m.household_id,
            disability_level: m.level()?,
            skills: m.skill_list()?,
            job_preferences: m.preferences()?,
            relation: m.relation,
            name: m.name,
            gender: m.gender,
            birth_date: birth.date(m.birth_date),
            age: age(m.birth_date),
            phone: m.phone,
            id_card_number: m.id_card_masked,
            disability: m.disability,
            party_member: m.party_member,
            employment_status: m.employment_status,
            job_seeking: m.job_seeking,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
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
            relation: m.relation,
            gender: m.gender,
            birth_date: birth.date(m.birth_date),
            age: age(m.birth_date),
        }
    }
}

/// Resident list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResidentQuery {
    /// The service desk's search box, up to 50 characters: a whole mobile number, the last four
    /// characters of the ID number (or digits of the phone), or part of a name, household label
    /// or building name.
    pub q: Option<String>,
    /// Only this site (for platform administrators, who see every site).
    pub site_id: Option<Uuid>,
    /// Only this residents' committee.
    pub committee_id: Option<Uuid>,
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

impl ResidentQuery {
    /// The domain's filter for these parameters (the search text turned into what it matches).
    pub fn filter(&self, state: &AppState) -> Result<ResidentFilter, ApiError> {
        let search = match self.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => {
                let mut errors = FieldErrors::new();
                let text = crate::routes::common::text_field(
                    &mut errors,
                    "q",
                    text,
                    ResidentSearch::MAX_LENGTH,
                )
                .ok_or(ApiError::InvalidQuery(errors))?;
                ResidentSearch::new(&text, &state.pii)
            }
        };
        Ok(ResidentFilter {
            site_id: self.site_id,
            search,
            committee_id: self.committee_id,
            group_id: self.group_id,
            building_id: self.building_id,
            household_id: self.household_id,
            disability: self.disability,
            party_member: self.party_member,
            job_seeking: self.job_seeking,
            working_age_on: self.working_age.filter(|w| *w).map(|_| today()),
            employment_status: self.employment_status,
        })
    }
}

/// Today in China (Asia/Shanghai is UTC+8 all year).
pub fn today() -> NaiveDate {
    entity::kernel::china_time::today()
}

/// Residents the caller may see.
#[problems(400 "Bad query")]
#[utoipa::path(
    get, path = "/api/v1/residents", tag = "registry", security(("bearer" = [])),
    params(ResidentQuery),
    responses((status = 200, description = "A page of residents", body = Paginated<Resident>))
)]
pub async fn list_residents(
    state: web::Data<AppState>,
    caller: Principal,
    Query(mut q): Query<ResidentQuery>,
) -> Result<web::Json<Paginated<Resident>>, ApiError> {
    let page = PageParams::new(q.limit.take(), q.cursor.take()).into_request()?;
    let filter = q.filter(&state)?;
    let residents = ops::list_residents(state.db.conn(), &caller.scope, &filter, &page).await?;
    let birth = BirthShown::to(&caller);
    Ok(web::Json(
        residents.try_map(|r| Resident::shown(r, birth))?.into(),
    ))
}

/// One resident.
#[problems(404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/residents/{id}", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    responses((status = 200, description = "The resident", body = Resident))
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
    )?))
}

/// The resident `id` for a service-desk view of its records: the caller must be staff, an
/// administrator or its group leader, and reach the resident (404 otherwise).
pub async fn served_resident(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
) -> Result<Uuid, ApiError> {
    if !matches!(
        caller.role,
        Role::GroupLeader | Role::Staff | Role::SiteAdmin | Role::PlatformAdmin
    ) {
        return Err(ApiError::forbidden(
            "only staff and group leaders serve residents",
        ));
    }
    Ok(ops::get_resident(state.db.conn(), &caller.scope, id)
        .await?
        .id)
}
