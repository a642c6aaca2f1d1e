use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, created},
};

async fn employer_with_published_job(
    app: &TestApp,
    w: &World,
    code: &str,
    phone: &str,
) -> (String, String) {
    let (e, token) = crate::world::sign_up_employer(app, json!({
        "organisation_name": "嘉德实业", "credit_code": code, "contact_name": "钱", "contact_phone": "13800001111", "phone": phone, "password": PASSWORD
    })).await;
    app.post_as(
        &w.staff_a,
        &format!("/api/v1/employers/{}/verify", e["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;
    let job = created(app.post_as(&token, "/api/v1/jobs", &json!({
        "title": "扶贫车间缝纫工", "description": "计件工资，可带孩子上下班。", "category": "community_workshop", "location": "兴贤里扶贫车间",
        "salary_min": 2000, "salary_max": 3500, "salary_unit": "month", "headcount": 20, "contact": "车间办公室",
        "valid_through": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339()
    })).await).await;
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post_as(&token, &format!("/api/v1/jobs/{id}/submit"), &json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_as(
            &w.staff_a,
            &format!("/api/v1/jobs/{id}/publish"),
            &json!({})
        )
        .await
        .status(),
        200
    );
    (token, id)
}

async fn patch(app: &TestApp, token: &str, id: &str, status: &str) -> reqwest::Response {
    app.send_as(
        reqwest::Method::PATCH,
        token,
        &format!("/api/v1/applications/{id}"),
        &json!({"status": status}),
    )
    .await
}

both_backends! {
    async fn residents_apply_and_the_employer_hires(app) {
        let w = World::build(&app).await;
        let (employer, job) = employer_with_published_job(&app, &w, "91350100M000100Y43", "13600000001").await;
        let path = format!("/api/v1/jobs/{job}/applications");
        // R2 applies for itself; the leader applies for R1, an elderly neighbour in its group.
        let own = created(app.post_as(&w.resident_2, &path, &json!({})).await).await;
        assert_eq!(own["on_behalf"], false);
        problem(app.post_as(&w.resident_2, &path, &json!({})).await, 409, "duplicate_application").await;
        problem(app.post_as(&w.resident_2, &path, &json!({"reason": "myself"})).await, 422, "validation_failed").await;
        let assisted = created(app.post_as(&w.leader, &path, &json!({"resident_id": w.resident_1_id, "reason": "不会用手机"})).await).await;
        assert_eq!(assisted["on_behalf"], true);
        problem(app.post_as(&w.leader, &path, &json!({"resident_id": w.resident_2_id})).await, 422, "validation_failed").await;
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        let event = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "application.submit").unwrap().clone();
        assert_eq!(event["on_behalf_of"], w.resident_1_id.as_str());
        assert_eq!(event["reason"], "不会用手机");
        // The employer sees its applicants; another employer sees nothing of them.
        let list: Value = app.get_as(&employer, &path).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        assert!(list["items"][0].get("resident_name").is_none(), "names are for staff: {list}");
        // Staff see their site's applicants, with names; the leader and other sites' staff do not.
        let seen: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
        assert_eq!(seen["items"].as_array().unwrap().len(), 2);
        assert!(seen["items"].as_array().unwrap().iter().all(|a| a["resident_name"].is_string()), "{seen}");
        let elsewhere: Value = app.get_as(&w.staff_b, &path).await.json().await.unwrap();
        assert_eq!(elsewhere["items"].as_array().unwrap().len(), 0);
        problem(app.get_as(&w.leader, &path).await, 403, "forbidden").await;
        let (other, _) = employer_with_published_job(&app, &w, "91110000600037341L", "13600000002").await;
        problem(app.get_as(&other, &path).await, 404, "not_found").await;
        let own_id = own["id"].as_str().unwrap();
        problem(patch(&app, &other, own_id, "viewed").await, 404, "not_found").await;
        // Residents see their own only.
        let mine: Value = app.get_as(&w.resident_1, "/api/v1/me/applications").await.json().await.unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        problem(patch(&app, &w.resident_1, own_id, "withdrawn").await, 404, "not_found").await;
        // The pipeline, in order only, by the employer only.
        problem(patch(&app, &employer, own_id, "hired").await, 409, "illegal_transition").await;
        problem(patch(&app, &w.resident_2, own_id, "viewed").await, 403, "forbidden").await;
        for status in ["viewed", "interviewing", "offered", "hired"] {
            let r: Value = patch(&app, &employer, own_id, status).await.json().await.unwrap();
            assert_eq!(r["status"], status);
        }
        problem(patch(&app, &w.resident_2, own_id, "withdrawn").await, 409, "illegal_transition").await;
        let r2: Value = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", w.resident_2_id)).await.json().await.unwrap();
        assert_eq!(r2["employment_status"], "employed");
        // The leader withdraws R1's application; the employer can no longer move it.
        let assisted_id = assisted["id"].as_str().unwrap();
        assert_eq!(patch(&app, &w.leader, assisted_id, "withdrawn").await.status(), 200);
        problem(patch(&app, &employer, assisted_id, "viewed").await, 409, "illegal_transition").await;
        // Every step reached R2's inbox.
        eventually("R2's notices", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().filter(|n| n["link"].as_str().is_some_and(|l| l.starts_with("application:"))).count() == 5
        })
        .await;
        let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
        let latest = inbox["items"].as_array().unwrap().iter().find(|n| n["link"].as_str().is_some_and(|l| l.starts_with("application:"))).unwrap();
        assert!(latest["body"].as_str().unwrap().contains("录用"));
        // The employer heard of both applications and of the withdrawal, in its own inbox.
        eventually("the employer's notices", 10, || async {
            let inbox: Value = app.get_as(&employer, "/api/v1/me/notifications").await.json().await.unwrap();
            let titles: Vec<&str> = inbox["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
            titles.iter().filter(|t| **t == "新的报名").count() == 2 && titles.contains(&"报名已撤回")
        })
        .await;
        let count: Value = app.get_as(&employer, "/api/v1/me/notifications/unread-count").await.json().await.unwrap();
        assert_eq!(count["unread"], 3);
        let inbox: Value = app.get_as(&employer, "/api/v1/me/notifications").await.json().await.unwrap();
        let first = inbox["items"][0]["id"].as_str().unwrap();
        let read: Value = app.post_as(&employer, &format!("/api/v1/me/notifications/{first}/read"), &json!({})).await.json().await.unwrap();
        assert!(read["read_at"].is_string());
        problem(app.post_as(&other, &format!("/api/v1/me/notifications/{first}/read"), &json!({})).await, 404, "not_found").await;
        problem(app.post_as(&w.resident_2, &format!("/api/v1/me/notifications/{first}/read"), &json!({})).await, 404, "not_found").await;
        problem(app.get_as(&w.staff_a, "/api/v1/me/notifications").await, 403, "forbidden").await;
        // A closed posting takes no applications.
        assert_eq!(app.post_as(&employer, &format!("/api/v1/jobs/{job}/close"), &json!({})).await.status(), 200);
        problem(app.post_as(&w.resident_b, &path, &json!({})).await, 404, "not_found").await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    async fn a_hire_takes_the_household_off_the_below_target_list(app) {
        let w = World::build(&app).await;
        let below = |report: &Value| -> Vec<String> {
            report["below_target"].as_array().unwrap().iter().map(|h| h["household_id"].as_str().unwrap().to_owned()).collect()
        };
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(report["households_with_labour"], 2);
        assert_eq!(report["employed_residents"], 0);
        let mut listed = below(&report);
        listed.sort();
        let mut expected = vec![w.household_1.clone(), w.household_2.clone()];
        expected.sort();
        assert_eq!(listed, expected);
        // A leader sees its own groups only.
        let mine: Value = app.get_as(&w.leader, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(below(&mine), vec![w.household_1.clone()]);
        problem(app.get_as(&w.resident_1, "/api/v1/reports/employment").await, 403, "forbidden").await;
        // R2 is hired: its household (R2 is its only labour) reaches the target.
        let (employer, job) = employer_with_published_job(&app, &w, "91350100M000100Y43", "13600000001").await;
        let application = created(app.post_as(&w.resident_2, &format!("/api/v1/jobs/{job}/applications"), &json!({})).await).await;
        let id = application["id"].as_str().unwrap();
        for status in ["viewed", "interviewing", "offered", "hired"] {
            assert_eq!(patch(&app, &employer, id, status).await.status(), 200);
        }
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(report["employed_residents"], 1);
        assert_eq!(below(&report), vec![w.household_1.clone()]);
        assert_eq!(report["households_below_target"], 1);
    }

    async fn staff_record_and_end_employment_found_elsewhere(app) {
        let w = World::build(&app).await;
        let body = json!({"resident_id": w.resident_2_id, "channel": "work_away", "start_date": "2026-03-01"});
        problem(app.post_as(&w.leader, "/api/v1/employments", &body).await, 404, "not_found").await;
        problem(app.post_as(&w.staff_b, "/api/v1/employments", &body).await, 404, "not_found").await;
        let mut bad = body.clone();
        bad["channel"] = json!("moon");
        problem(app.post_as(&w.staff_a, "/api/v1/employments", &bad).await, 422, "validation_failed").await;
        let record = created(app.post_as(&w.staff_a, "/api/v1/employments", &body).await).await;
        // The records list: the site's staff see it with the name; other sites' staff do not.
        let listed: Value = app.get_as(&w.staff_a, "/api/v1/employments?current=true").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(listed["items"][0]["resident_id"], w.resident_2_id.as_str());
        assert!(listed["items"][0]["resident_name"].is_string());
        let other: Value = app.get_as(&w.staff_b, "/api/v1/employments").await.json().await.unwrap();
        assert_eq!(other["items"].as_array().unwrap().len(), 0);
        problem(app.get_as(&w.leader, "/api/v1/employments").await, 403, "forbidden").await;
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(report["employed_residents"], 1);
        let end = format!("/api/v1/employments/{}/end", record["id"].as_str().unwrap());
        problem(app.post_as(&w.staff_a, &end, &json!({"end_date": "2026-01-01"})).await, 422, "validation_failed").await;
        let ended: Value = app.post_as(&w.staff_a, &end, &json!({"end_date": "2026-10-31"})).await.json().await.unwrap();
        assert_eq!(ended["end_date"], "2026-10-31");
        problem(app.post_as(&w.staff_a, &end, &json!({"end_date": "2026-11-01"})).await, 409, "already_ended").await;
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/employment").await.json().await.unwrap();
        assert_eq!(report["employed_residents"], 0);
        let current: Value = app.get_as(&w.staff_a, "/api/v1/employments?current=true").await.json().await.unwrap();
        assert_eq!(current["items"].as_array().unwrap().len(), 0);
        let ended: Value = app.get_as(&w.staff_a, "/api/v1/employments?current=false").await.json().await.unwrap();
        assert_eq!(ended["items"].as_array().unwrap().len(), 1);
    }
}
