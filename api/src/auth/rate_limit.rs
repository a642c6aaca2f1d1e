//! Rate limits on login and activation, per phone number and per client address, with the
//! `governor` crate (MIT). Limits hold per api process: with N replicas an attacker gets N times
//! the budget, which still bounds guessing to a handful of tries a minute per phone.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use actix_web::HttpRequest;
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// The limiters of one api process.
#[derive(Clone)]
pub struct Limiters {
    phone: Arc<DefaultKeyedRateLimiter<String>>,
    address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trust_forwarded_for: bool,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Limiters {
    /// Limiters allowing `per_phone` and `per_address` attempts a minute.
    pub fn new(per_phone: u32, per_address: u32, trust_forwarded_for: bool) -> Self {
        Self {
            phone: Arc::new(RateLimiter::keyed(per_minute(per_phone))),
            address: Arc::new(RateLimiter::keyed(per_minute(per_address))),
            trust_forwarded_for,
        }
    }

    /// Counts one attempt of `action` for this client and phone; refuses with 429 and
    /// `Retry-After` when either budget is spent. The phone key is counted whether or not an
    /// account exists, so the answer never tells.
    pub fn check(&self, action: &str, req: &HttpRequest, phone: &str) -> Result<(), ApiError> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| ApiError::RateLimited {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs().max(1),
        };
        if let Some(address) = self.client_address(req) {
            self.address.check_key(&address).map_err(wait)?;
        }
        self.phone
            .check_key(&format!("{action}:{phone}"))
            .map_err(wait)?;
        Ok(())
    }

    /// Forgets keys whose budget is full again, so memory stays bounded.
    pub fn shrink(&self) {
        self.phone.retain_recent();
        self.address.retain_recent();
    }

    fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        if self.trust_forwarded_for
            && let Some(forwarded) = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Some(forwarded);
        }
        req.peer_addr().map(|a| a.ip())
    }
}

/// How often idle limiter keys are dropped.
pub const SHRINK_INTERVAL: Duration = Duration::from_secs(60);
