//! Bad input of every kind gets problem+json with the right 4xx, never actix's plain text, never a
//! 500.

use serde_json::json;

use crate::{both_backends, fixture, helpers::*};

fn valid() -> serde_json::Value {
    json!({"name": "loom", "size": 3, "dims": {"width": 2}})
}

async fn raw_post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

both_backends! {
    routes = fixture::routes;

    async fn a_valid_body_is_accepted(app) {
        let response = app.post_json("/test/widgets", &valid()).await;
        assert_eq!(response.status(), 201);
    }

    async fn malformed_json_is_400(app) {
        let response = raw_post(&app, "/test/widgets", "application/json", b"{\"name\": ".to_vec()).await;
        problem(response, 400, "malformed_body").await;
        let response = raw_post(&app, "/test/widgets", "application/json", Vec::new()).await;
        problem(response, 400, "malformed_body").await;
        let mut twice = serde_json::to_vec(&valid()).unwrap();
        twice.extend_from_slice(b" {}");
        let response = raw_post(&app, "/test/widgets", "application/json", twice).await;
        problem(response, 400, "malformed_body").await;
    }

    async fn wrong_types_are_422_naming_the_field(app) {
        let mut body = valid();
        body["dims"]["width"] = json!("wide");
        let p = problem(app.post_json("/test/widgets", &body).await, 422, "validation_failed").await;
        assert!(p["errors"]["dims.width"].is_string(), "{p}");
        let p = problem(app.post_json("/test/widgets", &json!([1, 2])).await, 422, "validation_failed").await;
        assert!(p["errors"].is_object(), "{p}");
    }

    async fn unknown_fields_are_422_naming_the_field(app) {
        let mut body = valid();
        body["colour"] = json!("red");
        let p = problem(app.post_json("/test/widgets", &body).await, 422, "validation_failed").await;
        assert!(p["errors"]["colour"].as_str().unwrap().contains("unknown field"), "{p}");
    }

    async fn missing_fields_are_422_naming_the_field(app) {
        let p = problem(
            app.post_json("/test/widgets", &json!({"name": "a", "size": 1, "dims": {}})).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(p["errors"]["dims.width"].as_str().unwrap().contains("missing field"), "{p}");
    }

    async fn domain_validation_is_422(app) {
        let mut body = valid();
        body["name"] = json!("  ");
        let p = problem(app.post_json("/test/widgets", &body).await, 422, "validation_failed").await;
        assert_eq!(p["errors"]["name"], "must not be empty");
    }

    async fn wrong_content_type_is_415(app) {
        let response = raw_post(&app, "/test/widgets", "text/plain", serde_json::to_vec(&valid()).unwrap()).await;
        problem(response, 415, "unsupported_media_type").await;
    }

    async fn bodies_over_the_limit_are_413(app) {
        let mut body = valid();
        body["name"] = json!("x".repeat(300 * 1024));
        problem(app.post_json("/test/widgets", &body).await, 413, "payload_too_large").await;
        // Just under the limit is fine (the limit is 256 KiB).
        body["name"] = json!("x".repeat(250 * 1024));
        assert_eq!(app.post_json("/test/widgets", &body).await.status(), 201);
    }

    async fn bad_query_strings_are_400_naming_the_parameter(app) {
        let p = problem(app.get("/test/widgets?min_size=big").await, 400, "invalid_query").await;
        assert!(p["errors"]["min_size"].is_string(), "{p}");
        let p = problem(app.get("/test/widgets?min_sise=1").await, 400, "invalid_query").await;
        assert!(p["errors"]["min_sise"].is_string(), "{p}");
        let p = problem(app.get("/test/widgets?limit=1000").await, 400, "invalid_query").await;
        assert!(p["errors"]["limit"].is_string(), "{p}");
        problem(app.get("/test/widgets?limit=-1").await, 400, "invalid_query").await;
    }

    async fn unknown_routes_are_404(app) {
        problem(app.get("/no/such/thing").await, 404, "route_not_found").await;
        problem(app.get("/api/v1/nothing-here").await, 404, "route_not_found").await;
    }

    async fn malformed_ids_in_paths_are_404(app) {
        problem(app.get("/test/widgets/not-a-uuid").await, 404, "not_found").await;
        problem(app.get(&format!("/test/widgets/{}", uuid::Uuid::now_v7())).await, 404, "not_found").await;
    }

    async fn wrong_methods_are_405(app) {
        let response = app.client.delete(app.url("/healthz")).send().await.unwrap();
        problem(response, 405, "method_not_allowed").await;
        let response = app.client.put(app.url("/test/widgets")).send().await.unwrap();
        problem(response, 405, "method_not_allowed").await;
    }

    async fn a_panicking_handler_is_a_500_problem_and_the_server_lives_on(app) {
        let response = app.get("/test/panic").await;
        assert_eq!(response.status(), 500);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "internal");
        assert!(!body["detail"].as_str().unwrap().contains("deliberate"), "causes are not sent");
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
