//! The employment dashboard: every household with labour (members aged 16–59) should have at
//! least two people in work, or all of its labour when it has fewer than two. Computed from the
//! registry and the active employment records at query time, so it always agrees with them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::employment;
use crate::{
    kernel::Scope,
    people::synthetic::is_working_age,
    registry::{household, resident, resident_group},
};

/// One group's figures.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct GroupFigures {
    /// The group.
    pub group_id: Uuid,
    /// Its name.
    pub group_name: String,
    /// Its committee.
    pub committee_id: Uuid,
    /// Households with at least one member of working age.
    pub households_with_labour: u64,
    /// Residents of working age.
    pub working_age_residents: u64,
    /// Residents with an active employment record.
    pub employed_residents: u64,
    /// Households below the target.
    pub households_below_target: u64,
}

/// A household below target, for a leader to visit.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct HouseholdBelowTarget {
    /// The household.
    pub household_id: Uuid,
    /// Its label.
    pub label: String,
    /// Its group.
    pub group_id: Uuid,
    /// Members of working age.
    pub labour: u64,
    /// Members in work.
    pub employed: u64,
}

/// The dashboard.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct EmploymentReport {
    /// Households with labour.
    pub households_with_labour: u64,
    /// Residents of working age.
    pub working_age_residents: u64,
    /// Residents in work.
    pub employed_residents: u64,
    /// Households below target.
    pub households_below_target: u64,
    /// By group.
    pub groups: Vec<GroupFigures>,
    /// The households below target (all of them; a site has a few thousand households).
    pub below_target: Vec<HouseholdBelowTarget>,
}

/// Computes the dashboard over the residents `scope` reaches (a site for staff, the groups of a
/// leader), on `today`.
pub async fn employment_report<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    today: NaiveDate,
) -> Result<EmploymentReport, DbErr> {
    let scope_rows = match scope {
        Scope::Groups { group_ids, .. } => {
            resident::Entity::find().filter(resident::Column::GroupId.is_in(group_ids.clone()))
        }
        other => resident::Entity::find().filter(other.residents()),
    };
    let residents: Vec<(Uuid, Uuid, Uuid, NaiveDate)> = scope_rows
        .select_only()
        .column(resident::Column::Id)
        .column(resident::Column::HouseholdId)
        .column(resident::Column::GroupId)
        .column(resident::Column::BirthDate)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<Uuid> = residents.iter().map(|r| r.0).collect();
    let mut employed: HashSet<Uuid> = HashSet::new();
    for chunk in ids.chunks(5000) {
        let rows: Vec<Uuid> = employment::Entity::find()
            .select_only()
            .column(employment::Column::ResidentId)
            .filter(employment::Column::ResidentId.is_in(chunk.to_vec()))
            .filter(employment::Column::EndDate.is_null())
            .into_tuple()
            .all(db)
            .await?;
        employed.extend(rows);
    }
    // household -> (group, labour, employed)
    let mut households: HashMap<Uuid, (Uuid, u64, u64)> = HashMap::new();
    for (id, household_id, group_id, birth) in &residents {
        let entry = households.entry(*household_id).or_insert((*group_id, 0, 0));
        if is_working_age(*birth, today) {
            entry.1 += 1;
        }
        if employed.contains(id) {
            entry.2 += 1;
        }
    }
    let group_ids: Vec<Uuid> = households
        .values()
        .map(|h| h.0)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let groups: HashMap<Uuid, resident_group::Model> = resident_group::Entity::find()
        .filter(resident_group::Column::Id.is_in(group_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let labels: HashMap<Uuid, String> = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .column(household::Column::Label)
        .filter(household::Column::Id.is_in(households.keys().copied().collect::<Vec<_>>()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut by_group: BTreeMap<Uuid, GroupFigures> = BTreeMap::new();
    let mut below = Vec::new();
    for (household_id, (group_id, labour, working)) in &households {
        let Some(group) = groups.get(group_id) else {
            continue;
        };
        let figures = by_group.entry(*group_id).or_insert_with(|| GroupFigures {
            group_id: *group_id,
            group_name: group.name.clone(),
            committee_id: group.committee_id,
            households_with_labour: 0,
            working_age_residents: 0,
            employed_residents: 0,
            households_below_target: 0,
        });
        figures.working_age_residents += labour;
        figures.employed_residents += working;
        if *labour > 0 {
            figures.households_with_labour += 1;
            if *working < (*labour).min(2) {
                figures.households_below_target += 1;
                below.push(HouseholdBelowTarget {
                    household_id: *household_id,
                    label: labels.get(household_id).cloned().unwrap_or_default(),
                    group_id: *group_id,
                    labour: *labour,
                    employed: *working,
                });
            }
        }
    }
    below.sort_by(|a, b| a.group_id.cmp(&b.group_id).then(a.label.cmp(&b.label)));
    let groups: Vec<GroupFigures> = by_group.into_values().collect();
    Ok(EmploymentReport {
        households_with_labour: groups.iter().map(|g| g.households_with_labour).sum(),
        working_age_residents: groups.iter().map(|g| g.working_age_residents).sum(),
        employed_residents: groups.iter().map(|g| g.employed_residents).sum(),
        households_below_target: groups.iter().map(|g| g.households_below_target).sum(),
        groups,
        below_target: below,
    })
}
