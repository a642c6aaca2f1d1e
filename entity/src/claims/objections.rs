//! Objections during publicity and the staff decision on them.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, entity::prelude::*,
    sea_query::Expr,
};

use crate::{
    DomainError,
    kernel::Actor,
    points::{self},
    registry::scope::sites_of,
};

use super::{ClaimStatus, claim, crediting::credit_due, objection, steps::record_step};

pub(super) async fn objections_open<C: ConnectionTrait>(
    db: &C,
    claim_id: Uuid,
) -> Result<u64, DbErr> {
    objection::Entity::find()
        .filter(objection::Column::ClaimId.eq(claim_id))
        .filter(objection::Column::Status.is_in(["pending", "upheld"]))
        .count(db)
        .await
}

/// A resident of the site objects to a publicized (or credited) claim.
pub async fn object<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    claim_id: Uuid,
    reason: String,
) -> Result<objection::Model, DomainError> {
    let own = actor
        .scope
        .own()
        .ok_or(DomainError::Forbidden("only residents of the site object"))?;
    let c = claim::Entity::find_by_id(claim_id)
        .filter(claim::Column::SiteId.eq(own.site_id))
        .filter(claim::Column::Status.is_in([
            ClaimStatus::Publicized.as_str(),
            ClaimStatus::Credited.as_str(),
        ]))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let model = objection::Model {
        id: Uuid::now_v7(),
        claim_id,
        site_id: c.site_id,
        resident_id: own.resident_id,
        reason,
        status: "pending".into(),
        decided_by: None,
        decided_at: None,
        created_at: Utc::now(),
    };
    objection::Entity::insert(objection::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

/// Staff decide an objection. Upheld: the claim is rejected with the reason, and points already
/// credited are reversed by a correction entry (down to zero; the shortfall is recorded).
/// Dismissed: a claim whose window has closed with nothing else open is credited at once.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    objection_id: Uuid,
    uphold: bool,
    reason: Option<String>,
) -> Result<objection::Model, DomainError> {
    let o = objection::Entity::find_by_id(objection_id)
        .filter(sites_of(&actor.scope, objection::Column::SiteId))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    actor.manage(o.site_id)?;
    let now = Utc::now();
    let status = if uphold { "upheld" } else { "dismissed" };
    let decided = objection::Entity::update_many()
        .col_expr(objection::Column::Status, Expr::value(status))
        .col_expr(objection::Column::DecidedBy, Expr::value(actor.account_id))
        .col_expr(objection::Column::DecidedAt, Expr::value(now))
        .filter(objection::Column::Id.eq(objection_id))
        .filter(objection::Column::Status.eq("pending"))
        .exec(db)
        .await?;
    if decided.rows_affected != 1 {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("this objection is already {}", o.status),
        ));
    }
    let c = claim::Entity::find_by_id(o.claim_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let why = reason.unwrap_or_else(|| o.reason.clone());
    if uphold {
        let from = c.status;
        let rejected = claim::Entity::update_many()
            .col_expr(
                claim::Column::Status,
                Expr::value(ClaimStatus::Rejected.as_str()),
            )
            .col_expr(claim::Column::StatusReason, Expr::value(Some(why.clone())))
            .col_expr(claim::Column::UpdatedAt, Expr::value(now))
            .filter(claim::Column::Id.eq(c.id))
            .filter(claim::Column::Status.is_in([
                ClaimStatus::Publicized.as_str(),
                ClaimStatus::Credited.as_str(),
            ]))
            .exec(db)
            .await?;
        if rejected.rows_affected == 1 {
            record_step(
                db,
                c.id,
                from.as_str(),
                ClaimStatus::Rejected,
                Some(actor),
                Some(why.clone()),
            )
            .await?;
            if from == ClaimStatus::Credited {
                points::reverse(
                    db,
                    c.household_id,
                    c.site_id,
                    c.points.unwrap_or(0),
                    c.id,
                    why,
                    actor.account_id,
                )
                .await?;
            }
        }
    } else if c.status == ClaimStatus::Publicized {
        credit_due(db, c.id).await?;
    }
    Ok(objection::Model {
        status: status.to_owned(),
        decided_by: Some(actor.account_id),
        decided_at: Some(now),
        ..o
    })
}
