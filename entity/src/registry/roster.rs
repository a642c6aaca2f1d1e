//! The roster (花名册) as exports read it: residents a caller reaches, in batches by id, each with
//! the names of its committee, group, building and household, so a batch is five queries
//! whatever its size and an export of a whole county holds one batch at a time.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    building, committee, household, resident, resident_group,
    residents::{ResidentFilter, select_residents},
};
use crate::kernel::Scope;

/// One line of the roster.
#[derive(Debug, Clone)]
pub struct RosterLine {
    /// The resident.
    pub resident: resident::Model,
    /// Its committee's name.
    pub committee: String,
    /// Its group's name.
    pub group: String,
    /// Its building's name.
    pub building: String,
    /// Its household's label.
    pub household: String,
    /// Whether the household is low-income (低保): sensitive.
    pub low_income: bool,
}

/// The next `limit` residents after `after` (by id) that `scope` reaches and `filter` selects.
pub async fn roster_batch<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ResidentFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<RosterLine>, DbErr> {
    let mut select = select_residents(scope, filter);
    if let Some(after) = after {
        select = select.filter(resident::Column::Id.gt(after));
    }
    let residents = select
        .order_by_asc(resident::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    if residents.is_empty() {
        return Ok(Vec::new());
    }
    let ids = |f: fn(&resident::Model) -> Uuid| {
        let mut ids: Vec<Uuid> = residents.iter().map(f).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let households: HashMap<Uuid, household::Model> = household::Entity::find()
        .filter(household::Column::Id.is_in(ids(|r| r.household_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let buildings: HashMap<Uuid, String> = building::Entity::find()
        .filter(building::Column::Id.is_in(ids(|r| r.building_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let groups: HashMap<Uuid, resident_group::Model> = resident_group::Entity::find()
        .filter(resident_group::Column::Id.is_in(ids(|r| r.group_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let mut committee_ids: Vec<Uuid> = groups.values().map(|g| g.committee_id).collect();
    committee_ids.sort_unstable();
    committee_ids.dedup();
    let committees: HashMap<Uuid, String> = committee::Entity::find()
        .filter(committee::Column::Id.is_in(committee_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(residents
        .into_iter()
        .map(|resident| {
            let group = groups.get(&resident.group_id);
            let household = households.get(&resident.household_id);
            RosterLine {
                committee: group
                    .and_then(|g| committees.get(&g.committee_id))
                    .cloned()
                    .unwrap_or_default(),
                group: group.map(|g| g.name.clone()).unwrap_or_default(),
                building: buildings
                    .get(&resident.building_id)
                    .cloned()
                    .unwrap_or_default(),
                household: household.map(|h| h.label.clone()).unwrap_or_default(),
                low_income: household.is_some_and(|h| h.low_income),
                resident,
            }
        })
        .collect())
}
