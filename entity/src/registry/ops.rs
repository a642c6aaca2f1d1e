//! Registry operations. Each takes the caller's [`Scope`] (reads) or [`Actor`] (writes), so an
//! object outside the caller's reach is `NotFound`, exactly like a missing one, and every change
//! made for someone else is audited in the same transaction.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    building, committee, household, resident, resident_group, site,
    types::{EmploymentStatus, JobPreferences},
};
use crate::{
    DomainError,
    audit::{self, AuditEntry},
    crypto::PiiCipher,
    error::is_unique_violation,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
    people::{Gender, IdCardNumber, Phone, Relation},
};

/// Checks that `actor` may manage the structure of `site`.
pub fn require_manager(actor: &Actor, site: Uuid) -> Result<(), DomainError> {
    actor.manage(site)
}

/// Stored name of a gender.
pub fn gender_str(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

/// Stored name of a relation.
pub fn relation_str(relation: Relation) -> &'static str {
    match relation {
        Relation::Head => "head",
        Relation::Spouse => "spouse",
        Relation::Child => "child",
        Relation::Parent => "parent",
        Relation::Other => "other",
    }
}

fn conflict_on_unique(e: DbErr, code: &'static str, detail: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::conflict(code, detail)
    } else {
        e.into()
    }
}

/// Inserts a new row, turning a unique-constraint violation into a 409 with `conflict` (code,
/// detail), and records its audit event in the same transaction.
async fn insert_audited<C, A>(
    db: &C,
    row: A,
    conflict: (&'static str, &str),
    entry: AuditEntry,
) -> Result<(), DomainError>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
{
    <A::Entity as EntityTrait>::insert(row)
        .exec_without_returning(db)
        .await
        .map_err(|e| conflict_on_unique(e, conflict.0, conflict.1))?;
    entry.record(db).await?;
    Ok(())
}

// ---------------------------------------------------------------- sites

/// A new site.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Name.
    pub name: String,
    /// Unique code.
    pub code: String,
    /// Region.
    pub region: String,
}

/// Creates a site (platform administrators).
pub async fn create_site<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    new: NewSite,
) -> Result<site::Model, DomainError> {
    if actor.role != Role::PlatformAdmin {
        return Err(DomainError::Forbidden(
            "only platform administrators create sites",
        ));
    }
    let model = site::Model {
        id: Uuid::now_v7(),
        name: new.name,
        code: new.code,
        region: new.region,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        site::ActiveModel::from(model.clone()),
        ("duplicate_code", "a site with this code exists"),
        actor.audit(model.id, "site.create", "site", model.id),
    )
    .await?;
    Ok(model)
}

/// Sites the caller may see.
pub async fn list_sites<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    page: &PageRequest<Uuid>,
) -> Result<Page<site::Model>, DbErr> {
    let select = site::Entity::find().filter(scope.sites());
    crate::page::page_by_id(db, select, site::Column::Id, page, |s| s.id).await
}

/// One site, if the caller may see it.
pub async fn get_site<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<site::Model, DomainError> {
    site::Entity::find_by_id(id)
        .filter(scope.sites())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

// ---------------------------------------------------------------- committees

/// Creates a committee in a site.
pub async fn create_committee<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    name: String,
) -> Result<committee::Model, DomainError> {
    get_site(db, &actor.scope, site_id).await?;
    actor.manage(site_id)?;
    let model = committee::Model {
        id: Uuid::now_v7(),
        site_id,
        name,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        committee::ActiveModel::from(model.clone()),
        (
            "duplicate_name",
            "a committee with this name exists in the site",
        ),
        actor.audit(site_id, "committee.create", "committee", model.id),
    )
    .await?;
    Ok(model)
}

/// Committees of a site that the caller may see.
pub async fn list_committees<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    site_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<committee::Model>, DomainError> {
    get_site(db, scope, site_id).await?;
    let select = committee::Entity::find()
        .filter(scope.committees())
        .filter(committee::Column::SiteId.eq(site_id));
    Ok(crate::page::page_by_id(db, select, committee::Column::Id, page, |c| c.id).await?)
}

// ---------------------------------------------------------------- groups

/// Creates a resident group in a committee.
pub async fn create_group<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    committee_id: Uuid,
    name: String,
) -> Result<resident_group::Model, DomainError> {
    let committee = committee::Entity::find_by_id(committee_id)
        .filter(actor.scope.committees())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("committee_id", "no such committee"))?;
    actor.manage(committee.site_id)?;
    let model = resident_group::Model {
        id: Uuid::now_v7(),
        site_id: committee.site_id,
        committee_id,
        name,
        leader_resident_id: None,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        resident_group::ActiveModel::from(model.clone()),
        (
            "duplicate_name",
            "a group with this name exists in the committee",
        ),
        actor.audit(model.site_id, "group.create", "group", model.id),
    )
    .await?;
    Ok(model)
}

/// Filters of the group list.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// Only this committee.
    pub committee_id: Option<Uuid>,
}

/// Groups the caller may see.
pub async fn list_groups<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &GroupFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<resident_group::Model>, DbErr> {
    let mut select = resident_group::Entity::find().filter(scope.groups());
    if let Some(c) = filter.committee_id {
        select = select.filter(resident_group::Column::CommitteeId.eq(c));
    }
    crate::page::page_by_id(db, select, resident_group::Column::Id, page, |g| g.id).await
}

/// One group, if the caller may see it.
pub async fn get_group<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<resident_group::Model, DomainError> {
    resident_group::Entity::find_by_id(id)
        .filter(scope.groups())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Appoints a resident of the same site as the group's leader (staff). The resident's account,
/// if any, acts as group leader for this group from its next request on.
pub async fn appoint_leader<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    group_id: Uuid,
    resident_id: Uuid,
) -> Result<resident_group::Model, DomainError> {
    let group = get_group(db, &actor.scope, group_id).await?;
    actor.manage(group.site_id)?;
    let leader = resident::Entity::find_by_id(resident_id)
        .filter(resident::Column::SiteId.eq(group.site_id))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("resident_id", "no such resident in this site"))?;
    resident_group::Entity::update(resident_group::ActiveModel {
        id: Set(group.id),
        leader_resident_id: Set(Some(leader.id)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    actor
        .audit(group.site_id, "group.appoint_leader", "group", group.id)
        .details(json!({ "leader_resident_id": leader.id, "previous": group.leader_resident_id }))
        .record(db)
        .await?;
    Ok(resident_group::Model {
        leader_resident_id: Some(leader.id),
        ..group
    })
}

// ---------------------------------------------------------------- buildings

/// Creates a building covered by a group.
pub async fn create_building<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    group_id: Uuid,
    name: String,
) -> Result<building::Model, DomainError> {
    let group = get_group(db, &actor.scope, group_id)
        .await
        .map_err(|_| DomainError::invalid("group_id", "no such group"))?;
    actor.manage(group.site_id)?;
    let model = building::Model {
        id: Uuid::now_v7(),
        site_id: group.site_id,
        group_id,
        name,
        created_at: Utc::now(),
    };
    insert_audited(
        db,
        building::ActiveModel::from(model.clone()),
        (
            "duplicate_name",
            "a building with this name exists in the site",
        ),
        actor.audit(model.site_id, "building.create", "building", model.id),
    )
    .await?;
    Ok(model)
}

/// Filters of the building list.
#[derive(Debug, Clone, Default)]
pub struct BuildingFilter {
    /// Only this group.
    pub group_id: Option<Uuid>,
}

/// Buildings the caller may see.
pub async fn list_buildings<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &BuildingFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<building::Model>, DbErr> {
    let mut select = building::Entity::find().filter(scope.buildings());
    if let Some(g) = filter.group_id {
        select = select.filter(building::Column::GroupId.eq(g));
    }
    crate::page::page_by_id(db, select, building::Column::Id, page, |b| b.id).await
}

/// One building, if the caller may see it.
pub async fn get_building<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<building::Model, DomainError> {
    building::Entity::find_by_id(id)
        .filter(scope.buildings())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

// ---------------------------------------------------------------- households

/// Creates a household in a building.
pub async fn create_household<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    building_id: Uuid,
    label: String,
    low_income: bool,
) -> Result<household::Model, DomainError> {
    let building = get_building(db, &actor.scope, building_id)
        .await
        .map_err(|_| DomainError::invalid("building_id", "no such building"))?;
    actor.manage(building.site_id)?;
    let now = Utc::now();
    let model = household::Model {
        id: Uuid::now_v7(),
        site_id: building.site_id,
        group_id: building.group_id,
        building_id,
        label,
        low_income,
        created_at: now,
        updated_at: now,
    };
    insert_audited(
        db,
        household::ActiveModel::from(model.clone()),
        (
            "duplicate_label",
            "a household with this label exists in the building",
        ),
        actor.audit(model.site_id, "household.create", "household", model.id),
    )
    .await?;
    Ok(model)
}

/// Filters of the household list.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Only this group.
    pub group_id: Option<Uuid>,
    /// Only this building.
    pub building_id: Option<Uuid>,
    /// Only (not) low-income households.
    pub low_income: Option<bool>,
}

/// Households the caller may see.
pub async fn list_households<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &HouseholdFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<household::Model>, DbErr> {
    let mut select = household::Entity::find().filter(scope.households());
    if let Some(g) = filter.group_id {
        select = select.filter(household::Column::GroupId.eq(g));
    }
    if let Some(b) = filter.building_id {
        select = select.filter(household::Column::BuildingId.eq(b));
    }
    if let Some(l) = filter.low_income {
        select = select.filter(household::Column::LowIncome.eq(l));
    }
    crate::page::page_by_id(db, select, household::Column::Id, page, |h| h.id).await
}

/// One household, if the caller may see it.
pub async fn get_household<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<household::Model, DomainError> {
    household::Entity::find_by_id(id)
        .filter(scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// The members of a household the caller may see.
pub async fn household_members<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    household_id: Uuid,
) -> Result<Vec<resident::Model>, DbErr> {
    resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household_id))
        .filter(member_scope(scope))
        .order_by_asc(resident::Column::Id)
        .all(db)
        .await
}

/// A resident sees its whole household's member list; others see what their scope reaches.
fn member_scope(scope: &Scope) -> Condition {
    match scope {
        Scope::Own(own) => Condition::all().add(resident::Column::HouseholdId.eq(own.household_id)),
        other => other.residents(),
    }
}

/// Changes to a household.
#[derive(Debug, Clone, Default)]
pub struct HouseholdChanges {
    /// New label.
    pub label: Option<String>,
    /// New low-income flag.
    pub low_income: Option<bool>,
}

/// Edits a household (staff of its site, or the leader of its group).
pub async fn update_household<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    changes: HouseholdChanges,
    reason: Option<String>,
) -> Result<household::Model, DomainError> {
    require_editor(actor)?;
    let mut current = get_household(db, &actor.scope, id).await?;
    if matches!(actor.scope, Scope::Groups { .. }) && !leads(&actor.scope, current.group_id) {
        // A leader sees its own household even outside its groups, but edits only its groups.
        return Err(DomainError::NotFound);
    }
    let mut changed = Vec::new();
    let mut active = household::ActiveModel {
        id: Set(id),
        ..Default::default()
    };
    if let Some(label) = changes.label.filter(|l| *l != current.label) {
        active.label = Set(label.clone());
        current.label = label;
        changed.push("label");
    }
    if let Some(low) = changes.low_income.filter(|l| *l != current.low_income) {
        active.low_income = Set(low);
        current.low_income = low;
        changed.push("low_income");
    }
    if changed.is_empty() {
        return Ok(current);
    }
    current.updated_at = Utc::now();
    active.updated_at = Set(current.updated_at);
    household::Entity::update(active)
        .exec(db)
        .await
        .map_err(|e| {
            conflict_on_unique(
                e,
                "duplicate_label",
                "a household with this label exists in the building",
            )
        })?;
    actor
        .audit(current.site_id, "household.update", "household", id)
        .details(json!({ "fields": changed }))
        .reason(reason)
        .record(db)
        .await?;
    Ok(current)
}

fn require_editor(actor: &Actor) -> Result<(), DomainError> {
    match actor.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => Ok(()),
        _ => Err(DomainError::Forbidden(
            "residents may not change registry data",
        )),
    }
}

fn leads(scope: &Scope, group_id: Uuid) -> bool {
    matches!(scope, Scope::Groups { group_ids, .. } if group_ids.contains(&group_id))
}

// ---------------------------------------------------------------- residents

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
        relation: data.relation.map(|r| relation_str(r).to_owned()),
        name: data.name.clone(),
        gender: gender_str(data.gender).to_owned(),
        birth_date: data.birth_date,
        phone: data.phone.as_ref().map(|p| p.as_str().to_owned()),
        id_card_cipher: cipher.encrypt(data.id_card.expose()),
        id_card_hash: cipher.lookup_hash(data.id_card.expose()),
        id_card_masked: data.id_card.masked(),
        disability: data.disability,
        disability_level: data.disability_level.map(i16::from),
        party_member: data.party_member,
        skills: json!(data.skills),
        employment_status: data.employment_status.as_str().to_owned(),
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

/// Residents the caller may see.
pub async fn list_residents<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ResidentFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<resident::Model>, DbErr> {
    let mut select = resident::Entity::find().filter(scope.residents());
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
    apply!(
        relation,
        changes
            .relation
            .map(|r| r.map(|r| relation_str(r).to_owned())),
        "relation"
    );
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
        changes.employment_status.map(|s| s.as_str().to_owned()),
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

// ---------------------------------------------------------------- audit

/// Audit events the caller may read: site administrators their site's, platform administrators
/// all; newest first.
pub async fn list_audit<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: &PageRequest<Uuid>,
) -> Result<Page<audit::Model>, DomainError> {
    let mut select = audit::Entity::find();
    match (&actor.role, &actor.scope) {
        (Role::PlatformAdmin, _) => {}
        (Role::SiteAdmin, Scope::Site(site)) => {
            select = select.filter(audit::Column::SiteId.eq(*site));
        }
        _ => {
            return Err(DomainError::Forbidden(
                "only administrators may read the audit trail",
            ));
        }
    }
    let mut select = select.order_by_desc(audit::Column::Id).limit(page.fetch());
    if let Some(after) = page.after() {
        select = select.filter(audit::Column::Id.lt(*after));
    }
    let rows = select.all(db).await?;
    Ok(Page::from_rows(page, rows, |e| e.id))
}
