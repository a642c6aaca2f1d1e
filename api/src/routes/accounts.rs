//! Staff and administrator accounts, and the audit trail.

use entity::{
    audit::{self, AuditEntry},
    identity::{
        accounts::{self, NewAccount},
        password::Password,
    },
    kernel::Role,
    people::Phone,
    registry::ops,
};

use super::common::create;
use super::prelude::*;

/// A new staff or administrator account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    /// Login phone.
    pub phone: String,
    /// Initial password.
    #[schema(value_type = String)]
    pub password: entity::secret::Secret,
    /// `staff`, `site_admin` or `platform_admin`.
    pub role: Role,
    /// The site, for `staff` and `site_admin`.
    pub site_id: Option<Uuid>,
    /// For staff who live on the site: their own resident record, so that they are never the
    /// ones who verify or register their own household's points claims.
    pub resident_id: Option<Uuid>,
}

/// An account (never its password). Named `StaffAccount` in the document: `Account` alone was
/// also the points account's name, and one overwrote the other.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = StaffAccount)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Login phone, masked.
    pub phone: String,
    /// Role.
    pub role: Role,
    /// Site.
    pub site_id: Option<Uuid>,
    /// Disabled accounts cannot log in, and their tokens stop working.
    pub disabled: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last login.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl Account {
    fn from_model(m: &entity::identity::account::Model) -> Result<Self, ApiError> {
        Ok(Self {
            id: m.id,
            phone: Phone::parse(&m.phone)
                .map_err(|e| {
                    ApiError::Internal(anyhow::anyhow!(
                        "account.phone of {} does not read: {e}",
                        m.id
                    ))
                })?
                .masked(),
            role: m.role,
            site_id: m.site_id,
            disabled: m.disabled,
            created_at: m.created_at,
            last_login_at: m.last_login_at,
        })
    }
}

/// Account list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Only this site's (platform administrators; site administrators always see their own).
    pub site_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<Role>,
    /// Only disabled (or enabled) accounts.
    pub disabled: Option<bool>,
    /// Only the account of this phone.
    pub phone: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Why an account is disabled or enabled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountStateRequest {
    /// The reason, recorded in the audit trail.
    pub reason: String,
}

/// One audit event (the stored row is the contract's `AuditEvent`).
pub type AuditEvent = audit::Model;

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Done by this account.
    pub actor_account_id: Option<Uuid>,
    /// This action (`resident.update`), or every action of a kind (`resident.`, ending in a dot).
    pub action: Option<String>,
    /// On objects of this type (`resident`, `claim`, `account`, …).
    pub target_type: Option<String>,
    /// On this object.
    pub target_id: Option<Uuid>,
    /// For this resident (assisted mode).
    pub on_behalf_of: Option<Uuid>,
    /// At this site (platform administrators).
    pub site_id: Option<Uuid>,
    /// At or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Creates a staff, site-administrator or platform-administrator account. Platform
/// administrators create any of them; site administrators create staff and site administrators
/// of their own site.
#[problems(
    403 "Not allowed to create this role",
    409 "`phone_taken`",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/accounts", tag = "auth", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = NewAccountRequest,
    responses((status = 201, description = "Created", body = Account))
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
                return Err(ApiError::forbidden(
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
    let resident_id = match (body.resident_id, site_id) {
        (None, _) => None,
        (Some(resident), Some(site)) => {
            ops::get_resident(
                state.db.conn(),
                &entity::kernel::Scope::Site(site),
                resident,
            )
            .await
            .map_err(|_| ApiError::invalid("resident_id", "no such resident at this site"))?;
            Some(resident)
        }
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "resident_id",
                "only staff and site administrators are linked to a resident record",
            ));
        }
    };
    let password = Password::parse(body.password.expose(), Some(phone.as_str()))
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
                    resident_id,
                },
            )
            .await
            .map_err(|e| match e {
                // The resident record already belongs to another account.
                entity::DomainError::Conflict { .. } if resident_id.is_some() => {
                    entity::DomainError::conflict(
                        "phone_or_resident_taken",
                        "the phone or the resident record already belongs to an account",
                    )
                }
                other => other,
            })?;
            AuditEntry::new("account.create", "account", account.id)
                .by(actor_id, actor_role.as_str())
                .site(site_id)
                .details(serde_json::json!({ "role": role }))
                .record(txn)
                .await?;
            StoredResponse::json(StatusCode::CREATED, &Account::from_model(&account)?)
        })
    })
    .await
}

/// Accounts an administrator manages: a site administrator its site's (staff, administrators,
/// residents), a platform administrator every account. Phones are masked.
#[problems(403 "Not an administrator")]
#[utoipa::path(
    get, path = "/api/v1/accounts", tag = "auth", security(("bearer" = [])),
    params(AccountQuery),
    responses((status = 200, description = "A page of accounts", body = Paginated<Account>))
)]
pub async fn list_accounts(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<AccountQuery>,
) -> Result<web::Json<Paginated<Account>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let phone = q
        .phone
        .as_deref()
        .map(Phone::parse)
        .transpose()
        .map_err(|e| ApiError::InvalidQuery([("phone".to_owned(), e.to_string())].into()))?;
    let filter = accounts::AccountFilter {
        site_id: q.site_id,
        role: q.role,
        disabled: q.disabled,
        phone,
    };
    let found = accounts::list(state.db.conn(), &caller.actor(), &filter, &page).await?;
    let items = found
        .items
        .iter()
        .map(Account::from_model)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(Paginated {
        items,
        next_cursor: found.next_cursor,
    }))
}

async fn set_account_state(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    disabled: bool,
    reason: String,
) -> Result<web::Json<Account>, ApiError> {
    let reason = super::common::text("reason", &reason, 500)?;
    let txn = state.db.begin().await?;
    let account = accounts::set_state(&txn, &caller.actor(), id, disabled, Some(reason)).await?;
    txn.commit().await?;
    Ok(web::Json(Account::from_model(&account)?))
}

/// Disables an account (site administrators: accounts of their site; platform administrators:
/// any), audited with the reason. Its access tokens are refused from their next request, on
/// every replica, and its sessions end.
#[problems(
    403 "Not an administrator",
    404 "No such account in reach",
    409 "`cannot_disable_self`",
)]
#[utoipa::path(
    post, path = "/api/v1/accounts/{id}/disable", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = AccountStateRequest,
    responses((status = 200, description = "Disabled", body = Account))
)]
pub async fn disable_account(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<AccountStateRequest>,
) -> Result<web::Json<Account>, ApiError> {
    set_account_state(&state, &caller, id.into_inner(), true, body.reason).await
}

/// Enables a disabled account again (same rules as disabling), audited with the reason.
#[problems(
    403 "Not an administrator",
    404 "No such account in reach",
    409 "`cannot_disable_self`",
)]
#[utoipa::path(
    post, path = "/api/v1/accounts/{id}/enable", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = AccountStateRequest,
    responses((status = 200, description = "Enabled", body = Account))
)]
pub async fn enable_account(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<AccountStateRequest>,
) -> Result<web::Json<Account>, ApiError> {
    set_account_state(&state, &caller, id.into_inner(), false, body.reason).await
}

/// The audit trail, newest first: site administrators read their site's, platform
/// administrators everything; filtered by who, what, on which object, for whom and when.
/// Nothing here can be changed through the API.
#[problems(403 "Not an administrator", 422 "Invalid filters")]
#[utoipa::path(
    get, path = "/api/v1/audit-events", tag = "auth", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "A page of events", body = Paginated<AuditEvent>))
)]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<AuditQuery>,
) -> Result<web::Json<Paginated<AuditEvent>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let text = |field: &str, v: Option<String>| -> Result<Option<String>, ApiError> {
        v.map(|v| super::common::text(field, &v, 64)).transpose()
    };
    if let (Some(since), Some(until)) = (q.since, q.until)
        && until <= since
    {
        return Err(ApiError::invalid("until", "must be after since"));
    }
    let filter = ops::AuditFilter {
        actor_account_id: q.actor_account_id,
        action: text("action", q.action)?,
        target_type: text("target_type", q.target_type)?,
        target_id: q.target_id,
        on_behalf_of: q.on_behalf_of,
        site_id: q.site_id,
        since: q.since,
        until: q.until,
    };
    let events = ops::list_audit(state.db.conn(), &caller.actor(), &filter, &page).await?;
    Ok(web::Json(events.into()))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/accounts")
            .route(web::post().to(create_account))
            .route(web::get().to(list_accounts)),
    )
    .service(web::resource("/accounts/{id}/disable").route(web::post().to(disable_account)))
    .service(web::resource("/accounts/{id}/enable").route(web::post().to(enable_account)))
    .service(web::resource("/audit-events").route(web::get().to(list_audit)));
}
