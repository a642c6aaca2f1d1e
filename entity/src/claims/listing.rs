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

use super::{ClaimStatus, claim, step};

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
    status: Option<ClaimStatus>,
    page: &PageRequest<Uuid>,
) -> Result<Page<claim::Model>, DbErr> {
    let mut select = claim::Entity::find().filter(visible(scope));
    if let Some(s) = status {
        select = select.filter(claim::Column::Status.eq(s.as_str()));
    }
    Ok(Page::from_rows(
        page,
        page.by_id(select, claim::Column::Id, Order::Desc)
            .all(db)
            .await?,
        |c| c.id,
    ))
}
