use entity::claims;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    both_backends,
    helpers::*,
    world::{World, created},
};

async fn step(
    app: &TestApp,
    token: &str,
    claim: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.post_as(
        token,
        &format!("/api/v1/points/claims/{claim}/{action}"),
        &body,
    )
    .await
}

/// Moves the clock past a claim's publicity window: the window's end and the credit task's time
/// are set to just now (the scheduler then runs the task as it would three days later).
async fn close_window(app: &TestApp, claim: &str) {
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let (claim_id, task_run_at) = match app.db.conn().get_database_backend() {
        sea_orm::DbBackend::Postgres => (format!("'{claim}'"), format!("'{past}'")),
        _ => (
            format!("X'{}'", claim.replace('-', "")),
            format!("'{past}'"),
        ),
    };
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE point_claim SET publicity_ends_at = {task_run_at} WHERE id = {claim_id}"
        ))
        .await
        .unwrap();
    app.db.writer().execute_unprepared(&format!("UPDATE scheduled_task SET run_at = {task_run_at} WHERE kind = 'points.credit' AND state = 'pending'")).await.unwrap();
}

async fn balance(app: &TestApp, token: &str) -> i64 {
    let account: Value = app
        .get_as(token, "/api/v1/me/points")
        .await
        .json()
        .await
        .unwrap();
    account["balance"].as_i64().unwrap()
}

both_backends! {
    async fn seven_steps_from_a_call_to_the_store(app) {
        let w = World::build(&app).await;
        // 1. 通知: staff publish a call for environment claims.
        let campaign = created(app.post_as(&w.staff_a, "/api/v1/points/campaigns", &json!({
            "category": "environment", "title": "楼道环境整治", "rules": "清理楼道杂物、义务打扫，经核实每次计 5 分。",
            "period_start": "2026-11-01", "period_end": "2026-12-31"
        })).await).await;
        problem(app.post_as(&w.resident_2, "/api/v1/points/campaigns", &json!({
            "category": "environment", "title": "x", "rules": "x", "period_start": "2026-11-01", "period_end": "2026-12-31"
        })).await, 403, "forbidden").await;
        eventually("R2 hears of the call", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().any(|n| n["title"] == "积分申报通知")
        })
        .await;
        // 2. 申请: R2 for itself, the leader for R1 (elderly); staff do not apply.
        let body = |resident: Option<&str>| {
            let mut b = json!({"category": "environment", "description": "清理3号楼楼道杂物", "campaign_id": campaign["id"]});
            if let Some(r) = resident { b["resident_id"] = json!(r); }
            b
        };
        let r2 = created(app.post_as(&w.resident_2, "/api/v1/points/claims", &body(None)).await).await;
        let r1 = created(app.post_as(&w.leader, "/api/v1/points/claims", &body(Some(&w.resident_1_id))).await).await;
        assert_eq!(r1["on_behalf"], true);
        problem(app.post_as(&w.staff_a, "/api/v1/points/claims", &body(Some(&w.resident_2_id))).await, 403, "forbidden").await;
        problem(app.post_as(&w.resident_2, "/api/v1/points/claims", &body(Some(&w.resident_1_id))).await, 404, "not_found").await;
        let (r1, r2) = (r1["id"].as_str().unwrap().to_owned(), r2["id"].as_str().unwrap().to_owned());
        // 3. 认定: the leader verifies its group's claim within the range; staff verify R2's.
        let p = problem(step(&app, &w.leader, &r1, "verify", json!({"points": 50})).await, 422, "validation_failed").await;
        assert!(p["errors"]["points"].as_str().unwrap().contains("1–10"), "{p}");
        assert_eq!(step(&app, &w.leader, &r1, "verify", json!({"points": 5})).await.status(), 200);
        problem(step(&app, &w.leader, &r2, "verify", json!({})).await, 404, "not_found").await;
        assert_eq!(step(&app, &w.staff_a, &r2, "verify", json!({"points": 8})).await.status(), 200);
        // 4. 登记 and 5. 公示, by staff only, in order only.
        problem(step(&app, &w.staff_a, &r2, "publicize", json!({})).await, 409, "illegal_transition").await;
        problem(step(&app, &w.leader, &r1, "register", json!({})).await, 403, "forbidden").await;
        for claim in [&r1, &r2] {
            assert_eq!(step(&app, &w.staff_a, claim, "register", json!({})).await.status(), 200);
            let posted: Value = step(&app, &w.staff_a, claim, "publicize", json!({})).await.json().await.unwrap();
            assert!(posted["publicity_ends_at"].is_string());
        }
        problem(step(&app, &w.staff_a, &r1, "credit", json!({})).await, 409, "publicity_open").await;
        // The group's notice board sheet lists what is posted, in Chinese, ready for A4.
        let sheet = app.get_as(&w.leader, &format!("/api/v1/reports/points/publicity/{}", w.group_1)).await;
        assert_eq!(sheet.status(), 200);
        assert!(sheet.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = sheet.text().await.unwrap();
        assert!(html.contains("李奶奶") && html.contains("争当环境爱护者") && html.contains("size: A4"), "{html}");
        assert!(!html.contains("王小二"), "group 2's claim is not on group 1's sheet");
        problem(app.get_as(&w.leader, &format!("/api/v1/reports/points/publicity/{}", w.group_2)).await, 404, "not_found").await;
        problem(app.get_as(&w.resident_2, &format!("/api/v1/reports/points/publicity/{}", w.group_2)).await, 403, "forbidden").await;
        // Any resident of the site may object; staff may not credit while it is pending.
        let objection = created(app.post_as(&w.resident_1, &format!("/api/v1/points/claims/{r2}/objections"), &json!({"reason": "当天打扫的是物业人员"})).await).await;
        problem(app.post_as(&w.resident_b, &format!("/api/v1/points/claims/{r2}/objections"), &json!({"reason": "x"})).await, 404, "not_found").await;
        // 6. 充值: when the window closes, the scheduler credits R1's household, not R2's.
        close_window(&app, &r1).await;
        close_window(&app, &r2).await;
        eventually("R1's household credited on time", 15, || async { balance(&app, &w.resident_1).await == 5 }).await;
        problem(step(&app, &w.staff_a, &r2, "credit", json!({})).await, 409, "objection_pending").await;
        assert_eq!(balance(&app, &w.resident_2).await, 0);
        // Staff dismiss the objection: R2's claim is credited at once.
        let dismissed: Value = app.post_as(&w.staff_a, &format!("/api/v1/points/objections/{}/dismiss", objection["id"].as_str().unwrap()), &json!({})).await.json().await.unwrap();
        assert_eq!(dismissed["status"], "dismissed");
        assert_eq!(balance(&app, &w.resident_2).await, 8);
        // A redelivered credit changes nothing.
        let again = claims::credit_due(app.db.conn(), Uuid::parse_str(&r2).unwrap()).await.unwrap();
        assert!(!again);
        assert_eq!(balance(&app, &w.resident_2).await, 8);
        // Every step is on record, with its actor.
        let full: Value = app.get_as(&w.resident_2, &format!("/api/v1/points/claims/{r2}")).await.json().await.unwrap();
        let steps: Vec<&str> = full["steps"].as_array().unwrap().iter().map(|s| s["to"].as_str().unwrap()).collect();
        assert_eq!(steps, ["applied", "verified", "registered", "publicized", "credited"]);
        let r1_steps: Value = app.get_as(&w.staff_a, &format!("/api/v1/points/claims/{r1}")).await.json().await.unwrap();
        assert_eq!(r1_steps["steps"][4]["actor_role"], "system");
        problem(app.get_as(&w.resident_2, &format!("/api/v1/points/claims/{r1}")).await, 404, "not_found").await;
        // An objection upheld after crediting reverses the points with a new entry.
        let late = created(app.post_as(&w.resident_2, &format!("/api/v1/points/claims/{r1}/objections"), &json!({"reason": "重复申报"})).await).await;
        let upheld: Value = app.post_as(&w.staff_a, &format!("/api/v1/points/objections/{}/uphold", late["id"].as_str().unwrap()), &json!({})).await.json().await.unwrap();
        assert_eq!(upheld["status"], "upheld");
        assert_eq!(balance(&app, &w.resident_1).await, 0);
        let r1_now: Value = app.get_as(&w.leader, &format!("/api/v1/points/claims/{r1}")).await.json().await.unwrap();
        assert_eq!(r1_now["status"], "rejected");
        assert_eq!(r1_now["status_reason"], "重复申报");
        let account: Value = app.get_as(&w.resident_1, "/api/v1/me/points").await.json().await.unwrap();
        let kinds: Vec<&str> = account["entries"]["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["correction", "credit"]);
        // The report: one of the site's two households has a credited claim.
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/points").await.json().await.unwrap();
        assert_eq!(report["households"], 2);
        assert_eq!(report["participating_households"], 1);
        assert_eq!(report["participation_rate"], 0.5);
        let env = report["by_category"].as_array().unwrap().iter().find(|c| c["category"] == "environment").unwrap().clone();
        assert_eq!((env["claims"].as_u64(), env["points"].as_i64()), (Some(1), Some(8)));
        problem(app.get_as(&w.resident_2, "/api/v1/reports/points").await, 403, "forbidden").await;
        // 7. 兑换: R2 spends its points at the store.
        let item = created(app.post_as(&w.staff_a, "/api/v1/store/items", &json!({"name": "毛巾", "price": 8, "stock": 3})).await).await;
        assert_eq!(app.post_as(&w.resident_2, "/api/v1/store/redemptions", &json!({"item_id": item["id"]})).await.status(), 201);
        assert_eq!(balance(&app, &w.resident_2).await, 0);
        // Rejection needs a reason; a credited claim cannot be rejected by a step.
        problem(step(&app, &w.staff_a, &r2, "reject", json!({"reason": "x"})).await, 409, "illegal_transition").await;
    }
}

both_backends! {
    async fn a_campaign_is_credited_in_one_run_with_every_balance_right(app) {
        let w = World::build(&app).await;
        let mut ids = Vec::new();
        for (token, resident, points) in [
            (&w.resident_2, None, 3),
            (&w.resident_2, None, 4),
            (&w.resident_2, None, 5),
            (&w.leader, Some(w.resident_1_id.clone()), 6),
        ] {
            let mut body = json!({"category": "public_welfare", "description": "义务巡逻"});
            if let Some(r) = resident { body["resident_id"] = json!(r); }
            let c = created(app.post_as(token, "/api/v1/points/claims", &body).await).await;
            let id = c["id"].as_str().unwrap().to_owned();
            assert_eq!(step(&app, &w.staff_a, &id, "verify", json!({"points": points})).await.status(), 200);
            assert_eq!(step(&app, &w.staff_a, &id, "register", json!({})).await.status(), 200);
            assert_eq!(step(&app, &w.staff_a, &id, "publicize", json!({})).await.status(), 200);
            ids.push(id);
        }
        for id in &ids {
            close_window(&app, id).await;
        }
        eventually("all four credited", 15, || async {
            balance(&app, &w.resident_2).await == 12 && balance(&app, &w.resident_1).await == 6
        })
        .await;
        // Nothing is credited twice, whichever task or worker comes next.
        let txn = app.db.begin().await.unwrap();
        let again = claims::credit_due_at_site(&txn, Uuid::parse_str(&w.site_a).unwrap()).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(again, 0);
        // Each entry's balance_after follows from the one before.
        let account: Value = app.get_as(&w.resident_2, "/api/v1/me/points").await.json().await.unwrap();
        let mut entries: Vec<Value> = account["entries"]["items"].as_array().unwrap().clone();
        entries.reverse();
        let mut running = 0;
        for e in &entries {
            running += e["amount"].as_i64().unwrap();
            assert_eq!(e["balance_after"].as_i64().unwrap(), running, "{entries:?}");
        }
        assert_eq!(running, 12);
    }
}
