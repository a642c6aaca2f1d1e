//! Reports for staff and group leaders.

use actix_web::web;
use entity::{
    identity::Role,
    recruitment::dashboard::{EmploymentReport, employment_report},
};

use super::residents::today;
use crate::{
    auth::Principal,
    error::{ApiError, Problem},
    startup::AppState,
};

/// The employment dashboard: households with labour, people in work, and the households below the
/// target (at least two in work, or all of its labour when it has fewer than two), by group, with
/// the list of those households for a leader to visit. Staff see their site, leaders their groups.
#[utoipa::path(
    get, path = "/api/v1/reports/employment", tag = "jobs", security(("bearer" = [])),
    responses(
        (status = 200, description = "The dashboard", body = EmploymentReport),
        (status = 403, description = "Not staff or a group leader", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn employment(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<EmploymentReport>, ApiError> {
    match caller.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => {}
        _ => {
            return Err(ApiError::Forbidden(
                "only staff and group leaders see the dashboard",
            ));
        }
    }
    Ok(web::Json(
        employment_report(state.db.conn(), &caller.scope, today()).await?,
    ))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reports/employment").route(web::get().to(employment)));
}
