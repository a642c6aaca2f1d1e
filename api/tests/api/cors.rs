//! Cross-origin calls from a browser page on another origin (an H5 build of the app): allowed for
//! the configured origins only, none by default, and never refused for carrying an `Origin`.

use crate::helpers::*;

const H5: &str = "https://h5.xingxianli.example";

async fn app_with_origins(origins: &str) -> Option<TestApp> {
    let origins = api::cors::CorsOrigins::parse(origins).unwrap();
    spawn_app_configured(
        Backend::Sqlite,
        |_: &mut actix_web::web::ServiceConfig| {},
        move |s| {
            s.cors_origins = origins;
        },
    )
    .await
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, accept-language",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_origin_is_answered_and_others_are_not() {
    let Some(app) = app_with_origins(&format!("{H5}, http://127.0.0.1:5173")).await else {
        return;
    };
    let r = preflight(&app, H5).await;
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], H5);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type")
            && allowed.contains("authorization")
            && allowed.contains("idempotency-key")
    );
    assert_eq!(h["vary"], "Origin");

    // The real request from that page: readable, with the headers a download needs.
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", H5)
        .json(&serde_json::json!({"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], H5);
    assert!(
        r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("Content-Disposition")
    );

    // Another origin: no CORS headers (the browser keeps the answer from the page), and its
    // preflight is not answered.
    let r = preflight(&app, "https://evil.example").await;
    assert_ne!(r.status(), 204);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "an Origin is never a reason to refuse");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["vary"], "Origin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_origin_is_allowed_by_default() {
    let Some(app) =
        spawn_app_with(Backend::Sqlite, |_: &mut actix_web::web::ServiceConfig| {}).await
    else {
        return;
    };
    let r = preflight(&app, H5).await;
    assert_ne!(r.status(), 204);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("origin", H5)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
