//! Partner clients, their secrets and their webhook deliveries (platform administrators).

use actix_web::http::header;
use chrono::Duration;
use entity::{
    partners::{self, DeliveryState, NewPartner, PartnerScope, Secrets, delivery, partner},
    people::credit_code::CreditCode,
};

use crate::routes::{common::text, prelude::*};

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
#[problems(
    403 "Not a platform administrator",
    409 "The credit code is taken",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    request_body = PartnerRequest,
    responses(
        (status = 201, description = "Created; the secrets are shown once", body = PartnerWithSecrets),
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
#[problems(403 "Not a platform administrator")]
#[utoipa::path(
    get, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    responses((status = 200, description = "The partners", body = Vec<Partner>))
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
#[problems(
    403 "Not a platform administrator",
    404 "No such partner",
)]
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/rotate-secrets", tag = "partners", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = RotateRequest,
    responses(
        (status = 200, description = "The new secrets, shown once", body = PartnerWithSecrets),
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
#[problems(
    403 "Not a platform administrator",
    404 "No such partner",
)]
#[utoipa::path(
    get, path = "/api/v1/partners/{id}/deliveries", tag = "partners", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Partner id"), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries", body = Paginated<Delivery>))
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
#[problems(
    403 "Not a platform administrator",
    404 "No such delivery",
    409 "Not a failed delivery",
)]
#[utoipa::path(
    post, path = "/api/v1/partners/{id}/deliveries/{delivery_id}/resend", tag = "partners", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Partner id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
    ),
    responses((status = 200, description = "Queued again", body = Delivery))
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
