//! Staff and administrator accounts, and the audit trail.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use entity::{
    audit::{self, AuditEntry},
    identity::{
        Role,
        accounts::{self, NewAccount},
        password::Password,
    },
    people::Phone,
    registry::ops,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::create;
use crate::{
    auth::Principal,
    error::{ApiError, Problem},
    extract::{Json, Query},
    idempotency::StoredResponse,
    pagination::{PageParams, Paginated},
    startup::AppState,
};

/// A new staff or administrator account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    /// Login phone.
    pub phone: String,
    /// Initial password.
    pub password: String,
    /// `staff`, `site_admin` or `platform_admin`.
    pub role: Role,
    /// The site, for `staff` and `site_admin`.
    pub site_id: Option<Uuid>,
}

/// An account (never its password).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Login phone, masked.
    pub phone: String,
    /// Role.
    pub role: Role,
    /// Site.
    pub site_id: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// One audit event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Id (time-ordered).
    pub id: Uuid,
    /// Site concerned.
    pub site_id: Option<Uuid>,
    /// Acting account.
    pub actor_account_id: Option<Uuid>,
    /// Its role.
    pub actor_role: String,
    /// The resident acted for.
    pub on_behalf_of: Option<Uuid>,
    /// What was done.
    pub action: String,
    /// Kind of object.
    pub target_type: String,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The reason given.
    pub reason: Option<String>,
    /// Details.
    pub details: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<audit::Model> for AuditEvent {
    fn from(m: audit::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            actor_account_id: m.actor_account_id,
            actor_role: m.actor_role,
            on_behalf_of: m.on_behalf_of,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            reason: m.reason,
            details: m.details,
            created_at: m.created_at,
        }
    }
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Creates a staff, site-administrator or platform-administrator account. Platform
/// administrators create any of them; site administrators create staff and site administrators
/// of their own site.
#[utoipa::path(
    post, path = "/api/v1/accounts", tag = "auth", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewAccountRequest,
    responses(
        (status = 201, description = "Created", body = Account),
        (status = 403, description = "Not allowed to create this role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`phone_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<NewAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let phone = Phone::parse(&body.phone).map_err(|e| ApiError::invalid("phone", e.to_string()))?;
    let site_id = match body.role {
        Role::Staff | Role::SiteAdmin => {
            let site = body
                .site_id
                .ok_or_else(|| ApiError::invalid("site_id", "required for staff and site_admin"))?;
            if caller.role == Role::SiteAdmin && caller.site_id() != Some(site) {
                return Err(ApiError::Forbidden(
                    "site administrators create accounts of their own site only",
                ));
            }
            ops::get_site(state.db.conn(), &caller.scope, site)
                .await
                .map_err(|_| ApiError::invalid("site_id", "no such site"))?;
            Some(site)
        }
        Role::PlatformAdmin => {
            caller.require_platform_admin()?;
            if body.site_id.is_some() {
                return Err(ApiError::invalid(
                    "site_id",
                    "platform administrators have no site",
                ));
            }
            None
        }
        _ => {
            return Err(ApiError::invalid(
                "role",
                "must be staff, site_admin or platform_admin (residents activate their own accounts)",
            ));
        }
    };
    let password = Password::parse(&body.password, Some(phone.as_str()))
        .map_err(|rule| ApiError::invalid("password", rule.to_string()))?;
    let password_hash = state.passwords.hash(password).await?;
    let (actor_id, actor_role) = (caller.account_id, caller.role);
    let role = body.role;
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let account = accounts::create(
                txn,
                NewAccount {
                    phone,
                    password_hash,
                    role,
                    site_id,
                    resident_id: None,
                },
            )
            .await?;
            audit::record(
                txn,
                AuditEntry {
                    site_id,
                    actor_account_id: Some(actor_id),
                    actor_role: actor_role.as_str().to_owned(),
                    on_behalf_of: None,
                    action: "account.create",
                    target_type: "account",
                    target_id: Some(account.id),
                    reason: None,
                    details: serde_json::json!({ "role": role }),
                },
            )
            .await?;
            let masked = Phone::parse(&account.phone)
                .map(|p| p.masked())
                .unwrap_or_default();
            StoredResponse::json(
                StatusCode::CREATED,
                &Account {
                    id: account.id,
                    phone: masked,
                    role,
                    site_id: account.site_id,
                    created_at: account.created_at,
                },
            )
        })
    })
    .await
}

/// The audit trail, newest first: site administrators read their site's, platform
/// administrators everything. Nothing here can be changed through the API.
#[utoipa::path(
    get, path = "/api/v1/audit-events", tag = "auth", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of events", body = Paginated<AuditEvent>),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<AuditQuery>,
) -> Result<web::Json<Paginated<AuditEvent>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let events = ops::list_audit(state.db.conn(), &caller.actor(), &page).await?;
    Ok(web::Json(events.map(AuditEvent::from).into()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/accounts").route(web::post().to(create_account)))
        .service(web::resource("/audit-events").route(web::get().to(list_audit)));
}
