//! A claim's photos over HTTP: the checks every uploaded photo passes (whether it comes with the
//! application or on its own), adding one photo to a claim that awaits verification (what a
//! WeChat mini-program's `wx.uploadFile` sends: one file a request), and serving one, to a
//! bearer caller who may see the claim or to whoever holds its signed link (an `<image src>`
//! sends no header).

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::{FromRequest, HttpMessage, dev::Payload, error::PayloadError, http::header, mime};
use bytes::{Bytes, BytesMut};
use entity::{
    claims::{self, MAX_PHOTO_BYTES, PhotoKind, StoredPhoto, photo},
    kernel::Scope,
};
use futures_util::StreamExt;

use super::Photo;
use crate::{
    extract::{RawBody, declared_length, parse_query, read_body},
    links::SignedQuery,
    objects::Objects,
    routes::{
        common::{assist_reason, create},
        prelude::*,
    },
};

/// What a signed link to photo `position` of claim `claim_id` opens, as [`crate::links::sign`]
/// names it.
pub(super) fn link_target(claim_id: Uuid, position: i16) -> String {
    format!("photo|{claim_id}|{position}")
}

/// Reads one part of a form, up to `limit` bytes (422 naming `field` with `too_big` beyond).
pub(super) async fn read_part(
    part: &mut Field,
    field: &str,
    limit: usize,
    too_big: &str,
) -> Result<Bytes, ApiError> {
    let mut data = BytesMut::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(malformed)?;
        if data.len() + chunk.len() > limit {
            return Err(ApiError::invalid(field, too_big));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data.freeze())
}

/// Reads a photo part and checks it as every claim photo is checked: at most 2 MiB, a JPEG or a
/// PNG by its content (never by its name or declared type), well-formed; it comes back stripped
/// of its metadata (EXIF: where and when it was taken, by which phone). Refusals are 422 naming
/// `field`.
pub(super) async fn read_photo(
    part: &mut Field,
    field: &str,
) -> Result<(PhotoKind, Bytes), ApiError> {
    let data = read_part(part, field, MAX_PHOTO_BYTES, "must be at most 2 MiB").await?;
    let kind = PhotoKind::sniff(&data)
        .ok_or_else(|| ApiError::invalid(field, "must be a JPEG or PNG image"))?;
    let clean = entity::photo_metadata::strip(kind, &data).map_err(|_| {
        ApiError::invalid(field, "must be a complete, well-formed JPEG or PNG image")
    })?;
    Ok((kind, Bytes::from(clean)))
}

/// Writes a checked photo to the object store under `key`.
pub(super) async fn store(
    objects: &Objects,
    key: String,
    kind: PhotoKind,
    bytes: Bytes,
) -> Result<StoredPhoto, ApiError> {
    let sha256 = entity::crypto::sha256_hex(&bytes);
    let size_bytes = bytes.len();
    objects.put(&key, bytes).await?;
    Ok(StoredPhoto {
        object_key: key,
        kind,
        size_bytes,
        sha256,
    })
}

/// A form that does not parse (400 `malformed_body`).
pub(super) fn malformed(e: MultipartError) -> ApiError {
    ApiError::MalformedForm(e.to_string())
}

/// The `multipart/form-data` of one photo (documentation only: the handler reads the parts
/// itself).
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "documents the multipart form in the OpenAPI schema only"
)]
pub struct PhotoForm {
    /// One JPEG or PNG photo, at most 2 MiB.
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    /// Why a leader or staff member who filed the claim adds it (up to 200 characters; audited).
    /// Only when acting for someone else.
    reason: Option<String>,
}

/// The largest `reason` part.
const MAX_REASON_PART: usize = 4 * 1024;

/// An uploaded photo, checked, with its optional reason.
struct Upload {
    kind: PhotoKind,
    bytes: Bytes,
    reason: Option<String>,
}

/// Adds one photo to a claim that awaits verification, as its next position (three at most).
///
/// By the resident the claim is for, or the leader or staff member who filed it for them (with
/// an optional `reason`, audited as `claim.photo`), while the claim is `applied`. A
/// `multipart/form-data` form with one file part `photo` (a JPEG or PNG, told by its content,
/// at most 2 MiB, stored without its metadata) and an optional text part `reason`: what a
/// WeChat mini-program's `wx.uploadFile` sends with `name: "photo"`.
///
/// With an `Idempotency-Key`, a retry with the same photo and reason replays the first response
/// (whatever boundary the retried form uses), links as first issued.
#[problems(
    403 "Neither the resident the claim is for nor whoever filed it",
    404 "No such claim in reach",
    409 "`claim_closed`: the claim is no longer awaiting verification",
    413 "The form is larger than one photo allows",
    415 "Not a multipart form",
    422 "An invalid photo or reason, another part, or a fourth photo (named `photo`)",
)]
#[utoipa::path(
    post, path = "/api/v1/points/claims/{id}/photos", tag = "points", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Claim id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request"),
    ),
    request_body(content((PhotoForm = "multipart/form-data"))),
    responses((status = 201, description = "Added as the claim's next photo", body = Photo))
)]
pub async fn add_claim_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let Upload {
        kind,
        bytes,
        reason,
    } = read_upload(&req, payload.into_inner()).await?;
    let actor = caller.actor();
    let by = caller.account_id;
    let shared = state.clone();
    create(&req, &state, &caller, move |txn| {
        Box::pin(async move {
            // Its own key: the position is only known once the claim is locked.
            let key = format!("claims/{id}/{}.{}", Uuid::now_v7(), kind.extension());
            let stored = store(&shared.objects, key, kind, bytes).await?;
            match claims::add_photo(txn, &actor, id, &stored, reason).await {
                Ok(row) => StoredResponse::json(StatusCode::CREATED, &Photo::new(row, &shared, by)),
                Err(e) => {
                    shared.objects.delete_all(&[stored.object_key]).await;
                    Err(e.into())
                }
            }
        })
    })
    .await
}

/// Reads and checks the form of one photo. For the idempotency fingerprint the request's body is
/// what the form says (the photo's digest and the reason), not its bytes: a retried upload comes
/// with another boundary.
async fn read_upload(req: &HttpRequest, payload: Payload) -> Result<Upload, ApiError> {
    let mime = req.mime_type().ok().flatten();
    if mime.as_ref().map(|m| (m.type_(), m.subtype())) != Some((mime::MULTIPART, mime::FORM_DATA)) {
        return Err(ApiError::UnsupportedMediaType {
            expected: "multipart/form-data",
        });
    }
    let limit = MAX_PHOTO_BYTES + MAX_REASON_PART + 16 * 1024;
    let body = read_body(payload, limit, declared_length(req)).await?;
    let stream = futures_util::stream::once(async move { Ok::<_, PayloadError>(body) });
    let mut form = Multipart::new(req.headers(), stream);
    let (mut photo, mut reason) = (None, None);
    while let Some(part) = form.next().await {
        let mut part = part.map_err(malformed)?;
        match part.name().unwrap_or_default() {
            "photo" if photo.is_none() => photo = Some(read_photo(&mut part, "photo").await?),
            "photo" => return Err(ApiError::invalid("photo", "one photo per request")),
            "reason" if reason.is_none() => {
                let data = read_part(
                    &mut part,
                    "reason",
                    MAX_REASON_PART,
                    "must be at most 200 characters",
                )
                .await?;
                let text = std::str::from_utf8(&data)
                    .map_err(|_| ApiError::invalid("reason", "must be UTF-8 text"))?;
                let text = entity::text::clean(text)
                    .map_err(|e| ApiError::invalid("reason", e.to_string()))?;
                reason = Some(text.into_owned());
            }
            "reason" => return Err(ApiError::invalid("reason", "sent more than once")),
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown part: expected one `photo` and an optional `reason`",
                ));
            }
        }
    }
    let (kind, bytes) = photo.ok_or_else(|| ApiError::invalid("photo", "required"))?;
    let reason = assist_reason(reason.as_deref())?;
    let fingerprint = format!(
        "photo {}\nreason {}",
        entity::crypto::sha256_hex(&bytes),
        reason.as_deref().unwrap_or("")
    );
    req.extensions_mut()
        .insert(RawBody(Bytes::from(fingerprint.into_bytes())));
    Ok(Upload {
        kind,
        bytes,
        reason,
    })
}

/// One photo of a claim, by bearer header or by the photo's signed `url`.
///
/// With a bearer header: for anyone who may see the claim. Without one: from the photo's signed
/// `url` (`expires`, `by`, `signature`), which opens that one photo until it expires
/// (`image_link_seconds`, ten minutes by default; then 401 `link_expired`, and `link_invalid`
/// for a changed link). A signed response is `Cache-Control: private` for the link's remaining
/// life and `Referrer-Policy: no-referrer`.
#[problems(
    401 "No bearer token and no signed link; `link_expired` or `link_invalid`",
    404 "No such claim in reach, or no such photo",
)]
#[utoipa::path(
    get, path = "/api/v1/points/claims/{id}/photos/{position}", tag = "points",
    security(("bearer" = []), ()),
    params(
        ("id" = Uuid, Path, description = "Claim id"),
        ("position" = i16, Path, description = "1 to 3"),
        ("expires" = Option<i64>, Query, description = "Signed link (the photo's `url`): Unix time after which it no longer opens"),
        ("by" = Option<Uuid>, Query, description = "Signed link: the account it was issued to"),
        ("signature" = Option<String>, Query, description = "Signed link: its signature; with it no bearer header is needed"),
    ),
    responses(
        (status = 200, description = "The image (JPEG or PNG)", content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
        )),
    )
)]
pub async fn get_claim_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i16)>,
) -> Result<HttpResponse, ApiError> {
    let (id, position) = path.into_inner();
    let signed =
        form_urlencoded::parse(req.query_string().as_bytes()).any(|(k, _)| k == "signature");
    let (photo, caching) = if signed {
        let q: SignedQuery = parse_query(req.query_string())?;
        let left = q.verify(
            &state.pii,
            &link_target(id, position),
            "this link has expired; load the claim again for a fresh one",
        )?;
        // The link was issued to someone who could see the claim: it opens the photo it names.
        let photo = one(&state, &Scope::All, id, position).await?;
        (photo, Some(left))
    } else {
        let caller = Principal::extract(&req).await?;
        (one(&state, &caller.scope, id, position).await?, None)
    };
    let bytes = state.objects.get(&photo.object_key).await?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, photo.content_type))
        .insert_header((header::ETAG, format!("\"{}\"", photo.sha256)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    match caching {
        // Kept no longer than the link opens, and the link is never sent on as a referrer.
        Some(left) => response
            .insert_header((header::CACHE_CONTROL, format!("private, max-age={left}")))
            .insert_header((header::REFERRER_POLICY, "no-referrer")),
        None => {
            response.insert_header((header::CACHE_CONTROL, "private, max-age=86400, immutable"))
        }
    };
    Ok(response.body(bytes))
}

/// Photo `position` of claim `id` as `scope` reaches it (404 otherwise).
async fn one(
    state: &AppState,
    scope: &Scope,
    id: Uuid,
    position: i16,
) -> Result<photo::Model, ApiError> {
    claims::photos(state.db.conn(), scope, id)
        .await?
        .into_iter()
        .find(|p| p.position == position)
        .ok_or_else(ApiError::not_found)
}
