//! One-time codes by SMS: asking for one, and checking and using up a code in the routes it
//! authorises.

use entity::{
    identity::{
        codes::{self, CodeError, CodePurpose},
        sms_code,
    },
    people::Phone,
    secret::Secret,
};
use worker::delivery::Sms;

use super::parse_phone;
use crate::{auth::rate_limit::Subject, routes::prelude::*};

/// What a one-time code is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestedPurpose {
    /// `POST /auth/sms-login`.
    Login,
    /// `POST /auth/activate`.
    Activate,
    /// `POST /auth/password-reset` or `POST /me/password`.
    ResetPassword,
    /// `POST /auth/employers`.
    EmployerSignup,
    /// `POST /auth/wechat/bind`.
    WechatBind,
}

impl RequestedPurpose {
    fn purpose(self) -> CodePurpose {
        match self {
            Self::Login => CodePurpose::Login,
            Self::Activate => CodePurpose::Activate,
            Self::ResetPassword => CodePurpose::ResetPassword,
            Self::EmployerSignup => CodePurpose::EmployerSignup,
            Self::WechatBind => CodePurpose::WechatBind,
        }
    }
}

/// Asks for a one-time code by SMS.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The mobile number to send it to.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// What the code is for; it serves nothing else.
    pub purpose: RequestedPurpose,
}

/// A code is on its way (the same answer whether or not the number has an account).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeSent {
    /// Seconds the code stays valid.
    #[schema(example = 300)]
    pub expires_in: i64,
    /// Seconds before another code may be asked for this number.
    #[schema(example = 60)]
    pub resend_after: i64,
}

/// Checks a code; wrong ones are counted against their challenge whatever happens next.
pub(super) async fn check_code(
    state: &AppState,
    phone: &Phone,
    purpose: CodePurpose,
    code: &Secret,
) -> Result<sms_code::Model, ApiError> {
    let code = code.expose().trim();
    let digits = match purpose {
        CodePurpose::PrintedActivation => codes::PRINTED_CODE_DIGITS,
        _ => codes::SMS_CODE_DIGITS,
    };
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "code",
            format!("must be the {digits} digits of the code"),
        ));
    }
    match codes::check(
        state.db.writer(),
        &state.pii,
        phone,
        purpose,
        code,
        Utc::now(),
    )
    .await?
    {
        Ok(challenge) => Ok(challenge),
        Err(CodeError::Invalid) => Err(ApiError::SmsCodeInvalid),
        Err(CodeError::Locked) => Err(ApiError::SmsCodeLocked),
    }
}

/// The first steps of a route a code authorises: one request counted against the client's
/// address under `action`, then [`check_code`].
pub(crate) async fn check_code_from_address(
    state: &AppState,
    req: &HttpRequest,
    action: &str,
    phone: &Phone,
    purpose: CodePurpose,
    code: &Secret,
) -> Result<sms_code::Model, ApiError> {
    state.limiters.from_address(&state.db, action, req).await?;
    check_code(state, phone, purpose, code).await
}

/// Uses a checked code up in the transaction of what it authorises.
pub(crate) async fn consume_code(
    txn: &sea_orm::DatabaseTransaction,
    challenge: &sms_code::Model,
) -> Result<(), ApiError> {
    if codes::consume(txn, challenge, Utc::now()).await? {
        Ok(())
    } else {
        Err(ApiError::SmsCodeInvalid)
    }
}

/// Sends a one-time code by SMS: six digits, valid 5 minutes, for one purpose. The answer is the
/// same whether or not the number has an account (or is a resident's); at most one code a
/// minute for each purpose and `sms_codes_per_phone_per_day` a day go to one number, and
/// `sms_codes_per_address_per_hour` are sent for one client address.
#[problems(
    422 "Malformed phone number or purpose",
    429 "Too many codes for this number or address; see Retry-After",
    503 "The SMS service did not take the message; try again",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/sms-codes", tag = "auth",
    request_body = CodeRequest,
    responses(
        (status = 202, description = "A code is on its way (if the number can receive it)", body = CodeSent),
    )
)]
pub async fn request_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&body.phone)?;
    let limits = &state.limiters;
    let purpose = body.purpose.purpose();
    // One code a minute per phone and purpose (a new resident may sign up an employer and then
    // activate), and a daily cap per phone over all purposes.
    limits
        .check(
            &state.db,
            &format!("sms_code {}", purpose.as_str()),
            &[(Subject::Phone(&phone), limits.codes_per_phone_minute)],
        )
        .await?;
    let mut budgets = vec![(Subject::Phone(&phone), limits.codes_per_phone_day)];
    if let Some(address) = limits.client_address(&req) {
        budgets.push((Subject::Address(address), limits.codes_per_address));
    }
    limits.check(&state.db, "sms_code", &budgets).await?;
    let issued = codes::issue(state.db.writer(), &state.pii, &phone, purpose, Utc::now()).await?;
    let sms = Sms {
        dedupe_key: format!("sms-code:{}", issued.id),
        phone: phone.as_str().to_owned(),
        template_code: state.sms.code_template.clone(),
        params: serde_json::json!({ "code": issued.code }),
    };
    if let Err(e) = state.sms.provider.send(&sms).await {
        tracing::warn!(error = %e, "a one-time code could not be sent");
        codes::discard(state.db.writer(), issued.id).await?;
        return Err(ApiError::Unavailable("the SMS service"));
    }
    Ok(HttpResponse::Accepted().json(CodeSent {
        expires_in: codes::SMS_CODE_TTL.num_seconds(),
        resend_after: limits.codes_per_phone_minute.window_secs,
    }))
}
