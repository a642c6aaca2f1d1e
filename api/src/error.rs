//! The one error type of the API, mapped in one place to RFC 9457 `application/problem+json`
//! with a stable `code` the app can translate.

use entity::DomainError;
use std::collections::BTreeMap;

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Field path -> what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

/// An RFC 9457 problem document, as every error response carries it.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:anju:problem:<code>`).
    #[serde(rename = "type")]
    #[schema(example = "urn:anju:problem:validation_failed")]
    pub type_: String,
    /// A short summary of the problem type.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request, in English.
    pub detail: String,
    /// A stable, machine-readable code (snake_case) for the app to translate.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// On validation failures: field path -> message, in English (kept as it was for clients
    /// written before `fields`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// On validation failures: field path -> a stable `code` and a `message` in the language
    /// `Accept-Language` asks for (Simplified Chinese by default, English with `en`). Same keys
    /// as `errors`; new clients read this, older ones keep reading `errors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, crate::lang::FieldProblem>>,
    /// On a refused import file: every problem, by line and column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowProblem>>,
}

/// One problem of an import file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct RowProblem {
    /// The sheet of a workbook; absent for CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Row number in the sheet, or physical line of a CSV file (the first is 1).
    pub line: usize,
    /// The column (English name); empty for the whole row or file.
    pub column: String,
    /// The column's header as the file writes it (Chinese or English).
    pub header: String,
    /// The cell as written, shortened; never given for ID numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Stable snake_case code, e.g. `id_number_as_number`, `date_invalid`, `required`.
    pub code: String,
    /// What is wrong, in English.
    pub reason: String,
    /// What is wrong and how to fix it, in the language `Accept-Language` asks for (Simplified
    /// Chinese by default).
    pub message: String,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not well-formed JSON (400 `malformed_body`).
    #[error("the request body is not valid JSON: {0}")]
    MalformedBody(String),
    /// A `multipart/form-data` body that does not parse (400 `malformed_body`).
    #[error("the multipart form is malformed: {0}")]
    MalformedForm(String),
    /// The query string does not parse (400 `invalid_query`).
    #[error("the query string is invalid")]
    InvalidQuery(FieldErrors),
    /// A pagination cursor that this API did not issue (400 `invalid_cursor`).
    #[error("the cursor is not one this list issued")]
    InvalidCursor,
    /// A header has a value that cannot be used (400 `invalid_header`).
    #[error("header {name}: {detail}")]
    InvalidHeader {
        /// The header.
        name: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The body parsed but its content is invalid (422 `validation_failed`).
    #[error("the request is invalid")]
    Validation(FieldErrors),
    /// The body's media type is not accepted (415 `unsupported_media_type`).
    #[error("expected a body of type {expected}")]
    UnsupportedMediaType {
        /// The accepted media type.
        expected: &'static str,
    },
    /// A signed link that does not open (401 `link_expired` or `link_invalid`).
    #[error("{detail}")]
    LinkRefused {
        /// `link_expired` or `link_invalid`.
        code: &'static str,
        /// Why, in English.
        detail: &'static str,
    },
    /// WeChat did not vouch for the caller (401 `wechat_code_invalid`: a wrong, expired or used
    /// mini-program code; `wechat_ticket_invalid`: a changed or expired binding ticket).
    #[error("{detail}")]
    WeChatRefused {
        /// The stable code.
        code: &'static str,
        /// Why, in English.
        detail: &'static str,
    },
    /// The body is over the limit (413 `payload_too_large`).
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No route matches the path (404 `route_not_found`).
    #[error("no route matches this path")]
    RouteNotFound,
    /// The route exists but not for this method (405 `method_not_allowed`).
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    /// A device of a push service this deployment does not send through (422
    /// `push_provider_unavailable`): it would never get a push.
    #[error(
        "push provider `{provider}` is not available here; devices can register with: {available}"
    )]
    PushProviderUnavailable {
        /// The provider asked for.
        provider: &'static str,
        /// The providers that are (for the message).
        available: String,
    },
    /// The `Idempotency-Key` was used for a different request (422 `idempotency_key_reused`).
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still running (409 `idempotency_key_in_use`).
    #[error("a request with this Idempotency-Key is still being processed; retry later")]
    IdempotencyKeyInUse,
    /// No credentials were sent (401 `unauthenticated`).
    #[error("this request needs a bearer access token")]
    Unauthenticated,
    /// The access token is unusable (401 `invalid_token`).
    #[error("{0}")]
    InvalidToken(String),
    /// Phone and password do not match an active account (401 `invalid_credentials`).
    #[error("the phone number or password is wrong")]
    InvalidCredentials,
    /// The refresh token is unknown, used, expired or revoked (401 `invalid_refresh_token`).
    #[error("{0}")]
    InvalidRefreshToken(String),
    /// Activation data do not match a registered resident without an account (401
    /// `activation_failed`); the same answer whatever the reason.
    #[error(
        "the phone number and ID digits do not match a registered resident who can activate an account"
    )]
    ActivationFailed,
    /// The one-time code is wrong, expired, used or was never sent (401 `sms_code_invalid`).
    #[error("the code is wrong or has expired")]
    SmsCodeInvalid,
    /// Five wrong codes: this code is locked (429 `sms_code_locked`); ask for a new one.
    #[error("too many wrong codes; ask for a new code")]
    SmsCodeLocked,
    /// A domain rule refused it: 404 `not_found` (no such object in the caller's reach), 403
    /// `forbidden` (the role may not) or 409 with the rule's own code. Made by `?` on a domain
    /// call or by [`ApiError::not_found`], [`ApiError::forbidden`] and [`ApiError::conflict`].
    #[error(transparent)]
    Domain(DomainError),
    /// Too many attempts (429 `rate_limited`, with `Retry-After`).
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// An import file with problems; nothing was written (422 `import_invalid`).
    #[error("the file has {} problem(s); nothing was imported", .0.len())]
    ImportInvalid(Vec<RowProblem>),
    /// A dependency (database, broker) is unavailable (503 `service_unavailable`).
    #[error("{0} is unavailable")]
    Unavailable(&'static str),
    /// Anything unexpected (500 `internal`); the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedBody(_) | Self::MalformedForm(_) => "malformed_body",
            Self::InvalidQuery(_) => "invalid_query",
            Self::InvalidCursor => "invalid_cursor",
            Self::InvalidHeader { .. } => "invalid_header",
            Self::Validation(_) => "validation_failed",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::LinkRefused { code, .. } | Self::WeChatRefused { code, .. } => code,
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PushProviderUnavailable { .. } => "push_provider_unavailable",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyKeyInUse => "idempotency_key_in_use",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidToken(_) => "invalid_token",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken(_) => "invalid_refresh_token",
            Self::ActivationFailed => "activation_failed",
            Self::SmsCodeInvalid => "sms_code_invalid",
            Self::SmsCodeLocked => "sms_code_locked",
            Self::Domain(DomainError::NotFound) => "not_found",
            Self::Domain(DomainError::Forbidden(_)) => "forbidden",
            Self::Domain(DomainError::Conflict { code, .. }) => code,
            Self::Domain(DomainError::Invalid(_)) => "validation_failed",
            Self::Domain(DomainError::Db(_)) => "internal",
            Self::RateLimited { .. } => "rate_limited",
            Self::ImportInvalid(_) => "import_invalid",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// No such object in the caller's reach (404 `not_found`).
    pub fn not_found() -> Self {
        Self::Domain(DomainError::NotFound)
    }

    /// The caller's role may not do this (403 `forbidden`).
    pub fn forbidden(why: &'static str) -> Self {
        Self::Domain(DomainError::Forbidden(why))
    }

    /// The request conflicts with the current state (409 with the rule's stable `code`).
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Domain(DomainError::conflict(code, detail))
    }

    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(BTreeMap::from([(field.into(), message.into())]))
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let errors = match self {
            Self::InvalidQuery(e) | Self::Validation(e) | Self::Domain(DomainError::Invalid(e)) => {
                Some(e.clone())
            }
            _ => None,
        };
        let mut problem = problem(status, self.code(), self.to_string(), errors);
        if let Self::ImportInvalid(rows) = self {
            problem.rows = Some(rows.clone());
        }
        problem
    }
}

/// Builds a problem document.
pub fn problem(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Option<FieldErrors>,
) -> Problem {
    Problem {
        type_: format!("urn:anju:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        fields: errors
            .as_ref()
            .map(|e| crate::lang::field_problems(e, crate::lang::Lang::current())),
        errors,
        rows: None,
    }
}

/// A problem+json response.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(serde_json::to_vec(problem).unwrap_or_default())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MalformedBody(_)
            | Self::MalformedForm(_)
            | Self::InvalidQuery(_)
            | Self::InvalidCursor
            | Self::InvalidHeader { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_)
            | Self::PushProviderUnavailable { .. }
            | Self::IdempotencyKeyReused
            | Self::ImportInvalid(_)
            | Self::Domain(DomainError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Domain(DomainError::NotFound) | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::IdempotencyKeyInUse | Self::Domain(DomainError::Conflict { .. }) => {
                StatusCode::CONFLICT
            }
            Self::Unauthenticated
            | Self::InvalidToken(_)
            | Self::InvalidCredentials
            | Self::InvalidRefreshToken(_)
            | Self::ActivationFailed
            | Self::SmsCodeInvalid
            | Self::LinkRefused { .. }
            | Self::WeChatRefused { .. } => StatusCode::UNAUTHORIZED,
            Self::Domain(DomainError::Forbidden(_)) => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } | Self::SmsCodeLocked => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) | Self::Domain(DomainError::Db(_)) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // Runs inside the request's span, so the log line carries the request id.
            tracing::error!(error = %format!("{cause:#}"), "request failed");
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            Self::RateLimited { retry_after_secs } => {
                headers.insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_secs),
                );
            }
            // A new code may be asked for after the resend interval.
            Self::SmsCodeLocked => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            }
            Self::Unauthenticated => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            Self::InvalidToken(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            _ => {}
        }
        response
    }
}

impl ApiError {
    /// The error as a response, for handlers that are not fallible functions.
    pub fn error_response_owned(self) -> HttpResponse {
        ResponseError::error_response(&self)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        match e {
            sea_orm::DbErr::ConnectionAcquire(_) => Self::Unavailable("the database"),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(errors) => Self::Validation(errors),
            DomainError::Db(db) => db.into(),
            refused => Self::Domain(refused),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

/// The problem a bare status carries when something other than [`ApiError`] produced it (actix's
/// own errors, caught by the middleware).
pub fn problem_for_status(status: StatusCode) -> Problem {
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("route_not_found", "no route matches this path"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this method is not allowed on this path",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "the body's media type is not accepted",
        ),
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long to arrive"),
        s if s.is_server_error() => ("internal", "internal error"),
        _ => ("bad_request", "the request could not be understood"),
    };
    problem(status, code, detail.to_owned(), None)
}
