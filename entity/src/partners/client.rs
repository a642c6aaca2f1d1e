//! Partner clients: created and rotated by platform administrators, authenticated by OAuth 2.0
//! client credentials. Secrets are shown once and kept only as a hash (client secret) or
//! encrypted (webhook signing secret).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::partner;
use crate::{
    DomainError,
    audit::AuditEntry,
    crypto::{PiiCipher, random_bytes},
    people::credit_code::CreditCode,
    recruitment::employer::{self, EmployerStatus},
};

string_enum!(
    /// What a partner may do.
    PartnerScope {
        /// Push postings in (`PUT`/`DELETE /partner/jobs/{external_id}`).
        #[serde(rename = "jobs:write")]
        JobsWrite => "jobs:write",
        /// Read our postings (`GET /partner/jobs`).
        #[serde(rename = "jobs:read")]
        JobsRead => "jobs:read",
        /// Receive our postings as webhooks.
        Webhooks => "webhooks",
    }
);

/// Secrets, shown once when created or rotated.
#[derive(Clone)]
pub struct Secrets {
    /// The OAuth client secret.
    pub client_secret: String,
    /// The webhook signing secret (`whsec_` and base64 of 32 bytes, as Standard Webhooks).
    pub signing_secret: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

impl Secrets {
    fn generate() -> Result<Self, crate::crypto::RandomUnavailable> {
        use base64::Engine;
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let standard = base64::engine::general_purpose::STANDARD;
        Ok(Self {
            client_secret: url.encode(random_bytes::<32>()?),
            signing_secret: format!("whsec_{}", standard.encode(random_bytes::<32>()?)),
        })
    }
}

/// SHA-256 (hex) of a client secret. The secrets are 256 random bits, so a fast hash is as
/// strong as a slow one here, and the token endpoint stays cheap.
pub fn secret_hash(secret: &str) -> String {
    crate::crypto::sha256_hex(secret.as_bytes())
}

/// The raw HMAC key of a `whsec_…` signing secret.
pub fn signing_key(secret: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_")?)
        .ok()
}

/// A new partner, validated by the caller for shape.
#[derive(Debug, Clone)]
pub struct NewPartner {
    /// Name.
    pub name: String,
    /// Its unified social credit code (its postings' employer record carries it).
    pub credit_code: CreditCode,
    /// Webhook URL.
    pub webhook_url: Option<String>,
    /// Scopes.
    pub scopes: Vec<PartnerScope>,
    /// Review its postings before residents see them.
    pub review_inbound: bool,
}

/// Creates a partner (platform administrators), with the employer record its postings appear
/// under; returns it with its secrets, which are not kept in readable form.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    admin_account: Uuid,
    new: NewPartner,
) -> Result<(partner::Model, Secrets), DomainError> {
    let taken = employer::Entity::find()
        .filter(employer::Column::CreditCode.eq(new.credit_code.as_str()))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(DomainError::conflict(
            "credit_code_taken",
            "an employer or partner with this credit code exists",
        ));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let employer_id = Uuid::now_v7();
    employer::Entity::insert(employer::ActiveModel {
        id: Set(employer_id),
        // Partners have no account: the employer record is keyed by the partner's id.
        account_id: Set(id),
        name: Set(new.name.clone()),
        credit_code: Set(new.credit_code.as_str().to_owned()),
        contact_name: Set(new.name.chars().take(50).collect()),
        contact_phone: Set(String::new()),
        status: Set(EmployerStatus::Verified),
        status_reason: Set(None),
        reviewed_by: Set(Some(admin_account)),
        reviewed_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    let secrets = Secrets::generate()?;
    let mut scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let model = partner::Model {
        id,
        employer_id,
        name: new.name,
        webhook_url: new.webhook_url,
        scopes: scopes.join(" "),
        review_inbound: new.review_inbound,
        client_secret_hash: secret_hash(&secrets.client_secret),
        previous_client_secret_hash: None,
        signing_secret_cipher: cipher.encrypt(&secrets.signing_secret),
        previous_signing_secret_cipher: None,
        previous_valid_until: None,
        disabled: false,
        created_by: admin_account,
        created_at: now,
        updated_at: now,
    };
    partner::Entity::insert(partner::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    AuditEntry::new("partner.create", "partner", id).by(admin_account, "platform_admin").details(json!({ "name": model.name, "scopes": model.scopes, "webhook": model.webhook_url.is_some() })).record(db)
    .await?;
    Ok((model, secrets))
}

/// One partner.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<partner::Model, DomainError> {
    partner::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Every partner, by name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<partner::Model>, DbErr> {
    partner::Entity::find()
        .order_by_asc(partner::Column::Name)
        .all(db)
        .await
}

/// New secrets for a partner; the old ones keep working for `overlap`.
pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    admin_account: Uuid,
    id: Uuid,
    overlap: Duration,
) -> Result<(partner::Model, Secrets), DomainError> {
    let current = get(db, id).await?;
    let secrets = Secrets::generate()?;
    let now = Utc::now();
    let updated = partner::Model {
        client_secret_hash: secret_hash(&secrets.client_secret),
        previous_client_secret_hash: Some(current.client_secret_hash.clone()),
        signing_secret_cipher: cipher.encrypt(&secrets.signing_secret),
        previous_signing_secret_cipher: Some(current.signing_secret_cipher.clone()),
        previous_valid_until: Some(now + overlap),
        updated_at: now,
        ..current.clone()
    };
    // Guarded by the secret it replaces, so two rotations at once cannot both keep "previous".
    DomainError::update_one(
        partner::Entity::update_many()
            .col_expr(
                partner::Column::ClientSecretHash,
                Expr::value(updated.client_secret_hash.clone()),
            )
            .col_expr(
                partner::Column::PreviousClientSecretHash,
                Expr::value(updated.previous_client_secret_hash.clone()),
            )
            .col_expr(
                partner::Column::SigningSecretCipher,
                Expr::value(updated.signing_secret_cipher.clone()),
            )
            .col_expr(
                partner::Column::PreviousSigningSecretCipher,
                Expr::value(updated.previous_signing_secret_cipher.clone()),
            )
            .col_expr(
                partner::Column::PreviousValidUntil,
                Expr::value(updated.previous_valid_until),
            )
            .col_expr(partner::Column::UpdatedAt, Expr::value(now))
            .filter(partner::Column::Id.eq(id))
            .filter(partner::Column::ClientSecretHash.eq(current.client_secret_hash)),
        db,
        "the secrets were rotated meanwhile; retry",
    )
    .await?;
    AuditEntry::new("partner.rotate_secrets", "partner", id)
        .by(admin_account, "platform_admin")
        .details(json!({ "overlap_seconds": overlap.num_seconds() }))
        .record(db)
        .await?;
    Ok((updated, secrets))
}

/// The partner these client credentials belong to, if they are right and it is enabled.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    client_secret: &str,
) -> Result<Option<partner::Model>, DbErr> {
    let Ok(id) = Uuid::parse_str(client_id) else {
        return Ok(None);
    };
    let Some(p) = partner::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let given = secret_hash(client_secret);
    let now = Utc::now();
    let current = constant_time_eq(given.as_bytes(), p.client_secret_hash.as_bytes());
    let previous = p.previous_valid_until.is_some_and(|until| until > now)
        && p.previous_client_secret_hash
            .as_deref()
            .is_some_and(|h| constant_time_eq(given.as_bytes(), h.as_bytes()));
    Ok(((current || previous) && !p.disabled).then_some(p))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl partner::Model {
    /// Whether it was granted `scope`.
    pub fn has(&self, scope: PartnerScope) -> bool {
        self.scopes.split(' ').any(|s| s == scope.as_str())
    }

    /// The HMAC keys webhooks are signed with now: the current one, and the previous one during
    /// a rotation's overlap.
    pub fn signing_keys(&self, cipher: &PiiCipher, now: DateTime<Utc>) -> Vec<Vec<u8>> {
        let mut keys = Vec::new();
        let mut add = |cipher_text: &[u8]| {
            if let Some(key) = cipher
                .decrypt(cipher_text)
                .ok()
                .and_then(|s| signing_key(&s))
            {
                keys.push(key);
            }
        };
        add(&self.signing_secret_cipher);
        if self.previous_valid_until.is_some_and(|until| until > now)
            && let Some(previous) = &self.previous_signing_secret_cipher
        {
            add(previous);
        }
        keys
    }
}
