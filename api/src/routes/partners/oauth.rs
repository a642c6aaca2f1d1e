//! The OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4) partners get tokens from.

use actix_web::{HttpMessage, http::header};
use base64::{Engine, engine::general_purpose::STANDARD};
use entity::partners;

use crate::{
    extract::{body_limit, declared_length, read_body},
    routes::prelude::*,
};

/// An access token for a partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerToken {
    /// JWT for `Authorization: Bearer`.
    #[schema(value_type = String)]
    pub access_token: entity::secret::Secret,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// An error in the shape of RFC 6749 §5.2.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    pub error: String,
    /// What is wrong, for the developer.
    pub error_description: String,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"anju\""));
    }
    response.json(OAuthError {
        error: error.to_owned(),
        error_description: description.to_owned(),
    })
}

/// The client credentials of a request: HTTP Basic (RFC 6749 §2.3.1, form-encoded parts), or
/// `client_id` and `client_secret` form fields; never both.
fn client_credentials(
    req: &HttpRequest,
    form: &[(String, String)],
) -> Result<(String, String), &'static str> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, value) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then(|| value.trim().to_owned())
        });
    match (basic, field("client_secret")) {
        (Some(_), Some(_)) => Err("use one client authentication method, not two"),
        (Some(encoded), None) => {
            let decoded = STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("malformed Basic credentials")?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or("malformed Basic credentials")?;
            let unescape = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Ok((unescape(id), unescape(secret)))
        }
        (None, Some(secret)) => Ok((field("client_id").ok_or("client_id is missing")?, secret)),
        (None, None) => Err("no client authentication"),
    }
}

/// Issues a partner access token by OAuth 2.0 client credentials (RFC 6749 §4.4):
/// `application/x-www-form-urlencoded` with `grant_type=client_credentials` and, optionally,
/// `scope`; the client authenticates by HTTP Basic or by `client_id` and `client_secret` fields.
/// Errors are RFC 6749 §5.2 JSON (`invalid_request`, `invalid_client`, ...), not problem+json.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "grant_type=client_credentials[&scope=…][&client_id=…&client_secret=…]"),
    responses(
        (status = 200, description = "A token", body = PartnerToken),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope", body = OAuthError),
        (status = 401, description = "invalid_client", body = OAuthError),
    )
)]
pub async fn issue_partner_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let bad =
        |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    let form_type = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "application/x-www-form-urlencoded");
    if !form_type {
        return bad("the body must be application/x-www-form-urlencoded");
    }
    let Ok(body) = read_body(
        payload.into_inner(),
        body_limit(&req),
        declared_length(&req),
    )
    .await
    else {
        return bad("the body could not be read");
    };
    // The text rule, as for every other input: no control characters, NFC.
    let body = match crate::extract::clean_form(&body) {
        Ok(body) => body,
        Err(errors) => {
            let names: Vec<&str> = errors.keys().map(String::as_str).collect();
            return bad(&format!(
                "control characters are not allowed ({})",
                names.join(", ")
            ));
        }
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // RFC 6749 §3.2: parameters must not repeat.
    let mut names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return bad("a parameter is repeated");
    }
    let grant = form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str());
    match grant {
        None => return bad("grant_type is missing"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
    }
    let (client_id, client_secret) = match client_credentials(&req, &form) {
        Ok(c) => c,
        Err(why) if why == "no client authentication" => {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", why);
        }
        Err(why) => return bad(why),
    };
    let found = match partners::authenticate(state.db.conn(), &client_id, &client_secret).await {
        Ok(found) => found,
        Err(e) => return ApiError::from(e).error_response_owned(),
    };
    let Some(p) = found else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, wrong secret, or disabled",
        );
    };
    let granted: Vec<&str> = p.scopes.split(' ').collect();
    let scope = match form.iter().find(|(k, _)| k == "scope") {
        None => p.scopes.clone(),
        Some((_, asked)) => {
            let asked: Vec<&str> = asked.split(' ').filter(|s| !s.is_empty()).collect();
            if asked.is_empty() || asked.iter().any(|s| !granted.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "the scope asked for exceeds what this client was granted",
                );
            }
            asked.join(" ")
        }
    };
    match state.jwt.issue_partner(p.id, &scope) {
        Ok((token, expires_in)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(PartnerToken {
                access_token: token.into(),
                token_type: "Bearer".into(),
                expires_in,
                scope,
            }),
        Err(e) => ApiError::Internal(e.into()).error_response_owned(),
    }
}
