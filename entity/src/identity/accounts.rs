//! Creating accounts and finding who may activate one.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::{Role, account};
use crate::{
    DomainError, crypto::PiiCipher, error::is_unique_violation, people::Phone, registry::resident,
};

/// What a new account is made of (the password already hashed).
#[derive(Debug, Clone)]
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

/// Inserts an account; a phone already in use is 409 `phone_taken`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewAccount,
) -> Result<account::Model, DomainError> {
    let model = account::Model {
        id: Uuid::now_v7(),
        phone: new.phone.as_str().to_owned(),
        password_hash: new.password_hash,
        role: new.role.as_str().to_owned(),
        site_id: new.site_id,
        resident_id: new.resident_id,
        disabled: false,
        created_at: Utc::now(),
        last_login_at: None,
    };
    let active = account::ActiveModel {
        id: Set(model.id),
        phone: Set(model.phone.clone()),
        password_hash: Set(model.password_hash.clone()),
        role: Set(model.role.clone()),
        site_id: Set(model.site_id),
        resident_id: Set(model.resident_id),
        disabled: Set(false),
        created_at: Set(model.created_at),
        last_login_at: Set(None),
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

/// The registered resident with this phone whose ID number ends in `last6` and who has no
/// account yet, if exactly such a resident exists. Several family members may share one phone;
/// the ID digits pick the person.
pub async fn activation_candidate<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
    last6: &str,
) -> Result<Option<resident::Model>, DbErr> {
    let candidates = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .all(db)
        .await?;
    for candidate in candidates {
        let Ok(number) = cipher.decrypt(&candidate.id_card_cipher) else {
            continue;
        };
        if number.len() == 18 && number[12..].eq_ignore_ascii_case(last6) {
            let taken = account::Entity::find()
                .filter(account::Column::ResidentId.eq(candidate.id))
                .count(db)
                .await?
                > 0;
            return Ok((!taken).then_some(candidate));
        }
    }
    Ok(None)
}
