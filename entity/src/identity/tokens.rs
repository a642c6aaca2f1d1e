//! Refresh-token rotation. A refresh token is 256 random bits, given to the client once and stored
//! only as its SHA-256. Each use exchanges it for a new one in the same family; presenting a token
//! that was already used means it was copied, so the whole family (the login session) is revoked.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{account, refresh_token};
use crate::Db;

/// How long a refresh token stays valid.
pub const REFRESH_LIFETIME: Duration = Duration::days(30);

/// Why a refresh token was refused (the client sees one answer for all of them).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, expired or revoked, or its account is disabled.
    #[error("the refresh token is invalid or expired")]
    Invalid,
    /// Already used: the family has been revoked.
    #[error("the refresh token was already used; the session has been revoked")]
    Reused,
}

fn token_hash(token: &str) -> String {
    crate::crypto::sha256_hex(token.as_bytes())
}

/// Issues a new refresh token in `family` and returns it (the only time it exists in clear).
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    family: Uuid,
) -> Result<String, DbErr> {
    let token = URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>());
    let now = Utc::now();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        family_id: Set(family),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + REFRESH_LIFETIME),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

/// Exchanges `presented` for a new token of the same family; returns the account and the token.
pub async fn rotate(
    db: &Db,
    presented: &str,
) -> Result<Result<(account::Model, String), RefreshError>, DbErr> {
    let now = Utc::now();
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db.conn())
        .await?
    else {
        return Ok(Err(RefreshError::Invalid));
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(Err(RefreshError::Invalid));
    }
    let txn = db.begin().await?;
    // Marking it used is the guard: of two concurrent exchanges only one changes the row.
    let marked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(db, row.family_id).await?;
        tracing::warn!(family = %row.family_id, "refresh token reused: session revoked");
        return Ok(Err(RefreshError::Reused));
    }
    let Some(account) = account::Entity::find_by_id(row.account_id)
        .one(&txn)
        .await?
        .filter(|a| !a.disabled)
    else {
        txn.rollback().await?;
        return Ok(Err(RefreshError::Invalid));
    };
    let token = issue(&txn, account.id, row.family_id).await?;
    txn.commit().await?;
    Ok(Ok((account, token)))
}

/// Revokes every token of the family `presented` belongs to (logout). Unknown tokens are ignored,
/// so logout never tells whether a token existed.
pub async fn logout(db: &Db, presented: &str) -> Result<(), DbErr> {
    if let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db.conn())
        .await?
    {
        revoke_family(db, row.family_id).await?;
    }
    Ok(())
}

async fn revoke_family(db: &Db, family: Uuid) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db.writer())
        .await?;
    Ok(())
}
