//! Reports for staff and group leaders.

use entity::{
    claims::report::{PointsReport, points_report},
    kernel::Role,
    recruitment::dashboard::{EmploymentReport, employment_report},
};

use super::{prelude::*, residents::today};

/// Which site a report covers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Only this site (platform administrators looking at the site they picked; others see their
    /// own site's, and another site's nothing).
    pub site_id: Option<Uuid>,
}

/// The employment dashboard: households with labour, people in work, and the households below the
/// target (at least two in work, or all of its labour when it has fewer than two), by group, with
/// the list of those households for a leader to visit. Staff see their site, leaders their groups.
#[problems(403 "Not staff or a group leader")]
#[utoipa::path(
    get, path = "/api/v1/reports/employment", tag = "jobs", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "The dashboard", body = EmploymentReport))
)]
pub async fn employment(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ReportQuery>,
) -> Result<web::Json<EmploymentReport>, ApiError> {
    match caller.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => {}
        _ => {
            return Err(ApiError::forbidden(
                "only staff and group leaders see the dashboard",
            ));
        }
    }
    Ok(web::Json(
        employment_report(state.db.conn(), &caller.scope.at_site(q.site_id), today()).await?,
    ))
}

fn staff_or_leader(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin | Role::GroupLeader => Ok(()),
        _ => Err(ApiError::forbidden(
            "only staff and group leaders see the reports",
        )),
    }
}

/// The points scheme: participation rate (households with at least one credited claim over all
/// households), points by category and by group. Staff see their site, leaders their groups.
#[problems(403 "Not staff or a group leader")]
#[utoipa::path(
    get, path = "/api/v1/reports/points", tag = "points", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "The report", body = PointsReport))
)]
pub async fn points(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ReportQuery>,
) -> Result<web::Json<PointsReport>, ApiError> {
    staff_or_leader(&caller)?;
    Ok(web::Json(
        points_report(state.db.conn(), &caller.scope.at_site(q.site_id)).await?,
    ))
}

/// The publicity sheet of a group (积分公示): the claims it posts for objections now, the deadline
/// for objections and the site's supervision phone, as a page in Chinese that prints on A4 for
/// the buildings' notice boards. A browser opens it without a header through
/// `POST /sheets/links` (`points_publicity`).
#[problems(
    403 "Not staff or a group leader",
    404 "No such group in reach",
)]
#[utoipa::path(
    get, path = "/api/v1/reports/points/publicity/{group_id}", tag = "points", security(("bearer" = [])),
    params(("group_id" = Uuid, Path, description = "Group id")),
    responses(
        (status = 200, description = "Printable HTML", body = String, content_type = "text/html"),
    )
)]
pub async fn publicity(
    state: web::Data<AppState>,
    caller: Principal,
    group_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    staff_or_leader(&caller)?;
    let page = super::sheets::publicity_page(state.db.conn(), &caller.scope, group_id.into_inner())
        .await?
        .ok_or(ApiError::not_found())?;
    Ok(super::sheets::html(page))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reports/employment").route(web::get().to(employment)))
        .service(web::resource("/reports/points").route(web::get().to(points)))
        .service(
            web::resource("/reports/points/publicity/{group_id}").route(web::get().to(publicity)),
        );
}
