//! The ledger: accounts, postings (credit, refund, correction, deduction) and a household's history.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use serde_json::json;

use crate::{
    DomainError,
    kernel::{Actor, Scope},
    messaging::{
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    page::{Page, PageRequest},
    registry::{household, resident},
};

use super::{EntryKind, account, entry};

/// One change to post to the ledger.
#[derive(Debug, Clone)]
pub struct Posting {
    /// The household.
    pub household_id: Uuid,
    /// Its site.
    pub site_id: Uuid,
    /// What kind.
    pub kind: EntryKind,
    /// Points added (positive) or taken (negative).
    pub amount: i32,
    /// What it refers to.
    pub reference_type: &'static str,
    /// The referenced object.
    pub reference_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// Who.
    pub actor: Option<Uuid>,
}

/// Makes sure the household has an account (an empty one the first time).
pub(super) async fn open_account<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    site_id: Uuid,
) -> Result<(), DbErr> {
    account::Entity::insert(account::ActiveModel {
        household_id: sea_orm::ActiveValue::Set(household_id),
        site_id: sea_orm::ActiveValue::Set(site_id),
        balance: sea_orm::ActiveValue::Set(0),
        updated_at: sea_orm::ActiveValue::Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(account::Column::HouseholdId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Moves the balance by `amount` if it stays at or above zero; the new balance, or `None`.
pub(super) async fn move_balance<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    amount: i32,
) -> Result<Option<i32>, DbErr> {
    let mut update = Query::update();
    update
        .table(account::Entity)
        .value(
            account::Column::Balance,
            Expr::col(account::Column::Balance).add(amount),
        )
        .value(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .and_where(account::Column::HouseholdId.eq(household_id))
        .and_where(Expr::col(account::Column::Balance).add(amount).gte(0))
        .returning(Query::returning().column(account::Column::Balance));
    match db.query_one(&update).await? {
        Some(row) => Ok(Some(row.try_get("", "balance")?)),
        None => Ok(None),
    }
}

pub(super) async fn write_entry<C: ConnectionTrait>(
    db: &C,
    p: &Posting,
    amount: i32,
    balance_after: i32,
    shortfall: i32,
) -> Result<entry::Model, DbErr> {
    let model = entry::Model {
        id: Uuid::now_v7(),
        household_id: p.household_id,
        site_id: p.site_id,
        kind: p.kind,
        amount,
        balance_after,
        shortfall,
        reference_type: p.reference_type.to_owned(),
        reference_id: p.reference_id,
        reason: p.reason.clone(),
        actor_account_id: p.actor,
        created_at: Utc::now(),
    };
    entry::Entity::insert(entry::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Posts one entry: the balance moves by `amount` and the entry records the balance after it. A
/// debit larger than the balance is 409 `insufficient_points` (nothing is written).
pub async fn post<C: ConnectionTrait>(db: &C, p: Posting) -> Result<entry::Model, DomainError> {
    open_account(db, p.household_id, p.site_id).await?;
    let balance = move_balance(db, p.household_id, p.amount)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                "insufficient_points",
                "the household does not have enough points",
            )
        })?;
    Ok(write_entry(db, &p, p.amount, balance, 0).await?)
}

/// Takes up to `points` from a household's balance (never below zero): holds the account, then
/// takes what it has. Returns what was taken and the balance after.
async fn take_up_to<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    site_id: Uuid,
    points: i32,
) -> Result<(i32, i32), DomainError> {
    open_account(db, household_id, site_id).await?;
    let current = move_balance(db, household_id, 0).await?.unwrap_or(0);
    let taken = std::cmp::min(points, current);
    let balance = move_balance(db, household_id, -taken)
        .await?
        .ok_or_else(|| DomainError::conflict("concurrent_change", "retry"))?;
    Ok((taken, balance))
}

/// Reverses points credited for a claim (an upheld objection): a correction entry takes them
/// back, down to zero at most, recording any shortfall.
pub async fn reverse<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
    site_id: Uuid,
    points: i32,
    claim_id: Uuid,
    reason: String,
    actor: Uuid,
) -> Result<entry::Model, DomainError> {
    let (taken, balance) = take_up_to(db, household_id, site_id, points).await?;
    let posting = Posting {
        household_id,
        site_id,
        kind: EntryKind::Correction,
        amount: -taken,
        reference_type: "claim",
        reference_id: Some(claim_id),
        reason: Some(reason),
        actor: Some(actor),
    };
    Ok(write_entry(db, &posting, -taken, balance, points - taken).await?)
}

/// A household's account and entries, if the caller may see the household.
pub async fn household_account<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    household_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<(i32, Page<entry::Model>), DomainError> {
    household::Entity::find_by_id(household_id)
        .filter(scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let balance = account::Entity::find_by_id(household_id)
        .one(db)
        .await?
        .map_or(0, |a| a.balance);
    let select = entry::Entity::find().filter(entry::Column::HouseholdId.eq(household_id));
    Ok((
        balance,
        Page::from_rows(
            page,
            page.by_id(select, entry::Column::Id, Order::Desc)
                .all(db)
                .await?,
            |e| e.id,
        ),
    ))
}

/// The household's residents, for notices.
pub(super) async fn members<C: ConnectionTrait>(
    db: &C,
    household_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .filter(resident::Column::HouseholdId.eq(household_id))
        .into_tuple()
        .all(db)
        .await
}

/// Deducts points for a violation (staff of the site; audited; the household is told). A
/// deduction larger than the balance takes it to zero and records the shortfall.
pub async fn deduct<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    household_id: Uuid,
    points: i32,
    reason: String,
) -> Result<entry::Model, DomainError> {
    let h = household::Entity::find_by_id(household_id)
        .filter(actor.scope.households())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(h.site_id)?;
    let (taken, balance) = take_up_to(db, household_id, h.site_id, points).await?;
    let posting = Posting {
        household_id,
        site_id: h.site_id,
        kind: EntryKind::Deduction,
        amount: -taken,
        reference_type: "deduction",
        reference_id: None,
        reason: Some(reason.clone()),
        actor: Some(actor.account_id),
    };
    let entry = write_entry(db, &posting, -taken, balance, points - taken).await?;
    actor
        .audit(h.site_id, "points.deduct", "household", household_id)
        .reason(reason.clone())
        .details(json!({ "points": points, "taken": taken, "shortfall": points - taken }))
        .record(db)
        .await?;
    let told = members(db, household_id).await?;
    if !told.is_empty() {
        outbox::notify(
            db,
            NotificationRequested {
                site_id: h.site_id,
                category: "points".into(),
                title: "积分扣减".into(),
                body: format!("因“{reason}”，您家扣减积分 {points} 分，当前余额 {balance} 分。"),
                audience: Audience::Residents { resident_ids: told },
                urgency: Urgency::Normal,
                link: Some(format!("points:{household_id}")),
                notice: None,
            },
        )
        .await?;
    }
    Ok(entry)
}
