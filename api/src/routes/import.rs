//! `POST /sites/{id}/residents/import`: onboarding a site from the spreadsheet staff export
//! (`text/csv`, UTF-8 with or without BOM, or GBK). Every row is validated first; with any
//! problem nothing is written and the answer lists each one by line and column.

use entity::{
    people::csv_import::{ImportErrors, parse_import},
    registry::import::{ImportFailure, ImportReport, import_rows},
};

use super::{prelude::*, residents::today};
use crate::{
    error::RowProblem,
    extract::{declared_length, read_body},
};

/// Largest accepted import file (the whole of Xingxianli is about 1.5 MB).
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

fn row_problems(errors: ImportErrors) -> ApiError {
    ApiError::ImportInvalid(
        errors
            .errors
            .into_iter()
            .map(|e| RowProblem {
                line: e.line,
                column: e.column,
                reason: e.reason,
            })
            .collect(),
    )
}

/// Imports residents from a CSV file into a site (staff of the site, or a platform
/// administrator). Re-importing updates residents matched by ID number and creates no duplicates.
#[problems(
    403 "Not staff",
    404 "No such site in the caller's reach",
    413 "File too large",
    415 "Not text/csv",
    422 "`import_invalid`: every problem in `rows`; nothing written",
)]
#[utoipa::path(
    post, path = "/api/v1/sites/{id}/residents/import", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    request_body(content = String, content_type = "text/csv", description = "Header row plus one row per resident (design.md, Resident import format)"),
    responses((status = 200, description = "Imported", body = ImportReport))
)]
pub async fn import_residents(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<web::Json<ImportReport>, ApiError> {
    let site_id = id.into_inner();
    let is_csv = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
        });
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType {
            expected: "text/csv",
        });
    }
    let actor = caller.actor();
    // Scope first: a caller who may not import gets its answer before uploading anything.
    entity::registry::ops::get_site(state.db.conn(), &actor.scope, site_id).await?;
    entity::registry::ops::require_manager(&actor, site_id)?;
    let body = read_body(payload.into_inner(), IMPORT_LIMIT, declared_length(&req)).await?;
    let rows = web::block(move || parse_import(&body, today()))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(row_problems)?;
    if rows.is_empty() {
        return Err(ApiError::invalid(
            "body",
            "the file has a header but no residents",
        ));
    }
    let txn = state.db.begin().await?;
    match import_rows(&txn, &actor, &state.pii, site_id, &rows).await {
        Ok(report) => {
            txn.commit().await?;
            tracing::info!(site = %site_id, rows = report.rows, created = report.residents_created, updated = report.residents_updated, "residents imported");
            Ok(web::Json(report))
        }
        Err(ImportFailure::Rows(errors)) => Err(row_problems(errors)),
        Err(ImportFailure::Domain(e)) => Err(e.into()),
    }
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sites/{id}/residents/import").route(web::post().to(import_residents)),
    );
}
