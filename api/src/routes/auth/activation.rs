//! Activation: a resident registered by staff claims an account with an SMS code or a code
//! staff printed.

use entity::{
    identity::{
        accounts::{self, NewAccount},
        codes::{self, CodePurpose},
    },
    kernel::Role,
    secret::Secret,
};

use super::{
    TokenResponse, check_code_from_address, consume_code, new_password, parse_phone, start_session,
};
use crate::routes::prelude::*;

/// A registered resident claims an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The phone number staff registered for the resident.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The six digits from the SMS (purpose `activate`), or the eight digits of an activation
    /// code staff printed for the resident.
    #[schema(value_type = String, example = "123456")]
    pub code: Secret,
    /// The last six characters of the ID number: needed only when several residents without an
    /// account share the phone, to pick the person.
    #[schema(example = "23001X")]
    pub id_card_last6: Option<String>,
    /// The new password.
    #[schema(value_type = String)]
    pub password: Secret,
}

/// A resident registered by staff claims an account: the phone staff registered, a code proving
/// the caller holds it (from `POST /auth/sms-codes`, purpose `activate`, or printed by staff),
/// and a new password. The ID number's last six characters are asked only to tell apart several
/// residents sharing the phone. A wrong code and an unknown or already activated resident get
/// the answers any caller gets, so nothing tells who is registered.
#[problems(
    401 "`sms_code_invalid`, or `activation_failed` (no resident without an account has this number)",
    422 "Malformed input, a password that breaks a rule, or `id_card_last6` needed",
    429 "`sms_code_locked` after five wrong codes, or too many attempts",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/activate", tag = "auth",
    request_body = ActivateRequest,
    responses((status = 201, description = "Activated and logged in", body = TokenResponse))
)]
pub async fn activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let last6 = body.id_card_last6.as_deref().map(parse_last6).transpose()?;
    let password = new_password(&body.password, phone.as_str())?;
    let printed = body.code.expose().trim().len() == codes::PRINTED_CODE_DIGITS;
    let purpose = if printed {
        CodePurpose::PrintedActivation
    } else {
        CodePurpose::Activate
    };
    let challenge =
        check_code_from_address(&state, &req, "activate", &phone, purpose, &body.code).await?;
    let candidates = accounts::activation_candidates(state.db.conn(), &state.pii, &phone).await?;
    let candidate = match challenge.resident_id {
        // A printed code names its resident.
        Some(resident_id) => candidates.into_iter().find(|(r, _)| r.id == resident_id),
        None => pick_candidate(candidates, last6.as_deref())?,
    };
    let Some((candidate, _)) = candidate else {
        return Err(ApiError::ActivationFailed);
    };
    let password_hash = state.passwords.hash(password).await?;
    let txn = state.db.begin().await?;
    consume_code(&txn, &challenge).await?;
    let account = accounts::create(
        &txn,
        NewAccount {
            phone,
            password_hash,
            role: Role::Resident,
            site_id: Some(candidate.site_id),
            resident_id: Some(candidate.id),
        },
    )
    .await
    // The phone is taken by another account, or a concurrent activation won: same answer.
    .map_err(|_| ApiError::ActivationFailed)?;
    let tokens = start_session(&state, &txn, &account).await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(tokens))
}

/// The one candidate the last six characters of the ID number pick (none needed when only one
/// resident without an account has the phone); 422 naming `id_card_last6` when several remain.
pub(super) fn pick_candidate(
    candidates: Vec<(entity::registry::resident::Model, String)>,
    last6: Option<&str>,
) -> Result<Option<(entity::registry::resident::Model, String)>, ApiError> {
    let mut matching: Vec<_> = candidates
        .into_iter()
        .filter(|(_, l6)| last6.is_none_or(|want| want == l6))
        .collect();
    if matching.len() > 1 {
        return Err(ApiError::invalid(
            "id_card_last6",
            "several residents share this phone: give the last 6 characters of the ID number",
        ));
    }
    Ok(matching.pop())
}

/// The last six characters of an ID number: five digits, then a digit or X.
pub(super) fn parse_last6(raw: &str) -> Result<String, ApiError> {
    let last6 = raw.trim().to_ascii_uppercase();
    let bytes = last6.as_bytes();
    if bytes.len() != 6
        || !bytes[..5].iter().all(u8::is_ascii_digit)
        || !(bytes[5].is_ascii_digit() || bytes[5] == b'X')
    {
        return Err(ApiError::invalid(
            "id_card_last6",
            "must be the last 6 characters of the ID number (digits, the last may be X)",
        ));
    }
    Ok(last6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last6_refuses_non_ascii_without_panicking() {
        for bad in [
            "12345",
            "1234567",
            "12345Y",
            "１２３４５６",
            "1234ñ",
            "ñ2345X",
            "é23456",
        ] {
            assert!(parse_last6(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_last6(" 12345x ").unwrap(), "12345X");
    }
}
