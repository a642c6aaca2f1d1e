//! Delivery channels for notifications. The inbox row is the record of a notification; push
//! (JPush, Getui) and SMS (Aliyun) only carry it to a phone. The pipeline that decides who gets what
//! (dedupe, daily caps, quiet hours) lives elsewhere and talks to the providers through the traits
//! here, so that embedded mode and tests can use [`log`] instead of the real services.
//!
//! Error texts are English, name phone numbers only masked (`138****5678`) and never contain a
//! secret: they end up in logs and in the outbox's `last_error`.

pub mod aliyun_sms;
pub mod aliyun_voice;
pub mod getui;
pub mod jpush;
pub mod log;
pub mod wechat;

use std::{future::Future, time::Duration};

/// How long one request to a provider may take, connecting included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a provider's API is and how long a call may take: its base URL, one pooled client and a
/// timeout per request.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base_url: String,
    client: reqwest::Client,
    timeout: Duration,
}

impl Endpoint {
    /// The API at `base_url`, with [`DEFAULT_TIMEOUT`].
    pub fn new(base_url: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .timeout(DEFAULT_TIMEOUT)
                .build()?,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// A `POST` to `path` (from `/`) under the base URL, with the timeout.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base_url))
            .timeout(self.timeout)
    }

    /// A `GET` of `path` (from `/`) under the base URL, with the timeout.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base_url))
            .timeout(self.timeout)
    }
}

/// A provider's client, which talks to an [`Endpoint`] that tests and proxies can move.
pub trait Vendor: Sized {
    /// The client's endpoint.
    fn endpoint(&mut self) -> &mut Endpoint;

    /// Talks to another host (a test server, a proxy).
    fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.endpoint().base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Gives each request `timeout` instead of [`DEFAULT_TIMEOUT`].
    fn with_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint().timeout = timeout;
        self
    }
}

use futures_util::future::BoxFuture;

/// A push notification, the same for every device it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    /// The pipeline's key for this delivery; the app can drop a second copy carrying the same key.
    pub dedupe_key: String,
    /// Title line.
    pub title: String,
    /// Text.
    pub body: String,
    /// Shown with high priority (emergencies, deadlines today).
    pub urgent: bool,
    /// In-app link opened when the notification is tapped.
    pub link: Option<String>,
}

/// Huawei's and Honor's importance for service notices (服务与通讯类). `LOW` would make a notice
/// marketing (silent, limited per day); `HIGH` needs a special permission from Huawei, and a push
/// asking for it without one is refused, so urgency is carried by the Android priority instead.
pub const SERVICE_IMPORTANCE: &str = "NORMAL";
/// vivo's classification of a system message (系统消息), which every notice of ours is: 0 would be an
/// operations message, limited to a few a day.
pub const VIVO_SYSTEM_MESSAGE: u8 = 1;
/// The HarmonyOS category of a notice when Huawei granted the app none: the only one that needs no
/// self-classification right (JPush requires a category for HarmonyOS).
pub const HARMONY_DEFAULT_CATEGORY: &str = "MARKETING";
/// The categories Huawei (and HarmonyOS Push Kit) define for self-classified notices.
pub const HUAWEI_CATEGORIES: &[&str] = &[
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

/// What Android vendors (and HarmonyOS) are told about our pushes, so that they do not take a
/// notice for marketing and hold it back or silence it. The ids and categories are the app's own,
/// granted in each vendor's console (Xiaomi and OPPO channels, Huawei self-classification, vivo
/// and OPPO categories); one left unset is left out of the push. The same for every push service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorChannels {
    /// Huawei's category for our notices (e.g. `WORK`), one of [`HUAWEI_CATEGORIES`]; also the
    /// HarmonyOS category.
    pub huawei_category: Option<String>,
    /// The Xiaomi channel (私信) created for the app in Xiaomi's console.
    pub xiaomi_channel_id: Option<String>,
    /// The OPPO channel (私信通道) created for the app in OPPO's console.
    pub oppo_channel_id: Option<String>,
    /// OPPO's category for our notices (e.g. `TODO`).
    pub oppo_category: Option<String>,
    /// vivo's category for our system messages (e.g. `TODO`).
    pub vivo_category: Option<String>,
}

/// What a provider told us about a push besides success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Tokens the provider says are dead: the caller deletes those devices.
    pub invalid_tokens: Vec<String>,
}

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Worth another try later: 5xx, 429, throttling, timeouts, connection errors.
    #[error("temporary failure: {0}")]
    Retryable(String),
    /// Will fail the same way again: 4xx and business errors.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl ProviderError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Retryable(_))
    }
}

/// A push service (JPush, or the log in development).
pub trait PushProvider: Send + Sync {
    /// Short name for logs and metrics.
    fn name(&self) -> &'static str;
    /// Most tokens one [`PushProvider::send`] accepts; the caller splits larger audiences.
    fn max_batch(&self) -> usize;
    /// Sends `message` to the devices with these tokens (at most [`PushProvider::max_batch`]).
    fn send<'a>(
        &'a self,
        message: &'a PushMessage,
        tokens: &'a [String],
    ) -> BoxFuture<'a, Result<PushReport, ProviderError>>;
}

/// One text message from an approved template.
#[derive(Debug, Clone, PartialEq)]
pub struct Sms {
    /// The pipeline's key for this delivery, passed on to the provider so records can be matched.
    pub dedupe_key: String,
    /// Mainland mobile number, 11 digits.
    pub phone: String,
    /// The provider's code of the approved template.
    pub template_code: String,
    /// Template parameters (a JSON object; Chinese text allowed), `Null` for none.
    pub params: serde_json::Value,
}

/// An SMS service (Aliyun, or the log in development).
pub trait SmsProvider: Send + Sync {
    /// Short name for logs and metrics.
    fn name(&self) -> &'static str;
    /// Sends one message.
    fn send<'a>(&'a self, sms: &'a Sms) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// A notice read aloud by a text-to-speech call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    /// The pipeline's key for this delivery, passed on to the provider.
    pub dedupe_key: String,
    /// Mainland mobile (or landline) number.
    pub phone: String,
    /// What is read, in plain spoken Chinese.
    pub text: String,
}

/// A voice service (Aliyun, or the log in development).
pub trait VoiceProvider: Send + Sync {
    /// Short name for logs and metrics.
    fn name(&self) -> &'static str;
    /// Places one call.
    fn send<'a>(&'a self, voice: &'a Voice) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// How often and how patiently [`with_retries`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (0 counts as 1).
    pub max_attempts: u32,
    /// Pause before the first retry; it doubles with each further one.
    pub base_delay: Duration,
    /// Longest pause.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, pausing about 0.5 s then 1 s: short enough to run inside a consumer.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (1 for the first) with "equal jitter": half the
    /// exponential step for sure, the other half scaled by `random` (in `[0, 1]`), so that many
    /// workers failing together do not come back together.
    pub(crate) fn delay(&self, retry: u32, random: f64) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(31);
        let step = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let half = step / 2;
        half + half.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// A uniform number in `[0, 1]` from the operating system; 0.5 if it has none to give.
pub(crate) fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

/// Runs `op` until it succeeds, fails permanently or has had `policy.max_attempts` attempts,
/// pausing with exponential backoff and jitter between attempts. The last error is returned.
pub async fn with_retries<T, F, Fut>(policy: RetryPolicy, mut op: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        match op().await {
            Err(ProviderError::Retryable(error)) if attempt < attempts => {
                let pause = policy.delay(attempt, random_fraction());
                tracing::warn!(
                    attempt,
                    max_attempts = attempts,
                    pause_ms = pause.as_millis() as u64,
                    %error,
                    "provider call failed; retrying"
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// A phone number fit for logs and errors: `138****5678`; anything too short to keep a
/// recognisable part of is hidden whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() < 11 {
        return "*".repeat(chars.len().max(4));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// A provider's own error text made fit for our logs: printable ASCII only (English), every run of
/// seven or more digits masked (a phone number the provider echoes), `hidden` values (secrets)
/// removed, at most 200 characters.
fn scrub(text: &str, hidden: &[&str]) -> String {
    let mut text = text.to_owned();
    for value in hidden.iter().filter(|v| !v.is_empty()) {
        text = text.replace(value, "[redacted]");
    }
    let ascii: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect();
    let mut out = String::with_capacity(ascii.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 7 {
            out.push_str(&mask_phone(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in ascii.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    let out = out.trim();
    match out.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out.to_owned(),
    }
}

/// Describes a failed HTTP exchange without the URL (which may carry parameters) and classifies
/// it: timeouts and connection failures are worth retrying, a request we could not even build is
/// not.
fn transport_error(provider: &str, error: reqwest::Error) -> ProviderError {
    // A body that broke off is as uncertain as a timeout: the request may or may not have landed.
    let retryable =
        error.is_timeout() || error.is_connect() || error.is_request() || error.is_body();
    let mut text = if error.is_timeout() {
        format!("{provider} did not answer in time")
    } else {
        format!("{provider} request failed")
    };
    let error = error.without_url();
    let mut source: Option<&dyn std::error::Error> = Some(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&scrub(&cause.to_string(), &[]));
        source = cause.source();
    }
    if retryable {
        ProviderError::Retryable(text)
    } else {
        ProviderError::Permanent(text)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn quick(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        }
    }

    #[test]
    fn delays_grow_exponentially_with_jitter_and_stop_at_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert_eq!(policy.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(policy.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(policy.delay(2, 0.0), Duration::from_millis(100));
        assert_eq!(policy.delay(3, 1.0), Duration::from_millis(400));
        assert_eq!(policy.delay(9, 1.0), Duration::from_secs(1));
        assert_eq!(policy.delay(9, 0.0), Duration::from_millis(500));
        assert_eq!(policy.delay(u32::MAX, 1.0), Duration::from_secs(1));
        let jittered = policy.delay(2, random_fraction());
        assert!((Duration::from_millis(100)..=Duration::from_millis(200)).contains(&jittered));
    }

    #[tokio::test]
    async fn retryable_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let result = with_retries(quick(3), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(ProviderError::Retryable("busy".into())),
                _ => Ok("sent"),
            }
        })
        .await;
        assert_eq!(result, Ok("sent"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn retries_stop_at_max_attempts_with_the_last_error() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retries(quick(4), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Err(ProviderError::Retryable(format!("busy {n}")))
        })
        .await;
        assert_eq!(result, Err(ProviderError::Retryable("busy 3".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retries(quick(5), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ProviderError::Permanent("bad template".into()))
        })
        .await;
        assert!(matches!(result, Err(ProviderError::Permanent(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn zero_attempts_still_tries_once() {
        let calls = AtomicU32::new(0);
        let _ = with_retries(quick(0), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(ProviderError::Retryable("busy".into()))
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone(" 13812345678 "), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86****5678");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_phone(""), "****");
    }

    #[test]
    fn scrub_keeps_english_and_hides_numbers_and_secrets() {
        assert_eq!(
            scrub(
                "非法手机号 invalid mobile 13812345678, key s3cr3t",
                &["s3cr3t"]
            ),
            "invalid mobile 138****5678, key [redacted]"
        );
        assert_eq!(scrub("code 1011 at 2024", &[]), "code 1011 at 2024");
        assert_eq!(scrub(&"x".repeat(300), &[]).chars().count(), 201);
    }
}
