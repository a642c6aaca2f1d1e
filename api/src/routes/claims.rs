//! The seven steps of the points scheme over HTTP: calls for claims, claims and their steps,
//! objections during publicity.

use actix_multipart::Multipart;
use actix_web::{HttpMessage, dev::Payload, error::PayloadError, http::header, mime};
use bytes::{Bytes, BytesMut};
use chrono::NaiveDate;
use entity::{
    claims::{
        self, ClaimAction, ClaimStatus, MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoKind, StepInput,
        StoredPhoto, campaign, claim, objection, photo, step,
    },
    points::Category,
};
use futures_util::StreamExt;

use super::common::{create, text};
use super::prelude::*;
use crate::extract::{RawBody, body_limit, declared_length, parse_json, read_body};

/// A call for claims.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// The site (platform administrators; staff: their own).
    pub site_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// Title, up to 100 characters.
    pub title: String,
    /// The rules, up to 2,000 characters.
    pub rules: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Only these groups hear of it (empty: the whole site).
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
}

/// A published call for claims.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Campaign {
    /// Id.
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The category.
    pub category: Category,
    /// Title.
    pub title: String,
    /// The rules.
    pub rules: String,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
}

impl From<campaign::Model> for Campaign {
    fn from(m: campaign::Model) -> Self {
        Self {
            id: m.id,
            site_id: m.site_id,
            category: m.category,
            title: m.title,
            rules: m.rules,
            period_start: m.period_start,
            period_end: m.period_end,
        }
    }
}

/// Publishes a call for claims (step 1, 通知), fanned out to the site or some groups.
#[utoipa::path(
    post, path = "/api/v1/points/campaigns", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body = CampaignRequest,
    responses(
        (status = 201, description = "Published", body = Campaign),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<CampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    let title = text("title", &body.title, 100)?;
    let rules = text("rules", &body.rules, 2000)?;
    let site = body
        .site_id
        .or(caller.scope.site_id())
        .ok_or_else(|| ApiError::invalid("site_id", "required"))?;
    let actor = caller.actor();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let c = claims::create_campaign(
                txn,
                &actor,
                site,
                body.category,
                title,
                rules,
                (body.period_start, body.period_end),
                body.group_ids,
            )
            .await?;
            StoredResponse::json(StatusCode::CREATED, &Campaign::from(c))
        })
    })
    .await
}

/// A claim.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Claim {
    /// Id.
    pub id: Uuid,
    /// The household credited.
    pub household_id: Uuid,
    /// The resident who did it.
    pub resident_id: Uuid,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// What was done.
    pub description: String,
    /// Points (set at verification).
    pub points: Option<i32>,
    /// Status.
    pub status: ClaimStatus,
    /// Why it was rejected.
    pub status_reason: Option<String>,
    /// When the publicity window closes.
    pub publicity_ends_at: Option<DateTime<Utc>>,
    /// Applied for by the group leader.
    pub on_behalf: bool,
    /// Applied at.
    pub created_at: DateTime<Utc>,
    /// Every step so far (on `GET /points/claims/{id}`).
    pub steps: Option<Vec<Step>>,
    /// The photos (on `GET /points/claims/{id}` and when applying).
    pub photos: Option<Vec<Photo>>,
}

/// A photo of a claim.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Photo {
    /// 1 to 3, in the order sent.
    pub position: i16,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i32,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Where to fetch it (same authorization as the claim).
    pub href: String,
}

impl From<photo::Model> for Photo {
    fn from(m: photo::Model) -> Self {
        Self {
            href: format!("/api/v1/points/claims/{}/photos/{}", m.claim_id, m.position),
            position: m.position,
            content_type: m.content_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
        }
    }
}

/// One step of a claim.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Step {
    /// From (empty for the application).
    pub from: String,
    /// To.
    pub to: String,
    /// Who (none: the scheduler).
    pub actor_account_id: Option<Uuid>,
    /// In which role.
    pub actor_role: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<step::Model> for Step {
    fn from(m: step::Model) -> Self {
        Self {
            from: m.from_status,
            to: m.to_status,
            actor_account_id: m.actor_account_id,
            actor_role: m.actor_role,
            reason: m.reason,
            at: m.created_at,
        }
    }
}

impl From<claim::Model> for Claim {
    fn from(m: claim::Model) -> Self {
        Self {
            id: m.id,
            household_id: m.household_id,
            resident_id: m.resident_id,
            campaign_id: m.campaign_id,
            category: m.category,
            description: m.description,
            points: m.points,
            status: m.status,
            status_reason: m.status_reason,
            publicity_ends_at: m.publicity_ends_at,
            on_behalf: m.on_behalf,
            created_at: m.created_at,
            steps: None,
            photos: None,
        }
    }
}

/// An application for points.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The resident (group leaders applying for one; residents: themselves).
    pub resident_id: Option<Uuid>,
    /// The category.
    pub category: Category,
    /// What was done, up to 1,000 characters.
    pub description: String,
    /// The call it answers.
    pub campaign_id: Option<Uuid>,
}

/// Applies for points (step 2, 申请): the resident, or its group leader for it.
///
/// Send `application/json` ([`ClaimRequest`]), or `multipart/form-data` with a part `claim`
/// holding that JSON and up to three parts `photo`: JPEG or PNG images (told by their content,
/// not their name or declared type), at most 2 MiB each.
#[utoipa::path(
    post, path = "/api/v1/points/claims", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body(content(
        (ClaimRequest = "application/json"),
        (ClaimForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Applied", body = Claim),
        (status = 403, description = "Not a resident or its leader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resident in reach", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The form is larger than three photos allow", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor a multipart form", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or photos (named `photos[i]`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn apply_for_points(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, photos) = read_application(&req, payload.into_inner()).await?;
    let description = text("description", &body.description, 1000)?;
    let resident = body
        .resident_id
        .or(caller.resident_id)
        .ok_or_else(|| ApiError::invalid("resident_id", "required"))?;
    let actor = caller.actor();
    let objects = state.objects.clone();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let id = Uuid::now_v7();
            let mut stored = Vec::with_capacity(photos.len());
            for (position, (kind, bytes)) in (1..).zip(photos) {
                let key = format!("claims/{id}/{position}.{}", kind.extension());
                let sha256 = entity::crypto::sha256_hex(&bytes);
                let size_bytes = bytes.len();
                if let Err(e) = objects.put(&key, bytes).await {
                    objects.delete_all(&keys(&stored)).await;
                    return Err(e);
                }
                stored.push(StoredPhoto {
                    object_key: key,
                    kind,
                    size_bytes,
                    sha256,
                });
            }
            let new = claims::NewClaim {
                id,
                resident_id: resident,
                category: body.category,
                description,
                campaign_id: body.campaign_id,
                photos: stored.clone(),
            };
            let applied = claims::apply(txn, &actor, new).await;
            let (c, photos) = match applied {
                Ok(done) => done,
                Err(e) => {
                    objects.delete_all(&keys(&stored)).await;
                    return Err(e.into());
                }
            };
            let claim = Claim {
                photos: Some(photos.into_iter().map(Photo::from).collect()),
                ..Claim::from(c)
            };
            StoredResponse::json(StatusCode::CREATED, &claim)
        })
    })
    .await
}

/// The `multipart/form-data` shape of an application (documentation only: the handler reads
/// the parts itself).
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "documents the multipart form in the OpenAPI schema only"
)]
pub struct ClaimForm {
    /// The application, as JSON.
    claim: ClaimRequest,
    /// Up to three JPEG or PNG photos, at most 2 MiB each.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// The largest `claim` part of a form.
const MAX_CLAIM_PART: usize = 64 * 1024;

/// Reads an application sent as JSON or as a multipart form with photos, checking every photo
/// before anything is stored.
async fn read_application(
    req: &HttpRequest,
    payload: Payload,
) -> Result<(ClaimRequest, Vec<(PhotoKind, Bytes)>), ApiError> {
    let mime = req.mime_type().ok().flatten();
    let declared = declared_length(req);
    match mime.as_ref().map(|m| (m.type_(), m.subtype())) {
        Some((mime::MULTIPART, mime::FORM_DATA)) => {
            let limit = MAX_PHOTOS * MAX_PHOTO_BYTES + MAX_CLAIM_PART + 16 * 1024;
            let body = read_body(payload, limit, declared).await?;
            req.extensions_mut().insert(RawBody(body.clone()));
            read_form(req, body).await
        }
        Some((_, sub))
            if sub == mime::JSON || mime.as_ref().and_then(|m| m.suffix()) == Some(mime::JSON) =>
        {
            let body = read_body(payload, body_limit(req), declared).await?;
            let claim = parse_json(&body)?;
            req.extensions_mut().insert(RawBody(body));
            Ok((claim, Vec::new()))
        }
        _ => Err(ApiError::UnsupportedMediaType {
            expected: "application/json or multipart/form-data",
        }),
    }
}

async fn read_form(
    req: &HttpRequest,
    body: Bytes,
) -> Result<(ClaimRequest, Vec<(PhotoKind, Bytes)>), ApiError> {
    let malformed = |e: actix_multipart::MultipartError| ApiError::MalformedForm(e.to_string());
    let stream = futures_util::stream::once(async move { Ok::<_, PayloadError>(body) });
    let mut form = Multipart::new(req.headers(), stream);
    let mut claim = None;
    let mut photos = Vec::new();
    while let Some(part) = form.next().await {
        let mut part = part.map_err(malformed)?;
        let name = part.name().unwrap_or_default().to_owned();
        let (field, limit) = match name.as_str() {
            "claim" if claim.is_none() => ("claim".to_owned(), MAX_CLAIM_PART),
            "claim" => return Err(ApiError::invalid("claim", "sent more than once")),
            "photo" if photos.len() < MAX_PHOTOS => {
                (format!("photos[{}]", photos.len()), MAX_PHOTO_BYTES)
            }
            "photo" => return Err(ApiError::invalid("photos", "at most 3 photos")),
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown part: expected `claim` and up to three `photo`",
                ));
            }
        };
        let mut data = BytesMut::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if data.len() + chunk.len() > limit {
                return Err(ApiError::invalid(
                    field,
                    if name == "photo" {
                        "must be at most 2 MiB"
                    } else {
                        "must be at most 64 KiB"
                    },
                ));
            }
            data.extend_from_slice(&chunk);
        }
        let data = data.freeze();
        if name == "claim" {
            claim = Some(parse_json::<ClaimRequest>(&data).map_err(|e| {
                match e {
                    ApiError::Validation(errors) => ApiError::Validation(
                        errors
                            .into_iter()
                            .map(|(k, v)| (format!("claim.{k}"), v))
                            .collect(),
                    ),
                    other => other,
                }
            })?);
        } else {
            let kind = PhotoKind::sniff(&data)
                .ok_or_else(|| ApiError::invalid(&field, "must be a JPEG or PNG image"))?;
            // Stored without its metadata (EXIF: where and when it was taken, by which phone).
            let clean = entity::photo_metadata::strip(kind, &data).map_err(|_| {
                ApiError::invalid(&field, "must be a complete, well-formed JPEG or PNG image")
            })?;
            photos.push((kind, Bytes::from(clean)));
        }
    }
    let claim = claim.ok_or_else(|| ApiError::invalid("claim", "required"))?;
    Ok((claim, photos))
}

fn keys(stored: &[StoredPhoto]) -> Vec<String> {
    stored.iter().map(|p| p.object_key.clone()).collect()
}

/// One photo of a claim, for anyone who may see the claim.
#[utoipa::path(
    get, path = "/api/v1/points/claims/{id}/photos/{position}", tag = "points", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Claim id"),
        ("position" = i16, Path, description = "1 to 3"),
    ),
    responses(
        (status = 200, description = "The image (JPEG or PNG)", content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
        )),
        (status = 404, description = "No such claim in reach, or no such photo", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_claim_photo(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i16)>,
) -> Result<HttpResponse, ApiError> {
    let (id, position) = path.into_inner();
    let photos = claims::photos(state.db.conn(), &caller.scope, id).await?;
    let photo = photos
        .into_iter()
        .find(|p| p.position == position)
        .ok_or(ApiError::NotFound)?;
    let bytes = state.objects.get(&photo.object_key).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, photo.content_type))
        .insert_header((header::ETAG, format!("\"{}\"", photo.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

/// Claim list filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// Only this status.
    pub status: Option<ClaimStatus>,
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Claims in the caller's reach (staff: the site; leaders: their groups; residents: their
/// household), newest first.
#[utoipa::path(
    get, path = "/api/v1/points/claims", tag = "points", security(("bearer" = [])),
    params(ClaimQuery),
    responses((status = 200, description = "A page of claims", body = Paginated<Claim>))
)]
pub async fn list_claims(
    state: web::Data<AppState>,
    caller: Principal,
    Query(q): Query<ClaimQuery>,
) -> Result<web::Json<Paginated<Claim>>, ApiError> {
    let page = PageParams::new(q.limit, q.cursor).into_request()?;
    let list = claims::list(state.db.conn(), &caller.scope, q.status, &page).await?;
    Ok(web::Json(list.map(Claim::from).into()))
}

/// One claim with every step.
#[utoipa::path(
    get, path = "/api/v1/points/claims/{id}", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    responses(
        (status = 200, description = "The claim", body = Claim),
        (status = 404, description = "No such claim in reach", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_claim(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Claim>, ApiError> {
    let id = id.into_inner();
    let (c, steps) = claims::get(state.db.conn(), &caller.scope, id).await?;
    let photos = claims::photos(state.db.conn(), &caller.scope, id).await?;
    Ok(web::Json(Claim {
        steps: Some(steps.into_iter().map(Step::from).collect()),
        photos: Some(photos.into_iter().map(Photo::from).collect()),
        ..c.into()
    }))
}

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
        #[utoipa::path(
            post, path = $path, tag = "points", security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Claim id")),
            request_body = StepRequest,
            responses(
                (status = 200, description = "Done", body = Claim),
                (status = 403, description = "This role may not take this step", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such claim in reach", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`illegal_transition`, `objection_pending` or `publicity_open`", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
            )
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

/// An objection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// Why, up to 500 characters.
    pub reason: String,
}

/// An objection and its decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Objection {
    /// Id.
    pub id: Uuid,
    /// The claim.
    pub claim_id: Uuid,
    /// Why.
    pub reason: String,
    /// `pending`, `upheld` or `dismissed`.
    pub status: String,
    /// Decided at.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<objection::Model> for Objection {
    fn from(m: objection::Model) -> Self {
        Self {
            id: m.id,
            claim_id: m.claim_id,
            reason: m.reason,
            status: m.status,
            decided_at: m.decided_at,
        }
    }
}

/// Objects to a publicized claim (any resident of the site).
#[utoipa::path(
    post, path = "/api/v1/points/claims/{id}/objections", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    request_body = ObjectionRequest,
    responses(
        (status = 201, description = "Raised", body = Objection),
        (status = 403, description = "Not a resident", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such publicized claim at the caller's site", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn object_to_claim(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<ObjectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = text("reason", &body.reason, 500)?;
    let txn = state.db.begin().await?;
    let o = claims::object(&txn, &caller.actor(), id.into_inner(), reason).await?;
    txn.commit().await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(Objection::from(o)))
}

/// A decision's reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Why (default: the objection's reason), up to 500 characters.
    pub reason: Option<String>,
}

async fn decide(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    uphold: bool,
    body: DecisionRequest,
) -> Result<web::Json<Objection>, ApiError> {
    let reason = body.reason.map(|r| text("reason", &r, 500)).transpose()?;
    let txn = state.db.begin().await?;
    let o = claims::decide(&txn, &caller.actor(), id, uphold, reason).await?;
    txn.commit().await?;
    Ok(web::Json(o.into()))
}

/// Upholds an objection (staff): the claim is rejected; points already credited are reversed by a
/// correction entry.
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/uphold", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Upheld", body = Objection),
        (status = 404, description = "No such objection in reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn uphold_objection(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<web::Json<Objection>, ApiError> {
    decide(&state, &caller, id.into_inner(), true, body).await
}

/// Dismisses an objection (staff); a claim whose window has closed is then credited.
#[utoipa::path(
    post, path = "/api/v1/points/objections/{id}/dismiss", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Dismissed", body = Objection),
        (status = 404, description = "No such objection in reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`illegal_transition`: already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn dismiss_objection(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<DecisionRequest>,
) -> Result<web::Json<Objection>, ApiError> {
    decide(&state, &caller, id.into_inner(), false, body).await
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/points/campaigns").route(web::post().to(create_campaign)))
        .service(
            web::resource("/points/claims")
                .route(web::post().to(apply_for_points))
                .route(web::get().to(list_claims)),
        )
        .service(web::resource("/points/claims/{id}").route(web::get().to(get_claim)))
        .service(
            web::resource("/points/claims/{id}/photos/{position}")
                .route(web::get().to(get_claim_photo)),
        )
        .service(web::resource("/points/claims/{id}/verify").route(web::post().to(verify_claim)))
        .service(
            web::resource("/points/claims/{id}/register").route(web::post().to(register_claim)),
        )
        .service(
            web::resource("/points/claims/{id}/publicize").route(web::post().to(publicize_claim)),
        )
        .service(web::resource("/points/claims/{id}/credit").route(web::post().to(credit_claim)))
        .service(web::resource("/points/claims/{id}/reject").route(web::post().to(reject_claim)))
        .service(
            web::resource("/points/claims/{id}/objections").route(web::post().to(object_to_claim)),
        )
        .service(
            web::resource("/points/objections/{id}/uphold").route(web::post().to(uphold_objection)),
        )
        .service(
            web::resource("/points/objections/{id}/dismiss")
                .route(web::post().to(dismiss_objection)),
        );
}
