//! The steps staff and group leaders take on a claim (3 to 6, and rejection), each one
//! endpoint made by `claim_step!`.

use entity::claims::{self, ClaimAction, StepInput};

use super::Claim;
use crate::routes::{common::text, prelude::*};

/// Options of a step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// Points (verify), within the category's range.
    pub points: Option<i32>,
    /// Why (reject: required), up to 500 characters.
    pub reason: Option<String>,
    /// Publicity window in days (publicize; default 3).
    pub days: Option<i64>,
}

async fn step_claim(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: ClaimAction,
    body: StepRequest,
) -> Result<web::Json<Claim>, ApiError> {
    let reason = body.reason.map(|r| text("reason", &r, 500)).transpose()?;
    let txn = state.db.begin().await?;
    let c = claims::act(
        &txn,
        Some(&caller.actor()),
        id,
        action,
        StepInput {
            points: body.points,
            reason,
            days: body.days,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(c.into()))
}

macro_rules! claim_step {
    ($fn:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[problems(
                            403 "This role may not take this step",
                            404 "No such claim in reach",
                            409 "`illegal_transition`, `objection_pending` or `publicity_open`",
                            422 "Invalid fields",
                        )]
        #[utoipa::path(
                            post, path = $path, tag = "points", security(("bearer" = [])),
                            params(("id" = Uuid, Path, description = "Claim id")),
                            request_body = StepRequest,
                            responses((status = 200, description = "Done", body = Claim))
                        )]
        pub async fn $fn(
            state: web::Data<AppState>,
            caller: Principal,
            id: web::Path<Uuid>,
            Json(body): Json<StepRequest>,
        ) -> Result<web::Json<Claim>, ApiError> {
            step_claim(&state, &caller, id.into_inner(), $action, body).await
        }
    };
}

claim_step!(
    verify_claim,
    "/api/v1/points/claims/{id}/verify",
    ClaimAction::Verify,
    "Step 3 (认定): the group leader or staff confirm the facts and set the points."
);
claim_step!(
    register_claim,
    "/api/v1/points/claims/{id}/register",
    ClaimAction::Register,
    "Step 4 (登记): staff enter the claim in the register."
);
claim_step!(
    publicize_claim,
    "/api/v1/points/claims/{id}/publicize",
    ClaimAction::Publicize,
    "Step 5 (公示): staff post it for `days` (default 3); it is credited when the window closes."
);
claim_step!(
    credit_claim,
    "/api/v1/points/claims/{id}/credit",
    ClaimAction::Credit,
    "Step 6 (充值) by staff, after the window, with no objection open (normally the scheduler does it)."
);
claim_step!(
    reject_claim,
    "/api/v1/points/claims/{id}/reject",
    ClaimAction::Reject,
    "Rejects a claim before it is credited, with a reason (staff; the leader while applied)."
);
