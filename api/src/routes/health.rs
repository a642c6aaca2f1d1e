//! Liveness, readiness and metrics.

use actix_web::http::header;

use super::prelude::*;

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
    get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database (and, in production mode, the broker) is reachable.
#[problems(503 "A dependency is down")]
#[utoipa::path(
    get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Ready to serve", body = Readiness))
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

/// Prometheus metrics in text exposition format. On the public port only when configured so:
/// with `metrics_token`, to requests bearing it; in embedded mode (development) to anyone when
/// neither `metrics_token` nor `metrics_listen` is set; otherwise not at all (404), and the
/// scraper reads the internal `metrics_listen` address instead.
#[problems(
    401 "`metrics_token` is set and the request does not bear it",
    404 "Metrics are not served on this port",
)]
#[utoipa::path(
    get, path = "/metrics", tag = "health",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
    )
)]
pub async fn metrics(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match &state.metrics_access {
        MetricsAccess::Open => {}
        MetricsAccess::Off => return Err(ApiError::RouteNotFound),
        MetricsAccess::Token(token) => {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            if !constant_time_eq(presented.as_bytes(), token.expose().as_bytes()) {
                return Err(ApiError::Unauthenticated);
            }
        }
    }
    let embedded = state.broker.is_none().then_some(&state.db);
    render(&state.metrics, embedded).await
}

/// The api's metrics as a response, with the worker's when it runs in this process
/// (`embedded`: its database). The internal `metrics_listen` listener serves this too.
pub async fn render(
    metrics: &crate::metrics::Metrics,
    embedded: Option<&entity::Db>,
) -> Result<HttpResponse, ApiError> {
    let mut text = metrics.render().map_err(|e| ApiError::Internal(e.into()))?;
    if let Some(db) = embedded {
        text.push_str(&worker::metrics::render(db).await);
    }
    Ok(prometheus_text(text))
}

fn prometheus_text(text: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(text)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who may read `/metrics` on the public port.
#[derive(Clone, Debug)]
pub enum MetricsAccess {
    /// Anyone (embedded mode with nothing configured: development).
    Open,
    /// Requests bearing this token.
    Token(entity::secret::Secret),
    /// Nobody: metrics are on the internal listener, or production mode with no token.
    Off,
}

impl MetricsAccess {
    /// What the settings mean for the public port.
    pub fn from_settings(settings: &crate::Settings) -> Self {
        match (&settings.metrics_token, &settings.metrics_listen) {
            (Some(token), _) => Self::Token(token.clone()),
            (None, Some(_)) => Self::Off,
            (None, None) if settings.worker.amqp_url.is_none() => Self::Open,
            (None, None) => Self::Off,
        }
    }
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics)));
}
