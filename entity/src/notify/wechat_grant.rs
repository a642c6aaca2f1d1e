//! One-time subscription grants (一次性订阅): each time a resident accepts a template in the
//! mini-program's `wx.requestSubscribeMessage`, WeChat allows one message of that template; the
//! app reports the acceptances and each send uses one up. Counted per account and template.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, OnConflict},
};

/// Most unused grants kept per template (WeChat itself keeps no more than that at a time).
pub const MAX_REMAINING: i32 = 50;

/// The grants of one account for one template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_grant")]
pub struct Model {
    /// The account (bound to WeChat).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The template.
    #[sea_orm(primary_key, auto_increment = false)]
    pub template_id: String,
    /// Sends still allowed.
    pub remaining: i32,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

no_relations!();

/// Adds `count` grants of `template_id` (at most [`MAX_REMAINING`] kept); returns how many
/// remain.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    template_id: &str,
    count: i32,
) -> Result<i32, DbErr> {
    let now = Utc::now();
    Entity::insert(ActiveModel {
        account_id: Set(account_id),
        template_id: Set(template_id.to_owned()),
        remaining: Set(Ord::min(count, MAX_REMAINING)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([Column::AccountId, Column::TemplateId])
            .value(
                Column::Remaining,
                Expr::col((Entity, Column::Remaining)).add(count),
            )
            .value(Column::UpdatedAt, Expr::val(now))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Entity::update_many()
        .col_expr(Column::Remaining, Expr::value(MAX_REMAINING))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::TemplateId.eq(template_id))
        .filter(Column::Remaining.gt(MAX_REMAINING))
        .exec(db)
        .await?;
    Ok(Entity::find_by_id((account_id, template_id.to_owned()))
        .one(db)
        .await?
        .map_or(0, |g| g.remaining))
}

/// Uses one grant of `template_id` if there is one (a conditional update, so two senders never
/// use the same grant); whether one was used.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    template_id: &str,
) -> Result<bool, DbErr> {
    let taken = Entity::update_many()
        .col_expr(Column::Remaining, Expr::col(Column::Remaining).sub(1))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::TemplateId.eq(template_id))
        .filter(Column::Remaining.gt(0))
        .exec(db)
        .await?
        .rows_affected;
    Ok(taken == 1)
}

/// Forgets the grants of `template_id`: WeChat refused a send (43101), so the resident has none.
pub async fn clear<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    template_id: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Remaining, Expr::value(0))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::TemplateId.eq(template_id))
        .exec(db)
        .await?;
    Ok(())
}
