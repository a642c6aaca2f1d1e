//! Passwords: reset with a code sent to the account's phone, and the caller's own change.

use entity::{
    identity::{account, accounts, codes::CodePurpose},
    people::Phone,
    secret::Secret,
};
use sea_orm::EntityTrait;

use super::{
    TokenResponse, check_code, check_code_from_address, consume_code, new_password, parse_phone,
    start_session,
};
use crate::{auth::rate_limit::Subject, routes::prelude::*};

/// Sets a new password with a code sent to the account's phone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's phone.
    pub phone: String,
    /// The six digits from the SMS (purpose `reset_password`).
    #[schema(value_type = String)]
    pub code: Secret,
    /// The new password.
    #[schema(value_type = String)]
    pub password: Secret,
}

/// Changes the caller's password: prove it with the current password or a fresh code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// The current password.
    #[schema(value_type = Option<String>)]
    pub current_password: Option<Secret>,
    /// Or a code sent to the account's phone (purpose `reset_password`).
    #[schema(value_type = Option<String>)]
    pub code: Option<Secret>,
    /// The new password.
    #[schema(value_type = String)]
    pub password: Secret,
}

/// Sets a new password with a code sent to the account's phone (purpose `reset_password`);
/// every session of the account ends.
#[problems(
    401 "`sms_code_invalid`, or `invalid_credentials` (no account has this number)",
    422 "Malformed input or a password that breaks a rule",
    429 "`sms_code_locked`, or too many attempts",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/password-reset", tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 204, description = "The password is changed; log in with it"))
)]
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let password = new_password(&body.password, phone.as_str())?;
    let challenge = check_code_from_address(
        &state,
        &req,
        "password_reset",
        &phone,
        CodePurpose::ResetPassword,
        &body.code,
    )
    .await?;
    let account = accounts::find_by_phone(state.db.conn(), &phone)
        .await?
        .ok_or(ApiError::InvalidCredentials)?;
    let password_hash = state.passwords.hash(password).await?;
    let txn = state.db.begin().await?;
    consume_code(&txn, &challenge).await?;
    accounts::set_password(&txn, account.id, password_hash).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the caller's password, proved by the current password or a fresh code (purpose
/// `reset_password`). Every session ends, this one too: the answer is a new pair of tokens.
#[problems(
    401 "Wrong current password (`invalid_credentials`) or code (`sms_code_invalid`)",
    422 "Neither or both proofs, or a password that breaks a rule",
    429 "Too many attempts, or `sms_code_locked`",
)]
#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses(
        (status = 200, description = "Changed; tokens for a new session", body = TokenResponse),
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<PasswordChangeRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let account = account::Entity::find_by_id(caller.account_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let phone = Phone::parse(&account.phone)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored phone: {e}")))?;
    let password = new_password(&body.password, phone.as_str())?;
    let limits = &state.limiters;
    limits
        .check(
            &state.db,
            "password_change",
            &[(Subject::Account(account.id), limits.per_phone)],
        )
        .await?;
    let challenge = match (&body.current_password, &body.code) {
        (Some(current), None) => {
            let matches = state
                .passwords
                .verify(
                    current.expose().to_owned(),
                    Some(account.password_hash.clone()),
                )
                .await?;
            if !matches {
                return Err(ApiError::InvalidCredentials);
            }
            None
        }
        (None, Some(code)) => {
            Some(check_code(&state, &phone, CodePurpose::ResetPassword, code).await?)
        }
        _ => {
            return Err(ApiError::invalid(
                "current_password",
                "give either the current password or a code, not both",
            ));
        }
    };
    let password_hash = state.passwords.hash(password).await?;
    let txn = state.db.begin().await?;
    if let Some(challenge) = &challenge {
        consume_code(&txn, challenge).await?;
    }
    accounts::set_password(&txn, account.id, password_hash).await?;
    let account = account::Entity::find_by_id(account.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    Ok(web::Json(tokens))
}
