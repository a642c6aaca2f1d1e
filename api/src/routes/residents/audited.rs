//! The two audited staff actions on a resident that hand out a secret: revealing the full ID
//! number, and printing an activation code.

use entity::registry::ops;

use crate::routes::{common::text, prelude::*};

/// Why a full ID number is needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// The reason, recorded in the audit trail (e.g. 办理低保年审).
    pub reason: String,
}

/// A full ID number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevealedIdCard {
    /// The resident.
    pub resident_id: Uuid,
    /// The full ID number.
    pub id_card_number: String,
}

/// Why an activation code is printed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationCodeRequest {
    /// The reason, recorded in the audit trail (e.g. 老人无智能手机，代为激活).
    pub reason: String,
}

/// A printed activation code: hand it to the resident, who activates with the registered phone
/// and these digits at `POST /auth/activate`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivationCode {
    /// The resident.
    pub resident_id: Uuid,
    /// The registered phone it works with, masked.
    #[schema(example = "138****5678")]
    pub phone: String,
    /// Eight digits, usable once.
    #[schema(value_type = String, example = "40718263")]
    pub code: entity::secret::Secret,
    /// Useless after.
    pub expires_at: DateTime<Utc>,
}

/// Reveals a resident's full ID number (staff of its site only); writes an audit event with the
/// reason.
#[problems(
    403 "Not staff of the resident's site",
    404 "Not in the caller's reach",
    422 "No reason given",
)]
#[utoipa::path(
    post, path = "/api/v1/residents/{id}/id-card/reveal", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = RevealRequest,
    responses((status = 200, description = "The full number", body = RevealedIdCard))
)]
pub async fn reveal_id_card(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<RevealRequest>,
) -> Result<web::Json<RevealedIdCard>, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let number = ops::reveal_id_card(&txn, &caller.actor(), &state.pii, id, reason).await?;
    txn.commit().await?;
    Ok(web::Json(RevealedIdCard {
        resident_id: id,
        id_card_number: number,
    }))
}

/// Prints a one-time activation code for a resident who cannot receive the SMS code (staff of
/// its site; audited with the reason). It works once, within 7 days, with the resident's
/// registered phone only; printing another voids it.
#[problems(
    403 "Not staff",
    404 "Not in the caller's reach",
    409 "`already_activated` or `resident_has_no_phone`",
    422 "No reason given",
)]
#[utoipa::path(
    post, path = "/api/v1/residents/{id}/activation-code", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = ActivationCodeRequest,
    responses((status = 201, description = "The code, shown once", body = ActivationCode))
)]
pub async fn print_activation_code(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ActivationCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let id = id.into_inner();
    let txn = state.db.begin().await?;
    let (code, phone) = entity::identity::codes::print_activation_code(
        &txn,
        &caller.actor(),
        &state.pii,
        id,
        reason,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(ActivationCode {
            resident_id: id,
            phone: phone.masked(),
            code: code.code.into(),
            expires_at: code.expires_at,
        }))
}
