//! Signing in from the WeChat mini-program: a login code from `wx.login` becomes tokens for the
//! account the WeChat user is bound to; an unbound user gets a short-lived binding ticket and
//! binds once, proving the phone of a registered resident with WeChat's phone-number component
//! or an SMS code (an account that does not exist yet is activated on the way, by the rules of
//! `POST /auth/activate`). Residents unbind from the app, staff for them (audited).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::{
    identity::{
        account,
        accounts::{self, NewAccount},
        codes::CodePurpose,
        wechat_binding::{self, WeChatUser},
    },
    kernel::Role,
    people::Phone,
    secret::Secret,
};
use sea_orm::EntityTrait;
use worker::delivery::wechat::WeChatError;

use super::{
    TokenResponse, check_code_from_address, consume_code, parse_phone, start_session,
    tokens_answer, tokens_answer_as,
};
use crate::routes::prelude::*;

/// How long a binding ticket works.
const TICKET_SECONDS: i64 = 600;

/// A login code from the mini-program.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeChatLoginRequest {
    /// The code `wx.login` gave (valid once, for five minutes).
    #[schema(value_type = String, example = "0a3Xk2000QFzqS1Nwd300lJ6Zn2Xk20y")]
    pub code: Secret,
    /// Also set the refresh token as an HttpOnly cookie (H5 builds).
    #[serde(default)]
    pub refresh_cookie: bool,
}

/// The outcome of a WeChat login.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WeChatLogin {
    /// The WeChat user is bound: tokens.
    LoggedIn(TokenResponse),
    /// Not bound yet: bind with this ticket (`POST /auth/wechat/bind`).
    BindingNeeded {
        /// Opaque; works once per binding, for `expires_in` seconds.
        bind_ticket: String,
        /// Seconds.
        expires_in: i64,
    },
}

/// A binding: the ticket and one proof of the phone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeChatBindRequest {
    /// The ticket from `POST /auth/wechat`.
    #[schema(value_type = String)]
    pub bind_ticket: Secret,
    /// The code of WeChat's phone-number component (`getPhoneNumber`'s `e.detail.code`).
    #[schema(value_type = Option<String>)]
    pub phone_code: Option<Secret>,
    /// Or the phone number and an SMS code (`POST /auth/sms-codes`, purpose `wechat_bind`).
    #[schema(example = "13800138000")]
    pub phone: Option<String>,
    /// The SMS code.
    #[schema(value_type = Option<String>, example = "123456")]
    pub sms_code: Option<Secret>,
    /// The last six characters of the ID number, when several residents without an account
    /// share the phone.
    #[schema(example = "23001X")]
    pub id_card_last6: Option<String>,
    /// Also set the refresh token as an HttpOnly cookie (H5 builds).
    #[serde(default)]
    pub refresh_cookie: bool,
}

/// Why staff unbind a resident's WeChat.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnbindRequest {
    /// The reason (a lost phone, a changed WeChat account), kept in the audit trail.
    pub reason: String,
}

/// The mini-program's client, or 503 when none is configured.
fn wechat(state: &AppState) -> Result<&worker::dispatch::WeChatApp, ApiError> {
    state.wechat.as_ref().ok_or(ApiError::Unavailable(
        "WeChat login (no mini-program is configured)",
    ))
}

/// A WeChat failure as the API answers it.
fn refused(error: WeChatError, code: &'static str, detail: &'static str) -> ApiError {
    match error {
        WeChatError::CodeInvalid(_) => ApiError::WeChatRefused { code, detail },
        WeChatError::Database(e) => ApiError::Internal(e.into()),
        other => {
            tracing::warn!(error = %other, "WeChat did not answer as expected");
            ApiError::Unavailable("WeChat")
        }
    }
}

/// The binding ticket for `user`: the user encrypted with the PII key (so the app never sees
/// the openid), with its expiry.
fn ticket(state: &AppState, user: &WeChatUser) -> String {
    let expires = Utc::now().timestamp() + TICKET_SECONDS;
    let plain =
        serde_json::json!({ "o": user.openid, "u": user.unionid, "e": expires }).to_string();
    URL_SAFE_NO_PAD.encode(state.pii.encrypt(&plain))
}

/// The user a ticket names, or 401 `wechat_ticket_invalid`.
fn read_ticket(state: &AppState, ticket: &Secret) -> Result<WeChatUser, ApiError> {
    let invalid = || ApiError::WeChatRefused {
        code: "wechat_ticket_invalid",
        detail: "the binding ticket is changed or expired; log in with WeChat again",
    };
    let plain = URL_SAFE_NO_PAD
        .decode(ticket.expose().trim())
        .ok()
        .and_then(|bytes| state.pii.decrypt(&bytes).ok())
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .ok_or_else(invalid)?;
    let (Some(openid), Some(expires)) = (plain["o"].as_str(), plain["e"].as_i64()) else {
        return Err(invalid());
    };
    if expires < Utc::now().timestamp() {
        return Err(invalid());
    }
    Ok(WeChatUser {
        openid: openid.to_owned(),
        unionid: plain["u"].as_str().map(str::to_owned),
    })
}

/// Logs in with a mini-program login code: tokens when the WeChat user is bound to an active
/// resident account, else a ticket to bind with. A wrong, expired or used code is 401
/// `wechat_code_invalid`.
#[problems(
    401 "`wechat_code_invalid`, or `invalid_credentials` (the bound account is disabled)",
    422 "Malformed code",
    429 "Too many attempts from this address",
    503 "WeChat login is not configured, or WeChat did not answer",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/wechat", tag = "auth",
    request_body = WeChatLoginRequest,
    responses((status = 200, description = "Logged in, or a binding is needed", body = WeChatLogin))
)]
pub async fn wechat_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<WeChatLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let app = wechat(&state)?;
    let code = body.code.expose().trim();
    if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid("code", "must be the code wx.login gave"));
    }
    state
        .limiters
        .from_address(&state.db, "wechat_login", &req)
        .await?;
    let user = app.client.code_to_session(code).await.map_err(|e| {
        refused(
            e,
            "wechat_code_invalid",
            "WeChat refused the login code: it is wrong, expired or used",
        )
    })?;
    let Some(account_id) = wechat_binding::account_of(state.db.conn(), &user).await? else {
        return Ok(HttpResponse::Ok().json(WeChatLogin::BindingNeeded {
            bind_ticket: ticket(&state, &user),
            expires_in: TICKET_SECONDS,
        }));
    };
    let account = account::Entity::find_by_id(account_id)
        .one(state.db.conn())
        .await?
        .filter(|a| !a.disabled)
        .ok_or(ApiError::InvalidCredentials)?;
    let txn = state.db.begin().await?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    Ok(tokens_answer_as(
        tokens,
        body.refresh_cookie,
        WeChatLogin::LoggedIn,
    ))
}

/// Binds the WeChat user of a ticket to the resident account of a phone, proven by WeChat's
/// phone-number component (`phone_code`) or by an SMS code (`phone` and `sms_code`, purpose
/// `wechat_bind`), and logs in. A registered resident without an account is activated (the
/// account has no password until the resident sets one). Answers that could tell who is
/// registered are one: 401 `activation_failed`.
#[problems(
    401 "`wechat_ticket_invalid`, `sms_code_invalid`, `activation_failed` (no resident account or registered resident has this phone)",
    409 "`wechat_bound_elsewhere` (this WeChat user is bound to another account), `account_has_wechat` (the account is bound to another WeChat user)",
    422 "Not exactly one proof, a malformed phone or code, or `id_card_last6` needed",
    429 "Too many attempts",
    503 "WeChat login is not configured, or WeChat did not answer",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/wechat/bind", tag = "auth",
    request_body = WeChatBindRequest,
    responses((status = 201, description = "Bound and logged in", body = TokenResponse))
)]
pub async fn wechat_bind(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<WeChatBindRequest>,
) -> Result<HttpResponse, ApiError> {
    let app = wechat(&state)?;
    let user = read_ticket(&state, &body.bind_ticket)?;
    let last6 = body
        .id_card_last6
        .as_deref()
        .map(super::activation::parse_last6)
        .transpose()?;
    // The phone, proven one way or the other; the SMS code is used up with the binding.
    let (phone, challenge): (Phone, _) = match (&body.phone_code, &body.phone, &body.sms_code) {
        (Some(code), None, None) => {
            state
                .limiters
                .from_address(&state.db, "wechat_bind", &req)
                .await?;
            let tokens = app.tokens(&state.db);
            let number = tokens
                .with_token(|token| {
                    let (client, code) = (tokens.client(), code.expose().trim().to_owned());
                    async move { client.phone_number(&token, &code).await }
                })
                .await
                .map_err(|e| {
                    refused(
                        e,
                        "wechat_code_invalid",
                        "WeChat refused the phone-number code: it is wrong, expired or used",
                    )
                })?;
            (parse_phone(&number)?, None)
        }
        (None, Some(phone), Some(code)) => {
            let phone = parse_phone(phone)?;
            let challenge = check_code_from_address(
                &state,
                &req,
                "wechat_bind",
                &phone,
                CodePurpose::WechatBind,
                code,
            )
            .await?;
            (phone, Some(challenge))
        }
        _ => {
            return Err(ApiError::invalid(
                "phone_code",
                "give either phone_code, or phone and sms_code",
            ));
        }
    };
    state
        .limiters
        .attempt(&state.db, "wechat_bind", &req, &phone)
        .await?;
    let existing = accounts::find_by_phone(state.db.conn(), &phone).await?;
    let txn = state.db.begin().await?;
    if let Some(challenge) = &challenge {
        consume_code(&txn, challenge).await?;
    }
    let account = match existing {
        Some(account)
            if !account.disabled && matches!(account.role, Role::Resident | Role::GroupLeader) =>
        {
            account
        }
        Some(_) => return Err(ApiError::ActivationFailed),
        None => {
            let candidates = accounts::activation_candidates(&txn, &state.pii, &phone).await?;
            let Some((resident, _)) =
                super::activation::pick_candidate(candidates, last6.as_deref())?
            else {
                return Err(ApiError::ActivationFailed);
            };
            accounts::create(
                &txn,
                NewAccount {
                    phone,
                    // No password yet: the hash of none matches no password.
                    password_hash: "!wechat".into(),
                    role: Role::Resident,
                    site_id: Some(resident.site_id),
                    resident_id: Some(resident.id),
                },
            )
            .await
            .map_err(|_| ApiError::ActivationFailed)?
        }
    };
    wechat_binding::bind(&txn, account.id, account.site_id, &user).await?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    let mut answer = tokens_answer(tokens, body.refresh_cookie);
    *answer.status_mut() = StatusCode::CREATED;
    Ok(answer)
}

/// Unbinds the caller's WeChat (audited); the app logs in by phone afterwards, or binds again.
#[problems(401 "No or invalid token", 404 "The account is not bound to WeChat")]
#[utoipa::path(
    delete, path = "/api/v1/me/wechat", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Unbound"))
)]
pub async fn unbind_own_wechat(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<HttpResponse, ApiError> {
    let txn = state.db.begin().await?;
    wechat_binding::unbind(
        &txn,
        &caller.actor(),
        caller.account_id,
        caller.scope.site_id(),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unbinds a resident's WeChat for them (a lost phone, a WeChat account that changed hands):
/// staff and administrators of the resident's site, audited with the reason.
#[problems(
    403 "Not staff of the account's site",
    404 "No such resident account in reach, or it is not bound",
    422 "Missing reason",
)]
#[utoipa::path(
    post, path = "/api/v1/accounts/{id}/wechat/unbind", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = UnbindRequest,
    responses((status = 204, description = "Unbound"))
)]
pub async fn unbind_wechat(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<UnbindRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = crate::routes::common::text("reason", &body.reason, 500)?;
    let target = account::Entity::find_by_id(id.into_inner())
        .one(state.db.conn())
        .await?
        .filter(|a| matches!(a.role, Role::Resident | Role::GroupLeader))
        .ok_or_else(ApiError::not_found)?;
    let site = target.site_id.ok_or_else(ApiError::not_found)?;
    caller.require_staff_of(site)?;
    let txn = state.db.begin().await?;
    wechat_binding::unbind(&txn, &caller.actor(), target.id, Some(site), Some(reason)).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
