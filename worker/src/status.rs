//! The worker's own small HTTP listener (`worker_listen`, internal): `/healthz` (the process is
//! up), `/readyz` (the database and the broker answer) and `/metrics` (Prometheus). It is not the
//! api's: a container health check of the worker asks this, with `worker healthcheck`.

use std::net::TcpListener;

use actix_web::{App, HttpResponse, HttpServer, dev::Server, http::header, web};
use entity::Db;
use serde_json::json;

use crate::rabbit::BrokerStatus;

struct State {
    db: Db,
    broker: BrokerStatus,
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<State>) -> HttpResponse {
    let database = state.db.ping().await.is_ok();
    let broker = state.broker.is_up();
    let body = json!({
        "status": if database && broker { "ready" } else { "unavailable" },
        "database": if database { "up" } else { "down" },
        "broker": if broker { "up" } else { "down" },
    });
    if database && broker {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "5"))
            .json(body)
    }
}

async fn metrics(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(crate::metrics::render(&state.db).await)
}

/// Binds `address` and returns the server (not yet running) and its port.
pub fn serve(address: &str, db: Db, broker: BrokerStatus) -> std::io::Result<(Server, u16)> {
    let listener = TcpListener::bind(address)?;
    let port = listener.local_addr()?.port();
    let state = web::Data::new(State { db, broker });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, port))
}

/// Asks the local worker's `/healthz` (container images carry no curl); `Ok` on 200.
pub fn healthcheck(address: &str) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let port = address
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .ok_or_else(|| anyhow::anyhow!("cannot read a port from {address}"))?;
    let timeout = std::time::Duration::from_secs(2);
    let mut stream = std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    if &head[9..12] == b"200" {
        Ok(())
    } else {
        anyhow::bail!("unexpected answer: {}", String::from_utf8_lossy(&head))
    }
}
