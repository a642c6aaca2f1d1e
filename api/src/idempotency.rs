//! `Idempotency-Key` for POSTs that create something.
//!
//! The first request with a key claims it (an `in_progress` row, committed at once so concurrent
//! requests see it), runs, and stores its response **in the same transaction as its own writes**.
//! So a key that is still `in_progress` always means the work has not committed: if the request
//! died, its lease runs out and a retry may safely take the key over. The same key with the same
//! request replays the stored response; with a different request it is 422; while the first
//! request still runs, a second one gets 409. Keys are kept 24 hours. Stored bodies (which hold
//! residents' data) are encrypted under the PII key.

use std::{future::Future, pin::Pin};

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web::Bytes,
};
use chrono::{Duration, Utc};
use entity::{Db, crypto::PiiCipher, platform::idempotency_key};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    sea_query::OnConflict,
};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, extract::RawBody};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header set on a replayed response.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);
/// How long a running request holds its key before a retry may take it over. Longer than any
/// request may run, so a live request is never overtaken.
pub const LEASE: Duration = Duration::seconds(60);

const IN_PROGRESS: &str = "in_progress";
const COMPLETED: &str = "completed";

/// A client's idempotency key: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Reads the key from the request, if it sent one.
    pub fn from_request(req: &HttpRequest) -> Result<Option<Self>, ApiError> {
        let Some(value) = req.headers().get(HEADER) else {
            return Ok(None);
        };
        let invalid = || ApiError::InvalidHeader {
            name: "Idempotency-Key",
            detail: "must be 1 to 255 visible ASCII characters".into(),
        };
        let text = value.to_str().map_err(|_| invalid())?;
        if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid());
        }
        Ok(Some(Self(text.to_owned())))
    }
}

/// What identifies "the same request": method, path and query, and the body the JSON extractor
/// read.
pub fn fingerprint(req: &HttpRequest) -> String {
    let body = req
        .extensions()
        .get::<RawBody>()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update(b"\n");
    hash.update(req.uri().path_and_query().map_or("", |p| p.as_str()));
    hash.update(b"\n");
    hash.update(&body);
    entity::crypto::hex(&hash.finalize())
}

/// A response as the idempotency store keeps it.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// The status.
    pub status: StatusCode,
    /// The content type.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl StoredResponse {
    /// A JSON response.
    pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Result<Self, ApiError> {
        Ok(Self {
            status,
            content_type: "application/json".into(),
            body: Bytes::from(serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?),
        })
    }

    fn into_response(self, replayed: bool) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, self.content_type));
        if replayed {
            builder.insert_header((REPLAYED_HEADER, "true"));
        }
        builder.body(self.body)
    }
}

/// The outcome of presenting a key.
enum Claim {
    /// This request holds the key and must run.
    Run,
    /// The stored response of an earlier identical request.
    Replay(StoredResponse),
}

/// Work that runs in one write transaction and yields the response to store.
pub type Work<'t> = Pin<Box<dyn Future<Output = Result<StoredResponse, ApiError>> + 't>>;

/// Runs `work` in a write transaction, honouring the request's `Idempotency-Key` if it sent one.
///
/// `scope` separates callers (the account id, or the client address for anonymous requests), so
/// one caller's keys never collide with another's.
pub async fn execute<F>(
    db: &Db,
    cipher: &PiiCipher,
    key: Option<IdempotencyKey>,
    scope: &str,
    fingerprint: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> Work<'t>,
{
    let Some(key) = key else {
        let txn = db.begin().await?;
        let response = work(&txn).await?;
        txn.commit().await?;
        return Ok(response.into_response(false));
    };
    match claim(db, cipher, scope, &key, fingerprint).await? {
        Claim::Replay(stored) => Ok(stored.into_response(true)),
        Claim::Run => {
            let txn = db.begin().await?;
            match work(&txn).await {
                Ok(response) => {
                    complete(&txn, cipher, scope, &key, &response).await?;
                    txn.commit().await?;
                    Ok(response.into_response(false))
                }
                Err(error) => {
                    txn.rollback().await?;
                    // Failures are not stored: the client may retry with the same key.
                    release(db, scope, &key).await?;
                    Err(error)
                }
            }
        }
    }
}

async fn claim(
    db: &Db,
    cipher: &PiiCipher,
    scope: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Claim, ApiError> {
    // A few rounds at most: a round ends early after removing an expired key or losing the race
    // to insert it.
    for _ in 0..3 {
        let now = Utc::now();
        // Look on the read pool first: a replay or a key in use is answered without waiting for
        // the writer (on SQLite the writer may be busy with the very request that holds the key).
        let existing = idempotency_key::Entity::find_by_id((scope.to_owned(), key.0.clone()))
            .one(db.conn())
            .await?;
        match existing {
            Some(row) if row.expires_at < now => {
                idempotency_key::Entity::delete_many()
                    .filter(idempotency_key::Column::Scope.eq(scope))
                    .filter(idempotency_key::Column::Key.eq(&key.0))
                    .filter(idempotency_key::Column::ExpiresAt.lt(now))
                    .exec(db.writer())
                    .await?;
            }
            Some(row) => {
                if row.request_hash != fingerprint {
                    return Err(ApiError::IdempotencyKeyReused);
                }
                if row.state == COMPLETED {
                    return Ok(Claim::Replay(stored_response(cipher, row)?));
                }
                if row.locked_until > now {
                    return Err(ApiError::IdempotencyKeyInUse);
                }
                return take_over(db, scope, key, &row, now).await;
            }
            None => {
                if insert_in_progress(db, scope, key, fingerprint, now).await? {
                    return Ok(Claim::Run);
                }
            }
        }
    }
    Err(ApiError::IdempotencyKeyInUse)
}

/// Inserts the key as in progress; `false` when another request inserted it first.
async fn insert_in_progress(
    db: &Db,
    scope: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
    now: chrono::DateTime<Utc>,
) -> Result<bool, ApiError> {
    let row = idempotency_key::ActiveModel {
        scope: Set(scope.to_owned()),
        key: Set(key.0.clone()),
        request_hash: Set(fingerprint.to_owned()),
        state: Set(IN_PROGRESS.to_owned()),
        response_status: Set(None),
        response_content_type: Set(None),
        response_body: Set(None),
        locked_until: Set(now + LEASE),
        created_at: Set(now),
        expires_at: Set(now + RETENTION),
    };
    let inserted = idempotency_key::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([idempotency_key::Column::Scope, idempotency_key::Column::Key])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db.writer())
        .await?;
    Ok(inserted == 1)
}

/// The holder of `row` died before committing (its work rolled back, its lease is over): take the
/// key over, unless another retry already did.
async fn take_over(
    db: &Db,
    scope: &str,
    key: &IdempotencyKey,
    row: &idempotency_key::Model,
    now: chrono::DateTime<Utc>,
) -> Result<Claim, ApiError> {
    let taken = idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::LockedUntil,
            sea_orm::sea_query::Expr::value(now + LEASE),
        )
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(&key.0))
        .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
        .filter(idempotency_key::Column::LockedUntil.eq(row.locked_until))
        .exec(db.writer())
        .await?;
    if taken.rows_affected == 1 {
        Ok(Claim::Run)
    } else {
        Err(ApiError::IdempotencyKeyInUse)
    }
}

fn stored_response(
    cipher: &PiiCipher,
    row: idempotency_key::Model,
) -> Result<StoredResponse, ApiError> {
    let status = row
        .response_status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "completed idempotency key without a status"
            ))
        })?;
    let sealed = row.response_body.unwrap_or_default();
    // Bodies stored before they were encrypted (JSON, so never starting with the cipher's
    // version byte 1) replay as they are until their 24 hours are over.
    let body = if sealed.first() == Some(&1) {
        cipher
            .decrypt_bytes(&sealed)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored idempotent response: {e}")))?
    } else {
        sealed
    };
    Ok(StoredResponse {
        status,
        content_type: row.response_content_type.unwrap_or_default(),
        body: Bytes::from(body),
    })
}

async fn complete(
    txn: &DatabaseTransaction,
    cipher: &PiiCipher,
    scope: &str,
    key: &IdempotencyKey,
    response: &StoredResponse,
) -> Result<(), ApiError> {
    use sea_orm::sea_query::Expr;
    let updated = idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::State, Expr::value(COMPLETED))
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i16::try_from(response.status.as_u16()).unwrap_or(500)),
        )
        .col_expr(
            idempotency_key::Column::ResponseContentType,
            Expr::value(response.content_type.clone()),
        )
        .col_expr(
            idempotency_key::Column::ResponseBody,
            Expr::value(cipher.encrypt_bytes(&response.body)),
        )
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(&key.0))
        .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        Ok(())
    } else {
        // Our lease ran out and another request took the key over and finished: ours must not
        // commit a second time.
        Err(ApiError::IdempotencyKeyInUse)
    }
}

async fn release(db: &Db, scope: &str, key: &IdempotencyKey) -> Result<(), ApiError> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::Scope.eq(scope))
        .filter(idempotency_key::Column::Key.eq(&key.0))
        .filter(idempotency_key::Column::State.eq(IN_PROGRESS))
        .exec(db.writer())
        .await?;
    Ok(())
}
