//! A resident's devices (push tokens) and notification preferences.

use entity::notify::{
    device,
    preference::{self, Preferences, parse_time},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::OnConflict};

use super::prelude::*;

/// The app's platform.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Android.
    Android,
    /// iOS.
    Ios,
    /// HarmonyOS.
    Harmonyos,
}

/// The push service the token belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PushProviderName {
    /// JPush (reaches Android vendor channels and iOS).
    Jpush,
    /// Getui.
    Getui,
    /// Huawei Push Kit.
    Huawei,
    /// Xiaomi push.
    Xiaomi,
    /// Apple Push Notification service.
    Apns,
    /// Firebase Cloud Messaging.
    Fcm,
}

impl PushProviderName {
    fn as_str(self) -> &'static str {
        match self {
            Self::Jpush => "jpush",
            Self::Getui => "getui",
            Self::Huawei => "huawei",
            Self::Xiaomi => "xiaomi",
            Self::Apns => "apns",
            Self::Fcm => "fcm",
        }
    }
}

/// A device to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceRequest {
    /// Platform.
    pub platform: Platform,
    /// Push service.
    pub provider: PushProviderName,
    /// The push service's registration token.
    #[schema(value_type = String)]
    pub token: entity::secret::Secret,
}

/// A registered device.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Device {
    /// Id.
    pub id: Uuid,
    /// Platform.
    pub platform: String,
    /// Push service.
    pub provider: String,
    /// Registered at.
    pub created_at: DateTime<Utc>,
}

/// Quiet hours, China time.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// Start, `HH:MM`.
    #[schema(example = "22:00")]
    pub start: String,
    /// End, `HH:MM`.
    #[schema(example = "07:00")]
    pub end: String,
}

/// Notification preferences.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// Category -> on/off (`broadcast`, `job`, `activity`, `points`, …); unlisted categories are on.
    #[serde(default)]
    pub categories: std::collections::BTreeMap<String, bool>,
    /// Push notifications.
    pub push: bool,
    /// SMS (only for residents without the app).
    pub sms: bool,
    /// Quiet hours (`null`: none). Push waits until they end; the inbox fills at once.
    pub quiet_hours: Option<QuietHours>,
    /// Urgent notices (e.g. a waiting-list seat offer) are pushed during quiet hours.
    pub urgent_bypasses_quiet_hours: bool,
}

fn resident_of(caller: &Principal) -> Result<Uuid, ApiError> {
    caller.resident_id.ok_or(ApiError::forbidden(
        "only residents register devices and preferences",
    ))
}

/// Registers the caller's device for push (a token already known moves to the caller). A device of
/// a push service this deployment does not send through is refused, since it would get nothing.
#[problems(
    403 "Not a resident",
    422 "Invalid fields, or `push_provider_unavailable`: no push service here reaches this provider",
)]
#[utoipa::path(
    post, path = "/api/v1/me/devices", tag = "notifications", security(("bearer" = [])),
    request_body = DeviceRequest,
    responses((status = 201, description = "Registered", body = Device))
)]
pub async fn register_device(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<DeviceRequest>,
) -> Result<HttpResponse, ApiError> {
    let resident = resident_of(&caller)?;
    let token = body.token.expose().trim().to_owned();
    if token.is_empty() || token.len() > 255 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "token",
            "must be 1–255 visible ASCII characters",
        ));
    }
    let provider = body.provider.as_str();
    if !state.push_routing.reaches(provider) {
        return Err(ApiError::PushProviderUnavailable {
            provider,
            available: state.push_routing.describe(),
        });
    }
    let now = Utc::now();
    let platform = serde_json::to_value(body.platform)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    device::Entity::insert(device::ActiveModel {
        id: Set(Uuid::now_v7()),
        resident_id: Set(resident),
        platform: Set(platform),
        provider: Set(provider.to_owned()),
        token: Set(token.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([device::Column::Provider, device::Column::Token])
            .update_columns([
                device::Column::ResidentId,
                device::Column::Platform,
                device::Column::LastSeenAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(state.db.writer())
    .await?;
    let row = device::Entity::find()
        .filter(device::Column::Provider.eq(provider))
        .filter(device::Column::Token.eq(token))
        .one(state.db.writer())
        .await?
        .ok_or(ApiError::not_found())?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(Device {
        id: row.id,
        platform: row.platform,
        provider: row.provider,
        created_at: row.created_at,
    }))
}

/// Unregisters one of the caller's devices: it gets no more pushes.
#[problems(
    403 "Not a resident",
    404 "No such device of the caller's",
)]
#[utoipa::path(
    delete, path = "/api/v1/me/devices/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Device id (from `POST /me/devices`)")),
    responses((status = 204, description = "Unregistered"))
)]
pub async fn delete_device(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let resident = resident_of(&caller)?;
    let deleted = device::Entity::delete_many()
        .filter(device::Column::Id.eq(id.into_inner()))
        .filter(device::Column::ResidentId.eq(resident))
        .exec(state.db.writer())
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}

fn to_body(p: Preferences) -> PreferencesBody {
    PreferencesBody {
        categories: p
            .categories
            .into_iter()
            .filter_map(|(k, v)| v.as_bool().map(|b| (k, b)))
            .collect(),
        push: p.push,
        sms: p.sms,
        quiet_hours: p.quiet.map(|(a, b)| QuietHours {
            start: a.format("%H:%M").to_string(),
            end: b.format("%H:%M").to_string(),
        }),
        urgent_bypasses_quiet_hours: p.urgent_bypass,
    }
}

/// The caller's notification preferences (defaults until changed).
#[problems(403 "Not a resident")]
#[utoipa::path(
    get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "Preferences", body = PreferencesBody))
)]
pub async fn get_preferences(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<PreferencesBody>, ApiError> {
    let resident = resident_of(&caller)?;
    let stored = preference::Entity::find_by_id(resident)
        .one(state.db.conn())
        .await?;
    Ok(web::Json(to_body(
        stored
            .map(Preferences::try_from)
            .transpose()?
            .unwrap_or_default(),
    )))
}

/// Replaces the caller's notification preferences.
#[problems(
    403 "Not a resident",
    422 "Invalid fields",
)]
#[utoipa::path(
    put, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = PreferencesBody,
    responses((status = 200, description = "Saved", body = PreferencesBody))
)]
pub async fn put_preferences(
    state: web::Data<AppState>,
    caller: Principal,
    Json(body): Json<PreferencesBody>,
) -> Result<web::Json<PreferencesBody>, ApiError> {
    let resident = resident_of(&caller)?;
    let quiet = match &body.quiet_hours {
        None => None,
        Some(q) => {
            let start = parse_time(&q.start)
                .ok_or_else(|| ApiError::invalid("quiet_hours.start", "must be HH:MM"))?;
            let end = parse_time(&q.end)
                .ok_or_else(|| ApiError::invalid("quiet_hours.end", "must be HH:MM"))?;
            Some((start, end))
        }
    };
    if body.categories.len() > 50 || body.categories.keys().any(|k| k.is_empty() || k.len() > 40) {
        return Err(ApiError::invalid(
            "categories",
            "at most 50 categories of 1–40 characters",
        ));
    }
    let model = preference::ActiveModel {
        resident_id: Set(resident),
        categories: Set(serde_json::to_value(&body.categories).unwrap_or_default()),
        push: Set(body.push),
        sms: Set(body.sms),
        quiet_start: Set(quiet.map(|(a, _)| a.format("%H:%M").to_string())),
        quiet_end: Set(quiet.map(|(_, b)| b.format("%H:%M").to_string())),
        urgent_bypasses_quiet_hours: Set(body.urgent_bypasses_quiet_hours),
        updated_at: Set(Utc::now()),
    };
    preference::Entity::insert(model)
        .on_conflict(
            OnConflict::column(preference::Column::ResidentId)
                .update_columns([
                    preference::Column::Categories,
                    preference::Column::Push,
                    preference::Column::Sms,
                    preference::Column::QuietStart,
                    preference::Column::QuietEnd,
                    preference::Column::UrgentBypassesQuietHours,
                    preference::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(state.db.writer())
        .await?;
    Ok(web::Json(body))
}

/// Registers the routes of this group.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/me/devices").route(web::post().to(register_device)))
        .service(web::resource("/me/devices/{id}").route(web::delete().to(delete_device)))
        .service(
            web::resource("/me/notification-preferences")
                .route(web::get().to(get_preferences))
                .route(web::put().to(put_preferences)),
        );
}
