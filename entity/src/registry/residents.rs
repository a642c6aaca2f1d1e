//! Residents: the stored record, registering, reading, editing, revealing the ID number, ages.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::writes::{insert_audited, leads, require_editor};
use super::{
    building, household,
    households::get_household,
    resident,
    types::{EmploymentStatus, JobPreferences},
};
use crate::{
    DomainError,
    crypto::PiiCipher,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
    people::{Gender, IdCardNumber, Phone, Relation},
};

/// Everything a resident record holds, validated.
#[derive(Debug, Clone)]
pub struct ResidentData {
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date (must match the ID number).
    pub birth_date: NaiveDate,
    /// Phone.
    pub phone: Option<Phone>,
    /// ID-card number.
    pub id_card: IdCardNumber,
    /// Relation to the head of household.
    pub relation: Option<Relation>,
    /// Disability.
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
}

/// Builds the stored row of a resident.
pub fn resident_row(
    cipher: &PiiCipher,
    id: Uuid,
    household: &household::Model,
    data: &ResidentData,
) -> resident::Model {
    let now = Utc::now();
    resident::Model {
        id,
        site_id: household.site_id,
        group_id: household.group_id,
        building_id: household.building_id,
        household_id: household.id,
        relation: data.relation,
        name: data.name.clone(),
        gender: data.gender,
        birth_date: data.birth_date,
        phone: data.phone.as_ref().map(|p| p.as_str().to_owned()),
        id_card_cipher: cipher.encrypt(data.id_card.expose()),
        id_card_hash: cipher.lookup_hash(data.id_card.expose()),
        id_card_tail_hash: Some(cipher.tail_hash(data.id_card.expose())),
        id_card_masked: data.id_card.masked(),
        disability: data.disability,
        disability_level: data.disability_level.map(i16::from),
        party_member: data.party_member,
        skills: json!(data.skills),
        employment_status: data.employment_status,
        job_seeking: data.job_seeking,
        job_preferences: serde_json::to_value(data.job_preferences).unwrap_or_else(|_| json!({})),
        created_at: now,
        updated_at: now,
    }
}

/// Registers a resident in a household (staff); the same ID number twice in a site is 409.
pub async fn create_resident<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    cipher: &PiiCipher,
    household_id: Uuid,
    data: ResidentData,
) -> Result<resident::Model, DomainError> {
    let household = get_household(db, &actor.scope, household_id)
        .await
        .map_err(|_| DomainError::invalid("household_id", "no such household"))?;
    actor.manage(household.site_id)?;
    let row = resident_row(cipher, Uuid::now_v7(), &household, &data);
    insert_audited(
        db,
        resident::ActiveModel::from(row.clone()),
        (
            "duplicate_id_card",
            "a resident with this ID number is already registered in the site",
        ),
        actor.audit(row.site_id, "resident.create", "resident", row.id),
    )
    .await?;
    Ok(row)
}

/// Filters of the resident list.
#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    /// Only this site (platform administrators pick one; others see one site anyway).
    pub site_id: Option<Uuid>,
    /// Only residents the service desk's search box finds.
    pub search: Option<ResidentSearch>,
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
    /// Only residents aged 16–59 on this date.
    pub working_age_on: Option<NaiveDate>,
    /// Only this employment status.
    pub employment_status: Option<EmploymentStatus>,
}

/// What the service desk's one search box finds: a whole mobile number; the last four characters
/// of the ID number (or of the phone); or part of a name, a household label or a building's name.
#[derive(Debug, Clone)]
pub struct ResidentSearch {
    text: String,
    id_tail_hash: Option<String>,
}

impl ResidentSearch {
    /// The longest search text, in characters.
    pub const MAX_LENGTH: usize = 50;

    /// A search for `text` (trimmed; `None` when empty). The ID number's tail is matched by its
    /// keyed hash, so the number never needs decrypting.
    pub fn new(text: &str, cipher: &PiiCipher) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let bytes = text.as_bytes();
        let id_tail = bytes.len() == 4
            && bytes[..3].iter().all(u8::is_ascii_digit)
            && (bytes[3].is_ascii_digit() || bytes[3].eq_ignore_ascii_case(&b'x'));
        Some(Self {
            text: text.to_owned(),
            id_tail_hash: id_tail.then(|| cipher.tail_hash(text)),
        })
    }

    fn condition(&self) -> sea_orm::Condition {
        use sea_orm::{
            Condition, QuerySelect, QueryTrait,
            sea_query::{Expr, ExprTrait},
        };
        let text = &self.text;
        if text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Condition::all().add(resident::Column::Phone.eq(text.as_str()));
        }
        let mut any = Condition::any();
        if let Some(hash) = &self.id_tail_hash {
            any = any.add(resident::Column::IdCardTailHash.eq(hash.as_str()));
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            any = any
                .add(Expr::col(resident::Column::Phone).like(crate::text::contains_pattern(text)));
        }
        let pattern = || crate::text::contains_pattern(text);
        any.add(Expr::col(resident::Column::Name).like(pattern()))
            .add(
                resident::Column::HouseholdId.in_subquery(
                    household::Entity::find()
                        .select_only()
                        .column(household::Column::Id)
                        .filter(Expr::col(household::Column::Label).like(pattern()))
                        .into_query(),
                ),
            )
            .add(
                resident::Column::BuildingId.in_subquery(
                    building::Entity::find()
                        .select_only()
                        .column(building::Column::Id)
                        .filter(Expr::col(building::Column::Name).like(pattern()))
                        .into_query(),
                ),
            )
    }
}

/// Fills `id_card_tail_hash` of residents written before it existed (decrypting each number in
/// memory; nothing is logged). Idempotent, so replicas starting together do no harm. Returns
/// how many rows it filled.
pub async fn fill_id_card_tails<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
) -> Result<u64, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut filled = 0;
    let mut after = Uuid::nil();
    loop {
        let batch: Vec<(Uuid, Vec<u8>)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .column(resident::Column::IdCardCipher)
            .filter(resident::Column::IdCardTailHash.is_null())
            .filter(resident::Column::Id.gt(after))
            .order_by_asc(resident::Column::Id)
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        let Some((last, _)) = batch.last() else {
            return Ok(filled);
        };
        after = *last;
        for (id, stored) in batch {
            let Ok(number) = cipher.decrypt(&stored) else {
                tracing::warn!(resident = %id, "ID number does not decrypt with this key; not searchable by its tail");
                continue;
            };
            filled += resident::Entity::update_many()
                .col_expr(
                    resident::Column::IdCardTailHash,
                    sea_orm::sea_query::Expr::value(cipher.tail_hash(&number)),
                )
                .filter(resident::Column::Id.eq(id))
                .filter(resident::Column::IdCardTailHash.is_null())
                .exec(db)
                .await?
                .rows_affected;
        }
    }
}

/// The residents `scope` reaches that `filter` selects, unordered (lists page it; exports walk it
/// in batches).
pub fn select_residents(
    scope: &Scope,
    filter: &ResidentFilter,
) -> sea_orm::Select<resident::Entity> {
    let mut select = resident::Entity::find().filter(scope.residents());
    if let Some(v) = filter.site_id {
        select = select.filter(resident::Column::SiteId.eq(v));
    }
    if let Some(search) = &filter.search {
        select = select.filter(search.condition());
    }
    if let Some(v) = filter.committee_id {
        use sea_orm::sea_query::Query;
        select = select.filter(
            resident::Column::GroupId.in_subquery(
                Query::select()
                    .column(super::resident_group::Column::Id)
                    .from(super::resident_group::Entity)
                    .and_where(super::resident_group::Column::CommitteeId.eq(v))
                    .to_owned(),
            ),
        );
    }
    if let Some(v) = filter.group_id {
        select = select.filter(resident::Column::GroupId.eq(v));
    }
    if let Some(v) = filter.building_id {
        select = select.filter(resident::Column::BuildingId.eq(v));
    }
    if let Some(v) = filter.household_id {
        select = select.filter(resident::Column::HouseholdId.eq(v));
    }
    if let Some(v) = filter.disability {
        select = select.filter(resident::Column::Disability.eq(v));
    }
    if let Some(v) = filter.party_member {
        select = select.filter(resident::Column::PartyMember.eq(v));
    }
    if let Some(v) = filter.job_seeking {
        select = select.filter(resident::Column::JobSeeking.eq(v));
    }
    if let Some(v) = filter.employment_status {
        select = select.filter(resident::Column::EmploymentStatus.eq(v.as_str()));
    }
    if let Some(on) = filter.working_age_on {
        let (oldest, youngest) = working_age_birth_range(on);
        select = select
            .filter(resident::Column::BirthDate.gte(oldest))
            .filter(resident::Column::BirthDate.lte(youngest));
    }
    select
}

/// Residents the caller may see.
pub async fn list_residents<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ResidentFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<resident::Model>, DbErr> {
    let select = select_residents(scope, filter);
    crate::page::page_by_id(db, select, resident::Column::Id, page, |r| r.id).await
}

/// Birth dates of people aged 16 to 59 (inclusive) on `on`: `(earliest, latest)`.
pub fn working_age_birth_range(on: NaiveDate) -> (NaiveDate, NaiveDate) {
    age_birth_range(on, 16, 59)
}

/// Birth dates of people aged `min_age` to `max_age` (inclusive) on `on`: `(earliest, latest)`.
pub fn age_birth_range(on: NaiveDate, min_age: i32, max_age: i32) -> (NaiveDate, NaiveDate) {
    let years_before = |years: i32| {
        on.with_year(on.year() - years)
            // 29 February in a year without one: the 28th is the same birthday for age purposes.
            .or_else(|| on.pred_opt().and_then(|d| d.with_year(d.year() - years)))
            .unwrap_or(on)
    };
    use chrono::Datelike;
    let latest = years_before(min_age);
    let earliest = years_before(max_age + 1).succ_opt().unwrap_or(on);
    (earliest, latest)
}

/// One resident, if the caller may see it.
pub async fn get_resident<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<resident::Model, DomainError> {
    // A resident reads its own full record only; its family appears in the household's member
    // summary, not as full records.
    resident::Entity::find_by_id(id)
        .filter(scope.residents())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// The names of the residents among `ids` that `scope` reaches (lists name the people in them
/// for staff and leaders; one query per page).
pub async fn resident_names<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    use sea_orm::QuerySelect;
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .column(resident::Column::Name)
        .filter(resident::Column::Id.is_in(ids))
        .filter(scope.residents())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Changes to a resident; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ResidentChanges {
    /// Name.
    pub name: Option<String>,
    /// Phone (`Some(None)` removes it).
    pub phone: Option<Option<Phone>>,
    /// Relation.
    pub relation: Option<Option<Relation>>,
    /// Disability.
    pub disability: Option<bool>,
    /// Disability level (`Some(None)` clears it).
    pub disability_level: Option<Option<u8>>,
    /// Party member.
    pub party_member: Option<bool>,
    /// Skills.
    pub skills: Option<Vec<String>>,
    /// Employment status.
    pub employment_status: Option<EmploymentStatus>,
    /// Looking for work.
    pub job_seeking: Option<bool>,
    /// Preferences.
    pub job_preferences: Option<JobPreferences>,
}

/// Edits a resident (staff of its site, or the leader of its group); audited with the names of
/// the changed fields and the reason.
pub async fn update_resident<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    changes: ResidentChanges,
    reason: Option<String>,
) -> Result<resident::Model, DomainError> {
    require_editor(actor)?;
    let current = get_resident(db, &actor.scope, id).await?;
    if matches!(actor.scope, Scope::Groups { .. }) && !leads(&actor.scope, current.group_id) {
        return Err(DomainError::NotFound);
    }
    let mut next = current.clone();
    let mut changed: Vec<&str> = Vec::new();
    macro_rules! apply {
        ($field:ident, $value:expr, $name:literal) => {
            if let Some(v) = $value {
                if next.$field != v {
                    next.$field = v;
                    changed.push($name);
                }
            }
        };
    }
    apply!(name, changes.name, "name");
    apply!(
        phone,
        changes.phone.map(|p| p.map(|p| p.as_str().to_owned())),
        "phone"
    );
    apply!(relation, changes.relation, "relation");
    apply!(disability, changes.disability, "disability");
    apply!(
        disability_level,
        changes.disability_level.map(|l| l.map(i16::from)),
        "disability_level"
    );
    apply!(party_member, changes.party_member, "party_member");
    apply!(skills, changes.skills.map(|s| json!(s)), "skills");
    apply!(
        employment_status,
        changes.employment_status,
        "employment_status"
    );
    apply!(job_seeking, changes.job_seeking, "job_seeking");
    apply!(
        job_preferences,
        changes
            .job_preferences
            .and_then(|p| serde_json::to_value(p).ok()),
        "job_preferences"
    );
    if !next.disability && next.disability_level.is_some() {
        return Err(DomainError::invalid(
            "disability_level",
            "a disability level needs disability = true",
        ));
    }
    if changed.is_empty() {
        return Ok(current);
    }
    next.updated_at = Utc::now();
    let active = resident::ActiveModel::from(next.clone()).reset_all();
    resident::Entity::update(active).exec(db).await?;
    actor
        .audit(next.site_id, "resident.update", "resident", id)
        .details(json!({ "fields": changed }))
        .reason(reason)
        .record(db)
        .await?;
    Ok(next)
}

/// The full ID number of a resident, for staff of its site only; every reveal is audited with
/// its reason.
pub async fn reveal_id_card<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    cipher: &PiiCipher,
    id: Uuid,
    reason: String,
) -> Result<String, DomainError> {
    let resident = get_resident(db, &actor.scope, id).await?;
    match (&actor.role, &actor.scope) {
        (Role::Staff | Role::SiteAdmin, Scope::Site(s)) if *s == resident.site_id => {}
        _ => {
            return Err(DomainError::Forbidden(
                "only community staff of the resident's site may reveal an ID number",
            ));
        }
    }
    let number = cipher
        .decrypt(&resident.id_card_cipher)
        .map_err(|e| DomainError::Db(DbErr::Custom(format!("resident {}: {e}", resident.id))))?;
    actor
        .audit(resident.site_id, "resident.reveal_id_card", "resident", id)
        .reason(reason)
        .record(db)
        .await?;
    Ok(number)
}
