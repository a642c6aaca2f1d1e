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
    /// Origins whose pages may call the API from a browser (an H5 build of the app, the console
    /// on another origin): `https://h5.example.cn`, comma-separated. Empty (the default): none.
    #[serde(default)]
    pub cors_origins: crate::cors::CorsOrigins,
    /// Login, activation and password attempts allowed per phone number (or account) per minute.
    pub attempts_per_phone_per_minute: u32,
    /// Login, activation and sign-up attempts allowed per client address per minute.
    pub attempts_per_address_per_minute: u32,
    /// SMS codes sent to one phone number per day (at most one a minute).
    pub sms_codes_per_phone_per_day: u32,
    /// SMS codes asked for from one client address per hour.
    pub sms_codes_per_address_per_hour: u32,
    /// How long a signed link to a printable sheet opens it (seconds; 1 to 86,400, default 600).
    pub sheet_link_seconds: u64,
    /// How long the signed link to a claim's photo, which every photo in a response carries,
    /// opens it without a header (seconds; 1 to 86,400, default 600).
    pub image_link_seconds: u64,
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
    sheet_link_seconds: u64,
    image_link_seconds: u64,
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
    sheet_link_seconds: 600,
    image_link_seconds: 600,
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
        if !(1..=86_400).contains(&self.sheet_link_seconds) {
            return Err("sheet_link_seconds must be between 1 and 86400"
                .to_owned()
                .into());
        }
        if !(1..=86_400).contains(&self.image_link_seconds) {
            return Err("image_link_seconds must be between 1 and 86400"
                .to_owned()
                .into());
        }
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
mod tests;
