//! The error of domain functions; the api maps each variant to one problem+json response.

use std::collections::BTreeMap;

/// Why a domain operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The object does not exist or is outside the caller's scope (the two are indistinguishable).
    #[error("no such resource")]
    NotFound,
    /// The caller's role may not do this at all.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request conflicts with the current state (a stable `code` names the rule).
    #[error("{detail}")]
    Conflict {
        /// Stable snake_case code, e.g. `duplicate_name`.
        code: &'static str,
        /// English explanation.
        detail: String,
    },
    /// Field path -> what is wrong.
    #[error("the request is invalid")]
    Invalid(BTreeMap<String, String>),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl DomainError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(BTreeMap::from([(field.into(), message.into())]))
    }

    /// A conflict with a stable code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// Runs an update guarded by what was read (the row's id and its status or version as read):
    /// `Ok` when it changed exactly that row; otherwise someone changed the row meanwhile: 409
    /// `concurrent_change` with `detail`.
    pub async fn update_one<E: sea_orm::EntityTrait, C: sea_orm::ConnectionTrait>(
        update: sea_orm::UpdateMany<E>,
        db: &C,
        detail: &str,
    ) -> Result<(), Self> {
        if update.exec(db).await?.rows_affected == 1 {
            Ok(())
        } else {
            Err(Self::conflict("concurrent_change", detail))
        }
    }
}

/// Reads a stored JSON `column` of row `id` as `T`. A value that is not one is an error that
/// names the column and the row, never a default.
pub fn stored_json<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    column: &str,
    id: uuid::Uuid,
) -> Result<T, sea_orm::DbErr> {
    serde_json::from_value(value.clone()).map_err(|e| {
        sea_orm::DbErr::Type(format!(
            "{column} of {id} holds {value}, which is not what it should: {e}"
        ))
    })
}

/// Whether a database error is a unique-constraint violation (on either backend).
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
