//! `worker`: Anju's background process for production mode (PostgreSQL + RabbitMQ).

use anyhow::Context;
use entity::{Db, db::DbOptions};
use worker::settings::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    worker::telemetry::init(&settings);
    let options = DbOptions {
        max_connections: settings.db_max_connections,
        ..DbOptions::default()
    };
    let db = Db::connect(settings.database_url().expose(), &options)
        .await
        .context("connecting to the database")?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let housekeeping = tokio::spawn(worker::scheduler::run(db.clone(), stopped));
    tracing::info!("worker started");
    shutdown_signal().await;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    let _ = housekeeping.await;
    db.close().await?;
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
