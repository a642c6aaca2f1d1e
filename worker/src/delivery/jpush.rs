//! JPush (极光推送) through its REST API v3: `POST /v3/push` with HTTP Basic auth
//! (`app_key:master_secret`), one request per batch of up to 1000 registration ids. Each push
//! carries what the Android vendors need to take it for a service notice
//! (`options.third_party_channel`: Huawei and Honor importance and category, Xiaomi and OPPO
//! channels, vivo's system-message classification) and a HarmonyOS notification
//! (`notification.hmos`).

use entity::secret::Secret;
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    Endpoint, HARMONY_DEFAULT_CATEGORY, ProviderError, PushMessage, PushProvider, PushReport,
    SERVICE_IMPORTANCE, VIVO_SYSTEM_MESSAGE, Vendor, VendorChannels, scrub, transport_error,
};

/// JPush's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.jpush.cn";
/// Registration ids JPush accepts in one push.
pub const MAX_BATCH: usize = 1000;
/// How long JPush keeps a message for a device that is offline (one day, in seconds).
const TIME_TO_LIVE_SECS: u32 = 86_400;
/// JPush's error code for "cannot find user by this audience". With a `registration_id` audience
/// it means that none of the ids belongs to a device JPush can still reach (the app was
/// uninstalled, or the id expired), so it is an outcome, not a failure: every token is reported
/// invalid for the caller to delete. JPush does not say which ids of a partly valid batch are dead
/// (such a push succeeds), so only a batch that is dead as a whole is cleaned up this way.
/// Credentials of a different app than the devices' would also produce 1011 for every push; a
/// configuration check at start (one test push) is the guard against that, not this client.
const CANNOT_FIND_AUDIENCE: i64 = 1011;
/// Where a tapped HarmonyOS notice opens when it has no in-app link: the app's home page.
const HARMONY_HOME: &str = "action.system.home";

/// The JPush client.
#[derive(Debug, Clone)]
pub struct JPush {
    endpoint: Endpoint,
    app_key: String,
    master_secret: Secret,
    channels: VendorChannels,
    apns_production: bool,
}

impl Vendor for JPush {
    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

impl JPush {
    /// A client for the app `app_key`, talking to [`DEFAULT_BASE_URL`].
    pub fn new(app_key: impl Into<String>, master_secret: Secret) -> Result<Self, reqwest::Error> {
        Ok(Self {
            endpoint: Endpoint::new(DEFAULT_BASE_URL)?,
            app_key: app_key.into(),
            master_secret,
            channels: VendorChannels::default(),
            apns_production: true,
        })
    }

    /// Tells the Android vendors and HarmonyOS what our pushes are (none told by default).
    pub fn with_channels(mut self, channels: VendorChannels) -> Self {
        self.channels = channels;
        self
    }

    /// Sends iOS pushes through APNs' production environment (the default) or, with `false`,
    /// its development one (apps installed from Xcode).
    pub fn with_apns_production(mut self, production: bool) -> Self {
        self.apns_production = production;
        self
    }

    async fn push(
        &self,
        message: &PushMessage,
        tokens: &[String],
    ) -> Result<PushReport, ProviderError> {
        if tokens.is_empty() {
            return Ok(PushReport::default());
        }
        if tokens.len() > MAX_BATCH {
            return Err(ProviderError::Permanent(format!(
                "JPush takes at most {MAX_BATCH} registration ids per push, got {}",
                tokens.len()
            )));
        }
        let response = self
            .endpoint
            .post("/v3/push")
            .basic_auth(&self.app_key, Some(self.master_secret.expose()))
            .json(&request_body(
                message,
                tokens,
                &self.channels,
                self.apns_production,
            ))
            .send()
            .await
            .map_err(|e| transport_error("JPush", e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error("JPush", e))?;
        if status.is_success() {
            let msg_id = serde_json::from_str::<Accepted>(&text)
                .map(|a| a.msg_id.to_string())
                .unwrap_or_default();
            tracing::debug!(%msg_id, devices = tokens.len(), dedupe_key = %message.dedupe_key, "JPush accepted a push");
            return Ok(PushReport::default());
        }
        let error = serde_json::from_str::<Rejected>(&text)
            .ok()
            .map(|r| r.error);
        if error.as_ref().map(|e| e.code) == Some(CANNOT_FIND_AUDIENCE) {
            return Ok(PushReport {
                invalid_tokens: tokens.to_vec(),
            });
        }
        let detail = match error {
            Some(e) => format!(
                ", error {}: {}",
                e.code,
                scrub(&e.message, &[self.master_secret.expose()])
            ),
            None => String::new(),
        };
        let text = format!(
            "JPush rejected a push to {} devices: HTTP {}{detail}",
            tokens.len(),
            status.as_u16()
        );
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            Err(ProviderError::Retryable(text))
        } else {
            Err(ProviderError::Permanent(text))
        }
    }
}

impl PushProvider for JPush {
    fn name(&self) -> &'static str {
        "jpush"
    }

    fn max_batch(&self) -> usize {
        MAX_BATCH
    }

    fn send<'a>(
        &'a self,
        message: &'a PushMessage,
        tokens: &'a [String],
    ) -> BoxFuture<'a, Result<PushReport, ProviderError>> {
        Box::pin(self.push(message, tokens))
    }
}

/// JPush's answer to an accepted push.
#[derive(Deserialize)]
struct Accepted {
    msg_id: Value,
}

/// JPush's answer to a rejected push: `{"error":{"code":1011,"message":"…"}}`.
#[derive(Deserialize)]
struct Rejected {
    error: JPushError,
}

#[derive(Deserialize)]
struct JPushError {
    code: i64,
    #[serde(default)]
    message: String,
}

/// The v3 push payload. `extras` carry the in-app link and the dedupe key, so that the app can
/// open the right page and drop a second copy (a retry after a timeout may deliver twice).
fn request_body(
    message: &PushMessage,
    tokens: &[String],
    channels: &VendorChannels,
    apns_production: bool,
) -> Value {
    let mut extras = Map::new();
    extras.insert("dedupe_key".into(), json!(message.dedupe_key));
    if let Some(link) = &message.link {
        extras.insert("link".into(), json!(link));
    }
    let mut android = json!({
        "alert": message.body,
        "title": message.title,
        "extras": extras,
    });
    let mut ios = json!({
        "alert": { "title": message.title, "body": message.body },
        "extras": extras,
    });
    if message.urgent {
        android["priority"] = json!(2);
        ios["interruption-level"] = json!("time-sensitive");
    }
    let hmos = json!({
        "alert": message.body,
        "title": message.title,
        "category": channels.huawei_category.as_deref().unwrap_or(HARMONY_DEFAULT_CATEGORY),
        "intent": { "url": message.link.as_deref().unwrap_or(HARMONY_HOME) },
        "badge_add_num": 1,
        "extras": extras,
    });
    json!({
        "platform": "all",
        "audience": { "registration_id": tokens },
        "notification": {
            "alert": message.body,
            "android": android,
            "ios": ios,
            "hmos": hmos,
        },
        "options": {
            "apns_production": apns_production,
            "time_to_live": TIME_TO_LIVE_SECS,
            "third_party_channel": third_party_channel(channels),
        },
    })
}

/// `options.third_party_channel`: each vendor's own fields, by JPush's names; ids and categories
/// the app was not granted are left out (the vendor then classifies the push itself).
fn third_party_channel(channels: &VendorChannels) -> Value {
    let mut huawei = json!({ "importance": SERVICE_IMPORTANCE });
    if let Some(category) = &channels.huawei_category {
        huawei["category"] = json!(category);
    }
    let mut vivo = json!({ "classification": VIVO_SYSTEM_MESSAGE });
    if let Some(category) = &channels.vivo_category {
        vivo["category"] = json!(category);
    }
    let mut vendors = Map::new();
    vendors.insert("huawei".into(), huawei);
    vendors.insert("honor".into(), json!({ "importance": SERVICE_IMPORTANCE }));
    vendors.insert("vivo".into(), vivo);
    if let Some(channel) = &channels.xiaomi_channel_id {
        vendors.insert("xiaomi".into(), json!({ "channel_id": channel }));
    }
    let mut oppo = Map::new();
    if let Some(channel) = &channels.oppo_channel_id {
        oppo.insert("channel_id".into(), json!(channel));
    }
    if let Some(category) = &channels.oppo_category {
        oppo.insert("category".into(), json!(category));
    }
    if !oppo.is_empty() {
        vendors.insert("oppo".into(), Value::Object(oppo));
    }
    Value::Object(vendors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(urgent: bool, link: Option<&str>) -> PushMessage {
        PushMessage {
            dedupe_key: "n1:r1".into(),
            title: "停水通知".into(),
            body: "明天 8:00-12:00 停水".into(),
            urgent,
            link: link.map(str::to_owned),
        }
    }

    #[test]
    fn the_body_follows_the_v3_push_api() {
        let body = request_body(
            &message(false, Some("anju://notices/1")),
            &["a".into()],
            &VendorChannels::default(),
            true,
        );
        let extras = json!({ "dedupe_key": "n1:r1", "link": "anju://notices/1" });
        assert_eq!(
            body,
            json!({
                "platform": "all",
                "audience": { "registration_id": ["a"] },
                "notification": {
                    "alert": "明天 8:00-12:00 停水",
                    "android": {
                        "alert": "明天 8:00-12:00 停水",
                        "title": "停水通知",
                        "extras": extras,
                    },
                    "ios": {
                        "alert": { "title": "停水通知", "body": "明天 8:00-12:00 停水" },
                        "extras": extras,
                    },
                    "hmos": {
                        "alert": "明天 8:00-12:00 停水",
                        "title": "停水通知",
                        "category": "MARKETING",
                        "intent": { "url": "anju://notices/1" },
                        "badge_add_num": 1,
                        "extras": extras,
                    },
                },
                "options": {
                    "apns_production": true,
                    "time_to_live": 86400,
                    "third_party_channel": {
                        "huawei": { "importance": "NORMAL" },
                        "honor": { "importance": "NORMAL" },
                        "vivo": { "classification": 1 },
                    },
                },
            })
        );
    }

    #[test]
    fn urgent_messages_get_high_priority() {
        let body = request_body(
            &message(true, None),
            &["a".into()],
            &VendorChannels::default(),
            true,
        );
        assert_eq!(body["notification"]["android"]["priority"], json!(2));
        assert_eq!(
            body["notification"]["ios"]["interruption-level"],
            json!("time-sensitive")
        );
        assert_eq!(
            body["notification"]["android"]["extras"],
            json!({ "dedupe_key": "n1:r1" })
        );
        assert_eq!(
            body["notification"]["hmos"]["intent"],
            json!({ "url": "action.system.home" })
        );
    }

    #[test]
    fn granted_channels_and_categories_reach_their_vendors() {
        let channels = VendorChannels {
            huawei_category: Some("WORK".into()),
            xiaomi_channel_id: Some("131313".into()),
            oppo_channel_id: Some("service_notice".into()),
            oppo_category: Some("TODO".into()),
            vivo_category: Some("TODO".into()),
        };
        let body = request_body(&message(false, None), &["a".into()], &channels, false);
        assert_eq!(
            body["options"]["third_party_channel"],
            json!({
                "huawei": { "importance": "NORMAL", "category": "WORK" },
                "honor": { "importance": "NORMAL" },
                "vivo": { "classification": 1, "category": "TODO" },
                "xiaomi": { "channel_id": "131313" },
                "oppo": { "channel_id": "service_notice", "category": "TODO" },
            })
        );
        assert_eq!(body["notification"]["hmos"]["category"], json!("WORK"));
        assert_eq!(body["options"]["apns_production"], json!(false));
    }
}
