//! WeChat subscription messages and voice notices: each site's templates (staff), the one-time
//! grants the mini-program reports (residents), and the voice-notice mark (staff).

use std::collections::BTreeMap;

use entity::{
    identity::wechat_binding,
    messaging::events::{Fact, NoticeKind},
    notify::{
        voice_mark::{self, VoiceReason},
        wechat_grant, wechat_template,
    },
    registry::ops,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::prelude::*;

/// A site's template for one kind of notice.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WeChatTemplate {
    /// The kind of notice.
    pub kind: NoticeKind,
    /// The template id from the mini-program console.
    pub template_id: String,
    /// Template field key (`thing1`, `time2`, `phrase3`, …) -> the fact that fills it.
    pub fields: BTreeMap<String, Fact>,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl WeChatTemplate {
    fn from_model(m: wechat_template::Model) -> Result<Self, ApiError> {
        let kind = NoticeKind::parse(&m.kind).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("unknown notice kind {} stored", m.kind))
        })?;
        Ok(Self {
            kind,
            fields: entity::error::stored_json(&m.fields, "wechat_template.fields", m.site_id)?,
            template_id: m.template_id,
            updated_at: m.updated_at,
        })
    }
}

/// A template to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeChatTemplateRequest {
    /// The template id from the mini-program console.
    #[schema(example = "Yc0mK5xCkV3mR4dQ7nB2pA9sL1wE6tH8uJ0iO3gF5zX")]
    pub template_id: String,
    /// Template field key -> the fact that fills it, e.g. `{"thing1": "subject", "time2":
    /// "time", "thing3": "place", "phrase4": "status"}`.
    pub fields: BTreeMap<String, Fact>,
}

/// The templates of a site (staff of the site).
#[problems(403 "Not staff", 404 "No such site in reach")]
#[utoipa::path(
    get, path = "/api/v1/sites/{id}/wechat-templates", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The templates", body = [WeChatTemplate]))
)]
pub async fn list_templates(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<WeChatTemplate>>, ApiError> {
    let site_id = id.into_inner();
    ops::get_site(state.db.conn(), &caller.scope, site_id).await?;
    caller.require_staff_of(site_id)?;
    let templates = wechat_template::of_site(state.db.conn(), site_id).await?;
    Ok(web::Json(
        templates
            .into_iter()
            .map(WeChatTemplate::from_model)
            .collect::<Result<_, _>>()?,
    ))
}

/// Saves the site's template for a kind of notice (staff of the site; audited).
#[problems(
    403 "Not staff",
    404 "No such site in reach, or an unknown kind",
    422 "A malformed template id or field map",
)]
#[utoipa::path(
    put, path = "/api/v1/sites/{id}/wechat-templates/{kind}", tag = "notifications", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Site id"),
        ("kind" = NoticeKind, Path, description = "Kind of notice"),
    ),
    request_body = WeChatTemplateRequest,
    responses((status = 200, description = "Saved", body = WeChatTemplate))
)]
pub async fn put_template(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, String)>,
    Json(body): Json<WeChatTemplateRequest>,
) -> Result<web::Json<WeChatTemplate>, ApiError> {
    let (site_id, kind) = path.into_inner();
    let kind = NoticeKind::parse(&kind).ok_or_else(ApiError::not_found)?;
    ops::get_site(state.db.conn(), &caller.scope, site_id).await?;
    let txn = state.db.begin().await?;
    let saved = wechat_template::save(
        &txn,
        &caller.actor(),
        site_id,
        kind,
        body.template_id.trim(),
        &body.fields,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(WeChatTemplate::from_model(saved)?))
}

/// The grants the mini-program obtained from `wx.requestSubscribeMessage`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsRequest {
    /// The template ids the resident accepted (each acceptance allows one message; list an id
    /// twice for two). At most 20.
    pub accepted: Vec<String>,
}

/// What the resident may now be sent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Grant {
    /// The template.
    pub template_id: String,
    /// Messages still allowed.
    pub remaining: i32,
}

/// Records the subscription grants the resident just gave in the mini-program. Only templates
/// of the resident's site count; a resident without a WeChat binding gets 409
/// `wechat_not_bound`.
#[problems(
    403 "Not a resident",
    409 "`wechat_not_bound`",
    422 "Too many, or a template the site does not use",
)]
#[utoipa::path(
    post, path = "/api/v1/me/wechat/grants", tag = "notifications", security(("bearer" = [])),
    request_body = GrantsRequest,
    responses((status = 200, description = "The grants now held", body = [Grant]))
)]
pub async fn report_grants(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<GrantsRequest>,
) -> Result<web::Json<Vec<Grant>>, ApiError> {
    let (Some(_), Some(site_id)) = (caller.resident_id, caller.scope.site_id()) else {
        return Err(ApiError::forbidden("only residents subscribe to notices"));
    };
    if body.accepted.is_empty() || body.accepted.len() > 20 {
        return Err(ApiError::invalid(
            "accepted",
            "must list 1 to 20 template ids",
        ));
    }
    wechat_binding::Entity::find_by_id(caller.account_id)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "wechat_not_bound",
                "bind WeChat first: subscription messages go to the bound WeChat user",
            )
        })?;
    let known: Vec<String> = wechat_template::of_site(state.db.conn(), site_id)
        .await?
        .into_iter()
        .map(|t| t.template_id)
        .collect();
    let mut counts: BTreeMap<&str, i32> = BTreeMap::new();
    for id in &body.accepted {
        if !known.contains(id) {
            return Err(ApiError::invalid(
                "accepted",
                "lists a template the site does not use",
            ));
        }
        *counts.entry(id.as_str()).or_default() += 1;
    }
    let txn = state.db.begin().await?;
    let mut grants = Vec::with_capacity(counts.len());
    for (template_id, count) in counts {
        let remaining = wechat_grant::add(&txn, caller.account_id, template_id, count).await?;
        grants.push(Grant {
            template_id: template_id.to_owned(),
            remaining,
        });
    }
    txn.commit().await?;
    Ok(web::Json(grants))
}

/// A resident's voice-notice mark.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VoiceMark {
    /// Why the resident gets calls; `null`: no calls.
    pub reason: Option<VoiceReason>,
}

/// Marks a resident for voice calls of the most important notices (a seat offered, an
/// interview, a claim's result), or clears the mark (`reason: null`); staff of the resident's
/// site, audited.
#[problems(403 "Not staff", 404 "No such resident in reach", 422 "Unknown reason")]
#[utoipa::path(
    put, path = "/api/v1/residents/{id}/voice-mark", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    request_body = VoiceMark,
    responses((status = 200, description = "Saved", body = VoiceMark))
)]
pub async fn put_voice_mark(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    Json(body): Json<VoiceMark>,
) -> Result<web::Json<VoiceMark>, ApiError> {
    let resident = ops::get_resident(state.db.conn(), &caller.scope, id.into_inner()).await?;
    caller.require_staff_of(resident.site_id)?;
    let txn = state.db.begin().await?;
    let saved = voice_mark::set(
        &txn,
        &caller.actor(),
        resident.site_id,
        resident.id,
        body.reason,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(VoiceMark {
        reason: saved.and_then(|m| VoiceReason::parse(&m.reason)),
    }))
}

/// A resident's voice-notice mark (staff of the resident's site).
#[problems(403 "Not staff", 404 "No such resident in reach")]
#[utoipa::path(
    get, path = "/api/v1/residents/{id}/voice-mark", tag = "registry", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Resident id")),
    responses((status = 200, description = "The mark", body = VoiceMark))
)]
pub async fn get_voice_mark(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<VoiceMark>, ApiError> {
    let resident = ops::get_resident(state.db.conn(), &caller.scope, id.into_inner()).await?;
    caller.require_staff_of(resident.site_id)?;
    let mark = voice_mark::Entity::find()
        .filter(voice_mark::Column::ResidentId.eq(resident.id))
        .one(state.db.conn())
        .await?;
    Ok(web::Json(VoiceMark {
        reason: mark.and_then(|m| VoiceReason::parse(&m.reason)),
    }))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sites/{id}/wechat-templates").route(web::get().to(list_templates)))
        .service(
            web::resource("/sites/{id}/wechat-templates/{kind}").route(web::put().to(put_template)),
        )
        .service(web::resource("/me/wechat/grants").route(web::post().to(report_grants)))
        .service(
            web::resource("/residents/{id}/voice-mark")
                .route(web::get().to(get_voice_mark))
                .route(web::put().to(put_voice_mark)),
        );
}
