//! The OpenAPI document, generated from the handlers' and DTOs' annotations.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{error::Problem, routes};

/// Anju's API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anju",
        description = "Community services for poverty-relief resettlement communities: recruitment, \
                       activities, the points scheme and notifications. Errors are RFC 9457 \
                       `application/problem+json` documents with a stable `code`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(routes::health::healthz, routes::health::readyz, routes::health::metrics),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer (JWT) security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline, exactly as committed in `openapi/openapi.json`.
pub fn to_pretty_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
