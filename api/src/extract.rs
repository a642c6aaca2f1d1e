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

/// Deserializes JSON, telling malformed documents (400) from documents of the wrong shape (422),
/// under the text rule ([`entity::text`]): a string holding a control character is 422 naming
/// its field, and every string is normalised to NFC before the handler sees it.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if needs_text_pass(body) {
        return parse_json_checked(body);
    }
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

/// Whether a body may hold text the rule refuses or changes. Raw control characters are not valid
/// JSON, so without a backslash escape a body can only break the rule by not being NFC (ASCII
/// always is): most bodies skip the second pass.
fn needs_text_pass(body: &[u8]) -> bool {
    if body.contains(&b'\\') {
        return true;
    }
    if body.is_ascii() {
        return false;
    }
    std::str::from_utf8(body).map_or(true, |text| !entity::text::is_nfc(text))
}

/// The slow path of [`parse_json`]: parse to a value, check and normalise every string (keys
/// included), then deserialize `T` from the value.
fn parse_json_checked<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedBody(e.to_string()))?;
    let mut errors = FieldErrors::new();
    clean_value(&mut value, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::Validation(field_error(&path, &e.into_inner().to_string()))
    })
}

/// Applies the text rule to every string in `value`; refusals are recorded by field path
/// (`a.b`, `items[0].name`).
fn clean_value(value: &mut serde_json::Value, path: &mut String, errors: &mut FieldErrors) {
    use serde_json::Value;
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(s) => match entity::text::clean(s) {
            Ok(std::borrow::Cow::Borrowed(_)) => {}
            Ok(std::borrow::Cow::Owned(normalised)) => *s = normalised,
            Err(e) => {
                errors.insert(field(path), e.to_string());
            }
        },
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                clean_value(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                match entity::text::clean(&key) {
                    Ok(clean_key) => {
                        path.push_str(&clean_key);
                        clean_value(&mut item, path, errors);
                        map.insert(clean_key.into_owned(), item);
                    }
                    Err(e) => {
                        path.push_str(&key.escape_default().to_string());
                        errors.insert(path.clone(), e.to_string());
                    }
                }
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
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

/// Parses a query string, naming the offending parameter on failure. Values follow the text
/// rule: a control character is 400 `invalid_query` naming the parameter, and values are
/// normalised to NFC.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // Without percent-escapes or `+` a (valid) query string is plain visible ASCII.
    let cleaned;
    let query = if query.contains(['%', '+']) || !query.is_ascii() {
        cleaned = clean_form(query.as_bytes()).map_err(ApiError::InvalidQuery)?;
        cleaned.as_str()
    } else {
        query
    };
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::InvalidQuery(field_error(&path, &e.into_inner().to_string()))
    })
}

/// Applies the text rule to every name and value of a `application/x-www-form-urlencoded` text
/// (a query string or a form body) and returns it re-encoded; refusals are named by parameter.
pub fn clean_form(form: &[u8]) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(form) {
        match (entity::text::clean(&name), entity::text::clean(&value)) {
            (Ok(name), Ok(value)) => {
                out.append_pair(&name, &value);
            }
            (Err(e), _) => {
                errors.insert(name.escape_default().to_string(), e.to_string());
            }
            (Ok(name), Err(e)) => {
                errors.insert(name.into_owned(), e.to_string());
            }
        }
    }
    if errors.is_empty() {
        Ok(out.finish())
    } else {
        Err(errors)
    }
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

/// A text path segment (`web::Path<String>`) under the text rule: a control character is 422
/// naming the parameter; the text comes back in NFC.
pub fn path_text(name: &str, value: String) -> Result<String, ApiError> {
    entity::text::clean_owned(value).map_err(|e| ApiError::invalid(name, e.to_string()))
}

/// Configuration for actix's own `web::Path` extractor: an unparseable path segment (for example
/// an id that is not a UUID) names nothing that exists, so it is a 404 like any missing object.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized, not read")]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized, not read")]
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

    #[test]
    fn json_text_follows_the_text_rule() {
        let e =
            errors(parse_json::<Body>(br#"{"name":"a\u0000b","inner":{"count":1}}"#).unwrap_err());
        assert!(e.contains_key("name"), "{e:?}");
        let nested = parse_json::<serde_json::Value>(br#"{"items":[{"x":"ok"},{"x":"\u001b"}]}"#);
        let e = errors(nested.unwrap_err());
        assert!(e.contains_key("items[1].x"), "{e:?}");
        let body: Body =
            parse_json(r#"{"name":"Cafe\u0301","inner":{"count":1}}"#.as_bytes()).unwrap();
        assert_eq!(body.name, "Caf\u{e9}");
        let body: Body =
            parse_json("{\"name\":\"Cafe\u{301}\",\"inner\":{\"count\":1}}".as_bytes()).unwrap();
        assert_eq!(body.name, "Caf\u{e9}");
        // A line break inside text is fine.
        let body: Body = parse_json(br#"{"name":"a\nb","inner":{"count":1}}"#).unwrap();
        assert_eq!(body.name, "a\nb");
        // Shape errors on the slow path still name the field.
        let e = errors(parse_json::<Body>(br#"{"name":"a\n","inner":{"count":"x"}}"#).unwrap_err());
        assert!(e.contains_key("inner.count"), "{e:?}");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
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

    #[derive(Debug, Deserialize)]
    struct Search {
        q: Option<String>,
    }

    #[test]
    fn query_text_follows_the_text_rule() {
        let e = errors(parse_query::<Search>("q=a%00b").unwrap_err());
        assert!(e.contains_key("q"), "{e:?}");
        let s = parse_query::<Search>("q=Cafe%CC%81").unwrap();
        assert_eq!(s.q.as_deref(), Some("Caf\u{e9}"));
        let s = parse_query::<Search>("q=%E7%94%B5%E7%84%8A+%E5%B7%A5").unwrap();
        assert_eq!(s.q.as_deref(), Some("电焊 工"));
    }
}
