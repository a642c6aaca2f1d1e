//! Printable sheets (A4, Simplified Chinese, print CSS): an activity's sign-in sheet (签到表) with
//! each participant's check-in QR code, a group's publicity sheet (积分公示) with the site's
//! supervision phone and the objection deadline, a redemption receipt (兑换凭证) and a household's
//! points card (家庭积分卡).
//!
//! A browser opens them from a link, and a link cannot carry a bearer header: an authorised
//! caller asks `POST /sheets/links` for a short-lived signed link (HMAC under a key every replica
//! shares), which opens the one sheet it names, without a header, until it expires (then 401).

use std::fmt::Write as _;

use actix_web::http::header;
use entity::{
    activities::{self, SignupStatus, signup},
    audit::AuditEntry,
    claims::report::publicity_sheet,
    kernel::{Role, Scope, china_time},
    points::{self, item, redemption},
    registry::{household, ops, resident, resident_group},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::prelude::*;
use crate::links::{self, SignedQuery};

/// A printable sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    /// An activity's sign-in sheet (签到表); `id` is the activity (staff).
    ActivitySignIn,
    /// A group's publicity sheet (积分公示); `id` is the group (staff, its leader).
    PointsPublicity,
    /// A redemption receipt (兑换凭证); `id` is the redemption (staff).
    RedemptionReceipt,
    /// A household's points card (家庭积分卡); `id` is the household (staff, its leader, its
    /// members).
    HouseholdPointsCard,
}

impl SheetKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::ActivitySignIn => "activity_sign_in",
            Self::PointsPublicity => "points_publicity",
            Self::RedemptionReceipt => "redemption_receipt",
            Self::HouseholdPointsCard => "household_points_card",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::ActivitySignIn,
            Self::PointsPublicity,
            Self::RedemptionReceipt,
            Self::HouseholdPointsCard,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// A link to ask for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetLinkRequest {
    /// Which sheet.
    pub sheet: SheetKind,
    /// Of what (activity, group, redemption or household id).
    pub id: Uuid,
}

/// A signed link to a sheet.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SheetLink {
    /// The path to open (same origin), with its expiry and signature.
    #[schema(
        example = "/api/v1/sheets/activity_sign_in/0190b4c8-2f6e-7a1c-9d3e-4b5a6c7d8e9f?expires=1764750000&by=0190b4c8-0000-7000-8000-000000000001&signature=4f1c…"
    )]
    pub url: String,
    /// When it stops opening.
    pub expires_at: DateTime<Utc>,
}

/// Whether `caller` may print `kind` of `id` (404 when it does not reach it).
async fn authorize(
    state: &AppState,
    caller: &Principal,
    kind: SheetKind,
    id: Uuid,
) -> Result<Uuid, ApiError> {
    let db = state.db.conn();
    match kind {
        SheetKind::ActivitySignIn => {
            if !caller.role.is_staff() {
                return Err(ApiError::forbidden("only staff print sign-in sheets"));
            }
            Ok(activities::get(db, &caller.scope, id).await?.site_id)
        }
        SheetKind::PointsPublicity => {
            if !(caller.role.is_staff() || caller.role == Role::GroupLeader) {
                return Err(ApiError::forbidden(
                    "only staff and group leaders print publicity sheets",
                ));
            }
            let (group, _) = publicity_sheet(db, &caller.scope, id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            Ok(group.site_id)
        }
        SheetKind::RedemptionReceipt => {
            if !caller.role.is_staff() {
                return Err(ApiError::forbidden("only staff print receipts"));
            }
            let r = redemption::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|r| caller.scope.at_site(Some(r.site_id)) != Scope::Nothing)
                .ok_or_else(ApiError::not_found)?;
            Ok(r.site_id)
        }
        SheetKind::HouseholdPointsCard => {
            let h = household::Entity::find_by_id(id)
                .filter(caller.scope.households())
                .one(db)
                .await?
                .ok_or_else(ApiError::not_found)?;
            Ok(h.site_id)
        }
    }
}

/// What a link to a sheet opens, as [`links::sign`] names it.
fn link_target(kind: SheetKind, id: Uuid) -> String {
    format!("sheet|{}|{id}", kind.as_str())
}

/// A short-lived link that opens a printable sheet in a browser without a bearer header (ten
/// minutes unless `sheet_link_seconds` says otherwise; the caller must reach what the sheet
/// shows; audited as `sheet.link`).
#[problems(
    403 "The caller's role does not print this sheet",
    404 "No such object in the caller's reach",
    422 "Invalid fields",
)]
#[utoipa::path(
    post, path = "/api/v1/sheets/links", tag = "sheets", security(("bearer" = [])),
    request_body = SheetLinkRequest,
    responses((status = 201, description = "The link", body = SheetLink))
)]
pub async fn issue_link(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<SheetLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let site_id = authorize(&state, &caller, body.sheet, body.id).await?;
    let link = links::sign(
        &state.pii,
        &link_target(body.sheet, body.id),
        caller.account_id,
        state.sheet_link_ttl,
    );
    AuditEntry::new("sheet.link", "sheet", body.id)
        .by(caller.account_id, caller.role.as_str())
        .site(site_id)
        .details(serde_json::json!({ "sheet": body.sheet.as_str() }))
        .record(state.db.conn())
        .await?;
    Ok(HttpResponse::Created().json(SheetLink {
        url: format!(
            "/api/v1/sheets/{}/{}?{}",
            body.sheet.as_str(),
            body.id,
            link.query
        ),
        expires_at: link.expires_at,
    }))
}

/// Opens a sheet from a signed link (no bearer header): a page to print, in Chinese. 401
/// `link_expired` once it has expired, `link_invalid` when the signature does not match.
#[problems(
    401 "`link_expired` or `link_invalid`",
    404 "No such sheet or object",
)]
#[utoipa::path(
    get, path = "/api/v1/sheets/{sheet}/{id}", tag = "sheets",
    params(
        ("sheet" = SheetKind, Path, description = "Which sheet"),
        ("id" = Uuid, Path, description = "Of what"),
        SignedQuery,
    ),
    responses((status = 200, description = "Printable HTML", body = String, content_type = "text/html"))
)]
pub async fn open_sheet(
    state: web::Data<AppState>,
    path: web::Path<(String, Uuid)>,
    Query(q): Query<SignedQuery>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = path.into_inner();
    let kind = SheetKind::parse(&kind).ok_or_else(ApiError::not_found)?;
    q.verify(
        &state.pii,
        &link_target(kind, id),
        "this link has expired; print again from the console",
    )?;
    let db = state.db.conn();
    let page = match kind {
        SheetKind::ActivitySignIn => sign_in_sheet(db, id).await?,
        SheetKind::PointsPublicity => publicity_page(db, &Scope::All, id)
            .await?
            .ok_or_else(ApiError::not_found)?,
        SheetKind::RedemptionReceipt => receipt(db, id).await?,
        SheetKind::HouseholdPointsCard => points_card(db, id).await?,
    };
    Ok(html(page))
}

/// A printable page as a response (never cached: it holds names).
pub fn html(page: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(page)
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = r#"
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimSun", sans-serif; font-size: 12pt; color: #000; margin: 0; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; }
p { margin: 0 0 3mm; line-height: 1.6; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #000; padding: 2mm; vertical-align: middle; }
th { background: #eee; }
td.num { text-align: right; }
td.wide { width: 40%; }
td.empty { text-align: center; padding: 8mm; }
td.qr svg { width: 24mm; height: 24mm; display: block; }
td.qr span { font-family: monospace; font-size: 8pt; }
td.sign { width: 35mm; }
tr { page-break-inside: avoid; }
dl { display: grid; grid-template-columns: 28mm 1fr; gap: 2mm 4mm; margin: 0 0 5mm; }
dt { font-weight: bold; }
dd { margin: 0; }
.foot { margin-top: 6mm; line-height: 1.8; }
.seal { margin-top: 10mm; text-align: right; line-height: 2; }
.big { font-size: 28pt; font-weight: bold; }
@media screen { body { max-width: 180mm; margin: 10mm auto; } }
"#;

/// The page around `body`, with `title` as its heading.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n{body}</body>\n</html>\n",
        t = escape(title)
    )
}

/// The seal block and printing date, signed as the site's settings say.
fn seal(settings: &ops::SiteSettings) -> String {
    format!(
        "<p class=\"seal\">{}（盖章）<br>{}</p>\n",
        escape(&settings.seal_text),
        china_time::today().format("%Y年%-m月%-d日")
    )
}

/// The check-in code as an inline SVG QR code (what the door's scanner reads).
fn qr_svg(code: &str) -> String {
    match qrcode::QrCode::new(code.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color<'_>>()
                .quiet_zone(true)
                .min_dimensions(96, 96)
                .build();
            // Inline in HTML: without the XML declaration.
            svg.split_once("?>")
                .map_or(svg.clone(), |(_, rest)| rest.to_owned())
        }
        Err(_) => String::new(),
    }
}

async fn sign_in_sheet<C: sea_orm::ConnectionTrait>(db: &C, id: Uuid) -> Result<String, ApiError> {
    let activity = activities::get(db, &Scope::All, id).await?;
    let settings = ops::site_settings(db, &Scope::All, activity.site_id).await?;
    let signups = signup::Entity::find()
        .filter(signup::Column::ActivityId.eq(id))
        .filter(signup::Column::Status.is_in([
            SignupStatus::Confirmed.as_str(),
            SignupStatus::Attended.as_str(),
        ]))
        .order_by_asc(signup::Column::CreatedAt)
        .all(db)
        .await?;
    let names = ops::resident_names(db, &Scope::All, signups.iter().map(|s| s.resident_id)).await?;
    let mut rows = String::new();
    for (i, s) in signups.iter().enumerate() {
        let name = names.get(&s.resident_id).map_or("", String::as_str);
        let _ = writeln!(
            rows,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"qr\">{}<span>{}</span></td><td class=\"sign\"></td><td>{}</td></tr>",
            i + 1,
            escape(name),
            qr_svg(&s.code),
            escape(&s.code),
            if s.status == SignupStatus::Attended {
                "已签到"
            } else {
                ""
            }
        );
    }
    if signups.is_empty() {
        rows.push_str("<tr><td colspan=\"5\" class=\"empty\">还没有人报名。</td></tr>\n");
    }
    let body = format!(
        "<dl><dt>活动</dt><dd>{title}</dd><dt>时间</dt><dd>{start} 至 {end}</dd><dt>地点</dt><dd>{place}</dd><dt>联系人</dt><dd>{contact}</dd><dt>报名人数</dt><dd>{count} 人</dd></dl>\n<p>到场请在“签名”栏签字；工作人员可扫描二维码签到。</p>\n<table>\n<thead><tr><th>序号</th><th>姓名</th><th>签到二维码</th><th>签名</th><th>备注</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n{seal}",
        title = escape(&activity.title),
        start = china_time::minutes(activity.starts_at),
        end = china_time::minutes(activity.ends_at),
        place = escape(&activity.place),
        contact = escape(&activity.contact),
        count = signups.len(),
        seal = seal(&settings),
    );
    Ok(page(&format!("{}签到表", activity.title), &body))
}

/// The publicity sheet of a group (积分公示) as `scope` reaches it: the claims it posts for
/// objections now, the deadline for objections and the supervision phone. `None` when the group
/// is out of reach.
pub async fn publicity_page<C: sea_orm::ConnectionTrait>(
    db: &C,
    scope: &Scope,
    group_id: Uuid,
) -> Result<Option<String>, ApiError> {
    let Some((group, lines)) = publicity_sheet(db, scope, group_id).await? else {
        return Ok(None);
    };
    let settings = ops::site_settings(db, &Scope::All, group.site_id).await?;
    let mut rows = String::new();
    for (i, l) in lines.iter().enumerate() {
        let _ = writeln!(
            rows,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"wide\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            i + 1,
            escape(&l.name),
            l.category,
            escape(&l.description),
            l.points,
            l.until
        );
    }
    if lines.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"6\" class=\"empty\">本组目前没有公示中的积分申报。</td></tr>\n",
        );
    }
    // The last window to close: objections are taken until then.
    let deadline = lines.iter().map(|l| l.until.as_str()).max().unwrap_or("");
    let phone = if settings.supervision_phone.is_empty() {
        "请向社区居委会反映".to_owned()
    } else {
        escape(&settings.supervision_phone)
    };
    let deadline_line = if deadline.is_empty() {
        String::new()
    } else {
        format!("异议受理截止：{deadline}（以各条公示截止时间为准）。")
    };
    let body = format!(
        "<p>以下积分申报已经认定、登记，现予公示。公示期内，本社区居民如有异议，可通过安居 App、拨打监督电话或向{community}实名反映。公示期满无异议的，积分将计入家庭积分账户。</p>\n<table>\n<thead><tr><th>序号</th><th>姓名</th><th>类别</th><th>事由</th><th>积分</th><th>公示截止</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n<p class=\"foot\">{deadline_line}<br>监督电话：{phone}</p>\n{seal}",
        community = escape(&settings.community_name),
        seal = seal(&settings),
    );
    Ok(Some(page(
        &format!("{}“双扶驿站”积分公示", group.name),
        &body,
    )))
}

async fn receipt<C: sea_orm::ConnectionTrait>(db: &C, id: Uuid) -> Result<String, ApiError> {
    let r = redemption::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let settings = ops::site_settings(db, &Scope::All, r.site_id).await?;
    let item = item::Entity::find_by_id(r.item_id).one(db).await?;
    let household = household::Entity::find_by_id(r.household_id)
        .one(db)
        .await?;
    let status = match r.status {
        points::RedemptionStatus::Pending => "待领取",
        points::RedemptionStatus::Fulfilled => "已领取",
        points::RedemptionStatus::Cancelled => "已取消（积分已退回）",
    };
    let body = format!(
        "<dl><dt>凭证编号</dt><dd>{number}</dd><dt>户号</dt><dd>{household}</dd><dt>兑换物品</dt><dd>{item}</dd><dt>数量</dt><dd>{quantity}</dd><dt>使用积分</dt><dd class=\"big\">{points} 分</dd><dt>兑换时间</dt><dd>{at}</dd><dt>状态</dt><dd>{status}</dd></dl>\n<p class=\"foot\">经办人签字：＿＿＿＿＿＿　　领取人签字：＿＿＿＿＿＿</p>\n{seal}",
        number = &r.id.simple().to_string()[20..],
        household = escape(household.as_ref().map_or("", |h| h.label.as_str())),
        item = escape(item.as_ref().map_or("", |i| i.name.as_str())),
        quantity = r.quantity,
        points = r.points,
        at = china_time::minutes(r.created_at),
        seal = seal(&settings),
    );
    Ok(page(
        &format!("{}积分超市兑换凭证", settings.community_name),
        &body,
    ))
}

/// Entries a points card shows.
const CARD_ENTRIES: u64 = 30;

async fn points_card<C: sea_orm::ConnectionTrait>(db: &C, id: Uuid) -> Result<String, ApiError> {
    let (balance, entries) = points::household_account(
        db,
        &Scope::All,
        id,
        &entity::page::PageRequest::first(CARD_ENTRIES),
    )
    .await?;
    let household = household::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let settings = ops::site_settings(db, &Scope::All, household.site_id).await?;
    let group = resident_group::Entity::find_by_id(household.group_id)
        .one(db)
        .await?;
    let head: Option<String> = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(id))
        .filter(resident::Column::Relation.eq(entity::people::Relation::Head.as_str()))
        .one(db)
        .await?
        .map(|r| r.name);
    let mut rows = String::new();
    for e in &entries.items {
        let kind = match e.kind {
            points::EntryKind::Credit => "获得",
            points::EntryKind::Redemption => "兑换",
            points::EntryKind::Refund => "退回",
            points::EntryKind::Deduction => "扣减",
            points::EntryKind::Correction => "更正",
        };
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{kind}</td><td class=\"num\">{:+}</td><td class=\"num\">{}</td><td class=\"wide\">{}</td></tr>",
            china_time::minutes(e.created_at),
            e.amount,
            e.balance_after,
            escape(e.reason.as_deref().unwrap_or(""))
        );
    }
    if entries.items.is_empty() {
        rows.push_str("<tr><td colspan=\"5\" class=\"empty\">还没有积分记录。</td></tr>\n");
    }
    let body = format!(
        "<dl><dt>户号</dt><dd>{label}</dd><dt>户主</dt><dd>{head}</dd><dt>居民组</dt><dd>{group}</dd><dt>当前积分</dt><dd class=\"big\">{balance} 分</dd></dl>\n<p>最近 {n} 条积分记录：</p>\n<table>\n<thead><tr><th>时间</th><th>类型</th><th>积分</th><th>余额</th><th>事由</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n{seal}",
        label = escape(&household.label),
        head = escape(head.as_deref().unwrap_or("")),
        group = escape(group.as_ref().map_or("", |g| g.name.as_str())),
        n = entries.items.len(),
        seal = seal(&settings),
    );
    Ok(page(
        &format!("{}家庭积分卡", settings.community_name),
        &body,
    ))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sheets/links").route(web::post().to(issue_link)))
        .service(web::resource("/sheets/{sheet}/{id}").route(web::get().to(open_sheet)));
}
