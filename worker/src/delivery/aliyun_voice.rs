//! Aliyun's voice service (阿里云语音服务) through the RPC-style `SingleCallByTts` API, version
//! 2017-05-25: one call that reads an approved text-to-speech template aloud, its variable
//! `content` filled with the notice, signed like the SMS API (signature v1) and posted as a form.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::{people::Phone, secret::Secret};
use futures_util::future::BoxFuture;
use reqwest::header::CONTENT_TYPE;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Endpoint, ProviderError, Vendor, Voice, VoiceProvider, aliyun_sms::canonicalize,
    aliyun_sms::sign, mask_phone, scrub, transport_error,
};

/// Aliyun's voice API host.
pub const DEFAULT_BASE_URL: &str = "https://dyvmsapi.aliyuncs.com";
const API_VERSION: &str = "2017-05-25";
const REGION: &str = "cn-hangzhou";
/// How many times the call reads the text (a listener who missed the start hears it again).
const PLAY_TIMES: &str = "2";

/// The Aliyun voice client.
#[derive(Debug, Clone)]
pub struct AliyunVoice {
    endpoint: Endpoint,
    access_key_id: String,
    access_key_secret: Secret,
    tts_code: String,
    show_number: Option<String>,
}

impl Vendor for AliyunVoice {
    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }
}

impl AliyunVoice {
    /// A client calling with the approved TTS template `tts_code` (variable `content`), from
    /// `show_number` (the number residents see; Aliyun's public number pool when `None`).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: Secret,
        tts_code: impl Into<String>,
        show_number: Option<String>,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            endpoint: Endpoint::new(DEFAULT_BASE_URL)?,
            access_key_id: access_key_id.into(),
            access_key_secret,
            tts_code: tts_code.into(),
            show_number,
        })
    }

    fn signed_form(&self, phone: &Phone, voice: &Voice) -> Result<String, ProviderError> {
        let mut params: BTreeMap<&str, String> = BTreeMap::new();
        params.insert("AccessKeyId", self.access_key_id.clone());
        params.insert("Action", "SingleCallByTts".into());
        params.insert("CalledNumber", phone.as_str().to_owned());
        if let Some(show) = &self.show_number {
            params.insert("CalledShowNumber", show.clone());
        }
        params.insert("Format", "JSON".into());
        params.insert("OutId", voice.dedupe_key.chars().take(15).collect());
        params.insert("PlayTimes", PLAY_TIMES.into());
        params.insert("RegionId", REGION.into());
        params.insert("SignatureMethod", "HMAC-SHA1".into());
        params.insert("SignatureNonce", Uuid::new_v4().to_string());
        params.insert("SignatureVersion", "1.0".into());
        params.insert(
            "Timestamp",
            Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        params.insert("TtsCode", self.tts_code.clone());
        params.insert(
            "TtsParam",
            serde_json::json!({ "content": voice.text }).to_string(),
        );
        params.insert("Version", API_VERSION.into());
        let signature = sign("POST", &params, self.access_key_secret.expose())?;
        params.insert("Signature", signature);
        Ok(canonicalize(&params))
    }

    async fn call(&self, voice: &Voice) -> Result<(), ProviderError> {
        let phone = Phone::parse(&voice.phone).map_err(|_| {
            ProviderError::Permanent(format!(
                "not a mainland mobile number: {}",
                mask_phone(&voice.phone)
            ))
        })?;
        let form = self.signed_form(&phone, voice)?;
        let response = self
            .endpoint
            .post("/")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| transport_error("Aliyun voice", e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error("Aliyun voice", e))?;
        let answer = serde_json::from_str::<Answer>(&text).ok();
        match answer {
            Some(a) if status.is_success() && a.code == "OK" => {
                tracing::debug!(call_id = %a.call_id, dedupe_key = %voice.dedupe_key, "Aliyun placed a voice call");
                Ok(())
            }
            Some(a) => {
                let code = scrub(&a.code, &[]);
                let text = format!(
                    "Aliyun voice call to {} refused: HTTP {}, code {code}, request id {}",
                    phone.masked(),
                    status.as_u16(),
                    scrub(&a.request_id, &[])
                );
                if code.starts_with("Throttling")
                    || code == "isv.BUSINESS_LIMIT_CONTROL"
                    || status.is_server_error()
                    || status.as_u16() == 429
                {
                    Err(ProviderError::Retryable(text))
                } else {
                    Err(ProviderError::Permanent(text))
                }
            }
            None => {
                let text = format!(
                    "Aliyun voice call to {}: unreadable answer, HTTP {}",
                    phone.masked(),
                    status.as_u16()
                );
                if status.is_server_error() || status.as_u16() == 429 {
                    Err(ProviderError::Retryable(text))
                } else {
                    Err(ProviderError::Permanent(text))
                }
            }
        }
    }
}

impl VoiceProvider for AliyunVoice {
    fn name(&self) -> &'static str {
        "aliyun_voice"
    }

    fn send<'a>(&'a self, voice: &'a Voice) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.call(voice))
    }
}

/// Aliyun's answer.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: String,
    #[serde(default)]
    call_id: String,
    #[serde(default)]
    request_id: String,
}
