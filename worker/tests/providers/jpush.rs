//! The JPush client against a local server that speaks JPush's REST API v3.

use std::time::Duration;

use actix_web::{HttpRequest, http::header};
use base64::{Engine, engine::general_purpose::STANDARD};
use entity::secret::Secret;
use serde_json::{Value, json};
use worker::delivery::{
    ProviderError, PushMessage, PushProvider, PushReport, Vendor, VendorChannels, jpush::JPush,
    with_retries,
};

use crate::{
    fake::{Answer, Fake, Protocol, Reply, dead_url},
    quick_retries,
};

const APP_KEY: &str = "4a1f2e3d5c6b7a8f9e0d1c2b";
const MASTER_SECRET: &str = "m4st3r-s3cr3t-0f-th3-app";

/// JPush as far as `POST /v3/push` goes.
struct JPushApi;

fn jpush_error(status: u16, code: i64, message: &str) -> Answer {
    Answer::new(
        status,
        json!({ "error": { "code": code, "message": message } }),
    )
}

impl Protocol for JPushApi {
    const PATH: &'static str = "/v3/push";

    fn check(&self, request: &HttpRequest, body: &[u8]) -> Result<(), (String, Answer)> {
        let authorized = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|token| STANDARD.decode(token).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .is_some_and(|pair| pair == format!("{APP_KEY}:{MASTER_SECRET}"));
        if !authorized {
            return Err((
                "bad Basic auth".into(),
                jpush_error(401, 1004, "Authen failed"),
            ));
        }
        let json_content = request
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let payload: Option<Value> = serde_json::from_slice(body).ok();
        let problem = match payload {
            _ if !json_content => Some("content type is not JSON".to_owned()),
            None => Some("body is not JSON".to_owned()),
            Some(p) => shape_problem(&p),
        };
        match problem {
            Some(problem) => Err((problem.clone(), jpush_error(400, 1003, &problem))),
            None => Ok(()),
        }
    }

    fn success(&self, _request: &HttpRequest, _body: &[u8]) -> Answer {
        Answer::new(200, json!({ "sendno": "0", "msg_id": "54043195528312345" }))
    }
}

/// Huawei's self-classification categories, as Huawei's message classification standard lists
/// them (written out here, not taken from the client).
const HUAWEI_CATEGORIES: &[&str] = &[
    "IM",
    "VOIP",
    "MISS_CALL",
    "SUBSCRIPTION",
    "TRAVEL",
    "HEALTH",
    "WORK",
    "ACCOUNT",
    "EXPRESS",
    "FINANCE",
    "DEVICE_REMINDER",
    "SYSTEM_REMINDER",
    "MAIL",
    "CUSTOMER_SERVICE",
    "MARKETING",
];

/// What JPush (and the vendors behind it) would find wrong with `options.third_party_channel`.
fn vendor_problem(channels: &Value) -> Option<String> {
    let Some(vendors) = channels.as_object() else {
        return Some("third_party_channel must be an object".into());
    };
    let text_or_absent = |v: &Value| v.is_null() || v.as_str().is_some_and(|t| !t.is_empty());
    for (vendor, fields) in vendors {
        let ok = match vendor.as_str() {
            "huawei" => {
                matches!(
                    fields["importance"].as_str(),
                    Some("LOW" | "NORMAL" | "HIGH")
                ) && (fields["category"].is_null()
                    || fields["category"]
                        .as_str()
                        .is_some_and(|c| HUAWEI_CATEGORIES.contains(&c)))
            }
            "honor" => matches!(fields["importance"].as_str(), Some("LOW" | "NORMAL")),
            "vivo" => {
                matches!(fields["classification"].as_u64(), Some(0 | 1))
                    && text_or_absent(&fields["category"])
            }
            "xiaomi" => fields["channel_id"].as_str().is_some_and(|c| !c.is_empty()),
            "oppo" => text_or_absent(&fields["channel_id"]) && text_or_absent(&fields["category"]),
            _ => false,
        };
        if !ok {
            return Some(format!("third_party_channel.{vendor} is invalid: {fields}"));
        }
    }
    None
}

/// What JPush would find wrong with a v3 push payload for notifications to registration ids.
fn shape_problem(p: &Value) -> Option<String> {
    let ids = p["audience"]["registration_id"].as_array();
    let hmos = &p["notification"]["hmos"];
    let checks = [
        (p["platform"] == "all", "platform must be all"),
        (
            ids.is_some_and(|ids| {
                !ids.is_empty() && ids.len() <= 1000 && ids.iter().all(Value::is_string)
            }),
            "audience.registration_id must be 1 to 1000 strings",
        ),
        (
            p["notification"]["alert"].is_string(),
            "notification.alert must be a string",
        ),
        (
            p["notification"]["android"]["alert"].is_string()
                && p["notification"]["android"]["title"].is_string(),
            "android needs alert and title",
        ),
        (
            p["notification"]["android"]["extras"].is_object()
                && p["notification"]["ios"]["extras"].is_object(),
            "extras must be objects",
        ),
        (
            p["notification"]["ios"]["alert"]["title"].is_string()
                && p["notification"]["ios"]["alert"]["body"].is_string(),
            "ios.alert needs title and body",
        ),
        (
            p["options"]["apns_production"].is_boolean() && p["options"]["time_to_live"].is_u64(),
            "options need apns_production and time_to_live",
        ),
        (
            hmos["alert"].is_string()
                && hmos["category"]
                    .as_str()
                    .is_some_and(|c| HUAWEI_CATEGORIES.contains(&c))
                && hmos["intent"]["url"]
                    .as_str()
                    .is_some_and(|u| !u.is_empty()),
            "hmos needs alert, a Huawei category and intent.url",
        ),
    ];
    checks
        .iter()
        .find(|(ok, _)| !ok)
        .map(|(_, problem)| (*problem).to_owned())
        .or_else(|| vendor_problem(&p["options"]["third_party_channel"]))
}

fn client(fake: &Fake<JPushApi>) -> JPush {
    JPush::new(APP_KEY, Secret::new(MASTER_SECRET))
        .unwrap()
        .with_base_url(&fake.url)
}

fn message() -> PushMessage {
    PushMessage {
        dedupe_key: "0192f0c4-notice:resident-7".into(),
        title: "停水通知".into(),
        body: "明天 8:00-12:00 三号楼停水，请提前储水".into(),
        urgent: true,
        link: Some("anju://notices/42".into()),
    }
}

fn tokens(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("1a0018970a{i:08x}")).collect()
}

#[tokio::test]
async fn a_push_is_authenticated_and_shaped_like_the_v3_api() {
    let fake = Fake::start(JPushApi).await;
    let jpush = client(&fake);

    let report = jpush.send(&message(), &tokens(3)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!(fake.problems(), Vec::<String>::new());
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent["audience"]["registration_id"], json!(tokens(3)));
    assert_eq!(sent["notification"]["android"]["priority"], json!(2));
    assert_eq!(
        sent["notification"]["ios"]["extras"]["link"],
        json!("anju://notices/42")
    );
    assert_eq!(
        sent["notification"]["ios"]["alert"]["body"],
        json!(message().body)
    );
    assert_eq!(jpush.max_batch(), 1000);
    fake.stop().await;
}

#[tokio::test]
async fn vendors_are_told_a_push_is_a_service_notice() {
    let fake = Fake::start(JPushApi).await;
    let jpush = client(&fake)
        .with_channels(VendorChannels {
            huawei_category: Some("WORK".into()),
            xiaomi_channel_id: Some("131313".into()),
            oppo_channel_id: Some("service_notice".into()),
            oppo_category: None,
            vivo_category: Some("TODO".into()),
        })
        .with_apns_production(false);

    let report = jpush.send(&message(), &tokens(2)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!(fake.problems(), Vec::<String>::new());
    let sent: Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
    let vendors = &sent["options"]["third_party_channel"];
    // A Huawei phone gets the category Huawei granted; Honor and Huawei the service importance.
    assert_eq!(vendors["huawei"]["category"], json!("WORK"));
    assert_eq!(vendors["huawei"]["importance"], json!("NORMAL"));
    assert_eq!(vendors["honor"]["importance"], json!("NORMAL"));
    assert_eq!(vendors["xiaomi"], json!({ "channel_id": "131313" }));
    assert_eq!(vendors["oppo"], json!({ "channel_id": "service_notice" }));
    assert_eq!(
        vendors["vivo"],
        json!({ "classification": 1, "category": "TODO" })
    );
    assert_eq!(sent["notification"]["hmos"]["category"], json!("WORK"));
    assert_eq!(
        sent["notification"]["hmos"]["intent"]["url"],
        json!("anju://notices/42")
    );
    assert_eq!(sent["options"]["apns_production"], json!(false));
    fake.stop().await;
}

#[tokio::test]
async fn without_granted_channels_a_push_still_passes_jpush_and_goes_to_production_apns() {
    let fake = Fake::start(JPushApi).await;

    client(&fake).send(&message(), &tokens(1)).await.unwrap();

    assert_eq!(fake.problems(), Vec::<String>::new());
    let sent: Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
    assert_eq!(sent["options"]["apns_production"], json!(true));
    assert!(sent["options"]["third_party_channel"]["xiaomi"].is_null());
    assert_eq!(sent["notification"]["hmos"]["category"], json!("MARKETING"));
    fake.stop().await;
}

#[tokio::test]
async fn a_server_error_is_retried_until_it_succeeds() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Answer(jpush_error(503, 1030, "internal timeout"))]);
    let (jpush, message, tokens) = (client(&fake), message(), tokens(2));

    let report = with_retries(quick_retries(), || jpush.send(&message, &tokens)).await;

    assert_eq!(report, Ok(PushReport::default()));
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(fake.problems(), Vec::<String>::new());
    fake.stop().await;
}

#[tokio::test]
async fn rate_limiting_is_retryable() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Answer(jpush_error(
        429,
        2002,
        "Request times limited",
    ))]);

    let error = client(&fake)
        .send(&message(), &tokens(1))
        .await
        .unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("HTTP 429, error 2002"),
        "{error}"
    );
    fake.stop().await;
}

#[tokio::test]
async fn a_bad_request_is_permanent_and_not_retried() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Answer(jpush_error(
        400,
        1005,
        "msg content too long",
    ))]);
    let (jpush, message, tokens) = (client(&fake), message(), tokens(1));

    let error = with_retries(quick_retries(), || jpush.send(&message, &tokens))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        ProviderError::Permanent(
            "JPush rejected a push to 1 devices: HTTP 400, error 1005: msg content too long".into()
        )
    );
    assert_eq!(fake.requests().len(), 1);
    fake.stop().await;
}

#[tokio::test]
async fn wrong_credentials_are_permanent_and_the_secret_stays_out_of_the_error() {
    let fake = Fake::start(JPushApi).await;
    let wrong = "wr0ng-m4st3r-s3cr3t";
    let jpush = JPush::new(APP_KEY, Secret::new(wrong))
        .unwrap()
        .with_base_url(&fake.url);

    let error = jpush.send(&message(), &tokens(1)).await.unwrap_err();

    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert!(
        error.to_string().contains("HTTP 401, error 1004"),
        "{error}"
    );
    assert!(!error.to_string().contains(wrong));
    assert_eq!(fake.problems(), vec!["bad Basic auth".to_owned()]);
    fake.stop().await;
}

#[tokio::test]
async fn an_echoed_secret_or_phone_number_is_scrubbed_from_the_error() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Answer(jpush_error(
        400,
        1003,
        &format!("bad request from {APP_KEY}:{MASTER_SECRET} for user 13812345678"),
    ))]);

    let error = client(&fake)
        .send(&message(), &tokens(1))
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(!text.contains(MASTER_SECRET), "{text}");
    assert!(!text.contains("13812345678"), "{text}");
    assert!(text.contains("138****5678"), "{text}");
    fake.stop().await;
}

#[tokio::test]
async fn a_slow_answer_is_a_retryable_timeout() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Hang(Duration::from_secs(3))]);
    let jpush = client(&fake).with_timeout(Duration::from_millis(200));

    let error = jpush.send(&message(), &tokens(1)).await.unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("did not answer in time"),
        "{error}"
    );
    fake.stop().await;
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let jpush = JPush::new(APP_KEY, Secret::new(MASTER_SECRET))
        .unwrap()
        .with_base_url(dead_url());

    let error = jpush.send(&message(), &tokens(1)).await.unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert!(!error.to_string().contains(MASTER_SECRET));
}

#[tokio::test]
async fn code_1011_reports_every_token_invalid() {
    let fake = Fake::start(JPushApi).await;
    fake.script([Reply::Answer(jpush_error(
        400,
        1011,
        "cannot find user by this audience",
    ))]);

    let report = client(&fake).send(&message(), &tokens(5)).await;

    assert_eq!(
        report,
        Ok(PushReport {
            invalid_tokens: tokens(5)
        })
    );
    fake.stop().await;
}

#[tokio::test]
async fn batches_are_checked_before_anything_is_sent() {
    let fake = Fake::start(JPushApi).await;
    let jpush = client(&fake);

    assert_eq!(jpush.send(&message(), &[]).await, Ok(PushReport::default()));
    let error = jpush.send(&message(), &tokens(1001)).await.unwrap_err();
    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert!(jpush.send(&message(), &tokens(1000)).await.is_ok());

    assert_eq!(fake.requests().len(), 1);
    assert_eq!(fake.problems(), Vec::<String>::new());
    fake.stop().await;
}
