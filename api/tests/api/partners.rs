//! The provincial talent exchange: client credentials, postings in by external id and version,
//! signed webhooks out (checked by the reference receiver), dead letters, and the feed.

use std::{net::TcpListener, sync::Arc, time::Duration};

use base64::Engine;
use entity::people::credit_code::make_credit_code;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    jobs::{act, employer, job, publish},
    world::{World, created, items_as},
};

pub struct Partner {
    pub id: String,
    secret: String,
    signing_secret: String,
}

/// A partner that only receives webhooks, at `url` (its own postings would need no review).
async fn webhook_partner(app: &TestApp, w: &World, prefix: &str, url: &str) -> Partner {
    new_partner(app, w, prefix, Some(url), &["webhooks"], false).await
}

pub async fn new_partner(
    app: &TestApp,
    w: &World,
    prefix: &str,
    webhook: Option<&str>,
    scopes: &[&str],
    review: bool,
) -> Partner {
    let code = make_credit_code(prefix).unwrap();
    let body = created(
        app.post_as(
            &w.admin,
            "/api/v1/partners",
            &json!({
                "name": "河南省人才交流市场", "credit_code": code.as_str(), "webhook_url": webhook,
                "scopes": scopes, "review_inbound": review
            }),
        )
        .await,
    )
    .await;
    Partner {
        id: body["client_id"].as_str().unwrap().to_owned(),
        secret: body["client_secret"].as_str().unwrap().to_owned(),
        signing_secret: body["signing_secret"].as_str().unwrap().to_owned(),
    }
}

async fn token_request(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some((id, secret)) = basic {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        request = request.header("authorization", format!("Basic {encoded}"));
    }
    request.send().await.unwrap()
}

pub async fn token(app: &TestApp, p: &Partner) -> String {
    let r = token_request(
        app,
        Some((&p.id, &p.secret)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn oauth_error(response: reqwest::Response, status: u16, error: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string());
}

pub fn posting(version: i64, title: &str) -> Value {
    json!({
        "@context": "https://schema.org", "@type": "JobPosting",
        "version": version, "title": title, "description": "省人才交流市场发布：焊接钢结构，包吃住。",
        "datePosted": chrono::Utc::now().to_rfc3339(),
        "validThrough": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
        "hiringOrganization": {"@type": "Organization", "name": "洛阳重工机械有限公司"},
        "jobLocation": {"@type": "Place", "address": "河南省洛阳市"},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY",
            "value": {"@type": "QuantitativeValue", "minValue": 5000, "maxValue": 7000, "unitText": "MONTH"}},
        "totalJobOpenings": 10, "occupationalCategory": "work_away", "skills": ["电焊"],
        "contact": "0379-6000000", "housingProvided": true
    })
}

async fn resident_titles(app: &TestApp, token: &str) -> Vec<String> {
    items_as(app, token, "/api/v1/jobs?limit=100")
        .await
        .iter()
        .map(|j| j["title"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_job_change_handled_again_or_late_adds_no_webhook(app) {
        let w = World::build(&app).await;
        // Nobody listens there: deliveries stay pending.
        let url = format!("http://127.0.0.1:{}/webhooks", free_port());
        let p = webhook_partner(&app, &w, "91410000MA4000041", &url).await;
        let (e, a) = employer_publishes(&app, &w, "社区保洁员").await;
        eventually("the publish is queued and tried", 10, || async {
            let queued = deliveries(&app, &w, &p.id, "pending").await;
            queued.len() == 1 && queued[0]["attempts"].as_i64().unwrap_or(0) >= 1
        })
        .await;
        assert_eq!(act(&app, &e, &a, "close").await.status(), 200);
        eventually("the close is queued", 10, || async {
            deliveries(&app, &w, &p.id, "pending").await.len() == 2
        })
        .await;
        let queued = deliveries(&app, &w, &p.id, "pending").await;
        let newest = queued.iter().map(|d| d["job_version"].as_i64().unwrap()).max().unwrap();
        let event = |version: i64, change| entity::messaging::events::JobChanged {
            job_id: a.parse().unwrap(),
            version: i32::try_from(version).unwrap(),
            change,
            posting: json!({}),
        };
        use entity::messaging::events::JobChange;
        // The close again (a redelivered message), and a version older than the publish arriving
        // late (a retried message) after the publish was tried: neither adds a row.
        entity::partners::job_changed(app.db.writer(), &event(newest, JobChange::Closed)).await.unwrap();
        entity::partners::job_changed(app.db.writer(), &event(newest - 2, JobChange::Published)).await.unwrap();
        let after = deliveries(&app, &w, &p.id, "pending").await;
        assert_eq!(after.len(), 2, "{after:#?}");
    }

    async fn partner_tokens_follow_rfc_6749_and_open_only_partner_routes(app) {
        let w = World::build(&app).await;
        let p = new_partner(&app, &w, "91410000MA4000001", None, &["jobs:write", "jobs:read"], false).await;
        // Only platform administrators create partners.
        problem(app.post_as(&w.staff_a, "/api/v1/partners", &json!({"name": "x", "credit_code": "x", "scopes": ["jobs:read"]})).await, 403, "forbidden").await;
        let body = problem(app.post_as(&w.admin, "/api/v1/partners", &json!({"name": "x", "credit_code": make_credit_code("91410000MA4000002").unwrap().as_str(), "scopes": ["webhooks"]})).await, 422, "validation_failed").await;
        assert!(body["errors"]["webhook_url"].is_string(), "{body}");
        // RFC 6749 §5.2 errors.
        oauth_error(token_request(&app, None, "client_id=x&client_secret=y").await, 400, "invalid_request").await;
        oauth_error(token_request(&app, Some((&p.id, &p.secret)), "grant_type=password&username=a&password=b").await, 400, "unsupported_grant_type").await;
        let wrong = token_request(&app, Some((&p.id, "not-the-secret")), "grant_type=client_credentials").await;
        assert_eq!(wrong.headers()["www-authenticate"], "Basic realm=\"anju\"");
        oauth_error(wrong, 401, "invalid_client").await;
        oauth_error(token_request(&app, None, "grant_type=client_credentials").await, 401, "invalid_client").await;
        oauth_error(token_request(&app, Some((&p.id, &p.secret)), &format!("grant_type=client_credentials&client_id={}&client_secret={}", p.id, p.secret)).await, 400, "invalid_request").await;
        oauth_error(token_request(&app, Some((&p.id, &p.secret)), "grant_type=client_credentials&scope=webhooks").await, 400, "invalid_scope").await;
        oauth_error(token_request(&app, Some((&p.id, &p.secret)), "grant_type=client_credentials&grant_type=client_credentials").await, 400, "invalid_request").await;
        let json_body = app.client.post(app.url("/api/v1/auth/token")).json(&json!({"grant_type": "client_credentials"})).send().await.unwrap();
        oauth_error(json_body, 400, "invalid_request").await;
        // Basic and form fields both work; the response is not cached.
        let ok = token_request(&app, Some((&p.id, &p.secret)), "grant_type=client_credentials&scope=jobs:read").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["cache-control"], "no-store");
        let t: Value = ok.json().await.unwrap();
        assert_eq!(t["token_type"], "Bearer");
        assert_eq!(t["scope"], "jobs:read");
        // A token limited to jobs:read reads the feed but cannot push postings.
        let narrow = t["access_token"].as_str().unwrap();
        assert_eq!(app.get_as(narrow, "/api/v1/partner/jobs").await.status(), 200);
        problem(app.send_as(reqwest::Method::PUT, narrow, "/api/v1/partner/jobs/x-1", &posting(1, "电焊工")).await, 403, "forbidden").await;
        assert!(t["expires_in"].as_i64().unwrap() > 0);
        let form = token_request(&app, None, &format!("grant_type=client_credentials&client_id={}&client_secret={}", p.id, p.secret)).await;
        assert_eq!(form.status(), 200);
        // A partner token opens partner routes only: resident, staff, employer and admin routes
        // refuse it.
        let pt = token(&app, &p).await;
        assert_eq!(app.get_as(&pt, "/api/v1/partner/jobs").await.status(), 200);
        for path in ["/api/v1/me/points", "/api/v1/me/signups", "/api/v1/residents", "/api/v1/points/claims", "/api/v1/partners", "/api/v1/reports/points", "/api/v1/employers", "/api/v1/me/job-subscriptions"] {
            problem(app.get_as(&pt, path).await, 403, "forbidden").await;
        }
        for (path, body) in [
            ("/api/v1/jobs", jobs_body()),
            ("/api/v1/points/claims", json!({"category": "civility", "description": "x"})),
            ("/api/v1/store/redemptions", json!({"item_id": uuid::Uuid::now_v7(), "quantity": 1})),
            ("/api/v1/points/deductions", json!({"household_id": w.household_1, "points": 1, "reason": "x"})),
        ] {
            problem(app.post_as(&pt, path, &body).await, 403, "forbidden").await;
        }
        // Residents and staff cannot use partner routes.
        for t in [&w.resident_1, &w.staff_a, &w.admin] {
            problem(app.get_as(t, "/api/v1/partner/jobs").await, 403, "forbidden").await;
            problem(app.send_as(reqwest::Method::PUT, t, "/api/v1/partner/jobs/x-1", &posting(1, "电焊工")).await, 403, "forbidden").await;
        }
        // Rotation: both secrets work during the overlap; with none, the old one stops at once.
        let rotated: Value = app.post_as(&w.admin, &format!("/api/v1/partners/{}/rotate-secrets", p.id), &json!({"overlap_seconds": 600})).await.json().await.unwrap();
        assert!(rotated["client_secret"].is_string(), "{rotated}");
        let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
        assert_ne!(new_secret, p.secret);
        assert_eq!(token_request(&app, Some((&p.id, &p.secret)), "grant_type=client_credentials").await.status(), 200);
        assert_eq!(token_request(&app, Some((&p.id, &new_secret)), "grant_type=client_credentials").await.status(), 200);
        let again: Value = app.post_as(&w.admin, &format!("/api/v1/partners/{}/rotate-secrets", p.id), &json!({"overlap_seconds": 0})).await.json().await.unwrap();
        oauth_error(token_request(&app, Some((&p.id, &new_secret)), "grant_type=client_credentials").await, 401, "invalid_client").await;
        assert_eq!(token_request(&app, Some((&p.id, again["client_secret"].as_str().unwrap())), "grant_type=client_credentials").await.status(), 200);
    }

    async fn partner_postings_are_upserted_by_version_and_closed_by_delete(app) {
        let w = World::build(&app).await;
        let p = new_partner(&app, &w, "91410000MA4000011", None, &["jobs:write"], false).await;
        let pt = token(&app, &p).await;
        let put = |id: &'static str, body: Value| {
            let (app, pt) = (&app, pt.clone());
            async move { app.send_as(reqwest::Method::PUT, &pt, &format!("/api/v1/partner/jobs/{id}"), &body).await }
        };
        let first = created(put("HN-2026-001", posting(1, "钢结构电焊工")).await).await;
        assert_eq!(first["outcome"], "created");
        assert_eq!(first["status"], "published");
        // The same version again: one posting, unchanged.
        let again = put("HN-2026-001", posting(1, "钢结构电焊工")).await;
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!((again["id"].clone(), again["outcome"].as_str()), (first["id"].clone(), Some("unchanged")));
        assert_eq!(resident_titles(&app, &w.resident_1).await.iter().filter(|t| t.contains("电焊工")).count(), 1);
        // A newer version replaces it; an older one is stale.
        let newer: Value = put("HN-2026-001", posting(3, "钢结构高级电焊工")).await.json().await.unwrap();
        assert_eq!(newer["outcome"], "updated");
        assert_eq!(newer["version"], 3);
        problem(put("HN-2026-001", posting(2, "旧版本")).await, 409, "stale_version").await;
        let titles = resident_titles(&app, &w.resident_1).await;
        assert!(titles.contains(&"钢结构高级电焊工".to_owned()) && !titles.contains(&"旧版本".to_owned()), "{titles:?}");
        // Residents see the hiring organization's posting like any other.
        let detail: Value = app.get_as(&w.resident_1, &format!("/api/v1/jobs/{}", first["id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!(detail["salary_max"], 7000);
        assert_eq!(detail["hiring_organization"], "洛阳重工机械有限公司");
        // Validation names the fields as sent.
        let mut bad = posting(4, "x");
        bad["baseSalary"]["value"]["maxValue"] = json!(100);
        bad["validThrough"] = json!("2020-01-01T00:00:00Z");
        bad["baseSalary"]["value"]["unitText"] = json!("YEAR");
        let body = problem(put("HN-2026-001", bad).await, 422, "validation_failed").await;
        for field in ["baseSalary.value.maxValue", "validThrough", "baseSalary.value.unitText"] {
            assert!(body["errors"].get(field).is_some(), "{field}: {body}");
        }
        let mut unknown = posting(4, "x");
        unknown["salary"] = json!(1);
        let body = problem(put("HN-2026-001", unknown).await, 422, "validation_failed").await;
        assert!(body["errors"].get("salary").is_some(), "{body}");
        // Delete closes it: gone from residents' lists; idempotent; never resurrected.
        let closed = app.send_as(reqwest::Method::DELETE, &pt, "/api/v1/partner/jobs/HN-2026-001?version=5", &json!({})).await;
        assert_eq!(closed.status(), 200);
        assert!(!resident_titles(&app, &w.resident_1).await.iter().any(|t| t.contains("电焊工")));
        assert_eq!(app.send_as(reqwest::Method::DELETE, &pt, "/api/v1/partner/jobs/HN-2026-001", &json!({})).await.status(), 200);
        problem(put("HN-2026-001", posting(6, "钢结构电焊工")).await, 409, "posting_closed").await;
        problem(put("HN-2026-001", posting(4, "钢结构电焊工")).await, 409, "stale_version").await;
        // Another partner cannot reach this partner's postings; unknown ids are 404.
        let other = new_partner(&app, &w, "91410000MA4000021", None, &["jobs:write"], true).await;
        let ot = token(&app, &other).await;
        problem(app.send_as(reqwest::Method::DELETE, &ot, "/api/v1/partner/jobs/HN-2026-001", &json!({})).await, 404, "not_found").await;
        // A partner under review: its posting waits for staff.
        let waiting = created(app.send_as(reqwest::Method::PUT, &ot, "/api/v1/partner/jobs/HN-2026-001", &posting(1, "待审核岗位")).await).await;
        assert_eq!(waiting["status"], "pending_review");
        assert!(!resident_titles(&app, &w.resident_1).await.contains(&"待审核岗位".to_owned()));
        assert_eq!(act(&app, &w.staff_a, waiting["id"].as_str().unwrap(), "publish").await.status(), 200);
        assert!(resident_titles(&app, &w.resident_1).await.contains(&"待审核岗位".to_owned()));
        // Ten simultaneous first PUTs of one posting make one posting.
        let racers: Vec<_> = (0..10).map(|_| put("HN-RACE", posting(1, "并发岗位"))).collect();
        let statuses: Vec<u16> = futures_util::future::join_all(racers).await.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 201 || *s == 200), "{statuses:?}");
        assert_eq!(resident_titles(&app, &w.resident_1).await.iter().filter(|t| *t == "并发岗位").count(), 1);
    }

    async fn a_partner_that_missed_webhooks_catches_up_through_the_feed(app) {
        let w = World::build(&app).await;
        let p = new_partner(&app, &w, "91410000MA4000031", None, &["jobs:read", "jobs:write"], false).await;
        let pt = token(&app, &p).await;
        let e = employer(&app, &w, "91350100M000100Y43", "13600000001", true).await;
        let mut ids = Vec::new();
        for title in ["社区保洁员", "食用菌采摘工", "扶贫车间缝纫工"] {
            ids.push(publish(&app, &w, &e, &job(title, 3600)).await);
        }
        // A draft never published and the partner's own postings are not in the feed.
        created(app.post_as(&e, "/api/v1/jobs", &job("草稿", 3600)).await).await;
        created(app.send_as(reqwest::Method::PUT, &pt, "/api/v1/partner/jobs/own-1", &posting(1, "交流市场岗位")).await).await;
        let before_close = chrono::Utc::now();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(act(&app, &e, &ids[1], "close").await.status(), 200);
        // Walk the whole feed two at a time.
        let walk = |since: Option<chrono::DateTime<chrono::Utc>>| {
            let (app, pt) = (&app, pt.clone());
            async move {
                let mut items = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let mut path = "/api/v1/partner/jobs?limit=2".to_owned();
                    if let Some(s) = since { path.push_str(&format!("&updated_since={}", s.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B"))); }
                    if let Some(c) = &cursor { path.push_str(&format!("&cursor={c}")); }
                    let page: Value = app.get_as(&pt, &path).await.json().await.unwrap();
                    items.extend(page["items"].as_array().unwrap().iter().cloned());
                    match page["next_cursor"].as_str() { Some(c) => cursor = Some(c.to_owned()), None => break }
                }
                items
            }
        };
        let all = walk(None).await;
        assert_eq!(all.len(), 3, "{all:?}");
        for id in &ids {
            let item = all.iter().find(|i| i["id"] == id.as_str()).unwrap();
            let closed = *id == ids[1];
            assert_eq!(item["deleted"], closed);
            assert_eq!(item["posting"]["@type"], "JobPosting");
            assert_eq!(item["posting"]["version"], item["version"]);
        }
        let since = walk(Some(before_close)).await;
        assert_eq!(since.len(), 1);
        assert_eq!(since[0]["id"], ids[1].as_str());
        assert_eq!(since[0]["status"], "closed");
        // Without jobs:read, no feed.
        let writer = new_partner(&app, &w, "91410000MA4000041", None, &["jobs:write"], false).await;
        problem(app.get_as(&token(&app, &writer).await, "/api/v1/partner/jobs").await, 403, "forbidden").await;
        problem(app.get_as(&pt, "/api/v1/partner/jobs?cursor=nonsense").await, 400, "invalid_cursor").await;
    }
}

/// A free port with nothing listening on it (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_receiver(
    port: u16,
    secret: &str,
) -> (Arc<receiver::Receiver>, actix_web::dev::ServerHandle) {
    let state =
        Arc::new(receiver::Receiver::new(&[secret.to_owned()], receiver::TOLERANCE_SECS).unwrap());
    let server = receiver::serve(
        TcpListener::bind(("127.0.0.1", port)).unwrap(),
        state.clone(),
    )
    .unwrap();
    let handle = server.handle();
    tokio::spawn(server);
    (state, handle)
}

/// The usual employer signs up, is verified and publishes a posting; returns its token and the
/// posting's id.
async fn employer_publishes(app: &TestApp, w: &World, title: &str) -> (String, String) {
    let e = employer(app, w, "91350100M000100Y43", "13600000001", true).await;
    let id = publish(app, w, &e, &job(title, 3600)).await;
    (e, id)
}

/// Whether a pending delivery of `partner` last failed with an error that contains `part`.
async fn pending_failed_with(app: &TestApp, w: &World, partner: &str, part: &str) -> bool {
    deliveries(app, w, partner, "pending")
        .await
        .iter()
        .any(|d| d["last_error"].as_str().is_some_and(|e| e.contains(part)))
}

async fn deliveries(app: &TestApp, w: &World, partner: &str, state: &str) -> Vec<Value> {
    items_as(
        app,
        &w.admin,
        &format!("/api/v1/partners/{partner}/deliveries?state={state}&limit=100"),
    )
    .await
}

/// The receiver is down while postings are published, renewed and closed; when it comes up,
/// every message arrives, each once, in version order per posting; then forged, stale and
/// replayed messages are refused by it.
async fn webhooks_survive_a_receiver_outage(app: TestApp) {
    let w = World::build(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks");
    let p = new_partner(
        &app,
        &w,
        "91410000MA4000051",
        Some(&url),
        &["webhooks", "jobs:read"],
        false,
    )
    .await;
    let (e, a) = employer_publishes(&app, &w, "社区保洁员").await;
    let b = publish(&app, &w, &e, &job("食用菌采摘工", 3600)).await;
    let renewed = (chrono::Utc::now() + chrono::Duration::hours(5)).to_rfc3339();
    assert_eq!(
        app.post_as(
            &e,
            &format!("/api/v1/jobs/{b}/renew"),
            &json!({"valid_through": renewed})
        )
        .await
        .status(),
        200
    );
    assert_eq!(act(&app, &e, &a, "close").await.status(), 200);
    assert_eq!(act(&app, &e, &b, "fill").await.status(), 200);
    // Attempts fail and are retried while the receiver is down.
    eventually("attempts fail while the receiver is down", 10, || async {
        let pending = deliveries(&app, &w, &p.id, "pending").await;
        pending
            .iter()
            .any(|d| d["attempts"].as_i64().unwrap_or(0) >= 2 && d["last_error"].is_string())
    })
    .await;
    assert!(deliveries(&app, &w, &p.id, "delivered").await.is_empty());
    let (rx, handle) = start_receiver(port, &p.signing_secret);
    eventually("every delivery arrives", 30, || async {
        rx.received().len() >= 5
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = rx.received();
    assert_eq!(got.len(), 5, "{got:#?}");
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each message once");
    let of = |job: &str| {
        got.iter()
            .filter(|r| r.job_id == job)
            .map(|r| (r.event_type.clone(), r.version))
            .collect::<Vec<_>>()
    };
    let (of_a, of_b) = (of(&a), of(&b));
    assert_eq!(
        of_a.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["job.published", "job.closed"]
    );
    assert_eq!(
        of_b.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["job.published", "job.updated", "job.filled"]
    );
    for versions in [&of_a, &of_b] {
        assert!(versions.windows(2).all(|v| v[0].1 < v[1].1), "{versions:?}");
    }
    assert!(rx.rejected().is_empty(), "{:?}", rx.rejected());
    assert_eq!(deliveries(&app, &w, &p.id, "delivered").await.len(), 5);
    // The reference receiver refuses a forged body, an old timestamp and (without effect) a
    // replayed id.
    let first = &got[0];
    let body = first.body.to_string();
    let key = receiver::key_of(&p.signing_secret).unwrap();
    let sign = |id: &str, ts: i64, body: &str| {
        worker::partner_sync::signature_header(std::slice::from_ref(&key), id, ts, body)
    };
    let client = reqwest::Client::new();
    let send = |id: String, ts: i64, signature: String, body: String| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            client
                .post(url)
                .header("webhook-id", id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", signature)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let now = chrono::Utc::now().timestamp();
    let tampered = body.replacen("\"title\":\"", "\"title\":\"高薪", 1);
    assert_ne!(tampered, body);
    assert_eq!(
        send(
            "msg_new_1".into(),
            now,
            sign("msg_new_1", now, &body),
            tampered
        )
        .await,
        401
    );
    let old = now - 301;
    assert_eq!(
        send(
            "msg_new_2".into(),
            old,
            sign("msg_new_2", old, &body),
            body.clone()
        )
        .await,
        400
    );
    assert_eq!(
        send(
            first.id.clone(),
            now,
            sign(&first.id, now, &body),
            body.clone()
        )
        .await,
        200
    );
    assert_eq!(rx.received().len(), 5);
    assert_eq!(rx.duplicates(), 1);
    assert_eq!(rx.rejected().len(), 2);
    handle.stop(false).await;
}

/// A delivery that cannot get through for a day is dead-lettered, listed, and re-sent on demand.
async fn dead_letters_are_listed_and_resent(app: TestApp) {
    let w = World::build(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks");
    let p = webhook_partner(&app, &w, "91410000MA4000061", &url).await;
    let (_, a) = employer_publishes(&app, &w, "社区保洁员").await;
    eventually("an attempt failed", 10, || async {
        deliveries(&app, &w, &p.id, "pending")
            .await
            .iter()
            .any(|d| d["attempts"].as_i64().unwrap_or(0) >= 1)
    })
    .await;
    // A day passes.
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE partner_delivery SET give_up_at = '{past}'"
        ))
        .await
        .unwrap();
    eventually("the delivery is dead-lettered", 10, || async {
        deliveries(&app, &w, &p.id, "failed").await.len() == 1
    })
    .await;
    let dead = deliveries(&app, &w, &p.id, "failed").await.remove(0);
    assert_eq!(dead["job_id"], a.as_str());
    let resend = format!(
        "/api/v1/partners/{}/deliveries/{}/resend",
        p.id,
        dead["id"].as_str().unwrap()
    );
    problem(
        app.post_as(&w.staff_a, &resend, &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    let (rx, handle) = start_receiver(port, &p.signing_secret);
    let resent = app.post_as(&w.admin, &resend, &json!({})).await;
    assert_eq!(resent.status(), 200);
    eventually("the re-sent delivery arrives", 15, || async {
        rx.received().len() == 1
    })
    .await;
    assert_eq!(rx.received()[0].id, dead["id"].as_str().unwrap());
    problem(
        app.post_as(&w.admin, &resend, &json!({})).await,
        409,
        "illegal_transition",
    )
    .await;
    handle.stop(false).await;
}

/// Runs the test `$test` twice, as `$sqlite` and `$postgres`, on an app `$spawn` makes on each
/// backend.
macro_rules! sqlite_and_postgres {
    ($spawn:ident: $test:ident => $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            let Some(app) = $spawn(Backend::Sqlite).await else {
                return;
            };
            $test(app).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            let Some(app) = $spawn(Backend::Postgres).await else {
                return;
            };
            $test(app).await;
        }
    };
}

async fn quick_retries(backend: Backend) -> Option<TestApp> {
    spawn_app_configured(backend, |_| {}, |s| s.worker.webhook_retry_base_ms = 100).await
}

sqlite_and_postgres!(quick_retries: webhooks_survive_a_receiver_outage => webhooks_survive_a_receiver_outage_sqlite, webhooks_survive_a_receiver_outage_postgres);

/// Production shape: PostgreSQL, RabbitMQ, and the worker's loops outside the api.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_survive_a_receiver_outage_postgres_and_rabbitmq() {
    let Some((app, rabbit, _guard)) = spawn_app_with_broker(Backend::Postgres, 5).await else {
        return;
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut settings = test_settings(app.data_dir());
    settings.worker.webhook_retry_base_ms = 100;
    let hooks = settings.worker.webhooks().unwrap();
    let workers = [
        tokio::spawn(worker::rabbit::run(
            app.db.clone(),
            rabbit,
            true,
            stopped.clone(),
        )),
        tokio::spawn(worker::partner_sync::run(
            app.db.clone(),
            hooks,
            stopped.clone(),
        )),
        tokio::spawn(worker::scheduler::run(app.db.clone(), stopped)),
    ];
    webhooks_survive_a_receiver_outage(app).await;
    let _ = stop.send(true);
    for w in workers {
        let _ = w.await;
    }
}

sqlite_and_postgres!(quick_retries: dead_letters_are_listed_and_resent => dead_letters_are_listed_and_resent_sqlite, dead_letters_are_listed_and_resent_postgres);

fn jobs_body() -> Value {
    job("伪造岗位", 3600)
}

/// A worker whose `pii_key` is not the api's cannot sign: it sends nothing unsigned, keeps the
/// delivery pending with the reason, and a worker with the right key delivers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_without_the_apis_key_sends_nothing_unsigned() {
    let Some((app, rabbit, _guard)) = spawn_app_with_broker(Backend::Postgres, 5).await else {
        return;
    };
    // The consumers that turn job changes into deliveries (they need no key).
    let (stop_consumers, consumers_stopped) = tokio::sync::watch::channel(false);
    let consumers = tokio::spawn(worker::rabbit::run(
        app.db.clone(),
        rabbit,
        true,
        consumers_stopped,
    ));
    let w = World::build(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks");
    let p = webhook_partner(&app, &w, "91410000MA4000081", &url).await;
    let (rx, handle) = start_receiver(port, &p.signing_secret);
    employer_publishes(&app, &w, "社区保洁员").await;
    let wrong = worker::partner_sync::Webhooks::new(
        entity::crypto::PiiCipher::new(&[9u8; 32]),
        Duration::from_secs(5),
        Duration::from_millis(100),
        worker::egress::EgressPolicy {
            allow_http: true,
            allow_private_networks: true,
        },
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker::partner_sync::run(app.db.clone(), wrong, stopped));
    eventually("the attempt is refused for want of the key", 10, || {
        pending_failed_with(&app, &w, &p.id, "cannot be decrypted")
    })
    .await;
    assert!(rx.received().is_empty() && rx.rejected().is_empty());
    let _ = stop.send(true);
    let _ = task.await;
    let mut settings = test_settings(app.data_dir());
    settings.worker.webhook_retry_base_ms = 100;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker::partner_sync::run(
        app.db.clone(),
        settings.worker.webhooks().unwrap(),
        stopped,
    ));
    eventually("the right key delivers it", 15, || async {
        rx.received().len() == 1
    })
    .await;
    let _ = stop.send(true);
    let _ = task.await;
    let _ = stop_consumers.send(true);
    let _ = consumers.await;
    handle.stop(false).await;
}

/// Counts the TCP connections made to a port (nothing is ever answered).
fn connection_counter() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, count)
}

/// With the development setting off, a webhook never reaches an internal address: literal ones
/// are refused when the partner is created, names that resolve inward when the worker sends.
async fn webhooks_never_reach_internal_addresses(app: TestApp) {
    let w = World::build(&app).await;
    let (port, connections) = connection_counter();
    for url in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/".to_owned(),
        format!("http://127.0.0.1:{port}/webhooks"),
        "http://10.0.0.5/webhooks".to_owned(),
        format!("http://[::1]:{port}/webhooks"),
        "http://[::ffff:169.254.169.254]/".to_owned(),
    ] {
        let body = json!({
            "name": "河南省人才交流市场", "credit_code": make_credit_code("91410000MA4000091").unwrap().as_str(),
            "webhook_url": url, "scopes": ["webhooks"], "review_inbound": false
        });
        let p = problem(
            app.post_as(&w.admin, "/api/v1/partners", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            p["errors"]["webhook_url"]
                .as_str()
                .unwrap()
                .contains("not a public address"),
            "{url}: {p}"
        );
    }
    // A name is taken at creation and checked when it is resolved, at every send.
    let p = webhook_partner(
        &app,
        &w,
        "91410000MA4000092",
        &format!("http://localhost:{port}/webhooks"),
    )
    .await;
    employer_publishes(&app, &w, "社区保洁员").await;
    eventually("the send is refused at resolution", 15, || {
        pending_failed_with(
            &app,
            &w,
            &p.id,
            "localhost resolves only to addresses that are not public",
        )
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "never fetched"
    );
}

/// A receiver that answers with a redirect inward is not followed, even where internal
/// addresses are allowed (development).
async fn webhook_redirects_are_not_followed(app: TestApp) {
    let w = World::build(&app).await;
    let (inner_port, inner) = connection_counter();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let outer_port = listener.local_addr().unwrap().port();
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    let server = actix_web::HttpServer::new(move || {
        let counted = counted.clone();
        actix_web::App::new().default_service(actix_web::web::to(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                actix_web::HttpResponse::TemporaryRedirect()
                    .insert_header((
                        "location",
                        format!("http://127.0.0.1:{inner_port}/api/queues"),
                    ))
                    .finish()
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    let p = webhook_partner(
        &app,
        &w,
        "91410000MA4000093",
        &format!("http://127.0.0.1:{outer_port}/webhooks"),
    )
    .await;
    employer_publishes(&app, &w, "社区保洁员").await;
    eventually("the redirect is an answer, not a hop", 15, || {
        pending_failed_with(&app, &w, &p.id, "answered 307")
    })
    .await;
    assert!(hits.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert_eq!(
        inner.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    handle.stop(false).await;
}

async fn strict_egress(backend: Backend) -> Option<TestApp> {
    spawn_app_configured(
        backend,
        |_| {},
        |s| {
            s.worker.webhook_allow_private_networks = false;
            s.worker.webhook_retry_base_ms = 100;
        },
    )
    .await
}

sqlite_and_postgres!(strict_egress: webhooks_never_reach_internal_addresses => webhooks_never_reach_internal_addresses_sqlite, webhooks_never_reach_internal_addresses_postgres);

sqlite_and_postgres!(quick_retries: webhook_redirects_are_not_followed => webhook_redirects_are_not_followed_sqlite, webhook_redirects_are_not_followed_postgres);
