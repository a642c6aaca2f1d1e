use std::collections::BTreeSet;

use entity::recruitment::{job_match, matching};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    jobs::{employer, job, publish},
    world::{World, items_as},
};

async fn set_profile(app: &TestApp, w: &World, resident: &str, profile: Value) {
    let staff = if resident == w.resident_b_id {
        &w.staff_b
    } else {
        &w.staff_a
    };
    let r = app
        .send_as(
            reqwest::Method::PATCH,
            staff,
            &format!("/api/v1/residents/{resident}"),
            &profile,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn matches(app: &TestApp, job_id: &str) -> BTreeSet<(String, String)> {
    job_match::Entity::find()
        .filter(job_match::Column::JobId.eq(uuid::Uuid::parse_str(job_id).unwrap()))
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.resident_id.to_string(), m.reason))
        .collect()
}

async fn job_notices(app: &TestApp, token: &str, job_id: &str) -> usize {
    items_as(app, token, "/api/v1/me/notifications?limit=100")
        .await
        .iter()
        .filter(|n| n["link"] == format!("job:{job_id}").as_str())
        .count()
}

both_backends! {
    async fn a_published_posting_reaches_the_residents_it_suits_once(app) {
        let w = World::build(&app).await;
        // R2 (36) welds and will work away; RB (38) welds but stays local; the leader (51) is
        // disabled; R1 (76) is past working age but subscribed to work away from home.
        set_profile(&app, &w, &w.resident_2_id, json!({"skills": ["电焊", "驾驶"], "job_preferences": {"area": "willing_to_work_away"}})).await;
        set_profile(&app, &w, &w.resident_b_id, json!({"skills": ["电焊"]})).await;
        set_profile(&app, &w, &w.leader_id, json!({"disability": true, "disability_level": 3})).await;
        let r = app.send_as(reqwest::Method::PUT, &w.resident_1, "/api/v1/me/job-subscriptions", &json!({"categories": ["work_away", "work_away"]})).await;
        let saved: Value = r.json().await.unwrap();
        assert_eq!(saved["categories"], json!(["work_away"]));
        problem(app.send_as(reqwest::Method::PUT, &w.resident_1, "/api/v1/me/job-subscriptions", &json!({"categories": ["moon"]})).await, 422, "validation_failed").await;
        problem(app.get_as(&w.staff_a, "/api/v1/me/job-subscriptions").await, 403, "forbidden").await;
        let mine: Value = app.get_as(&w.resident_1, "/api/v1/me/job-subscriptions").await.json().await.unwrap();
        assert_eq!(mine["categories"], json!(["work_away"]));

        let employer = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let mut away = job("江苏昆山电子厂焊工", 86_400);
        away["category"] = json!("work_away");
        away["skills"] = json!(["电焊"]);
        away["age_max"] = json!(45);
        away["transport_provided"] = json!(true);
        let away = publish(&app, &w, &employer, &away).await;
        eventually("R2 hears of the welding job", 10, || async {
            job_notices(&app, &w.resident_2, &away).await == 1
        })
        .await;
        // Matching ran in one transaction: its record is complete once one notice arrived.
        let expected: BTreeSet<(String, String)> = [
            (w.resident_2_id.clone(), "profile".to_owned()),
            (w.resident_1_id.clone(), "subscription".to_owned()),
        ]
        .into();
        assert_eq!(matches(&app, &away).await, expected);
        eventually("R1 hears of it through its subscription", 10, || async {
            job_notices(&app, &w.resident_1, &away).await == 1
        })
        .await;
        let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
        let notice = inbox["items"].as_array().unwrap().iter().find(|n| n["link"] == format!("job:{away}").as_str()).unwrap().clone();
        assert_eq!(notice["title"], "新岗位推荐");
        assert!(notice["body"].as_str().unwrap().contains("江苏昆山电子厂焊工"), "{notice}");

        // Matching again (a redelivery, a second worker) tells nobody twice.
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        let again = matching::match_job(app.db.conn(), uuid::Uuid::parse_str(&away).unwrap(), today).await.unwrap();
        assert_eq!(again, 0);

        // A local cleaning job without skills, not suitable for disabled workers: R2 and RB (both
        // sites) hear of it, the disabled leader does not, and R1 is not subscribed to it.
        let mut local = job("社区保洁员", 86_400);
        local["category"] = json!("local");
        local["skills"] = json!([]);
        local["suitable_for_disabled"] = json!(false);
        local["flexible_hours"] = json!(false);
        local["age_min"] = json!(null);
        local["age_max"] = json!(null);
        let local = publish(&app, &w, &employer, &local).await;
        eventually("RB hears of the local job", 10, || async {
            job_notices(&app, &w.resident_b, &local).await == 1
        })
        .await;
        let expected: BTreeSet<(String, String)> = [
            (w.resident_2_id.clone(), "profile".to_owned()),
            (w.resident_b_id.clone(), "profile".to_owned()),
        ]
        .into();
        assert_eq!(matches(&app, &local).await, expected);
        eventually("R2 hears of it too", 10, || async {
            job_notices(&app, &w.resident_2, &local).await == 1
        })
        .await;
        assert_eq!(job_notices(&app, &w.resident_2, &away).await, 1);
        assert_eq!(job_notices(&app, &w.leader, &local).await, 0);
    }
}
