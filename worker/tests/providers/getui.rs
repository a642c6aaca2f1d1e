//! The Getui client against a local server that speaks Getui's RestAPI V2: `/auth` checks the
//! SHA-256 sign with its own code and issues tokens that expire, `/push/single/batch/cid` takes
//! only a live token, refuses a batch holding a cid it cannot push to, and drops a push whose
//! request id it has already seen (as Getui does).

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Mutex,
        atomic::{AtomicI64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use actix_web::{HttpRequest, http::header};
use chrono::Utc;
use entity::secret::Secret;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use worker::delivery::{
    ProviderError, PushMessage, PushProvider, PushReport, Vendor, VendorChannels, getui::Getui,
    with_retries,
};

use crate::{
    fake::{Answer, Fake, Protocol, Reply, dead_url},
    quick_retries,
};

const APP_ID: &str = "pQ8x3Kd2Lm7aBc1DeF9gH0";
const APP_KEY: &str = "Vb4nT6yU8iO0pA2sD4fG6h";
const MASTER_SECRET: &str = "Zx1cV3bN5mQ7wE9rT1yU3i";

/// Getui as far as authentication and batch single pushes go.
struct GetuiApi {
    /// Tokens issued and when each expires (ms since the epoch).
    tokens: Mutex<HashMap<String, i64>>,
    /// How long a new token lives, in ms.
    token_lifetime_ms: AtomicI64,
    issued: AtomicUsize,
    /// Request ids of pushes delivered, and the cids they reached.
    delivered: Mutex<Vec<(String, String)>>,
}

impl GetuiApi {
    fn new(token_lifetime: Duration) -> Self {
        Self {
            tokens: Mutex::new(HashMap::new()),
            token_lifetime_ms: AtomicI64::new(token_lifetime.as_millis() as i64),
            issued: AtomicUsize::new(0),
            delivered: Mutex::new(Vec::new()),
        }
    }
}

fn getui(status: u16, code: i64, msg: &str) -> Answer {
    Answer::new(status, json!({ "code": code, "msg": msg }))
}

fn is_auth(request: &HttpRequest) -> bool {
    request.path() == format!("/v2/{APP_ID}/auth")
}

/// Getui's sign, computed here with `sha2` directly from its documented definition.
fn expected_sign(appkey: &str, timestamp: &str) -> String {
    Sha256::digest(format!("{appkey}{timestamp}{MASTER_SECRET}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What Getui would find wrong with an `/auth` body.
fn auth_problem(p: &Value) -> Option<String> {
    let timestamp = p["timestamp"].as_str()?;
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (Utc::now().timestamp_millis() - t).abs() < 600_000);
    if p["appkey"] != APP_KEY {
        return Some("auth appkey is not the app's".into());
    }
    if !fresh {
        return Some("auth timestamp is not the time in ms".into());
    }
    (p["sign"].as_str() != Some(expected_sign(APP_KEY, timestamp).as_str()))
        .then(|| "auth sign is invalid".into())
}

/// What Getui would find wrong with a `/push/single/batch/cid` body.
fn batch_problem(p: &Value) -> Option<String> {
    let Some(list) = p["msg_list"].as_array() else {
        return Some("msg_list must be an array".into());
    };
    if !p["is_async"].is_boolean() || list.is_empty() || list.len() > 200 {
        return Some("is_async must be a boolean and msg_list hold 1 to 200 pushes".into());
    }
    let ids: BTreeSet<&str> = list
        .iter()
        .filter_map(|m| m["request_id"].as_str())
        .collect();
    if ids.len() != list.len() || ids.iter().any(|id| !(10..=32).contains(&id.len())) {
        return Some("request_id must be 10-32 characters and differ within a batch".into());
    }
    for m in list {
        let cids = m["audience"]["cid"].as_array();
        let notification = &m["push_message"]["notification"];
        let ups = &m["push_channel"]["android"]["ups"];
        let ios = &m["push_channel"]["ios"];
        let chars = |v: &Value, max: usize| v.as_str().is_some_and(|t| t.chars().count() <= max);
        let checks = [
            (
                cids.is_some_and(|c| c.len() == 1 && c[0].is_string()),
                "audience.cid must hold one cid",
            ),
            (
                m["settings"]["ttl"]
                    .as_i64()
                    .is_some_and(|t| (-1..=3 * 86_400_000).contains(&t)),
                "settings.ttl must be -1 to 3 days in ms",
            ),
            (
                chars(&notification["title"], 50) && chars(&notification["body"], 256),
                "notification needs a title (≤ 50) and a body (≤ 256)",
            ),
            (
                match notification["click_type"].as_str() {
                    Some("payload" | "payload_custom") => notification["payload"].is_string(),
                    Some("intent") => notification["intent"].is_string(),
                    Some("url") => notification["url"].is_string(),
                    Some("startapp" | "none") => true,
                    _ => false,
                },
                "notification.click_type must come with what it opens",
            ),
            (
                chars(&ups["notification"]["title"], 50)
                    && chars(&ups["notification"]["body"], 256)
                    && matches!(
                        ups["notification"]["click_type"].as_str(),
                        Some("startapp" | "intent" | "url" | "none")
                    ),
                "ups.notification needs a title, a body and a vendor click_type",
            ),
            (
                ups["options"].as_object().is_some_and(|o| {
                    o.iter().all(|(k, v)| {
                        ["ALL", "HW", "HO", "XM", "OP", "VV", "MZ", "UPS"].contains(&k.as_str())
                            && v.as_object()
                                .is_some_and(|f| f.keys().all(|p| p.starts_with('/')))
                    })
                }),
                "ups.options must map vendors to field paths",
            ),
            (
                ios["type"] == "notify"
                    && ios["aps"]["alert"]["title"].is_string()
                    && ios["aps"]["alert"]["body"].is_string(),
                "ios needs type notify and aps.alert with title and body",
            ),
        ];
        if let Some((_, problem)) = checks.iter().find(|(ok, _)| !ok) {
            return Some((*problem).to_owned());
        }
    }
    None
}

impl Protocol for GetuiApi {
    const PATH: &'static str = "/v2/{app_id}/{call:.*}";

    fn check(&self, request: &HttpRequest, body: &[u8]) -> Result<(), (String, Answer)> {
        let json_content = request
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let payload: Option<Value> = serde_json::from_slice(body).ok();
        let problem = match &payload {
            _ if !request.path().starts_with(&format!("/v2/{APP_ID}/")) => {
                Some("the path does not name the app".to_owned())
            }
            _ if !json_content => Some("content type is not JSON".to_owned()),
            None => Some("body is not JSON".to_owned()),
            Some(p) if is_auth(request) => auth_problem(p),
            Some(_) if request.path() != format!("/v2/{APP_ID}/push/single/batch/cid") => {
                return Err(("unknown call".into(), Answer::new(404, json!({}))));
            }
            Some(_) if request.headers().get("token").is_none() => {
                Some("token header is missing".to_owned())
            }
            Some(p) => batch_problem(p),
        };
        match problem {
            Some(problem) => Err((problem.clone(), getui(400, 20001, &problem))),
            None => Ok(()),
        }
    }

    /// Only pushes are scripted; `/auth` always issues a token.
    fn scripted(&self, request: &HttpRequest) -> bool {
        !is_auth(request)
    }

    fn success(&self, request: &HttpRequest, body: &[u8]) -> Answer {
        let now = Utc::now().timestamp_millis();
        if is_auth(request) {
            let n = self.issued.fetch_add(1, Ordering::SeqCst);
            let token = format!("c4ff7a1e0b9d{n:04}a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6");
            let expire_time = now + self.token_lifetime_ms.load(Ordering::SeqCst);
            self.tokens
                .lock()
                .unwrap()
                .insert(token.clone(), expire_time);
            return Answer::new(
                200,
                json!({ "code": 0, "msg": "success", "data": {
                    "expire_time": expire_time.to_string(), "token": token,
                }}),
            );
        }
        let token = request
            .headers()
            .get("token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let live = self
            .tokens
            .lock()
            .unwrap()
            .get(token)
            .is_some_and(|expires| *expires > now);
        if !live {
            return getui(401, 10001, "token expired or invalid");
        }
        let p: Value = serde_json::from_slice(body).unwrap();
        let list = p["msg_list"].as_array().unwrap();
        if list.iter().any(|m| {
            m["audience"]["cid"][0]
                .as_str()
                .unwrap()
                .starts_with("dead")
        }) {
            return getui(400, 20001, "target user is invalid");
        }
        let mut delivered = self.delivered.lock().unwrap();
        let mut data = serde_json::Map::new();
        for (i, m) in list.iter().enumerate() {
            let id = m["request_id"].as_str().unwrap().to_owned();
            let cid = m["audience"]["cid"][0].as_str().unwrap().to_owned();
            // A request id seen before: Getui drops the push.
            if !delivered.iter().any(|(seen, _)| *seen == id) {
                delivered.push((id, cid.clone()));
            }
            data.insert(
                format!("RASS_0725_{i:04}"),
                json!({ cid: "successed_offline" }),
            );
        }
        Answer::new(200, json!({ "code": 0, "msg": "", "data": data }))
    }
}

fn client(fake: &Fake<GetuiApi>) -> Getui {
    Getui::new(APP_ID, APP_KEY, Secret::new(MASTER_SECRET))
        .unwrap()
        .with_base_url(&fake.url)
}

async fn fake(token_lifetime: Duration) -> Fake<GetuiApi> {
    Fake::start(GetuiApi::new(token_lifetime)).await
}

fn day() -> Duration {
    Duration::from_secs(86_400)
}

fn message() -> PushMessage {
    PushMessage {
        dedupe_key: "0192f0c4-7e55-7a51-9b1e-3d1f2a4b5c6d".into(),
        title: "招聘会提醒".into(),
        body: "明天上午 9 点社区招聘会，请带好身份证".into(),
        urgent: false,
        link: Some("anju://jobs/fairs/12".into()),
    }
}

fn cids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("8d2f9c1b7e3a{i:020x}")).collect()
}

fn pushes(fake: &Fake<GetuiApi>) -> Vec<Value> {
    fake.requests()
        .iter()
        .filter(|r| r.path.ends_with("/push/single/batch/cid"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn auths(fake: &Fake<GetuiApi>) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path.ends_with("/auth"))
        .count()
}

fn delivered(fake: &Fake<GetuiApi>) -> Vec<String> {
    let state = fake_state(fake);
    let mut cids: Vec<String> = state.iter().map(|(_, cid)| cid.clone()).collect();
    cids.sort();
    cids
}

fn fake_state(fake: &Fake<GetuiApi>) -> Vec<(String, String)> {
    fake.protocol().delivered.lock().unwrap().clone()
}

fn request_ids(push: &Value) -> Vec<String> {
    push["msg_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["request_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_push_authenticates_then_sends_one_single_push_per_device() {
    let fake = fake(day()).await;
    let getui = client(&fake).with_channels(VendorChannels {
        huawei_category: Some("WORK".into()),
        ..VendorChannels::default()
    });

    let report = getui.send(&message(), &cids(3)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!(fake.problems(), Vec::<String>::new());
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].path.ends_with("/auth"));
    let token = requests[1].headers.get("token").unwrap().to_str().unwrap();
    assert!(fake.protocol().tokens.lock().unwrap().contains_key(token));
    let push = &pushes(&fake)[0];
    let list = push["msg_list"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[2]["audience"]["cid"], json!([cids(3)[2]]));
    assert_eq!(
        list[0]["push_channel"]["android"]["ups"]["options"]["HW"]["/message/android/category"],
        json!("WORK")
    );
    assert_eq!(
        list[0]["push_channel"]["ios"]["aps"]["alert"]["title"],
        json!("招聘会提醒")
    );
    assert_eq!(delivered(&fake), cids(3));
    assert_eq!(getui.max_batch(), 200);
    fake.stop().await;
}

#[tokio::test]
async fn the_token_is_kept_until_shortly_before_it_expires() {
    let long = fake(day()).await;
    let getui = client(&long);
    getui.send(&message(), &cids(1)).await.unwrap();
    getui.send(&message(), &cids(2)).await.unwrap();
    assert_eq!((auths(&long), pushes(&long).len()), (1, 2));
    long.stop().await;

    // A token two minutes from expiry is too close: each push gets a new one, none is refused.
    let short = fake(Duration::from_secs(120)).await;
    let getui = client(&short);
    getui.send(&message(), &cids(1)).await.unwrap();
    getui.send(&message(), &cids(2)).await.unwrap();
    assert_eq!((auths(&short), pushes(&short).len()), (2, 2));
    assert_eq!(short.problems(), Vec::<String>::new());
    short.stop().await;
}

#[tokio::test]
async fn a_token_getui_calls_invalid_is_renewed_once() {
    let fake = fake(day()).await;
    fake.script([Reply::Answer(getui(401, 10001, "token expired or invalid"))]);
    let getui_client = client(&fake);

    let report = getui_client.send(&message(), &cids(2)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!((auths(&fake), pushes(&fake).len()), (2, 2));
    let tokens: Vec<_> = fake
        .requests()
        .iter()
        .filter_map(|r| r.headers.get("token").cloned())
        .collect();
    assert_ne!(tokens[0], tokens[1]);
    assert_eq!(delivered(&fake), cids(2));

    // Refused again with the new token: one renewal only, and the send is worth retrying later.
    fake.script([
        Reply::Answer(getui(401, 10001, "token expired or invalid")),
        Reply::Answer(getui(401, 10001, "token expired or invalid")),
    ]);
    let error = getui_client.send(&message(), &cids(1)).await.unwrap_err();
    assert!(error.is_retryable(), "{error}");
    assert!(error.to_string().contains("code 10001"), "{error}");
    assert_eq!((auths(&fake), pushes(&fake).len()), (3, 4));
    fake.stop().await;
}

#[tokio::test]
async fn a_server_error_or_busy_answer_is_retried_and_then_succeeds() {
    let fake = fake(day()).await;
    fake.script([
        Reply::Answer(Answer::new(502, json!({ "msg": "Bad Gateway" }))),
        Reply::Answer(getui(
            401,
            10005,
            "the number of calls per minute exceeds the limit",
        )),
    ]);
    let (getui, message, cids) = (client(&fake), message(), cids(3));

    let report = with_retries(quick_retries(), || getui.send(&message, &cids)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!(fake.problems(), Vec::<String>::new());
    let pushes = pushes(&fake);
    assert_eq!(pushes.len(), 3);
    // The same request ids each time, so that Getui could drop a copy that got through.
    assert_eq!(request_ids(&pushes[0]), request_ids(&pushes[2]));
    assert_eq!(delivered(&fake), cids);
    assert_eq!(auths(&fake), 1);
    fake.stop().await;
}

#[tokio::test]
async fn a_retry_after_a_timeout_is_dropped_by_getui_as_a_repeated_request() {
    let fake = fake(day()).await;
    fake.script([Reply::Hang(Duration::from_millis(600))]);
    let (getui, message, cids) = (
        client(&fake).with_timeout(Duration::from_millis(200)),
        message(),
        cids(2),
    );

    let report = with_retries(quick_retries(), || getui.send(&message, &cids)).await;

    assert_eq!(report, Ok(PushReport::default()));
    // Wait for the hung request to land, then see each device reached once.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(pushes(&fake).len(), 2);
    assert_eq!(fake_state(&fake).len(), 2);
    assert_eq!(delivered(&fake), cids);
    fake.stop().await;
}

#[tokio::test]
async fn a_bad_push_is_permanent_and_not_retried_and_secrets_stay_out_of_the_error() {
    let fake = fake(day()).await;
    fake.script([Reply::Answer(getui(
        400,
        20001,
        &format!("title size over limit ({MASTER_SECRET}, user 13812345678)"),
    ))]);
    let (getui, message, cids) = (client(&fake), message(), cids(1));

    let error = with_retries(quick_retries(), || getui.send(&message, &cids))
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    let text = error.to_string();
    assert!(text.contains("HTTP 400, code 20001"), "{text}");
    assert!(
        !text.contains(MASTER_SECRET) && !text.contains("13812345678"),
        "{text}"
    );
    assert_eq!(pushes(&fake).len(), 1);
    fake.stop().await;
}

#[tokio::test]
async fn a_wrong_master_secret_fails_the_sign_and_nothing_is_pushed() {
    let fake = fake(day()).await;
    let wrong = "Wr0ngM4st3rS3cr3t0fTh3App";
    let getui = Getui::new(APP_ID, APP_KEY, Secret::new(wrong))
        .unwrap()
        .with_base_url(&fake.url);

    let error = getui.send(&message(), &cids(1)).await.unwrap_err();

    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert!(error.to_string().contains("token"), "{error}");
    assert!(!error.to_string().contains(wrong));
    assert_eq!(fake.problems(), vec!["auth sign is invalid".to_owned()]);
    assert_eq!(pushes(&fake).len(), 0);
    fake.stop().await;
}

#[tokio::test]
async fn dead_cids_are_found_and_reported_and_the_others_still_pushed() {
    let fake = fake(day()).await;
    let mut batch = cids(2);
    batch.insert(1, "dead0c1d".into());

    let report = client(&fake).send(&message(), &batch).await;

    assert_eq!(
        report,
        Ok(PushReport {
            invalid_tokens: vec!["dead0c1d".into()]
        })
    );
    assert_eq!(delivered(&fake), cids(2));
    // The refused batch, then each device alone.
    assert_eq!(pushes(&fake).len(), 4);
    assert_eq!(fake.problems(), Vec::<String>::new());
    fake.stop().await;
}

#[tokio::test]
async fn batches_are_checked_and_an_unreachable_getui_is_retryable() {
    let fake = fake(day()).await;
    let getui = client(&fake);
    assert_eq!(getui.send(&message(), &[]).await, Ok(PushReport::default()));
    let error = getui.send(&message(), &cids(201)).await.unwrap_err();
    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert!(getui.send(&message(), &cids(200)).await.is_ok());
    assert_eq!(pushes(&fake).len(), 1);
    assert_eq!(fake.problems(), Vec::<String>::new());
    fake.stop().await;

    let unreachable = Getui::new(APP_ID, APP_KEY, Secret::new(MASTER_SECRET))
        .unwrap()
        .with_base_url(dead_url());
    let error = unreachable.send(&message(), &cids(1)).await.unwrap_err();
    assert!(error.is_retryable(), "{error}");
    assert!(!error.to_string().contains(MASTER_SECRET));
}
