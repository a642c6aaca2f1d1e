//! Small pieces the handler groups share: running a creating POST under `Idempotency-Key`,
//! text validation, and reading `null` apart from an absent field in a patch.

use actix_web::{HttpRequest, HttpResponse};
use entity::kernel::Actor;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use crate::{
    auth::Principal,
    error::ApiError,
    idempotency::{self, IdempotencyKey, Work},
    startup::AppState,
};

impl Principal {
    /// The caller as the domain sees it.
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.account_id,
            role: self.role,
            scope: self.scope.clone(),
            household_id: self.household_id,
        }
    }

    /// The caller's own household, for the routes only residents use.
    pub fn own_household(&self) -> Result<Uuid, ApiError> {
        Ok(self
            .scope
            .own()
            .ok_or(ApiError::forbidden(
                "only residents have a household account",
            ))?
            .household_id)
    }
}

/// Runs a creating request in one write transaction, honouring `Idempotency-Key` per account.
pub async fn create<F>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Principal,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: for<'t> FnOnce(&'t sea_orm::DatabaseTransaction) -> Work<'t>,
{
    let key = IdempotencyKey::from_request(req)?;
    let fingerprint = idempotency::fingerprint(req);
    idempotency::execute(
        &state.db,
        &state.pii,
        key,
        &caller.account_id.to_string(),
        &fingerprint,
        work,
    )
    .await
}

/// A trimmed, non-empty text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// The reason staff or a group leader give for acting for a resident (assisted mode): optional,
/// up to 200 characters, recorded in the audit log with the action.
pub fn assist_reason(value: Option<&str>) -> Result<Option<String>, ApiError> {
    value.map(|v| text("reason", v, 200)).transpose()
}

/// [`text`] for a request checked field by field: [`entity::text::field`].
pub use entity::text::field as text_field;

/// Reads `"field": null` as `Some(None)` (clear it) and an absent field as `None` (keep it), with
/// `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
