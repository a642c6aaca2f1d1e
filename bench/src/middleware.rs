//! The cost of Anju's own middleware stack (request id, tracing span and access log, metrics,
//! problem mapping, panic containment) on a small JSON endpoint (`GET /healthz`), against a bare
//! actix-web handler returning the same bytes. Target: at least 70 % of the bare throughput.

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};
use api::{Application, Settings};
use sea_orm::DbBackend;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::{
    Options,
    import::fresh,
    load::{self, median},
};

const REQUEST: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
const BODY: &str = r#"{"status":"ok"}"#;

/// Runs the benchmark and prints per-round figures and the median ratio.
pub async fn run(options: Options) -> anyhow::Result<()> {
    // Log formatting is part of the cost measured; only the final write goes to a sink, so the
    // terminal does not limit the rate.
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new(
            std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into()),
        ))
        .with(fmt::layer().with_writer(std::io::sink))
        .try_init();

    let fresh = fresh(DbBackend::Sqlite).await?;
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".into();
    settings.http_workers = Some(1);
    let anju = Application::build_with_routes(settings, fresh.db.clone(), |_| {}).await?;
    let anju_addr: SocketAddr = ([127, 0, 0, 1], anju.port()).into();
    let anju_handle = anju.handle();
    actix_web::rt::spawn(anju.run_until_stopped());

    let bare = HttpServer::new(|| {
        App::new().route(
            "/healthz",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(BODY)
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))?;
    let bare_addr = bare.addrs()[0];
    let bare = bare.run();
    let bare_handle = bare.handle();
    actix_web::rt::spawn(bare);

    println!(
        "middleware: GET /healthz, {} connections, {} s per arm, {} rounds, 1 server worker each",
        options.connections, options.seconds, options.rounds
    );
    // Warm both up.
    load::run(anju_addr, REQUEST, 200, options.connections, 0.5).await?;
    load::run(bare_addr, REQUEST, 200, options.connections, 0.5).await?;

    let mut ratios = Vec::new();
    for round in 1..=options.rounds {
        // Alternate which arm goes first so drift in machine load hits both alike.
        let arm = |addr| load::run(addr, REQUEST, 200, options.connections, options.seconds);
        let (anju_run, bare_run) = if round % 2 == 1 {
            let a = arm(anju_addr).await?;
            let b = arm(bare_addr).await?;
            (a, b)
        } else {
            let b = arm(bare_addr).await?;
            let a = arm(anju_addr).await?;
            (a, b)
        };
        let ratio = anju_run.rate / bare_run.rate;
        ratios.push(ratio);
        println!(
            "round {round}: anju {:>9.0} req/s (p99 {:>6.2} ms)   bare {:>9.0} req/s (p99 {:>6.2} ms)   ratio {:.3}",
            anju_run.rate,
            anju_run.quantile(0.99).as_secs_f64() * 1e3,
            bare_run.rate,
            bare_run.quantile(0.99).as_secs_f64() * 1e3,
            ratio
        );
    }
    let median_ratio = median(&mut ratios);
    println!(
        "median ratio anju/bare: {:.3} ({:.1} % of the bare handler's throughput; target >= 70 %)",
        median_ratio,
        median_ratio * 100.0
    );
    anju_handle.stop(true).await;
    bare_handle.stop(true).await;
    Ok(())
}
