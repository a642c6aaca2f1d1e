use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, created},
};

pub async fn employer(app: &TestApp, w: &World, code: &str, phone: &str, verify: bool) -> String {
    let (e, token) = crate::world::sign_up_employer(app, json!({
        "organisation_name": "卢氏县金海科技有限公司", "credit_code": code, "contact_name": "赵", "contact_phone": "13800001111",
        "phone": phone, "password": PASSWORD
    })).await;
    if verify {
        let r = app
            .post_as(
                &w.staff_a,
                &format!("/api/v1/employers/{}/verify", e["id"].as_str().unwrap()),
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    token
}

pub fn job(title: &str, valid_seconds: i64) -> Value {
    json!({
        "title": title, "description": "负责社区楼道保洁，每日工作六小时。", "category": "public_welfare",
        "location": "兴贤里社区", "salary_min": 1500, "salary_max": 1800, "salary_unit": "month", "headcount": 5,
        "age_min": 18, "age_max": 60, "skills": ["保洁"], "suitable_for_disabled": true, "flexible_hours": true,
        "contact": "社区服务中心", "valid_through": (chrono::Utc::now() + chrono::Duration::seconds(valid_seconds)).to_rfc3339()
    })
}

pub async fn act(app: &TestApp, token: &str, id: &str, action: &str) -> reqwest::Response {
    app.post_as(token, &format!("/api/v1/jobs/{id}/{action}"), &json!({}))
        .await
}

/// `employer` drafts and submits the posting `body`, and staff of site A publish it; returns its
/// id.
pub async fn publish(app: &TestApp, w: &World, employer: &str, body: &Value) -> String {
    let draft = created(app.post_as(employer, "/api/v1/jobs", body).await).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(act(app, employer, &id, "submit").await.status(), 200);
    assert_eq!(act(app, &w.staff_a, &id, "publish").await.status(), 200);
    id
}

async fn public_ids(app: &TestApp, query: &str) -> Vec<String> {
    let page: Value = app
        .get(&format!("/api/v1/jobs{query}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_posting_goes_from_draft_to_residents(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let draft = created(app.post_as(&a, "/api/v1/jobs", &job("社区保洁员", 86_400)).await).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        assert_eq!(draft["status"], "draft");
        assert!(public_ids(&app, "").await.is_empty(), "drafts are not public");
        problem(act(&app, &a, &id, "publish").await, 403, "forbidden").await;
        problem(act(&app, &w.staff_a, &id, "publish").await, 409, "illegal_transition").await;
        assert_eq!(act(&app, &a, &id, "submit").await.status(), 200);
        let pending: Value = app.get_as(&w.staff_a, "/api/v1/jobs?status=pending_review").await.json().await.unwrap();
        assert_eq!(pending["items"][0]["id"], id.as_str());
        problem(app.post_as(&w.staff_a, &format!("/api/v1/jobs/{id}/reject"), &json!({"reason": ""})).await, 422, "validation_failed").await;
        let back: Value = app.post_as(&w.staff_a, &format!("/api/v1/jobs/{id}/reject"), &json!({"reason": "请写明工作时间"})).await.json().await.unwrap();
        assert_eq!(back["status"], "draft");
        assert_eq!(back["status_reason"], "请写明工作时间");
        assert_eq!(act(&app, &a, &id, "submit").await.status(), 200);
        let published: Value = act(&app, &w.staff_a, &id, "publish").await.json().await.unwrap();
        assert_eq!(published["status"], "published");
        // Found by residents and the public, with Chinese substrings of two characters too.
        assert_eq!(public_ids(&app, "").await, vec![id.clone()]);
        assert_eq!(public_ids(&app, "?q=%E4%BF%9D%E6%B4%81").await, vec![id.clone()], "q=保洁");
        assert_eq!(public_ids(&app, "?q=%E9%87%91%E6%B5%B7").await, vec![id.clone()], "q=金海 (employer name)");
        assert!(public_ids(&app, "?q=%E5%8F%B8%E6%9C%BA").await.is_empty(), "q=司机");
        assert!(public_ids(&app, "?q=100%25").await.is_empty(), "% is literal");
        assert_eq!(public_ids(&app, "?category=public_welfare&salary_min=1700&suitable_for_disabled=true").await.len(), 1);
        assert!(public_ids(&app, "?salary_min=2000").await.is_empty());
        assert!(public_ids(&app, "?category=work_away").await.is_empty());
        let list: Value = app.get_as(&w.resident_1, "/api/v1/jobs").await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // JSON-LD while published, 404 once closed.
        let ld = app.get(&format!("/api/v1/jobs/{id}/jsonld")).await;
        assert_eq!(ld.headers()["content-type"], "application/ld+json");
        let ld: Value = ld.json().await.unwrap();
        assert_eq!(ld["@type"], "JobPosting");
        assert_eq!(ld["hiringOrganization"]["name"], "卢氏县金海科技有限公司");
        assert_eq!(ld["baseSalary"]["value"]["unitText"], "MONTH");
        assert_eq!(act(&app, &a, &id, "fill").await.status(), 200);
        problem(app.get(&format!("/api/v1/jobs/{id}/jsonld")).await, 404, "not_found").await;
        problem(act(&app, &a, &id, "close").await, 409, "illegal_transition").await;
        assert!(public_ids(&app, "").await.is_empty());
    }

    async fn a_stored_status_nobody_knows_is_an_error_naming_it_not_another_status(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let draft = created(app.post_as(&a, "/api/v1/jobs", &job("社区保洁员", 86_400)).await).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        // A newer release's status, or a corrupt row: never shown as a draft.
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use entity::recruitment::job;
        let changed = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value("archived"))
            .filter(job::Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
            .exec(app.db.writer())
            .await
            .unwrap();
        assert_eq!(changed.rows_affected, 1);
        problem(app.get_as(&a, &format!("/api/v1/jobs/{id}")).await, 500, "internal").await;
        assert!(captured_logs().contains("archived"), "the error names the stored value");
    }

    async fn employers_are_kept_apart_and_unverified_ones_cannot_submit(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let b = employer(&app, &w, "91110000600037341L", "13600000002", false).await;
        let draft_a = created(app.post_as(&a, "/api/v1/jobs", &job("电工", 86_400)).await).await;
        let id_a = draft_a["id"].as_str().unwrap();
        let draft_b = created(app.post_as(&b, "/api/v1/jobs", &job("司机", 86_400)).await).await;
        problem(act(&app, &b, draft_b["id"].as_str().unwrap(), "submit").await, 409, "employer_not_verified").await;
        problem(app.get_as(&b, &format!("/api/v1/jobs/{id_a}")).await, 404, "not_found").await;
        problem(act(&app, &b, id_a, "close").await, 404, "not_found").await;
        let mine: Value = app.get_as(&b, "/api/v1/jobs?mine=true").await.json().await.unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        problem(app.post_as(&w.resident_1, "/api/v1/jobs", &job("x", 86_400)).await, 403, "forbidden").await;
        problem(act(&app, &w.resident_1, id_a, "submit").await, 403, "forbidden").await;
        // Validation names the fields.
        let mut bad = job("电工", -60);
        bad["salary_max"] = json!(100);
        let p = problem(app.post_as(&a, "/api/v1/jobs", &bad).await, 422, "validation_failed").await;
        assert!(p["errors"]["valid_through"].is_string() && p["errors"]["salary_max"].is_string(), "{p}");
        let mut bad = job("电工", 60);
        bad["category"] = json!("astronaut");
        let p = problem(app.post_as(&a, "/api/v1/jobs", &bad).await, 422, "validation_failed").await;
        assert!(p["errors"]["category"].is_string(), "{p}");
    }

    async fn a_published_posting_expires_at_valid_through(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let id = publish(&app, &w, &a, &job("食用菌采摘", 3)).await;
        assert_eq!(public_ids(&app, "").await.len(), 1);
        let mut status = String::new();
        for _ in 0..100 {
            let j: Value = app.get_as(&a, &format!("/api/v1/jobs/{id}")).await.json().await.unwrap();
            status = j["status"].as_str().unwrap().to_owned();
            if status == "expired" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "expired", "expired by the scheduled task");
        assert!(public_ids(&app, "").await.is_empty());
        problem(act(&app, &a, &id, "fill").await, 409, "illegal_transition").await;
        // An expired posting is gone for residents: nothing to apply to.
        problem(app.post_as(&w.resident_2, &format!("/api/v1/jobs/{id}/applications"), &json!({})).await, 404, "not_found").await;
    }

    async fn renewal_moves_expiry_and_suspension_closes_open_postings(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let id = publish(&app, &w, &a, &job("食用菌采摘", 3)).await;
        let later = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let renewed: Value = app.post_as(&a, &format!("/api/v1/jobs/{id}/renew"), &json!({"valid_through": later})).await.json().await.unwrap();
        assert_eq!(renewed["status"], "published");
        problem(app.post_as(&a, &format!("/api/v1/jobs/{id}/renew"), &json!({"valid_through": chrono::Utc::now().to_rfc3339()})).await, 422, "validation_failed").await;
        // The first expiry check passes by and finds the posting renewed.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let still: Value = app.get_as(&a, &format!("/api/v1/jobs/{id}")).await.json().await.unwrap();
        assert_eq!(still["status"], "published");
        // A second draft; then staff suspend the employer: both postings close.
        let other = created(app.post_as(&a, "/api/v1/jobs", &job("缝纫工", 86_400)).await).await;
        let employers: Value = app.get_as(&a, "/api/v1/employers").await.json().await.unwrap();
        let employer_id = employers["items"][0]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&w.staff_a, &format!("/api/v1/employers/{employer_id}/suspend"), &json!({"reason": "拖欠工资"})).await;
        assert_eq!(r.status(), 200);
        for job_id in [id.as_str(), other["id"].as_str().unwrap()] {
            let j: Value = app.get_as(&a, &format!("/api/v1/jobs/{job_id}")).await.json().await.unwrap();
            assert_eq!(j["status"], "closed");
        }
        assert!(public_ids(&app, "").await.is_empty());
    }

    async fn employers_edit_their_drafts_only(app) {
        let w = World::build(&app).await;
        let a = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let b = employer(&app, &w, "91110000600037341L", "13600000002", true).await;
        let draft = created(app.post_as(&a, "/api/v1/jobs", &job("楼道保洁员", 3600)).await).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/jobs/{id}");
        let edit = |token: String, body: Value| {
            let (app, path) = (&app, path.clone());
            async move { app.send_as(reqwest::Method::PATCH, &token, &path, &body).await }
        };
        // Only the fields sent change; null clears an age limit; the search text follows the title.
        let edited: Value = edit(a.clone(), json!({"title": "楼道保洁员（早班）", "salary_max": 2000, "age_max": null})).await.json().await.unwrap();
        assert_eq!(edited["title"], "楼道保洁员（早班）");
        assert_eq!(edited["salary_max"], 2000);
        assert_eq!(edited["salary_min"], 1500);
        assert_eq!(edited["age_min"], 18);
        assert!(edited["age_max"].is_null());
        assert_eq!(edited["version"], draft["version"].as_i64().unwrap() + 1);
        // The result is validated as a whole, and each bad field is named.
        let p = problem(edit(a.clone(), json!({"salary_min": 2500})).await, 422, "validation_failed").await;
        assert!(p["errors"]["salary_max"].is_string(), "{p}");
        let p = problem(edit(a.clone(), json!({"title": ""})).await, 422, "validation_failed").await;
        assert!(p["errors"]["title"].is_string(), "{p}");
        problem(edit(a.clone(), json!({"colour": "red"})).await, 422, "validation_failed").await;
        // Another employer's draft does not exist for it; residents and staff do not edit.
        problem(edit(b.clone(), json!({"title": "x"})).await, 404, "not_found").await;
        problem(edit(w.resident_2.clone(), json!({"title": "x"})).await, 403, "forbidden").await;
        problem(edit(w.staff_a.clone(), json!({"title": "x"})).await, 403, "forbidden").await;
        // Once submitted it is no longer a draft; sent back by staff it is one again.
        assert_eq!(act(&app, &a, &id, "submit").await.status(), 200);
        problem(edit(a.clone(), json!({"title": "改"})).await, 409, "illegal_transition").await;
        let r = app.post_as(&w.staff_a, &format!("/api/v1/jobs/{id}/reject"), &json!({"reason": "请写明工作时间"})).await;
        assert_eq!(r.status(), 200);
        let fixed: Value = edit(a.clone(), json!({"description": "负责社区楼道保洁，每日早六点至十二点。"})).await.json().await.unwrap();
        assert_eq!(fixed["status"], "draft");
        assert_eq!(public_ids(&app, "?q=早六点").await.len(), 0);
        assert_eq!(act(&app, &a, &id, "submit").await.status(), 200);
        assert_eq!(act(&app, &w.staff_a, &id, "publish").await.status(), 200);
        assert_eq!(public_ids(&app, "?q=早六点").await, vec![id.clone()]);
        assert_eq!(public_ids(&app, "?q=早班").await, vec![id.clone()]);
        problem(edit(a.clone(), json!({"title": "改"})).await, 409, "illegal_transition").await;
        let audit: Value = app.get_as(&w.admin, "/api/v1/audit-events").await.json().await.unwrap();
        assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "job.edit"), "{audit}");
    }

    async fn text_search_uses_the_trigram_index_for_any_length(app) {
        use entity::recruitment::{job::{self, JobFilter, Viewer}, synthetic};
        use sea_orm::{ConnectionTrait, DbBackend, QueryTrait};
        let w = World::build(&app).await;
        let token = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let me: Value = app.get_as(&token, "/api/v1/jobs?mine=true").await.json().await.unwrap();
        assert_eq!(me["items"].as_array().unwrap().len(), 0);
        let employer_id = {
            let e: Value = app.get_as(&w.staff_a, "/api/v1/employers").await.json().await.unwrap();
            uuid::Uuid::parse_str(e["items"][0]["id"].as_str().unwrap()).unwrap()
        };
        let postings = synthetic::postings(employer_id, 5_000, chrono::Utc::now());
        synthetic::insert(app.db.writer(), postings).await.unwrap();
        // Three postings with words found nowhere else.
        for title in ["锅炉工", "叉车司机", "木工学徒"] {
            publish(&app, &w, &token, &job(title, 3600)).await;
        }
        // Every length finds exactly the postings whose text holds it (through HTTP).
        let count = |q: &'static str| {
            let app = &app;
            async move {
                let mut total = 0;
                let mut cursor = String::new();
                loop {
                    let page: Value = app.get(&format!("/api/v1/jobs?limit=100&q={}{cursor}", urlencoding(q))).await.json().await.unwrap();
                    total += page["items"].as_array().unwrap().len();
                    match page["next_cursor"].as_str() {
                        Some(c) => cursor = format!("&cursor={c}"),
                        None => return total,
                    }
                }
            }
        };
        assert_eq!(count("电焊工").await, 417);
        assert_eq!(count("焊").await, 417);
        assert_eq!(count("东莞").await, 828);
        assert_eq!(count("钢筋工（12号岗").await, 1);
        assert_eq!(count("锅").await, 1);
        assert_eq!(count("叉车").await, 1);
        if app.db.conn().get_database_backend() != DbBackend::Postgres {
            return;
        }
        // What autovacuum does in production: statistics, and new rows moved from the GIN pending
        // list into the index proper (until then the planner cannot cost the index).
        app.db.writer().execute_unprepared("VACUUM ANALYZE job_posting").await.unwrap();
        // Rare words of any length go through the trigram index; common ones may instead walk the
        // primary key backwards and stop after one page (cheaper); neither is a sequential scan.
        for (q, rare) in [("锅", true), ("叉车", true), ("木工学", true), ("钢筋工（12号岗", true), ("焊", false), ("电焊", false), ("香菇种植", false)] {
            let filter = JobFilter { q: Some(q.into()), ..JobFilter::default() };
            let page = entity::page::PageRequest::first(20);
            let sql = job::list_query(Viewer::Public, &filter, &page).build(DbBackend::Postgres).to_string();
            let plan: Vec<String> = app.db.conn()
                .query_all_raw(sea_orm::Statement::from_string(DbBackend::Postgres, format!("EXPLAIN {sql}")))
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get::<String>("", "QUERY PLAN").unwrap())
                .collect();
            let plan = plan.join("\n");
            assert!(!rare || plan.contains("idx_job_search_trgm"), "q={q}: {plan}");
            assert!(!plan.contains("Seq Scan"), "q={q}: {plan}");
        }
    }
}

/// Percent-encodes a query value.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
