use entity::{
    people::synthetic,
    registry::{committee, household, resident},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{both_backends, helpers::*, world::new_site};

async fn import(app: &TestApp, token: &str, site: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sites/{site}/residents/import")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn residents(app: &TestApp) -> u64 {
    resident::Entity::find().count(app.db.conn()).await.unwrap()
}

both_backends! {
    async fn the_whole_community_imports_and_reimports_without_duplicates(app) {
        let (admin, site) = new_site(&app).await;
        let today = api::routes::residents::today();
        let csv = synthetic::to_csv(&synthetic::generate(7, today));
        let started = std::time::Instant::now();
        let response = import(&app, &admin, &site, csv.clone().into_bytes()).await;
        let status = response.status();
        let report: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{report}");
        eprintln!("imported 11,212 rows in {:?}", started.elapsed());
        assert_eq!(report["rows"], 11_212);
        assert_eq!(report["residents_created"], 11_212);
        assert_eq!(report["committees_created"], 3);
        assert_eq!(report["groups_created"], 30);
        assert_eq!(report["buildings_created"], 83);
        assert_eq!(report["households_created"], 2_749);
        assert_eq!(residents(&app).await, 11_212);
        let low: Value = app.get_as(&admin, "/api/v1/households?low_income=true&limit=100").await.json().await.unwrap();
        assert_eq!(low["items"].as_array().unwrap().len(), 100);
        // The same file again: everyone is matched by ID number.
        let again: Value = import(&app, &admin, &site, csv.into_bytes()).await.json().await.unwrap();
        assert_eq!(again["residents_created"], 0);
        assert_eq!(again["residents_updated"], 11_212);
        assert_eq!(again["households_created"], 0);
        assert_eq!(residents(&app).await, 11_212);
        assert_eq!(household::Entity::find().count(app.db.conn()).await.unwrap(), 2_749);
    }

    async fn one_bad_row_among_thousands_writes_nothing_and_is_named(app) {
        let (admin, site) = new_site(&app).await;
        let today = api::routes::residents::today();
        let csv = synthetic::to_csv(&synthetic::generate(8, today));
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        // Line 5,000 of the file: break its birth date.
        let cells: Vec<&str> = lines[4_999].split(',').collect();
        let date_column = lines[0].split(',').position(|h| h == "birth_date").unwrap();
        let mut cells: Vec<String> = cells.into_iter().map(str::to_owned).collect();
        cells[date_column] = "1901-13-45".into();
        lines[4_999] = cells.join(",");
        let broken = lines.join("\n");
        let p = problem(import(&app, &admin, &site, broken.into_bytes()).await, 422, "import_invalid").await;
        let rows = p["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{p}");
        assert_eq!(rows[0]["line"], 5_000);
        assert_eq!(rows[0]["column"], "birth_date");
        assert_eq!(residents(&app).await, 0);
        assert_eq!(committee::Entity::find().count(app.db.conn()).await.unwrap(), 0);
    }

    async fn gbk_files_with_chinese_headers_import(app) {
        let (admin, site) = new_site(&app).await;
        let card = crate::world::id_card(31, (1968, 4, 5), true);
        let text = format!(
            "姓名,身份证号,性别,出生日期,居委会,居民组,楼栋,户号,与户主关系,残疾,低保,技能\n\
             刘大山,{},男,1968-04-05,第一居委会,1组,1号楼,1-101,户主,否,是,电工、焊工\n",
            card.expose()
        );
        let (gbk, _, had_errors) = encoding_rs::GBK.encode(&text);
        assert!(!had_errors);
        let response = import(&app, &admin, &site, gbk.into_owned()).await;
        assert_eq!(response.status(), 200);
        let list: Value = app.get_as(&admin, "/api/v1/residents").await.json().await.unwrap();
        assert_eq!(list["items"][0]["name"], "刘大山");
        assert_eq!(list["items"][0]["skills"], json!(["电工", "焊工"]));
        assert_eq!(list["items"][0]["relation"], "head");
    }

    async fn import_refuses_what_it_should(app) {
        let (admin, site) = new_site(&app).await;
        let r = app.client
            .post(app.url(&format!("/api/v1/sites/{site}/residents/import")))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        problem(r, 415, "unsupported_media_type").await;
        let p = problem(import(&app, &admin, &site, b"name,colour\nx,y\n".to_vec()).await, 422, "import_invalid").await;
        assert!(p.to_string().contains("colour"), "{p}");
        problem(import(&app, &admin, &uuid::Uuid::now_v7().to_string(), b"x".to_vec()).await, 404, "not_found").await;
        problem(import(&app, "not-a-token", &site, b"x".to_vec()).await, 401, "invalid_token").await;
    }
}
