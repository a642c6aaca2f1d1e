//! Employers: sign-up, and review by staff (verify, reject, suspend).

use entity::{
    identity::{
        accounts::{self, NewAccount},
        password::Password,
    },
    kernel::Role,
    people::{CreditCode, Phone},
    recruitment::employer::{
        self, EmployerScope, EmployerStatus,
        EmployerStatus::{Rejected, Suspended, Verified},
        NewEmployer,
    },
    secret::Secret,
};

use super::common::{text, text_field};
use super::prelude::*;
use worker::delivery::Sms;

/// An organisation signing up to post jobs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerSignUp {
    /// Organisation name.
    pub organisation_name: String,
    /// Unified social credit code (统一社会信用代码, GB 32100).
    #[schema(example = "91350100M000100Y43")]
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Login phone.
    pub phone: String,
    /// The code sent to the login phone (`POST /auth/sms-codes`, purpose `employer_signup`);
    /// required.
    #[schema(value_type = String, example = "123456")]
    pub code: Option<Secret>,
    /// Login password.
    #[schema(value_type = String)]
    pub password: Secret,
}

/// A sign-up was received. The answer is the same whether or not the login phone was free.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignUpReceived {
    /// Always `received`.
    #[schema(example = "received")]
    pub status: String,
    /// What happens next.
    pub detail: String,
}

/// An employer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Employer {
    /// Id.
    pub id: Uuid,
    /// Organisation name.
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Review status.
    pub status: EmployerStatus,
    /// Why it was rejected or suspended.
    pub status_reason: Option<String>,
    /// Signed up at.
    pub created_at: DateTime<Utc>,
}

impl From<employer::Model> for Employer {
    fn from(m: employer::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            credit_code: m.credit_code,
            contact_name: m.contact_name,
            contact_phone: m.contact_phone,
            status: m.status,
            status_reason: m.status_reason,
            created_at: m.created_at,
        }
    }
}

/// Employer list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmployerQuery {
    /// Only this status.
    pub status: Option<EmployerStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A decision's reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why (shown to the employer).
    pub reason: String,
}

fn scope(caller: &Principal) -> Result<EmployerScope, ApiError> {
    match (caller.role, caller.employer_id) {
        (Role::Staff | Role::SiteAdmin | Role::PlatformAdmin, _) => Ok(EmployerScope::All),
        (Role::Employer, Some(id)) => Ok(EmployerScope::Own(id)),
        _ => Err(ApiError::forbidden(
            "only staff and employers see employers",
        )),
    }
}

fn require_reviewer(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Staff | Role::SiteAdmin | Role::PlatformAdmin => Ok(()),
        _ => Err(ApiError::forbidden("only community staff review employers")),
    }
}

/// Signs an employer up (status `pending` until staff verify it); log in afterwards with the
/// login phone and password. The login phone must be proved with a code. The answer is 202
/// whether the phone was free (the account is created) or already belongs to an account or a
/// registered resident (nothing is created; an SMS tells the phone's holder to log in or reset
/// the password), so sign-up never tells who has an account.
#[problems(
    401 "`sms_code_invalid`",
    409 "`credit_code_taken`",
    422 "Invalid fields, each named",
    429 "Too many attempts, or `sms_code_locked`",
)]
#[utoipa::path(
    post, path = "/api/v1/auth/employers", tag = "employers",
    request_body = EmployerSignUp,
    responses(
        (status = 202, description = "Received (the same answer for a free and a taken phone)", body = SignUpReceived),
    )
)]
pub async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<EmployerSignUp>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let name = text_field(
        &mut errors,
        "organisation_name",
        &body.organisation_name,
        200,
    );
    let contact_name = text_field(&mut errors, "contact_name", &body.contact_name, 50);
    let credit_code = CreditCode::parse(&body.credit_code)
        .map_err(|e| errors.insert("credit_code".into(), e.to_string()))
        .ok();
    let contact_phone = Phone::parse(&body.contact_phone)
        .map_err(|e| errors.insert("contact_phone".into(), e.to_string()))
        .ok();
    let phone = Phone::parse(&body.phone)
        .map_err(|e| errors.insert("phone".into(), e.to_string()))
        .ok();
    let password = Password::parse(body.password.expose(), phone.as_ref().map(Phone::as_str))
        .map_err(|rule| errors.insert("password".into(), rule.to_string()))
        .ok();
    let code = body.code.clone().or_else(|| {
        errors.insert(
            "code".into(),
            "required: the code sent to the login phone (POST /auth/sms-codes)".into(),
        );
        None
    });
    let (
        Some(name),
        Some(contact_name),
        Some(credit_code),
        Some(contact_phone),
        Some(phone),
        Some(password),
        Some(code),
    ) = (
        name,
        contact_name,
        credit_code,
        contact_phone,
        phone,
        password,
        code,
    )
    else {
        return Err(ApiError::Validation(errors));
    };
    let challenge = super::auth::check_code_from_address(
        &state,
        &req,
        "employer_signup",
        &phone,
        entity::identity::codes::CodePurpose::EmployerSignup,
        &code,
    )
    .await?;
    // An organisation's registration is public: refused the same for every phone.
    if employer::credit_code_taken(state.db.conn(), &credit_code).await? {
        return Err(ApiError::conflict(
            "credit_code_taken",
            "an employer with this unified social credit code is already registered",
        ));
    }
    // Hashed on both paths, so that the answer takes as long either way.
    let password_hash = state.passwords.hash(password).await?;
    let txn = state.db.begin().await?;
    super::auth::consume_code(&txn, &challenge).await?;
    let taken = accounts::phone_in_use(&txn, &phone).await?;
    if !taken {
        let account = accounts::create(
            &txn,
            NewAccount {
                phone: phone.clone(),
                password_hash,
                role: Role::Employer,
                site_id: None,
                resident_id: None,
            },
        )
        .await?;
        employer::create(
            &txn,
            NewEmployer {
                account_id: account.id,
                name,
                credit_code,
                contact_name,
                contact_phone,
            },
        )
        .await?;
    }
    txn.commit().await?;
    if taken {
        // Sent after the answer, so that the answer takes no longer for a taken phone.
        let sms = Sms {
            dedupe_key: format!("employer-signup-taken:{}", challenge.id),
            phone: phone.as_str().to_owned(),
            template_code: state.sms.notice_template.clone(),
            params: serde_json::json!({ "title": PHONE_TAKEN_NOTICE }),
        };
        let provider = state.sms.provider.clone();
        tokio::spawn(async move {
            if let Err(e) = provider.send(&sms).await {
                tracing::warn!(error = %e, "the phone-taken notice could not be sent");
            }
        });
    }
    Ok(HttpResponse::Accepted().json(SignUpReceived {
        status: "received".into(),
        detail: "If the login phone was free, the employer account now exists and waits for \
                 review: log in with the phone and password. If the phone already had an \
                 account, an SMS to it says so."
            .into(),
    }))
}

/// What the holder of a phone that already has an account is told when someone signs up an
/// employer with it.
pub const PHONE_TAKEN_NOTICE: &str = "该手机号已注册安居账号，请直接登录或找回密码";

/// Employers: staff see all (filter by status to find those awaiting review); an employer sees
/// itself.
#[problems(403 "Residents and partners see no employers")]
#[utoipa::path(
    get, path = "/api/v1/employers", tag = "employers", security(("bearer" = [])),
    params(EmployerQuery),
    responses((status = 200, description = "A page of employers", body = Paginated<Employer>))
)]
pub async fn list_employers(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<EmployerQuery>,
) -> Result<web::Json<Paginated<Employer>>, ApiError> {
    let scope = scope(&caller)?;
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let employers = employer::list(state.db.conn(), scope, q.status, &page).await?;
    Ok(web::Json(employers.map(Employer::from).into()))
}

/// One employer.
#[problems(404 "Not in the caller's reach")]
#[utoipa::path(
    get, path = "/api/v1/employers/{id}", tag = "employers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employer id")),
    responses((status = 200, description = "The employer", body = Employer))
)]
pub async fn get_employer(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Employer>, ApiError> {
    let employer = employer::get(state.db.conn(), scope(&caller)?, id.into_inner()).await?;
    Ok(web::Json(employer.into()))
}

/// A review decision: the reason (rejecting, suspending) is checked first, then the caller.
async fn decide(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    next: EmployerStatus,
    reason: Option<&str>,
) -> Result<web::Json<Employer>, ApiError> {
    let reason = reason.map(|r| text("reason", r, 500)).transpose()?;
    require_reviewer(caller)?;
    let txn = state.db.begin().await?;
    let employer = employer::review(&txn, caller.account_id, caller.role, id, next, reason).await?;
    txn.commit().await?;
    Ok(web::Json(employer.into()))
}

/// Verifies an employer (staff): it may now submit jobs.
#[problems(
    403 "Not staff",
    404 "No such employer",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/employers/{id}/verify", tag = "employers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employer id")),
    responses((status = 200, description = "Verified", body = Employer))
)]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Employer>, ApiError> {
    decide(&state, &caller, *id, Verified, None).await
}

/// Rejects a pending employer with a reason (staff).
#[problems(
    403 "Not staff",
    404 "No such employer",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/employers/{id}/reject", tag = "employers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employer id")),
    request_body = Reason,
    responses((status = 200, description = "Rejected", body = Employer))
)]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<Reason>,
) -> Result<web::Json<Employer>, ApiError> {
    decide(&state, &caller, *id, Rejected, Some(&body.reason)).await
}

/// Suspends a verified employer with a reason (staff).
#[problems(
    403 "Not staff",
    404 "No such employer",
    409 "`illegal_transition`",
)]
#[utoipa::path(
    post, path = "/api/v1/employers/{id}/suspend", tag = "employers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employer id")),
    request_body = Reason,
    responses((status = 200, description = "Suspended", body = Employer))
)]
pub async fn suspend(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<Reason>,
) -> Result<web::Json<Employer>, ApiError> {
    decide(&state, &caller, *id, Suspended, Some(&body.reason)).await
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/employers").route(web::post().to(sign_up)))
        .service(web::resource("/employers").route(web::get().to(list_employers)))
        .service(web::resource("/employers/{id}").route(web::get().to(get_employer)))
        .service(web::resource("/employers/{id}/verify").route(web::post().to(verify)))
        .service(web::resource("/employers/{id}/reject").route(web::post().to(reject)))
        .service(web::resource("/employers/{id}/suspend").route(web::post().to(suspend)));
}
