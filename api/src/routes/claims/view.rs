//! A claim as the API shows it (with its steps and photos), the list of claims in the caller's
//! reach, one claim, and one of its photos.

use actix_web::http::header;
use entity::{
    claims::{self, ClaimStatus, claim, photo, step},
    points::Category,
};

use crate::routes::prelude::*;

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
    /// The resident's name (lists and views for staff, leaders and the household).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_name: Option<String>,
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
            resident_name: None,
        }
    }
}

/// One photo of a claim, for anyone who may see the claim.
#[problems(404 "No such claim in reach, or no such photo")]
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
        .ok_or(ApiError::not_found())?;
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
    /// Only claims answering this call.
    pub campaign_id: Option<Uuid>,
    /// Only this site (platform administrators).
    pub site_id: Option<Uuid>,
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
    let filter = claims::ClaimFilter {
        status: q.status,
        campaign_id: q.campaign_id,
        site_id: q.site_id,
    };
    let list = claims::list(state.db.conn(), &caller.scope, &filter, &page).await?;
    let names = entity::registry::ops::resident_names(
        state.db.conn(),
        &caller.scope,
        list.items.iter().map(|c| c.resident_id),
    )
    .await?;
    Ok(web::Json(
        list.map(|c| {
            let resident_name = names.get(&c.resident_id).cloned();
            Claim {
                resident_name,
                ..Claim::from(c)
            }
        })
        .into(),
    ))
}

/// One claim with every step.
#[problems(404 "No such claim in reach")]
#[utoipa::path(
    get, path = "/api/v1/points/claims/{id}", tag = "points", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    responses((status = 200, description = "The claim", body = Claim))
)]
pub async fn get_claim(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Claim>, ApiError> {
    let id = id.into_inner();
    let (c, steps) = claims::get(state.db.conn(), &caller.scope, id).await?;
    let photos = claims::photos(state.db.conn(), &caller.scope, id).await?;
    let names =
        entity::registry::ops::resident_names(state.db.conn(), &caller.scope, [c.resident_id])
            .await?;
    Ok(web::Json(Claim {
        resident_name: names.get(&c.resident_id).cloned(),
        steps: Some(steps.into_iter().map(Step::from).collect()),
        photos: Some(photos.into_iter().map(Photo::from).collect()),
        ..c.into()
    }))
}
