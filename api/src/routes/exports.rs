//! Spreadsheet exports (`.xlsx` or CSV, see [`crate::exports`]): the roster, the households below
//! the employment target, an activity's sign-ups, a household's points ledger, a call's credited
//! claims, the store's redemptions and a job's applicants. Each is checked and audited (who
//! exported what, when, in which format) before the first row goes out, and masked as the
//! caller's own screens are: ID numbers always masked, birth dates and low-income status left
//! out for group leaders.

use entity::{
    activities::{self, SignupStatus},
    audit::AuditEntry,
    claims,
    kernel::Role,
    page::PageRequest,
    points::{self, EntryKind, RedemptionStatus},
    recruitment::application::{self, Applicants, ApplicationStatus},
    registry::{
        ops::{self, ResidentFilter},
        roster::{RosterLine, roster_batch},
    },
};
use sea_orm::EntityTrait;

use super::{
    prelude::*,
    residents::{ResidentQuery, age, today},
};
use crate::exports::{
    BATCH, Column, ExportFormat, ExportQuery, FormatParam, NoFilters, Table, Value, respond, yes_no,
};

/// Records who exported what: `action` on `target_type` `target_id`, with `details` (never the
/// search text or any personal value).
async fn audit_export(
    state: &AppState,
    caller: &Principal,
    site_id: Option<Uuid>,
    action: &'static str,
    target: (&'static str, Option<Uuid>),
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let mut entry = AuditEntry::new(action, target.0, Uuid::nil())
        .by(caller.account_id, caller.role.as_str())
        .site(site_id.or(caller.scope.site_id()))
        .details(details);
    entry.target_id = target.1;
    entry.record(state.db.conn()).await?;
    Ok(())
}

fn staff_or_leader(caller: &Principal) -> Result<(), ApiError> {
    if caller.role.is_staff() || caller.role == Role::GroupLeader {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only staff and group leaders export lists",
        ))
    }
}

fn format_name(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Xlsx => "xlsx",
        ExportFormat::Csv => "csv",
    }
}

/// The roster's columns: the import's names, so staff recognise them.
const ROSTER: &[Column] = &[
    ("居委会", 14.0),
    ("居民组", 10.0),
    ("楼栋", 10.0),
    ("户号", 10.0),
    ("与户主关系", 10.0),
    ("姓名", 10.0),
    ("性别", 6.0),
    ("出生日期", 12.0),
    ("年龄", 6.0),
    ("手机号", 14.0),
    ("身份证号", 22.0),
    ("残疾", 6.0),
    ("残疾等级", 8.0),
    ("党员", 6.0),
    ("低保", 6.0),
    ("技能", 20.0),
    ("就业状态", 10.0),
    ("求职", 6.0),
];

/// How much of the roster a caller sees.
#[derive(Clone, Copy)]
struct RosterView {
    /// Birth dates and low-income status (staff and administrators); group leaders see ages.
    full: bool,
}

fn relation_label(r: Option<entity::people::Relation>) -> Value {
    use entity::people::Relation;
    Value::from(r.map(|r| match r {
        Relation::Head => "户主",
        Relation::Spouse => "配偶",
        Relation::Child => "子女",
        Relation::Parent => "父母",
        Relation::Other => "其他",
    }))
}

fn employment_label(s: entity::registry::types::EmploymentStatus) -> &'static str {
    use entity::registry::types::EmploymentStatus as S;
    match s {
        S::Unknown => "未登记",
        S::Employed => "就业",
        S::SelfEmployed => "自主创业",
        S::Unemployed => "未就业",
        S::Student => "在校",
        S::Retired => "退休",
        S::UnableToWork => "无劳动能力",
    }
}

fn roster_row(line: RosterLine, view: RosterView) -> Result<Vec<Value>, ApiError> {
    let r = line.resident;
    let level = r.level()?;
    let skills = r.skill_list()?.join("、");
    Ok(vec![
        line.committee.into(),
        line.group.into(),
        line.building.into(),
        line.household.into(),
        relation_label(r.relation),
        r.name.into(),
        match r.gender {
            entity::people::Gender::Male => "男",
            entity::people::Gender::Female => "女",
        }
        .into(),
        if view.full {
            r.birth_date.into()
        } else {
            Value::Empty
        },
        i64::from(age(r.birth_date)).into(),
        r.phone.into(),
        // Masked as stored: the first character, sixteen stars and the check character.
        r.id_card_masked.into(),
        yes_no(r.disability),
        level.map(|l| format!("{l}级")).into(),
        yes_no(r.party_member),
        if view.full {
            yes_no(line.low_income)
        } else {
            Value::Empty
        },
        skills.into(),
        employment_label(r.employment_status).into(),
        yes_no(r.job_seeking),
    ])
}

/// The roster (花名册) as a spreadsheet: the residents the caller reaches with the filters of
/// `GET /residents` (`committee_id` among them), every one of them, in a workbook or CSV. ID
/// numbers are masked; group leaders get ages without birth dates and no low-income column.
/// Audited (`export.residents`).
#[problems(
    400 "Bad query (`limit` and `cursor` do not apply)",
    403 "Not staff or a group leader",
)]
#[utoipa::path(
    get, path = "/api/v1/residents/export", tag = "registry", security(("bearer" = [])),
    params(FormatParam, ResidentQuery),
    responses(
        (status = 200, description = "The roster", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_residents(
    state: web::Data<AppState>,
    caller: Principal,
    q: ExportQuery<ResidentQuery>,
) -> Result<HttpResponse, ApiError> {
    staff_or_leader(&caller)?;
    if q.filters.limit.is_some() || q.filters.cursor.is_some() {
        return Err(ApiError::InvalidQuery(FieldErrors::from([(
            "limit".to_owned(),
            "an export has every row: leave out limit and cursor".to_owned(),
        )])));
    }
    let filter: ResidentFilter = q.filters.filter(&state)?;
    audit_export(
        &state,
        &caller,
        filter.site_id,
        "export.residents",
        ("site", filter.site_id.or(caller.scope.site_id())),
        serde_json::json!({
            "format": format_name(q.format),
            "committee_id": filter.committee_id,
            "group_id": filter.group_id,
            "building_id": filter.building_id,
            "household_id": filter.household_id,
            "searched": filter.search.is_some(),
            "disability": filter.disability,
            "party_member": filter.party_member,
            "job_seeking": filter.job_seeking,
            "working_age": filter.working_age_on.is_some(),
            "employment_status": filter.employment_status,
        }),
    )
    .await?;
    let view = RosterView {
        full: caller.role != Role::GroupLeader,
    };
    let db = state.db.clone();
    let scope = caller.scope.clone();
    respond(
        q.format,
        "居民花名册",
        ROSTER,
        move |mut table: Table| async move {
            let mut after = None;
            loop {
                let batch = roster_batch(db.conn(), &scope, &filter, after, BATCH).await?;
                let full = batch.len() as u64 == BATCH;
                after = batch.last().map(|l| l.resident.id);
                for line in batch {
                    table.push(&roster_row(line, view)?).await?;
                }
                if !full {
                    return Ok(table);
                }
            }
        },
    )
    .await
}

/// Which site a report export covers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteFilter {
    /// Only this site (platform administrators; others get their own).
    pub site_id: Option<Uuid>,
}

const BELOW_TARGET: &[Column] = &[
    ("居民组", 12.0),
    ("户号", 12.0),
    ("劳动力人数", 12.0),
    ("在岗人数", 10.0),
    ("还差人数", 10.0),
];

/// The households below the employment target (at least two in work, or all of its labour when
/// it has fewer than two), by group, for leaders' visits: the dashboard's list as a spreadsheet.
/// Audited (`export.below_target`).
#[problems(403 "Not staff or a group leader")]
#[utoipa::path(
    get, path = "/api/v1/reports/employment/below-target/export", tag = "jobs", security(("bearer" = [])),
    params(FormatParam, SiteFilter),
    responses(
        (status = 200, description = "The households", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_below_target(
    state: web::Data<AppState>,
    caller: Principal,
    q: ExportQuery<SiteFilter>,
) -> Result<HttpResponse, ApiError> {
    staff_or_leader(&caller)?;
    let scope = caller.scope.at_site(q.filters.site_id);
    audit_export(
        &state,
        &caller,
        q.filters.site_id,
        "export.below_target",
        ("site", q.filters.site_id.or(caller.scope.site_id())),
        serde_json::json!({ "format": format_name(q.format) }),
    )
    .await?;
    // The dashboard computes the whole list (a few thousand households per site) in one pass.
    let report =
        entity::recruitment::dashboard::employment_report(state.db.conn(), &scope, today()).await?;
    let groups: std::collections::HashMap<Uuid, String> = report
        .groups
        .iter()
        .map(|g| (g.group_id, g.group_name.clone()))
        .collect();
    respond(
        q.format,
        "就业未达标家庭",
        BELOW_TARGET,
        move |mut table: Table| async move {
            for h in report.below_target {
                let target = h.labour.min(2);
                table
                    .push(&[
                        groups.get(&h.group_id).cloned().into(),
                        h.label.into(),
                        (h.labour as i64).into(),
                        (h.employed as i64).into(),
                        (target.saturating_sub(h.employed) as i64).into(),
                    ])
                    .await?;
            }
            Ok(table)
        },
    )
    .await
}

/// The page after `cursor` of a list walked to its end, a hundred items at a time.
fn next_page(cursor: Option<&str>) -> Result<PageRequest<Uuid>, ApiError> {
    PageRequest::parse(Some(entity::page::MAX_LIMIT), cursor).map_err(|_| ApiError::InvalidCursor)
}

fn names_of(names: &std::collections::HashMap<Uuid, String>, id: Uuid) -> Value {
    names.get(&id).cloned().into()
}

const SIGNUPS: &[Column] = &[
    ("姓名", 10.0),
    ("状态", 10.0),
    ("候补序号", 10.0),
    ("报名时间", 17.0),
    ("递补时间", 17.0),
    ("签到时间", 17.0),
    ("代报名", 8.0),
];

fn signup_status(s: SignupStatus) -> &'static str {
    match s {
        SignupStatus::Confirmed => "已报名",
        SignupStatus::Waitlisted => "候补",
        SignupStatus::Cancelled => "已取消",
        SignupStatus::Attended => "已签到",
        SignupStatus::NoShow => "缺席",
    }
}

/// An activity's sign-ups, waiting list and attendance, every one of them (staff; leaders for
/// their groups). Audited (`export.signups`).
#[problems(
    403 "Not staff or a leader",
    404 "No such activity in the caller's reach",
)]
#[utoipa::path(
    get, path = "/api/v1/activities/{id}/signups/export", tag = "activities", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id"), FormatParam),
    responses(
        (status = 200, description = "The sign-ups", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_signups(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportQuery<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    let activity_id = id.into_inner();
    let actor = caller.actor();
    // The first page checks reach and role before anything is recorded or sent.
    let first = activities::signups(
        state.db.conn(),
        &actor,
        activity_id,
        None,
        &next_page(None)?,
    )
    .await?;
    audit_export(
        &state,
        &caller,
        None,
        "export.signups",
        ("activity", Some(activity_id)),
        serde_json::json!({ "format": format_name(q.format) }),
    )
    .await?;
    let db = state.db.clone();
    let scope = caller.scope.clone();
    respond(
        q.format,
        "活动报名名单",
        SIGNUPS,
        move |mut table: Table| async move {
            let mut list = first;
            loop {
                let names = ops::resident_names(
                    db.conn(),
                    &scope,
                    list.items.iter().map(|s| s.resident_id),
                )
                .await?;
                for s in &list.items {
                    table
                        .push(&[
                            names_of(&names, s.resident_id),
                            signup_status(s.status).into(),
                            s.waitlist_ticket.map(i64::from).into(),
                            s.created_at.into(),
                            s.promoted_at.into(),
                            s.checked_in_at.into(),
                            yes_no(s.on_behalf),
                        ])
                        .await?;
                }
                let Some(cursor) = list.next_cursor else {
                    return Ok(table);
                };
                list = activities::signups(
                    db.conn(),
                    &actor,
                    activity_id,
                    None,
                    &next_page(Some(&cursor))?,
                )
                .await?;
            }
        },
    )
    .await
}

const LEDGER: &[Column] = &[
    ("时间", 17.0),
    ("类型", 8.0),
    ("积分", 8.0),
    ("余额", 8.0),
    ("事由", 40.0),
];

fn entry_kind(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Credit => "获得",
        EntryKind::Redemption => "兑换",
        EntryKind::Refund => "退回",
        EntryKind::Deduction => "扣减",
        EntryKind::Correction => "更正",
    }
}

/// A household's points ledger, every entry, newest first (staff of its site, its group leader,
/// its members). Audited (`export.points_ledger`).
#[problems(404 "No such household in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/households/{id}/points/export", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id"), FormatParam),
    responses(
        (status = 200, description = "The ledger", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_household_points(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportQuery<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    let household_id = id.into_inner();
    let (_, first) = points::household_account(
        state.db.conn(),
        &caller.scope,
        household_id,
        &next_page(None)?,
    )
    .await?;
    audit_export(
        &state,
        &caller,
        None,
        "export.points_ledger",
        ("household", Some(household_id)),
        serde_json::json!({ "format": format_name(q.format) }),
    )
    .await?;
    let db = state.db.clone();
    let scope = caller.scope.clone();
    respond(
        q.format,
        "家庭积分明细",
        LEDGER,
        move |mut table: Table| async move {
            let mut list = first;
            loop {
                for e in &list.items {
                    table
                        .push(&[
                            e.created_at.into(),
                            entry_kind(e.kind).into(),
                            i64::from(e.amount).into(),
                            i64::from(e.balance_after).into(),
                            e.reason.clone().into(),
                        ])
                        .await?;
                }
                let Some(cursor) = list.next_cursor else {
                    return Ok(table);
                };
                list = points::household_account(
                    db.conn(),
                    &scope,
                    household_id,
                    &next_page(Some(&cursor))?,
                )
                .await?
                .1;
            }
        },
    )
    .await
}

const CREDITED: &[Column] = &[
    ("姓名", 10.0),
    ("类别", 14.0),
    ("事由", 40.0),
    ("积分", 8.0),
    ("申报时间", 17.0),
    ("代申报", 8.0),
];

/// A call for claims' credited claims (staff; leaders for their groups): who earned what, for
/// the register and the county. Audited (`export.campaign_claims`).
#[problems(403 "Not staff or a group leader", 404 "No such call in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/points/campaigns/{id}/claims/export", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call for claims id"), FormatParam),
    responses(
        (status = 200, description = "The credited claims", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_campaign_claims(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportQuery<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    staff_or_leader(&caller)?;
    let campaign_id = id.into_inner();
    let campaign = claims::campaign::Entity::find_by_id(campaign_id)
        .one(state.db.conn())
        .await?
        .filter(|c| caller.scope.at_site(Some(c.site_id)) != entity::kernel::Scope::Nothing)
        .ok_or_else(ApiError::not_found)?;
    audit_export(
        &state,
        &caller,
        Some(campaign.site_id),
        "export.campaign_claims",
        ("campaign", Some(campaign_id)),
        serde_json::json!({ "format": format_name(q.format) }),
    )
    .await?;
    let filter = claims::ClaimFilter {
        status: Some(claims::ClaimStatus::Credited),
        campaign_id: Some(campaign_id),
        site_id: None,
    };
    let db = state.db.clone();
    let scope = caller.scope.clone();
    respond(
        q.format,
        "积分认定名单",
        CREDITED,
        move |mut table: Table| async move {
            let mut cursor: Option<String> = None;
            loop {
                let list = claims::list(db.conn(), &scope, &filter, &next_page(cursor.as_deref())?)
                    .await?;
                let names = ops::resident_names(
                    db.conn(),
                    &scope,
                    list.items.iter().map(|c| c.resident_id),
                )
                .await?;
                for c in &list.items {
                    table
                        .push(&[
                            names_of(&names, c.resident_id),
                            c.category.title().into(),
                            c.description.clone().into(),
                            c.points.map(i64::from).into(),
                            c.created_at.into(),
                            yes_no(c.on_behalf),
                        ])
                        .await?;
                }
                match list.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return Ok(table),
                }
            }
        },
    )
    .await
}

/// Filters of the redemptions export (those of the counter's list).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RedemptionFilters {
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
    /// Only this household.
    pub household_id: Option<Uuid>,
    /// Only this state.
    #[param(inline)]
    pub status: Option<RedemptionStatus>,
}

const REDEMPTIONS: &[Column] = &[
    ("时间", 17.0),
    ("户号", 12.0),
    ("商品", 20.0),
    ("数量", 6.0),
    ("积分", 8.0),
    ("状态", 8.0),
];

/// The store's redemptions, newest first (staff). Audited (`export.redemptions`).
#[problems(400 "Bad query", 403 "Not staff")]
#[utoipa::path(
    get, path = "/api/v1/store/redemptions/export", tag = "store", security(("bearer" = [])),
    params(FormatParam, RedemptionFilters),
    responses(
        (status = 200, description = "The redemptions", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_redemptions(
    state: web::Data<AppState>,
    caller: Principal,
    q: ExportQuery<RedemptionFilters>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
    let filter = points::RedemptionFilter {
        site_id: q.filters.site_id,
        household_id: q.filters.household_id,
        status: q.filters.status,
    };
    let first = points::redemptions(state.db.conn(), &actor, &filter, &next_page(None)?).await?;
    audit_export(
        &state,
        &caller,
        q.filters.site_id,
        "export.redemptions",
        ("site", q.filters.site_id.or(caller.scope.site_id())),
        serde_json::json!({
            "format": format_name(q.format),
            "household_id": q.filters.household_id,
            "status": q.filters.status,
        }),
    )
    .await?;
    let db = state.db.clone();
    respond(
        q.format,
        "积分超市兑换记录",
        REDEMPTIONS,
        move |mut table: Table| async move {
            let mut list = first;
            loop {
                let items = name_map::<points::item::Entity, _>(
                    &db,
                    list.items.iter().map(|r| r.item_id),
                    points::item::Column::Id,
                    |i: points::item::Model| (i.id, i.name),
                )
                .await?;
                let households = name_map::<entity::registry::household::Entity, _>(
                    &db,
                    list.items.iter().map(|r| r.household_id),
                    entity::registry::household::Column::Id,
                    |h: entity::registry::household::Model| (h.id, h.label),
                )
                .await?;
                for r in &list.items {
                    table
                        .push(&[
                            r.created_at.into(),
                            names_of(&households, r.household_id),
                            names_of(&items, r.item_id),
                            i64::from(r.quantity).into(),
                            i64::from(r.points).into(),
                            match r.status {
                                RedemptionStatus::Pending => "待领取",
                                RedemptionStatus::Fulfilled => "已领取",
                                RedemptionStatus::Cancelled => "已取消",
                            }
                            .into(),
                        ])
                        .await?;
                }
                let Some(cursor) = list.next_cursor else {
                    return Ok(table);
                };
                list = points::redemptions(db.conn(), &actor, &filter, &next_page(Some(&cursor))?)
                    .await?;
            }
        },
    )
    .await
}

/// Names by id for one page's rows (one query).
async fn name_map<E, F>(
    db: &entity::Db,
    ids: impl Iterator<Item = Uuid>,
    id_column: E::Column,
    pick: F,
) -> Result<std::collections::HashMap<Uuid, String>, ApiError>
where
    E: sea_orm::EntityTrait,
    F: Fn(E::Model) -> (Uuid, String),
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(E::find()
        .filter(id_column.is_in(ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(pick)
        .collect())
}

const APPLICANTS: &[Column] = &[
    ("姓名", 10.0),
    ("性别", 6.0),
    ("年龄", 6.0),
    ("手机号", 14.0),
    ("技能", 24.0),
    ("状态", 10.0),
    ("申请时间", 17.0),
    ("代申请", 8.0),
];

fn application_status(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted => "已投递",
        ApplicationStatus::Viewed => "已查看",
        ApplicationStatus::Interviewing => "面试中",
        ApplicationStatus::Offered => "已录用待入职",
        ApplicationStatus::Hired => "已入职",
        ApplicationStatus::NotSelected => "未录用",
        ApplicationStatus::Withdrawn => "已撤回",
    }
}

/// A posting's applicants, oldest first: for its employer, who needs to call them (name,
/// gender, age, mobile and skills the applicant gave by applying; no ID number, birth date or
/// sensitive status), and for staff, their site's applicants. Audited (`export.applicants`).
#[problems(403 "Neither the employer nor staff", 404 "Not the caller's posting")]
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/applications/export", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id"), FormatParam),
    responses(
        (status = 200, description = "The applicants", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
    )
)]
pub async fn export_applicants(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ExportQuery<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    let job_id = id.into_inner();
    let employer = match (caller.employer_id, caller.role) {
        (Some(employer), _) => Some(employer),
        (None, role) if role.is_staff() => None,
        _ => {
            return Err(ApiError::forbidden(
                "only the posting's employer and staff see its applicants",
            ));
        }
    };
    let reader = |scope| match employer {
        Some(e) => Applicants::Employer(e),
        None => Applicants::Staff(scope),
    };
    let first = application::for_job(
        state.db.conn(),
        reader(&caller.scope),
        job_id,
        &next_page(None)?,
    )
    .await?;
    let scope = caller.scope.clone();
    audit_export(
        &state,
        &caller,
        None,
        "export.applicants",
        ("job", Some(job_id)),
        serde_json::json!({ "format": format_name(q.format) }),
    )
    .await?;
    let db = state.db.clone();
    respond(
        q.format,
        "岗位申请人",
        APPLICANTS,
        move |mut table: Table| async move {
            let mut list = first;
            loop {
                use sea_orm::{ColumnTrait, QueryFilter};
                let ids: Vec<Uuid> = list.items.iter().map(|a| a.resident_id).collect();
                // The applicants of this posting only: for_job has checked the caller's reach.
                let people: std::collections::HashMap<Uuid, entity::registry::resident::Model> =
                    entity::registry::resident::Entity::find()
                        .filter(entity::registry::resident::Column::Id.is_in(ids))
                        .all(db.conn())
                        .await?
                        .into_iter()
                        .map(|r| (r.id, r))
                        .collect();
                for a in &list.items {
                    let person = people.get(&a.resident_id);
                    let skills = match person {
                        Some(p) => p.skill_list()?.join("、"),
                        None => String::new(),
                    };
                    table
                        .push(&[
                            person.map(|p| p.name.clone()).into(),
                            person
                                .map(|p| match p.gender {
                                    entity::people::Gender::Male => "男",
                                    entity::people::Gender::Female => "女",
                                })
                                .into(),
                            person.map(|p| i64::from(age(p.birth_date))).into(),
                            person.and_then(|p| p.phone.clone()).into(),
                            skills.into(),
                            application_status(a.status).into(),
                            a.created_at.into(),
                            yes_no(a.on_behalf),
                        ])
                        .await?;
                }
                let Some(cursor) = list.next_cursor else {
                    return Ok(table);
                };
                let reader = match employer {
                    Some(e) => Applicants::Employer(e),
                    None => Applicants::Staff(&scope),
                };
                list = application::for_job(db.conn(), reader, job_id, &next_page(Some(&cursor))?)
                    .await?;
            }
        },
    )
    .await
}

/// Registers the routes of this group (before the `{id}` routes they would otherwise match).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/residents/export").route(web::get().to(export_residents)))
        .service(
            web::resource("/reports/employment/below-target/export")
                .route(web::get().to(export_below_target)),
        )
        .service(
            web::resource("/activities/{id}/signups/export").route(web::get().to(export_signups)),
        )
        .service(
            web::resource("/households/{id}/points/export")
                .route(web::get().to(export_household_points)),
        )
        .service(
            web::resource("/points/campaigns/{id}/claims/export")
                .route(web::get().to(export_campaign_claims)),
        )
        .service(
            web::resource("/store/redemptions/export").route(web::get().to(export_redemptions)),
        )
        .service(
            web::resource("/jobs/{id}/applications/export").route(web::get().to(export_applicants)),
        );
}
