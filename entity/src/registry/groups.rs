//! Resident groups and their leaders.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{committee, resident, resident_group, writes::insert_audited};
use crate::{
    DomainError,
    kernel::{Actor, Scope},
    page::{Page, PageRequest},
};

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
