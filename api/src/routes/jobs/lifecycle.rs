//! A posting's life after the draft: submitted, published or rejected by staff, closed, filled
//! and renewed, each step one endpoint (`action_route!` for those without a body).

use entity::{
    kernel::Role,
    recruitment::job::{self, JobAction, JobActor},
};

use super::Job;
use crate::routes::{common::text, prelude::*};

/// Why staff reject a posting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// The reason, shown to the employer.
    pub reason: String,
}

async fn act(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: JobAction,
    reason: Option<String>,
) -> Result<web::Json<Job>, ApiError> {
    let actor = match (caller.role, caller.employer_id) {
        (Role::Employer, Some(e)) => JobActor::Employer(caller.account_id, e),
        (Role::Staff | Role::SiteAdmin | Role::PlatformAdmin, _) => {
            JobActor::Staff(caller.account_id, caller.role)
        }
        _ => {
            return Err(ApiError::forbidden(
                "only employers and staff act on job postings",
            ));
        }
    };
    let txn = state.db.begin().await?;
    let job = job::act(&txn, actor, id, action, reason).await?;
    txn.commit().await?;
    Ok(web::Json(job))
}

macro_rules! action_route {
    ($fn:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[problems(
                    403 "This role may not do that",
                    404 "No such posting visible to the caller",
                    409 "`illegal_transition`, `employer_not_verified` or `valid_through_passed`",
                )]
        #[utoipa::path(
                    post, path = $path, tag = "jobs", security(("bearer" = [])),
                    params(("id" = Uuid, Path, description = "Job id")),
                    responses((status = 200, description = "Done", body = Job))
                )]
        pub async fn $fn(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
        ) -> Result<web::Json<Job>, ApiError> {
            act(&state, &caller, id.into_inner(), $action, None).await
        }
    };
}

action_route!(
    submit_job,
    "/api/v1/jobs/{id}/submit",
    JobAction::Submit,
    "Submits a draft for review (its verified employer)."
);
action_route!(
    publish_job,
    "/api/v1/jobs/{id}/publish",
    JobAction::Publish,
    "Publishes a submitted posting (staff); it expires at `valid_through`."
);
action_route!(
    close_job,
    "/api/v1/jobs/{id}/close",
    JobAction::Close,
    "Closes a posting (its employer, or staff)."
);
action_route!(
    fill_job,
    "/api/v1/jobs/{id}/fill",
    JobAction::Fill,
    "Marks a published posting filled (its employer)."
);

/// Sends a submitted posting back to draft with a reason (staff).
#[problems(
    403 "Not staff",
    404 "No such posting",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/reject", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = RejectRequest,
    responses((status = 200, description = "Back to draft", body = Job))
)]
pub async fn reject_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RejectRequest>,
) -> Result<web::Json<Job>, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    act(
        &state,
        &caller,
        id.into_inner(),
        JobAction::Reject,
        Some(reason),
    )
    .await
}

/// A later end date for a published posting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The new `valid_through`, later than the current one.
    pub valid_through: DateTime<Utc>,
}

/// Extends a published posting before it expires (its employer).
#[problems(
    403 "Not an employer",
    404 "Not the caller's posting",
    409 "`illegal_transition`: not published",
    422 "`valid_through` not later",
)]
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/renew", tag = "jobs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id")),
    request_body = RenewRequest,
    responses((status = 200, description = "Renewed", body = Job))
)]
pub async fn renew_job(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RenewRequest>,
) -> Result<web::Json<Job>, ApiError> {
    let employer_id = caller
        .employer_id
        .ok_or(ApiError::forbidden("only employers renew their postings"))?;
    let txn = state.db.begin().await?;
    let job = job::renew(
        &txn,
        caller.account_id,
        employer_id,
        id.into_inner(),
        body.valid_through,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(job))
}
