//! The community store: items and stock, redemptions and their settlement.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    DomainError,
    kernel::{Actor, Role, Scope},
    page::{Page, PageRequest},
    registry::household,
};

use super::{EntryKind, RedemptionStatus, item, ledger::Posting, ledger::post, redemption};

/// A store item's content.
#[derive(Debug, Clone)]
pub struct ItemContent {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points.
    pub price: i32,
    /// Stock.
    pub stock: i32,
    /// On sale.
    pub active: bool,
}

/// Adds an item to a site's store (staff).
pub async fn create_item<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    site_id: Uuid,
    content: ItemContent,
) -> Result<item::Model, DomainError> {
    actor.manage(site_id)?;
    let now = Utc::now();
    let model = item::Model {
        id: Uuid::now_v7(),
        site_id,
        name: content.name,
        description: content.description,
        price: content.price,
        stock: content.stock,
        active: content.active,
        created_at: now,
        updated_at: now,
    };
    item::Entity::insert(item::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Changes an item (staff); stock is set outright (a stock take).
pub async fn update_item<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    content: ItemContent,
) -> Result<item::Model, DomainError> {
    let current = item::Entity::find_by_id(id)
        .filter(crate::registry::scope::sites_of(
            &actor.scope,
            item::Column::SiteId,
        ))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(current.site_id)?;
    let updated = item::Model {
        name: content.name,
        description: content.description,
        price: content.price,
        stock: content.stock,
        active: content.active,
        updated_at: Utc::now(),
        ..current
    };
    item::Entity::update(item::ActiveModel::from(updated.clone()).reset_all())
        .exec(db)
        .await?;
    Ok(updated)
}

/// The store of the caller's site (residents see what is on sale).
pub async fn items<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    page: &PageRequest<Uuid>,
) -> Result<Page<item::Model>, DbErr> {
    let mut select = item::Entity::find().filter(crate::registry::scope::sites_of(
        scope,
        item::Column::SiteId,
    ));
    if !matches!(scope, Scope::All | Scope::Site(_)) {
        select = select.filter(item::Column::Active.eq(true));
    }
    Ok(Page::from_rows(
        page,
        page.by_id(select, item::Column::Id, Order::Asc)
            .all(db)
            .await?,
        |i| i.id,
    ))
}

/// Redeems an item for a household: stock and balance move in this one transaction (409
/// `out_of_stock` or `insufficient_points`, and nothing moves). Residents redeem for their own
/// household, staff for any household of their site (audited, with the `reason` they give).
pub async fn redeem<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    household_id: Uuid,
    item_id: Uuid,
    quantity: i32,
    reason: Option<String>,
) -> Result<redemption::Model, DomainError> {
    let h = household::Entity::find_by_id(household_id)
        .filter(actor.scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let own_household = match &actor.scope {
        Scope::Own(own) | Scope::Groups { own, .. } => own.household_id == household_id,
        _ => false,
    };
    let on_behalf = match actor.role {
        Role::Resident | Role::GroupLeader if own_household => false,
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin => true,
        _ => {
            return Err(DomainError::Forbidden(
                "residents redeem for their own household; staff for any of their site",
            ));
        }
    };
    let reason = crate::audit::assist_reason(on_behalf, reason)?;
    let it = item::Entity::find_by_id(item_id)
        .filter(item::Column::SiteId.eq(h.site_id))
        .filter(item::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("item_id", "no such item on sale at this site"))?;
    let points = it
        .price
        .checked_mul(quantity)
        .ok_or_else(|| DomainError::invalid("quantity", "too many"))?;
    let taken = item::Entity::update_many()
        .col_expr(
            item::Column::Stock,
            Expr::col(item::Column::Stock).sub(quantity),
        )
        .col_expr(item::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(item::Column::Id.eq(item_id))
        .filter(item::Column::Stock.gte(quantity))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Err(DomainError::conflict(
            "out_of_stock",
            "not enough of this item is left",
        ));
    }
    let now = Utc::now();
    let model = redemption::Model {
        id: Uuid::now_v7(),
        site_id: h.site_id,
        household_id,
        item_id,
        quantity,
        points,
        status: RedemptionStatus::Pending,
        created_by: actor.account_id,
        created_at: now,
        updated_at: now,
    };
    post(
        db,
        Posting {
            household_id,
            site_id: h.site_id,
            kind: EntryKind::Redemption,
            amount: -points,
            reference_type: "redemption",
            reference_id: Some(model.id),
            reason: Some(format!("{} × {}", it.name, quantity)),
            actor: Some(actor.account_id),
        },
    )
    .await?;
    redemption::Entity::insert(redemption::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    if on_behalf {
        actor
            .audit(h.site_id, "store.redeem", "redemption", model.id)
            .reason(reason)
            .details(serde_json::json!({
                "household_id": household_id,
                "item_id": item_id,
                "quantity": quantity,
                "points": points,
            }))
            .record(db)
            .await?;
    }
    Ok(model)
}

/// Hands a redemption over (staff), or cancels it: the points come back as a refund entry and the
/// stock is restored. Only pending redemptions move (409 `illegal_transition`).
pub async fn settle<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    to: RedemptionStatus,
) -> Result<redemption::Model, DomainError> {
    let r = redemption::Entity::find_by_id(id)
        .filter(crate::registry::scope::sites_of(
            &actor.scope,
            redemption::Column::SiteId,
        ))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(r.site_id)?;
    let now = Utc::now();
    let moved = redemption::Entity::update_many()
        .col_expr(redemption::Column::Status, Expr::value(to.as_str()))
        .col_expr(redemption::Column::UpdatedAt, Expr::value(now))
        .filter(redemption::Column::Id.eq(id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 || to == RedemptionStatus::Pending {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} redemption cannot become {}", r.status, to.as_str()),
        ));
    }
    if to == RedemptionStatus::Cancelled {
        item::Entity::update_many()
            .col_expr(
                item::Column::Stock,
                Expr::col(item::Column::Stock).add(r.quantity),
            )
            .filter(item::Column::Id.eq(r.item_id))
            .exec(db)
            .await?;
        post(
            db,
            Posting {
                household_id: r.household_id,
                site_id: r.site_id,
                kind: EntryKind::Refund,
                amount: r.points,
                reference_type: "redemption",
                reference_id: Some(r.id),
                reason: None,
                actor: Some(actor.account_id),
            },
        )
        .await?;
    }
    Ok(redemption::Model {
        status: to,
        updated_at: now,
        ..r
    })
}

/// A household's redemptions, newest first.
pub async fn redemptions_of<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<redemption::Model>, DbErr> {
    let select =
        redemption::Entity::find().filter(redemption::Column::HouseholdId.eq(household_id));
    redemption_page(db, select, page).await
}

/// Which redemptions the store's counter lists.
#[derive(Debug, Clone, Default)]
pub struct RedemptionFilter {
    /// Only this site (platform administrators; others see their own site anyway).
    pub site_id: Option<Uuid>,
    /// Only this household.
    pub household_id: Option<Uuid>,
    /// Only in this state (`pending`: waiting to be handed over).
    pub status: Option<RedemptionStatus>,
}

/// Redemptions of the caller's site (staff), newest first.
pub async fn redemptions<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &RedemptionFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<redemption::Model>, DomainError> {
    if !matches!(
        actor.role,
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin
    ) {
        return Err(DomainError::Forbidden("only staff run the store"));
    }
    let mut select = redemption::Entity::find().filter(crate::registry::scope::sites_of(
        &actor.scope,
        redemption::Column::SiteId,
    ));
    if let Some(site) = filter.site_id {
        select = select.filter(redemption::Column::SiteId.eq(site));
    }
    if let Some(household) = filter.household_id {
        select = select.filter(redemption::Column::HouseholdId.eq(household));
    }
    if let Some(status) = filter.status {
        select = select.filter(redemption::Column::Status.eq(status.as_str()));
    }
    Ok(redemption_page(db, select, page).await?)
}

async fn redemption_page<C: ConnectionTrait>(
    db: &C,
    select: sea_orm::Select<redemption::Entity>,
    page: &PageRequest<Uuid>,
) -> Result<Page<redemption::Model>, DbErr> {
    Ok(Page::from_rows(
        page,
        page.by_id(select, redemption::Column::Id, Order::Desc)
            .all(db)
            .await?,
        |r| r.id,
    ))
}
