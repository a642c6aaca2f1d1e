//! Onboarding a site from its spreadsheet: every row already validated by
//! [`crate::people::sheet_import`], then written in one transaction with multi-row statements.
//! Committees, groups, buildings and households named in the file are created when missing;
//! residents are matched by ID number (its keyed hash), so re-importing a file updates people
//! instead of duplicating them. Either everything is written or nothing is.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    sea_query::OnConflict,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    building, committee, household,
    ops::{self, ResidentData},
    resident, resident_group,
    types::{EmploymentStatus, JobPreferences},
};
use crate::{
    DomainError,
    crypto::PiiCipher,
    kernel::Actor,
    people::sheet_import::{ImportErrors, ImportRow, Msg, RowError},
};

/// Rows per multi-row INSERT: about 12,000 bind parameters for residents, under both backends'
/// limits (SQLite 32,766; PostgreSQL 65,535).
pub const BATCH: usize = 500;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows in the file.
    pub rows: usize,
    /// Residents registered.
    pub residents_created: usize,
    /// Residents already registered (matched by ID number) and updated.
    pub residents_updated: usize,
    /// Committees created.
    pub committees_created: usize,
    /// Groups created.
    pub groups_created: usize,
    /// Buildings created.
    pub buildings_created: usize,
    /// Households created.
    pub households_created: usize,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// Rows that conflict with the registry (e.g. a building that belongs to another group).
    #[error(transparent)]
    Rows(ImportErrors),
    /// Anything else (scope, database).
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<sea_orm::DbErr> for ImportFailure {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Domain(e.into())
    }
}

/// Imports validated rows into `site_id` inside `txn`.
pub async fn import_rows(
    txn: &DatabaseTransaction,
    actor: &Actor,
    cipher: &PiiCipher,
    site_id: Uuid,
    rows: &[ImportRow],
) -> Result<ImportReport, ImportFailure> {
    ops::get_site(txn, &actor.scope, site_id).await?;
    ops::require_manager(actor, site_id)?;
    let now = Utc::now();
    let mut report = ImportReport {
        rows: rows.len(),
        ..ImportReport::default()
    };

    // Committees.
    let mut committees: HashMap<String, Uuid> = committee::Entity::find()
        .filter(committee::Column::SiteId.eq(site_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.name, c.id))
        .collect();
    let mut new_committees = Vec::new();
    for row in rows {
        if !committees.contains_key(&row.committee) {
            let id = Uuid::now_v7();
            committees.insert(row.committee.clone(), id);
            new_committees.push(committee::ActiveModel::from(committee::Model {
                id,
                site_id,
                name: row.committee.clone(),
                created_at: now,
            }));
        }
    }
    report.committees_created = new_committees.len();
    insert_batches(txn, new_committees).await?;

    // Groups, by (committee, name).
    let mut groups: HashMap<(Uuid, String), Uuid> = resident_group::Entity::find()
        .filter(resident_group::Column::SiteId.eq(site_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|g| ((g.committee_id, g.name), g.id))
        .collect();
    let mut new_groups = Vec::new();
    for row in rows {
        let committee_id = committees[&row.committee];
        if let std::collections::hash_map::Entry::Vacant(slot) =
            groups.entry((committee_id, row.group.clone()))
        {
            let id = Uuid::now_v7();
            slot.insert(id);
            new_groups.push(resident_group::ActiveModel::from(resident_group::Model {
                id,
                site_id,
                committee_id,
                name: row.group.clone(),
                leader_resident_id: None,
                created_at: now,
            }));
        }
    }
    report.groups_created = new_groups.len();
    insert_batches(txn, new_groups).await?;

    // Buildings, by name; an existing building must stay in its group.
    let mut buildings: HashMap<String, (Uuid, Uuid)> = building::Entity::find()
        .filter(building::Column::SiteId.eq(site_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|b| (b.name, (b.id, b.group_id)))
        .collect();
    let mut new_buildings = Vec::new();
    let mut errors = Vec::new();
    for row in rows {
        let group_id = groups[&(committees[&row.committee], row.group.clone())];
        match buildings.get(&row.building) {
            Some((_, existing)) if *existing != group_id => errors.push(RowError::in_column(
                row.line,
                "building",
                Some(row.building.clone()),
                Msg::new(
                    "building_registered_elsewhere",
                    format!(
                        "building `{}` is registered under another group; move it in the registry first",
                        row.building
                    ),
                    format!(
                        "“{}”在系统里已属于另一个居民组，请先在居民档案里调整楼栋归属",
                        row.building
                    ),
                ),
            )),
            Some(_) => {}
            None => {
                let id = Uuid::now_v7();
                buildings.insert(row.building.clone(), (id, group_id));
                new_buildings.push(building::ActiveModel::from(building::Model {
                    id,
                    site_id,
                    group_id,
                    name: row.building.clone(),
                    created_at: now,
                }));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportFailure::Rows(ImportErrors { errors }));
    }
    report.buildings_created = new_buildings.len();
    insert_batches(txn, new_buildings).await?;

    // Households, by (building, label); low-income when any row of the household says so.
    let existing_households: Vec<household::Model> = household::Entity::find()
        .filter(household::Column::SiteId.eq(site_id))
        .all(txn)
        .await?;
    let mut households: HashMap<(Uuid, String), household::Model> = existing_households
        .into_iter()
        .map(|h| ((h.building_id, h.label.clone()), h))
        .collect();
    let mut low_income: HashMap<(Uuid, String), bool> = HashMap::new();
    for row in rows {
        let building_id = buildings[&row.building].0;
        *low_income
            .entry((building_id, row.household.clone()))
            .or_default() |= row.low_income;
    }
    let building_groups: HashMap<Uuid, Uuid> = buildings.values().copied().collect();
    let mut new_households = Vec::new();
    let mut flips: Vec<(Uuid, bool)> = Vec::new();
    for (key, low) in &low_income {
        match households.get(key) {
            Some(h) if h.low_income != *low => flips.push((h.id, *low)),
            Some(_) => {}
            None => {
                let model = household::Model {
                    id: Uuid::now_v7(),
                    site_id,
                    group_id: building_groups[&key.0],
                    building_id: key.0,
                    label: key.1.clone(),
                    low_income: *low,
                    created_at: now,
                    updated_at: now,
                };
                households.insert(key.clone(), model.clone());
                new_households.push(household::ActiveModel::from(model));
            }
        }
    }
    report.households_created = new_households.len();
    insert_batches(txn, new_households).await?;
    for (id, low) in flips {
        household::Entity::update_many()
            .col_expr(
                household::Column::LowIncome,
                sea_orm::sea_query::Expr::value(low),
            )
            .col_expr(
                household::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(household::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }

    // Residents: one upsert per batch, keyed by (site, ID hash).
    let known: HashSet<String> = resident::Entity::find()
        .select_only()
        .column(resident::Column::IdCardHash)
        .filter(resident::Column::SiteId.eq(site_id))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut resident_rows = Vec::with_capacity(rows.len());
    for row in rows {
        let building_id = buildings[&row.building].0;
        let household = &households[&(building_id, row.household.clone())];
        let data = ResidentData {
            name: row.name.clone(),
            gender: row.gender,
            birth_date: row.birth_date,
            phone: row.phone.clone(),
            id_card: row.id_card.clone(),
            relation: row.relation,
            disability: row.disability,
            disability_level: row.disability_level,
            party_member: row.party_member,
            skills: row.skills.clone(),
            employment_status: EmploymentStatus::Unknown,
            job_seeking: false,
            job_preferences: JobPreferences::default(),
        };
        let model = ops::resident_row(cipher, Uuid::now_v7(), household, &data);
        if known.contains(&model.id_card_hash) {
            report.residents_updated += 1;
        } else {
            report.residents_created += 1;
        }
        resident_rows.push(resident::ActiveModel::from(model));
    }
    let on_conflict = OnConflict::columns([resident::Column::SiteId, resident::Column::IdCardHash])
        // What the file says replaces what the registry had; what the file does not carry
        // (employment, job seeking, the stored ciphertext) is kept.
        .update_columns([
            resident::Column::GroupId,
            resident::Column::BuildingId,
            resident::Column::HouseholdId,
            resident::Column::Relation,
            resident::Column::Name,
            resident::Column::Gender,
            resident::Column::BirthDate,
            resident::Column::Phone,
            resident::Column::Disability,
            resident::Column::DisabilityLevel,
            resident::Column::PartyMember,
            resident::Column::Skills,
            resident::Column::IdCardTailHash,
            resident::Column::UpdatedAt,
        ])
        .to_owned();
    let mut rest = resident_rows;
    while !rest.is_empty() {
        let batch: Vec<_> = rest.drain(..rest.len().min(BATCH)).collect();
        resident::Entity::insert_many(batch)
            .on_conflict(on_conflict.clone())
            .exec_without_returning(txn)
            .await?;
    }

    actor
        .audit(site_id, "resident.import", "site", site_id)
        .details(json!(report))
        .record(txn)
        .await?;
    Ok(report)
}

async fn insert_batches<A, C>(db: &C, rows: Vec<A>) -> Result<(), sea_orm::DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut rest = rows;
    while !rest.is_empty() {
        let batch: Vec<A> = rest.drain(..rest.len().min(BATCH)).collect();
        <A::Entity as EntityTrait>::insert_many(batch)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
