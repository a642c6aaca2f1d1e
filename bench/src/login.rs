//! Login under load: 16 clients log in as fast as they can (argon2id, m = 19 MiB, t = 2) while one
//! more client keeps calling `GET /healthz`. Reports login p50/p99 and how the other route's
//! latency holds up against an idle server in the same run. argon2 is meant to be slow; the point
//! is that the rest of the API stays responsive while it runs.

use std::net::SocketAddr;

use api::{Application, Settings};
use sea_orm::DbBackend;

use crate::{Options, import::fresh, load};

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";

/// Runs the benchmark.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let fresh = fresh(DbBackend::Sqlite).await?;
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".into();
    settings.worker.data_dir = fresh.dir().to_path_buf();
    settings.attempts_per_phone_per_minute = 1_000_000;
    settings.attempts_per_address_per_minute = 1_000_000;
    let app = Application::build_with_routes(settings, fresh.db.clone(), |_| {}).await?;
    let addr: SocketAddr = ([127, 0, 0, 1], app.port()).into();
    let handle = app.handle();
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());

    let password = "bench-login-2026";
    let mut requests = Vec::new();
    for i in 0..options.connections {
        let phone = entity::people::Phone::parse(&format!("1990009{i:04}"))?;
        let hash = state
            .passwords
            .hash(
                entity::identity::password::Password::parse(password, None)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        entity::identity::accounts::create(
            state.db.writer(),
            entity::identity::accounts::NewAccount {
                phone: phone.clone(),
                password_hash: hash,
                role: entity::kernel::Role::PlatformAdmin,
                site_id: None,
                resident_id: None,
            },
        )
        .await?;
        requests.push(load::post_json(
            "/api/v1/auth/login",
            &format!(
                r#"{{"phone":"{}","password":"{password}"}}"#,
                phone.as_str()
            ),
        ));
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "login: {} concurrent clients logging in, 1 client on GET /healthz, {} s per round, {} rounds, {} cores",
        options.connections, options.seconds, options.rounds, cores
    );
    let idle = load::run(addr, HEALTHZ, 200, 1, options.seconds.min(2.0)).await?;
    println!(
        "idle server: GET /healthz {:.0}/s p50 {:.2} ms, p99 {:.2} ms",
        idle.rate,
        idle.quantile(0.5).as_secs_f64() * 1e3,
        idle.quantile(0.99).as_secs_f64() * 1e3
    );
    for round in 1..=options.rounds {
        let logins = load::run_each(addr, requests.clone(), 200, options.seconds);
        let health = load::run(addr, HEALTHZ, 200, 1, options.seconds);
        let (logins, health) = tokio::join!(logins, health);
        let (logins, health) = (logins?, health?);
        println!(
            "round {round}: logins {:>6.1}/s p50 {:>7.1} ms p99 {:>7.1} ms | GET /healthz meanwhile {:>6.0}/s p50 {:.2} ms p99 {:.2} ms",
            logins.rate,
            logins.quantile(0.5).as_secs_f64() * 1e3,
            logins.quantile(0.99).as_secs_f64() * 1e3,
            health.rate,
            health.quantile(0.5).as_secs_f64() * 1e3,
            health.quantile(0.99).as_secs_f64() * 1e3,
        );
    }
    handle.stop(true).await;
    Ok(())
}
