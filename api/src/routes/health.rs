//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, http::header, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, Problem},
    startup::AppState,
};

/// The process is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// What readiness checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when every dependency answered.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The database answered a query.
    #[schema(example = "up")]
    pub database: &'static str,
    /// `up`, or `embedded` when no broker is configured (the api runs the worker in-process).
    #[schema(example = "up")]
    pub broker: &'static str,
}

/// Liveness: answers while the process can serve HTTP, without touching dependencies.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database (and, in production mode, the broker) is reachable.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "A dependency is down", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness: database unreachable");
        ApiError::Unavailable("the database")
    })?;
    let broker = match &state.broker {
        None => "embedded",
        Some(status) if status.is_up() => "up",
        Some(_) => {
            tracing::warn!("readiness: broker unreachable");
            return Err(ApiError::Unavailable("the message broker"));
        }
    };
    Ok(web::Json(Readiness {
        status: "ready",
        database: "up",
        broker,
    }))
}

/// Prometheus metrics in text exposition format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"))
)]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render()
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(text))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics)));
}
