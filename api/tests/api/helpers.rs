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
    /// The stand-in for Aliyun's SMS API the server sends codes and notices through.
    pub sms: crate::sms::SmsFake,
    _guard: DbGuard,
}

enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
        _dir: tempfile::TempDir,
    },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async context: drop the database from a thread of its own.
            on_own_thread(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        }
    }
}

/// Runs `cleanup` to the end on a thread and runtime of its own (`Drop` runs outside async
/// context, and may run inside a runtime that must not block).
fn on_own_thread(cleanup: impl std::future::Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(cleanup);
    })
    .join();
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
        connects(move || async move { Database::connect(&url).await })
    })
}

/// Whether `connect` succeeds within five seconds, tried on a thread and runtime of its own (the
/// caller may be inside a runtime already).
fn connects<F, Fut, T, E>(connect: F) -> bool
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, E>> + 'static,
    T: 'static,
    E: 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(5), connect())
                .await
                .is_ok_and(|c| c.is_ok())
        })
    })
    .join()
    .unwrap_or(false)
}

/// Says that `service` is unreachable at `url`, so that the `tests` are skipped; panics instead
/// when the services are required (`ANJU_REQUIRE_SERVICES=1`).
fn skipping(service: &str, url: &str, tests: &str) {
    let message = format!("{service} is unreachable at {url}: {tests} tests are SKIPPED");
    if services_required() {
        panic!("{message}, but ANJU_REQUIRE_SERVICES=1");
    }
    eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
}

/// The signing secret every test server uses, so tests can forge tokens with it.
pub const TEST_JWT_SECRET: [u8; 32] = [42u8; 32];
/// Its key id.
pub const TEST_JWT_KID: &str = "test-key";
/// Phone and password of the bootstrap platform administrator.
pub const ADMIN_PHONE: &str = "13900000001";
/// The bootstrap administrator's password.
pub const ADMIN_PASSWORD: &str = "admin-pass-2026";

/// Everything every test server logged (at debug level), for tests that check what must never
/// be logged. With `TEST_LOG` set, logs go to stdout instead.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        use tracing_subscriber::{EnvFilter, fmt, prelude::*};
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber::registry()
                .with(EnvFilter::new("debug"))
                .with(fmt::layer())
                .try_init();
        } else {
            let _ = tracing_subscriber::registry()
                .with(EnvFilter::new("debug"))
                .with(fmt::layer().with_ansi(false).with_writer(|| Capture))
                .try_init();
        }
    });
}

/// Test settings: port 0, two HTTP workers, a known signing key, a bootstrap administrator,
/// keys in `data_dir`.
pub fn test_settings(data_dir: &std::path::Path) -> Settings {
    use base64::Engine;
    init_logs();
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".into();
    settings.http_workers = Some(2);
    settings.shutdown_timeout_secs = 1;
    settings.worker.db_max_connections = 8;
    settings.worker.data_dir = data_dir.to_path_buf();
    settings.jwt_keys = Some(entity::secret::Secret::new(format!(
        "{TEST_JWT_KID}:{}",
        base64::engine::general_purpose::STANDARD.encode(TEST_JWT_SECRET)
    )));
    settings.bootstrap_admin_phone = Some(ADMIN_PHONE.into());
    settings.bootstrap_admin_password = Some(entity::secret::Secret::new(ADMIN_PASSWORD));
    // Test receivers listen on 127.0.0.1 over plain HTTP (the egress test turns these off).
    settings.worker.webhook_allow_http = true;
    settings.worker.webhook_allow_private_networks = true;
    settings
}

/// Points `settings` at the SMS stand-in at `url`.
pub fn use_sms_fake(settings: &mut Settings, url: &str) {
    use crate::sms::*;
    settings.worker.sms_provider = "aliyun".into();
    settings.worker.aliyun_access_key_id = Some(ACCESS_KEY_ID.into());
    settings.worker.aliyun_access_key_secret = Some(entity::secret::Secret::new(ACCESS_KEY_SECRET));
    settings.worker.aliyun_sms_sign_name = Some(SIGN_NAME.into());
    settings.worker.aliyun_sms_template = Some(NOTICE_TEMPLATE.into());
    settings.worker.aliyun_sms_code_template = Some(CODE_TEMPLATE.into());
    settings.worker.aliyun_base_url = Some(url.into());
    settings.worker.aliyun_voice_tts_code = Some(TTS_TEMPLATE.into());
    settings.worker.aliyun_voice_base_url = Some(url.into());
}

/// The RabbitMQ the broker tests use.
pub fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// Whether RabbitMQ answers (checked once per test binary); says so loudly when it does not.
pub fn rabbitmq_available() -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    let reachable = *REACHABLE.get_or_init(|| {
        let url = amqp_url();
        connects(move || async move {
            lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await
        })
    });
    if !reachable {
        skipping("RabbitMQ", &amqp_url(), "broker");
    }
    reachable
}

/// Starts the app on `backend` in production mode: events go through RabbitMQ under a namespace
/// of its own (deleted when the returned guard drops), and the caller starts workers.
pub async fn spawn_app_with_broker(
    backend: Backend,
    delivery_limit: i64,
) -> Option<(TestApp, worker::rabbit::RabbitSettings, BrokerGuard)> {
    if !rabbitmq_available() {
        return None;
    }
    let rabbit = worker::rabbit::RabbitSettings {
        url: amqp_url(),
        namespace: format!("anju-test-{}", uuid::Uuid::new_v4().simple()),
        prefetch: 16,
        delivery_limit,
    };
    let guard = BrokerGuard(rabbit.clone());
    let settings_rabbit = rabbit.clone();
    let app = spawn_app_configured(
        backend,
        |_| {},
        move |s| {
            s.worker.amqp_url = Some(entity::secret::Secret::new(settings_rabbit.url.clone()));
            s.worker.amqp_namespace = settings_rabbit.namespace.clone();
            s.worker.amqp_delivery_limit = settings_rabbit.delivery_limit;
            s.worker.amqp_prefetch = settings_rabbit.prefetch;
        },
    )
    .await?;
    Some((app, rabbit, guard))
}

/// Deletes a test namespace's exchanges and queues.
pub struct BrokerGuard(pub worker::rabbit::RabbitSettings);

impl Drop for BrokerGuard {
    fn drop(&mut self) {
        let settings = self.0.clone();
        on_own_thread(async move {
            use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
            let Ok(conn) =
                lapin::Connection::connect(&settings.url, lapin::ConnectionProperties::default())
                    .await
            else {
                return;
            };
            let Ok(ch) = conn.create_channel().await else {
                return;
            };
            for h in worker::handlers::ALL {
                let _ = ch
                    .queue_delete(
                        settings.queue(h.group).into(),
                        QueueDeleteOptions::default(),
                    )
                    .await;
                let _ = ch
                    .queue_delete(
                        settings.dead_queue(h.group).into(),
                        QueueDeleteOptions::default(),
                    )
                    .await;
            }
            for ex in [
                format!("{}.events", settings.namespace),
                format!("{}.dead", settings.namespace),
            ] {
                let _ = ch
                    .exchange_delete(ex.into(), ExchangeDeleteOptions::default())
                    .await;
            }
            let _ = conn.close(200, "bye".into()).await;
        });
    }
}

/// Starts the app on `backend` with `extra_routes` mounted beside the API's own, or returns
/// `None` (after saying so) when that backend's service is unreachable and not required.
pub async fn spawn_app_with<F>(backend: Backend, extra_routes: F) -> Option<TestApp>
where
    F: Fn(&mut ServiceConfig) + Clone + Send + 'static,
{
    spawn_app_configured(backend, extra_routes, |_| {}).await
}

/// Like [`spawn_app_with`], with a last say over the settings.
pub async fn spawn_app_configured<F>(
    backend: Backend,
    extra_routes: F,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp>
where
    F: Fn(&mut ServiceConfig) + Clone + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let sms = crate::sms::SmsFake::start().await;
    let mut settings = test_settings(dir.path());
    use_sms_fake(&mut settings, &sms.url);
    configure(&mut settings);
    let (db, guard) = match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("anju.db").display());
            let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
            (db, DbGuard::Sqlite(dir))
        }
        Backend::Postgres => {
            let (url, admin_url, name) = fresh_postgres().await?;
            let db = Db::connect(
                &url,
                &DbOptions {
                    max_connections: 8,
                    ..DbOptions::default()
                },
            )
            .await
            .unwrap();
            (
                db,
                DbGuard::Postgres {
                    admin_url,
                    name,
                    _dir: dir,
                },
            )
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
        sms,
        _guard: guard,
    })
}

/// Another api replica on `app`'s database and data directory (so its keys), configured by
/// `configure` over the test settings; returns its address.
pub async fn spawn_replica(app: &TestApp, configure: impl FnOnce(&mut Settings)) -> String {
    let mut settings = test_settings(app.data_dir());
    use_sms_fake(&mut settings, &app.sms.url);
    configure(&mut settings);
    let replica = Application::build_with_routes(settings, app.db.clone(), |_| {})
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", replica.port());
    tokio::spawn(replica.run_until_stopped());
    address
}

/// Starts the app on SQLite in production mode (a broker configured) with a broker that never
/// answers (port 1).
pub async fn spawn_app_with_unreachable_broker() -> Option<TestApp> {
    spawn_app_configured(
        Backend::Sqlite,
        |_| {},
        |s| {
            s.worker.amqp_url = Some(entity::secret::Secret::new(
                "amqp://guest:guest@127.0.0.1:1/%2f",
            ));
        },
    )
    .await
}

/// A freshly created PostgreSQL database: its URL, the admin URL and its name (drop it with a
/// [`PostgresGuard`]); `None` (after saying so) when PostgreSQL is unreachable and not required.
pub async fn fresh_postgres() -> Option<(String, String, String)> {
    if !postgres_reachable() {
        skipping("PostgreSQL", &pg_admin_url(), "PostgreSQL");
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
    Some((replace_database(&admin_url, &name), admin_url, name))
}

/// Drops a database made by [`fresh_postgres`] when it goes out of scope.
pub struct PostgresGuard {
    _guard: DbGuard,
}

impl PostgresGuard {
    pub fn new(admin_url: String, name: String) -> Self {
        Self {
            _guard: DbGuard::Postgres {
                admin_url,
                name,
                _dir: tempfile::tempdir().unwrap(),
            },
        }
    }
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
    /// The server's data directory (keys, the SQLite file, the object store).
    pub fn data_dir(&self) -> &std::path::Path {
        match &self._guard {
            DbGuard::Sqlite(dir) | DbGuard::Postgres { _dir: dir, .. } => dir.path(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A request with a JSON body and a bearer token.
    pub async fn send_as(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// POST with a JSON body and a bearer token.
    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.send_as(reqwest::Method::POST, token, path, body).await
    }

    /// Logs in; returns the token response.
    pub async fn login(&self, phone: &str, password: &str) -> serde_json::Value {
        let body = serde_json::json!({"phone": phone, "password": password});
        self.posted("/api/v1/auth/login", &body, 200)
            .await
            .json()
            .await
            .unwrap()
    }

    /// Posts `body` to `path` and checks the answer's status.
    async fn posted(&self, path: &str, body: &serde_json::Value, status: u16) -> reqwest::Response {
        let response = self.post_json(path, body).await;
        assert_eq!(response.status(), status, "POST {path} {body}");
        response
    }

    /// The bootstrap administrator's access token.
    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_PHONE, ADMIN_PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Asks for a one-time code for `phone` and returns it as the SMS carried it.
    pub async fn sms_code(&self, phone: &str, purpose: &str) -> String {
        let codes_to = |sms: &crate::sms::SmsFake| {
            sms.sent()
                .iter()
                .filter(|s| s.phone == phone && s.template == crate::sms::CODE_TEMPLATE)
                .count()
        };
        let before = codes_to(&self.sms);
        let body = serde_json::json!({"phone": phone, "purpose": purpose});
        self.posted("/api/v1/auth/sms-codes", &body, 202).await;
        assert_eq!(codes_to(&self.sms), before + 1, "one SMS with a code");
        self.sms.last_code(phone).expect("an SMS with the code")
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

/// Polls `check` every 100 ms until it holds, for at most `seconds` (background work such as the
/// relay, scheduler and dispatcher finishes asynchronously).
pub async fn eventually<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..seconds * 10 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}
