//! Getui (个推) through its RestAPI V2, which uni-push 1.0 and 2.0 use. A token comes from
//! `POST /v2/{appId}/auth`, signed with the SHA-256 of app key, timestamp and master secret; it is
//! kept until shortly before it expires and renewed once when Getui calls it invalid (10001).
//! Pushes go as batches of single pushes (`POST /v2/{appId}/push/single/batch/cid`, up to
//! [`MAX_BATCH`] devices), each with a request id derived from the delivery's dedupe key and the
//! device: Getui drops a second push with a request id it has seen, so a send retried after a
//! timeout does not reach a phone twice. Each push carries Getui's own notification, the Android
//! vendors' (`push_channel.android.ups`, with the classification fields that keep a notice from
//! being taken for marketing) and APNs' (`push_channel.ios`).

use std::sync::Arc;

use chrono::Utc;
use entity::secret::Secret;
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::{
    Endpoint, ProviderError, PushMessage, PushProvider, PushReport, SERVICE_IMPORTANCE,
    VIVO_SYSTEM_MESSAGE, Vendor, VendorChannels, scrub, transport_error,
};

/// Getui's API host.
pub const DEFAULT_BASE_URL: &str = "https://restapi.getui.com";
/// Pushes Getui accepts in one batch (`msg_list`).
pub const MAX_BATCH: usize = 200;
/// How long Getui keeps a push for a device that is offline (one day, in milliseconds).
const TIME_TO_LIVE_MS: u64 = 86_400_000;
/// A token is renewed this long before Getui says it expires, so that none expires in flight.
const TOKEN_MARGIN_MS: i64 = 5 * 60 * 1000;
/// Getui's code for a token that is wrong or has expired.
const TOKEN_INVALID: i64 = 10001;
/// Getui's codes for "try later": the service is starting, too many authentications this minute,
/// too many calls this minute.
const BUSY: &[i64] = &[2, 10003, 10005];
/// Getui's code for an invalid parameter; with [`INVALID_TARGET`] as message, a device id (cid)
/// that is wrong, unknown or of another app.
const INVALID_PARAMETER: i64 = 20001;
/// Getui's message for a cid it cannot push to.
const INVALID_TARGET: &str = "target user is invalid";

/// The Getui client. Clones share one token.
#[derive(Debug, Clone)]
pub struct Getui {
    endpoint: Endpoint,
    app_id: String,
    app_key: String,
    master_secret: Secret,
    channels: VendorChannels,
    token: Arc<Mutex<Option<Token>>>,
}

/// A token from `/auth` and when Getui lets it expire.
#[derive(Debug, Clone)]
struct Token {
    value: Secret,
    expires_at_ms: i64,
}

impl Token {
    /// Whether it is still good for a request made now.
    fn fresh(&self) -> bool {
        Utc::now().timestamp_millis() + TOKEN_MARGIN_MS < self.expires_at_ms
    }
}

impl Vendor for Getui {
    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

/// Getui's answer to every call: `{"code":0,"msg":"…","data":…}`.
#[derive(Debug, Deserialize)]
struct Answer {
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Value,
}

/// An HTTP exchange with Getui: the status and, when the body is Getui's JSON, its answer.
struct Reply {
    status: StatusCode,
    answer: Option<Answer>,
}

impl Reply {
    fn succeeded(&self) -> bool {
        self.status.is_success() && self.answer.as_ref().is_some_and(|a| a.code == 0)
    }

    fn code(&self) -> Option<i64> {
        self.answer.as_ref().map(|a| a.code)
    }
}

/// The data of a successful `/auth`.
#[derive(Deserialize)]
struct Issued {
    token: String,
    /// Milliseconds since the epoch; Getui writes it as a string.
    expire_time: Value,
}

impl Getui {
    /// A client for the app `app_id`, talking to [`DEFAULT_BASE_URL`].
    pub fn new(
        app_id: impl Into<String>,
        app_key: impl Into<String>,
        master_secret: Secret,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            endpoint: Endpoint::new(DEFAULT_BASE_URL)?,
            app_id: app_id.into(),
            app_key: app_key.into(),
            master_secret,
            channels: VendorChannels::default(),
            token: Arc::new(Mutex::new(None)),
        })
    }

    /// Tells the Android vendors what our pushes are (none told by default).
    pub fn with_channels(mut self, channels: VendorChannels) -> Self {
        self.channels = channels;
        self
    }

    /// Values that must never appear in an error text.
    fn hidden<'a>(&'a self, token: Option<&'a Secret>) -> Vec<&'a str> {
        let mut hidden = vec![self.master_secret.expose()];
        hidden.extend(token.map(Secret::expose));
        hidden
    }

    /// `POST /v2/{appId}{path}` with `body`, and the token header when given.
    async fn post(
        &self,
        path: &str,
        token: Option<&Secret>,
        body: &Value,
    ) -> Result<Reply, ProviderError> {
        let mut request = self
            .endpoint
            .post(&format!("/v2/{}{path}", self.app_id))
            .json(body);
        if let Some(token) = token {
            request = request.header("token", token.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error("Getui", e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error("Getui", e))?;
        Ok(Reply {
            status,
            answer: serde_json::from_str(&text).ok(),
        })
    }

    /// A new token from `/auth`.
    async fn authenticate(&self) -> Result<Token, ProviderError> {
        let timestamp = Utc::now().timestamp_millis().to_string();
        let sign = sign(&self.app_key, &timestamp, self.master_secret.expose());
        let reply = self
            .post(
                "/auth",
                None,
                &json!({ "sign": sign, "timestamp": timestamp, "appkey": self.app_key }),
            )
            .await?;
        if !reply.succeeded() {
            return Err(self.refusal("Getui refused to issue a token", &reply, None));
        }
        let issued = reply
            .answer
            .and_then(|a| serde_json::from_value::<Issued>(a.data).ok())
            .and_then(|issued| {
                let expires_at_ms = match &issued.expire_time {
                    Value::String(text) => text.parse().ok(),
                    other => other.as_i64(),
                }?;
                Some(Token {
                    value: Secret::new(issued.token),
                    expires_at_ms,
                })
            });
        issued.ok_or_else(|| {
            ProviderError::Retryable("Getui issued a token in a form we do not read".into())
        })
    }

    /// The token to use now: the kept one while it is fresh, else a new one.
    async fn token(&self) -> Result<Secret, ProviderError> {
        let mut kept = self.token.lock().await;
        if let Some(token) = kept.as_ref().filter(|t| t.fresh()) {
            return Ok(token.value.clone());
        }
        let token = self.authenticate().await?;
        let value = token.value.clone();
        *kept = Some(token);
        Ok(value)
    }

    /// A token other than `refused`: one another request already renewed, or a new one.
    async fn renew(&self, refused: &Secret) -> Result<Secret, ProviderError> {
        let mut kept = self.token.lock().await;
        if let Some(token) = kept
            .as_ref()
            .filter(|t| t.fresh() && t.value.expose() != refused.expose())
        {
            return Ok(token.value.clone());
        }
        *kept = None;
        let token = self.authenticate().await?;
        let value = token.value.clone();
        *kept = Some(token);
        Ok(value)
    }

    /// A call that needs a token; when Getui calls the token invalid, once more with a new one.
    async fn call(&self, path: &str, body: &Value) -> Result<(Reply, Secret), ProviderError> {
        let token = self.token().await?;
        let reply = self.post(path, Some(&token), body).await?;
        if reply.code() != Some(TOKEN_INVALID) {
            return Ok((reply, token));
        }
        tracing::debug!("Getui called the token invalid; renewing it");
        let token = self.renew(&token).await?;
        let reply = self.post(path, Some(&token), body).await?;
        Ok((reply, token))
    }

    /// A refused call as an error: busy, throttled or failing on Getui's side is worth another
    /// try, the rest is not.
    fn refusal(&self, what: &str, reply: &Reply, token: Option<&Secret>) -> ProviderError {
        let detail = match &reply.answer {
            Some(a) => format!(", code {}: {}", a.code, scrub(&a.msg, &self.hidden(token))),
            None => String::new(),
        };
        let text = format!("{what}: HTTP {}{detail}", reply.status.as_u16());
        let busy = reply.code().is_some_and(|c| BUSY.contains(&c))
            // A token Getui refuses right after issuing it: its own trouble, not ours.
            || reply.code() == Some(TOKEN_INVALID);
        if busy || reply.status.is_server_error() || reply.status == StatusCode::TOO_MANY_REQUESTS {
            ProviderError::Retryable(text)
        } else {
            ProviderError::Permanent(text)
        }
    }

    /// One batch request. `Ok(None)` when Getui refused the batch for a device id it cannot
    /// push to, without saying which.
    async fn send_batch(
        &self,
        message: &PushMessage,
        tokens: &[String],
    ) -> Result<Option<()>, ProviderError> {
        let body = batch_body(message, tokens, &self.channels);
        let (reply, token) = self.call("/push/single/batch/cid", &body).await?;
        if reply.succeeded() {
            let statuses = reply
                .answer
                .as_ref()
                .and_then(|a| a.data.as_object())
                .map(|tasks| {
                    tasks
                        .values()
                        .filter_map(Value::as_object)
                        .flat_map(|cids| cids.values())
                        .filter_map(Value::as_str)
                        .fold(Map::new(), |mut counts, status| {
                            let n = counts.get(status).and_then(Value::as_u64).unwrap_or(0);
                            counts.insert(status.to_owned(), json!(n + 1));
                            counts
                        })
                })
                .unwrap_or_default();
            let statuses = Value::Object(statuses).to_string();
            tracing::debug!(devices = tokens.len(), dedupe_key = %message.dedupe_key, %statuses, "Getui accepted a push");
            return Ok(Some(()));
        }
        let invalid_target = reply.answer.as_ref().is_some_and(|a| {
            a.code == INVALID_PARAMETER && a.msg.to_ascii_lowercase().contains(INVALID_TARGET)
        });
        if invalid_target {
            return Ok(None);
        }
        Err(self.refusal(
            &format!("Getui rejected a push to {} devices", tokens.len()),
            &reply,
            Some(&token),
        ))
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
                "Getui takes at most {MAX_BATCH} pushes per batch, got {}",
                tokens.len()
            )));
        }
        if self.send_batch(message, tokens).await?.is_some() {
            return Ok(PushReport::default());
        }
        // Getui refused the batch for a dead device without naming it: each device alone tells.
        // Those pushed here carry the request ids of the refused batch, which sent nothing.
        let mut report = PushReport::default();
        for token in tokens {
            let one = std::slice::from_ref(token);
            if self.send_batch(message, one).await?.is_none() {
                report.invalid_tokens.push(token.clone());
            }
        }
        Ok(report)
    }
}

impl PushProvider for Getui {
    fn name(&self) -> &'static str {
        "getui"
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

/// `/auth`'s `sign`: lower-case hex SHA-256 of app key, timestamp and master secret, joined.
fn sign(app_key: &str, timestamp: &str, master_secret: &str) -> String {
    entity::crypto::hex(&Sha256::digest(format!(
        "{app_key}{timestamp}{master_secret}"
    )))
}

/// The request id of the push of delivery `dedupe_key` to device `cid`: 32 hex characters (Getui
/// takes 10 to 32), the same on every retry.
fn request_id(dedupe_key: &str, cid: &str) -> String {
    let mut id = entity::crypto::hex(&Sha256::digest(format!("{dedupe_key}\n{cid}")));
    id.truncate(32);
    id
}

/// The batch: one single push per device, all alike but for the device and the request id.
fn batch_body(message: &PushMessage, tokens: &[String], channels: &VendorChannels) -> Value {
    let mut extras = Map::new();
    extras.insert("dedupe_key".into(), json!(message.dedupe_key));
    if let Some(link) = &message.link {
        extras.insert("link".into(), json!(link));
    }
    // The app reads the link and the dedupe key from the payload (Getui's channel and iOS).
    let payload = Value::Object(extras).to_string();
    let mut aps = json!({
        "alert": { "title": message.title, "body": message.body },
        "content-available": 0,
        "sound": "default",
    });
    if message.urgent {
        aps["interruption-level"] = json!("time-sensitive");
    }
    let push_channel = json!({
        "android": {
            "ups": {
                // Vendors open the app itself: an in-app page would need an intent naming the
                // app's package and activity, which is the app's business, not the server's.
                "notification": {
                    "title": message.title,
                    "body": message.body,
                    "click_type": "startapp",
                },
                "options": vendor_options(channels),
            },
        },
        "ios": {
            "type": "notify",
            "payload": payload,
            "aps": aps,
            "auto_badge": "+1",
        },
    });
    let msg_list: Vec<Value> = tokens
        .iter()
        .map(|cid| {
            json!({
                "request_id": request_id(&message.dedupe_key, cid),
                "settings": { "ttl": TIME_TO_LIVE_MS },
                "audience": { "cid": [cid] },
                "push_message": {
                    "notification": {
                        "title": message.title,
                        "body": message.body,
                        "click_type": "payload",
                        "payload": payload,
                    },
                },
                "push_channel": push_channel,
            })
        })
        .collect();
    json!({ "is_async": false, "msg_list": msg_list })
}

/// `push_channel.android.ups.options`: each vendor's own fields by the paths Getui passes on (HW
/// Huawei, HO Honor, XM Xiaomi, OP OPPO, VV vivo); ids and categories the app was not granted are
/// left out.
fn vendor_options(channels: &VendorChannels) -> Value {
    let mut huawei = Map::new();
    huawei.insert(
        "/message/android/notification/importance".into(),
        json!(SERVICE_IMPORTANCE),
    );
    if let Some(category) = &channels.huawei_category {
        huawei.insert("/message/android/category".into(), json!(category));
    }
    let mut vivo = Map::new();
    vivo.insert("/classification".into(), json!(VIVO_SYSTEM_MESSAGE));
    if let Some(category) = &channels.vivo_category {
        vivo.insert("/category".into(), json!(category));
    }
    let mut options = Map::new();
    options.insert("HW".into(), Value::Object(huawei));
    options.insert(
        "HO".into(),
        json!({ "/android/notification/importance": SERVICE_IMPORTANCE }),
    );
    options.insert("VV".into(), Value::Object(vivo));
    if let Some(channel) = &channels.xiaomi_channel_id {
        options.insert("XM".into(), json!({ "/extra.channel_id": channel }));
    }
    let mut oppo = Map::new();
    if let Some(channel) = &channels.oppo_channel_id {
        oppo.insert("/channel_id".into(), json!(channel));
    }
    if let Some(category) = &channels.oppo_category {
        oppo.insert("/category".into(), json!(category));
    }
    if !oppo.is_empty() {
        options.insert("OP".into(), Value::Object(oppo));
    }
    Value::Object(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(urgent: bool) -> PushMessage {
        PushMessage {
            dedupe_key: "0192f0c4-notice".into(),
            title: "停水通知".into(),
            body: "明天 8:00-12:00 停水".into(),
            urgent,
            link: Some("anju://notices/1".into()),
        }
    }

    #[test]
    fn the_sign_is_the_hex_sha256_of_key_timestamp_and_secret() {
        // sha256("appkey1593683838000secret"), computed with Python's hashlib.
        assert_eq!(
            sign("appkey", "1593683838000", "secret"),
            "fb13f36a0bf68744678ac141972e33159bd4eb519eb3bfb35b6b7a3ec46308ea"
        );
    }

    #[test]
    fn request_ids_are_stable_per_delivery_and_device_and_fit_getui() {
        let a = request_id("n1", "cid-a");
        assert_eq!(a, request_id("n1", "cid-a"));
        assert_ne!(a, request_id("n1", "cid-b"));
        assert_ne!(a, request_id("n2", "cid-a"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn each_device_gets_a_single_push_with_vendor_and_ios_fields() {
        let channels = VendorChannels {
            huawei_category: Some("WORK".into()),
            xiaomi_channel_id: Some("131313".into()),
            ..VendorChannels::default()
        };
        let body = batch_body(&message(true), &["a".into(), "b".into()], &channels);
        assert_eq!(body["is_async"], json!(false));
        let list = body["msg_list"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["audience"], json!({ "cid": ["b"] }));
        assert_ne!(list[0]["request_id"], list[1]["request_id"]);
        let payload = json!({ "dedupe_key": "0192f0c4-notice", "link": "anju://notices/1" });
        assert_eq!(
            serde_json::from_str::<Value>(
                list[0]["push_message"]["notification"]["payload"]
                    .as_str()
                    .unwrap()
            )
            .unwrap(),
            payload
        );
        let ups = &list[0]["push_channel"]["android"]["ups"];
        assert_eq!(
            ups["options"],
            json!({
                "HW": {
                    "/message/android/notification/importance": "NORMAL",
                    "/message/android/category": "WORK",
                },
                "HO": { "/android/notification/importance": "NORMAL" },
                "VV": { "/classification": 1 },
                "XM": { "/extra.channel_id": "131313" },
            })
        );
        assert_eq!(
            list[0]["push_channel"]["ios"]["aps"]["interruption-level"],
            json!("time-sensitive")
        );
    }
}
