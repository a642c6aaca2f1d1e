use crate::{both_backends, helpers::*};

both_backends! {
    async fn healthz_answers_ok_with_a_request_id(app) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "generated ids are UUIDs: {id}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({"status": "ok"}));
    }

    async fn an_incoming_request_id_is_echoed(app) {
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "edge-proxy-42")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "edge-proxy-42");
        // A malformed one is replaced, not echoed.
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "x".repeat(300))
            .send()
            .await
            .unwrap();
        assert_ne!(response.headers()["x-request-id"].len(), 300);
    }

    async fn readyz_checks_the_database(app) {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], "up");
    }

    async fn readyz_reports_a_lost_database_as_503(app) {
        app.db.clone().close().await.unwrap();
        let response = app.get("/readyz").await;
        problem(response, 503, "service_unavailable").await;
    }

    async fn metrics_count_requests_by_route_and_status(app) {
        app.get("/healthz").await;
        app.get("/healthz").await;
        app.get("/no/such/route").await;
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = response.text().await.unwrap();
        assert!(
            text.contains(r#"anju_http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"anju_http_requests_total{method="GET",route="unmatched",status="404"} 1"#),
            "{text}"
        );
        assert!(text.contains("anju_http_request_duration_seconds_bucket{"), "{text}");
    }

    async fn docs_are_served_from_vendored_assets(app) {
        let response = app.get("/docs").await;
        assert_eq!(response.status(), 308);
        assert_eq!(response.headers()["location"], "/docs/");
        let response = app.get("/docs/").await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "{html}");
        assert!(!html.contains("https://"), "the page must not load anything from the internet");
        let css = app.get("/docs/swagger-ui.css").await;
        assert_eq!(css.status(), 200);
        let init = app.get("/docs/swagger-initializer.js").await;
        assert!(init.text().await.unwrap().contains("/api-docs/openapi.json"));
    }
}
