//! Giving seats back: cancellations and capacity changes, which promote from the waiting list.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{DomainError, kernel::Actor};

use super::signing_up::{Target, resident_for};
use super::{SignupStatus, activity, listing::get, signup, waiting_list::promote};

/// Cancels a sign-up (the resident, its leader or staff): a freed seat goes to the first person
/// waiting, in the same transaction; leaving the waiting list is also a cancel.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    resident_id: Uuid,
) -> Result<signup::Model, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    let Target { on_behalf, .. } = resident_for(db, actor, &a, resident_id).await?;
    // Hold the activity row first: sign-ups and other cancellations of it wait for us.
    activity::Entity::update_many()
        .col_expr(activity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(activity::Column::Id.eq(activity_id))
        .exec(db)
        .await?;
    let s = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(activity_id))
        .filter(signup::Column::ResidentId.eq(resident_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let status = s.status;
    if !matches!(status, SignupStatus::Confirmed | SignupStatus::Waitlisted) || a.finished {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a sign-up that is {} cannot be cancelled", status.as_str()),
        ));
    }
    let now = Utc::now();
    signup::Entity::update_many()
        .col_expr(
            signup::Column::Status,
            Expr::value(SignupStatus::Cancelled.as_str()),
        )
        .col_expr(signup::Column::CancelledAt, Expr::value(now))
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .filter(signup::Column::Id.eq(s.id))
        .exec(db)
        .await?;
    if status == SignupStatus::Waitlisted {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::WaitlistLeft,
                Expr::col(activity::Column::WaitlistLeft).add(1),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .exec(db)
            .await?;
    }
    if status == SignupStatus::Confirmed {
        // The seat passes to the first person waiting; with nobody waiting it is freed.
        let promoted = promote(db, &a, 1).await?;
        if promoted == 0 {
            activity::Entity::update_many()
                .col_expr(
                    activity::Column::Confirmed,
                    Expr::col(activity::Column::Confirmed).sub(1),
                )
                .filter(activity::Column::Id.eq(activity_id))
                .exec(db)
                .await?;
        }
    }
    if on_behalf {
        actor
            .audit(a.site_id, "activity.cancel", "activity", activity_id)
            .on_behalf_of(resident_id)
            .record(db)
            .await?;
    }
    Ok(signup::Model {
        status: SignupStatus::Cancelled,
        cancelled_at: Some(now),
        updated_at: now,
        ..s
    })
}

/// Changes an activity's capacity (staff): more seats promote from the waiting list at once;
/// fewer than are taken is 409 `capacity_below_confirmed`.
pub async fn set_capacity<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    capacity: i32,
) -> Result<activity::Model, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    actor.manage(a.site_id)?;
    // Guarded: only when the new capacity still holds everyone confirmed.
    let changed = activity::Entity::update_many()
        .col_expr(activity::Column::Capacity, Expr::value(capacity))
        .col_expr(
            activity::Column::Version,
            Expr::col(activity::Column::Version).add(1),
        )
        .col_expr(activity::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(activity::Column::Id.eq(activity_id))
        .filter(activity::Column::Confirmed.lte(capacity))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::conflict(
            "capacity_below_confirmed",
            "more residents already have a seat than the new capacity",
        ));
    }
    let current = activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let free = u64::try_from(current.capacity - current.confirmed).unwrap_or(0);
    let promoted = promote(db, &current, free).await?;
    if promoted > 0 {
        activity::Entity::update_many()
            .col_expr(
                activity::Column::Confirmed,
                Expr::col(activity::Column::Confirmed).add(promoted as i32),
            )
            .filter(activity::Column::Id.eq(activity_id))
            .exec(db)
            .await?;
    }
    actor
        .audit(a.site_id, "activity.capacity", "activity", activity_id)
        .details(json!({ "capacity": capacity, "promoted": promoted }))
        .record(db)
        .await?;
    activity::Entity::find_by_id(activity_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}
