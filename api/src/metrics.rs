//! Prometheus metrics: request counts and latency histograms by method, route pattern and status.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The process's metrics registry and the HTTP metrics in it.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

const LABELS: &[&str] = &["method", "route", "status"];

impl Metrics {
    /// Creates a registry with the HTTP metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("anju".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            LABELS,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response head",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            LABELS,
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
        })
    }

    /// Records one answered request. Labels come from bounded sets: a known method (else
    /// `other`) and a route pattern (else `unmatched`), so no request can add series at will.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let mut buf = itoa_buf();
        let status = format_status(status, &mut buf);
        let labels = [method, route, status];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::with_capacity(16 * 1024);
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// The method as a label: one of the standard methods, or `other`.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

fn itoa_buf() -> [u8; 3] {
    [b'0'; 3]
}

/// Writes a three-digit status without allocating.
fn format_status(status: u16, buf: &mut [u8; 3]) -> &str {
    let status = status.clamp(100, 999);
    buf[0] = b'0' + (status / 100) as u8;
    buf[1] = b'0' + (status / 10 % 10) as u8;
    buf[2] = b'0' + (status % 10) as u8;
    std::str::from_utf8(buf).unwrap_or("000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_histograms_by_route() {
        let m = Metrics::new().unwrap();
        m.observe("GET", "/healthz", 200, Duration::from_millis(3));
        m.observe("GET", "/healthz", 200, Duration::from_millis(3));
        let text = m.render().unwrap();
        assert!(text.contains(
            "anju_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("anju_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",status=\"200\",le=\"0.005\"} 2"));
    }

    #[test]
    fn unknown_methods_share_one_label() {
        let m = Metrics::new().unwrap();
        m.observe("FROB", "unmatched", 405, Duration::from_millis(1));
        m.observe("XYZZY", "unmatched", 405, Duration::from_millis(1));
        let text = m.render().unwrap();
        assert!(!text.contains("FROB") && !text.contains("XYZZY"));
        assert!(text.contains(
            "anju_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 2"
        ));
    }
}
