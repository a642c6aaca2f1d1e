//! Signed links: a path that opens one thing without a bearer header until it expires, for what
//! a browser or a phone opens from a plain link (a printable sheet in a new tab, a claim's photo
//! in a mini-program's `<image src>`), neither of which can send `Authorization`.
//!
//! A link carries `expires`, `by` (the account it was issued to) and `signature`: an HMAC under a
//! key derived from the PII key ([`PiiCipher::sign_link`]), so every replica verifies every
//! other's links, over what the link opens, its expiry and its account. Whoever holds the link
//! opens that one thing until it expires, so links are short-lived and never logged (the access
//! log writes the path alone, never the query).

use chrono::{DateTime, Duration, Utc};
use entity::crypto::PiiCipher;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::ApiError;

/// A link's query, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    /// `expires=…&by=…&signature=…`, to append to the path after `?`.
    pub query: String,
    /// When it stops opening.
    pub expires_at: DateTime<Utc>,
}

/// Signs a link to `what` (a `|`-separated name of the one thing it opens, with its kind first:
/// `sheet|…`, `photo|…`, so that no link to one kind opens another) for `by`, valid for `ttl`.
pub fn sign(pii: &PiiCipher, what: &str, by: Uuid, ttl: Duration) -> SignedLink {
    let expires_at = Utc::now() + ttl;
    let expires = expires_at.timestamp();
    let signature = pii.sign_link(&message(what, expires, by));
    SignedLink {
        query: format!("expires={expires}&by={by}&signature={signature}"),
        expires_at,
    }
}

/// What the signature covers.
fn message(what: &str, expires: i64, by: Uuid) -> String {
    format!("{what}|{expires}|{by}")
}

/// What a signed link carries.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// Unix time after which the link no longer opens.
    pub expires: i64,
    /// The account the link was issued to.
    pub by: Uuid,
    /// The signature.
    pub signature: String,
}

impl SignedQuery {
    /// Whether this is a link to `what` the service issued and it is still open: the seconds it
    /// has left, or 401 `link_invalid` (a changed link, or one to something else) or
    /// `link_expired` (with `expired` as the detail: what to do instead).
    pub fn verify(
        &self,
        pii: &PiiCipher,
        what: &str,
        expired: &'static str,
    ) -> Result<i64, ApiError> {
        if !pii.verify_link(&message(what, self.expires, self.by), &self.signature) {
            return Err(ApiError::LinkRefused {
                code: "link_invalid",
                detail: "this link is not one the service issued",
            });
        }
        let left = self.expires - Utc::now().timestamp();
        if left < 0 {
            return Err(ApiError::LinkRefused {
                code: "link_expired",
                detail: expired,
            });
        }
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(link: &SignedLink) -> SignedQuery {
        crate::extract::parse_query(&link.query).unwrap()
    }

    #[test]
    fn a_link_opens_what_it_names_until_it_expires() {
        let pii = PiiCipher::new(&[7; 32]);
        let by = Uuid::now_v7();
        let link = sign(&pii, "photo|a|1", by, Duration::seconds(600));
        let left = query(&link).verify(&pii, "photo|a|1", "gone").unwrap();
        assert!((599..=600).contains(&left), "{left}");
        // Another thing, another key, another account: not this link.
        let code = |r: Result<i64, ApiError>| r.err().map(|e| e.code());
        assert_eq!(
            code(query(&link).verify(&pii, "photo|a|2", "gone")),
            Some("link_invalid")
        );
        let other_key = PiiCipher::new(&[8; 32]);
        assert_eq!(
            code(query(&link).verify(&other_key, "photo|a|1", "gone")),
            Some("link_invalid")
        );
        let mut moved = query(&link);
        moved.by = Uuid::now_v7();
        assert_eq!(
            code(moved.verify(&pii, "photo|a|1", "gone")),
            Some("link_invalid")
        );
        let mut later = query(&link);
        later.expires += 1;
        assert_eq!(
            code(later.verify(&pii, "photo|a|1", "gone")),
            Some("link_invalid")
        );
        let old = sign(&pii, "photo|a|1", by, Duration::seconds(-2));
        assert_eq!(
            code(query(&old).verify(&pii, "photo|a|1", "gone")),
            Some("link_expired")
        );
    }
}
