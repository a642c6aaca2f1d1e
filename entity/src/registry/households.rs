//! Households: creating, reading, editing, and their members.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::writes::{conflict_on_unique, insert_audited, leads, require_editor};
use super::{buildings::get_building, household, resident};
use crate::{
    DomainError,
    kernel::{Actor, Scope},
    page::{Page, PageRequest},
};

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
