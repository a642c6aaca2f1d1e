//! What nearly every route module uses: actix-web's types, the DTO derives, ids and times, and
//! our extractors, errors (and `#[problems]`, their documentation), pagination and state. `use super::prelude::*;` in a route module.

pub use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
pub use anju_macros::problems;
pub use chrono::{DateTime, Utc};
pub use serde::{Deserialize, Serialize};
pub use utoipa::{IntoParams, ToSchema};
pub use uuid::Uuid;

pub use crate::{
    auth::Principal,
    error::{ApiError, FieldErrors, Problem},
    extract::{Json, Query},
    idempotency::StoredResponse,
    pagination::{PageParams, Paginated},
    startup::AppState,
};
