//! The worker's settings, which the api reads too (it runs the worker in-process when no broker
//! is configured, and shares the database, the broker, the keys and the providers): built-in
//! defaults, then an optional `anju.toml`, then the environment (`ANJU_<KEY>`, plus
//! `DATABASE_URL` and `AMQP_URL`; see [`anju_config`], which keeps environment values as
//! written). The api's own settings (listen address, body limit, JWT keys, …) are in
//! `api::settings`. A key that neither process reads is an error that names it. Secrets are
//! [`Secret`]s, so printing the settings never shows them.

use std::path::PathBuf;

use entity::secret::Secret;
use figment::{Figment, providers::Serialized};
use serde::{Deserialize, Serialize};

/// What the worker process is told, and what the api shares with it.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// The worker's own internal address for `/healthz`, `/readyz` and `/metrics`.
    pub worker_listen: String,
    /// Directory for the SQLite file and generated keys.
    pub data_dir: PathBuf,
    /// Database URL; defaults to `sqlite://<data_dir>/anju.db?mode=rwc`.
    pub database_url: Option<Secret>,
    /// RabbitMQ URL; when unset the api runs the worker in-process (embedded mode).
    pub amqp_url: Option<Secret>,
    /// Most pooled database connections.
    pub db_max_connections: u32,
    /// Log filter, in `tracing` `EnvFilter` syntax (e.g. `info`, `api=debug,info`).
    pub log_level: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Master key (base64, 32 bytes) for encrypting ID-card numbers. Default: generated at first
    /// start in `data_dir/pii.key`. Losing it makes stored ID numbers unreadable: back it up.
    pub pii_key: Option<Secret>,
    /// Prefix of RabbitMQ exchange and queue names (several deployments can share a broker).
    pub amqp_namespace: String,
    /// Unacknowledged messages per consumer group per worker.
    pub amqp_prefetch: u16,
    /// Deliveries of a failing message before it is dead-lettered.
    pub amqp_delivery_limit: i64,
    /// `log` (development: every push is logged, none sent), or the push services in use,
    /// comma-separated: `jpush`, `getui` (see [`Settings::push_routing`]).
    pub push_provider: String,
    /// JPush app key.
    pub jpush_app_key: Option<String>,
    /// JPush master secret.
    pub jpush_master_secret: Option<Secret>,
    /// JPush API base URL (default the public one).
    pub jpush_base_url: Option<String>,
    /// JPush sends iOS pushes through APNs' production environment (the default), not its
    /// development one.
    pub jpush_apns_production: bool,
    /// Getui app id (uni-push's too).
    pub getui_app_id: Option<String>,
    /// Getui app key.
    pub getui_app_key: Option<String>,
    /// Getui master secret.
    pub getui_master_secret: Option<Secret>,
    /// Getui API base URL (default the public one).
    pub getui_base_url: Option<String>,
    /// Huawei's self-classification category granted to the app for our notices (e.g. `WORK`);
    /// also their HarmonyOS category. Unset: Huawei classifies them itself.
    pub push_huawei_category: Option<String>,
    /// The Xiaomi channel id created for the app in Xiaomi's console (私信).
    pub push_xiaomi_channel_id: Option<String>,
    /// The OPPO channel id created for the app in OPPO's console (私信通道).
    pub push_oppo_channel_id: Option<String>,
    /// OPPO's category for our notices (e.g. `TODO`).
    pub push_oppo_category: Option<String>,
    /// vivo's category for our notices, sent as system messages (e.g. `TODO`).
    pub push_vivo_category: Option<String>,
    /// `log` (development: sends nothing) or `aliyun`.
    pub sms_provider: String,
    /// Aliyun AccessKey id.
    pub aliyun_access_key_id: Option<String>,
    /// Aliyun AccessKey secret.
    pub aliyun_access_key_secret: Option<Secret>,
    /// Approved SMS signature (签名).
    pub aliyun_sms_sign_name: Option<String>,
    /// Approved SMS template for notices (parameter `title`).
    pub aliyun_sms_template: Option<String>,
    /// Approved SMS template for one-time codes (验证码 template, parameter `code`).
    pub aliyun_sms_code_template: Option<String>,
    /// Aliyun SMS API base URL (default the public one).
    pub aliyun_base_url: Option<String>,
    /// Approved text-to-speech template of Aliyun's voice service (variable `content`): set, it
    /// turns on voice calls to residents marked for them (with the Aliyun AccessKey above).
    pub aliyun_voice_tts_code: Option<String>,
    /// The number residents see when called (Aliyun's public pool when unset).
    pub aliyun_voice_show_number: Option<String>,
    /// Aliyun voice API base URL (default the public one).
    pub aliyun_voice_base_url: Option<String>,
    /// The WeChat mini-program's AppID: set with `wechat_app_secret`, it turns on WeChat login
    /// and subscription messages.
    pub wechat_app_id: Option<String>,
    /// The mini-program's AppSecret.
    pub wechat_app_secret: Option<Secret>,
    /// WeChat API base URL (default the public one).
    pub wechat_base_url: Option<String>,
    /// Seconds a partner's webhook receiver has to answer.
    pub webhook_timeout_secs: u64,
    /// Allow `http://` webhook URLs (development and tests; production receivers use HTTPS).
    pub webhook_allow_http: bool,
    /// Allow webhooks to loopback, private, link-local and other internal addresses
    /// (development and tests only: otherwise a partner could point the worker at the cloud's
    /// metadata service or the broker's management port).
    pub webhook_allow_private_networks: bool,
    /// Days inbox notifications are kept.
    pub retention_notifications_days: i64,
    /// Days finished push and SMS sends are kept.
    pub retention_deliveries_days: i64,
    /// Days delivered webhooks are kept (dead letters three times as long).
    pub retention_webhooks_days: i64,
    /// Days published outbox rows are kept.
    pub retention_outbox_days: i64,
    /// Days processed-message ids are kept (longer than any redelivery takes).
    pub retention_processed_messages_days: i64,
    /// Days finished scheduled tasks are kept.
    pub retention_tasks_days: i64,
    /// Days the job matches of closed, filled or expired postings are kept.
    pub retention_job_matches_days: i64,
    /// First pause before a failed webhook is retried, in milliseconds; it doubles with each
    /// attempt (with jitter) up to an hour, for a day in all.
    pub webhook_retry_base_ms: u64,
}

/// The keys the api reads besides these (`api::settings::Settings`): the worker accepts them
/// unread, so that one `anju.toml` and one environment serve both processes. The api's tests
/// check this list against its settings.
pub const API_KEYS: &[&str] = &[
    "listen",
    "migrate_on_start",
    "body_limit",
    "http_workers",
    "shutdown_timeout_secs",
    "jwt_keys",
    "bootstrap_admin_phone",
    "bootstrap_admin_password",
    "trusted_proxies",
    "cors_origins",
    "attempts_per_phone_per_minute",
    "attempts_per_address_per_minute",
    "sms_codes_per_phone_per_day",
    "sms_codes_per_address_per_hour",
    "sheet_link_seconds",
    "image_link_seconds",
    "object_store_url",
    "object_store_options",
    "metrics_listen",
    "metrics_token",
];

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The built-in defaults, as a serializable layer for figment.
#[derive(Serialize)]
struct Defaults {
    worker_listen: &'static str,
    data_dir: &'static str,
    db_max_connections: u32,
    log_level: &'static str,
    log_format: LogFormat,
    amqp_namespace: &'static str,
    amqp_prefetch: u16,
    amqp_delivery_limit: i64,
    push_provider: &'static str,
    jpush_apns_production: bool,
    sms_provider: &'static str,
    webhook_timeout_secs: u64,
    webhook_retry_base_ms: u64,
    webhook_allow_http: bool,
    webhook_allow_private_networks: bool,
    retention_notifications_days: i64,
    retention_deliveries_days: i64,
    retention_webhooks_days: i64,
    retention_outbox_days: i64,
    retention_processed_messages_days: i64,
    retention_tasks_days: i64,
    retention_job_matches_days: i64,
}

const DEFAULTS: Defaults = Defaults {
    worker_listen: "127.0.0.1:8090",
    data_dir: "./data",
    db_max_connections: 16,
    log_level: "info",
    log_format: LogFormat::Text,
    amqp_namespace: "anju",
    amqp_prefetch: 32,
    amqp_delivery_limit: 5,
    push_provider: "log",
    jpush_apns_production: true,
    sms_provider: "log",
    webhook_timeout_secs: 10,
    webhook_retry_base_ms: 5000,
    webhook_allow_http: false,
    webhook_allow_private_networks: false,
    retention_notifications_days: 365,
    retention_deliveries_days: 30,
    retention_webhooks_days: 30,
    retention_outbox_days: 7,
    retention_processed_messages_days: 7,
    retention_tasks_days: 7,
    retention_job_matches_days: 90,
};

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct SettingsError(String);

impl From<String> for SettingsError {
    fn from(reason: String) -> Self {
        Self(reason)
    }
}

impl Default for Settings {
    /// The built-in defaults (see [`Settings::defaults`]).
    fn default() -> Self {
        Self::defaults()
    }
}

impl Settings {
    /// Loads defaults, then `anju.toml` (or the file named by `ANJU_CONFIG`), then the environment.
    pub fn load() -> Result<Self, SettingsError> {
        Self::from_sources(anju_config::sources(), API_KEYS)
    }

    /// These settings from `sources` (the file and the environment) over the built-in defaults;
    /// `others` are the keys other processes read from the same sources.
    pub fn from_sources(sources: Figment, others: &[&str]) -> Result<Self, SettingsError> {
        anju_config::refuse_unknown(&sources, &[anju_config::keys::<Self>(), others])?;
        Self::from_figment(Figment::from(Serialized::defaults(DEFAULTS)).merge(sources))
    }

    /// The defaults alone (no file, no environment): what tests and benchmarks start from.
    pub fn defaults() -> Self {
        // The defaults are a fixed, valid value; failing here is a programming error caught by tests.
        Self::from_figment(Figment::from(Serialized::defaults(DEFAULTS))).unwrap_or_else(|e| {
            unreachable!("built-in defaults are invalid: {e}");
        })
    }

    fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        // Lossy: numbers and booleans may be written as strings (the environment's are).
        let settings: Self = figment
            .extract_lossy()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.amqp_prefetch == 0 || self.amqp_delivery_limit < 1 {
            return Err(SettingsError(
                "amqp_prefetch and amqp_delivery_limit must be at least 1".into(),
            ));
        }
        self.push_routing()?;
        if !matches!(self.sms_provider.as_str(), "log" | "aliyun") {
            return Err(SettingsError(
                "sms_provider must be `log` or `aliyun`".into(),
            ));
        }
        if self.sms_provider == "aliyun"
            && (self.aliyun_access_key_id.is_none()
                || self.aliyun_access_key_secret.is_none()
                || self.aliyun_sms_sign_name.is_none()
                || self.aliyun_sms_template.is_none()
                || self.aliyun_sms_code_template.is_none())
        {
            return Err(SettingsError(
                "sms_provider = aliyun needs aliyun_access_key_id, aliyun_access_key_secret, aliyun_sms_sign_name, aliyun_sms_template and aliyun_sms_code_template".into(),
            ));
        }
        let retention = self.retention();
        if [
            retention.notifications_days,
            retention.deliveries_days,
            retention.webhooks_days,
            retention.outbox_days,
            retention.processed_messages_days,
            retention.tasks_days,
            retention.job_matches_days,
        ]
        .iter()
        .any(|d| *d < 1)
        {
            return Err(SettingsError(
                "retention_* settings must be at least 1 day".into(),
            ));
        }
        if self.db_max_connections == 0 {
            return Err(SettingsError(
                "db_max_connections must be at least 1".into(),
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log_level).is_err() {
            return Err(SettingsError(format!(
                "log_level `{}` is not a valid filter",
                self.log_level
            )));
        }
        Ok(())
    }

    /// Refuses secrets published with Anju (the examples in `docker-compose.yml`, `.env.example`
    /// and the README), naming the setting. `api --demo` skips this; every other start runs it.
    pub fn refuse_published_examples(&self) -> Result<(), SettingsError> {
        refuse_published(&[
            ("pii_key", self.pii_key.as_ref()),
            ("database_url", self.database_url.as_ref()),
            ("amqp_url", self.amqp_url.as_ref()),
            ("jpush_master_secret", self.jpush_master_secret.as_ref()),
            ("getui_master_secret", self.getui_master_secret.as_ref()),
            (
                "aliyun_access_key_secret",
                self.aliyun_access_key_secret.as_ref(),
            ),
            ("wechat_app_secret", self.wechat_app_secret.as_ref()),
        ])
    }

    /// Connects the database with the configured pool size.
    pub async fn connect_db(&self) -> anyhow::Result<entity::Db> {
        use anyhow::Context;
        let options = entity::db::DbOptions {
            max_connections: self.db_max_connections,
            ..entity::db::DbOptions::default()
        };
        entity::Db::connect(self.database_url().expose(), &options)
            .await
            .context("connecting to the database")
    }

    /// The database URL in force (the SQLite file in `data_dir` by default).
    pub fn database_url(&self) -> Secret {
        self.database_url.clone().unwrap_or_else(|| {
            Secret::new(format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("anju.db").display()
            ))
        })
    }
}

/// A push service the worker has a client for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PushService {
    /// JPush (极光推送): reaches Android through its own and the vendors' channels, iOS and
    /// HarmonyOS.
    JPush,
    /// Getui (个推), which uni-push uses: Android (its own and the vendors' channels) and iOS.
    Getui,
}

impl PushService {
    /// Every service, in the order `push_provider` is documented.
    pub const ALL: [PushService; 2] = [PushService::JPush, PushService::Getui];

    /// Its name in `push_provider`, which is also the `provider` of the devices it serves.
    pub fn name(self) -> &'static str {
        match self {
            PushService::JPush => "jpush",
            PushService::Getui => "getui",
        }
    }
}

/// Which devices pushes reach, as the settings say: what the dispatcher builds its clients from
/// and what the api accepts devices for, so that the two cannot disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushRouting {
    /// Development (`push_provider = log`): every device's pushes are logged, none sent.
    Logged,
    /// These services send; devices of other providers cannot be reached.
    Live(Vec<PushService>),
}

impl PushRouting {
    /// Whether a device registered with `provider` (`jpush`, `getui`, `huawei`, …) gets pushes.
    pub fn reaches(&self, provider: &str) -> bool {
        match self {
            PushRouting::Logged => true,
            PushRouting::Live(services) => services.iter().any(|s| s.name() == provider),
        }
    }

    /// The providers whose devices get pushes, for messages (`all` in development).
    pub fn describe(&self) -> String {
        match self {
            PushRouting::Logged => "all (logged)".into(),
            PushRouting::Live(services) => services
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl Settings {
    /// The push services in use: `push_provider` read and checked with each service's
    /// credentials. A listed service needs all of its credentials; credentials of a service not
    /// listed are refused too (they would look used and be ignored). With `log` the push settings
    /// are not read.
    pub fn push_routing(&self) -> Result<PushRouting, SettingsError> {
        if self.push_provider.trim() == "log" {
            return Ok(PushRouting::Logged);
        }
        let mut listed = Vec::new();
        for name in self.push_provider.split(',').map(str::trim) {
            let service = PushService::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| {
                    SettingsError(format!(
                        "push_provider must be `log` or a comma-separated list of `jpush` and \
                         `getui`, not `{}`",
                        self.push_provider
                    ))
                })?;
            if !listed.contains(&service) {
                listed.push(service);
            }
        }
        for service in PushService::ALL {
            let credentials = self.push_credentials(service);
            let missing: Vec<&str> = credentials
                .iter()
                .filter(|(_, set)| !set)
                .map(|(key, _)| *key)
                .collect();
            let any_set = missing.len() < credentials.len();
            let name = service.name();
            if listed.contains(&service) && !missing.is_empty() {
                return Err(SettingsError(format!(
                    "push_provider lists {name}, which needs {}",
                    missing.join(" and ")
                )));
            }
            if !listed.contains(&service) && any_set {
                return Err(SettingsError(format!(
                    "{name} credentials are set but push_provider does not list {name}: add it, \
                     or remove them"
                )));
            }
        }
        let vendor_texts = [
            ("push_xiaomi_channel_id", &self.push_xiaomi_channel_id),
            ("push_oppo_channel_id", &self.push_oppo_channel_id),
            ("push_oppo_category", &self.push_oppo_category),
            ("push_vivo_category", &self.push_vivo_category),
        ];
        for (key, value) in vendor_texts {
            if value.as_deref().is_some_and(|v| {
                v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_graphic())
            }) {
                return Err(SettingsError(format!(
                    "{key} must be 1 to 64 visible ASCII characters"
                )));
            }
        }
        if let Some(category) = &self.push_huawei_category
            && !crate::delivery::HUAWEI_CATEGORIES.contains(&category.as_str())
        {
            return Err(SettingsError(format!(
                "push_huawei_category must be one of Huawei's categories ({}), not `{category}`",
                crate::delivery::HUAWEI_CATEGORIES.join(", ")
            )));
        }
        Ok(PushRouting::Live(listed))
    }

    /// A service's credential keys and whether each is set.
    fn push_credentials(&self, service: PushService) -> Vec<(&'static str, bool)> {
        match service {
            PushService::JPush => vec![
                ("jpush_app_key", self.jpush_app_key.is_some()),
                ("jpush_master_secret", self.jpush_master_secret.is_some()),
            ],
            PushService::Getui => vec![
                ("getui_app_id", self.getui_app_id.is_some()),
                ("getui_app_key", self.getui_app_key.is_some()),
                ("getui_master_secret", self.getui_master_secret.is_some()),
            ],
        }
    }

    /// What Android vendors and HarmonyOS are told about our pushes.
    pub fn vendor_channels(&self) -> crate::delivery::VendorChannels {
        crate::delivery::VendorChannels {
            huawei_category: self.push_huawei_category.clone(),
            xiaomi_channel_id: self.push_xiaomi_channel_id.clone(),
            oppo_channel_id: self.push_oppo_channel_id.clone(),
            oppo_category: self.push_oppo_category.clone(),
            vivo_category: self.push_vivo_category.clone(),
        }
    }
}

/// Refuses the first of these named secrets that was published with Anju, naming it.
pub fn refuse_published(secrets: &[(&str, Option<&Secret>)]) -> Result<(), SettingsError> {
    for (name, value) in secrets {
        if value.is_some_and(|v| anju_config::is_published_example(v.expose())) {
            return Err(SettingsError(format!(
                "{name} holds an example secret published with Anju (docker-compose.yml, \
                 .env.example or the README); set one of your own"
            )));
        }
    }
    Ok(())
}

impl Settings {
    /// The broker settings, when a broker is configured.
    pub fn rabbit(&self) -> Option<crate::rabbit::RabbitSettings> {
        self.amqp_url
            .as_ref()
            .map(|url| crate::rabbit::RabbitSettings {
                url: url.expose().to_owned(),
                namespace: self.amqp_namespace.clone(),
                prefetch: self.amqp_prefetch,
                delivery_limit: self.amqp_delivery_limit,
            })
    }

    /// The cipher for ID-card numbers and partners' signing secrets: `pii_key`, or the key
    /// generated once in `data_dir/pii.key`.
    pub fn pii_cipher(&self) -> anyhow::Result<entity::crypto::PiiCipher> {
        use entity::crypto;
        let key: [u8; 32] = match &self.pii_key {
            Some(key) => crypto::decode_key(key.expose().trim())
                .map_err(|e| anyhow::anyhow!("pii_key: {e}"))?,
            None => crypto::load_or_create_key(&self.data_dir.join("pii.key"))?,
        };
        Ok(crypto::PiiCipher::new(&key))
    }

    /// The partner webhook sender these settings describe.
    pub fn webhooks(&self) -> anyhow::Result<crate::partner_sync::Webhooks> {
        crate::partner_sync::Webhooks::new(
            self.pii_cipher()?,
            std::time::Duration::from_secs(self.webhook_timeout_secs.max(1)),
            std::time::Duration::from_millis(self.webhook_retry_base_ms.max(1)),
            self.egress_policy(),
        )
    }

    /// How long housekeeping keeps things.
    pub fn retention(&self) -> crate::housekeeping::Retention {
        crate::housekeeping::Retention {
            notifications_days: self.retention_notifications_days,
            deliveries_days: self.retention_deliveries_days,
            webhooks_days: self.retention_webhooks_days,
            outbox_days: self.retention_outbox_days,
            processed_messages_days: self.retention_processed_messages_days,
            tasks_days: self.retention_tasks_days,
            job_matches_days: self.retention_job_matches_days,
        }
    }

    /// The WeChat mini-program's client, when one is configured; half a configuration (an
    /// AppID without its secret or the reverse) is an error, so that a process does not start
    /// without the WeChat login its operator meant to turn on.
    pub fn wechat(&self) -> anyhow::Result<Option<crate::delivery::wechat::WeChat>> {
        use crate::delivery::Vendor;
        let (app_id, secret) = match (&self.wechat_app_id, &self.wechat_app_secret) {
            (Some(app_id), Some(secret)) => (app_id, secret),
            (None, None) => return Ok(None),
            _ => anyhow::bail!("wechat_app_id and wechat_app_secret go together"),
        };
        let mut client = crate::delivery::wechat::WeChat::new(app_id.clone(), secret.clone())?;
        if let Some(url) = &self.wechat_base_url {
            client = client.with_base_url(url.clone());
        }
        Ok(Some(client))
    }

    /// What partners' webhook receivers may be.
    pub fn egress_policy(&self) -> crate::egress::EgressPolicy {
        crate::egress::EgressPolicy {
            allow_http: self.webhook_allow_http,
            allow_private_networks: self.webhook_allow_private_networks,
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment's Jail closures return figment::Error"
)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_need_no_configuration() {
        Jail::expect_with(|_| {
            let s = Settings::load().unwrap();
            assert_eq!(s.worker_listen, "127.0.0.1:8090");
            assert_eq!(
                s.database_url().expose(),
                "sqlite://./data/anju.db?mode=rwc"
            );
            assert!(s.amqp_url.is_none());
            Ok(())
        });
    }

    #[test]
    fn the_api_keys_are_accepted_and_unknown_keys_named() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "anju.toml",
                "listen = \"0.0.0.0:9000\"\namqp_prefetch = 4\n",
            )?;
            jail.set_env("ANJU_JWT_KEYS", "2026:x");
            jail.set_env("ANJU_REQUIRE_SERVICES", "1");
            let s = Settings::load().unwrap();
            assert_eq!(s.amqp_prefetch, 4);
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.create_file("anju.toml", "lisen = \"0.0.0.0:9000\"\n")?;
            let err = Settings::load().unwrap_err().to_string();
            assert!(err.contains("lisen"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_DATABSE_URL", "x");
            let err = Settings::load().unwrap_err().to_string();
            assert!(err.contains("databse_url"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn published_example_secrets_are_refused_by_name() {
        Jail::expect_with(|jail| {
            jail.set_env(
                "ANJU_PII_KEY",
                "Hk1I6mC1l2J0k7mZ0x2r9pZ6cQ3a8b5d4e7f1g2h3i0=",
            );
            let err = Settings::load()
                .unwrap()
                .refuse_published_examples()
                .unwrap_err()
                .to_string();
            assert!(err.contains("pii_key"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://anju:change-me-db@postgres/anju");
            let err = Settings::load()
                .unwrap()
                .refuse_published_examples()
                .unwrap_err()
                .to_string();
            assert!(err.contains("database_url"), "{err}");
            Ok(())
        });
        Jail::expect_with(|_| {
            Settings::load()
                .unwrap()
                .refuse_published_examples()
                .unwrap();
            Ok(())
        });
    }

    #[test]
    fn push_provider_lists_services_each_with_its_credentials() {
        let routing = |push_provider: &str, set: &dyn Fn(&mut Settings)| {
            let mut s = Settings::defaults();
            s.push_provider = push_provider.into();
            set(&mut s);
            s.push_routing().map_err(|e| e.to_string())
        };
        let jpush = |s: &mut Settings| {
            s.jpush_app_key = Some("4a1f2e3d5c6b7a8f9e0d1c2b".into());
            s.jpush_master_secret = Some(Secret::new("m4st3r"));
        };
        let getui = |s: &mut Settings| {
            s.getui_app_id = Some("gAppId".into());
            s.getui_app_key = Some("gAppKey".into());
            s.getui_master_secret = Some(Secret::new("gM4st3r"));
        };
        let both = |s: &mut Settings| {
            jpush(s);
            getui(s);
        };

        // Development logs every provider, whatever credentials are lying around.
        assert_eq!(routing("log", &both), Ok(PushRouting::Logged));
        assert!(PushRouting::Logged.reaches("huawei"));
        // Old configurations keep working.
        let old = routing("jpush", &jpush).unwrap();
        assert_eq!(old, PushRouting::Live(vec![PushService::JPush]));
        assert!(old.reaches("jpush") && !old.reaches("getui") && !old.reaches("huawei"));
        assert_eq!(
            routing(" getui , jpush,getui", &both),
            Ok(PushRouting::Live(vec![
                PushService::Getui,
                PushService::JPush
            ]))
        );
        // Half of a service's credentials, unknown names and unlisted credentials stop the start.
        let err = routing("jpush,getui", &|s: &mut Settings| {
            jpush(s);
            s.getui_app_id = Some("gAppId".into());
        })
        .unwrap_err();
        assert!(
            err.contains("getui_app_key and getui_master_secret"),
            "{err}"
        );
        let err = routing("jpush", &|_: &mut Settings| {}).unwrap_err();
        assert!(
            err.contains("jpush_app_key and jpush_master_secret"),
            "{err}"
        );
        let err = routing("jpush", &both).unwrap_err();
        assert!(err.contains("getui credentials are set"), "{err}");
        for bad in ["", "log,jpush", "huawei", "jpush;getui"] {
            let err = routing(bad, &both).unwrap_err();
            assert!(err.contains("push_provider must be"), "{bad}: {err}");
        }
        // Vendor classification is checked once pushes are live.
        let err = routing("jpush", &|s: &mut Settings| {
            jpush(s);
            s.push_huawei_category = Some("work".into());
        })
        .unwrap_err();
        assert!(err.contains("push_huawei_category"), "{err}");
        let err = routing("jpush", &|s: &mut Settings| {
            jpush(s);
            s.push_xiaomi_channel_id = Some(String::new());
        })
        .unwrap_err();
        assert!(err.contains("push_xiaomi_channel_id"), "{err}");
    }

    #[test]
    fn push_settings_come_from_the_environment_and_are_checked_at_load() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_PUSH_PROVIDER", "jpush,getui");
            jail.set_env("ANJU_JPUSH_APP_KEY", "4a1f2e3d5c6b7a8f9e0d1c2b");
            jail.set_env("ANJU_JPUSH_MASTER_SECRET", "m4st3r");
            jail.set_env("ANJU_JPUSH_APNS_PRODUCTION", "false");
            jail.set_env("ANJU_GETUI_APP_ID", "gAppId");
            jail.set_env("ANJU_GETUI_APP_KEY", "gAppKey");
            let err = Settings::load().unwrap_err().to_string();
            assert!(err.contains("getui_master_secret"), "{err}");
            jail.set_env("ANJU_GETUI_MASTER_SECRET", "gM4st3r");
            jail.set_env("ANJU_PUSH_HUAWEI_CATEGORY", "WORK");
            let s = Settings::load().unwrap();
            assert!(!s.jpush_apns_production);
            assert_eq!(s.vendor_channels().huawei_category.as_deref(), Some("WORK"));
            assert!(s.push_routing().unwrap().reaches("getui"));
            Ok(())
        });
    }
}
