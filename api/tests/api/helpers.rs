//! `spawn_app`: the real server on port 0 with its own fresh database.
//!
//! SQLite: a file in a temporary directory. PostgreSQL (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`): a database created for the test and dropped
//! afterwards. When PostgreSQL is unreachable its tests say so loudly and pass, unless
//! `ANJU_REQUIRE_SERVICES=1`, which makes that a failure.

use std::sync::OnceLock;

use actix_web::web::ServiceConfig;
use api::{Application, Settings};
use entity::{Db, db::DbOptions};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    _guard: DbGuard,
}

enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async context: drop the database from a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn services_required() -> bool {
    std::env::var("ANJU_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Whether PostgreSQL answers (checked once per test binary).
fn postgres_reachable() -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    *REACHABLE.get_or_init(|| {
        let url = pg_admin_url();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(5), Database::connect(&url))
                    .await
                    .is_ok_and(|c| c.is_ok())
            })
        })
        .join()
        .unwrap_or(false)
    })
}

/// Test settings: port 0, two HTTP workers, quiet logs unless `TEST_LOG` is set.
pub fn test_settings() -> Settings {
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".into();
    settings.http_workers = Some(2);
    settings.shutdown_timeout_secs = 1;
    settings.db_max_connections = 8;
    if std::env::var("TEST_LOG").is_ok() {
        settings.log_level = "debug".into();
        worker::telemetry::init(&settings);
    }
    settings
}

/// Starts the app on `backend` with `extra_routes` mounted beside the API's own, or returns
/// `None` (after saying so) when that backend's service is unreachable and not required.
pub async fn spawn_app_with<F>(backend: Backend, extra_routes: F) -> Option<TestApp>
where
    F: Fn(&mut ServiceConfig) + Clone + Send + 'static,
{
    let settings = test_settings();
    let (db, guard) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("anju.db").display());
            let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
            (db, DbGuard::Sqlite(dir))
        }
        Backend::Postgres => {
            if !postgres_reachable() {
                let message = format!(
                    "PostgreSQL is unreachable at {}: PostgreSQL tests are SKIPPED",
                    pg_admin_url()
                );
                if services_required() {
                    panic!("{message}, but ANJU_REQUIRE_SERVICES=1");
                }
                eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
                return None;
            }
            let admin_url = pg_admin_url();
            let name = format!("anju_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let url = replace_database(&admin_url, &name);
            let db = Db::connect(
                &url,
                &DbOptions {
                    max_connections: 8,
                    ..DbOptions::default()
                },
            )
            .await
            .unwrap();
            (db, DbGuard::Postgres { admin_url, name })
        }
    };
    Migrator::up(db.writer(), None).await.unwrap();
    let app = Application::build_with_routes(settings, db.clone(), extra_routes)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(TestApp {
        address,
        client,
        db,
        _guard: guard,
    })
}

/// `postgres://…/old?x` -> `postgres://…/new?x`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// Reads a problem+json response and checks its shape; returns the document.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "content type"
    );
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["type"].as_str().unwrap().ends_with(code), "{body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// Declares each test once and runs it on SQLite and on PostgreSQL:
/// `both_backends! { async fn name(app) { ... } }`, or with extra routes mounted:
/// `both_backends! { routes = fixture::routes; async fn name(app) { ... } }`.
#[macro_export]
macro_rules! both_backends {
    (routes = $routes:expr; $(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) = $crate::helpers::spawn_app_with($crate::helpers::Backend::Sqlite, $routes).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, $routes).await else { return };
                $body
            }
        }
    )*};
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $crate::both_backends! { routes = |_: &mut actix_web::web::ServiceConfig| {}; $(async fn $name($app) $body)* }
    };
}
