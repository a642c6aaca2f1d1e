//! Rate limits on everything that guesses or sends: logins, activations, codes, sign-ups and
//! password changes, per phone number, per account and per client address.
//!
//! The counts live in the database ([`entity::platform::rate_limit`]), so N api replicas share
//! one budget instead of multiplying it. Subjects are stored as keyed hashes, never in clear.
//! The client address is the peer's, unless the peer is one of the configured trusted proxies:
//! then it is the right-most `X-Forwarded-For` address that is not itself a trusted proxy (the
//! one the outermost trusted proxy saw), so a client cannot pick its own bucket by sending the
//! header itself. IPv6 clients are counted by their /64, which one subscriber usually holds whole.

use std::net::IpAddr;

use crate::settings::{Networks, Settings, canonical};
use actix_web::{HttpRequest, http::header::HeaderMap};
use chrono::Utc;
use entity::{
    Db,
    crypto::PiiCipher,
    people::Phone,
    platform::rate_limit::{self, Limit},
};
use uuid::Uuid;

use crate::error::ApiError;

/// Who a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A phone number (whether or not it has an account: the answer must not tell).
    Phone(&'a Phone),
    /// An account.
    Account(Uuid),
    /// A client address (IPv6 by its /64).
    Address(IpAddr),
}

impl Subject<'_> {
    fn key(&self) -> String {
        match self {
            Subject::Phone(phone) => format!("phone {}", phone.as_str()),
            Subject::Account(id) => format!("account {id}"),
            Subject::Address(IpAddr::V4(v4)) => format!("address {v4}"),
            Subject::Address(IpAddr::V6(v6)) => {
                let net = u128::from(*v6) & (u128::MAX << 64);
                format!("address {}/64", std::net::Ipv6Addr::from(net))
            }
        }
    }
}

/// The limits of this deployment, counted in its database.
#[derive(Clone)]
pub struct Limiters {
    keys: PiiCipher,
    trusted_proxies: Networks,
    /// Attempts per phone (or account) per minute.
    pub per_phone: Limit,
    /// Attempts per client address per minute.
    pub per_address: Limit,
    /// SMS codes per phone: one a minute…
    pub codes_per_phone_minute: Limit,
    /// …and this many a day.
    pub codes_per_phone_day: Limit,
    /// SMS codes asked for per client address per hour.
    pub codes_per_address: Limit,
}

impl Limiters {
    /// The limits `settings` configure; subjects are hashed with `keys`.
    pub fn new(settings: &Settings, keys: PiiCipher) -> Self {
        Self {
            keys,
            trusted_proxies: settings.trusted_proxies.clone(),
            per_phone: Limit::per_minute(settings.attempts_per_phone_per_minute),
            per_address: Limit::per_minute(settings.attempts_per_address_per_minute),
            codes_per_phone_minute: Limit::per_minute(1),
            codes_per_phone_day: Limit::per_day(settings.sms_codes_per_phone_per_day),
            codes_per_address: Limit::per_hour(settings.sms_codes_per_address_per_hour),
        }
    }

    /// Counts one `action` against every `(subject, limit)` pair; 429 with `Retry-After` (the
    /// longest wait among the budgets spent) when any is over.
    pub async fn check(
        &self,
        db: &Db,
        action: &str,
        budgets: &[(Subject<'_>, Limit)],
    ) -> Result<(), ApiError> {
        let now = Utc::now();
        let mut wait = None;
        for (subject, limit) in budgets {
            let key = self.keys.lookup_hash(&format!(
                "rate {action} {} {}",
                limit.window_secs,
                subject.key()
            ));
            if let Some(secs) = rate_limit::hit(db.writer(), &key, *limit, now).await? {
                wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
            }
        }
        match wait {
            None => Ok(()),
            Some(retry_after_secs) => Err(ApiError::RateLimited { retry_after_secs }),
        }
    }

    /// One guess at a phone's secret (a password): counted per phone and per client address.
    pub async fn attempt(
        &self,
        db: &Db,
        action: &str,
        req: &HttpRequest,
        phone: &Phone,
    ) -> Result<(), ApiError> {
        let address = self.client_address(req);
        let mut budgets = vec![(Subject::Phone(phone), self.per_phone)];
        if let Some(address) = address {
            budgets.push((Subject::Address(address), self.per_address));
        }
        self.check(db, action, &budgets).await
    }

    /// One request from this client address.
    pub async fn from_address(
        &self,
        db: &Db,
        action: &str,
        req: &HttpRequest,
    ) -> Result<(), ApiError> {
        match self.client_address(req) {
            Some(address) => {
                self.check(db, action, &[(Subject::Address(address), self.per_address)])
                    .await
            }
            None => Ok(()),
        }
    }

    /// The client's address (see the module documentation).
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        Some(client_address(peer, req.headers(), &self.trusted_proxies))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; then, walking
/// `X-Forwarded-For` from the right, the first address that is not a trusted proxy. An entry
/// that is not an address stops the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &Networks) -> IpAddr {
    let peer = canonical(peer);
    if trusted.is_empty() || !trusted.contains(peer) {
        return peer;
    }
    let mut hops: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        hops.extend(text.split(',').map(str::trim));
    }
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(addr) = hop.parse::<IpAddr>() else {
            return client;
        };
        let addr = canonical(addr);
        if !trusted.contains(addr) {
            return addr;
        }
        client = addr;
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in xff {
            map.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = Networks::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        // Behind one proxy: the client forged an entry; the proxy appended the real address.
        let h = headers(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &trusted),
            ip("203.0.113.9")
        );
        // Two trusted proxies in a row.
        let h = headers(&["6.6.6.6, 203.0.113.9, 10.0.0.5"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("203.0.113.9")
        );
        // The header split over several lines.
        let h = headers(&["6.6.6.6", "203.0.113.9"]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &trusted),
            ip("203.0.113.9")
        );
        // Not from a trusted proxy: the header is the client's own word and is ignored.
        let h = headers(&["203.0.113.9"]);
        assert_eq!(
            client_address(ip("198.51.100.4"), &h, &trusted),
            ip("198.51.100.4")
        );
        // No proxies configured: always the peer.
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &Networks::default()),
            ip("10.0.0.2")
        );
        // Garbage after the trusted hops: the last trusted hop.
        let h = headers(&["not-an-address, 10.0.0.7"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.7"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a = Subject::Address(ip("2001:db8:1:2:aaaa::1")).key();
        let b = Subject::Address(ip("2001:db8:1:2:bbbb::9")).key();
        let c = Subject::Address(ip("2001:db8:1:3::1")).key();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
