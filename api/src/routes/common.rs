//! Small pieces the handler groups share: running a creating POST under `Idempotency-Key`,
//! and text validation.

use actix_web::{HttpRequest, HttpResponse};
use entity::kernel::Actor;

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
