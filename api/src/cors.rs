//! Cross-origin requests for configured origins only (an H5 build of the residents' app, the
//! console served from another origin): none by default. A request from a listed origin gets the
//! `Access-Control-*` answer browsers look for, with credentials (the refresh cookie) allowed; a
//! preflight from one is answered here, before routing. Other origins get no CORS headers, and so
//! nothing a browser would let a page read; nothing is refused for carrying an `Origin` (same-origin
//! requests and non-browser clients work as before).

use actix_web::{
    HttpResponse,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderMap, HeaderValue},
    },
};
use serde::Deserialize;

/// Methods a preflight may ask for.
const METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// Request headers a cross-origin page may send.
const REQUEST_HEADERS: &str =
    "Authorization, Content-Type, Idempotency-Key, Accept-Language, traceparent";
/// Response headers a cross-origin page may read (beyond the CORS-safelisted ones).
const EXPOSED_HEADERS: &str = "Content-Disposition, Location, Retry-After, X-Request-Id";
/// How long a browser may cache a preflight's answer, in seconds.
const MAX_AGE: &str = "600";

/// The origins allowed to call the API from a browser (`https://h5.example.cn`, comma-separated
/// or a list): scheme, host and port exactly, no path, no wildcard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(Vec<String>);

impl CorsOrigins {
    /// Parses `a, b, …`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut origins = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let origin = item.trim_end_matches('/').to_ascii_lowercase();
            let Some(rest) = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
            else {
                return Err(format!(
                    "cors_origins: `{item}` is not an origin such as https://h5.example.cn"
                ));
            };
            if rest.is_empty() || rest.contains(['/', '*', '?', '#', '@', ' ']) {
                return Err(format!(
                    "cors_origins: `{item}` must be scheme://host[:port] with no path or wildcard"
                ));
            }
            origins.push(origin);
        }
        Ok(Self(origins))
    }

    /// Whether none are configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The request's `Origin`, when it is one of these.
    fn allowed(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        let text = origin.to_str().ok()?.to_ascii_lowercase();
        self.0.contains(&text).then(|| origin.clone())
    }
}

impl<'de> Deserialize<'de> for CorsOrigins {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            List(Vec<String>),
        }
        let text = match Form::deserialize(d)? {
            Form::Text(text) => text,
            Form::List(items) => items.join(","),
        };
        CorsOrigins::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn allow(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
}

fn vary_origin(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// A request that is a preflight from an allowed origin, answered; any other request back, with
/// its allowed origin if it has one (for [`mark`]).
#[allow(clippy::result_large_err)]
pub fn preflight(
    origins: &CorsOrigins,
    req: ServiceRequest,
) -> Result<ServiceResponse, (ServiceRequest, Option<HeaderValue>)> {
    if origins.is_empty() {
        return Err((req, None));
    }
    let allowed = origins.allowed(req.headers());
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    match allowed {
        Some(origin) if is_preflight => {
            let mut response = HttpResponse::NoContent().finish();
            let headers = response.headers_mut();
            allow(headers, origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(REQUEST_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(MAX_AGE),
            );
            vary_origin(headers);
            Ok(req.into_response(response))
        }
        allowed => Err((req, allowed)),
    }
}

/// Marks a response: the CORS headers for an allowed origin, and `Vary: Origin` whenever
/// origins are configured (so that caches keep the answers apart).
pub fn mark(origins: &CorsOrigins, headers: &mut HeaderMap, allowed: Option<HeaderValue>) {
    if origins.is_empty() {
        return;
    }
    if let Some(origin) = allowed {
        allow(headers, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    vary_origin(headers);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact_and_without_paths_or_wildcards() {
        let o = CorsOrigins::parse(" https://H5.example.cn/ , http://127.0.0.1:5173").unwrap();
        assert_eq!(o.0, ["https://h5.example.cn", "http://127.0.0.1:5173"]);
        assert!(CorsOrigins::parse("").unwrap().is_empty());
        for bad in [
            "*",
            "h5.example.cn",
            "https://*.example.cn",
            "https://a.cn/app",
            "ftp://a.cn",
        ] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad}");
        }
    }
}
