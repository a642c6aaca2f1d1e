//! Spreadsheets in and out, as staff use them: Excel rosters imported (files written by a
//! spreadsheet library, and by LibreOffice), the import template opened and filled in by real
//! spreadsheet programs, the roster exported in both formats and masked by role, printable sheets
//! opened from signed links, the site's settings, and field errors with codes in Chinese.

use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use entity::people::synthetic;
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{World, create_as, created_as, id_card, new_site},
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn import_as(
    app: &TestApp,
    token: &str,
    site: &str,
    content_type: &str,
    body: Vec<u8>,
    language: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/sites/{site}/residents/import")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    request.send().await.unwrap()
}

/// A roster as a clerk keeps it: a title, a blank line, then the header (Chinese), an Excel date
/// and a date typed as text.
fn clerk_roster(bad_id: bool) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("一组").unwrap();
    sheet
        .write_string(0, 0, "兴贤里社区一组居民花名册")
        .unwrap();
    let header = [
        "居委会",
        "居民组",
        "楼栋",
        "户号",
        "与户主关系",
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "手机号",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let people = [
        ("户主", "王建国", "男", (1966, 5, 12), 11, true),
        ("配偶", "李桂兰", "女", (1968, 9, 3), 12, false),
    ];
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy年m月d日");
    for (i, (relation, name, gender, birth, seq, male)) in people.iter().enumerate() {
        let r = i as u32 + 3;
        for (c, v) in [
            "第一居委会",
            "1组",
            "1号楼",
            "1-101",
            relation,
            name,
            gender,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
        if i == 0 {
            let day = rust_xlsxwriter::ExcelDateTime::from_ymd(
                birth.0 as u16,
                birth.1 as u8,
                birth.2 as u8,
            )
            .unwrap();
            sheet.write_datetime_with_format(r, 7, day, &date).unwrap();
        } else {
            sheet
                .write_string(r, 7, format!("{}/{}/{}", birth.0, birth.1, birth.2))
                .unwrap();
        }
        let card = id_card(*seq, *birth, *male);
        if bad_id && i == 1 {
            sheet
                .write_number(r, 8, card.expose().parse::<f64>().unwrap())
                .unwrap();
        } else {
            sheet.write_string(r, 8, card.expose()).unwrap();
        }
        sheet
            .write_number(r, 9, 13_912_345_670.0 + i as f64)
            .unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Rows of the first sheet of a workbook, as text.
fn workbook_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    let range = book.worksheet_range(&names[0]).unwrap();
    let rows = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::DateTime(d) => {
                        let (y, m, dd, ..) = d.to_ymd_hms_milli();
                        format!("{y:04}-{m:02}-{dd:02}")
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (names, rows)
}

async fn body_of(response: reqwest::Response, content_type: &str) -> Vec<u8> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type),
        "{headers:?}"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    bytes
}

/// `4****************X`: the first character, sixteen stars, the check character.
fn masked(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 18
        && b[0].is_ascii_digit()
        && b[1..17].iter().all(|c| *c == b'*')
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

/// Whether `text` holds 15 or more digits in a row (any part of an ID number).
fn has_long_digits(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 15 {
            return true;
        }
    }
    false
}

async fn audit_count(app: &TestApp, admin: &str, action: &str) -> usize {
    let page: Value = app
        .get_as(
            admin,
            &format!("/api/v1/audit-events?action={action}&limit=100"),
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}

both_backends! {
    async fn an_excel_roster_imports_and_its_problems_come_back_by_sheet_row_and_header(app) {
        let (admin, site) = new_site(&app).await;
        // The bad file first: nothing is written, every problem named as the clerk wrote it.
        let p = problem(import_as(&app, &admin, &site, XLSX, clerk_roster(true), None).await, 422, "import_invalid").await;
        let rows = p["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{p}");
        assert_eq!(rows[0]["sheet"], "一组");
        assert_eq!(rows[0]["line"], 5);
        assert_eq!(rows[0]["column"], "id_card_number");
        assert_eq!(rows[0]["header"], "身份证号");
        assert_eq!(rows[0]["code"], "id_number_as_number");
        assert!(rows[0].get("value").is_none(), "an ID number is never quoted back: {p}");
        assert!(rows[0]["message"].as_str().unwrap().contains("文本"), "{p}");
        // English for those who ask.
        let p = problem(import_as(&app, &admin, &site, "application/octet-stream", clerk_roster(true), Some("en-US,en;q=0.9")).await, 422, "import_invalid").await;
        assert!(p["rows"][0]["message"].as_str().unwrap().contains("format the column as text"), "{p}");
        // The good file, sent as browsers send an unknown type.
        let r = import_as(&app, &admin, &site, "application/octet-stream", clerk_roster(false), None).await;
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["rows"], 2, "{report}");
        let list: Value = app.get_as(&admin, "/api/v1/residents?limit=10").await.json().await.unwrap();
        let mut births: Vec<String> = list["items"].as_array().unwrap().iter().map(|r| r["birth_date"].as_str().unwrap().to_owned()).collect();
        births.sort();
        assert_eq!(births, ["1966-05-12", "1968-09-03"]);
        assert!(list["items"].as_array().unwrap().iter().any(|r| r["phone"] == "13912345670"));
        // A named sheet that is not there.
        let r = app.client
            .post(app.url(&format!("/api/v1/sites/{site}/residents/import?sheet=二组")))
            .bearer_auth(&admin)
            .header("content-type", XLSX)
            .body(clerk_roster(false))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422, "import_invalid").await;
        assert_eq!(p["rows"][0]["code"], "sheet_not_found");
    }

    async fn the_roster_of_a_whole_community_exports_in_both_formats_masked_and_audited(app) {
        let (admin, site) = new_site(&app).await;
        let csv = synthetic::to_csv(&synthetic::generate(17, api::routes::residents::today()));
        let r = import_as(&app, &admin, &site, "text/csv", csv.into_bytes(), None).await;
        assert_eq!(r.status(), 200);
        created_as_staff(&app, &admin, &site).await;
        let staff = app.login("13900000077", "roster-export-2026").await["access_token"].as_str().unwrap().to_owned();

        let started = std::time::Instant::now();
        let xlsx = body_of(app.get_as(&staff, "/api/v1/residents/export?format=xlsx").await, XLSX).await;
        eprintln!("xlsx export of 11,212 residents: {:?}, {} bytes", started.elapsed(), xlsx.len());
        let (sheets, rows) = workbook_rows(&xlsx);
        assert_eq!(sheets, ["居民花名册"]);
        assert_eq!(rows.len(), 11_213, "header and every resident");
        assert_eq!(rows[0][..4], ["居委会", "居民组", "楼栋", "户号"]);
        let id_column = rows[0].iter().position(|h| h == "身份证号").unwrap();
        let birth_column = rows[0].iter().position(|h| h == "出生日期").unwrap();
        assert!(rows[1..].iter().all(|r| masked(&r[id_column])), "{:?}", &rows[1]);
        assert!(rows[1..].iter().all(|r| r[birth_column].len() == 10), "staff see birth dates");
        assert!(!rows.iter().flatten().any(|c| has_long_digits(c)));

        let started = std::time::Instant::now();
        let csv = body_of(app.get_as(&staff, "/api/v1/residents/export?format=csv").await, "text/csv").await;
        eprintln!("csv export of 11,212 residents: {:?}, {} bytes", started.elapsed(), csv.len());
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM, so Excel reads UTF-8");
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 11_212);
        assert!(records.iter().all(|r| masked(&r[id_column])));
        assert!(!has_long_digits(&text));

        // Filters of the list apply; paging does not.
        let groups: Value = app.get_as(&staff, "/api/v1/groups?limit=1").await.json().await.unwrap();
        let group = groups["items"][0]["id"].as_str().unwrap();
        let one = body_of(app.get_as(&staff, &format!("/api/v1/residents/export?format=csv&group_id={group}&disability=true")).await, "text/csv").await;
        let listed: Value = app.get_as(&staff, &format!("/api/v1/residents?group_id={group}&disability=true&limit=100")).await.json().await.unwrap();
        let lines = String::from_utf8(one).unwrap().lines().count();
        assert_eq!(lines - 1, listed["items"].as_array().unwrap().len());
        problem(app.get_as(&staff, "/api/v1/residents/export?limit=5").await, 400, "invalid_query").await;
        problem(app.get_as(&staff, "/api/v1/residents/export?format=pdf").await, 400, "invalid_query").await;

        assert_eq!(audit_count(&app, &admin, "export.residents").await, 3, "one event per export");
    }

    async fn group_leaders_export_their_groups_without_birth_dates_or_low_income(app) {
        let w = World::build(&app).await;
        let (_, staff_rows) = workbook_rows(&body_of(app.get_as(&w.staff_a, "/api/v1/residents/export").await, XLSX).await);
        let (_, leader_rows) = workbook_rows(&body_of(app.get_as(&w.leader, "/api/v1/residents/export").await, XLSX).await);
        let column = |rows: &[Vec<String>], name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let (birth, low, group) = (column(&staff_rows, "出生日期"), column(&staff_rows, "低保"), column(&staff_rows, "居民组"));
        assert!(staff_rows.len() > leader_rows.len());
        assert!(staff_rows[1..].iter().all(|r| !r[birth].is_empty() && !r[low].is_empty()));
        assert!(staff_rows[1..].iter().any(|r| r[low] == "是"), "household 2 is low-income");
        assert!(leader_rows.len() > 1);
        assert!(leader_rows[1..].iter().all(|r| r[group] == "1组"), "{leader_rows:?}");
        assert!(leader_rows[1..].iter().all(|r| r.get(birth).is_none_or(String::is_empty) && r.get(low).is_none_or(String::is_empty)), "{leader_rows:?}");
        // Residents and employers export nothing.
        problem(app.get_as(&w.resident_1, "/api/v1/residents/export").await, 403, "forbidden").await;
        // Every export answers in both formats with its Chinese header.
        for (token, path, first) in [
            (&w.staff_a, format!("/api/v1/households/{}/points/export", w.household_1), "时间"),
            (&w.resident_1, format!("/api/v1/households/{}/points/export", w.household_1), "时间"),
            (&w.staff_a, "/api/v1/store/redemptions/export".to_owned(), "时间"),
            (&w.staff_a, "/api/v1/reports/employment/below-target/export".to_owned(), "居民组"),
        ] {
            let (_, rows) = workbook_rows(&body_of(app.get_as(token, &path).await, XLSX).await);
            assert_eq!(rows[0][0], first, "{path}");
            let csv = body_of(app.get_as(token, &format!("{path}?format=csv")).await, "text/csv").await;
            assert!(String::from_utf8(csv).unwrap().starts_with(&format!("\u{feff}{first},")), "{path}");
        }
        problem(app.get_as(&w.resident_2, &format!("/api/v1/households/{}/points/export", w.household_1)).await, 404, "not_found").await;
    }

    async fn site_settings_are_the_site_admins_and_print_on_the_publicity_sheet(app) {
        let w = World::build(&app).await;
        let path = format!("/api/v1/sites/{}/settings", w.site_a);
        let defaults: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
        assert_eq!(defaults["community_name"], "兴贤里社区");
        assert_eq!(defaults["supervision_phone"], "");
        let body = json!({"community_name": "兴贤里社区居民委员会", "supervision_phone": "0398-7123456", "seal_text": "卢氏县兴贤里社区居民委员会"});
        problem(app.send_as(reqwest::Method::PUT, &w.staff_a, &path, &body).await, 403, "forbidden").await;
        let saved = app.send_as(reqwest::Method::PUT, &w.site_admin_a, &path, &body).await;
        assert_eq!(saved.status(), 200);
        let again: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
        assert_eq!(again["supervision_phone"], "0398-7123456");
        problem(app.send_as(reqwest::Method::PUT, &w.site_admin_a, &format!("/api/v1/sites/{}/settings", w.site_b), &body).await, 404, "not_found").await;
        assert_eq!(audit_count(&app, &w.admin, "site.settings").await, 1);

        // A field error carries a code, and a message in Chinese unless English is asked for.
        let bad = json!({"community_name": "", "supervision_phone": "call us", "seal_text": "章"});
        let p = problem(app.send_as(reqwest::Method::PUT, &w.site_admin_a, &path, &bad).await, 422, "validation_failed").await;
        assert_eq!(p["fields"]["supervision_phone"]["code"], "format", "{p}");
        assert_eq!(p["fields"]["community_name"]["code"], "required", "{p}");
        assert_eq!(p["fields"]["community_name"]["message"], "必须填写", "{p}");
        assert!(p["errors"]["supervision_phone"].as_str().unwrap().contains("phone number"), "the English map stays: {p}");
        let english = app.client.put(app.url(&path)).bearer_auth(&w.site_admin_a).header("accept-language", "en").json(&bad).send().await.unwrap();
        let p = problem(english, 422, "validation_failed").await;
        assert_eq!(p["fields"]["community_name"]["message"], "is required", "{p}");

        // The sheet prints the phone.
        let link: Value = app.post_as(&w.staff_a, "/api/v1/sheets/links", &json!({"sheet": "points_publicity", "id": w.group_1})).await.json().await.unwrap();
        let page = app.get(link["url"].as_str().unwrap()).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("监督电话：0398-7123456"), "{html}");
        assert!(html.contains("卢氏县兴贤里社区居民委员会（盖章）"));
    }

    async fn a_signed_sheet_link_opens_without_a_header_and_only_what_it_names(app) {
        let w = World::build(&app).await;
        // A household's points card, asked for by staff, by a member, not by another household.
        let link: Value = created_as(&app, &w.resident_1, "/api/v1/sheets/links", &json!({"sheet": "household_points_card", "id": w.household_1})).await;
        let url = link["url"].as_str().unwrap().to_owned();
        let page = app.get(&url).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["cache-control"], "no-store");
        let html = page.text().await.unwrap();
        assert!(html.contains("家庭积分卡") && html.contains("1-101"), "{html}");
        problem(app.post_as(&w.resident_2, "/api/v1/sheets/links", &json!({"sheet": "household_points_card", "id": w.household_1})).await, 404, "not_found").await;
        problem(app.post_as(&w.resident_1, "/api/v1/sheets/links", &json!({"sheet": "activity_sign_in", "id": w.household_1})).await, 403, "forbidden").await;
        // Another object, another signer, another expiry or a changed signature: refused.
        let other = url.replace(&w.household_1, &w.household_2);
        problem(app.get(&other).await, 401, "link_invalid").await;
        let later = url.replacen("expires=", "expires=9", 1);
        problem(app.get(&later).await, 401, "link_invalid").await;
        // One hex digit of the signature changed (to another digit, whatever it was).
        let last = if url.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &url[..url.len() - 1]);
        problem(app.get(&forged).await, 401, "link_invalid").await;
        problem(app.get(&url.replace("household_points_card", "redemption_receipt")).await, 401, "link_invalid").await;
        problem(app.get(&url.replace("household_points_card", "nothing")).await, 404, "not_found").await;
        assert!(audit_count(&app, &w.admin, "sheet.link").await >= 1);
    }
}

async fn created_as_staff(app: &TestApp, admin: &str, site: &str) {
    create_as(
        app,
        admin,
        "/api/v1/accounts",
        &json!({"phone": "13900000077", "password": "roster-export-2026", "role": "staff", "site_id": site}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_link_stops_opening_when_it_expires() {
    let Some(app) = spawn_app_configured(
        Backend::Sqlite,
        |_: &mut actix_web::web::ServiceConfig| {},
        |s| {
            s.sheet_link_seconds = 1;
        },
    )
    .await
    else {
        return;
    };
    let w = World::build(&app).await;
    let link: Value = created_as(
        &app,
        &w.staff_a,
        "/api/v1/sheets/links",
        &json!({"sheet": "points_publicity", "id": w.group_1}),
    )
    .await;
    let url = link["url"].as_str().unwrap();
    assert_eq!(app.get(url).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    problem(app.get(url).await, 401, "link_expired").await;
}

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Opens `file` in LibreOffice Calc (headless) and saves it as `to` (`csv`, `xlsx`) in `dir`.
fn libreoffice_convert(
    file: &std::path::Path,
    to: &str,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    let profile = dir.join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let converted = dir.join(format!(
        "{}.{}",
        file.file_stem().unwrap().to_string_lossy(),
        to.split(':').next().unwrap()
    ));
    assert!(
        converted.exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    converted
}

/// The template as a clerk gets it: opened by LibreOffice, filled in with openpyxl (the way a
/// script or a spreadsheet program adds rows to the workbook it was given), imported, then saved
/// again by LibreOffice and imported again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_opens_in_a_spreadsheet_program_and_imports_once_filled_in() {
    let required = std::env::var_os("ANJU_REQUIRE_SERVICES").is_some();
    let has_openpyxl = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .status()
        .is_ok_and(|s| s.success());
    if !(tool("soffice") && has_openpyxl) {
        assert!(
            !required,
            "LibreOffice (soffice) and python3-openpyxl are required"
        );
        eprintln!("skipped: LibreOffice or openpyxl is not installed");
        return;
    }
    let Some(app) =
        spawn_app_with(Backend::Sqlite, |_: &mut actix_web::web::ServiceConfig| {}).await
    else {
        return;
    };
    let w = World::build(&app).await;
    let response = app
        .get_as(
            &w.staff_a,
            &format!("/api/v1/sites/{}/residents/import-template", w.site_a),
        )
        .await;
    let template = body_of(response, XLSX).await;
    let (sheets, rows) = workbook_rows(&template);
    assert_eq!(sheets, ["居民花名册", "填写说明", "选项"]);
    assert_eq!(rows[0], entity::people::sheet_import::CHINESE_COLUMNS);
    assert!(rows[1][5].starts_with("示例"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.xlsx");
    std::fs::write(&path, &template).unwrap();
    let csv = libreoffice_convert(
        &path,
        "csv:Text - txt - csv (StarCalc):44,34,76",
        dir.path(),
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        entity::people::sheet_import::CHINESE_COLUMNS.join(",")
    );

    // The site's committee and groups are the drop-downs' lists.
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(template.clone())).unwrap();
    let lists = book.worksheet_range("选项").unwrap();
    let listed: Vec<String> = lists
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        listed.contains(&"第一居委会".to_owned())
            && listed.contains(&"1组".to_owned())
            && listed.contains(&"2组".to_owned()),
        "{listed:?}"
    );

    let people = [
        (
            "3号楼",
            "3-101",
            "户主",
            "赵春生",
            "男",
            "1972/3/4",
            id_card(41, (1972, 3, 4), true),
        ),
        (
            "3号楼",
            "3-101",
            "配偶",
            "钱秀梅",
            "女",
            "1974年6月8日",
            id_card(42, (1974, 6, 8), false),
        ),
        (
            "3号楼",
            "3-102",
            "户主",
            "孙有田",
            "男",
            "19550101",
            id_card(43, (1955, 1, 1), true),
        ),
    ];
    let mut script = String::from(
        "import openpyxl, sys\nwb = openpyxl.load_workbook(sys.argv[1])\nws = wb['居民花名册']\n",
    );
    for (i, (building, household, relation, name, gender, birth, card)) in people.iter().enumerate()
    {
        let row = i + 3;
        script.push_str(&format!(
            "for c, v in enumerate(['第一居委会', '1组', '{building}', '{household}', '{relation}', '{name}', '{gender}', '{birth}', '', '{}', '否', '', '否', '否', '保洁']):\n    ws.cell(row={row}, column=c + 1, value=v)\n",
            card.expose()
        ));
    }
    script.push_str("wb.save(sys.argv[2])\n");
    let filled = dir.path().join("filled.xlsx");
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .arg(&path)
        .arg(&filled)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = import_as(
        &app,
        &w.staff_a,
        &w.site_a,
        XLSX,
        std::fs::read(&filled).unwrap(),
        None,
    )
    .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["rows"], 3, "the example row is skipped: {report}");
    assert_eq!(report["residents_created"], 3, "{report}");

    // Saved again by LibreOffice Calc, the same workbook imports as the same people.
    let resaved_dir = dir.path().join("resaved");
    std::fs::create_dir(&resaved_dir).unwrap();
    let resaved = libreoffice_convert(&filled, "xlsx", &resaved_dir);
    let r = import_as(
        &app,
        &w.staff_a,
        &w.site_a,
        XLSX,
        std::fs::read(&resaved).unwrap(),
        None,
    )
    .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (
            report["residents_created"].as_u64(),
            report["residents_updated"].as_u64()
        ),
        (Some(0), Some(3)),
        "{report}"
    );

    // And saved as an Excel 97-2003 workbook (.xls, the binary format WPS's .et shares).
    let xls = libreoffice_convert(&filled, "xls:MS Excel 97", &resaved_dir);
    let r = import_as(
        &app,
        &w.staff_a,
        &w.site_a,
        "application/vnd.ms-excel",
        std::fs::read(&xls).unwrap(),
        None,
    )
    .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (
            report["rows"].as_u64(),
            report["residents_updated"].as_u64()
        ),
        (Some(3), Some(3)),
        "{report}"
    );
}
