//! The caller, as a typed principal with its registry scope, from the bearer token.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use entity::{
    kernel::Role,
    kernel::{Own, Scope},
    registry::resident_group,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Statement};
use uuid::Uuid;

use crate::{auth::jwt::Claims, error::ApiError, startup::AppState};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub account_id: Uuid,
    /// The effective role (a resident who leads a group is a `group_leader`).
    pub role: Role,
    /// What of the registry the caller reaches.
    pub scope: Scope,
    /// The caller as a resident, for residents and group leaders.
    pub resident_id: Option<Uuid>,
    /// The household the caller lives in, when its account is linked to a resident record
    /// (residents, leaders, and staff who live on the site): conflicts of interest are checked
    /// against it.
    pub household_id: Option<Uuid>,
    /// The caller's employer, for employer accounts.
    pub employer_id: Option<Uuid>,
    /// The OAuth scopes a partner token was limited to.
    pub token_scope: Option<String>,
}

impl Principal {
    /// The caller's site, for site-bound callers.
    pub fn site_id(&self) -> Option<Uuid> {
        self.scope.site_id()
    }

    /// Staff of `site`, or a platform administrator (who manages every site).
    pub fn require_staff_of(&self, site: Uuid) -> Result<(), ApiError> {
        match (self.role, &self.scope) {
            (Role::PlatformAdmin, _) => Ok(()),
            (Role::Staff | Role::SiteAdmin, Scope::Site(s)) if *s == site => Ok(()),
            // Another site's objects are invisible rather than forbidden.
            (Role::Staff | Role::SiteAdmin, Scope::Site(_)) => Err(ApiError::not_found()),
            _ => Err(ApiError::forbidden("only community staff may do this")),
        }
    }

    /// A platform administrator.
    pub fn require_platform_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::PlatformAdmin {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "only platform administrators may do this",
            ))
        }
    }

    /// A site administrator of its site, or a platform administrator.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::SiteAdmin | Role::PlatformAdmin => Ok(()),
            _ => Err(ApiError::forbidden("only administrators may do this")),
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        // Partner systems reach their own routes only, whatever other handlers would allow.
        let partner_route =
            req.path().starts_with("/api/v1/partner/") || req.path() == "/api/v1/partner";
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token?;
            let claims = state
                .jwt
                .verify(&token)
                .map_err(|e| ApiError::InvalidToken(e.to_string()))?;
            if claims.role == Role::Partner && !partner_route {
                return Err(ApiError::forbidden(
                    "partner tokens open only the /partner routes",
                ));
            }
            let mut principal = resolve(&state, &claims).await?;
            principal.token_scope = claims.scope;
            entity::trace::set_actor(principal.account_id);
            Ok(principal)
        })
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated)?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::InvalidToken("malformed Authorization header".into()))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or_else(|| ApiError::InvalidToken("expected `Authorization: Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::InvalidToken(
            "expected `Authorization: Bearer <token>`".into(),
        ));
    }
    Ok(token.trim().to_owned())
}

/// The account behind a token, as one indexed read: its state, its resident record's place (for
/// residents, leaders and staff who live on the site), how many groups it leads, its employer.
const ACCOUNT_STATE: &str = "SELECT a.disabled, a.session_version, \
       r.id AS resident_id, r.site_id, r.household_id, r.group_id, \
       (SELECT COUNT(*) FROM resident_group g WHERE g.leader_resident_id = a.resident_id) AS leads, \
       (SELECT e.id FROM employer e WHERE e.account_id = a.id) AS employer_id \
     FROM account a LEFT JOIN resident r ON r.id = a.resident_id \
     WHERE a.id = $1";

/// Builds the principal. The account is read on every request, so disabling it or changing its
/// password stops tokens issued before at their next request, on every replica; residents'
/// scope is read too, so moving a household or appointing or removing a group leader takes
/// effect at once, not at token expiry.
pub async fn resolve(state: &AppState, claims: &Claims) -> Result<Principal, ApiError> {
    let invalid = || ApiError::InvalidToken("the token does not match an account".into());
    if claims.role == Role::Partner {
        // Partner tokens reach only the /partner routes, which load the partner (and refuse a
        // disabled one) themselves.
        return Ok(Principal {
            account_id: claims.sub,
            role: Role::Partner,
            scope: Scope::Nothing,
            resident_id: None,
            household_id: None,
            employer_id: None,
            token_scope: None,
        });
    }
    let db = state.db.conn();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            ACCOUNT_STATE,
            [claims.sub.into()],
        ))
        .await?
        .ok_or_else(invalid)?;
    let disabled: bool = row.try_get("", "disabled")?;
    let version: i32 = row.try_get("", "session_version")?;
    if disabled {
        return Err(ApiError::InvalidToken("the account is disabled".into()));
    }
    if version != claims.ver {
        return Err(ApiError::InvalidToken(
            "the session has ended (the password changed or the account was disabled); log in again"
                .into(),
        ));
    }
    let resident_id: Option<Uuid> = row.try_get("", "resident_id")?;
    let household_id: Option<Uuid> = row.try_get("", "household_id")?;
    let (role, scope) = match claims.role {
        Role::PlatformAdmin => (claims.role, Scope::All),
        Role::Staff | Role::SiteAdmin => {
            (claims.role, Scope::Site(claims.site.ok_or_else(invalid)?))
        }
        Role::Resident | Role::GroupLeader => {
            let (Some(resident_id), Some(site_id), Some(household_id), Some(group_id)) = (
                resident_id,
                row.try_get::<Option<Uuid>>("", "site_id")?,
                household_id,
                row.try_get::<Option<Uuid>>("", "group_id")?,
            ) else {
                return Err(invalid());
            };
            let leads: i64 = row.try_get("", "leads")?;
            let own = Own {
                site_id,
                resident_id,
                household_id,
                group_id,
            };
            // Most residents lead no group, and then the led groups need no second query.
            let group_ids: Vec<Uuid> = if leads == 0 {
                Vec::new()
            } else {
                resident_group::Entity::find()
                    .select_only()
                    .column(resident_group::Column::Id)
                    .filter(resident_group::Column::LeaderResidentId.eq(resident_id))
                    .into_tuple()
                    .all(db)
                    .await?
            };
            if group_ids.is_empty() {
                (Role::Resident, Scope::Own(own))
            } else {
                (
                    Role::GroupLeader,
                    Scope::Groups {
                        site_id,
                        group_ids,
                        own,
                    },
                )
            }
        }
        Role::Employer | Role::Partner => (claims.role, Scope::Nothing),
    };
    let employer_id = if role == Role::Employer {
        Some(
            row.try_get::<Option<Uuid>>("", "employer_id")?
                .ok_or_else(invalid)?,
        )
    } else {
        None
    };
    let is_resident = matches!(role, Role::Resident | Role::GroupLeader);
    Ok(Principal {
        account_id: claims.sub,
        role,
        scope,
        resident_id: if is_resident { resident_id } else { None },
        household_id,
        employer_id,
        token_scope: None,
    })
}
