//! Push and SMS through the delivery pipeline, with JPush played by a local server that speaks its
//! REST API v3 (Basic auth, `/v3/push`, its error codes).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use entity::notify::{delivery, device};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{helpers::*, world::World};

/// What the fake JPush received and will answer.
#[derive(Default)]
struct JPushFake {
    requests: Mutex<Vec<(String, Value)>>,
    script: Mutex<VecDeque<(u16, Value)>>,
}

async fn push(
    req: HttpRequest,
    body: web::Json<Value>,
    fake: web::Data<Arc<JPushFake>>,
) -> HttpResponse {
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    fake.requests
        .lock()
        .unwrap()
        .push((auth.clone(), body.0.clone()));
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("app-key:master-secret")
    );
    if auth != expected {
        return HttpResponse::Unauthorized()
            .json(json!({"error": {"code": 1004, "message": "Authen failed"}}));
    }
    let tokens = body.0["audience"]["registration_id"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| t.as_str().is_some_and(|t| t.starts_with("dead")))
    {
        return HttpResponse::BadRequest().json(
            json!({"error": {"code": 1011, "message": "cannot find user by this audience"}}),
        );
    }
    let scripted = fake.script.lock().unwrap().pop_front();
    match scripted {
        Some((status, body)) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(body)
        }
        None => HttpResponse::Ok().json(json!({"sendno": "0", "msg_id": "54043195528476224"})),
    }
}

async fn start_fake() -> (String, Arc<JPushFake>) {
    let fake = Arc::new(JPushFake::default());
    let data = web::Data::new(fake.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/v3/push", web::post().to(push))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
    tokio::spawn(server.run());
    (url, fake)
}

async fn app_with_jpush(backend: Backend) -> Option<(TestApp, Arc<JPushFake>)> {
    let (url, fake) = start_fake().await;
    let app = spawn_app_configured(
        backend,
        |_| {},
        move |s| {
            s.worker.push_provider = "jpush".into();
            s.worker.jpush_app_key = Some("app-key".into());
            s.worker.jpush_master_secret = Some(entity::secret::Secret::new("master-secret"));
            s.worker.jpush_base_url = Some(url.clone());
        },
    )
    .await?;
    Some((app, fake))
}

async fn register(app: &TestApp, token: &str, device_token: &str) -> reqwest::Response {
    app.post_as(
        token,
        "/api/v1/me/devices",
        &json!({"platform": "android", "provider": "jpush", "token": device_token}),
    )
    .await
}

async fn broadcast(app: &TestApp, w: &World, urgent: bool) {
    let r = app
        .post_as(&w.staff_a, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &json!({
            "title": "就业培训报名", "body": "电工培训下周开班。", "audience": {"group_ids": [w.group_1]}, "urgent": urgent
        }))
        .await;
    assert_eq!(r.status(), 202);
}

async fn no_quiet_hours(app: &TestApp, token: &str) {
    let r = app
        .send_as(
            reqwest::Method::PUT,
            token,
            "/api/v1/me/notification-preferences",
            &json!({
                "push": true, "sms": true, "quiet_hours": null, "urgent_bypasses_quiet_hours": true
            }),
        )
        .await;
    assert_eq!(r.status(), 200);
}

async fn deliveries(app: &TestApp, channel: &str, state: &str) -> u64 {
    delivery::Entity::find()
        .filter(delivery::Column::Channel.eq(channel))
        .filter(delivery::Column::State.eq(state))
        .count(app.db.conn())
        .await
        .unwrap()
}

macro_rules! jpush_test {
    ($name:ident, |$app:ident, $fake:ident| $body:block) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some(($app, $fake)) = app_with_jpush(Backend::Sqlite).await else {
                    return;
                };
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(($app, $fake)) = app_with_jpush(Backend::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}

jpush_test!(
    push_goes_to_devices_and_sms_to_residents_without_the_app,
    |app, fake| {
        let w = World::build(&app).await;
        assert_eq!(register(&app, &w.resident_1, "tok-r1").await.status(), 201);
        no_quiet_hours(&app, &w.resident_1).await;
        no_quiet_hours(&app, &w.leader).await;
        broadcast(&app, &w, false).await;
        eventually("the push", 15, || async {
            deliveries(&app, "push", "sent").await == 1
        })
        .await;
        eventually("the SMS to the leader (no app)", 15, || async {
            deliveries(&app, "sms", "sent").await == 1
        })
        .await;
        let requests = fake.requests.lock().unwrap().clone();
        assert_eq!(requests.len(), 1);
        let body = &requests[0].1;
        assert_eq!(body["audience"]["registration_id"], json!(["tok-r1"]));
        assert_eq!(body["notification"]["android"]["title"], "就业培训报名");
        assert_eq!(body["platform"], "all");
    }
);

jpush_test!(
    quiet_hours_hold_push_but_not_the_inbox_and_urgent_bypasses,
    |app, fake| {
        let w = World::build(&app).await;
        assert_eq!(register(&app, &w.resident_1, "tok-r1").await.status(), 201);
        let r = app.send_as(reqwest::Method::PUT, &w.resident_1, "/api/v1/me/notification-preferences", &json!({
        "push": true, "sms": false, "quiet_hours": {"start": "00:00", "end": "23:59"}, "urgent_bypasses_quiet_hours": true
    })).await;
        assert_eq!(r.status(), 200);
        broadcast(&app, &w, false).await;
        eventually("the inbox row", 15, || async {
            let page: Value = app
                .get_as(&w.resident_1, "/api/v1/me/notifications")
                .await
                .json()
                .await
                .unwrap();
            page["items"].as_array().unwrap().len() == 1
        })
        .await;
        eventually("the planned push", 15, || async {
            deliveries(&app, "push", "pending").await == 1
        })
        .await;
        let held = delivery::Entity::find()
            .filter(delivery::Column::Channel.eq("push"))
            .one(app.db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(
            held.not_before > chrono::Utc::now(),
            "held until the quiet hours end"
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(
            fake.requests.lock().unwrap().is_empty(),
            "nothing pushed during quiet hours"
        );
        broadcast(&app, &w, true).await;
        eventually("the urgent push", 15, || async {
            deliveries(&app, "push", "sent").await == 1
        })
        .await;
        assert_eq!(fake.requests.lock().unwrap().len(), 1);
    }
);

jpush_test!(
    provider_errors_are_retried_and_dead_tokens_removed,
    |app, fake| {
        let w = World::build(&app).await;
        assert_eq!(register(&app, &w.resident_1, "tok-r1").await.status(), 201);
        no_quiet_hours(&app, &w.resident_1).await;
        // Two server errors, then success: the same claim retries.
        fake.script
            .lock()
            .unwrap()
            .extend([(503, json!({})), (500, json!({}))]);
        broadcast(&app, &w, false).await;
        eventually("the push after retries", 15, || async {
            deliveries(&app, "push", "sent").await == 1
        })
        .await;
        assert_eq!(fake.requests.lock().unwrap().len(), 3);
        // A notice whose only device JPush no longer knows (code 1011): the device is forgotten.
        assert_eq!(
            register(&app, &w.resident_2, "dead-token").await.status(),
            201
        );
        no_quiet_hours(&app, &w.resident_2).await;
        let r = app
            .post_as(
                &w.staff_a,
                &format!("/api/v1/sites/{}/broadcasts", w.site_a),
                &json!({
                    "title": "通知", "body": "内容", "audience": {"group_ids": [w.group_2]}
                }),
            )
            .await;
        assert_eq!(r.status(), 202);
        eventually("the dead token's failure", 15, || async {
            deliveries(&app, "push", "failed").await == 1
        })
        .await;
        let remaining = device::Entity::find()
            .filter(device::Column::Token.eq("dead-token"))
            .count(app.db.conn())
            .await
            .unwrap();
        assert_eq!(remaining, 0, "the invalid device is forgotten");
    }
);

jpush_test!(preferences_and_caps_limit_what_is_sent, |app, _fake| {
    let w = World::build(&app).await;
    // R1 turns broadcasts off: no delivery at all (the inbox still has it).
    let r = app.send_as(reqwest::Method::PUT, &w.resident_1, "/api/v1/me/notification-preferences", &json!({
        "categories": {"broadcast": false}, "push": true, "sms": true, "quiet_hours": null, "urgent_bypasses_quiet_hours": true
    })).await;
    assert_eq!(r.status(), 200);
    let prefs: Value = app
        .get_as(&w.resident_1, "/api/v1/me/notification-preferences")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["categories"]["broadcast"], false);
    let bad = app.send_as(reqwest::Method::PUT, &w.resident_1, "/api/v1/me/notification-preferences", &json!({
        "push": true, "sms": true, "quiet_hours": {"start": "25:00", "end": "07:00"}, "urgent_bypasses_quiet_hours": true
    })).await;
    problem(bad, 422, "validation_failed").await;
    no_quiet_hours(&app, &w.leader).await;
    // Six notices in a day: the leader (no app) gets at most five SMS.
    for _ in 0..6 {
        broadcast(&app, &w, false).await;
    }
    eventually("the planning of six notices", 15, || async {
        let planned = delivery::Entity::find().count(app.db.conn()).await.unwrap();
        let inbox = entity::notify::notification::Entity::find()
            .count(app.db.conn())
            .await
            .unwrap();
        inbox == 12 && planned >= 5
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sms = delivery::Entity::find()
        .filter(delivery::Column::Channel.eq("sms"))
        .count(app.db.conn())
        .await
        .unwrap();
    assert_eq!(sms, 5, "daily SMS cap");
    let to_r1 = delivery::Entity::find()
        .filter(delivery::Column::ResidentId.eq(w.resident_1_id.parse::<uuid::Uuid>().unwrap()))
        .count(app.db.conn())
        .await
        .unwrap();
    assert_eq!(to_r1, 0);
});

jpush_test!(
    a_device_token_is_registered_once_and_moves_with_its_owner,
    |app, _fake| {
        let w = World::build(&app).await;
        assert_eq!(
            register(&app, &w.resident_1, "shared-phone").await.status(),
            201
        );
        assert_eq!(
            register(&app, &w.resident_1, "shared-phone").await.status(),
            201
        );
        assert_eq!(
            register(&app, &w.resident_2, "shared-phone").await.status(),
            201
        );
        let rows = device::Entity::find()
            .filter(device::Column::Token.eq("shared-phone"))
            .all(app.db.conn())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].resident_id.to_string(), w.resident_2_id);
        problem(register(&app, &w.staff_a, "x").await, 403, "forbidden").await;
        let bad = app
            .post_as(
                &w.resident_1,
                "/api/v1/me/devices",
                &json!({"platform": "symbian", "provider": "jpush", "token": "t"}),
            )
            .await;
        problem(bad, 422, "validation_failed").await;
    }
);

/// Registers a device of `provider` for the resident with `token`.
async fn register_with(
    app: &TestApp,
    token: &str,
    provider: &str,
    device_token: &str,
) -> reqwest::Response {
    app.post_as(
        token,
        "/api/v1/me/devices",
        &json!({"platform": "android", "provider": provider, "token": device_token}),
    )
    .await
}

jpush_test!(
    a_device_of_a_provider_no_service_reaches_is_refused,
    |app, _fake| {
        let w = World::build(&app).await;
        for provider in ["getui", "huawei", "xiaomi", "apns", "fcm"] {
            let body = problem(
                register_with(&app, &w.resident_1, provider, "cid-0f3a9b").await,
                422,
                "push_provider_unavailable",
            )
            .await;
            let detail = body["detail"].as_str().unwrap();
            assert!(
                detail.contains(provider) && detail.contains("jpush"),
                "{body}"
            );
        }
        assert_eq!(
            device::Entity::find().count(app.db.conn()).await.unwrap(),
            0
        );
        assert_eq!(
            register_with(&app, &w.resident_1, "jpush", "1a0018970a1")
                .await
                .status(),
            201
        );
    }
);

crate::both_backends! {
    async fn in_development_every_provider_is_accepted_and_logged(app) {
        let w = World::build(&app).await;
        for (provider, device_token) in [("huawei", "IQAAAACy0k"), ("getui", "8d2f9c1b7e3a"), ("jpush", "1a0018970a2")] {
            assert_eq!(
                register_with(&app, &w.resident_1, provider, device_token).await.status(),
                201,
                "{provider}"
            );
        }
    }
}
