//! Requests to addresses that someone else chose (a partner's webhook URL). A receiver must not
//! be able to turn the worker against the network it runs in: the cloud's metadata service, the
//! broker's management port, the database, anything on loopback or a private network. So:
//!
//! - only `https` (plain `http` only where `webhook_allow_http` says so, for development);
//! - the destination's addresses are checked when the request is made, after DNS resolution, and
//!   the connection goes to the checked addresses only (a name that resolves to a public address
//!   when the partner is created and to 169.254.169.254 later is refused then: DNS rebinding);
//! - an IP address written in the URL is checked the same way;
//! - redirects are never followed (a public receiver cannot bounce the request inward);
//! - no proxy from the environment is used (it would resolve the name for us, unchecked).
//!
//! `webhook_allow_private_networks` lifts the address check, for development and tests only.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

/// What outbound requests may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    /// Plain `http://` allowed (development).
    pub allow_http: bool,
    /// Loopback, private, link-local and other internal addresses allowed (development).
    pub allow_private_networks: bool,
}

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not a URL.
    #[error("not a valid URL")]
    Malformed,
    /// Not https (or http where allowed).
    #[error("the URL must use https")]
    Scheme,
    /// Credentials in the URL.
    #[error("the URL must not carry a user name or password")]
    Credentials,
    /// An address that is not on the public internet.
    #[error("{0} is not a public address")]
    Address(IpAddr),
    /// A name whose every address is internal.
    #[error("{0} resolves only to addresses that are not public")]
    Name(String),
}

/// Whether `ip` is an ordinary address on the public internet: not loopback, private, link-local
/// (cloud metadata lives at 169.254.169.254 and fd00:ec2::254), shared (CGNAT), multicast,
/// documentation, benchmarking or otherwise reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (Teredo, ...)
                || s[0] == 0x2002 // 6to4 wraps an IPv4 address
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1))
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_unspecified()
        || v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

impl EgressPolicy {
    /// Checks a URL before anything is sent: scheme, credentials, and an address written in it.
    /// Names are checked when they are resolved (see [`EgressPolicy::client`]).
    pub fn check_url(&self, url: &str) -> Result<Url, Refused> {
        let parsed = Url::parse(url).map_err(|_| Refused::Malformed)?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(Refused::Scheme),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Refused::Credentials);
        }
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(Refused::Malformed),
        };
        if let Some(ip) = literal
            && !self.allow_private_networks
            && !is_public(ip)
        {
            return Err(Refused::Address(ip));
        }
        Ok(parsed)
    }

    /// An HTTP client under this policy: addresses checked at resolution, no redirects, no
    /// proxy.
    pub fn client(&self, timeout: Duration, user_agent: &str) -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver {
                allow_private: self.allow_private_networks,
            }))
            .build()
    }
}

/// Resolves names with the system resolver and keeps only the addresses the policy allows.
struct CheckedResolver {
    allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(
                    Box::new(Refused::Name(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// An error and its causes on one line (reqwest's own message hides the cause).
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(internal)), "{internal}");
        }
        for public in [
            "8.8.8.8",
            "114.114.114.114",
            "2400:3200::1",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn urls_are_checked_before_sending() {
        let strict = EgressPolicy::default();
        assert!(
            strict
                .check_url("https://receiver.example.cn/hooks")
                .is_ok()
        );
        assert_eq!(
            strict.check_url("http://receiver.example.cn/hooks"),
            Err(Refused::Scheme)
        );
        assert_eq!(strict.check_url("ftp://x.example/"), Err(Refused::Scheme));
        assert_eq!(
            strict.check_url("https://169.254.169.254/latest/meta-data/"),
            Err(Refused::Address(ip("169.254.169.254")))
        );
        assert_eq!(
            strict.check_url("https://[::1]:15672/api/queues"),
            Err(Refused::Address(ip("::1")))
        );
        assert_eq!(
            strict.check_url("https://user:pass@receiver.example.cn/"),
            Err(Refused::Credentials)
        );
        let dev = EgressPolicy {
            allow_http: true,
            allow_private_networks: true,
        };
        assert!(dev.check_url("http://127.0.0.1:9000/hooks").is_ok());
    }

    #[tokio::test]
    async fn names_that_resolve_inward_are_refused_at_send_time() {
        let client = EgressPolicy {
            allow_http: true,
            allow_private_networks: false,
        }
        .client(Duration::from_secs(2), "test")
        .unwrap();
        let error = client.get("http://localhost:9/").send().await.unwrap_err();
        let text = describe(&error);
        assert!(
            text.contains("localhost resolves only to addresses that are not public"),
            "{text}"
        );
    }
}
