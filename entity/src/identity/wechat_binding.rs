//! Which WeChat user (the mini-program's openid, and the open platform's unionid when WeChat
//! gives one) signs in as which account. One WeChat user per account and one account per WeChat
//! user; a binding is made once, with proof of the account's phone, and removed by the resident
//! or by staff (audited).

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    entity::prelude::*,
};

use crate::{DomainError, audit::AuditEntry, error::is_unique_violation, kernel::Actor};

/// One binding.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_binding")]
pub struct Model {
    /// The account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The mini-program user's openid.
    #[sea_orm(unique)]
    pub openid: String,
    /// The open-platform unionid, when WeChat gives one.
    pub unionid: Option<String>,
    /// When it was made.
    pub created_at: DateTimeUtc,
}

no_relations!();

/// Who WeChat says the user is.
#[derive(Clone, PartialEq, Eq)]
pub struct WeChatUser {
    /// The openid under our mini-program.
    pub openid: String,
    /// The unionid, if the mini-program belongs to an open-platform account.
    pub unionid: Option<String>,
}

impl std::fmt::Debug for WeChatUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatUser")
            .field("unionid", &self.unionid.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// The account a WeChat user is bound to: by openid, or else by unionid (the same person
/// through another mini-program of the same open-platform account).
pub async fn account_of<C: ConnectionTrait>(
    db: &C,
    user: &WeChatUser,
) -> Result<Option<Uuid>, DbErr> {
    let mut condition = Condition::any().add(Column::Openid.eq(&user.openid));
    if let Some(unionid) = &user.unionid {
        condition = condition.add(Column::Unionid.eq(unionid));
    }
    Ok(Entity::find()
        .filter(condition)
        .all(db)
        .await?
        .into_iter()
        // An exact openid match wins over a unionid one.
        .min_by_key(|b| b.openid != user.openid)
        .map(|b| b.account_id))
}

/// Binds `user` to `account_id`: 409 `wechat_bound_elsewhere` when this WeChat user already
/// signs in as another account, 409 `account_has_wechat` when the account is bound to another
/// WeChat user (unbind first). Binding the same pair again changes nothing.
pub async fn bind<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    site_id: Option<Uuid>,
    user: &WeChatUser,
) -> Result<(), DomainError> {
    if let Some(existing) = Entity::find_by_id(account_id).one(db).await? {
        return if existing.openid == user.openid {
            Ok(())
        } else {
            Err(account_has_wechat())
        };
    }
    let row = ActiveModel {
        account_id: Set(account_id),
        openid: Set(user.openid.clone()),
        unionid: Set(user.unionid.clone()),
        created_at: Set(Utc::now()),
    };
    match Entity::insert(row).exec_without_returning(db).await {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            let by_account = Entity::find_by_id(account_id).one(db).await?;
            return Err(match by_account {
                Some(_) => account_has_wechat(),
                None => DomainError::conflict(
                    "wechat_bound_elsewhere",
                    "this WeChat user already signs in as another account",
                ),
            });
        }
        Err(e) => return Err(e.into()),
    }
    AuditEntry::new("account.wechat_bind", "account", account_id)
        .by(Some(account_id), "resident")
        .site(site_id)
        .details(serde_json::json!({ "unionid": user.unionid.is_some() }))
        .record(db)
        .await?;
    Ok(())
}

fn account_has_wechat() -> DomainError {
    DomainError::conflict(
        "account_has_wechat",
        "this account is bound to another WeChat user; unbind it first",
    )
}

/// Removes the WeChat binding of `account_id`, audited as done by `actor` (the resident, or
/// staff for it) with the reason; 404 when there is none. Grants the resident gave for
/// subscription messages go with it (they belong to that WeChat user).
pub async fn unbind<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    account_id: Uuid,
    site_id: Option<Uuid>,
    reason: Option<String>,
) -> Result<(), DomainError> {
    let removed = Entity::delete_many()
        .filter(Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(DomainError::NotFound);
    }
    crate::notify::wechat_grant::Entity::delete_many()
        .filter(crate::notify::wechat_grant::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    AuditEntry::new("account.wechat_unbind", "account", account_id)
        .by(actor.account_id, actor.role.as_str())
        .site(site_id)
        .reason(reason)
        .record(db)
        .await?;
    Ok(())
}
