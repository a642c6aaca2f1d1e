//! Access tokens: HS256 JWTs, algorithm pinned, `iss`/`aud`/`exp`/`iat`/`nbf`/`sub` required,
//! 15 minutes of life, 5 seconds of leeway, and a `kid` naming the key. Several keys may verify at
//! once (the first one signs), so keys rotate without logging anyone out.

use std::{collections::HashMap, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entity::{crypto, kernel::Role, secret::Secret};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The issuer of Anju's tokens.
pub const ISSUER: &str = "anju";
/// The audience: Anju's API.
pub const AUDIENCE: &str = "anju-api";
/// Access-token lifetime in seconds.
pub const ACCESS_LIFETIME_SECS: i64 = 15 * 60;
/// Clock skew tolerated, in seconds.
pub const LEEWAY_SECS: u64 = 5;
/// The one algorithm accepted.
pub const ALGORITHM: Algorithm = Algorithm::HS256;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The account id.
    pub sub: Uuid,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// The account's role when the token was issued.
    pub role: Role,
    /// The site, for site-bound accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<Uuid>,
    /// The resident, for residents and group leaders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res: Option<Uuid>,
    /// OAuth scopes, space-separated, for partner tokens (a subset of what the partner was
    /// granted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The account's session version when the token was issued: a password change or disabling
    /// raises it, and tokens of an older version are refused (absent in tokens issued before the
    /// version existed, which read as 0).
    #[serde(default)]
    pub ver: i32,
}

/// The signing key and every key that verifies.
pub struct JwtKeys {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("signing_kid", &self.signing_kid)
            .field("kids", &self.verifying.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed, wrongly signed, expired, not yet valid, wrong issuer or audience, unknown key.
    #[error("{0}")]
    Invalid(String),
}

/// Why keys could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("jwt_keys: {0}")]
pub struct KeyConfigError(String);

impl JwtKeys {
    /// Keys from configuration (`kid:base64,…`), or the key kept in `data_dir/jwt.key`, made at
    /// first start.
    pub fn load(configured: Option<&Secret>, data_dir: &Path) -> Result<Self, KeyConfigError> {
        let keys = match configured {
            Some(secret) => parse_keys(secret.expose())?,
            None => {
                let key: [u8; 32] = crypto::load_or_create_key(&data_dir.join("jwt.key"))
                    .map_err(|e| KeyConfigError(e.to_string()))?;
                let kid = crypto::hex(&Sha256::digest(key)[..6]);
                vec![(kid, key.to_vec())]
            }
        };
        Self::from_keys(&keys)
    }

    /// Keys from `(kid, secret)` pairs; the first signs.
    pub fn from_keys(keys: &[(String, Vec<u8>)]) -> Result<Self, KeyConfigError> {
        let bad = |e: jsonwebtoken::errors::Error| KeyConfigError(e.to_string());
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.validate_exp = true;
        let (signing_kid, signing_secret) = keys
            .first()
            .cloned()
            .ok_or_else(|| KeyConfigError("no key given".into()))?;
        let mut verifying = HashMap::new();
        for (kid, secret) in keys {
            verifying.insert(kid.clone(), DecodingKey::from_secret(secret).map_err(bad)?);
        }
        Ok(Self {
            signing_kid,
            signing: EncodingKey::from_secret(&signing_secret).map_err(bad)?,
            verifying,
            validation,
        })
    }

    /// Signs an access token for an account at session version `version`; returns the token and
    /// its lifetime in seconds.
    pub fn issue(
        &self,
        account_id: Uuid,
        role: Role,
        site: Option<Uuid>,
        resident: Option<Uuid>,
        version: i32,
    ) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        self.sign(account_id, role, site, resident, None, version)
    }

    /// Signs a partner's access token, limited to `scope`.
    pub fn issue_partner(
        &self,
        partner_id: Uuid,
        scope: &str,
    ) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        self.sign(
            partner_id,
            Role::Partner,
            None,
            None,
            Some(scope.to_owned()),
            0,
        )
    }

    fn sign(
        &self,
        account_id: Uuid,
        role: Role,
        site: Option<Uuid>,
        resident: Option<Uuid>,
        scope: Option<String>,
        ver: i32,
    ) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: account_id,
            exp: now + ACCESS_LIFETIME_SECS,
            iat: now,
            nbf: now,
            role,
            site,
            res: resident,
            scope,
            ver,
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.signing_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing)?;
        Ok((token, ACCESS_LIFETIME_SECS))
    }

    /// Verifies a token: known `kid`, the pinned algorithm, signature, and every required claim.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| TokenError::Invalid("the token is not a JWT".into()))?;
        if header.alg != ALGORITHM {
            return Err(TokenError::Invalid("unexpected signing algorithm".into()));
        }
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Invalid("the token names no key (kid)".into()))?;
        let key = self
            .verifying
            .get(&kid)
            .ok_or_else(|| TokenError::Invalid("the token's key is unknown".into()))?;
        jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Invalid(format!("the token is invalid: {e}")))
    }
}

fn parse_keys(text: &str) -> Result<Vec<(String, Vec<u8>)>, KeyConfigError> {
    let mut keys = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kid, secret) = entry
            .split_once(':')
            .ok_or_else(|| KeyConfigError("each key must be `kid:base64`".into()))?;
        let secret = STANDARD
            .decode(secret.trim())
            .map_err(|_| KeyConfigError(format!("key `{kid}` is not valid base64")))?;
        if secret.len() < 32 {
            return Err(KeyConfigError(format!(
                "key `{kid}` must be at least 32 bytes"
            )));
        }
        if kid.is_empty() || keys.iter().any(|(k, _)| k == kid) {
            return Err(KeyConfigError(format!(
                "key id `{kid}` is empty or repeated"
            )));
        }
        keys.push((kid.to_owned(), secret));
    }
    if keys.is_empty() {
        return Err(KeyConfigError("no key given".into()));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, u8)]) -> JwtKeys {
        JwtKeys::from_keys(
            &pairs
                .iter()
                .map(|(k, b)| ((*k).to_owned(), vec![*b; 32]))
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn rotation_keeps_old_tokens_valid() {
        let old = keys(&[("k1", 1)]);
        let (token, _) = old
            .issue(Uuid::now_v7(), Role::Staff, None, None, 0)
            .unwrap();
        let rotated = keys(&[("k2", 2), ("k1", 1)]);
        assert!(rotated.verify(&token).is_ok());
        let (new_token, _) = rotated
            .issue(Uuid::now_v7(), Role::Staff, None, None, 0)
            .unwrap();
        assert!(
            old.verify(&new_token).is_err(),
            "k2 is unknown to the old set"
        );
        let retired = keys(&[("k2", 2)]);
        assert!(retired.verify(&token).is_err());
    }

    #[test]
    fn configured_keys_are_checked() {
        let good = format!("a:{}", STANDARD.encode([9u8; 32]));
        assert_eq!(parse_keys(&good).unwrap().len(), 1);
        assert!(parse_keys("nokid").is_err());
        assert!(parse_keys(&format!("a:{}", STANDARD.encode([9u8; 8]))).is_err());
        assert!(parse_keys(&format!("{good},{good}")).is_err());
    }
}
