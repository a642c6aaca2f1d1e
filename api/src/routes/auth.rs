//! Login, token refresh, logout, resident activation and `GET /me`.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::Utc;
use entity::{
    identity::{
        Role, account,
        accounts::{self, NewAccount},
        password::Password,
        tokens::{self, RefreshError},
    },
    people::Phone,
    registry::resident,
    scope::Scope,
};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    error::{ApiError, Problem},
    extract::Json,
    startup::AppState,
};

/// Phone and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Mainland mobile number; `+86` and spaces are accepted.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The password.
    pub password: String,
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use token for `POST /auth/refresh`.
    pub refresh_token: String,
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
    pub refresh_token: String,
}

/// A registered resident claims an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The phone number staff registered for the resident.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The last six characters of the resident's ID-card number.
    #[schema(example = "23001X")]
    pub id_card_last6: String,
    /// The new password.
    pub password: String,
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

async fn issue_tokens(
    state: &AppState,
    account: &account::Model,
) -> Result<TokenResponse, ApiError> {
    let role = Role::parse(&account.role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("account has an unknown role")))?;
    let (access_token, expires_in) = state
        .jwt
        .issue(account.id, role, account.site_id, account.resident_id)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let txn = state.db.begin().await?;
    let refresh_token = tokens::issue(&txn, account.id, Uuid::now_v7()).await?;
    account::Entity::update(account::ActiveModel {
        id: Set(account.id),
        last_login_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in,
    })
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
    state.limiters.check("login", &req, phone.as_str())?;
    if body.password.chars().count() > entity::identity::password::MAX_LENGTH {
        return Err(ApiError::InvalidCredentials);
    }
    let account = accounts::find_by_phone(state.db.conn(), &phone).await?;
    let matches = state
        .passwords
        .verify(
            body.password,
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

/// Exchanges a refresh token for a new pair (the old one is used up; reusing it revokes the
/// session).
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
    let (account, refresh_token) = tokens::rotate(&state.db, &body.refresh_token)
        .await?
        .map_err(|e: RefreshError| ApiError::InvalidRefreshToken(e.to_string()))?;
    let role = Role::parse(&account.role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("account has an unknown role")))?;
    let (access_token, expires_in) = state
        .jwt
        .issue(account.id, role, account.site_id, account.resident_id)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(web::Json(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in,
    }))
}

/// Ends the session the refresh token belongs to (every token of its family is revoked).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out (also for unknown tokens)"))
)]
pub async fn logout(
    state: web::Data<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    tokens::logout(&state.db, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A resident registered by staff claims an account: phone, the last six characters of the ID
/// number, and a new password. Wrong data, an unknown phone and an already activated resident
/// all get the same answer.
#[utoipa::path(
    post,
    path = "/api/v1/auth/activate",
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 201, description = "Activated and logged in", body = TokenResponse),
        (status = 401, description = "No resident can activate with these data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed input or a password that breaks a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let last6 = body.id_card_last6.trim().to_ascii_uppercase();
    if last6.len() != 6
        || !last6[..5].bytes().all(|b| b.is_ascii_digit())
        || !(last6.as_bytes()[5].is_ascii_digit() || last6.ends_with('X'))
    {
        return Err(ApiError::invalid(
            "id_card_last6",
            "must be the last 6 characters of the ID number (digits, the last may be X)",
        ));
    }
    let password = Password::parse(&body.password, Some(phone.as_str()))
        .map_err(|rule| ApiError::invalid("password", rule.to_string()))?;
    state.limiters.check("activate", &req, phone.as_str())?;
    let Some(candidate) =
        accounts::activation_candidate(state.db.conn(), &state.pii, &phone, &last6).await?
    else {
        return Err(ApiError::ActivationFailed);
    };
    let password_hash = state.passwords.hash(password).await?;
    let account = accounts::create(
        state.db.writer(),
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
    let tokens = issue_tokens(&state, &account).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(tokens))
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
        .service(web::resource("/auth/refresh").route(web::post().to(refresh)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/activate").route(web::post().to(activate)))
        .service(web::resource("/me").route(web::get().to(me)));
}
