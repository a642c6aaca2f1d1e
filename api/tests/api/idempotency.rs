use entity::platform::{idempotency_key, outbox};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use crate::{both_backends, fixture, helpers::*};

async fn post_with_key(app: &TestApp, key: &str, body: &serde_json::Value) -> reqwest::Response {
    app.client
        .post(app.url("/test/widgets"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn widgets(app: &TestApp) -> u64 {
    outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("test.widget"))
        .count(app.db.conn())
        .await
        .unwrap()
}

fn body(name: &str) -> serde_json::Value {
    json!({"name": name, "size": 1, "dims": {"width": 1}})
}

/// Makes every stored key a second past its expiry.
async fn expire_every_key(app: &TestApp) {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(app.db.writer())
        .await
        .unwrap();
}

both_backends! {
    routes = fixture::routes;

    async fn the_same_key_and_body_replays_the_first_response(app) {
        let first = post_with_key(&app, "key-1", &body("a")).await;
        assert_eq!(first.status(), 201);
        assert!(!first.headers().contains_key("idempotent-replayed"));
        let first: serde_json::Value = first.json().await.unwrap();
        let second = post_with_key(&app, "key-1", &body("a")).await;
        assert_eq!(second.status(), 201);
        assert_eq!(second.headers()["idempotent-replayed"], "true");
        assert_eq!(second.json::<serde_json::Value>().await.unwrap(), first);
        assert_eq!(widgets(&app).await, 1);
        // Without a key, every request runs.
        app.post_json("/test/widgets", &body("a")).await;
        assert_eq!(widgets(&app).await, 2);
    }

    async fn the_same_key_with_another_body_is_422(app) {
        assert_eq!(post_with_key(&app, "key-2", &body("a")).await.status(), 201);
        problem(post_with_key(&app, "key-2", &body("b")).await, 422, "idempotency_key_reused").await;
        assert_eq!(widgets(&app).await, 1);
    }

    async fn concurrent_requests_with_one_key_run_once(app) {
        let slow = app
            .client
            .post(app.url("/test/widgets"))
            .header("idempotency-key", "key-3")
            .header("x-test-slow", "1")
            .json(&body("a"))
            .send();
        let (first, second) = tokio::join!(slow, async {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            post_with_key(&app, "key-3", &body("a")).await
        });
        assert_eq!(first.unwrap().status(), 201);
        problem(second, 409, "idempotency_key_in_use").await;
        assert_eq!(widgets(&app).await, 1);
        // Once the first finished, the key replays.
        let third = post_with_key(&app, "key-3", &body("a")).await;
        assert_eq!(third.headers()["idempotent-replayed"], "true");
    }

    async fn a_key_abandoned_by_a_dead_request_can_be_taken_over(app) {
        assert_eq!(post_with_key(&app, "key-4", &body("a")).await.status(), 201);
        // Make the row look like a request that died before committing: in progress, lease over.
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::State, Expr::value("in_progress"))
            .col_expr(
                idempotency_key::Column::LockedUntil,
                Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
            )
            .exec(app.db.writer())
            .await
            .unwrap();
        let retry = post_with_key(&app, "key-4", &body("a")).await;
        assert_eq!(retry.status(), 201);
        assert!(!retry.headers().contains_key("idempotent-replayed"));
    }

    async fn expired_keys_are_forgotten(app) {
        assert_eq!(post_with_key(&app, "key-5", &body("a")).await.status(), 201);
        expire_every_key(&app).await;
        // A different body is no longer a conflict: the old key is gone.
        assert_eq!(post_with_key(&app, "key-5", &body("b")).await.status(), 201);
        assert_eq!(widgets(&app).await, 2);
        // And housekeeping removes expired keys.
        expire_every_key(&app).await;
        let report = worker::housekeeping::run_once(&app.db, &worker::settings::Settings::defaults().retention()).await.unwrap();
        assert_eq!(report.count("idempotency_key"), 1, "{report:?}");
    }

    async fn malformed_keys_are_400(app) {
        problem(post_with_key(&app, "", &body("a")).await, 400, "invalid_header").await;
        problem(post_with_key(&app, &"k".repeat(256), &body("a")).await, 400, "invalid_header").await;
        assert_eq!(widgets(&app).await, 0);
    }
}
