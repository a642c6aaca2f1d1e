//! A resident's job-category subscriptions: besides the postings that suit its profile, it hears
//! of every new posting of these categories.

use entity::recruitment::{job::JobCategory, matching};

use super::prelude::*;

/// The categories a resident hears about.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSubscriptions {
    /// Job categories (empty: none beyond profile matches).
    pub categories: Vec<JobCategory>,
}

fn resident_of(caller: &Principal) -> Result<uuid::Uuid, ApiError> {
    caller.resident_id.ok_or(ApiError::forbidden(
        "only residents subscribe to job categories",
    ))
}

/// The caller's job-category subscriptions.
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/job-subscriptions", tag = "jobs", security(("bearer" = [])),
    responses((status = 200, description = "The categories", body = JobSubscriptions))
)]
pub async fn get_job_subscriptions(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<JobSubscriptions>, ApiError> {
    let resident = resident_of(&caller)?;
    let categories = matching::subscriptions(state.db.conn(), resident).await?;
    Ok(web::Json(JobSubscriptions { categories }))
}

/// Replaces the caller's job-category subscriptions.
#[problems(
    403 "Not a resident",
    422 "Unknown category",
)]
#[utoipa::path(
    put, path = "/api/v1/me/job-subscriptions", tag = "jobs", security(("bearer" = [])),
    request_body = JobSubscriptions,
    responses((status = 200, description = "Saved", body = JobSubscriptions))
)]
pub async fn put_job_subscriptions(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<JobSubscriptions>,
) -> Result<web::Json<JobSubscriptions>, ApiError> {
    let resident = resident_of(&caller)?;
    let txn = state.db.begin().await?;
    let categories = matching::set_subscriptions(&txn, resident, &body.categories).await?;
    txn.commit().await?;
    Ok(web::Json(JobSubscriptions { categories }))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/me/job-subscriptions")
            .route(web::get().to(get_job_subscriptions))
            .route(web::put().to(put_job_subscriptions)),
    );
}
