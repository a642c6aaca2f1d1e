//! `GET /me`: who the caller is.

use entity::{
    kernel::{Role, Scope},
    registry::resident,
};
use sea_orm::EntityTrait;

use crate::routes::prelude::*;

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

/// The caller: account, effective role, site, resident record and led groups.
#[problems(401 "No or invalid token")]
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me))
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
