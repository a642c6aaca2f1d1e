//! Recruitment end to end, as the people involved live it, through HTTP only.

use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    jobs::act,
    world::{PASSWORD, World, created},
};

async fn below_target(app: &TestApp, token: &str) -> Vec<String> {
    let report: Value = app
        .get_as(token, "/api/v1/reports/employment")
        .await
        .json()
        .await
        .unwrap();
    report["below_target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn an_employer_posts_and_a_household_reaches_its_target(app) {
        let w = World::build(&app).await;
        assert!(below_target(&app, &w.staff_a).await.contains(&w.household_2));

        // The employer signs up; a mistyped credit code is named.
        let mut sign_up = json!({
            "organisation_name": "卢氏县食用菌合作社", "credit_code": "91350100M000100Y44", "contact_name": "周经理",
            "contact_phone": "13800001111", "phone": "13600000001", "password": PASSWORD
        });
        let p = problem(app.post_json("/api/v1/auth/employers", &sign_up).await, 422, "validation_failed").await;
        assert!(p["errors"]["credit_code"].is_string(), "{p}");
        sign_up["credit_code"] = json!("91350100M000100Y43");
        let (employer, token) = crate::world::sign_up_employer(&app, sign_up).await;

        // It writes a posting; unverified, it cannot submit it.
        let posting = created(app.post_as(&token, "/api/v1/jobs", &json!({
            "title": "香菇大棚采摘工", "description": "香菇产业园采摘、装筐，日结工资。", "category": "industry_base",
            "location": "卢氏县香菇产业园", "salary_min": 100, "salary_max": 130, "salary_unit": "day", "headcount": 30,
            "age_min": 18, "age_max": 80, "contact": "周经理",
            "valid_through": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339()
        })).await).await;
        let job = posting["id"].as_str().unwrap().to_owned();
        problem(act(&app, &token, &job, "submit").await, 409, "employer_not_verified").await;

        // Staff verify the employer and publish the posting.
        let verify = format!("/api/v1/employers/{}/verify", employer["id"].as_str().unwrap());
        assert_eq!(app.post_as(&w.staff_a, &verify, &json!({})).await.status(), 200);
        assert_eq!(act(&app, &token, &job, "submit").await.status(), 200);
        assert_eq!(act(&app, &w.staff_a, &job, "publish").await.status(), 200);

        // R2, looking for work, hears of it.
        eventually("R2's recommendation", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().any(|n| n["link"] == format!("job:{job}").as_str())
        })
        .await;

        // R2 applies; the group leader applies for R1, an elderly neighbour without a phone app.
        let path = format!("/api/v1/jobs/{job}/applications");
        // A flaky mobile network: the app retries with the same Idempotency-Key and gets the same
        // application back, not a duplicate error.
        let send = || app.client.post(app.url(&path)).bearer_auth(&w.resident_2).header("Idempotency-Key", "r2-apply-1").json(&json!({})).send();
        let own = created(send().await.unwrap()).await;
        let again = created(send().await.unwrap()).await;
        assert_eq!(own["id"], again["id"]);
        let assisted = created(app.post_as(&w.leader, &path, &json!({"resident_id": w.resident_1_id})).await).await;
        assert_eq!(assisted["on_behalf"], true);
        problem(app.post_as(&w.resident_2, &path, &json!({})).await, 409, "duplicate_application").await;
        // R1 cannot read R2's application; the employer hears of both.
        let r1_sees: Value = app.get_as(&w.resident_1, "/api/v1/me/applications").await.json().await.unwrap();
        assert_eq!(r1_sees["items"].as_array().unwrap().len(), 1);
        assert_eq!(r1_sees["items"][0]["id"], assisted["id"]);
        eventually("the employer's notices", 10, || async {
            let inbox: Value = app.get_as(&token, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().filter(|n| n["title"] == "新的报名").count() == 2
        })
        .await;

        // The employer takes R2 through to hired; an illegal jump is refused.
        let own_path = format!("/api/v1/applications/{}", own["id"].as_str().unwrap());
        problem(app.send_as(reqwest::Method::PATCH, &token, &own_path, &json!({"status": "hired"})).await, 409, "illegal_transition").await;
        for status in ["viewed", "interviewing", "offered", "hired"] {
            let moved: Value = app.send_as(reqwest::Method::PATCH, &token, &own_path, &json!({"status": status})).await.json().await.unwrap();
            assert_eq!(moved["status"], status);
        }

        // The employment is on record, and R2's household (R2 is its only labour) leaves the
        // list the leader and staff visit from.
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(report["employed_residents"], 1);
        assert!(!below_target(&app, &w.staff_a).await.contains(&w.household_2));
        let r2: Value = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", w.resident_2_id)).await.json().await.unwrap();
        assert_eq!(r2["employment_status"], "employed");
        // R2 sees the final outcome.
        let mine: Value = app.get_as(&w.resident_2, "/api/v1/me/applications").await.json().await.unwrap();
        assert_eq!(mine["items"][0]["status"], "hired");
        eventually("R2 hears it is hired", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().any(|n| n["body"].as_str().unwrap().contains("正式录用"))
        })
        .await;
    }
}
