//! Creating accounts and finding who may activate one.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::account;
use crate::kernel::Role;
use crate::{
    DomainError, audit,
    crypto::PiiCipher,
    error::is_unique_violation,
    kernel::Actor,
    kernel::Scope,
    page::{Page, PageRequest},
    people::Phone,
    registry::resident,
};

/// What a new account is made of (the password already hashed).
#[derive(Clone)]
pub struct NewAccount {
    /// The login phone.
    pub phone: Phone,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The role.
    pub role: Role,
    /// The site, for site-bound roles and residents.
    pub site_id: Option<Uuid>,
    /// The resident, for residents.
    pub resident_id: Option<Uuid>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("phone", &self.phone.masked())
            .field("role", &self.role)
            .field("site_id", &self.site_id)
            .finish_non_exhaustive()
    }
}

/// Inserts an account; a phone already in use is 409 `phone_taken`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewAccount,
) -> Result<account::Model, DomainError> {
    let model = account::Model {
        id: Uuid::now_v7(),
        phone: new.phone.as_str().to_owned(),
        password_hash: new.password_hash,
        role: new.role,
        site_id: new.site_id,
        resident_id: new.resident_id,
        disabled: false,
        created_at: Utc::now(),
        last_login_at: None,
        session_version: 0,
    };
    let active = account::ActiveModel {
        id: Set(model.id),
        phone: Set(model.phone.clone()),
        password_hash: Set(model.password_hash.clone()),
        role: Set(model.role),
        site_id: Set(model.site_id),
        resident_id: Set(model.resident_id),
        disabled: Set(false),
        created_at: Set(model.created_at),
        last_login_at: Set(None),
        session_version: Set(0),
    };
    match account::Entity::insert(active)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(model),
        Err(e) if is_unique_violation(&e) => Err(DomainError::conflict(
            "phone_taken",
            "an account with this phone number already exists",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The account for a phone number.
pub async fn find_by_phone<C: ConnectionTrait>(
    db: &C,
    phone: &Phone,
) -> Result<Option<account::Model>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(db)
        .await
}

/// Whether any platform administrator exists.
pub async fn platform_admin_exists<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::Role.eq(Role::PlatformAdmin.as_str()))
        .count(db)
        .await?
        > 0)
}

/// The registered residents with this phone who have no account yet, each with the last six
/// characters of its ID number (several family members may share one phone; those pick the
/// person).
pub async fn activation_candidates<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
) -> Result<Vec<(resident::Model, String)>, DbErr> {
    let candidates = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let taken = account::Entity::find()
            .filter(account::Column::ResidentId.eq(candidate.id))
            .count(db)
            .await?
            > 0;
        if taken {
            continue;
        }
        let Ok(number) = cipher.decrypt(&candidate.id_card_cipher) else {
            continue;
        };
        let last6 = number
            .char_indices()
            .nth(12)
            .map(|(i, _)| number[i..].to_ascii_uppercase())
            .unwrap_or_default();
        out.push((candidate, last6));
    }
    Ok(out)
}

/// Whether `phone` belongs to an account or to a registered resident (who may yet activate
/// one): an employer may not take it.
pub async fn phone_in_use<C: ConnectionTrait>(db: &C, phone: &Phone) -> Result<bool, DbErr> {
    if find_by_phone(db, phone).await?.is_some() {
        return Ok(true);
    }
    Ok(resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Disables or enables an account. Disabling raises its session version and ends its sessions,
/// so its access tokens stop at their next request and its refresh tokens at once. `false`
/// when the account does not exist.
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    disabled: bool,
) -> Result<bool, DbErr> {
    let mut update = account::Entity::update_many()
        .col_expr(account::Column::Disabled, Expr::value(disabled))
        .filter(account::Column::Id.eq(account_id));
    if disabled {
        update = update.col_expr(
            account::Column::SessionVersion,
            Expr::col(account::Column::SessionVersion).add(1),
        );
    }
    let changed = update.exec(db).await?.rows_affected == 1;
    if changed && disabled {
        super::tokens::revoke_all(db, account_id).await?;
    }
    Ok(changed)
}

/// Sets a new password hash; raises the session version and ends every session, so tokens
/// issued before stop working.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    password_hash: String,
) -> Result<(), DbErr> {
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(
            account::Column::SessionVersion,
            Expr::col(account::Column::SessionVersion).add(1),
        )
        .filter(account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    super::tokens::revoke_all(db, account_id).await
}

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Only this site's (platform administrators; site administrators always see their own).
    pub site_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<Role>,
    /// Only disabled (enabled) accounts.
    pub disabled: Option<bool>,
    /// Only the account of this phone.
    pub phone: Option<Phone>,
}

/// The site an administrator manages accounts of: `None` for a platform administrator (every
/// account), the site for a site administrator; others may not.
fn account_admin_site(actor: &Actor) -> Result<Option<Uuid>, DomainError> {
    match (actor.role, &actor.scope) {
        (Role::PlatformAdmin, _) => Ok(None),
        (Role::SiteAdmin, Scope::Site(site)) => Ok(Some(*site)),
        _ => Err(DomainError::Forbidden(
            "only administrators manage accounts",
        )),
    }
}

/// Accounts an administrator manages, oldest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AccountFilter,
    page: &PageRequest<Uuid>,
) -> Result<Page<account::Model>, DomainError> {
    let mut select = account::Entity::find();
    match account_admin_site(actor)? {
        Some(site) => select = select.filter(account::Column::SiteId.eq(site)),
        None => {
            if let Some(site) = filter.site_id {
                select = select.filter(account::Column::SiteId.eq(site));
            }
        }
    }
    if let Some(role) = filter.role {
        select = select.filter(account::Column::Role.eq(role.as_str()));
    }
    if let Some(disabled) = filter.disabled {
        select = select.filter(account::Column::Disabled.eq(disabled));
    }
    if let Some(phone) = &filter.phone {
        select = select.filter(account::Column::Phone.eq(phone.as_str()));
    }
    Ok(crate::page::page_by_id(db, select, account::Column::Id, page, |a| a.id).await?)
}

/// Disables or enables an account (site administrators for accounts of their site, platform
/// administrators for any), audited with the reason. A disabled account's tokens stop at their
/// next request and its sessions end; nobody disables their own account.
pub async fn set_state<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    disabled: bool,
    reason: Option<String>,
) -> Result<account::Model, DomainError> {
    let site = account_admin_site(actor)?;
    let target = account::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| site.is_none() || a.site_id == site)
        .ok_or(DomainError::NotFound)?;
    if target.id == actor.account_id {
        return Err(DomainError::conflict(
            "cannot_disable_self",
            "administrators do not disable or enable their own account",
        ));
    }
    set_disabled(db, id, disabled).await?;
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    audit::AuditEntry::new(action, "account", id)
        .by(actor.account_id, actor.role.as_str())
        .site(target.site_id)
        .reason(reason)
        .details(serde_json::json!({ "role": target.role }))
        .record(db)
        .await?;
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}
