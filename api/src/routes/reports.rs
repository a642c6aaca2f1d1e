//! Reports for staff and group leaders.

use actix_web::http::header;
use entity::{
    claims::report::{PointsReport, points_report, publicity_sheet},
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

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The publicity sheet of a group (积分公示): the claims it posts for objections now, as a page in
/// Chinese that prints on one A4 sheet for the buildings' notice boards.
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
    let (group, lines) = publicity_sheet(state.db.conn(), &caller.scope, group_id.into_inner())
        .await?
        .ok_or(ApiError::not_found())?;
    let mut rows = String::new();
    for (i, l) in lines.iter().enumerate() {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"desc\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            i + 1,
            escape(&l.name),
            l.category,
            escape(&l.description),
            l.points,
            l.until
        ));
    }
    if lines.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"6\" class=\"empty\">本组目前没有公示中的积分申报。</td></tr>\n",
        );
    }
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{group}“双扶驿站”积分公示</title>
<style>
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif; font-size: 12pt; color: #000; }}
h1 {{ font-size: 20pt; text-align: center; margin: 0 0 4mm; }}
p.lead {{ margin: 0 0 4mm; line-height: 1.6; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #000; padding: 2mm; vertical-align: top; }}
th {{ background: #eee; }}
td.num {{ text-align: right; }}
td.desc {{ width: 40%; }}
td.empty {{ text-align: center; padding: 8mm; }}
tr {{ page-break-inside: avoid; }}
p.foot {{ margin-top: 6mm; line-height: 1.8; }}
</style>
</head>
<body>
<h1>{group}“双扶驿站”积分公示</h1>
<p class="lead">以下积分申报已经认定、登记，现予公示。公示期内，本社区居民如有异议，可通过安居 App 或向社区居委会实名反映。公示期满无异议的，积分将计入家庭积分账户。</p>
<table>
<thead><tr><th>序号</th><th>姓名</th><th>类别</th><th>事由</th><th>积分</th><th>公示截止</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<p class="foot">监督电话：社区居委会　　　　打印日期：{today}</p>
</body>
</html>
"#,
        group = escape(&group.name),
        rows = rows,
        today = super::residents::today(),
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(page))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reports/employment").route(web::get().to(employment)))
        .service(web::resource("/reports/points").route(web::get().to(points)))
        .service(
            web::resource("/reports/points/publicity/{group_id}").route(web::get().to(publicity)),
        );
}
