//! The caller, as a typed principal with its registry scope, from the bearer token.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use entity::{
    identity::Role,
    registry::{resident, resident_group},
    scope::{Own, Scope},
};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, QueryStatementBuilder},
};
use uuid::Uuid;

use crate::{error::ApiError, startup::AppState};

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

    /// Staff or site administrator of a site: returns that site.
    pub fn require_staff(&self) -> Result<Uuid, ApiError> {
        match (self.role, &self.scope) {
            (Role::Staff | Role::SiteAdmin, Scope::Site(site)) => Ok(*site),
            _ => Err(ApiError::Forbidden("only community staff may do this")),
        }
    }

    /// Staff of `site`, or a platform administrator (who manages every site).
    pub fn require_staff_of(&self, site: Uuid) -> Result<(), ApiError> {
        match (self.role, &self.scope) {
            (Role::PlatformAdmin, _) => Ok(()),
            (Role::Staff | Role::SiteAdmin, Scope::Site(s)) if *s == site => Ok(()),
            // Another site's objects are invisible rather than forbidden.
            (Role::Staff | Role::SiteAdmin, Scope::Site(_)) => Err(ApiError::NotFound),
            _ => Err(ApiError::Forbidden("only community staff may do this")),
        }
    }

    /// A platform administrator.
    pub fn require_platform_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::PlatformAdmin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only platform administrators may do this",
            ))
        }
    }

    /// A site administrator of its site, or a platform administrator.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::SiteAdmin | Role::PlatformAdmin => Ok(()),
            _ => Err(ApiError::Forbidden("only administrators may do this")),
        }
    }

    /// May change registry data (households, residents) within its scope: staff, site and
    /// platform administrators, and group leaders for their groups.
    pub fn require_registry_editor(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => Ok(()),
            _ => Err(ApiError::Forbidden(
                "residents may not change registry data",
            )),
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
                return Err(ApiError::Forbidden(
                    "partner tokens open only the /partner routes",
                ));
            }
            let mut principal =
                resolve(&state, claims.sub, claims.role, claims.site, claims.res).await?;
            principal.token_scope = claims.scope;
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

/// Builds the principal. Residents' scope comes from the database on every request, so moving a
/// household or appointing or removing a group leader takes effect at once, not at token expiry.
pub async fn resolve(
    state: &AppState,
    account_id: Uuid,
    role: Role,
    site: Option<Uuid>,
    resident_id: Option<Uuid>,
) -> Result<Principal, ApiError> {
    let invalid = || ApiError::InvalidToken("the token does not match an account".into());
    let (role, scope) = match role {
        Role::PlatformAdmin => (role, Scope::All),
        Role::Staff | Role::SiteAdmin => (role, Scope::Site(site.ok_or_else(invalid)?)),
        Role::Resident | Role::GroupLeader => {
            let resident_id = resident_id.ok_or_else(invalid)?;
            // One query: the resident's place, and whether it leads any group (most do not, and
            // then the led groups need no second query).
            let leads = sea_orm::sea_query::Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(resident_group::Entity)
                .and_where(
                    Expr::col((
                        resident_group::Entity,
                        resident_group::Column::LeaderResidentId,
                    ))
                    .equals((resident::Entity, resident::Column::Id)),
                )
                .to_owned();
            let (site_id, household_id, group_id, leads): (Uuid, Uuid, Uuid, i64) =
                resident::Entity::find_by_id(resident_id)
                    .select_only()
                    .column(resident::Column::SiteId)
                    .column(resident::Column::HouseholdId)
                    .column(resident::Column::GroupId)
                    .expr(Expr::SubQuery(
                        None,
                        Box::new(leads.into_sub_query_statement()),
                    ))
                    .into_tuple()
                    .one(state.db.conn())
                    .await?
                    .ok_or_else(invalid)?;
            let own = Own {
                site_id,
                resident_id,
                household_id,
                group_id,
            };
            let group_ids: Vec<Uuid> = if leads == 0 {
                Vec::new()
            } else {
                resident_group::Entity::find()
                    .select_only()
                    .column(resident_group::Column::Id)
                    .filter(resident_group::Column::LeaderResidentId.eq(resident_id))
                    .into_tuple()
                    .all(state.db.conn())
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
        // Partner tokens reach only the /partner routes, which load the partner (and refuse a
        // disabled one) themselves.
        Role::Employer | Role::Partner => (role, Scope::Nothing),
    };
    let employer_id = if role == Role::Employer {
        Some(
            entity::recruitment::employer::of_account(state.db.conn(), account_id)
                .await?
                .ok_or_else(invalid)?
                .id,
        )
    } else {
        None
    };
    Ok(Principal {
        account_id,
        role,
        scope,
        resident_id,
        employer_id,
        token_scope: None,
    })
}
