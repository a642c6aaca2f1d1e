//! Refresh tokens, rotated in families. A login starts a family (a session) with a random
//! 256-bit token, given to the client once and stored only as its SHA-256. Each use exchanges it
//! for a successor in the same family. Presenting a used token again means it was copied, so the
//! family is revoked, except that a retry within a few seconds (a phone that lost the answer)
//! gets the same successor again: successors are derived from their predecessor under a server
//! key, so the answer can be repeated without keeping tokens in clear.
//!
//! A token is valid only while its family is; every rotation first takes the family's row
//! (a guarded update), and revocation changes that row, so no rotation running concurrently
//! with a revocation can hand out a token that outlives it.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{account, refresh_family, refresh_token};
use crate::{Db, crypto::PiiCipher};

/// How long a refresh token stays valid.
pub const REFRESH_LIFETIME: Duration = Duration::days(30);
/// How long after a rotation the same token may be presented again and get the same successor.
pub const REUSE_GRACE: Duration = Duration::seconds(10);

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

/// The successor of `token`: a keyed hash of it, so the same token always has the same one.
fn successor_of(cipher: &PiiCipher, token: &str) -> String {
    cipher.lookup_hash(&format!("refresh successor {token}"))
}

async fn insert_token<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    family: Uuid,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        family_id: Set(family),
        token_hash: Set(token_hash(token)),
        created_at: Set(now),
        expires_at: Set(now + REFRESH_LIFETIME),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Starts a session for `account_id` and returns its first refresh token (the only time it
/// exists in clear).
pub async fn start_session<C: ConnectionTrait>(db: &C, account_id: Uuid) -> Result<String, DbErr> {
    let now = Utc::now();
    let family = Uuid::now_v7();
    refresh_family::Entity::insert(refresh_family::ActiveModel {
        id: Set(family),
        account_id: Set(account_id),
        created_at: Set(now),
        rotated_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    let token = URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>()?);
    insert_token(db, account_id, family, &token, now).await?;
    Ok(token)
}

/// Exchanges `presented` for its successor; returns the account and the new token.
pub async fn rotate(
    db: &Db,
    cipher: &PiiCipher,
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
    if row.expires_at <= now {
        return Ok(Err(RefreshError::Invalid));
    }
    let txn = db.begin().await?;
    // Taking the family's row orders this rotation against any revocation of the family.
    let live = refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::RotatedAt, Expr::value(now))
        .filter(refresh_family::Column::Id.eq(row.family_id))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if live.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(Err(RefreshError::Invalid));
    }
    let Some(account) = account::Entity::find_by_id(row.account_id)
        .one(&txn)
        .await?
        .filter(|a| !a.disabled)
    else {
        txn.rollback().await?;
        return Ok(Err(RefreshError::Invalid));
    };
    let successor = successor_of(cipher, presented);
    // Marking it used is the guard: of two concurrent exchanges only one changes the row.
    let marked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected == 1 {
        insert_token(&txn, account.id, row.family_id, &successor, now).await?;
        txn.commit().await?;
        return Ok(Ok((account, successor)));
    }
    // Used before. A retry within the grace gets the same successor, as long as that has not
    // been used itself; anything else is a copied token, and the session ends.
    let used_at = refresh_token::Entity::find_by_id(row.id)
        .one(&txn)
        .await?
        .and_then(|r| r.used_at);
    if used_at.is_some_and(|at| now - at <= REUSE_GRACE) {
        let next = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash(&successor)))
            .filter(refresh_token::Column::FamilyId.eq(row.family_id))
            .one(&txn)
            .await?;
        if next.is_some_and(|n| n.used_at.is_none()) {
            txn.commit().await?;
            return Ok(Ok((account, successor)));
        }
    }
    revoke_family(&txn, row.family_id, now).await?;
    txn.commit().await?;
    tracing::warn!(family = %row.family_id, "refresh token reused: session revoked");
    Ok(Err(RefreshError::Reused))
}

/// Ends the session `presented` belongs to (logout) and returns its account. Unknown tokens are
/// ignored, so logout never tells whether a token existed.
pub async fn logout(db: &Db, presented: &str) -> Result<Option<Uuid>, DbErr> {
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    revoke_family(db.writer(), row.family_id, Utc::now()).await?;
    Ok(Some(row.account_id))
}

/// Ends every session of an account (password changed, account disabled).
pub async fn revoke_all<C: ConnectionTrait>(db: &C, account_id: Uuid) -> Result<(), DbErr> {
    refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_family::Column::AccountId.eq(account_id))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_family<C: ConnectionTrait>(
    db: &C,
    family: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::RevokedAt, Expr::value(now))
        .filter(refresh_family::Column::Id.eq(family))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
