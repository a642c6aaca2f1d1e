//! A reference receiver for Anju's partner webhooks, for the exchange's engineers to run and
//! read: it checks each message as the Standard Webhooks specification asks, and records the
//! accepted ones.
//!
//! A message is accepted when
//! 1. it has `webhook-id`, `webhook-timestamp` and `webhook-signature`;
//! 2. its timestamp is within the tolerance (5 minutes) of the receiver's clock, either way;
//! 3. one of the `v1,<base64>` signatures is the HMAC-SHA256, under one of the receiver's
//!    secrets, of `"{id}.{timestamp}.{body}"` (compared in constant time); and
//! 4. its id has not been accepted before. A replay is answered 200 `duplicate` but has no
//!    effect: an honest sender whose acknowledgement was lost stops retrying, and an attacker
//!    replaying a captured message gains nothing.
//!
//! Ids are remembered for twice the tolerance: older messages fail the timestamp check anyway.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{Arc, Mutex, PoisonError},
    time::{SystemTime, UNIX_EPOCH},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, dev::Server, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

/// The default tolerance for timestamps, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// A required header is missing or unreadable.
    MissingHeader(&'static str),
    /// The timestamp is not an integer.
    MalformedTimestamp,
    /// The timestamp is outside the tolerance.
    StaleTimestamp,
    /// No signature matches.
    BadSignature,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingHeader(h) => write!(f, "missing header {h}"),
            Self::MalformedTimestamp => f.write_str("webhook-timestamp is not a Unix time"),
            Self::StaleTimestamp => f.write_str("webhook-timestamp is outside the tolerance"),
            Self::BadSignature => f.write_str("no signature matches"),
        }
    }
}

/// The HMAC key of a `whsec_…` secret (or of a bare base64 secret).
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(
            secret
                .trim()
                .strip_prefix("whsec_")
                .unwrap_or(secret.trim()),
        )
        .ok()
        .filter(|k| !k.is_empty())
}

/// Checks a message's timestamp and signature (not its id).
pub fn verify(
    keys: &[Vec<u8>],
    tolerance_secs: i64,
    now: i64,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
) -> Result<(), Rejection> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Rejection::MalformedTimestamp)?;
    if (now - ts).abs() > tolerance_secs {
        return Err(Rejection::StaleTimestamp);
    }
    let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    signed.extend_from_slice(id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(timestamp.trim().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    let given: Vec<Vec<u8>> = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .collect();
    for key in keys {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            continue;
        };
        mac.update(&signed);
        let expected = mac.finalize().into_bytes();
        if given.iter().any(|g| constant_time_eq(g, &expected)) {
            return Ok(());
        }
    }
    Err(Rejection::BadSignature)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One accepted message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Received {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`.
    pub timestamp: i64,
    /// The message's `type`.
    pub event_type: String,
    /// The posting's Anju id.
    pub job_id: String,
    /// The posting's version.
    pub version: i64,
    /// The whole body.
    pub body: Value,
}

/// The receiver's state: secrets, remembered ids, what it accepted, and what it refused.
#[derive(Debug)]
pub struct Receiver {
    keys: Vec<Vec<u8>>,
    tolerance_secs: i64,
    seen: Mutex<HashMap<String, i64>>,
    received: Mutex<Vec<Received>>,
    rejected: Mutex<Vec<String>>,
    duplicates: Mutex<u64>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Receiver {
    /// A receiver that accepts messages signed with any of `secrets` (`whsec_…`).
    pub fn new(secrets: &[String], tolerance_secs: i64) -> anyhow::Result<Self> {
        let keys = secrets
            .iter()
            .map(|s| key_of(s).ok_or_else(|| anyhow::anyhow!("a secret is not base64")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!keys.is_empty(), "at least one secret is needed");
        Ok(Self {
            keys,
            tolerance_secs,
            seen: Mutex::default(),
            received: Mutex::default(),
            rejected: Mutex::default(),
            duplicates: Mutex::default(),
        })
    }

    /// Every accepted message, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Why each refused message was refused.
    pub fn rejected(&self) -> Vec<String> {
        self.rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many replays of accepted ids arrived.
    pub fn duplicates(&self) -> u64 {
        *self
            .duplicates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Handles one message: `Ok(true)` accepted, `Ok(false)` a replay, `Err` refused.
    pub fn accept(
        &self,
        headers: &actix_web::http::header::HeaderMap,
        body: &[u8],
    ) -> Result<bool, Rejection> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or(Rejection::MissingHeader(name))
        };
        let result: Result<bool, Rejection> = (|| {
            let id = header("webhook-id")?;
            let timestamp = header("webhook-timestamp")?;
            let signatures = header("webhook-signature")?;
            let now = now();
            verify(
                &self.keys,
                self.tolerance_secs,
                now,
                &id,
                &timestamp,
                &signatures,
                body,
            )?;
            let ts: i64 = timestamp
                .trim()
                .parse()
                .map_err(|_| Rejection::MalformedTimestamp)?;
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            seen.retain(|_, at| now - *at <= 2 * self.tolerance_secs);
            if seen.contains_key(&id) {
                *self
                    .duplicates
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) += 1;
                return Ok(false);
            }
            seen.insert(id.clone(), now);
            let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let data = &value["data"];
            self.received
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Received {
                    id,
                    timestamp: ts,
                    event_type: value["type"].as_str().unwrap_or_default().to_owned(),
                    job_id: data["identifier"]["value"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    version: data["version"].as_i64().unwrap_or(0),
                    body: value.clone(),
                });
            Ok(true)
        })();
        if let Err(e) = &result {
            self.rejected
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(e.to_string());
        }
        result
    }
}

async fn webhook(
    req: HttpRequest,
    body: web::Bytes,
    receiver: web::Data<Receiver>,
) -> HttpResponse {
    match receiver.accept(req.headers(), &body) {
        Ok(true) => HttpResponse::Ok().json(serde_json::json!({ "status": "received" })),
        Ok(false) => HttpResponse::Ok().json(serde_json::json!({ "status": "duplicate" })),
        Err(Rejection::MissingHeader(h)) => HttpResponse::BadRequest()
            .json(serde_json::json!({ "error": format!("missing header {h}") })),
        Err(e @ (Rejection::MalformedTimestamp | Rejection::StaleTimestamp)) => {
            HttpResponse::BadRequest().json(serde_json::json!({ "error": e.to_string() }))
        }
        Err(e @ Rejection::BadSignature) => {
            HttpResponse::Unauthorized().json(serde_json::json!({ "error": e.to_string() }))
        }
    }
}

async fn list(receiver: web::Data<Receiver>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "received": receiver.received(),
        "rejected": receiver.rejected(),
        "duplicates": receiver.duplicates(),
    }))
}

/// Serves `POST /webhooks` (the endpoint to register with Anju) and `GET /received` (what was
/// accepted and refused) on `listener`.
pub fn serve(listener: TcpListener, receiver: Arc<Receiver>) -> std::io::Result<Server> {
    let data = web::Data::from(receiver);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .route("/webhooks", web::post().to(webhook))
            .route("/received", web::get().to(list))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    #[test]
    fn the_specifications_example_verifies_and_tampering_does_not() {
        let keys = vec![key_of(SECRET).unwrap()];
        let at = 1614265330;
        assert_eq!(
            verify(&keys, 300, at, ID, "1614265330", SIGNATURE, BODY),
            Ok(())
        );
        // One of several signatures is enough (a rotation's overlap).
        let both = format!("v1,AAAA {SIGNATURE}");
        assert_eq!(
            verify(&keys, 300, at, ID, "1614265330", &both, BODY),
            Ok(())
        );
        assert_eq!(
            verify(
                &keys,
                300,
                at,
                ID,
                "1614265330",
                SIGNATURE,
                br#"{"test": 2432232315}"#
            ),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(&keys, 300, at, "msg_other", "1614265330", SIGNATURE, BODY),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(&keys, 300, at + 301, ID, "1614265330", SIGNATURE, BODY),
            Err(Rejection::StaleTimestamp)
        );
        assert_eq!(
            verify(&keys, 300, at - 301, ID, "1614265330", SIGNATURE, BODY),
            Err(Rejection::StaleTimestamp)
        );
        assert_eq!(
            verify(&keys, 300, at, ID, "soon", SIGNATURE, BODY),
            Err(Rejection::MalformedTimestamp)
        );
        let other = vec![key_of("whsec_c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zYW1l").unwrap()];
        assert_eq!(
            verify(&other, 300, at, ID, "1614265330", SIGNATURE, BODY),
            Err(Rejection::BadSignature)
        );
    }
}
