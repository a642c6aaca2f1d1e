//! Two api processes, started as operators start them (the real `api` binary, configured only by
//! environment variables), on one PostgreSQL database: every rate limit is one budget across
//! both, and a client behind the trusted proxy cannot move itself to a fresh bucket by forging
//! `X-Forwarded-For`.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use base64::Engine;
use serde_json::json;

use crate::helpers::*;

/// A running `api` process; killed when dropped.
pub(crate) struct Replica {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the `api` binary with `env` (and nothing inherited that configures Anju); returns once
/// it says where it listens.
fn start(env: &[(&str, String)], data_dir: &std::path::Path) -> Replica {
    start_with(&[], env, data_dir)
}

/// [`start`] with command-line arguments (`--demo`).
pub(crate) fn start_with(
    args: &[&str],
    env: &[(&str, String)],
    data_dir: &std::path::Path,
) -> Replica {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ANJU_DATA_DIR", data_dir)
        .env("ANJU_LISTEN", "127.0.0.1:0")
        .env("ANJU_LOG_LEVEL", "warn")
        .current_dir(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("the api binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the api printed where it listens")
            .unwrap();
        if let Some(rest) = line.strip_prefix("Anju is listening: ") {
            break rest.trim_end_matches("/docs").to_owned();
        }
    };
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Replica { child, url }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_processes_share_every_limit() {
    let Some((url, admin_url, name)) = fresh_postgres().await else {
        return;
    };
    let _guard = PostgresGuard::new(admin_url, name);
    let db = entity::Db::connect(&url, &Default::default())
        .await
        .unwrap();
    use migration::MigratorTrait;
    migration::Migrator::up(db.writer(), None).await.unwrap();
    db.close().await.unwrap();

    let b64 = |bytes: [u8; 32]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let env = vec![
        ("ANJU_DATABASE_URL", url.clone()),
        ("ANJU_MIGRATE_ON_START", "false".to_owned()),
        ("ANJU_JWT_KEYS", format!("replica-test:{}", b64([5; 32]))),
        ("ANJU_PII_KEY", b64([6; 32])),
        ("ANJU_TRUSTED_PROXIES", "127.0.0.1, ::1".to_owned()),
        ("ANJU_ATTEMPTS_PER_PHONE_PER_MINUTE", "5".to_owned()),
        ("ANJU_ATTEMPTS_PER_ADDRESS_PER_MINUTE", "8".to_owned()),
    ];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start(&env, dir_a.path());
    let b = start(&env, dir_b.path());
    let client = reqwest::Client::new();
    let login = |base: &str, phone: &str, forwarded: &str| {
        client
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded.to_owned())
            .json(&json!({"phone": phone, "password": "a-wrong-guess"}))
            .send()
    };

    // Per phone: five guesses in all, wherever they land.
    for (i, base) in [&a.url, &b.url, &a.url, &b.url, &a.url]
        .into_iter()
        .enumerate()
    {
        let r = login(base, "13711112222", &format!("198.51.100.{i}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "guess {i}");
    }
    let r = login(&b.url, "13711112222", "198.51.100.9").await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));

    // Per client address, behind the trusted proxy: the forged left-most entry changes every
    // time, the address the proxy appended does not, and the budget holds across replicas.
    for i in 0..8 {
        let base = if i % 2 == 0 { &a.url } else { &b.url };
        let forged = format!("10.{i}.{i}.{i}, 203.0.113.7");
        let r = login(base, &format!("137000010{i:02}"), &forged)
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "attempt {i} from 203.0.113.7");
    }
    let r = login(&a.url, "13700001099", "172.16.5.5, 203.0.113.7")
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "a forged X-Forwarded-For moved the client to a fresh bucket"
    );
    // Another client behind the same proxy has its own budget.
    let r = login(&b.url, "13700001098", "203.0.113.8").await.unwrap();
    assert_eq!(r.status(), 401);

    // SMS codes: one a minute per phone, whichever replica is asked.
    let code = |base: &str| {
        client
            .post(format!("{base}/api/v1/auth/sms-codes"))
            .header("x-forwarded-for", "203.0.113.50")
            .json(&json!({"phone": "13711113333", "purpose": "login"}))
            .send()
    };
    assert_eq!(code(&a.url).await.unwrap().status(), 202);
    assert_eq!(code(&b.url).await.unwrap().status(), 429);
}
