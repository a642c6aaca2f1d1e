//! Buildings, each covered by a group.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{building, groups::get_group, writes::insert_audited};
use crate::{
    DomainError,
    kernel::{Actor, Scope},
    page::{Page, PageRequest},
};

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
