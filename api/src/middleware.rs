//! The one middleware every request passes through: request id, tracing span, access log,
//! metrics, problem+json for errors that did not come from [`ApiError`], and panic containment.
//!
//! It is a single middleware rather than four so that each request pays for one boxed future and
//! one span, which the middleware benchmark keeps honest.

use std::{
    future::{Future, Ready, ready},
    panic::AssertUnwindSafe,
    pin::Pin,
    rc::Rc,
    time::Instant,
};

use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready},
    http::header::{self, HeaderName, HeaderValue},
};
use futures_util::FutureExt;
use tracing::Instrument;

use crate::{
    error::{ApiError, PROBLEM_JSON, problem_for_status, problem_response},
    metrics::Metrics,
};

/// Requests slower than this are logged even when they succeed.
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_secs(1);

/// The request id header, read from clients and proxies and echoed on every response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request (in request extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    /// Takes a well-formed incoming id (1–128 visible ASCII characters) or makes a new one.
    fn from_request(req: &ServiceRequest) -> Self {
        let incoming = req.headers().get(&REQUEST_ID).filter(|v| {
            let b = v.as_bytes();
            !b.is_empty() && b.len() <= 128 && b.iter().all(|c| c.is_ascii_graphic())
        });
        match incoming {
            Some(v) => Self(v.clone()),
            None => {
                let mut buf = uuid::Uuid::encode_buffer();
                let id = uuid::Uuid::now_v7().hyphenated().encode_lower(&mut buf);
                Self(HeaderValue::from_str(id).unwrap_or(HeaderValue::from_static("unknown")))
            }
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or("")
    }
}

/// The middleware factory.
#[derive(Clone)]
pub struct Observe {
    metrics: Metrics,
}

impl Observe {
    /// Observes requests into `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Observe
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ObserveMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ObserveMiddleware {
            service: Rc::new(service),
            metrics: self.metrics.clone(),
        }))
    }
}

/// The middleware itself.
pub struct ObserveMiddleware<S> {
    service: Rc<S>,
    metrics: Metrics,
}

impl<S, B> Service<ServiceRequest> for ObserveMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let request_id = RequestId::from_request(&req);
        // Only the id goes on the span (every line inside the request carries it); method, path
        // and status go on the lines that need them, which keeps span creation cheap.
        let span = tracing::info_span!("request", request_id = request_id.as_str());
        // The cause of whatever this request records in the outbox (see entity::trace).
        let trace = entity::trace::Trace {
            request_id: Some(request_id.as_str().to_owned()),
            traceparent: req
                .headers()
                .get("traceparent")
                .and_then(|v| v.to_str().ok())
                .and_then(entity::trace::parse_traceparent),
            actor: None,
            statements: 0,
        };
        req.extensions_mut().insert(request_id.clone());
        let lang = crate::lang::Lang::negotiate(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let method = req.method().clone();
        let service = Rc::clone(&self.service);
        let metrics = self.metrics.clone();

        Box::pin(
            async move {
                let outcome = AssertUnwindSafe(lang.scope(entity::trace::scope_reporting(
                    trace,
                    service.call(req),
                )))
                .catch_unwind()
                .await;
                let (outcome, statements) = match outcome {
                    Ok((result, trace)) => (Ok(result), trace.statements),
                    Err(panic) => (Err(panic), 0),
                };
                let response = match outcome {
                    Ok(Ok(response)) => response,
                    Ok(Err(error)) => {
                        tracing::error!(error = %error, "request failed before a response");
                        metrics.observe(method.as_str(), "unmatched", 500, started.elapsed());
                        return Err(error);
                    }
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        metrics.observe(method.as_str(), "unmatched", 500, started.elapsed());
                        return Err(ApiError::Internal(anyhow::anyhow!(
                            "handler panicked: {message}"
                        ))
                        .into());
                    }
                };

                let status = response.status();
                let route = response.request().match_pattern();
                let route = route.as_deref().unwrap_or("unmatched");
                let elapsed = started.elapsed();
                metrics.observe(method.as_str(), route, status.as_u16(), elapsed);
                // Successful requests are counted by the metrics and logged at debug only: an
                // info line per request costs about a third of the throughput of a small
                // endpoint (see the middleware benchmark). Failures and slow requests are logged.
                let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
                let status_code = status.as_u16();
                if status.is_server_error() {
                    tracing::warn!(%method, path = response.request().path(), status = status_code, route, elapsed_ms, statements, "request failed");
                } else if status.is_client_error() || elapsed >= SLOW_REQUEST {
                    tracing::info!(%method, path = response.request().path(), status = status_code, route, elapsed_ms, statements, "request completed");
                } else {
                    tracing::debug!(%method, path = response.request().path(), status = status_code, route, elapsed_ms, statements, "request completed");
                }

                // Our errors are problem+json; the OAuth token endpoint's are RFC 6749 JSON.
                let is_problem = response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| {
                        v.as_bytes() == PROBLEM_JSON.as_bytes()
                            || v.as_bytes() == b"application/json"
                    });
                let mut response =
                    if (status.is_client_error() || status.is_server_error()) && !is_problem {
                        // actix's own errors (unknown method on a resource, payload errors, …) are
                        // plain text: give them the same problem+json shape as ours.
                        let (req, _) = response.into_parts();
                        let replacement = problem_response(&problem_for_status(status));
                        ServiceResponse::new(req, replacement).map_into_right_body()
                    } else {
                        response.map_into_left_body()
                    };
                response
                    .headers_mut()
                    .insert(REQUEST_ID.clone(), request_id.0);
                Ok(response)
            }
            .instrument(span),
        )
    }
}
