//! `worker`: Anju's background process for production mode (PostgreSQL + RabbitMQ): the outbox
//! relay, the consumers and the scheduled tasks.
//!
//! `worker` runs; `worker dead-letters <group>` counts a group's dead-lettered messages;
//! `worker redrive <group>` moves them back to the group's queue.

use std::process::ExitCode;

use anyhow::Context;
use worker::settings::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => run().await,
        ["healthcheck"] => Settings::load()
            .map_err(anyhow::Error::from)
            .and_then(|s| worker::status::healthcheck(&s.worker_listen)),
        ["dead-letters", group] => count(group).await,
        ["redrive", group] => redrive(group).await,
        ["--help" | "-h" | "help"] => {
            println!(
                "usage: worker                     run the relay, consumers and scheduled tasks"
            );
            println!(
                "       worker dead-letters <group>  count a consumer group's dead-lettered messages"
            );
            println!("       worker redrive <group>       move them back to the group's queue");
            println!(
                "       worker healthcheck           exit 0 when the local worker answers /healthz"
            );
            println!(
                "groups: {}",
                worker::handlers::ALL
                    .iter()
                    .map(|h| h.group)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(())
        }
        _ => {
            eprintln!("worker: unknown arguments (try --help)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("worker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn rabbit(settings: &Settings) -> anyhow::Result<worker::rabbit::RabbitSettings> {
    settings.rabbit().context(
        "AMQP_URL is not set: without a broker the api runs the worker in-process (embedded mode)",
    )
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    settings.refuse_published_examples()?;
    worker::telemetry::init(&settings);
    let rabbit = rabbit(&settings)?;
    let db = settings.connect_db().await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let broker_status = worker::rabbit::BrokerStatus::default();
    let monitor = tokio::spawn(worker::rabbit::monitor(
        rabbit.url.clone(),
        broker_status.clone(),
        stopped.clone(),
    ));
    let (status_server, status_port) =
        worker::status::serve(&settings.worker_listen, db.clone(), broker_status)
            .with_context(|| format!("binding worker_listen {}", settings.worker_listen))?;
    let status_handle = status_server.handle();
    let status = tokio::spawn(status_server);
    let scheduler = tokio::spawn(worker::scheduler::run(db.clone(), stopped.clone()));
    let housekeeping = tokio::spawn(worker::housekeeping::run(
        db.clone(),
        settings.retention(),
        stopped.clone(),
    ));
    let providers = worker::dispatch::Providers::from_settings(&settings)?;
    let dispatcher = tokio::spawn(worker::dispatch::run(
        db.clone(),
        providers,
        stopped.clone(),
    ));
    let webhooks = tokio::spawn(worker::partner_sync::run(
        db.clone(),
        settings.webhooks()?,
        stopped.clone(),
    ));
    let broker = tokio::spawn(worker::rabbit::run(db.clone(), rabbit, true, stopped));
    tracing::info!(status_port, "worker started");
    println!(
        "Anju worker is running: status on http://{}",
        with_port(&settings.worker_listen, status_port)
    );
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight messages");
    let _ = stop.send(true);
    let _ = scheduler.await;
    let _ = housekeeping.await;
    let _ = dispatcher.await;
    let _ = webhooks.await;
    let _ = broker.await;
    let _ = monitor.await;
    status_handle.stop(true).await;
    let _ = status.await;
    db.close().await?;
    Ok(())
}

/// `host:port` with the port actually bound (the setting may say 0).
fn with_port(address: &str, port: u16) -> String {
    let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
    let host = if host == "0.0.0.0" || host == "[::]" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{port}")
}

async fn count(group: &str) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let rabbit = rabbit(&settings)?;
    let connection = worker::rabbit::connect(&rabbit.url).await?;
    let n = worker::rabbit::dead_letter_count(&connection, &rabbit, group).await?;
    println!("{n} message(s) in {}", rabbit.dead_queue(group));
    Ok(())
}

async fn redrive(group: &str) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let rabbit = rabbit(&settings)?;
    let connection = worker::rabbit::connect(&rabbit.url).await?;
    let n = worker::rabbit::redrive(&connection, &rabbit, group).await?;
    println!(
        "moved {n} message(s) from {} back to {}",
        rabbit.dead_queue(group),
        rabbit.queue(group)
    );
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
