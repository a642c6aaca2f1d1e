//! Aliyun SMS (阿里云短信服务) through the RPC-style `SendSms` API, version 2017-05-25, signed with
//! Aliyun's signature v1 (HMAC-SHA1 over the sorted, percent-encoded parameters) and posted as a
//! form.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entity::{people::Phone, secret::Secret};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{StatusCode, header::CONTENT_TYPE};
use serde::Deserialize;
use sha1::Sha1;
use uuid::Uuid;

use super::{
    Endpoint, ProviderError, Sms, SmsProvider, Vendor, mask_phone, scrub, transport_error,
};

/// Aliyun's SMS API host.
pub const DEFAULT_BASE_URL: &str = "https://dysmsapi.aliyuncs.com";
const API_VERSION: &str = "2017-05-25";
/// The SMS API is served from one region whatever the caller's; Aliyun's own example sends it.
const REGION: &str = "cn-hangzhou";

/// RFC 3986 unreserved characters stay as they are; everything else, UTF-8 encoded, becomes
/// `%XX` (so a space is `%20`, `*` is `%2A`, and `~` is kept), as Aliyun's signature v1 requires.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The Aliyun SMS client.
#[derive(Debug, Clone)]
pub struct AliyunSms {
    endpoint: Endpoint,
    access_key_id: String,
    access_key_secret: Secret,
    sign_name: String,
}

impl Vendor for AliyunSms {
    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

impl AliyunSms {
    /// A client sending with the approved signature `sign_name` (the 【…】 prefix of every text).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: Secret,
        sign_name: impl Into<String>,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            endpoint: Endpoint::new(DEFAULT_BASE_URL)?,
            access_key_id: access_key_id.into(),
            access_key_secret,
            sign_name: sign_name.into(),
        })
    }

    /// The signed form for one message. Each call has a fresh nonce, as Aliyun rejects a reused
    /// one (`SignatureNonceUsed`), so a retry is a new signed request.
    fn signed_form(&self, phone: &Phone, sms: &Sms) -> Result<String, ProviderError> {
        let mut params: BTreeMap<&str, String> = BTreeMap::new();
        params.insert("AccessKeyId", self.access_key_id.clone());
        params.insert("Action", "SendSms".into());
        params.insert("Format", "JSON".into());
        params.insert("OutId", sms.dedupe_key.clone());
        params.insert("PhoneNumbers", phone.as_str().to_owned());
        params.insert("RegionId", REGION.into());
        params.insert("SignName", self.sign_name.clone());
        params.insert("SignatureMethod", "HMAC-SHA1".into());
        params.insert("SignatureNonce", Uuid::new_v4().to_string());
        params.insert("SignatureVersion", "1.0".into());
        params.insert("TemplateCode", sms.template_code.clone());
        params.insert(
            "Timestamp",
            Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        params.insert("Version", API_VERSION.into());
        if !sms.params.is_null() {
            let json = serde_json::to_string(&sms.params).map_err(|e| {
                ProviderError::Permanent(format!("template parameters are not JSON: {e}"))
            })?;
            params.insert("TemplateParam", json);
        }
        let signature = sign("POST", &params, self.access_key_secret.expose())?;
        params.insert("Signature", signature);
        // The canonical form is also a valid application/x-www-form-urlencoded body.
        Ok(canonicalize(&params))
    }

    async fn send_sms(&self, sms: &Sms) -> Result<(), ProviderError> {
        let phone = Phone::parse(&sms.phone).map_err(|_| {
            ProviderError::Permanent(format!(
                "not a mainland mobile number: {}",
                mask_phone(&sms.phone)
            ))
        })?;
        let form = self.signed_form(&phone, sms)?;
        let response = self
            .endpoint
            .post("/")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| transport_error("Aliyun SMS", e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error("Aliyun SMS", e))?;
        let answer = serde_json::from_str::<Answer>(&text).ok();
        if let Some(answer) = &answer
            && status.is_success()
            && answer.code == "OK"
        {
            tracing::debug!(biz_id = %answer.biz_id, request_id = %answer.request_id, dedupe_key = %sms.dedupe_key, "Aliyun accepted an SMS");
            return Ok(());
        }
        Err(rejection(status, answer.as_ref(), &phone.masked()))
    }
}

impl SmsProvider for AliyunSms {
    fn name(&self) -> &'static str {
        "aliyun_sms"
    }

    fn send<'a>(&'a self, sms: &'a Sms) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.send_sms(sms))
    }
}

/// Aliyun's answer, success or not.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    biz_id: String,
    #[serde(default)]
    request_id: String,
}

/// The error for an answer other than `OK`. Aliyun's `Message` is left out on purpose: it is often
/// Chinese, and for `SignatureDoesNotMatch` it echoes the whole string to sign, phone number and
/// template parameters included. The code says what happened; the request id lets Aliyun's
/// support find the rest.
fn rejection(status: StatusCode, answer: Option<&Answer>, masked_phone: &str) -> ProviderError {
    let Some(answer) = answer else {
        let text = format!(
            "Aliyun SMS to {masked_phone}: unreadable answer, HTTP {}",
            status.as_u16()
        );
        // A 200 we cannot read may still have sent the message: do not risk sending it twice.
        return if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            ProviderError::Retryable(text)
        } else {
            ProviderError::Permanent(text)
        };
    };
    let code = scrub(&answer.code, &[]);
    let explanation = explain(&code)
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let text = format!(
        "Aliyun SMS to {masked_phone} refused: HTTP {}, code {code}{explanation}, request id {}",
        status.as_u16(),
        scrub(&answer.request_id, &[])
    );
    let throttled = code.starts_with("Throttling") || code == "isv.BUSINESS_LIMIT_CONTROL";
    if throttled || status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        ProviderError::Retryable(text)
    } else {
        ProviderError::Permanent(text)
    }
}

/// English for the codes an operator most often has to act on.
fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "isv.MOBILE_NUMBER_ILLEGAL" => "the phone number is not valid",
        "isv.AMOUNT_NOT_ENOUGH" => "the account balance is too low",
        "isv.OUT_OF_SERVICE" => "the account is suspended",
        "isv.SMS_TEMPLATE_ILLEGAL" => "the template is unknown or not approved",
        "isv.SMS_SIGNATURE_ILLEGAL" => "the signature name is unknown or not approved",
        "isv.TEMPLATE_MISSING_PARAMETERS" => "a template parameter is missing",
        "isv.BUSINESS_LIMIT_CONTROL" => "the per-number rate limit was hit",
        "isv.DAY_LIMIT_CONTROL" => "the daily sending limit was reached",
        "isv.BLACK_KEY_CONTROL_LIMIT" => "the text contains a blocked word",
        "SignatureDoesNotMatch" => "the signature was rejected: check the AccessKey secret",
        "InvalidAccessKeyId.NotFound" => "unknown AccessKey id",
        "SignatureNonceUsed" => "the request nonce was used before",
        "InvalidTimeStamp.Expired" => "the request time is too far from Aliyun's clock",
        _ => return None,
    })
}

/// Percent-encoding as Aliyun's signature v1 defines it (see [`UNRESERVED`]).
fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// `key=value` pairs, both percent-encoded, sorted by key and joined with `&`.
pub(super) fn canonicalize(params: &BTreeMap<&str, String>) -> String {
    params
        .iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What is signed: the method, the encoded path `/` and the encoded canonical parameters.
fn string_to_sign(method: &str, params: &BTreeMap<&str, String>) -> String {
    format!("{method}&%2F&{}", percent_encode(&canonicalize(params)))
}

/// `base64(HMAC-SHA1(secret + "&", string to sign))`.
pub(super) fn sign(
    method: &str,
    params: &BTreeMap<&str, String>,
    secret: &str,
) -> Result<String, ProviderError> {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .map_err(|_| ProviderError::Permanent("the AccessKey secret is unusable".into()))?;
    mac.update(string_to_sign(method, params).as_bytes());
    Ok(STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_rfc_3986() {
        assert_eq!(percent_encode("a b*c~"), "a%20b%2Ac~");
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("/=&+:"), "%2F%3D%26%2B%3A");
        assert_eq!(percent_encode("{\"a\":1}"), "%7B%22a%22%3A1%7D");
        assert_eq!(percent_encode("安居"), "%E5%AE%89%E5%B1%85");
    }

    /// The worked example of Aliyun's SMS documentation ("HTTP 协议及签名"): a GET `SendSms` with
    /// a Chinese signature name, AccessKey `testId` / `testSecret`.
    #[test]
    fn signature_matches_aliyuns_sms_documentation() {
        let params: BTreeMap<&str, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        assert_eq!(
            canonicalize(&params),
            "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001\
             &RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B\
             %E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0\
             &TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D\
             &Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
        );
        assert!(string_to_sign("GET", &params).starts_with(
            "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
        ));
        assert_eq!(
            sign("GET", &params, "testSecret").unwrap(),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    /// The worked example of Aliyun's general RPC signature documentation (ECS `DescribeRegions`).
    #[test]
    fn signature_matches_aliyuns_rpc_documentation() {
        let params: BTreeMap<&str, String> = [
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        assert_eq!(
            string_to_sign("GET", &params),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z\
             %26Version%3D2014-05-26"
        );
        assert_eq!(
            sign("GET", &params, "testsecret").unwrap(),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn throttling_codes_are_retryable_other_business_errors_are_not() {
        let answer = |code: &str| Answer {
            code: code.into(),
            biz_id: String::new(),
            request_id: "R1".into(),
        };
        let ok = StatusCode::OK;
        for code in [
            "isv.BUSINESS_LIMIT_CONTROL",
            "Throttling.User",
            "Throttling",
        ] {
            assert!(rejection(ok, Some(&answer(code)), "138****5678").is_retryable());
        }
        assert!(
            rejection(
                StatusCode::BAD_REQUEST,
                Some(&answer("Throttling.Api")),
                "x"
            )
            .is_retryable()
        );
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.DAY_LIMIT_CONTROL",
            "isv.ANYTHING",
        ] {
            assert!(!rejection(ok, Some(&answer(code)), "138****5678").is_retryable());
        }
        assert!(rejection(StatusCode::BAD_GATEWAY, None, "x").is_retryable());
        assert!(!rejection(ok, None, "x").is_retryable());
        assert_eq!(
            rejection(ok, Some(&answer("isv.AMOUNT_NOT_ENOUGH")), "138****5678").to_string(),
            "permanent failure: Aliyun SMS to 138****5678 refused: HTTP 200, \
             code isv.AMOUNT_NOT_ENOUGH (the account balance is too low), request id R1"
        );
    }
}
