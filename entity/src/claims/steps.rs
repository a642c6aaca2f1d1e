//! The step machine: who may move a claim which step, recorded in `point_claim_step`.

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, entity::prelude::*, sea_query::Expr,
};

use crate::{
    DomainError,
    kernel::{Actor, Scope},
    messaging::{schedule, tasks::CreditClaim},
    points::{self, EntryKind, Posting},
};

use super::{ClaimStatus, claim, listing::get, objections::objections_open, step};

/// What someone does to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimAction {
    /// The group leader or staff confirm the facts and set the points.
    Verify,
    /// Staff enter it in the register.
    Register,
    /// Staff post it for objections.
    Publicize,
    /// Points enter the account (the scheduler when the window closes, or staff after it).
    Credit,
    /// Staff (or the leader, before registration) reject it with a reason.
    Reject,
}

impl ClaimAction {
    /// Every transition rule in one place.
    pub fn next(self, from: ClaimStatus) -> Option<ClaimStatus> {
        use ClaimStatus::*;
        match (self, from) {
            (Self::Verify, Applied) => Some(Verified),
            (Self::Register, Verified) => Some(Registered),
            (Self::Publicize, Registered) => Some(Publicized),
            (Self::Credit, Publicized) => Some(Credited),
            (Self::Reject, Applied | Verified | Registered | Publicized) => Some(Rejected),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Verify => "verified",
            Self::Register => "registered",
            Self::Publicize => "publicized",
            Self::Credit => "credited",
            Self::Reject => "rejected",
        }
    }
}

/// Default publicity window, in days.
pub const DEFAULT_PUBLICITY_DAYS: i64 = 3;

pub(super) fn leads(actor: &Actor, group_id: Uuid) -> bool {
    matches!(&actor.scope, Scope::Groups { group_ids, .. } if group_ids.contains(&group_id))
}

pub(super) async fn record_step<C: ConnectionTrait>(
    db: &C,
    claim_id: Uuid,
    from: &str,
    to: ClaimStatus,
    actor: Option<&Actor>,
    reason: Option<String>,
) -> Result<(), DbErr> {
    step::Entity::insert(step::ActiveModel::from(step::Model {
        id: Uuid::now_v7(),
        claim_id,
        from_status: from.to_owned(),
        to_status: to.as_str().to_owned(),
        actor_account_id: actor.map(|a| a.account_id),
        actor_role: actor.map_or("system", |a| a.role.as_str()).to_owned(),
        reason,
        created_at: Utc::now(),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Options of a step.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Points (verification), within the category's range at the site.
    pub points: Option<i32>,
    /// Why (rejection: required).
    pub reason: Option<String>,
    /// Publicity window in days (default 3).
    pub days: Option<i64>,
}

/// Moves a claim one step (`actor` None: the scheduler). Illegal moves are 409
/// `illegal_transition`; crediting while an objection is pending is 409 `objection_pending`;
/// crediting before the window closes is 409 `publicity_open`.
pub async fn act<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    id: Uuid,
    action: ClaimAction,
    input: StepInput,
) -> Result<claim::Model, DomainError> {
    let c = match actor {
        Some(a) => get(db, &a.scope, id).await?.0,
        None => claim::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?,
    };
    if let Some(a) = actor {
        let leader_may = leads(a, c.group_id)
            && matches!(action, ClaimAction::Verify | ClaimAction::Reject)
            && c.status == ClaimStatus::Applied;
        if !leader_may {
            a.manage(c.site_id)?;
        }
        // Conflicts of interest: nobody approves a claim they filed, and nobody verifies or
        // registers one of their own household.
        let approves = matches!(action, ClaimAction::Verify | ClaimAction::Register);
        if approves && c.submitted_by == a.account_id {
            return Err(DomainError::conflict(
                "own_claim",
                "a claim is approved by someone other than the person who filed it",
            ));
        }
        let own_household = a.household_id == Some(c.household_id)
            || matches!(&a.scope, Scope::Own(own) | Scope::Groups { own, .. } if own.household_id == c.household_id);
        if own_household && matches!(action, ClaimAction::Verify | ClaimAction::Register) {
            return Err(DomainError::conflict(
                "own_household_claim",
                "a claim of one's own household is verified and registered by someone else",
            ));
        }
    }
    let from = c.status;
    let Some(to) = action.next(from) else {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} claim cannot be {}", from.as_str(), action.name()),
        ));
    };
    let now = Utc::now();
    let mut points = c.points;
    let mut ends = c.publicity_ends_at;
    match action {
        ClaimAction::Verify => {
            let category = c.category;
            let range = points::categories(db, c.site_id)
                .await?
                .into_iter()
                .find(|r| r.category == category)
                .map_or(category.default_range(), |r| (r.min_points, r.max_points));
            let p = input.points.unwrap_or(range.0);
            if p < range.0 || p > range.1 {
                return Err(DomainError::invalid(
                    "points",
                    format!("must be {}–{} for this category", range.0, range.1),
                ));
            }
            points = Some(p);
        }
        ClaimAction::Publicize => {
            let days = input.days.unwrap_or(DEFAULT_PUBLICITY_DAYS);
            if !(1..=30).contains(&days) {
                return Err(DomainError::invalid("days", "must be 1–30"));
            }
            ends = Some(now + Duration::days(days));
        }
        ClaimAction::Credit => {
            if objections_open(db, id).await? > 0 {
                return Err(DomainError::conflict(
                    "objection_pending",
                    "an objection is pending or upheld; decide it first",
                ));
            }
            if ends.is_some_and(|e| e > now) {
                return Err(DomainError::conflict(
                    "publicity_open",
                    "the publicity window has not closed yet",
                ));
            }
        }
        ClaimAction::Reject if input.reason.is_none() => {
            return Err(DomainError::invalid("reason", "a reason is required"));
        }
        _ => {}
    }
    DomainError::update_one(
        claim::Entity::update_many()
            .col_expr(claim::Column::Status, Expr::value(to.as_str()))
            .col_expr(claim::Column::Points, Expr::value(points))
            .col_expr(claim::Column::PublicityEndsAt, Expr::value(ends))
            .col_expr(
                claim::Column::StatusReason,
                Expr::value(if to == ClaimStatus::Rejected {
                    input.reason.clone()
                } else {
                    c.status_reason.clone()
                }),
            )
            .col_expr(claim::Column::UpdatedAt, Expr::value(now))
            .filter(claim::Column::Id.eq(id))
            .filter(claim::Column::Status.eq(from.as_str())),
        db,
        "the claim changed meanwhile; retry",
    )
    .await?;
    record_step(db, id, from.as_str(), to, actor, input.reason.clone()).await?;
    if let (ClaimAction::Publicize, Some(at)) = (action, ends) {
        schedule::task(
            db,
            &CreditClaim { claim_id: id },
            at,
            Some(format!("claim:{id}:credit")),
        )
        .await?;
    }
    if action == ClaimAction::Credit {
        points::post(
            db,
            Posting {
                household_id: c.household_id,
                site_id: c.site_id,
                kind: EntryKind::Credit,
                amount: points.unwrap_or(0),
                reference_type: "claim",
                reference_id: Some(id),
                reason: Some(c.description.clone()),
                actor: actor.map(|a| a.account_id),
            },
        )
        .await?;
    }
    Ok(claim::Model {
        status: to,
        points,
        publicity_ends_at: ends,
        status_reason: if to == ClaimStatus::Rejected {
            input.reason
        } else {
            c.status_reason.clone()
        },
        updated_at: now,
        ..c
    })
}
