//! The claims a caller may see.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, entity::prelude::*,
};

use crate::{
    DomainError,
    kernel::Scope,
    page::{Page, PageRequest},
    registry::scope::sites_of,
};

use super::{ClaimStatus, campaign, claim, objection, step};

/// Claims the caller may see: staff their site's, leaders their groups' and their own
/// household's, residents their household's.
pub(super) fn visible(scope: &Scope) -> sea_orm::Condition {
    match scope {
        Scope::Groups { group_ids, own, .. } => sea_orm::Condition::any()
            .add(claim::Column::GroupId.is_in(group_ids.clone()))
            .add(claim::Column::HouseholdId.eq(own.household_id)),
        Scope::Own(own) => {
            sea_orm::Condition::all().add(claim::Column::HouseholdId.eq(own.household_id))
        }
        other => sites_of(other, claim::Column::SiteId),
    }
}

/// Which claims a list shows (every filter optional).
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Only this status (a step of the queue).
    pub status: Option<ClaimStatus>,
    /// Only those answering this call.
    pub campaign_id: Option<Uuid>,
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
}

/// One claim the caller may see, with its steps.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    id: Uuid,
) -> Result<(claim::Model, Vec<step::Model>), DomainError> {
    let c = claim::Entity::find_by_id(id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let steps = step::Entity::find()
        .filter(step::Column::ClaimId.eq(id))
        .order_by_asc(step::Column::Id)
        .all(db)
        .await?;
    Ok((c, steps))
}

/// Claims the caller may see, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ClaimFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<claim::Model>, DbErr> {
    let mut select = claim::Entity::find().filter(visible(scope));
    if let Some(s) = filter.status {
        select = select.filter(claim::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = filter.campaign_id {
        select = select.filter(claim::Column::CampaignId.eq(c));
    }
    if let Some(site) = filter.site_id {
        select = select.filter(claim::Column::SiteId.eq(site));
    }
    Ok(Page::from_rows(
        page,
        page.by_id(select, claim::Column::Id, Order::Desc)
            .all(db)
            .await?,
        |c| c.id,
    ))
}

/// Calls for claims of the caller's site (platform administrators: every site, or `site_id`),
/// newest first. Residents see them too: they answer them.
pub async fn campaigns<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    site_id: Option<Uuid>,
    page: &PageRequest<Uuid>,
) -> Result<Page<campaign::Model>, DomainError> {
    let mut select = campaign::Entity::find().filter(sites_of(scope, campaign::Column::SiteId));
    if let Some(site) = site_id {
        select = select.filter(campaign::Column::SiteId.eq(site));
    }
    let rows = page
        .by_id(select, campaign::Column::Id, Order::Desc)
        .all(db)
        .await?;
    Ok(Page::from_rows(page, rows, |c| c.id))
}

/// Objections of the caller's site for staff to decide (`status` `pending`, `upheld` or
/// `dismissed`; platform administrators every site, or `site_id`), oldest first: the queue is
/// worked in the order objections came in.
pub async fn objections<C: ConnectionTrait>(
    db: &C,
    actor: &crate::kernel::Actor,
    status: Option<&str>,
    site_id: Option<Uuid>,
    page: &PageRequest<Uuid>,
) -> Result<Page<objection::Model>, DomainError> {
    if !actor.role.is_staff() {
        return Err(DomainError::Forbidden(
            "only community staff decide objections",
        ));
    }
    let mut select =
        objection::Entity::find().filter(sites_of(&actor.scope, objection::Column::SiteId));
    if let Some(status) = status {
        select = select.filter(objection::Column::Status.eq(status));
    }
    if let Some(site) = site_id {
        select = select.filter(objection::Column::SiteId.eq(site));
    }
    let rows = page
        .by_id(select, objection::Column::Id, Order::Asc)
        .all(db)
        .await?;
    Ok(Page::from_rows(page, rows, |o| o.id))
}
