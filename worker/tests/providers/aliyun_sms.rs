//! The Aliyun SMS client against a local server that speaks the RPC `SendSms` API and verifies
//! signature v1 with its own implementation (URL-encode, then patch `+`, `*` and `%7E`, as
//! Aliyun's Java SDK does), not with the client's code.

use std::{
    collections::{BTreeMap, HashSet},
    sync::Mutex,
    time::Duration,
};

use actix_web::{HttpRequest, http::header};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{NaiveDateTime, Utc};
use entity::secret::Secret;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use worker::delivery::{
    ProviderError, Sms, SmsProvider, Vendor, aliyun_sms::AliyunSms, with_retries,
};

use crate::{
    fake::{Answer, Fake, Protocol, Reply, dead_url},
    quick_retries,
};

const ACCESS_KEY_ID: &str = "LTAI5tTestAccessKeyId";
const ACCESS_KEY_SECRET: &str = "TestAccessKeySecret0123456789ab";
const SIGN_NAME: &str = "安居社区";
const PHONE: &str = "13812345678";

/// Aliyun's `SendSms`, as far as signature v1 and the parameters go.
#[derive(Default)]
struct SendSmsApi {
    nonces: Mutex<HashSet<String>>,
}

fn aliyun(status: u16, code: &str, message: &str) -> Answer {
    Answer::new(
        status,
        json!({ "Code": code, "Message": message, "RequestId": "8D1E0E2B-5C4A-4F7A-9C1B-2E3F4A5B6C7D" }),
    )
}

/// Encoding as in Aliyun's Java SDK: `URLEncoder` (form encoding) patched to RFC 3986.
fn sdk_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
        .replace('*', "%2A")
        .replace("%7E", "~")
}

fn expected_signature(params: &BTreeMap<String, String>) -> (String, String) {
    let canonical = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", sdk_encode(k), sdk_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&{}&{}", sdk_encode("/"), sdk_encode(&canonical));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{ACCESS_KEY_SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    (STANDARD.encode(mac.finalize().into_bytes()), to_sign)
}

impl Protocol for SendSmsApi {
    const PATH: &'static str = "/";

    fn check(&self, request: &HttpRequest, body: &[u8]) -> Result<(), (String, Answer)> {
        let invalid = |problem: String| {
            let answer = aliyun(400, "MissingParameter", &problem);
            Err((problem, answer))
        };
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes() == b"application/x-www-form-urlencoded");
        if !is_form {
            return invalid("content type is not a form".into());
        }
        let mut params = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(body) {
            if params.insert(key.to_string(), value.to_string()).is_some() {
                return invalid(format!("{key} given twice"));
            }
        }
        let fixed = [
            ("Action", "SendSms"),
            ("Version", "2017-05-25"),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignName", SIGN_NAME),
        ];
        for (key, value) in fixed {
            if params.get(key).map(String::as_str) != Some(value) {
                return invalid(format!("{key} must be {value}"));
            }
        }
        for key in ["PhoneNumbers", "TemplateCode", "OutId", "SignatureNonce"] {
            if params.get(key).is_none_or(String::is_empty) {
                return invalid(format!("{key} is missing"));
            }
        }
        if params.get("AccessKeyId").map(String::as_str) != Some(ACCESS_KEY_ID) {
            let answer = aliyun(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            );
            return Err(("unknown AccessKeyId".into(), answer));
        }
        let fresh = params
            .get("Timestamp")
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%SZ").ok())
            .is_some_and(|t| (Utc::now().naive_utc() - t).num_seconds().abs() < 15 * 60);
        if !fresh {
            let answer = aliyun(
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            );
            return Err(("Timestamp missing, malformed or stale".into(), answer));
        }
        if let Some(template) = params.get("TemplateParam")
            && !serde_json::from_str::<Value>(template).is_ok_and(|v| v.is_object())
        {
            return invalid("TemplateParam is not a JSON object".into());
        }
        let (signature, to_sign) = expected_signature(&params);
        if params.get("Signature") != Some(&signature) {
            // Aliyun's real answer echoes the string to sign, phone number and all.
            let answer = aliyun(
                400,
                "SignatureDoesNotMatch",
                &format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{to_sign}"
                ),
            );
            return Err(("signature does not match".into(), answer));
        }
        let nonce = params.get("SignatureNonce").cloned().unwrap_or_default();
        if !self.nonces.lock().unwrap().insert(nonce) {
            let answer = aliyun(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            );
            return Err(("nonce reused".into(), answer));
        }
        Ok(())
    }

    fn success(&self, _request: &HttpRequest, _body: &[u8]) -> Answer {
        Answer::new(
            200,
            json!({
                "Code": "OK",
                "Message": "OK",
                "BizId": "900619746936498440^0",
                "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
            }),
        )
    }
}

fn client(fake: &Fake<SendSmsApi>) -> AliyunSms {
    AliyunSms::new(ACCESS_KEY_ID, Secret::new(ACCESS_KEY_SECRET), SIGN_NAME)
        .unwrap()
        .with_base_url(&fake.url)
}

fn sms() -> Sms {
    Sms {
        dedupe_key: "0192f0c4-notice:resident-7:sms".into(),
        phone: PHONE.into(),
        template_code: "SMS_465000001".into(),
        params: json!({ "name": "张三", "time": "明天 8:00", "note": "a b*c~&=+" }),
    }
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Checks an error text for what must never be in it.
fn assert_clean(error: &ProviderError) {
    let text = error.to_string();
    assert!(!text.contains(PHONE), "full phone number in: {text}");
    assert!(!text.contains(ACCESS_KEY_SECRET), "secret in: {text}");
    assert!(text.is_ascii(), "not English: {text}");
}

#[tokio::test]
async fn a_signed_request_carries_every_parameter() {
    let fake = Fake::start(SendSmsApi::default()).await;

    let result = client(&fake).send(&sms()).await;

    assert_eq!(result, Ok(()));
    assert_eq!(fake.problems(), Vec::<String>::new());
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = form(&requests[0].body);
    assert_eq!(sent["PhoneNumbers"], PHONE);
    assert_eq!(sent["OutId"], sms().dedupe_key);
    assert_eq!(sent["TemplateCode"], "SMS_465000001");
    assert_eq!(
        serde_json::from_str::<Value>(&sent["TemplateParam"]).unwrap(),
        sms().params
    );
    assert!(sent["Timestamp"].ends_with('Z') && sent["Timestamp"].len() == 20);
    fake.stop().await;
}

#[tokio::test]
async fn a_server_error_is_retried_with_a_fresh_nonce() {
    let fake = Fake::start(SendSmsApi::default()).await;
    fake.script([Reply::Answer(aliyun(
        500,
        "InternalError",
        "The request processing has failed due to some unknown error.",
    ))]);
    let (sender, sms) = (client(&fake), sms());

    let result = with_retries(quick_retries(), || sender.send(&sms)).await;

    assert_eq!(result, Ok(()));
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(
        form(&requests[0].body)["SignatureNonce"],
        form(&requests[1].body)["SignatureNonce"]
    );
    assert_eq!(fake.problems(), Vec::<String>::new());
    fake.stop().await;
}

#[tokio::test]
async fn a_client_error_is_permanent_and_not_retried() {
    let fake = Fake::start(SendSmsApi::default()).await;
    fake.script([Reply::Answer(aliyun(
        400,
        "isv.INVALID_PARAMETERS",
        "参数异常",
    ))]);
    let (sender, sms) = (client(&fake), sms());

    let error = with_retries(quick_retries(), || sender.send(&sms))
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert_eq!(fake.requests().len(), 1);
    assert_clean(&error);
    fake.stop().await;
}

#[tokio::test]
async fn a_business_error_is_permanent_and_names_the_number_masked() {
    let fake = Fake::start(SendSmsApi::default()).await;
    fake.script([Reply::Answer(aliyun(
        200,
        "isv.MOBILE_NUMBER_ILLEGAL",
        "非法手机号 13812345678",
    ))]);

    let error = client(&fake).send(&sms()).await.unwrap_err();

    assert_eq!(
        error,
        ProviderError::Permanent(
            "Aliyun SMS to 138****5678 refused: HTTP 200, code isv.MOBILE_NUMBER_ILLEGAL \
             (the phone number is not valid), request id 8D1E0E2B-5C4A-4F7A-9C1B-2E3F4A5B6C7D"
                .into()
        )
    );
    assert_clean(&error);
    fake.stop().await;
}

#[tokio::test]
async fn flow_control_is_retryable() {
    let fake = Fake::start(SendSmsApi::default()).await;
    fake.script([
        Reply::Answer(aliyun(
            200,
            "isv.BUSINESS_LIMIT_CONTROL",
            "触发分钟级流控Permits:1",
        )),
        Reply::Answer(aliyun(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )),
    ]);
    let sender = client(&fake);

    let minute_limit = sender.send(&sms()).await.unwrap_err();
    let throttled = sender.send(&sms()).await.unwrap_err();

    assert!(minute_limit.is_retryable(), "{minute_limit}");
    assert!(throttled.is_retryable(), "{throttled}");
    assert_clean(&minute_limit);
    fake.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_is_permanent_and_the_echoed_string_to_sign_stays_out() {
    let fake = Fake::start(SendSmsApi::default()).await;
    let wrong = "WrongSecret9876543210";
    let sender = AliyunSms::new(ACCESS_KEY_ID, Secret::new(wrong), SIGN_NAME)
        .unwrap()
        .with_base_url(&fake.url);

    let error = sender.send(&sms()).await.unwrap_err();

    assert!(matches!(error, ProviderError::Permanent(_)), "{error}");
    assert!(
        error.to_string().contains("SignatureDoesNotMatch"),
        "{error}"
    );
    assert!(!error.to_string().contains(wrong));
    assert_clean(&error);
    assert_eq!(fake.problems(), vec!["signature does not match".to_owned()]);
    fake.stop().await;
}

#[tokio::test]
async fn a_slow_answer_is_a_retryable_timeout() {
    let fake = Fake::start(SendSmsApi::default()).await;
    fake.script([Reply::Hang(Duration::from_secs(3))]);
    let sender = client(&fake).with_timeout(Duration::from_millis(200));

    let error = sender.send(&sms()).await.unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("did not answer in time"),
        "{error}"
    );
    assert_clean(&error);
    fake.stop().await;
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let sender = AliyunSms::new(ACCESS_KEY_ID, Secret::new(ACCESS_KEY_SECRET), SIGN_NAME)
        .unwrap()
        .with_base_url(dead_url());

    let error = sender.send(&sms()).await.unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert_clean(&error);
}

#[tokio::test]
async fn a_malformed_number_is_refused_before_sending() {
    let fake = Fake::start(SendSmsApi::default()).await;
    let mut bad = sms();
    bad.phone = "23812345678".into();

    let error = client(&fake).send(&bad).await.unwrap_err();

    assert_eq!(
        error,
        ProviderError::Permanent("not a mainland mobile number: 238****5678".into())
    );
    assert!(fake.requests().is_empty());
    fake.stop().await;
}
