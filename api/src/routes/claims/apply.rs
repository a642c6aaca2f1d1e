//! Applying for points (step 2, 申请), as JSON or as a multipart form with up to three photos,
//! which are checked, stripped of their metadata and stored before the claim is.

use actix_multipart::Multipart;
use actix_web::{HttpMessage, dev::Payload, error::PayloadError, mime};
use bytes::Bytes;
use entity::{
    claims::{self, MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoKind, StoredPhoto},
    points::Category,
};
use futures_util::StreamExt;

use super::{
    Claim, Photo,
    photos::{malformed, read_part, read_photo, store},
};
use crate::{
    extract::{RawBody, body_limit, declared_length, parse_json, read_body},
    routes::{
        common::{assist_reason, create, text},
        prelude::*,
    },
};

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
    /// Why a leader or staff member acts for the resident (up to 200 characters; audited).
    /// Only when acting for someone else.
    pub reason: Option<String>,
}

/// Applies for points (step 2, 申请): the resident, or its group leader or the site's staff for
/// it (with an optional `reason`, audited).
///
/// Send `application/json` ([`ClaimRequest`]), or `multipart/form-data` with a part `claim`
/// holding that JSON and up to three parts `photo`: JPEG or PNG images (told by their content,
/// not their name or declared type), at most 2 MiB each.
#[problems(
    403 "Not a resident or its leader",
    404 "No such resident in reach",
    413 "The form is larger than three photos allow",
    415 "Neither JSON nor a multipart form",
    422 "Invalid fields or photos (named `photos[i]`)",
)]
#[utoipa::path(
    post, path = "/api/v1/points/claims", tag = "points", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    request_body(content(
        (ClaimRequest = "application/json"),
        (ClaimForm = "multipart/form-data"),
    )),
    responses((status = 201, description = "Applied", body = Claim))
)]
pub async fn apply_for_points(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, photos) = read_application(&req, payload.into_inner()).await?;
    let description = text("description", &body.description, 1000)?;
    let reason = assist_reason(body.reason.as_deref())?;
    let resident = body
        .resident_id
        .or(caller.resident_id)
        .ok_or_else(|| ApiError::invalid("resident_id", "required"))?;
    let actor = caller.actor();
    let by = caller.account_id;
    let shared = state.clone();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            let id = Uuid::now_v7();
            let mut stored = Vec::with_capacity(photos.len());
            for (position, (kind, bytes)) in (1..).zip(photos) {
                let key = format!("claims/{id}/{position}.{}", kind.extension());
                match store(&shared.objects, key, kind, bytes).await {
                    Ok(photo) => stored.push(photo),
                    Err(e) => {
                        shared.objects.delete_all(&keys(&stored)).await;
                        return Err(e);
                    }
                }
            }
            let new = claims::NewClaim {
                id,
                resident_id: resident,
                category: body.category,
                description,
                campaign_id: body.campaign_id,
                photos: stored.clone(),
                reason,
            };
            let applied = claims::apply(txn, &actor, new).await;
            let (c, photos) = match applied {
                Ok(done) => done,
                Err(e) => {
                    shared.objects.delete_all(&keys(&stored)).await;
                    return Err(e.into());
                }
            };
            let claim = Claim {
                photos: Some(
                    photos
                        .into_iter()
                        .map(|p| Photo::new(p, &shared, by))
                        .collect(),
                ),
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
    let stream = futures_util::stream::once(async move { Ok::<_, PayloadError>(body) });
    let mut form = Multipart::new(req.headers(), stream);
    let mut claim = None;
    let mut photos = Vec::new();
    while let Some(part) = form.next().await {
        let mut part = part.map_err(malformed)?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "claim" if claim.is_none() => {
                let data =
                    read_part(&mut part, "claim", MAX_CLAIM_PART, "must be at most 64 KiB").await?;
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
            }
            "claim" => return Err(ApiError::invalid("claim", "sent more than once")),
            "photo" if photos.len() < MAX_PHOTOS => {
                let field = format!("photos[{}]", photos.len());
                photos.push(read_photo(&mut part, &field).await?);
            }
            "photo" => return Err(ApiError::invalid("photos", "at most 3 photos")),
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown part: expected `claim` and up to three `photo`",
                ));
            }
        }
    }
    let claim = claim.ok_or_else(|| ApiError::invalid("claim", "required"))?;
    Ok((claim, photos))
}

fn keys(stored: &[StoredPhoto]) -> Vec<String> {
    stored.iter().map(|p| p.object_key.clone()).collect()
}
