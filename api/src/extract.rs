//! Request extractors whose failures are [`ApiError`]s (problem+json), never actix's plain-text
//! errors: JSON bodies (size-limited, field paths in error messages), query strings and path ids.

use std::{collections::BTreeMap, future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldErrors};

/// The largest body a route accepts, in bytes (app data; routes may override it).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The raw body of a request whose JSON was extracted (request extensions), so that the
/// idempotency fingerprint covers exactly what the client sent.
#[derive(Debug, Clone)]
pub struct RawBody(pub web::Bytes);

/// A JSON request body deserialized into `T`.
///
/// Wrong content type -> 415; over the limit -> 413; not JSON -> 400 `malformed_body`; JSON of the
/// wrong shape (types, unknown or missing fields) -> 422 `validation_failed` naming each field.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let declared = declared_length(req);
        let payload = payload.take();
        let req = req.clone();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            let body = read_body(payload, limit, declared).await?;
            let value = parse_json(&body).map(Json);
            req.extensions_mut().insert(RawBody(body));
            value
        })
    }
}

/// Reads a whole body, refusing it as soon as it passes `limit`.
pub async fn read_body(
    mut payload: Payload,
    limit: usize,
    declared: Option<usize>,
) -> Result<web::Bytes, ApiError> {
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedBody(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The body limit in force for this request.
pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .map_or(crate::startup::DEFAULT_BODY_LIMIT, |l| l.0)
}

/// The `Content-Length` the client declared.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Deserializes JSON, telling malformed documents (400) from documents of the wrong shape (422).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            ApiError::Validation(field_error(&path, &inner.to_string()))
        } else {
            ApiError::MalformedBody(inner.to_string())
        }
    })?;
    de.end()
        .map_err(|e| ApiError::MalformedBody(e.to_string()))?;
    Ok(value)
}

/// A query string deserialized into `T`; any failure is 400 `invalid_query` naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses a query string, naming the offending parameter on failure.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::InvalidQuery(field_error(&path, &e.into_inner().to_string()))
    })
}

/// Turns a serde message and path into `{field: message}`, pulling the field name out of
/// "unknown field `x`" and "missing field `x`" messages (serde reports those at the parent).
fn field_error(path: &str, message: &str) -> FieldErrors {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let parent = if path == "." { "" } else { path };
    let field = match named {
        Some(name) if parent.is_empty() => name.to_owned(),
        // serde_path_to_error already includes an unknown key in the path.
        Some(name) if parent == name || parent.ends_with(&format!(".{name}")) => parent.to_owned(),
        Some(name) => format!("{parent}.{name}"),
        None if parent.is_empty() => "body".to_owned(),
        None => parent.to_owned(),
    };
    BTreeMap::from([(field, message)])
}

/// Configuration for actix's own `web::Path` extractor: an unparseable path segment (for example
/// an id that is not a UUID) names nothing that exists, so it is a 404 like any missing object.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn errors(e: ApiError) -> FieldErrors {
        match e {
            ApiError::Validation(f) | ApiError::InvalidQuery(f) => f,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":"),
            Err(ApiError::MalformedBody(_))
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"name":"a","inner":{"count":1}} trailing"#),
            Err(ApiError::MalformedBody(_))
        ));
        let e = errors(parse_json::<Body>(br#"{"name":"a","inner":{"count":"x"}}"#).unwrap_err());
        assert!(e.contains_key("inner.count"), "{e:?}");
        let e =
            errors(parse_json::<Body>(br#"{"name":"a","inner":{"count":1},"zz":1}"#).unwrap_err());
        assert!(e.contains_key("zz"), "{e:?}");
        let e = errors(parse_json::<Body>(br#"{"name":"a","inner":{}}"#).unwrap_err());
        assert!(e.contains_key("inner.count"), "{e:?}");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<u64>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let e = errors(parse_query::<Params>("limit=abc").unwrap_err());
        assert!(e.contains_key("limit"), "{e:?}");
        let e = errors(parse_query::<Params>("limt=1").unwrap_err());
        assert!(e.contains_key("limt"), "{e:?}");
        assert_eq!(parse_query::<Params>("limit=5").unwrap().limit, Some(5));
    }
}
