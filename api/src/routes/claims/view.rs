//! A claim as the API shows it (with its steps and photos, each with a signed link), the list of
//! claims in the caller's reach, and one claim.

use entity::{
    claims::{self, ClaimStatus, claim, photo, step},
    points::Category,
};

use crate::{links, routes::prelude::*};

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
    /// Where to fetch it with a bearer header (same authorization as the claim).
    pub href: String,
    /// Where to open it without a header (an `<image src>`): `href` with a signed query, which
    /// opens this one photo until `url_expires_at` (`image_link_seconds`, ten minutes by
    /// default); read the claim again for a fresh one.
    #[schema(
        example = "/api/v1/points/claims/0190b4c8-2f6e-7a1c-9d3e-4b5a6c7d8e9f/photos/1?expires=1764750000&by=0190b4c8-0000-7000-8000-000000000001&signature=4f1c…"
    )]
    pub url: String,
    /// When `url` stops opening.
    pub url_expires_at: DateTime<Utc>,
}

impl Photo {
    /// A photo as shown to `by`, its `url` signed for them.
    pub fn new(m: photo::Model, state: &AppState, by: Uuid) -> Self {
        let href = format!("/api/v1/points/claims/{}/photos/{}", m.claim_id, m.position);
        let link = links::sign(
            &state.pii,
            &super::photos::link_target(m.claim_id, m.position),
            by,
            state.image_link_ttl,
        );
        Self {
            url: format!("{href}?{}", link.query),
            url_expires_at: link.expires_at,
            href,
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
        photos: Some(
            photos
                .into_iter()
                .map(|p| Photo::new(p, &state, caller.account_id))
                .collect(),
        ),
        ..c.into()
    }))
}
