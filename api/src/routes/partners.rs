//! Partners (the provincial talent exchange): clients and their secrets (platform
//! administrators), the OAuth 2.0 client-credentials token endpoint, the partner's own posting
//! upserts, the reconciliation feed, and webhook deliveries.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Duration, Utc};
use entity::{
    kernel::Role,
    partners::{
        self, DeliveryState, FeedKey, InboundPosting, NewPartner, PartnerScope, Secrets, Upserted,
        delivery, partner,
    },
    people::credit_code::CreditCode,
    recruitment::job::{JobCategory, SalaryUnit},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{common::text, jobs::JobRequest};
use crate::{
    auth::Principal,
    error::{ApiError, FieldErrors, Problem},
    extract::{Json, Query, body_limit, declared_length, read_body},
    pagination::{PageParams, Paginated},
    startup::AppState,
};

// ---------------------------------------------------------------------------------------------
// Administration
// ---------------------------------------------------------------------------------------------

/// A new partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerRequest {
    /// Name, up to 200 characters.
    pub name: String,
    /// Its unified social credit code (GB 32100).
    pub credit_code: String,
    /// Where our postings are sent (`https://`, or `http://` for a staging receiver).
    pub webhook_url: Option<String>,
    /// `jobs:write`, `jobs:read`, `webhooks`.
    pub scopes: Vec<PartnerScope>,
    /// Its postings wait for staff review before residents see them (default true).
    pub review_inbound: Option<bool>,
}

/// A partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Partner {
    /// Id, also its OAuth `client_id`.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The employer record its postings appear under.
    pub employer_id: Uuid,
    /// Webhook URL.
    pub webhook_url: Option<String>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Postings wait for staff review.
    pub review_inbound: bool,
    /// Until when the previous secrets still work (after a rotation).
    pub previous_secrets_valid_until: Option<DateTime<Utc>>,
    /// Disabled.
    pub disabled: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<partner::Model> for Partner {
    fn from(m: partner::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            employer_id: m.employer_id,
            webhook_url: m.webhook_url,
            scopes: m.scopes.split(' ').map(str::to_owned).collect(),
            review_inbound: m.review_inbound,
            previous_secrets_valid_until: m
                .previous_valid_until
                .filter(|until| *until > Utc::now()),
            disabled: m.disabled,
            created_at: m.created_at,
        }
    }
}

/// A partner with its secrets, shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerWithSecrets {
    /// The partner.
    pub partner: Partner,
    /// OAuth `client_id`.
    pub client_id: String,
    /// OAuth `client_secret` (stored hashed: it cannot be shown again).
    #[schema(value_type = String)]
    pub client_secret: entity::secret::Secret,
    /// Webhook signing secret (`whsec_…`, Standard Webhooks).
    #[schema(value_type = String)]
    pub signing_secret: entity::secret::Secret,
}

fn with_secrets(p: partner::Model, secrets: Secrets) -> PartnerWithSecrets {
    PartnerWithSecrets {
        client_id: p.id.to_string(),
        partner: p.into(),
        client_secret: secrets.client_secret.into(),
        signing_secret: secrets.signing_secret.into(),
    }
}

fn webhook_url(
    url: Option<&str>,
    policy: &worker::egress::EgressPolicy,
) -> Result<Option<String>, ApiError> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    if url.len() > 2000 || url.contains(char::is_whitespace) {
        return Err(ApiError::invalid(
            "webhook_url",
            "must be an https:// URL of at most 2000 characters",
        ));
    }
    policy
        .check_url(url)
        .map_err(|refused| ApiError::invalid("webhook_url", refused.to_string()))?;
    Ok(Some(url.to_owned()))
}

/// Creates a partner client (platform administrators). The secrets are in this response only.
/// (`Idempotency-Key` is not honoured here: a replay would have to keep the secrets readable.)
#[utoipa::path(
    post, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    request_body = PartnerRequest,
    responses(
        (status = 201, description = "Created; the secrets are shown once", body = PartnerWithSecrets),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credit code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_partner(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<PartnerRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_platform_admin()?;
    let name = text("name", &body.name, 200)?;
    let credit_code = CreditCode::parse(&body.credit_code)
        .map_err(|e| ApiError::invalid("credit_code", e.to_string()))?;
    if body.scopes.is_empty() {
        return Err(ApiError::invalid("scopes", "name at least one scope"));
    }
    let webhook_url = webhook_url(body.webhook_url.as_deref(), &state.egress)?;
    if body.scopes.contains(&PartnerScope::Webhooks) && webhook_url.is_none() {
        return Err(ApiError::invalid(
            "webhook_url",
            "required with the webhooks scope",
        ));
    }
    let txn = state.db.begin().await?;
    let (p, secrets) = partners::create(
        &txn,
        &state.pii,
        caller.account_id,
        NewPartner {
            name,
            credit_code,
            webhook_url,
            scopes: body.scopes,
            review_inbound: body.review_inbound.unwrap_or(true),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(with_secrets(p, secrets)))
}

/// Every partner (platform administrators).
#[utoipa::path(
    get, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    responses(
        (status = 200, description = "The partners", body = Vec<Partner>),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_partners(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<Vec<Partner>>, ApiError> {
    caller.require_platform_admin()?;
    let all = partners::list(state.db.conn()).await?;
    Ok(web::Json(all.into_iter().map(Partner::from).collect()))
}

/// How long the old secrets keep working.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// Seconds, 0 to 7 days (default one day).
    pub overlap_seconds: Option<i64>,
}

/// New client and signing secrets; the old ones keep working for the overlap (tokens are
/// granted for either client secret, webhooks carry a signature by each signing secret).
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/rotate-secrets", tag = "partners", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = RotateRequest,
    responses(
        (status = 200, description = "The new secrets, shown once", body = PartnerWithSecrets),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rotate_partner_secrets(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: Option<Json<RotateRequest>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_platform_admin()?;
    let overlap = body.and_then(|b| b.0.overlap_seconds).unwrap_or(86_400);
    if !(0..=7 * 86_400).contains(&overlap) {
        return Err(ApiError::invalid(
            "overlap_seconds",
            "must be 0 to 604800 (7 days)",
        ));
    }
    let txn = state.db.begin().await?;
    let (p, secrets) = partners::rotate(
        &txn,
        &state.pii,
        caller.account_id,
        id.into_inner(),
        Duration::seconds(overlap),
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(with_secrets(p, secrets)))
}

/// A webhook delivery.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// Id (the `webhook-id` header).
    pub id: Uuid,
    /// The posting.
    pub job_id: Uuid,
    /// Its version.
    pub job_version: i32,
    /// The event type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Next attempt (pending).
    pub next_attempt_at: DateTime<Utc>,
    /// Dead-lettered if not delivered by then.
    pub give_up_at: DateTime<Utc>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    /// The last error.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<delivery::Model> for Delivery {
    fn from(m: delivery::Model) -> Self {
        Self {
            id: m.id,
            job_id: m.job_id,
            job_version: m.job_version,
            event_type: m.event_type,
            state: m.state.to_string(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            give_up_at: m.give_up_at,
            last_status: m.last_status,
            last_error: m.last_error,
            created_at: m.created_at,
            delivered_at: m.delivered_at,
        }
    }
}

/// Delivery list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only this state (`failed`: the dead letters).
    pub state: Option<DeliveryState>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A partner's webhook deliveries, newest first (platform administrators).
#[utoipa::path(
    get, path = "/api/v1/partners/{id}/deliveries", tag = "partners", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Partner id"), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Paginated<Delivery>),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_partner_deliveries(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<DeliveryQuery>,
) -> Result<web::Json<Paginated<Delivery>>, ApiError> {
    caller.require_platform_admin()?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let p = partners::get(state.db.conn(), id.into_inner()).await?;
    let list = partners::deliveries(state.db.conn(), p.id, q.state, &page).await?;
    Ok(web::Json(list.map(Delivery::from).into()))
}

/// Sends a dead-lettered delivery again, with the same `webhook-id` and a fresh day of retries.
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/deliveries/{delivery_id}/resend", tag = "partners", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Partner id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
    ),
    responses(
        (status = 200, description = "Queued again", body = Delivery),
        (status = 403, description = "Not a platform administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a failed delivery", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn resend_partner_delivery(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Delivery>, ApiError> {
    caller.require_platform_admin()?;
    let (partner_id, delivery_id) = path.into_inner();
    let txn = state.db.begin().await?;
    let row = partners::resend(&txn, caller.account_id, partner_id, delivery_id).await?;
    txn.commit().await?;
    Ok(web::Json(row.into()))
}

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 client credentials (RFC 6749 §4.4)
// ---------------------------------------------------------------------------------------------

/// An access token for a partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerToken {
    /// JWT for `Authorization: Bearer`.
    #[schema(value_type = String)]
    pub access_token: entity::secret::Secret,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// An error in the shape of RFC 6749 §5.2.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    pub error: String,
    /// What is wrong, for the developer.
    pub error_description: String,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"anju\""));
    }
    response.json(OAuthError {
        error: error.to_owned(),
        error_description: description.to_owned(),
    })
}

/// The client credentials of a request: HTTP Basic (RFC 6749 §2.3.1, form-encoded parts), or
/// `client_id` and `client_secret` form fields; never both.
fn client_credentials(
    req: &HttpRequest,
    form: &[(String, String)],
) -> Result<(String, String), &'static str> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, value) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then(|| value.trim().to_owned())
        });
    match (basic, field("client_secret")) {
        (Some(_), Some(_)) => Err("use one client authentication method, not two"),
        (Some(encoded), None) => {
            let decoded = STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("malformed Basic credentials")?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or("malformed Basic credentials")?;
            let unescape = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Ok((unescape(id), unescape(secret)))
        }
        (None, Some(secret)) => Ok((field("client_id").ok_or("client_id is missing")?, secret)),
        (None, None) => Err("no client authentication"),
    }
}

/// Issues a partner access token by OAuth 2.0 client credentials (RFC 6749 §4.4):
/// `application/x-www-form-urlencoded` with `grant_type=client_credentials` and, optionally,
/// `scope`; the client authenticates by HTTP Basic or by `client_id` and `client_secret` fields.
/// Errors are RFC 6749 §5.2 JSON (`invalid_request`, `invalid_client`, ...), not problem+json.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "grant_type=client_credentials[&scope=…][&client_id=…&client_secret=…]"),
    responses(
        (status = 200, description = "A token", body = PartnerToken),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope", body = OAuthError),
        (status = 401, description = "invalid_client", body = OAuthError),
    )
)]
pub async fn issue_partner_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let bad =
        |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    let form_type = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "application/x-www-form-urlencoded");
    if !form_type {
        return bad("the body must be application/x-www-form-urlencoded");
    }
    let Ok(body) = read_body(
        payload.into_inner(),
        body_limit(&req),
        declared_length(&req),
    )
    .await
    else {
        return bad("the body could not be read");
    };
    // The text rule, as for every other input: no control characters, NFC.
    let body = match crate::extract::clean_form(&body) {
        Ok(body) => body,
        Err(errors) => {
            let names: Vec<&str> = errors.keys().map(String::as_str).collect();
            return bad(&format!(
                "control characters are not allowed ({})",
                names.join(", ")
            ));
        }
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // RFC 6749 §3.2: parameters must not repeat.
    let mut names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return bad("a parameter is repeated");
    }
    let grant = form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str());
    match grant {
        None => return bad("grant_type is missing"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
    }
    let (client_id, client_secret) = match client_credentials(&req, &form) {
        Ok(c) => c,
        Err(why) if why == "no client authentication" => {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", why);
        }
        Err(why) => return bad(why),
    };
    let found = match partners::authenticate(state.db.conn(), &client_id, &client_secret).await {
        Ok(found) => found,
        Err(e) => return ApiError::from(e).error_response_owned(),
    };
    let Some(p) = found else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, wrong secret, or disabled",
        );
    };
    let granted: Vec<&str> = p.scopes.split(' ').collect();
    let scope = match form.iter().find(|(k, _)| k == "scope") {
        None => p.scopes.clone(),
        Some((_, asked)) => {
            let asked: Vec<&str> = asked.split(' ').filter(|s| !s.is_empty()).collect();
            if asked.is_empty() || asked.iter().any(|s| !granted.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "the scope asked for exceeds what this client was granted",
                );
            }
            asked.join(" ")
        }
    };
    match state.jwt.issue_partner(p.id, &scope) {
        Ok((token, expires_in)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(PartnerToken {
                access_token: token.into(),
                token_type: "Bearer".into(),
                expires_in,
                scope,
            }),
        Err(e) => ApiError::Internal(e.into()).error_response_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// The partner's own routes
// ---------------------------------------------------------------------------------------------

async fn calling_partner(
    state: &AppState,
    caller: &Principal,
    scope: PartnerScope,
) -> Result<partner::Model, ApiError> {
    if caller.role != Role::Partner {
        return Err(ApiError::Forbidden("only partner systems may do this"));
    }
    // A disabled (or removed) partner's tokens stop working at once.
    let p = match partners::get(state.db.conn(), caller.account_id).await {
        Ok(p) if !p.disabled => p,
        Ok(_) | Err(entity::DomainError::NotFound) => {
            return Err(ApiError::InvalidToken(
                "the token does not match an enabled partner".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let in_token = caller
        .token_scope
        .as_deref()
        .is_some_and(|s| s.split(' ').any(|s| s == scope.as_str()));
    if !p.has(scope) || !in_token {
        return Err(ApiError::Forbidden(
            "the partner or this token lacks the scope for this",
        ));
    }
    Ok(p)
}

/// An organization (schema.org `Organization`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Organization {
    /// Name, up to 200 characters.
    pub name: String,
    /// Anything else (`@type`, identifiers) is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A place (schema.org `Place`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Place {
    /// The address, as text, up to 200 characters.
    pub address: String,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A salary range (schema.org `QuantitativeValue`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalaryValue {
    /// Lowest.
    pub min_value: i32,
    /// Highest.
    pub max_value: i32,
    /// `HOUR`, `DAY`, `MONTH` or `PIECE`.
    pub unit_text: String,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// Pay (schema.org `MonetaryAmount`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Salary {
    /// `CNY`.
    pub currency: String,
    /// The range.
    pub value: SalaryValue,
    /// Anything else is accepted and ignored.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, Value>,
}

/// A posting from the partner: schema.org `JobPosting` fields, plus the exchange's own
/// (`version`, `contact`, age limits, accommodations, Anju's channel).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerPosting {
    /// JSON-LD context (ignored).
    #[serde(rename = "@context")]
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
    /// JSON-LD type (ignored; `JobPosting`).
    #[serde(rename = "@type")]
    pub type_: Option<String>,
    /// The exchange's version of this posting; must grow with every change.
    pub version: i64,
    /// Title, up to 100 characters.
    pub title: String,
    /// Description, up to 5,000 characters.
    pub description: String,
    /// When it was posted (informational).
    pub date_posted: Option<DateTime<Utc>>,
    /// Valid until (required, in the future).
    pub valid_through: DateTime<Utc>,
    /// Who hires.
    pub hiring_organization: Organization,
    /// Where.
    pub job_location: Place,
    /// Pay.
    pub base_salary: Salary,
    /// People wanted (default 1).
    pub total_job_openings: Option<i32>,
    /// Anju's channel (`local`, `work_away`, ...; default `local`).
    pub occupational_category: Option<JobCategory>,
    /// Skills wanted.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Contact, up to 100 characters.
    pub contact: String,
    /// Youngest acceptable age.
    pub age_min: Option<i16>,
    /// Oldest acceptable age.
    pub age_max: Option<i16>,
    /// Suitable for disabled workers.
    #[serde(default)]
    pub suitable_for_disabled: bool,
    /// Flexible hours.
    #[serde(default)]
    pub flexible_hours: bool,
    /// Transport provided.
    #[serde(default)]
    pub transport_provided: bool,
    /// Housing provided.
    #[serde(default)]
    pub housing_provided: bool,
}

/// Our field names to the partner's, so validation errors name what the partner sent.
fn partner_field(ours: &str) -> &str {
    match ours {
        "location" => "jobLocation.address",
        "salary_min" => "baseSalary.value.minValue",
        "salary_max" => "baseSalary.value.maxValue",
        "headcount" => "totalJobOpenings",
        "age_min" => "ageMin",
        "age_max" => "ageMax",
        "valid_through" => "validThrough",
        other => other,
    }
}

impl PartnerPosting {
    fn validate(self, external_id: &str) -> Result<InboundPosting, ApiError> {
        let mut errors = FieldErrors::new();
        if external_id.is_empty()
            || external_id.len() > 200
            || !external_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        {
            errors.insert(
                "external_id".into(),
                "1–200 characters of A–Z, a–z, 0–9, - _ . :".into(),
            );
        }
        if self.version < 1 {
            errors.insert("version".into(), "must be at least 1".into());
        }
        if self.base_salary.currency != "CNY" {
            errors.insert("baseSalary.currency".into(), "must be CNY".into());
        }
        let unit = match self
            .base_salary
            .value
            .unit_text
            .to_ascii_uppercase()
            .as_str()
        {
            "HOUR" => Some(SalaryUnit::Hour),
            "DAY" => Some(SalaryUnit::Day),
            "MONTH" => Some(SalaryUnit::Month),
            "PIECE" => Some(SalaryUnit::Piece),
            _ => {
                errors.insert(
                    "baseSalary.value.unitText".into(),
                    "must be HOUR, DAY, MONTH or PIECE".into(),
                );
                None
            }
        };
        let hiring = match text(
            "hiringOrganization.name",
            &self.hiring_organization.name,
            200,
        ) {
            Ok(h) => Some(h),
            Err(_) => {
                errors.insert(
                    "hiringOrganization.name".into(),
                    "must be 1–200 characters".into(),
                );
                None
            }
        };
        let request = JobRequest {
            title: self.title,
            description: self.description,
            category: self.occupational_category.unwrap_or(JobCategory::Local),
            location: self.job_location.address,
            salary_min: self.base_salary.value.min_value,
            salary_max: self.base_salary.value.max_value,
            salary_unit: unit.unwrap_or(SalaryUnit::Month),
            headcount: self.total_job_openings.unwrap_or(1),
            age_min: self.age_min,
            age_max: self.age_max,
            skills: self.skills,
            suitable_for_disabled: self.suitable_for_disabled,
            flexible_hours: self.flexible_hours,
            transport_provided: self.transport_provided,
            housing_provided: self.housing_provided,
            contact: self.contact,
            valid_through: self.valid_through,
        };
        let content = match request.validate() {
            Ok(c) => Some(c),
            Err(ApiError::Validation(found)) => {
                for (field, message) in found {
                    errors.insert(partner_field(&field).to_owned(), message);
                }
                None
            }
            Err(other) => return Err(other),
        };
        match (content, hiring) {
            (Some(content), Some(hiring_organization)) if errors.is_empty() => Ok(InboundPosting {
                external_id: external_id.to_owned(),
                version: self.version,
                hiring_organization,
                content,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// A partner posting as stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerJob {
    /// Anju's id for it.
    pub id: Uuid,
    /// The partner's id for it.
    pub external_id: String,
    /// The partner's version stored.
    pub version: i64,
    /// `pending_review`, `published`, `closed`, ...
    pub status: String,
    /// Whether this request changed it (`created`, `updated`, `unchanged`, `closed`).
    pub outcome: String,
}

fn partner_job(j: entity::recruitment::job::Model, outcome: &str) -> PartnerJob {
    PartnerJob {
        id: j.id,
        external_id: j.external_id.unwrap_or_default(),
        version: j.external_version.unwrap_or(0),
        status: j.status.to_string(),
        outcome: outcome.to_owned(),
    }
}

/// Creates or updates one of the partner's postings by its external id. Idempotent: the same
/// version again changes nothing (200); an older version is 409 `stale_version`; a closed
/// posting is never reopened (409 `posting_closed`). New postings are published at once, or
/// wait for staff review when the partner is set so.
#[utoipa::path(
    put, path = "/api/v1/partner/jobs/{external_id}", tag = "partners", security(("bearer" = [])),
    params(("external_id" = String, Path, description = "The partner's id for the posting")),
    request_body = PartnerPosting,
    responses(
        (status = 201, description = "Created", body = PartnerJob),
        (status = 200, description = "Updated, or the same version again", body = PartnerJob),
        (status = 403, description = "Not a partner with jobs:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "stale_version or posting_closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named as sent", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_partner_job(
    state: web::Data<AppState>,
    caller: Principal,
    external_id: web::Path<String>,
    Json(body): Json<PartnerPosting>,
) -> Result<HttpResponse, ApiError> {
    let external_id = crate::extract::path_text("external_id", external_id.into_inner())?;
    let p = calling_partner(&state, &caller, PartnerScope::JobsWrite).await?;
    let posting = body.validate(&external_id)?;
    let mut attempt = 0;
    // Two first PUTs of one posting race on the unique index: the loser retries and updates.
    let (job, outcome) = loop {
        attempt += 1;
        let txn = state.db.begin().await?;
        match partners::upsert_job(&txn, &p, posting.clone()).await {
            Ok(done) => {
                txn.commit().await?;
                break done;
            }
            Err(entity::DomainError::Db(e)) if attempt < 3 && is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    let (status, word) = match outcome {
        Upserted::Created => (StatusCode::CREATED, "created"),
        Upserted::Updated => (StatusCode::OK, "updated"),
        Upserted::Unchanged => (StatusCode::OK, "unchanged"),
    };
    Ok(HttpResponse::build(status).json(partner_job(job, word)))
}

fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Which version closes it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CloseQuery {
    /// The partner's version of the close; an older one than stored is 409 `stale_version`.
    pub version: Option<i64>,
}

/// Closes one of the partner's postings: it leaves residents' lists. Idempotent.
#[utoipa::path(
    delete, path = "/api/v1/partner/jobs/{external_id}", tag = "partners", security(("bearer" = [])),
    params(("external_id" = String, Path, description = "The partner's id for the posting"), CloseQuery),
    responses(
        (status = 200, description = "Closed (or already closed)", body = PartnerJob),
        (status = 403, description = "Not a partner with jobs:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such posting of this partner", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "stale_version", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_partner_job(
    state: web::Data<AppState>,
    caller: Principal,
    external_id: web::Path<String>,
    Query(q): Query<CloseQuery>,
) -> Result<web::Json<PartnerJob>, ApiError> {
    let external_id = crate::extract::path_text("external_id", external_id.into_inner())?;
    let p = calling_partner(&state, &caller, PartnerScope::JobsWrite).await?;
    let txn = state.db.begin().await?;
    let job = partners::close_job(&txn, &p, &external_id, q.version).await?;
    txn.commit().await?;
    Ok(web::Json(partner_job(job, "closed")))
}

/// Feed filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only postings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// One posting in the feed: its current state, or a tombstone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    /// Anju's id.
    pub id: Uuid,
    /// Anju's version (the same as in webhooks).
    pub version: i32,
    /// `published`, `closed`, `filled` or `expired` (or `pending_review`/`draft` if staff
    /// withdrew it).
    pub status: String,
    /// True when it is no longer open: drop it.
    pub deleted: bool,
    /// Last changed at (the feed's order).
    pub updated_at: DateTime<Utc>,
    /// The posting as schema.org `JobPosting` JSON-LD (also for tombstones, as last known).
    #[schema(value_type = Object)]
    pub posting: Value,
}

/// Our postings changed since a time, oldest change first, closed ones as tombstones: a
/// partner that missed webhooks catches up by walking this to the end and keeping the highest
/// version of each posting.
#[utoipa::path(
    get, path = "/api/v1/partner/jobs", tag = "partners", security(("bearer" = [])),
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of changes", body = Paginated<FeedItem>),
        (status = 403, description = "Not a partner with jobs:read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn partner_job_feed(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<FeedQuery>,
) -> Result<web::Json<Paginated<FeedItem>>, ApiError> {
    calling_partner(&state, &caller, PartnerScope::JobsRead).await?;
    let page = PageParams::new(q.limit, q.cursor).into_request::<FeedKey>()?;
    let list = partners::feed(state.db.conn(), q.updated_since, &page).await?;
    Ok(web::Json(
        list.map(|(j, employer)| FeedItem {
            id: j.id,
            version: j.version,
            deleted: j.status != entity::recruitment::job::JobStatus::Published,
            status: j.status.to_string(),
            updated_at: j.updated_at,
            posting: partners::posting_json(&j, &employer),
        })
        .into(),
    ))
}

/// Registers the partner routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners")
            .route(web::post().to(create_partner))
            .route(web::get().to(list_partners)),
    )
    .service(
        web::resource("/partners/{id}/rotate-secrets")
            .route(web::post().to(rotate_partner_secrets)),
    )
    .service(
        web::resource("/partners/{id}/deliveries").route(web::get().to(list_partner_deliveries)),
    )
    .service(
        web::resource("/partners/{id}/deliveries/{delivery_id}/resend")
            .route(web::post().to(resend_partner_delivery)),
    )
    .service(web::resource("/auth/token").route(web::post().to(issue_partner_token)))
    .service(web::resource("/partner/jobs").route(web::get().to(partner_job_feed)))
    .service(
        web::resource("/partner/jobs/{external_id}")
            .route(web::put().to(put_partner_job))
            .route(web::delete().to(delete_partner_job)),
    );
}
