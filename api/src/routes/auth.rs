//! Login (by password or by SMS code), token refresh, logout, resident activation, one-time
//! codes, password reset and change, and `GET /me`.
//!
//! Nothing here tells a caller whether a phone number has an account: asking for a code answers
//! the same either way, and failures that could tell are one answer for all their causes.

use entity::{
    identity::{
        account,
        accounts::{self, NewAccount},
        codes::{self, CodeError, CodePurpose},
        password::Password,
        sms_code,
        tokens::{self, RefreshError},
    },
    kernel::{Role, Scope},
    notify::device,
    people::Phone,
    registry::resident,
    secret::Secret,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use worker::delivery::Sms;

use super::prelude::*;
use crate::auth::rate_limit::Subject;

/// Phone and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Mainland mobile number; `+86` and spaces are accepted.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The password.
    #[schema(value_type = String)]
    pub password: Secret,
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    #[schema(value_type = String)]
    pub access_token: Secret,
    /// Opaque, single-use token for `POST /auth/refresh`.
    #[schema(value_type = String)]
    pub refresh_token: Secret,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// A refresh token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    #[schema(value_type = String)]
    pub refresh_token: Secret,
}

/// Ending a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The session's refresh token.
    #[schema(value_type = String)]
    pub refresh_token: Secret,
    /// This device's registration (`POST /me/devices`), to stop its push notifications too.
    pub device_id: Option<Uuid>,
}

/// What a one-time code is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestedPurpose {
    /// `POST /auth/sms-login`.
    Login,
    /// `POST /auth/activate`.
    Activate,
    /// `POST /auth/password-reset` or `POST /me/password`.
    ResetPassword,
    /// `POST /auth/employers`.
    EmployerSignup,
}

impl RequestedPurpose {
    fn purpose(self) -> CodePurpose {
        match self {
            Self::Login => CodePurpose::Login,
            Self::Activate => CodePurpose::Activate,
            Self::ResetPassword => CodePurpose::ResetPassword,
            Self::EmployerSignup => CodePurpose::EmployerSignup,
        }
    }
}

/// Asks for a one-time code by SMS.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The mobile number to send it to.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// What the code is for; it serves nothing else.
    pub purpose: RequestedPurpose,
}

/// A code is on its way (the same answer whether or not the number has an account).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeSent {
    /// Seconds the code stays valid.
    #[schema(example = 300)]
    pub expires_in: i64,
    /// Seconds before another code may be asked for this number.
    #[schema(example = 60)]
    pub resend_after: i64,
}

/// Logs in with an SMS code instead of a password (residents).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsLoginRequest {
    /// Mainland mobile number.
    pub phone: String,
    /// The six digits from the SMS (purpose `login`).
    #[schema(value_type = String, example = "123456")]
    pub code: Secret,
}

/// A registered resident claims an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The phone number staff registered for the resident.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The six digits from the SMS (purpose `activate`), or the eight digits of an activation
    /// code staff printed for the resident.
    #[schema(value_type = String, example = "123456")]
    pub code: Secret,
    /// The last six characters of the ID number: needed only when several residents without an
    /// account share the phone, to pick the person.
    #[schema(example = "23001X")]
    pub id_card_last6: Option<String>,
    /// The new password.
    #[schema(value_type = String)]
    pub password: Secret,
}

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

/// The caller.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// Account id.
    pub account_id: Uuid,
    /// Effective role.
    pub role: Role,
    /// The site, if bound to one.
    pub site_id: Option<Uuid>,
    /// The caller as a resident.
    pub resident: Option<MeResident>,
    /// Groups the caller leads.
    pub led_group_ids: Vec<Uuid>,
}

/// The caller's resident record, briefly.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeResident {
    /// Resident id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Household id.
    pub household_id: Uuid,
}

fn parse_phone(raw: &str) -> Result<Phone, ApiError> {
    Phone::parse(raw).map_err(|e| ApiError::invalid("phone", e.to_string()))
}

fn new_password(raw: &Secret, phone: &str) -> Result<Password, ApiError> {
    Password::parse(raw.expose(), Some(phone))
        .map_err(|rule| ApiError::invalid("password", rule.to_string()))
}

/// An access token for `account` at its current session version.
pub fn access_token(state: &AppState, account: &account::Model) -> Result<(String, i64), ApiError> {
    let role = account.role;
    state
        .jwt
        .issue(
            account.id,
            role,
            account.site_id,
            account.resident_id,
            account.session_version,
        )
        .map_err(|e| ApiError::Internal(e.into()))
}

fn token_response(access_token: String, expires_in: i64, refresh_token: String) -> TokenResponse {
    TokenResponse {
        access_token: access_token.into(),
        refresh_token: refresh_token.into(),
        token_type: "Bearer".into(),
        expires_in,
    }
}

/// Starts a session for `account` in `txn` (which the caller commits) and returns its tokens.
async fn start_session(
    state: &AppState,
    txn: &sea_orm::DatabaseTransaction,
    account: &account::Model,
) -> Result<TokenResponse, ApiError> {
    let (access, expires_in) = access_token(state, account)?;
    let refresh = tokens::start_session(txn, account.id).await?;
    account::Entity::update(account::ActiveModel {
        id: Set(account.id),
        last_login_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(token_response(access, expires_in, refresh))
}

/// Logs in: a new session in its own transaction.
async fn issue_tokens(
    state: &AppState,
    account: &account::Model,
) -> Result<TokenResponse, ApiError> {
    let txn = state.db.begin().await?;
    let tokens = start_session(state, &txn, account).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Checks a code; wrong ones are counted against their challenge whatever happens next.
pub(crate) async fn check_code(
    state: &AppState,
    phone: &Phone,
    purpose: CodePurpose,
    code: &Secret,
) -> Result<sms_code::Model, ApiError> {
    let code = code.expose().trim();
    let digits = match purpose {
        CodePurpose::PrintedActivation => codes::PRINTED_CODE_DIGITS,
        _ => codes::SMS_CODE_DIGITS,
    };
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "code",
            format!("must be the {digits} digits of the code"),
        ));
    }
    match codes::check(
        state.db.writer(),
        &state.pii,
        phone,
        purpose,
        code,
        Utc::now(),
    )
    .await?
    {
        Ok(challenge) => Ok(challenge),
        Err(CodeError::Invalid) => Err(ApiError::SmsCodeInvalid),
        Err(CodeError::Locked) => Err(ApiError::SmsCodeLocked),
    }
}

/// The first steps of a route a code authorises: one request counted against the client's
/// address under `action`, then [`check_code`].
pub(crate) async fn check_code_from_address(
    state: &AppState,
    req: &HttpRequest,
    action: &str,
    phone: &Phone,
    purpose: CodePurpose,
    code: &Secret,
) -> Result<sms_code::Model, ApiError> {
    state.limiters.from_address(&state.db, action, req).await?;
    check_code(state, phone, purpose, code).await
}

/// Uses a checked code up in the transaction of what it authorises.
pub(crate) async fn consume_code(
    txn: &sea_orm::DatabaseTransaction,
    challenge: &sms_code::Model,
) -> Result<(), ApiError> {
    if codes::consume(txn, challenge, Utc::now()).await? {
        Ok(())
    } else {
        Err(ApiError::SmsCodeInvalid)
    }
}

/// Logs in with phone and password.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong phone or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed phone number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let phone = parse_phone(&body.phone)?;
    state
        .limiters
        .attempt(&state.db, "login", &req, &phone)
        .await?;
    if body.password.expose().chars().count() > entity::identity::password::MAX_LENGTH {
        return Err(ApiError::InvalidCredentials);
    }
    let account = accounts::find_by_phone(state.db.conn(), &phone).await?;
    let matches = state
        .passwords
        .verify(
            body.password.expose().to_owned(),
            account.as_ref().map(|a| a.password_hash.clone()),
        )
        .await?;
    match account {
        Some(account) if matches && !account.disabled => {
            Ok(web::Json(issue_tokens(&state, &account).await?))
        }
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// Sends a one-time code by SMS: six digits, valid 5 minutes, for one purpose. The answer is the
/// same whether or not the number has an account (or is a resident's); at most one code a
/// minute for each purpose and `sms_codes_per_phone_per_day` a day go to one number, and
/// `sms_codes_per_address_per_hour` are sent for one client address.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sms-codes",
    tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 202, description = "A code is on its way (if the number can receive it)", body = CodeSent),
        (status = 422, description = "Malformed phone number or purpose", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many codes for this number or address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The SMS service did not take the message; try again", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn request_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let limits = &state.limiters;
    let purpose = body.purpose.purpose();
    // One code a minute per phone and purpose (a new resident may sign up an employer and then
    // activate), and a daily cap per phone over all purposes.
    limits
        .check(
            &state.db,
            &format!("sms_code {}", purpose.as_str()),
            &[(Subject::Phone(&phone), limits.codes_per_phone_minute)],
        )
        .await?;
    let mut budgets = vec![(Subject::Phone(&phone), limits.codes_per_phone_day)];
    if let Some(address) = limits.client_address(&req) {
        budgets.push((Subject::Address(address), limits.codes_per_address));
    }
    limits.check(&state.db, "sms_code", &budgets).await?;
    let issued = codes::issue(state.db.writer(), &state.pii, &phone, purpose, Utc::now()).await?;
    let sms = Sms {
        dedupe_key: format!("sms-code:{}", issued.id),
        phone: phone.as_str().to_owned(),
        template_code: state.sms.code_template.clone(),
        params: serde_json::json!({ "code": issued.code }),
    };
    if let Err(e) = state.sms.provider.send(&sms).await {
        tracing::warn!(error = %e, "a one-time code could not be sent");
        codes::discard(state.db.writer(), issued.id).await?;
        return Err(ApiError::Unavailable("the SMS service"));
    }
    Ok(HttpResponse::Accepted().json(CodeSent {
        expires_in: codes::SMS_CODE_TTL.num_seconds(),
        resend_after: limits.codes_per_phone_minute.window_secs,
    }))
}

/// Logs a resident in with a code from `POST /auth/sms-codes` (purpose `login`) instead of a
/// password (短信验证码登录).
#[utoipa::path(
    post,
    path = "/api/v1/auth/sms-login",
    tag = "auth",
    request_body = SmsLoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "`sms_code_invalid`, or `invalid_credentials` (no resident account for the number)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed phone number or code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`sms_code_locked` after five wrong codes (ask for a new one), or too many attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sms_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<SmsLoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let challenge = check_code_from_address(
        &state,
        &req,
        "sms_login",
        &phone,
        CodePurpose::Login,
        &body.code,
    )
    .await?;
    let account = accounts::find_by_phone(state.db.conn(), &phone)
        .await?
        .filter(|a| !a.disabled && matches!(a.role, Role::Resident | Role::GroupLeader))
        .ok_or(ApiError::InvalidCredentials)?;
    let txn = state.db.begin().await?;
    consume_code(&txn, &challenge).await?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    Ok(web::Json(tokens))
}

/// Exchanges a refresh token for a new pair. The old one is used up; presenting it again within
/// a few seconds (a retried request) answers the same new pair, later it revokes the session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "Unknown, used, expired or revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh(
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let (account, refresh_token) =
        tokens::rotate(&state.db, &state.pii, body.refresh_token.expose())
            .await?
            .map_err(|e: RefreshError| ApiError::InvalidRefreshToken(e.to_string()))?;
    let (access, expires_in) = access_token(&state, &account)?;
    Ok(web::Json(token_response(access, expires_in, refresh_token)))
}

/// Ends the session the refresh token belongs to (every token of its family is revoked) and,
/// with `device_id`, unregisters that device's push token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = LogoutRequest,
    responses((status = 204, description = "Logged out (also for unknown tokens)"))
)]
pub async fn logout(
    state: web::Data<AppState>,
    Json(body): Json<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let account_id = tokens::logout(&state.db, body.refresh_token.expose()).await?;
    if let (Some(account_id), Some(device_id)) = (account_id, body.device_id)
        && let Some(resident_id) = account::Entity::find_by_id(account_id)
            .one(state.db.conn())
            .await?
            .and_then(|a| a.resident_id)
    {
        device::Entity::delete_many()
            .filter(device::Column::Id.eq(device_id))
            .filter(device::Column::ResidentId.eq(resident_id))
            .exec(state.db.writer())
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A resident registered by staff claims an account: the phone staff registered, a code proving
/// the caller holds it (from `POST /auth/sms-codes`, purpose `activate`, or printed by staff),
/// and a new password. The ID number's last six characters are asked only to tell apart several
/// residents sharing the phone. A wrong code and an unknown or already activated resident get
/// the answers any caller gets, so nothing tells who is registered.
#[utoipa::path(
    post,
    path = "/api/v1/auth/activate",
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 201, description = "Activated and logged in", body = TokenResponse),
        (status = 401, description = "`sms_code_invalid`, or `activation_failed` (no resident without an account has this number)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed input, a password that breaks a rule, or `id_card_last6` needed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`sms_code_locked` after five wrong codes, or too many attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let last6 = body.id_card_last6.as_deref().map(parse_last6).transpose()?;
    let password = new_password(&body.password, phone.as_str())?;
    let printed = body.code.expose().trim().len() == codes::PRINTED_CODE_DIGITS;
    let purpose = if printed {
        CodePurpose::PrintedActivation
    } else {
        CodePurpose::Activate
    };
    let challenge =
        check_code_from_address(&state, &req, "activate", &phone, purpose, &body.code).await?;
    let candidates = accounts::activation_candidates(state.db.conn(), &state.pii, &phone).await?;
    let candidate = match challenge.resident_id {
        // A printed code names its resident.
        Some(resident_id) => candidates.into_iter().find(|(r, _)| r.id == resident_id),
        None => {
            let mut matching: Vec<_> = candidates
                .into_iter()
                .filter(|(_, l6)| last6.as_deref().is_none_or(|want| want == l6))
                .collect();
            if matching.len() > 1 {
                return Err(ApiError::invalid(
                    "id_card_last6",
                    "several residents share this phone: give the last 6 characters of the ID number",
                ));
            }
            matching.pop()
        }
    };
    let Some((candidate, _)) = candidate else {
        return Err(ApiError::ActivationFailed);
    };
    let password_hash = state.passwords.hash(password).await?;
    let txn = state.db.begin().await?;
    consume_code(&txn, &challenge).await?;
    let account = accounts::create(
        &txn,
        NewAccount {
            phone,
            password_hash,
            role: Role::Resident,
            site_id: Some(candidate.site_id),
            resident_id: Some(candidate.id),
        },
    )
    .await
    // The phone is taken by another account, or a concurrent activation won: same answer.
    .map_err(|_| ApiError::ActivationFailed)?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(tokens))
}

/// The last six characters of an ID number: five digits, then a digit or X.
fn parse_last6(raw: &str) -> Result<String, ApiError> {
    let last6 = raw.trim().to_ascii_uppercase();
    let bytes = last6.as_bytes();
    if bytes.len() != 6
        || !bytes[..5].iter().all(u8::is_ascii_digit)
        || !(bytes[5].is_ascii_digit() || bytes[5] == b'X')
    {
        return Err(ApiError::invalid(
            "id_card_last6",
            "must be the last 6 characters of the ID number (digits, the last may be X)",
        ));
    }
    Ok(last6)
}

/// Sets a new password with a code sent to the account's phone (purpose `reset_password`);
/// every session of the account ends.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset",
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 204, description = "The password is changed; log in with it"),
        (status = 401, description = "`sms_code_invalid`, or `invalid_credentials` (no account has this number)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed input or a password that breaks a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`sms_code_locked`, or too many attempts", body = Problem, content_type = "application/problem+json"),
    )
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
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses(
        (status = 200, description = "Changed; tokens for a new session", body = TokenResponse),
        (status = 401, description = "Wrong current password (`invalid_credentials`) or code (`sms_code_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both proofs, or a password that breaks a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts, or `sms_code_locked`", body = Problem, content_type = "application/problem+json"),
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

/// The caller: account, effective role, site, resident record and led groups.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn me(state: web::Data<AppState>, caller: Principal) -> Result<web::Json<Me>, ApiError> {
    let resident = match caller.resident_id {
        Some(id) => resident::Entity::find_by_id(id)
            .one(state.db.conn())
            .await?
            .map(|r| MeResident {
                id: r.id,
                name: r.name,
                household_id: r.household_id,
            }),
        None => None,
    };
    let led_group_ids = match &caller.scope {
        Scope::Groups { group_ids, .. } => group_ids.clone(),
        _ => Vec::new(),
    };
    Ok(web::Json(Me {
        account_id: caller.account_id,
        role: caller.role,
        site_id: caller.site_id(),
        resident,
        led_group_ids,
    }))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/login").route(web::post().to(login)))
        .service(web::resource("/auth/sms-codes").route(web::post().to(request_code)))
        .service(web::resource("/auth/sms-login").route(web::post().to(sms_login)))
        .service(web::resource("/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/activate").route(web::post().to(activate)))
        .service(web::resource("/auth/password-reset").route(web::post().to(reset_password)))
        .service(web::resource("/me/password").route(web::post().to(change_password)))
        .service(web::resource("/me").route(web::get().to(me)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_with_secrets_never_show_them_in_debug() {
        let secret = "Sup3r-s3cret-value";
        let bodies = [
            format!(r#"{{"phone":"13800138000","password":"{secret}"}}"#),
            format!(r#"{{"refresh_token":"{secret}"}}"#),
            format!(
                r#"{{"phone":"13800138000","code":"{secret}","password":"{secret}","id_card_last6":"12345X"}}"#
            ),
            format!(r#"{{"phone":"13800138000","code":"{secret}"}}"#),
            format!(r#"{{"current_password":"{secret}","password":"{secret}"}}"#),
        ];
        let debug = [
            format!(
                "{:?}",
                serde_json::from_str::<LoginRequest>(&bodies[0]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<RefreshRequest>(&bodies[1]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<ActivateRequest>(&bodies[2]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<SmsLoginRequest>(&bodies[3]).unwrap()
            ),
            format!(
                "{:?}",
                serde_json::from_str::<PasswordChangeRequest>(&bodies[4]).unwrap()
            ),
            format!("{:?}", token_response(secret.into(), 900, secret.into())),
        ];
        for d in debug {
            assert!(!d.contains(secret), "{d}");
        }
    }

    #[test]
    fn last6_refuses_non_ascii_without_panicking() {
        for bad in [
            "12345",
            "1234567",
            "12345Y",
            "１２３４５６",
            "1234ñ",
            "ñ2345X",
            "é23456",
        ] {
            assert!(parse_last6(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_last6(" 12345x ").unwrap(), "12345X");
    }
}
