//! The deployment of `docker-compose.yml`, without Docker: the migration job, two api processes
//! and two workers, started as the compose file starts them (the real binaries, configured only
//! by the environment the compose file gives them, read from it here so the two cannot drift) on
//! PostgreSQL and RabbitMQ. Only network addresses and the photo store's location are replaced
//! (containers reach `postgres:5432`; these processes reach the machine's services).
//!
//! A resident's story crosses both replicas; a worker is killed in the middle of fan-outs and
//! started again, and nothing is lost or doubled; every `/readyz` tells the truth while the broker
//! is stopped and after it returns, and the worker's metrics show the outbox lag rising and
//! falling; one request id is found in the api's log, the outbox row, a worker's log and the
//! deliveries it caused.
//!
//! A test binary of its own: it stops the machine's RabbitMQ (cargo runs test binaries one after
//! another, so no other broker test is running).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, dead_code)]

#[path = "api/helpers.rs"]
mod helpers;
#[path = "api/sms.rs"]
mod sms;
#[path = "api/world.rs"]
mod world;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use base64::Engine;
use entity::{
    notify::{delivery, notification},
    platform::outbox,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

use helpers::*;

// ------------------------------------------------------------------------------- compose file

/// What an operator puts in `.env` (the variables the compose file requires).
fn dot_env() -> BTreeMap<&'static str, String> {
    let b64 = |seed: u8| base64::engine::general_purpose::STANDARD.encode([seed; 32]);
    BTreeMap::from([
        ("POSTGRES_PASSWORD", "pg-secret-of-this-site".to_owned()),
        ("RABBITMQ_PASSWORD", "mq-secret-of-this-site".to_owned()),
        ("MINIO_PASSWORD", "minio-secret-of-this-site".to_owned()),
        ("ANJU_JWT_KEYS", format!("2026-12:{}", b64(21))),
        ("ANJU_PII_KEY", b64(22)),
        // All digits, as the bootstrap phone always is: it must stay a string.
        ("ANJU_BOOTSTRAP_ADMIN_PHONE", "13800000000".to_owned()),
        (
            "ANJU_BOOTSTRAP_ADMIN_PASSWORD",
            "20261202".to_owned() + "-lushi",
        ),
    ])
}

/// `${NAME}`, `${NAME:-default}`, `${NAME:?message}` and `$$`, as compose reads them.
fn interpolate(text: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("$$") {
            out.push('$');
            rest = after;
            continue;
        }
        let Some(body) = rest.strip_prefix("${") else {
            panic!("unsupported interpolation in {text}");
        };
        let end = body.find('}').expect("a closing brace");
        let expression = &body[..end];
        rest = &body[end + 1..];
        let (name, value) = if let Some((name, default)) = expression.split_once(":-") {
            (
                name,
                vars.get(name)
                    .cloned()
                    .unwrap_or_else(|| default.to_owned()),
            )
        } else if let Some((name, message)) = expression.split_once(":?") {
            let value = vars.get(name).cloned();
            (
                name,
                value.unwrap_or_else(|| panic!("compose refuses to start: {message}")),
            )
        } else {
            (
                expression,
                vars.get(expression).cloned().unwrap_or_default(),
            )
        };
        let _ = name;
        out.push_str(&value);
    }
    out.push_str(rest);
    out
}

/// The environment the compose file gives `service`, interpolated with `.env`.
fn compose_env(compose: &Yaml, service: &str) -> BTreeMap<String, String> {
    let vars = dot_env();
    let environment = &compose["services"][service]["environment"];
    let mut env = BTreeMap::new();
    let mut add = |mapping: &Yaml| {
        for (key, value) in mapping.as_hash().expect("an environment mapping") {
            let key = key.as_str().unwrap();
            if key == "<<" {
                continue;
            }
            let value = match value {
                Yaml::String(s) => s.clone(),
                Yaml::Integer(i) => i.to_string(),
                Yaml::Boolean(b) => b.to_string(),
                other => panic!("{key}: unexpected {other:?}"),
            };
            env.insert(key.to_owned(), interpolate(&value, &vars));
        }
    };
    // `<<: *anju-env` merges the shared block first; the service's own keys win.
    if let Some(base) = environment
        .as_hash()
        .and_then(|h| h.get(&Yaml::String("<<".into())))
    {
        add(base);
    }
    add(environment);
    env
}

fn load_compose() -> Yaml {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docker-compose.yml"),
    )
    .unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// The settings these processes replace, and only these: where the database, the broker, the
/// listeners and the photo store are, from this machine's point of view.
const MACHINE_SPECIFIC: &[&str] = &[
    "ANJU_DATABASE_URL",
    "ANJU_AMQP_URL",
    "ANJU_LISTEN",
    "ANJU_METRICS_LISTEN",
    "ANJU_WORKER_LISTEN",
    "ANJU_OBJECT_STORE_URL",
    "ANJU_OBJECT_STORE_OPTIONS",
];

// ------------------------------------------------------------------------------- processes

/// A process of the deployment; killed when dropped. Its stdout and stderr go to files.
struct Process {
    name: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    fn output(&self) -> String {
        let out = std::fs::read_to_string(&self.stdout).unwrap_or_default();
        let err = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        out + &err
    }

    /// The first stdout line starting with `prefix`, once it appears.
    fn wait_for_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&self.stdout).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.starts_with(prefix)) {
                return line[prefix.len()..].to_owned();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before saying `{prefix}`:\n{}",
                    self.name,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} never said `{prefix}`:\n{}",
                self.name,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A binary of the workspace (`target/<profile>/<name>`), the workspace's binaries built once per run:
/// a no-op when CI built them before the tests (`cargo build --workspace --bins`, the same features).
fn binary(name: &str) -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-q", "--workspace", "--bins"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the workspace's binaries");
    });
    let api = PathBuf::from(env!("CARGO_BIN_EXE_api"));
    api.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

struct Deployment {
    dir: tempfile::TempDir,
    env: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl Deployment {
    fn spawn(&self, service: &'static str, name: &str, args: &[&str]) -> Process {
        let env = &self.env[service];
        let bin = match service {
            "api" => binary("api"),
            "worker" => binary("worker"),
            _ => binary("migration"),
        };
        let home = self.dir.path().join(name);
        std::fs::create_dir_all(&home).unwrap();
        let stdout = home.join("stdout.log");
        let stderr = home.join("stderr.log");
        let child = Command::new(bin)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .env("ANJU_DATA_DIR", home.join("data"))
            .current_dir(&home)
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        Process {
            name: name.to_owned(),
            child,
            stdout,
            stderr,
        }
    }

    /// An api replica; returns it and its base URL.
    fn api(&self, name: &str) -> (Process, String) {
        let mut p = self.spawn("api", name, &[]);
        let url = p.wait_for_line("Anju is listening: ");
        (p, url.trim_end_matches("/docs").to_owned())
    }

    /// A worker; returns it and its status URL.
    fn worker(&self, name: &str) -> (Process, String) {
        let mut p = self.spawn("worker", name, &[]);
        let url = p.wait_for_line("Anju worker is running: status on ");
        (p, url)
    }
}

/// Starts the broker again however the test ends (other test binaries need it).
struct BrokerRestart;

impl Drop for BrokerRestart {
    fn drop(&mut self) {
        let _ = rabbitmqctl(&["start_app"]);
    }
}

fn rabbitmqctl(args: &[&str]) -> bool {
    Command::new("rabbitmqctl")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

// ------------------------------------------------------------------------------- HTTP

struct Client {
    http: reqwest::Client,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
        request_id: Option<&str>,
    ) -> (u16, Value) {
        let mut r = self.http.request(method, url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(b);
        }
        if let Some(id) = request_id {
            r = r.header("x-request-id", id);
        }
        let response = r.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
        let (status, value) = self
            .send(
                reqwest::Method::POST,
                &format!("{base}{path}"),
                token,
                Some(&body),
                None,
            )
            .await;
        assert!(
            (200..300).contains(&status),
            "POST {path}: {status} {value}"
        );
        value
    }

    async fn get(&self, base: &str, path: &str, token: &str) -> Value {
        let (status, value) = self
            .send(
                reqwest::Method::GET,
                &format!("{base}{path}"),
                Some(token),
                None,
                None,
            )
            .await;
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    /// The Prometheus text a metrics endpoint serves.
    async fn metrics(&self, url: &str) -> String {
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {url}");
        response.text().await.unwrap()
    }

    async fn ready(&self, url: &str) -> u16 {
        match self.http.get(format!("{url}/readyz")).send().await {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        }
    }

    async fn login(&self, base: &str, phone: &str, password: &str) -> String {
        let tokens = self
            .post(
                base,
                "/api/v1/auth/login",
                None,
                json!({"phone": phone, "password": password}),
            )
            .await;
        tokens["access_token"].as_str().unwrap().to_owned()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A gauge's value in a Prometheus text.
fn gauge(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn wait_until<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// ------------------------------------------------------------------------------- the test

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_compose_deployment_runs_as_separate_processes() {
    if !rabbitmq_available() {
        return;
    }
    let Some((db_url, admin_url, db_name)) = fresh_postgres().await else {
        return;
    };
    let _guard = PostgresGuard::new(admin_url, db_name);
    let namespace = format!("anju-prod-{}", uuid::Uuid::new_v4().simple());
    let started = Instant::now();
    let phase = |what: &str| {
        eprintln!(
            "production: {what} at {:.1} s",
            started.elapsed().as_secs_f64()
        )
    };

    // The environment of each service, from the compose file.
    let compose = load_compose();
    let dir = tempfile::tempdir().unwrap();
    let objects = dir.path().join("objects");
    std::fs::create_dir_all(&objects).unwrap();
    let mut envs = BTreeMap::new();
    for service in ["migration", "api", "worker"] {
        let mut env = compose_env(&compose, service);
        assert!(
            env.contains_key("ANJU_JWT_KEYS") && env.contains_key("ANJU_PII_KEY"),
            "{service}: {env:?}"
        );
        let before: Vec<String> = env.keys().cloned().collect();
        env.insert("ANJU_DATABASE_URL".into(), db_url.clone());
        env.insert("ANJU_AMQP_URL".into(), amqp_url());
        env.insert("ANJU_LISTEN".into(), "127.0.0.1:0".into());
        env.insert("ANJU_METRICS_LISTEN".into(), "127.0.0.1:0".into());
        env.insert("ANJU_WORKER_LISTEN".into(), "127.0.0.1:0".into());
        // A directory both replicas share stands in for the compose file's MinIO bucket.
        env.insert(
            "ANJU_OBJECT_STORE_URL".into(),
            format!("file://{}", objects.display()),
        );
        env.remove("ANJU_OBJECT_STORE_OPTIONS");
        // This machine's broker is shared with other tests.
        env.insert("ANJU_AMQP_NAMESPACE".into(), namespace.clone());
        for key in env.keys() {
            assert!(
                before.contains(key)
                    || MACHINE_SPECIFIC.contains(&key.as_str())
                    || key == "ANJU_AMQP_NAMESPACE",
                "{service}: {key} is not from the compose file"
            );
        }
        for key in &before {
            if !MACHINE_SPECIFIC.contains(&key.as_str()) {
                assert_eq!(
                    env[key],
                    compose_env(&compose, service)[key],
                    "{service}: {key} changed"
                );
            }
        }
        envs.insert(service, env);
    }
    assert_eq!(envs["api"]["ANJU_BOOTSTRAP_ADMIN_PHONE"], "13800000000");
    let deployment = Deployment { dir, env: envs };
    let _broker_guard = BrokerGuard(worker::rabbit::RabbitSettings {
        url: amqp_url(),
        namespace: namespace.clone(),
        prefetch: 16,
        delivery_limit: 5,
    });

    // 1. The migration job, then two api replicas and two workers.
    phase("starting");
    let mut migration = deployment.spawn("migration", "migration", &["up"]);
    let status = migration.child.wait().unwrap();
    assert!(status.success(), "migration up:\n{}", migration.output());
    let (mut api_a, a) = deployment.api("api-1");
    let api_metrics = api_a.wait_for_line("Anju metrics: ");
    let (api_b, b) = deployment.api("api-2");
    let (mut worker_1, w1) = deployment.worker("worker-1");
    let (worker_2, w2) = deployment.worker("worker-2");
    let client = Client {
        http: reqwest::Client::new(),
    };
    for url in [&a, &b, &w1, &w2] {
        wait_until("every process ready", 30, || async {
            client.ready(url).await == 200
        })
        .await;
    }

    // 2. A resident's story across the replicas: log in on one, act on the other.
    phase("story");
    let admin = client
        .login(
            &a,
            "13800000000",
            &dot_env()["ANJU_BOOTSTRAP_ADMIN_PASSWORD"],
        )
        .await;
    let site = id(&client
        .post(
            &b,
            "/api/v1/sites",
            Some(&admin),
            json!({"name": "兴贤里社区", "code": "xingxianli"}),
        )
        .await);
    client.post(&a, "/api/v1/accounts", Some(&admin), json!({"phone": "13900000010", "password": "service-centre-2026", "role": "staff", "site_id": site})).await;
    let staff = client.login(&b, "13900000010", "service-centre-2026").await;
    // Onboard 400 residents from the synthetic Xingxianli.
    let rows = entity::people::synthetic::generate(
        11,
        (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive(),
    );
    let csv = entity::people::synthetic::to_csv(&rows[..400]);
    let imported = client
        .http
        .post(format!("{a}/api/v1/sites/{site}/residents/import"))
        .bearer_auth(&staff)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200, "{}", imported.text().await.unwrap());
    let households = client.get(&b, "/api/v1/households?limit=1", &staff).await;
    let household = id(&households["items"][0]);
    let card = world::id_card(88, (1978, 8, 8), false);
    let resident = client.post(&b, "/api/v1/residents", Some(&staff), json!({"household_id": household, "name": "吴桂兰", "phone": "13700008888", "id_card_number": card.expose()})).await;
    let printed = client
        .post(
            &a,
            &format!("/api/v1/residents/{}/activation-code", id(&resident)),
            Some(&staff),
            json!({"reason": "老人无智能手机"}),
        )
        .await;
    let tokens = client.post(&b, "/api/v1/auth/activate", None, json!({"phone": "13700008888", "code": printed["code"], "password": "mountain-home-88"})).await;
    let wu = tokens["access_token"].as_str().unwrap().to_owned();
    let me = client.get(&a, "/api/v1/me", &wu).await;
    assert_eq!(me["resident"]["id"], resident["id"]);
    // An activity made on one replica, a sign-up on the other, seen on the first.
    let now = chrono::Utc::now();
    let activity = client.post(&a, "/api/v1/activities", Some(&staff), json!({
        "site_id": site, "title": "电商直播培训", "description": "学习开网店。", "kind": "training",
        "place": "社区党群服务中心三楼", "capacity": 30, "contact": "就业服务站",
        "starts_at": (now + chrono::Duration::days(2)).to_rfc3339(),
        "ends_at": (now + chrono::Duration::days(2) + chrono::Duration::hours(2)).to_rfc3339()
    })).await;
    client
        .post(
            &b,
            &format!("/api/v1/activities/{}/signups", id(&activity)),
            Some(&wu),
            json!({}),
        )
        .await;
    let mine = client.get(&a, "/api/v1/me/signups", &wu).await;
    assert_eq!(mine["items"][0]["activity_id"], activity["id"]);
    // A photo stored through one replica is served by the other (one shared store).
    let jpeg: Vec<u8> = {
        let mut b = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        ];
        b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 1, 2, 3, 0xFF, 0xD9]);
        b
    };
    let boundary = "anju-prod-boundary";
    let mut form = format!("--{boundary}\r\ncontent-disposition: form-data; name=\"claim\"\r\ncontent-type: application/json\r\n\r\n{}\r\n--{boundary}\r\ncontent-disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n", json!({"category": "environment", "description": "清理楼道"})).into_bytes();
    form.extend_from_slice(&jpeg);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let claim = client
        .http
        .post(format!("{a}/api/v1/points/claims"))
        .bearer_auth(&wu)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(claim.status(), 201);
    let claim: Value = claim.json().await.unwrap();
    let photo = client
        .http
        .get(format!(
            "{b}{}",
            claim["photos"][0]["href"].as_str().unwrap()
        ))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.bytes().await.unwrap().as_ref(), jpeg.as_slice());

    // 3. Fan-outs with a worker killed in the middle and started again.
    phase("fan-outs");
    let db = entity::Db::connect(&db_url, &Default::default())
        .await
        .unwrap();
    let residents = 401;
    let mut events = Vec::new();
    // Four (the urgent one below is the fifth: the daily SMS cap per phone).
    for i in 0..4 {
        let base = if i % 2 == 0 { &a } else { &b };
        let accepted = client
            .post(
                base,
                &format!("/api/v1/sites/{site}/broadcasts"),
                Some(&staff),
                json!({"title": format!("停水通知{i}"), "body": "明天上午八点至十二点停水。"}),
            )
            .await;
        events.push(uuid::Uuid::parse_str(accepted["event_id"].as_str().unwrap()).unwrap());
        if i == 1 {
            // Mid-fan-out: the first inbox rows exist, not all of them.
            wait_until("the fan-out to start", 30, || async {
                notification::Entity::find().count(db.conn()).await.unwrap() > 0
            })
            .await;
            worker_1.child.kill().unwrap();
            worker_1.child.wait().unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (restarted, w1) = deployment.worker("worker-1-again");
    drop(worker_1);
    worker_1 = restarted;
    wait_until("every inbox row of every broadcast", 60, || async {
        notification::Entity::find().count(db.conn()).await.unwrap()
            == (residents * events.len()) as u64
    })
    .await;
    for event in &events {
        let inbox = notification::Entity::find()
            .filter(notification::Column::MessageId.eq(*event))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(inbox, residents as u64, "lost or doubled inbox rows");
        let sends = delivery::Entity::find()
            .filter(delivery::Column::MessageId.eq(*event))
            .all(db.conn())
            .await
            .unwrap();
        let mut keys: Vec<&str> = sends.iter().map(|d| d.dedupe_key.as_str()).collect();
        let total = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), total, "a doubled send");
        assert!(total > 0);
    }

    // 4. The broker goes away: every /readyz says so, events wait in the outbox, the lag shows.
    phase("outage");
    assert!(rabbitmqctl(&["stop_app"]), "rabbitmqctl stop_app");
    let restart = BrokerRestart;
    let outage = async {
        for url in [&a, &b, &w1, &w2] {
            wait_until("/readyz to report the broker down", 30, || async { client.ready(url).await == 503 }).await;
        }
        let request_id = format!("prod-trace-{}", uuid::Uuid::new_v4().simple());
        let (status, accepted) = client
            .send(reqwest::Method::POST, &format!("{a}/api/v1/sites/{site}/broadcasts"), Some(&staff),
                  Some(&json!({"title": "紧急通知", "body": "今晚有寒潮，请注意保暖。", "urgent": true})), Some(&request_id))
            .await;
        assert_eq!(status, 202, "the api keeps accepting: {accepted}");
        let w2_metrics = format!("{w2}/metrics");
        let metrics = || client.metrics(&w2_metrics);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let first = gauge(&metrics().await, "anju_outbox_lag_seconds").unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let second = gauge(&metrics().await, "anju_outbox_lag_seconds").unwrap();
        assert!(first >= 1.0 && second > first, "the lag rises: {first} then {second}");
        (request_id, accepted)
    }
    .await;
    drop(restart);
    let (request_id, accepted) = outage;
    for url in [&a, &b, &w1, &w2] {
        wait_until("/readyz to report the broker back", 60, || async {
            client.ready(url).await == 200
        })
        .await;
    }
    let urgent = uuid::Uuid::parse_str(accepted["event_id"].as_str().unwrap()).unwrap();
    wait_until("the waiting broadcast delivered", 60, || async {
        notification::Entity::find()
            .filter(notification::Column::MessageId.eq(urgent))
            .count(db.conn())
            .await
            .unwrap()
            == residents as u64
    })
    .await;
    wait_until("the lag to fall", 30, || async {
        let text = client.metrics(&format!("{w1}/metrics")).await;
        gauge(&text, "anju_outbox_lag_seconds") == Some(0.0)
    })
    .await;
    let text = client.metrics(&format!("{w2}/metrics")).await;
    assert!(
        text.contains("anju_consumer_messages_total{group=\"inbox\",outcome=\"handled\"}"),
        "{text}"
    );
    assert!(text.contains("anju_relay_published_total"), "{text}");

    // 5. One request id, followed: the api's log, the outbox row, a worker's log, the sends.
    phase("trace");
    assert!(api_a.output().contains(&request_id), "the api log");
    let row = outbox::Entity::find_by_id(urgent)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.request_id.as_deref(), Some(request_id.as_str()));
    assert!(
        row.traceparent
            .as_deref()
            .is_some_and(|t| t.starts_with("00-"))
    );
    wait_until("a worker's log line", 10, || async {
        worker_1.output().contains(&request_id) || worker_2.output().contains(&request_id)
    })
    .await;
    wait_until("the sends it caused", 30, || async {
        delivery::Entity::find()
            .filter(delivery::Column::RequestId.eq(request_id.as_str()))
            .count(db.conn())
            .await
            .unwrap()
            > 0
    })
    .await;
    // The api's metrics are on its internal listener, not on the public port.
    let (status, _) = client
        .send(
            reqwest::Method::GET,
            &format!("{a}/metrics"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);

    // 6. Every metric the alert rules use is exported by the api or the worker.
    phase("alerts");
    let mut exported = client.metrics(&api_metrics).await;
    for worker in [&w1, &w2] {
        exported += &client.metrics(&format!("{worker}/metrics")).await;
    }
    let rules =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/alerts.yml"))
            .unwrap();
    let rules = YamlLoader::load_from_str(&rules).unwrap().remove(0);
    let mut checked = 0;
    for rule in rules["groups"][0]["rules"].as_vec().unwrap() {
        let expr = rule["expr"].as_str().unwrap();
        for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("anju_") {
                assert!(
                    exported.contains(word),
                    "alert {} uses {word}, which nothing exports",
                    rule["alert"].as_str().unwrap()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10);
    drop(api_b);
}
