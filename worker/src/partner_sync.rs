//! Partner webhooks: sends due rows of `partner_delivery`, signed in the Standard Webhooks style
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`). Rows are claimed with a lease (only the oldest pending version of each
//! posting per partner, so a close never overtakes its publish), sent outside any transaction, and
//! recorded: delivered on 2xx; otherwise retried with exponential backoff and jitter until a day
//! has passed, then dead-lettered for an administrator to re-send. A worker that dies mid-send
//! leaves its rows to be claimed again when the lease ends, so a receiver may see an id twice and
//! must drop repeats (the reference receiver does).

use std::{collections::HashMap, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entity::{
    Db,
    crypto::PiiCipher,
    partners::{self, DeliveryState, delivery, partner},
};
use hmac::{Hmac, Mac};
use sea_orm::{DbErr, EntityTrait};
use sha2::Sha256;
use tokio::sync::watch;

use crate::{
    delivery::{RetryPolicy, random_fraction},
    egress::EgressPolicy,
    poll::WEBHOOKS,
};

/// How webhooks are sent.
#[derive(Clone)]
pub struct Webhooks {
    /// The HTTP client (with its timeout, the address check and no redirects).
    pub client: reqwest::Client,
    /// What receivers may be.
    pub policy: EgressPolicy,
    /// Decrypts signing secrets.
    pub cipher: PiiCipher,
    /// Backoff between attempts of one delivery.
    pub backoff: RetryPolicy,
}

impl Webhooks {
    /// A sender with a `timeout` per request and backoff from `base` doubling up to an hour,
    /// reaching only what `policy` allows.
    pub fn new(
        cipher: PiiCipher,
        timeout: Duration,
        base: Duration,
        policy: EgressPolicy,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client: policy.client(timeout, "Anju-Webhooks/1")?,
            policy,
            cipher,
            backoff: RetryPolicy {
                max_attempts: u32::MAX,
                base_delay: base,
                max_delay: Duration::from_secs(3600),
            },
        })
    }
}

/// `v1,<signature>` for each key, space-separated (Standard Webhooks: a receiver accepts the
/// message if any signature matches one of its secrets).
pub fn signature_header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &str) -> String {
    keys.iter()
        .filter_map(|key| {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One round: claims due deliveries and sends them. Returns how many were attempted.
pub async fn deliver_once(db: &Db, hooks: &Webhooks) -> Result<usize, DbErr> {
    let rows = partners::claim_due(db, WEBHOOKS.lease(), WEBHOOKS.limit()).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut partners: HashMap<uuid::Uuid, Option<partner::Model>> = HashMap::new();
    for row in &rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = partners.entry(row.partner_id) {
            slot.insert(
                partner::Entity::find_by_id(row.partner_id)
                    .one(db.conn())
                    .await?,
            );
        }
    }
    // Rows of different postings go out concurrently; rows of one posting are never claimed
    // together (only the oldest pending version is).
    let sends = rows.iter().map(|row| {
        let p = partners.get(&row.partner_id).cloned().flatten();
        send(db, hooks, row, p)
    });
    for result in futures_util::future::join_all(sends).await {
        result?;
    }
    Ok(rows.len())
}

async fn send(
    db: &Db,
    hooks: &Webhooks,
    row: &delivery::Model,
    p: Option<partner::Model>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let retry_at = now
        + chrono::Duration::from_std(
            hooks
                .backoff
                .delay(u32::try_from(row.attempts).unwrap_or(1), random_fraction()),
        )
        .unwrap_or(chrono::Duration::hours(1));
    let Some(p) = p.filter(|p| !p.disabled) else {
        partners::record_attempt(
            db.writer(),
            row,
            None,
            Some("the partner is disabled"),
            now,
            true,
        )
        .await?;
        return Ok(());
    };
    let Some(url) = p.webhook_url.clone() else {
        partners::record_attempt(db.writer(), row, None, Some("no webhook URL"), now, true).await?;
        return Ok(());
    };
    // The URL was checked when the partner was created; it is checked again here, since the
    // policy may have tightened since (the name is checked when it is resolved).
    if let Err(refused) = hooks.policy.check_url(&url) {
        tracing::warn!(partner = %p.id, error = %refused, "webhook destination refused");
        crate::metrics::webhook("refused");
        partners::record_attempt(
            db.writer(),
            row,
            None,
            Some(&format!("destination refused: {refused}")),
            retry_at,
            false,
        )
        .await?;
        return Ok(());
    }
    let keys = p.signing_keys(&hooks.cipher, now);
    if keys.is_empty() {
        // Never send unsigned: this process's pii_key differs from the api's that stored the
        // secret. Retried, so the delivery goes out once the key is fixed.
        tracing::error!(partner = %p.id, "cannot decrypt the partner's signing secret: the worker needs the api's pii_key");
        partners::record_attempt(
            db.writer(),
            row,
            None,
            Some("the signing secret cannot be decrypted with this process's pii_key"),
            retry_at,
            false,
        )
        .await?;
        return Ok(());
    }
    let id = row.id.to_string();
    let timestamp = now.timestamp();
    let signature = signature_header(&keys, &id, timestamp, &row.body);
    let result = hooks
        .client
        .post(&url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(row.body.clone())
        .send()
        .await;
    let (status, error) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let error = (!response.status().is_success())
                .then(|| format!("the receiver answered {status}"));
            (Some(status), error)
        }
        Err(e) => (None, Some(crate::egress::describe(&e))),
    };
    let state = partners::record_attempt(
        db.writer(),
        row,
        status,
        error.as_deref(),
        retry_at,
        // 410 Gone: the receiver asks us to stop.
        status == Some(410),
    )
    .await?;
    crate::metrics::webhook(match state {
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
        DeliveryState::Pending => "retried",
    });
    match state {
        DeliveryState::Delivered => {
            tracing::info!(delivery = %row.id, partner = %p.id, job = %row.job_id, version = row.job_version, "webhook delivered");
        }
        DeliveryState::Failed => {
            tracing::warn!(delivery = %row.id, partner = %p.id, error = error.as_deref().unwrap_or(""), "webhook dead-lettered");
        }
        DeliveryState::Pending => {
            tracing::info!(delivery = %row.id, partner = %p.id, attempts = row.attempts, error = error.as_deref().unwrap_or(""), "webhook will be retried");
        }
    }
    Ok(())
}

/// Sends webhooks until `stop` turns true.
pub async fn run(db: Db, hooks: Webhooks, stop: watch::Receiver<bool>) {
    WEBHOOKS.run(stop, || deliver_once(&db, &hooks)).await;
}

#[cfg(test)]
mod tests {
    use super::signature_header;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let key = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        )
        .unwrap();
        let header = signature_header(
            &[key],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
