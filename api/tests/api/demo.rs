//! `api --demo`, started as the README starts it: the synthetic community and what makes the
//! console's screens meaningful (employers, postings in all six channels, activities with a job
//! fair and a training open for check-in, the store, a call for claims with claims at every
//! step, balances), loaded once however often the demo restarts, on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{helpers::*, replicas::start_with};

async fn login(base: &str, phone: &str) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": phone, "password": api::demo::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("demo login {phone}: {r}"))
        .to_owned()
}

async fn get(base: &str, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every item of a list, following its cursors.
async fn all(base: &str, token: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=100&cursor={c}"),
            None => format!("{path}{sep}limit=100"),
        };
        let page = get(base, token, &url).await;
        items.extend(
            page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{url}: {page}"))
                .clone(),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

async fn check(base: &str) {
    let staff = login(base, "19901000003").await;
    // Postings: published in every one of the six channels, and some waiting for review.
    let published = all(base, &staff, "/api/v1/jobs?status=published").await;
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    for j in &published {
        *by_category
            .entry(j["category"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(by_category.len(), 6, "{by_category:?}");
    assert_eq!(published.len(), 20);
    let waiting = all(base, &staff, "/api/v1/jobs?status=pending_review").await;
    assert_eq!(waiting.len(), 4);
    let employer = login(base, "19902000001").await;
    assert!(
        !all(base, &employer, "/api/v1/jobs?mine=true")
            .await
            .is_empty()
    );
    // Activities: a job fair, and a training whose check-in is open with people in.
    let activities = all(base, &staff, "/api/v1/activities").await;
    assert!(
        activities.iter().any(|a| a["kind"] == "job_fair"),
        "{activities:?}"
    );
    let training = activities.iter().find(|a| a["kind"] == "training").unwrap();
    let attended = all(
        base,
        &staff,
        &format!(
            "/api/v1/activities/{}/signups?status=attended",
            training["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(attended.len(), 3);
    // Claims at every step.
    let claims = all(base, &staff, "/api/v1/points/claims").await;
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for c in &claims {
        *by_status
            .entry(c["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for status in [
        "applied",
        "verified",
        "registered",
        "publicized",
        "credited",
        "rejected",
    ] {
        assert!(by_status.contains_key(status), "{status} in {by_status:?}");
    }
    assert_eq!(by_status["credited"], 6);
    let now = chrono::Utc::now().to_rfc3339();
    let due = claims
        .iter()
        .filter(|c| {
            c["status"] == "publicized"
                && c["publicity_ends_at"]
                    .as_str()
                    .is_some_and(|e| e < now.as_str())
        })
        .count();
    assert_eq!(due, 1, "one claim waits for staff to credit it");
    let objections = all(base, &staff, "/api/v1/points/objections?status=pending").await;
    assert_eq!(objections.len(), 1);
    assert_eq!(all(base, &staff, "/api/v1/points/campaigns").await.len(), 1);
    // The store, and a redemption waiting at the counter.
    assert_eq!(all(base, &staff, "/api/v1/store/items").await.len(), 7);
    assert_eq!(
        all(base, &staff, "/api/v1/store/redemptions?status=pending")
            .await
            .len(),
        1
    );
    // The points report counts the six credited households.
    let report = get(base, &staff, "/api/v1/reports/points").await;
    assert_eq!(report["participating_households"], 6, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_every_screen_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    {
        let demo = start_with(&["--demo"], &[], dir.path());
        check(&demo.url).await;
    }
    // Started again on the same data: nothing is loaded twice.
    let demo = start_with(&["--demo"], &[], dir.path());
    check(&demo.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_every_screen_on_postgres() {
    let Some((url, admin_url, name)) = fresh_postgres().await else {
        return;
    };
    let _guard = PostgresGuard::new(admin_url, name);
    let dir = tempfile::tempdir().unwrap();
    let demo = start_with(&["--demo"], &[("ANJU_DATABASE_URL", url)], dir.path());
    check(&demo.url).await;
}
