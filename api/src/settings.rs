//! The api's own settings (listen address, body limit, JWT keys, sign-in limits, uploads,
//! metrics), read from the same `anju.toml` and environment as the worker's
//! ([`worker::settings`]), which the api reads too and keeps in [`Settings::worker`].

use figment::{Figment, providers::Serialized};
use serde::{Deserialize, Serialize};

use entity::secret::Secret;
use worker::settings::{SettingsError, refuse_published};

/// Everything the api process can be told.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Address to listen on (`host:port`; port 0 picks a free one).
    pub listen: String,
    /// Apply pending migrations at start (the default; production runs the `migration` job instead).
    pub migrate_on_start: bool,
    /// Largest request body accepted, in bytes (larger bodies get 413).
    pub body_limit: usize,
    /// HTTP worker threads; defaults to the number of cores.
    pub http_workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// JWT signing keys, `kid:base64key[,kid:base64key…]` (32+ random bytes each): the first signs,
    /// all verify, so a new key can be introduced before the old one is retired. Default: one key
    /// generated at first start in `data_dir/jwt.key`. Several api replicas must share this.
    pub jwt_keys: Option<Secret>,
    /// Phone of the first platform administrator, created at start when none exists.
    pub bootstrap_admin_phone: Option<String>,
    /// Password of that administrator.
    pub bootstrap_admin_password: Option<Secret>,
    /// The reverse proxies in front of the api (addresses or CIDR networks, comma-separated):
    /// only a request from one of them has its client address taken from `X-Forwarded-For`, as
    /// the right-most address there that is not itself a trusted proxy. Empty: the peer address.
    #[serde(default)]
    pub trusted_proxies: Networks,
    /// Login, activation and password attempts allowed per phone number (or account) per minute.
    pub attempts_per_phone_per_minute: u32,
    /// Login, activation and sign-up attempts allowed per client address per minute.
    pub attempts_per_address_per_minute: u32,
    /// SMS codes sent to one phone number per day (at most one a minute).
    pub sms_codes_per_phone_per_day: u32,
    /// SMS codes asked for from one client address per hour.
    pub sms_codes_per_address_per_hour: u32,
    /// Where uploaded files (claim photos) are kept: `file:///path` (the default is
    /// `<data_dir>/objects`), or `s3://bucket[/prefix]` for S3 or an S3-compatible store, which
    /// takes its credentials, region and endpoint from the standard `AWS_*` variables
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`). Several api
    /// replicas must share one store.
    pub object_store_url: Option<String>,
    /// Extra options of an `s3://` store, by the `object_store` crate's S3 configuration keys
    /// (`endpoint`, `region`, `allow_http`, `access_key_id`, `secret_access_key`,
    /// `virtual_hosted_style_request`, …); they override the `AWS_*` variables. In `anju.toml`:
    /// `[object_store_options]`; from the environment: `ANJU_OBJECT_STORE_OPTIONS='{endpoint="…"}'`.
    #[serde(default)]
    pub object_store_options: std::collections::BTreeMap<String, String>,
    /// Serve `/metrics` on this separate address (`host:port`, for the scraper's network only)
    /// instead of the public port.
    pub metrics_listen: Option<String>,
    /// Serve `/metrics` on the public port to requests bearing this token
    /// (`Authorization: Bearer …`).
    pub metrics_token: Option<Secret>,
    /// What the api shares with the worker (database, broker, keys, providers, retention), and
    /// runs its embedded worker with.
    #[serde(skip)]
    pub worker: worker::settings::Settings,
}

/// IP addresses and networks (`10.0.0.0/8`, `192.168.1.7`, `fd00::/8`), written as a
/// comma-separated string or a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<(std::net::IpAddr, u8)>);

impl Networks {
    /// Parses `a, b/len, …`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, len) = match item.split_once('/') {
                Some((addr, len)) => (addr, Some(len)),
                None => (item, None),
            };
            let addr: std::net::IpAddr = addr
                .parse()
                .map_err(|_| format!("`{item}` is not an IP address or network"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = match len {
                None => max,
                Some(len) => len
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("`{item}`: the prefix length must be 0–{max}"))?,
            };
            out.push((addr, len));
        }
        Ok(Self(out))
    }

    /// Whether `addr` lies in one of the networks (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: std::net::IpAddr) -> bool {
        let addr = canonical(addr);
        self.0
            .iter()
            .any(|(net, len)| in_network(addr, canonical(*net), *len))
    }

    /// Whether no network is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
pub fn canonical(addr: std::net::IpAddr) -> std::net::IpAddr {
    match addr {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, std::net::IpAddr::V4),
        v4 => v4,
    }
}

fn in_network(addr: std::net::IpAddr, net: std::net::IpAddr, len: u8) -> bool {
    use std::net::IpAddr::{V4, V6};
    match (addr, net) {
        (V4(a), V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (V6(a), V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl<'de> Deserialize<'de> for Networks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            List(Vec<String>),
        }
        let text = match Form::deserialize(d)? {
            Form::Text(text) => text,
            Form::List(items) => items.join(","),
        };
        Networks::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The built-in defaults, as a serializable layer for figment.
#[derive(Serialize)]
struct Defaults {
    listen: &'static str,
    migrate_on_start: bool,
    body_limit: usize,
    shutdown_timeout_secs: u64,
    attempts_per_phone_per_minute: u32,
    attempts_per_address_per_minute: u32,
    sms_codes_per_phone_per_day: u32,
    sms_codes_per_address_per_hour: u32,
}

const DEFAULTS: Defaults = Defaults {
    listen: "127.0.0.1:8080",
    migrate_on_start: true,
    body_limit: 256 * 1024,
    shutdown_timeout_secs: 30,
    attempts_per_phone_per_minute: 5,
    attempts_per_address_per_minute: 30,
    sms_codes_per_phone_per_day: 10,
    sms_codes_per_address_per_hour: 20,
};

impl Settings {
    /// Loads defaults, then `anju.toml` (or the file named by `ANJU_CONFIG`), then the environment.
    pub fn load() -> Result<Self, SettingsError> {
        let sources = anju_config::sources();
        let worker =
            worker::settings::Settings::from_sources(sources.clone(), anju_config::keys::<Self>())?;
        Self::from_figment(
            Figment::from(Serialized::defaults(DEFAULTS)).merge(sources),
            worker,
        )
    }

    /// The defaults alone (no file, no environment): what tests and benchmarks start from.
    pub fn defaults() -> Self {
        // The defaults are a fixed, valid value; failing here is a programming error caught by tests.
        Self::from_figment(
            Figment::from(Serialized::defaults(DEFAULTS)),
            worker::settings::Settings::defaults(),
        )
        .unwrap_or_else(|e| unreachable!("built-in defaults are invalid: {e}"))
    }

    fn from_figment(
        figment: Figment,
        worker: worker::settings::Settings,
    ) -> Result<Self, SettingsError> {
        // Lossy: numbers and booleans may be written as strings (the environment's are).
        let settings = Self {
            worker,
            ..figment.extract_lossy().map_err(|e| e.to_string())?
        };
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.body_limit < 1024 {
            return Err("body_limit must be at least 1024 bytes".to_owned().into());
        }
        if self.attempts_per_phone_per_minute == 0
            || self.attempts_per_address_per_minute == 0
            || self.sms_codes_per_phone_per_day == 0
            || self.sms_codes_per_address_per_hour == 0
        {
            return Err("rate limits must be at least 1".to_owned().into());
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().len() < 16)
        {
            return Err("metrics_token must be at least 16 characters"
                .to_owned()
                .into());
        }
        Ok(())
    }

    /// Refuses secrets published with Anju (the examples in `docker-compose.yml`, `.env.example`
    /// and the README), the api's and the worker's, naming the setting. `api --demo` skips this;
    /// every other start runs it.
    pub fn refuse_published_examples(&self) -> Result<(), SettingsError> {
        self.worker.refuse_published_examples()?;
        refuse_published(&[
            ("jwt_keys", self.jwt_keys.as_ref()),
            (
                "bootstrap_admin_password",
                self.bootstrap_admin_password.as_ref(),
            ),
            ("metrics_token", self.metrics_token.as_ref()),
        ])
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
            assert_eq!(s.listen, "127.0.0.1:8080");
            assert_eq!(s.body_limit, 262_144);
            assert!(s.worker.amqp_url.is_none());
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "anju.toml",
                "listen = \"0.0.0.0:9000\"\nbody_limit = 4096\n",
            )?;
            jail.set_env("ANJU_BODY_LIMIT", "8192");
            jail.set_env("DATABASE_URL", "postgres://anju:hunter2@db/anju");
            jail.set_env("ANJU_REQUIRE_SERVICES", "1");
            let s = Settings::load().unwrap();
            assert_eq!(s.listen, "0.0.0.0:9000");
            assert_eq!(s.body_limit, 8192);
            assert_eq!(
                s.worker.database_url().expose(),
                "postgres://anju:hunter2@db/anju"
            );
            assert!(
                !format!("{s:?}").contains("hunter2"),
                "secrets leak through Debug"
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_named() {
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
    fn the_worker_accepts_exactly_the_api_keys() {
        assert_eq!(anju_config::keys::<Settings>(), worker::settings::API_KEYS);
    }

    #[test]
    fn trusted_proxies_are_networks() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,fd00::/8");
            let s = Settings::load().unwrap();
            let ip = |t: &str| t.parse::<std::net::IpAddr>().unwrap();
            assert!(s.trusted_proxies.contains(ip("10.1.2.3")));
            assert!(s.trusted_proxies.contains(ip("::ffff:10.1.2.3")));
            assert!(s.trusted_proxies.contains(ip("192.168.1.7")));
            assert!(!s.trusted_proxies.contains(ip("192.168.1.8")));
            assert!(s.trusted_proxies.contains(ip("fd12::1")));
            assert!(!s.trusted_proxies.contains(ip("2001:db8::1")));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.create_file("anju.toml", "trusted_proxies = [\"127.0.0.1\", \"::1\"]\n")?;
            let s = Settings::load().unwrap();
            assert!(s.trusted_proxies.contains("::1".parse().unwrap()));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_TRUSTED_PROXIES", "10.0.0.0/33");
            let err = Settings::load().unwrap_err().to_string();
            assert!(err.contains("10.0.0.0/33"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn numeric_looking_strings_stay_strings() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_LISTEN", "127.0.0.1:0");
            jail.set_env("ANJU_LOG_LEVEL", "debug");
            jail.set_env("ANJU_BOOTSTRAP_ADMIN_PHONE", "13800000000");
            jail.set_env("ANJU_BOOTSTRAP_ADMIN_PASSWORD", "0012345678");
            jail.set_env("ANJU_BODY_LIMIT", "65536");
            jail.set_env("ANJU_TRUSTED_PROXIES", "10.0.0.1");
            let s = Settings::load().unwrap();
            assert_eq!(s.listen, "127.0.0.1:0");
            assert_eq!(s.bootstrap_admin_phone.as_deref(), Some("13800000000"));
            assert_eq!(
                s.bootstrap_admin_password.as_ref().map(Secret::expose),
                Some("0012345678")
            );
            assert_eq!(s.body_limit, 65536);
            Ok(())
        });
    }

    /// The keys of the README's configuration table.
    fn documented_keys() -> Vec<String> {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("## Configuration")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap();
        section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| {
                l.split('|')
                    .nth(1)
                    .unwrap()
                    .split(',')
                    .map(|k| k.trim().trim_matches('`').to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn every_documented_setting_can_be_given_by_environment() {
        // A value for each key (all digits wherever the setting is text), and how to see it took.
        type Check = fn(&Settings) -> bool;
        let samples: Vec<(&str, &str, Check)> = vec![
            ("listen", "127.0.0.1:18080", |s| {
                s.listen == "127.0.0.1:18080"
            }),
            ("worker_listen", "127.0.0.1:18090", |s| {
                s.worker.worker_listen == "127.0.0.1:18090"
            }),
            ("data_dir", "20261202", |s| {
                s.worker.data_dir == std::path::Path::new("20261202")
            }),
            ("database_url", "postgres://anju:12345678@db/anju", |s| {
                s.worker.database_url().expose() == "postgres://anju:12345678@db/anju"
            }),
            ("amqp_url", "amqp://anju:12345678@mq:5672/%2f", |s| {
                s.worker
                    .amqp_url
                    .as_ref()
                    .is_some_and(|u| u.expose() == "amqp://anju:12345678@mq:5672/%2f")
            }),
            ("migrate_on_start", "false", |s| !s.migrate_on_start),
            ("db_max_connections", "7", |s| {
                s.worker.db_max_connections == 7
            }),
            ("body_limit", "65536", |s| s.body_limit == 65536),
            ("http_workers", "3", |s| s.http_workers == Some(3)),
            ("shutdown_timeout_secs", "9", |s| {
                s.shutdown_timeout_secs == 9
            }),
            ("log_level", "debug", |s| s.worker.log_level == "debug"),
            ("log_format", "json", |s| {
                s.worker.log_format == worker::settings::LogFormat::Json
            }),
            (
                "jwt_keys",
                "2026:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
                |s| {
                    s.jwt_keys.as_ref().is_some_and(|k| {
                        k.expose() == "2026:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="
                    })
                },
            ),
            (
                "pii_key",
                "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
                |s| {
                    s.worker.pii_key.as_ref().is_some_and(|k| {
                        k.expose() == "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="
                    })
                },
            ),
            ("bootstrap_admin_phone", "13800000000", |s| {
                s.bootstrap_admin_phone.as_deref() == Some("13800000000")
            }),
            ("bootstrap_admin_password", "0012345678", |s| {
                s.bootstrap_admin_password
                    .as_ref()
                    .is_some_and(|p| p.expose() == "0012345678")
            }),
            ("trusted_proxies", "10.0.0.1", |s| {
                s.trusted_proxies.contains("10.0.0.1".parse().unwrap())
            }),
            ("attempts_per_phone_per_minute", "6", |s| {
                s.attempts_per_phone_per_minute == 6
            }),
            ("attempts_per_address_per_minute", "31", |s| {
                s.attempts_per_address_per_minute == 31
            }),
            ("sms_codes_per_phone_per_day", "11", |s| {
                s.sms_codes_per_phone_per_day == 11
            }),
            ("sms_codes_per_address_per_hour", "21", |s| {
                s.sms_codes_per_address_per_hour == 21
            }),
            ("metrics_listen", "127.0.0.1:19464", |s| {
                s.metrics_listen.as_deref() == Some("127.0.0.1:19464")
            }),
            ("metrics_token", "1234567890123456", |s| {
                s.metrics_token
                    .as_ref()
                    .is_some_and(|t| t.expose() == "1234567890123456")
            }),
            ("amqp_namespace", "2026", |s| {
                s.worker.amqp_namespace == "2026"
            }),
            ("amqp_prefetch", "8", |s| s.worker.amqp_prefetch == 8),
            ("amqp_delivery_limit", "4", |s| {
                s.worker.amqp_delivery_limit == 4
            }),
            ("push_provider", "log", |s| s.worker.push_provider == "log"),
            ("jpush_app_key", "123456789012", |s| {
                s.worker.jpush_app_key.as_deref() == Some("123456789012")
            }),
            ("jpush_master_secret", "123456789012", |s| {
                s.worker
                    .jpush_master_secret
                    .as_ref()
                    .is_some_and(|k| k.expose() == "123456789012")
            }),
            ("jpush_base_url", "http://127.0.0.1:1", |s| {
                s.worker.jpush_base_url.as_deref() == Some("http://127.0.0.1:1")
            }),
            ("sms_provider", "log", |s| s.worker.sms_provider == "log"),
            ("aliyun_access_key_id", "123456", |s| {
                s.worker.aliyun_access_key_id.as_deref() == Some("123456")
            }),
            ("aliyun_access_key_secret", "123456", |s| {
                s.worker
                    .aliyun_access_key_secret
                    .as_ref()
                    .is_some_and(|k| k.expose() == "123456")
            }),
            ("aliyun_sms_sign_name", "2026", |s| {
                s.worker.aliyun_sms_sign_name.as_deref() == Some("2026")
            }),
            ("aliyun_sms_template", "480000002", |s| {
                s.worker.aliyun_sms_template.as_deref() == Some("480000002")
            }),
            ("aliyun_sms_code_template", "480000001", |s| {
                s.worker.aliyun_sms_code_template.as_deref() == Some("480000001")
            }),
            ("aliyun_base_url", "http://127.0.0.1:2", |s| {
                s.worker.aliyun_base_url.as_deref() == Some("http://127.0.0.1:2")
            }),
            ("object_store_url", "file:///20261202", |s| {
                s.object_store_url.as_deref() == Some("file:///20261202")
            }),
            (
                "object_store_options",
                "{endpoint=\"http://minio:9000\", allow_http=\"true\"}",
                |s| s.object_store_options.get("allow_http").map(String::as_str) == Some("true"),
            ),
            ("webhook_timeout_secs", "3", |s| {
                s.worker.webhook_timeout_secs == 3
            }),
            ("webhook_retry_base_ms", "250", |s| {
                s.worker.webhook_retry_base_ms == 250
            }),
            ("webhook_allow_http", "true", |s| {
                s.worker.webhook_allow_http
            }),
            ("webhook_allow_private_networks", "true", |s| {
                s.worker.webhook_allow_private_networks
            }),
            ("retention_notifications_days", "200", |s| {
                s.worker.retention_notifications_days == 200
            }),
            ("retention_deliveries_days", "20", |s| {
                s.worker.retention_deliveries_days == 20
            }),
            ("retention_webhooks_days", "21", |s| {
                s.worker.retention_webhooks_days == 21
            }),
            ("retention_outbox_days", "2", |s| {
                s.worker.retention_outbox_days == 2
            }),
            ("retention_processed_messages_days", "3", |s| {
                s.worker.retention_processed_messages_days == 3
            }),
            ("retention_tasks_days", "4", |s| {
                s.worker.retention_tasks_days == 4
            }),
            ("retention_job_matches_days", "50", |s| {
                s.worker.retention_job_matches_days == 50
            }),
        ];
        let documented = documented_keys();
        let sampled: Vec<&str> = samples.iter().map(|(k, _, _)| *k).collect();
        for key in &documented {
            assert!(
                sampled.contains(&key.as_str()),
                "README documents `{key}`: give it a sample here"
            );
        }
        for key in &sampled {
            assert!(
                documented.iter().any(|d| d == key),
                "`{key}` is not in the README's table"
            );
        }
        // And every key of either process is documented.
        let keys = anju_config::keys::<Settings>()
            .iter()
            .chain(anju_config::keys::<worker::settings::Settings>());
        for key in keys {
            assert!(
                documented.iter().any(|d| d == key),
                "setting `{key}` is not in the README's table"
            );
        }
        for (key, value, check) in samples {
            Jail::expect_with(|jail| {
                jail.set_env(format!("ANJU_{}", key.to_ascii_uppercase()), value);
                let settings = Settings::load()
                    .unwrap_or_else(|e| panic!("ANJU_{}={value}: {e}", key.to_ascii_uppercase()));
                assert!(
                    check(&settings),
                    "ANJU_{}={value} did not take",
                    key.to_ascii_uppercase()
                );
                Ok(())
            });
        }
    }

    #[test]
    fn published_example_secrets_are_refused_by_name() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJU_BOOTSTRAP_ADMIN_PASSWORD", "change-me-admin");
            let err = Settings::load()
                .unwrap()
                .refuse_published_examples()
                .unwrap_err()
                .to_string();
            assert!(err.contains("bootstrap_admin_password"), "{err}");
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
    }
}
