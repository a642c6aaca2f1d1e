//! `POST /sites/{id}/residents/import`: onboarding a site from the roster staff keep (an Excel or
//! WPS workbook, `.xlsx`, `.xls` or `.et`, or CSV in UTF-8 with or without BOM, or GBK). Every row
//! is validated first; with any problem nothing is written and the answer lists each one by
//! sheet, row and column, with a code and a message staff can act on.

use entity::{
    people::sheet_import::{ImportErrors, parse_sheet},
    registry::import::{ImportFailure, ImportReport, import_rows},
};

use super::{prelude::*, residents::today};
use crate::{
    error::RowProblem,
    extract::{declared_length, read_body},
};

/// Largest accepted import file (the whole of Xingxianli is about 1.5 MB).
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

/// Media types an upload of the roster may carry (browsers send `.et` and sometimes `.xls` as
/// `application/octet-stream`; the content decides the format).
const ACCEPTED: [&str; 5] = [
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "application/vnd.ms-works",
];

fn row_problems(errors: ImportErrors, sheet: Option<&str>) -> ApiError {
    let lang = crate::lang::Lang::current();
    ApiError::ImportInvalid(
        errors
            .errors
            .into_iter()
            .map(|e| RowProblem {
                sheet: e.sheet.or_else(|| sheet.map(str::to_owned)),
                line: e.line,
                column: e.column,
                header: e.header,
                value: e.value,
                code: e.code,
                message: match lang {
                    crate::lang::Lang::Zh => e.message,
                    crate::lang::Lang::En => e.reason.clone(),
                },
                reason: e.reason,
            })
            .collect(),
    )
}

/// Which sheet of a workbook to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The sheet's name (default: the first sheet). Ignored for CSV.
    pub sheet: Option<String>,
}

/// Imports residents from a roster into a site (staff of the site, or a platform
/// administrator): an Excel or WPS workbook (`.xlsx`, `.xls`, `.et`; its first sheet or `sheet`)
/// or CSV. A title row above the header is skipped; dates may be Excel dates, `2020/1/5`,
/// `2020-01-05`, `2020年1月5日` or `20200105`; full-width digits and letters are read as ASCII.
/// Re-importing updates residents matched by ID number and creates no duplicates.
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    413 "File too large",
    415 "Not a spreadsheet media type",
    422 "`import_invalid`: every problem in `rows` (sheet, row, header as written, value, `code`, `message` in the language of `Accept-Language`); nothing written",
)]
#[utoipa::path(
    post, path = "/api/v1/sites/{id}/residents/import", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id"), ImportQuery),
    request_body(
        content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.ms-excel"),
            (Vec<u8> = "application/octet-stream"),
        ),
        description = "The roster: a header row (English or Chinese names, design.md, Resident import format) plus one row per resident; `GET /sites/{id}/residents/import-template` is a workbook to start from"
    ),
    responses((status = 200, description = "Imported", body = ImportReport))
)]
pub async fn import_residents(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Query(q): Query<ImportQuery>,
    payload: web::Payload,
) -> Result<web::Json<ImportReport>, ApiError> {
    let site_id = id.into_inner();
    let accepted = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| ACCEPTED.iter().any(|a| m.trim().eq_ignore_ascii_case(a)));
    if !accepted {
        return Err(ApiError::UnsupportedMediaType {
            expected: "text/csv or an Excel workbook (.xlsx, .xls)",
        });
    }
    let actor = caller.actor();
    // Scope first: a caller who may not import gets its answer before uploading anything.
    entity::registry::ops::get_site(state.db.conn(), &actor.scope, site_id).await?;
    entity::registry::ops::require_manager(&actor, site_id)?;
    let body = read_body(payload.into_inner(), IMPORT_LIMIT, declared_length(&req)).await?;
    let sheet = q.sheet.clone();
    let file = web::block(move || parse_sheet(&body, sheet.as_deref(), today()))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| row_problems(e, None))?;
    let rows = file.rows;
    if rows.is_empty() {
        return Err(ApiError::invalid(
            "body",
            "the file has a header but no residents",
        ));
    }
    let txn = state.db.begin().await?;
    match import_rows(&txn, &actor, &state.pii, site_id, &rows).await {
        Ok(report) => {
            txn.commit().await?;
            tracing::info!(site = %site_id, rows = report.rows, created = report.residents_created, updated = report.residents_updated, "residents imported");
            Ok(web::Json(report))
        }
        Err(ImportFailure::Rows(errors)) => Err(row_problems(errors, file.sheet.as_deref())),
        Err(ImportFailure::Domain(e)) => Err(e.into()),
    }
}

/// Rows of the roster sheet that carry the template's drop-downs.
const TEMPLATE_ROWS: u32 = 20_000;

fn template_error(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("writing the import template: {e}"))
}

/// The import template as a workbook: the roster sheet with the Chinese headers, an example row
/// (skipped by the import), drop-downs for committee and group (this site's), relation, gender,
/// the yes/no flags and the disability level, text format for labels, phones and ID numbers
/// (so Excel keeps every digit); a sheet of instructions; a hidden sheet of the lists.
fn template_workbook(
    committees: &[String],
    groups: &[String],
    today: chrono::NaiveDate,
) -> Result<Vec<u8>, ApiError> {
    use entity::people::sheet_import::{CHINESE_COLUMNS, EXAMPLE_MARK};
    use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};

    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(0xD9E1F2)
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let required = header.clone().set_font_color(0xC00000);
    let text = Format::new().set_num_format("@");
    let example = Format::new()
        .set_num_format("@")
        .set_font_color(0x808080)
        .set_italic();

    let sheet = workbook.add_worksheet();
    sheet.set_name("居民花名册").map_err(template_error)?;
    let widths = [
        14.0, 10.0, 10.0, 10.0, 11.0, 10.0, 6.0, 12.0, 14.0, 22.0, 6.0, 9.0, 6.0, 6.0, 24.0,
    ];
    let required_columns = [0, 1, 2, 3, 5, 6, 7, 9];
    for (c, name) in CHINESE_COLUMNS.iter().enumerate() {
        let col = c as u16;
        sheet
            .set_column_width(col, widths[c])
            .map_err(template_error)?;
        let format = if required_columns.contains(&c) {
            &required
        } else {
            &header
        };
        sheet
            .write_string_with_format(0, col, *name, format)
            .map_err(template_error)?;
    }
    // Labels, phones and ID numbers as text: typed into a General cell an ID number loses its
    // last digits and 1-2 becomes a date.
    for col in [2u16, 3, 8, 9] {
        sheet
            .set_column_format(col, &text)
            .map_err(template_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(template_error)?;

    let example_id = entity::people::make_id_card(
        "411224",
        chrono::NaiveDate::from_ymd_opt(1980, 1, 5).unwrap_or(today),
        12,
        true,
    )
    .map(|id| id.expose().to_owned())
    .unwrap_or_default();
    let example_row = [
        committees.first().map_or("第一居委会", String::as_str),
        groups.first().map_or("第1组", String::as_str),
        "1号楼",
        "1-201",
        "户主",
        &format!("{EXAMPLE_MARK}张三"),
        "男",
        "1980-01-05",
        "13800000000",
        &example_id,
        "否",
        "",
        "否",
        "否",
        "保洁、厨师",
    ];
    for (c, value) in example_row.iter().enumerate() {
        sheet
            .write_string_with_format(1, c as u16, *value, &example)
            .map_err(template_error)?;
    }

    let last = TEMPLATE_ROWS;
    let list = |values: &[&str], title: &str, message: &str| -> Result<DataValidation, ApiError> {
        DataValidation::new()
            .allow_list_strings(values)
            .map_err(template_error)?
            .set_input_title(title)
            .map_err(template_error)?
            .set_input_message(message)
            .map_err(template_error)?
            .set_error_title("填写有误")
            .map_err(template_error)?
            .set_error_message(format!("请从下拉列表中选择：{}", values.join("、")))
            .map_err(template_error)
    };
    let validations: Vec<(u16, DataValidation)> = vec![
        (
            4,
            list(
                &["户主", "配偶", "子女", "父母", "其他"],
                "与户主关系",
                "从下拉列表选择",
            )?,
        ),
        (
            6,
            list(&["男", "女"], "性别", "男 或 女，须与身份证号一致")?,
        ),
        (10, list(&["是", "否"], "残疾", "是 或 否")?),
        (
            11,
            list(
                &["1", "2", "3", "4"],
                "残疾等级",
                "1 至 4 级；不是残疾人请留空",
            )?,
        ),
        (12, list(&["是", "否"], "党员", "是 或 否")?),
        (
            13,
            list(
                &["是", "否"],
                "低保",
                "是 或 否（一户有一人填“是”即为低保户）",
            )?,
        ),
    ];
    for (col, v) in validations {
        sheet
            .add_data_validation(1, col, last, col, &v)
            .map_err(template_error)?;
    }
    for (col, title, values) in [(0u16, "居委会", committees), (1u16, "居民组", groups)] {
        if values.is_empty() {
            continue;
        }
        let column = if col == 0 { "A" } else { "B" };
        let range = format!("=选项!${column}$2:${column}${}", values.len() + 1);
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_input_title(title)
            .map_err(template_error)?
            .set_input_message("从下拉列表选择本社区已有的名称；新的名称可直接输入")
            .map_err(template_error)?
            // A new committee or group may be typed: warn, do not refuse.
            .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Warning)
            .set_error_message("这个名称不在本社区现有的列表中，确认要新建吗？")
            .map_err(template_error)?;
        sheet
            .add_data_validation(1, col, last, col, &v)
            .map_err(template_error)?;
    }
    let date_hint = DataValidation::new()
        .allow_any_value()
        .set_input_title("出生日期")
        .map_err(template_error)?
        .set_input_message("如 1980-01-05、1980/1/5 或 1980年1月5日，须与身份证号第 7 至 14 位一致")
        .map_err(template_error)?;
    sheet
        .add_data_validation(1, 7, last, 7, &date_hint)
        .map_err(template_error)?;
    let id_hint = DataValidation::new()
        .allow_text_length(rust_xlsxwriter::DataValidationRule::EqualTo(18))
        .set_input_title("身份证号")
        .map_err(template_error)?
        .set_input_message("18 位，最后一位可以是 X。本列已设为文本格式，请不要改成数字格式")
        .map_err(template_error)?
        .set_error_message("身份证号应为 18 位")
        .map_err(template_error)?;
    sheet
        .add_data_validation(1, 9, last, 9, &id_hint)
        .map_err(template_error)?;
    sheet.set_active(true);

    let help = workbook.add_worksheet();
    help.set_name("填写说明").map_err(template_error)?;
    help.set_column_width(0, 100).map_err(template_error)?;
    let title = Format::new().set_bold().set_font_size(14);
    help.write_string_with_format(0, 0, "居民花名册填写说明", &title)
        .map_err(template_error)?;
    let lines = [
        "1. 在“居民花名册”工作表中，每位居民填一行；第一行是表头，请不要修改列名。",
        "2. 红色列名为必填：居委会、居民组、楼栋、户号、姓名、性别、出生日期、身份证号。",
        "3. 第二行灰色的“示例张三”是示例，导入时会自动跳过，可以保留也可以删除。",
        "4. 身份证号为 18 位，最后一位可以是 X。本列已设为“文本”格式，请不要改成数字，否则后几位会丢失。",
        "5. 出生日期可写 1980-01-05、1980/1/5、1980年1月5日 或 19800105，须与身份证号中的日期一致。",
        "6. 性别须与身份证号第 17 位一致（单数为男，双数为女）。",
        "7. 一栋楼只属于一个居民组；每户最多一位“户主”。同一户的成员请填相同的楼栋和户号。",
        "8. 残疾、党员、低保填“是”或“否”；残疾等级填 1 至 4，只有残疾人才填。",
        "9. 技能可填多个，用顿号、逗号或分号隔开，如：保洁、厨师。",
        "10. 居委会和居民组可从下拉列表选择本社区已有的名称；填新的名称会新建。",
        "11. 导入时会先检查每一行，有任何问题都不会写入，并逐条告诉您第几行、哪一列、怎么改。",
        "12. 再次导入同一份名单不会重复建档：按身份证号更新已有居民。",
        "13. 身份证号、残疾和低保信息属于敏感个人信息，请妥善保管本文件，用完及时删除。",
    ];
    for (i, line) in lines.iter().enumerate() {
        help.write_string(i as u32 + 2, 0, *line)
            .map_err(template_error)?;
    }

    // The lists the drop-downs of committee and group read, on a hidden sheet after the others
    // (the import and spreadsheet programs open the first sheet).
    let lists = workbook.add_worksheet();
    lists.set_name("选项").map_err(template_error)?;
    let list_columns: [(&str, Vec<String>); 2] =
        [("居委会", committees.to_vec()), ("居民组", groups.to_vec())];
    for (c, (title, values)) in list_columns.iter().enumerate() {
        let c = c as u16;
        lists.write_string(0, c, *title).map_err(template_error)?;
        for (r, v) in values.iter().enumerate() {
            lists
                .write_string(r as u32 + 1, c, v)
                .map_err(template_error)?;
        }
    }
    lists.set_hidden(true);

    workbook.save_to_buffer().map_err(template_error)
}

/// The import template: an `.xlsx` with the Chinese headers, drop-downs filled from the site
/// (committees, groups) and for relation, gender, the flags and the disability level, an example
/// row (which the import skips) and a sheet of instructions. Staff of the site, or a platform
/// administrator.
#[problems(403 "Not staff", 404 "No such site in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/residents/import-template", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The template", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )))
)]
pub async fn import_template(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    use entity::registry::{committee, resident_group};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let site_id = id.into_inner();
    let actor = caller.actor();
    entity::registry::ops::get_site(state.db.conn(), &actor.scope, site_id).await?;
    entity::registry::ops::require_manager(&actor, site_id)?;
    let committees: Vec<String> = committee::Entity::find()
        .filter(committee::Column::SiteId.eq(site_id))
        .order_by_asc(committee::Column::Name)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut groups: Vec<String> = resident_group::Entity::find()
        .filter(resident_group::Column::SiteId.eq(site_id))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    // Group names repeat across committees (第1组 in each): one entry each, in a natural order.
    groups.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    groups.dedup();
    let bytes = web::block(move || template_workbook(&committees, &groups, today()))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let name = percent_encoding::utf8_percent_encode(
        "居民花名册导入模板.xlsx",
        percent_encoding::NON_ALPHANUMERIC,
    );
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"import-template.xlsx\"; filename*=UTF-8''{name}"),
        ))
        .body(bytes))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sites/{id}/residents/import").route(web::post().to(import_residents)),
    )
    .service(
        web::resource("/sites/{id}/residents/import-template")
            .route(web::get().to(import_template)),
    );
}
