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

/// The series in a metrics text.
fn series(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .count()
}

both_backends! {
    async fn random_methods_and_paths_add_no_series(app) {
        let send = |method: String, path: String| {
            let request = app.client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(&path));
            async move { request.send().await.unwrap().status().as_u16() }
        };
        // One of each kind first, so the bounded series exist.
        assert!(send("FROB0".into(), "/x0".into()).await < 500);
        assert!(send("GET".into(), "/y0".into()).await < 500);
        app.get("/metrics").await;
        let before = series(&app.get("/metrics").await.text().await.unwrap());
        for i in 1..=1000u32 {
            let status = send(format!("M{i:x}Q"), format!("/random/{i}")).await;
            assert!(status < 500);
        }
        let text = app.get("/metrics").await.text().await.unwrap();
        assert_eq!(series(&text), before, "random methods grew the metrics");
        assert!(text.contains(r#"method="other",route="unmatched""#), "{text}");
        assert!(!text.contains("M1Q"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_the_public_port_unless_configured() {
    // With a token: only bearers of it read the public /metrics.
    let Some(app) = spawn_app_configured(
        Backend::Sqlite,
        |_| {},
        |s| {
            s.metrics_token = Some(entity::secret::Secret::new("scraper-token-0123456789"));
        },
    )
    .await
    else {
        return;
    };
    problem(app.get("/metrics").await, 401, "unauthenticated").await;
    problem(
        app.get_as("wrong-token-0123456789ab", "/metrics").await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(
        app.get_as("scraper-token-0123456789", "/metrics")
            .await
            .status(),
        200
    );
    // On an internal listener of their own: the public port has none.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path());
    settings.metrics_listen = Some("127.0.0.1:0".into());
    let db = entity::Db::connect(
        &format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display()),
        &Default::default(),
    )
    .await
    .unwrap();
    use migration::MigratorTrait;
    migration::Migrator::up(db.writer(), None).await.unwrap();
    let server = api::Application::build_with_routes(settings, db, |_| {})
        .await
        .unwrap();
    let (port, internal) = (server.port(), server.metrics_port().unwrap());
    tokio::spawn(server.run_until_stopped());
    let client = reqwest::Client::new();
    let public = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    let private = client
        .get(format!("http://127.0.0.1:{internal}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), 200);
    assert!(
        private
            .text()
            .await
            .unwrap()
            .contains("anju_http_requests_total")
    );
    // Production mode (a broker configured) with neither: not on the public port.
    let Some(app) = spawn_app_with_unreachable_broker().await else {
        return;
    };
    problem(app.get("/metrics").await, 404, "route_not_found").await;
}
