//! Sessions: login by password or by SMS code, refresh, logout, and the tokens a session starts
//! with (also for activation and a password change).

use entity::{
    identity::{
        account, accounts,
        codes::CodePurpose,
        tokens::{self, RefreshError},
    },
    kernel::Role,
    notify::device,
    secret::Secret,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{check_code_from_address, consume_code, parse_phone};
use crate::routes::prelude::*;

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
    /// Deliver the refresh token as a cookie (browsers; see `TokenResponse`).
    #[serde(default)]
    pub refresh_cookie: bool,
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    #[schema(value_type = String)]
    pub access_token: Secret,
    /// Opaque, single-use token for `POST /auth/refresh`. Absent when the request asked for
    /// `refresh_cookie` (or refreshed by the cookie): the token is then only in an
    /// `HttpOnly; Secure; SameSite=Strict` cookie `anju_refresh` on `/api/v1/auth`, which scripts
    /// cannot read (the OAuth 2.0 practice for browser-based apps).
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// A refresh token: in the body, or (`{}`) in the `anju_refresh` cookie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh; absent to use the cookie, and the new
    /// one then comes back as the cookie too.
    #[schema(value_type = Option<String>)]
    pub refresh_token: Option<Secret>,
}

/// Ending a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The session's refresh token; absent to use (and clear) the `anju_refresh` cookie.
    #[schema(value_type = Option<String>)]
    pub refresh_token: Option<Secret>,
    /// This device's registration (`POST /me/devices`), to stop its push notifications too.
    pub device_id: Option<Uuid>,
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
    /// Deliver the refresh token as a cookie (browsers; see `TokenResponse`).
    #[serde(default)]
    pub refresh_cookie: bool,
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

pub(super) fn token_response(
    access_token: String,
    expires_in: i64,
    refresh_token: String,
) -> TokenResponse {
    TokenResponse {
        access_token: access_token.into(),
        refresh_token: Some(refresh_token.into()),
        token_type: "Bearer".into(),
        expires_in,
    }
}

/// The cookie that carries a browser's refresh token.
const REFRESH_COOKIE: &str = "anju_refresh";

/// The refresh token from the `anju_refresh` cookie, if the request has one.
fn refresh_from_cookie(req: &HttpRequest) -> Option<Secret> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| Secret::from(value.to_owned()))
}

/// `Set-Cookie` for the refresh token (`None` clears it). Only `/api/v1/auth` ever receives it,
/// never from another site, never over plain HTTP (browsers treat localhost as secure).
fn refresh_cookie(token: Option<&Secret>) -> String {
    let (value, max_age) = match token {
        Some(t) => (t.expose(), tokens::REFRESH_LIFETIME.num_seconds()),
        None => ("", 0),
    };
    format!(
        "{REFRESH_COOKIE}={value}; Path=/api/v1/auth; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    )
}

/// Answers a token pair: the refresh token in the body, or only in the cookie.
pub(super) fn tokens_answer(tokens: TokenResponse, cookie: bool) -> HttpResponse {
    tokens_answer_as(tokens, cookie, |t| t)
}

/// Answers a token pair inside the body `wrap` makes of it.
pub(super) fn tokens_answer_as<T: Serialize>(
    mut tokens: TokenResponse,
    cookie: bool,
    wrap: impl FnOnce(TokenResponse) -> T,
) -> HttpResponse {
    let mut answer = HttpResponse::Ok();
    answer.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    if cookie {
        let token = tokens.refresh_token.take();
        answer.insert_header((
            actix_web::http::header::SET_COOKIE,
            refresh_cookie(token.as_ref()),
        ));
    }
    answer.json(wrap(tokens))
}

/// Starts a session for `account` in `txn` (which the caller commits) and returns its tokens.
pub(super) async fn start_session(
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

/// Logs in with phone and password.
#[problems(
    401 "Wrong phone or password",
    422 "Malformed phone number",
    429 "Too many attempts; see Retry-After",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in", body = TokenResponse))
)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
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
        Some(account) if matches && !account.disabled => Ok(tokens_answer(
            issue_tokens(&state, &account).await?,
            body.refresh_cookie,
        )),
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// Logs a resident in with a code from `POST /auth/sms-codes` (purpose `login`) instead of a
/// password (短信验证码登录).
#[problems(
    401 "`sms_code_invalid`, or `invalid_credentials` (no resident account for the number)",
    422 "Malformed phone number or code",
    429 "`sms_code_locked` after five wrong codes (ask for a new one), or too many attempts",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/sms-login", tag = "auth",
    request_body = SmsLoginRequest,
    responses((status = 200, description = "Logged in", body = TokenResponse))
)]
pub async fn sms_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<SmsLoginRequest>,
) -> Result<HttpResponse, ApiError> {
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
    Ok(tokens_answer(tokens, body.refresh_cookie))
}

/// Exchanges a refresh token for a new pair. The old one is used up; presenting it again within
/// a few seconds (a retried request) answers the same new pair, later it revokes the session.
#[problems(401 "Unknown, used, expired or revoked")]
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, description = "A new pair", body = TokenResponse))
)]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let by_cookie = body.refresh_token.is_none();
    let presented = body
        .refresh_token
        .or_else(|| refresh_from_cookie(&req))
        .ok_or_else(|| ApiError::InvalidRefreshToken("no refresh token".into()))?;
    let (account, refresh_token) = tokens::rotate(&state.db, &state.pii, presented.expose())
        .await?
        .map_err(|e: RefreshError| ApiError::InvalidRefreshToken(e.to_string()))?;
    let (access, expires_in) = access_token(&state, &account)?;
    Ok(tokens_answer(
        token_response(access, expires_in, refresh_token),
        by_cookie,
    ))
}

/// Ends the session the refresh token belongs to (every token of its family is revoked) and,
/// with `device_id`, unregisters that device's push token.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = LogoutRequest,
    responses((status = 204, description = "Logged out (also for unknown tokens)"))
)]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let presented = body.refresh_token.or_else(|| refresh_from_cookie(&req));
    let account_id = match presented {
        Some(token) => tokens::logout(&state.db, token.expose()).await?,
        None => None,
    };
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
    Ok(HttpResponse::NoContent()
        .insert_header((actix_web::http::header::SET_COOKIE, refresh_cookie(None)))
        .finish())
}
