//! Partners: the provincial talent exchange and any system like it. A partner authenticates by
//! OAuth 2.0 client credentials, pushes its postings in (keyed by its external id, ordered by its
//! version), and receives ours as signed webhooks. Deliveries are rows of `partner_delivery`,
//! written in the transaction of the change they report (a per-partner outbox), sent in version
//! order per posting by the worker, retried with backoff, dead-lettered after a day.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    DomainError,
    audit::{self, AuditEntry},
    crypto::{PiiCipher, random_bytes},
    messaging::{Event, events::JobPublished, outbox, schedule},
    page::{Page, PageRequest},
    people::credit_code::CreditCode,
    recruitment::{
        employer::{self, EmployerStatus},
        job::{self, EXPIRE_TASK, JobContent, JobStatus},
    },
};

/// Partner clients.
pub mod partner {
    use sea_orm::entity::prelude::*;

    /// A partner system. Its id is its OAuth `client_id`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "partner")]
    pub struct Model {
        /// Id, also the `client_id`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The employer record its postings appear under.
        pub employer_id: Uuid,
        /// Name.
        pub name: String,
        /// Where our postings are sent (none: no webhooks).
        pub webhook_url: Option<String>,
        /// Granted scopes, space-separated.
        pub scopes: String,
        /// Its postings wait for staff review before residents see them.
        pub review_inbound: bool,
        /// SHA-256 (hex) of the current client secret.
        pub client_secret_hash: String,
        /// SHA-256 (hex) of the previous client secret, valid until `previous_valid_until`.
        pub previous_client_secret_hash: Option<String>,
        /// The current webhook signing secret, encrypted.
        pub signing_secret_cipher: Vec<u8>,
        /// The previous signing secret, encrypted (webhooks carry both signatures meanwhile).
        pub previous_signing_secret_cipher: Option<Vec<u8>>,
        /// End of the rotation overlap.
        pub previous_valid_until: Option<DateTimeUtc>,
        /// Disabled partners cannot obtain or use tokens and receive nothing.
        pub disabled: bool,
        /// Created by.
        pub created_by: Uuid,
        /// Created at.
        pub created_at: DateTimeUtc,
        /// Changed at.
        pub updated_at: DateTimeUtc,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Webhook deliveries.
pub mod delivery {
    use sea_orm::entity::prelude::*;

    /// One message to one partner about one version of one posting.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "partner_delivery")]
    pub struct Model {
        /// Id, sent as `webhook-id` (the same on every attempt).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The partner.
        pub partner_id: Uuid,
        /// The posting.
        pub job_id: Uuid,
        /// The posting's version.
        pub job_version: i32,
        /// `job.published`, `job.updated`, `job.closed`, `job.filled` or `job.expired`.
        pub event_type: String,
        /// The exact body sent.
        pub body: String,
        /// `pending`, `delivered` or `failed` (dead-lettered).
        pub state: super::DeliveryState,
        /// Attempts so far.
        pub attempts: i32,
        /// Not before.
        pub next_attempt_at: DateTimeUtc,
        /// Dead-lettered if not delivered by then.
        pub give_up_at: DateTimeUtc,
        /// Claimed by a worker until.
        pub locked_until: Option<DateTimeUtc>,
        /// The receiver's last HTTP status.
        pub last_status: Option<i32>,
        /// The last error.
        pub last_error: Option<String>,
        /// Created at.
        pub created_at: DateTimeUtc,
        /// Delivered at.
        pub delivered_at: Option<DateTimeUtc>,
        /// The id of the request that caused it.
        pub request_id: Option<String>,
    }

    /// No relations are navigated through sea-orm.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

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

string_enum!(
    /// Where a delivery stands.
    DeliveryState {
        /// Waiting to be sent (or re-sent).
        Pending => "pending",
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// Given up on (dead-lettered); an administrator may re-send it.
        Failed => "failed",
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
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(admin_account),
            actor_role: "platform_admin".to_owned(),
            on_behalf_of: None,
            action: "partner.create",
            target_type: "partner",
            target_id: Some(id),
            reason: None,
            details: json!({ "name": model.name, "scopes": model.scopes, "webhook": model.webhook_url.is_some() }),
        },
    )
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
    let result = partner::Entity::update_many()
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
        .filter(partner::Column::ClientSecretHash.eq(current.client_secret_hash))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the secrets were rotated meanwhile; retry",
        ));
    }
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(admin_account),
            actor_role: "platform_admin".to_owned(),
            on_behalf_of: None,
            action: "partner.rotate_secrets",
            target_type: "partner",
            target_id: Some(id),
            reason: None,
            details: json!({ "overlap_seconds": overlap.num_seconds() }),
        },
    )
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

/// A posting as the exchange sends it, validated into our content.
#[derive(Debug, Clone)]
pub struct InboundPosting {
    /// The exchange's id.
    pub external_id: String,
    /// The exchange's version: an older one never overwrites a newer one.
    pub version: i64,
    /// The hiring organization's name (shown to residents).
    pub hiring_organization: String,
    /// Everything else.
    pub content: JobContent,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// A new posting.
    Created,
    /// A newer version replaced the content.
    Updated,
    /// The same version again: nothing changed.
    Unchanged,
}

fn stale(version: i64, current: i64) -> DomainError {
    DomainError::conflict(
        "stale_version",
        format!("version {version} is not newer than the stored version {current}"),
    )
}

/// The idempotent upsert of one partner posting by its external id.
pub async fn upsert_job<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    posting: InboundPosting,
) -> Result<(job::Model, Upserted), DomainError> {
    let now = Utc::now();
    let existing = job::Entity::find()
        .filter(job::Column::PartnerId.eq(p.id))
        .filter(job::Column::ExternalId.eq(posting.external_id.as_str()))
        .one(db)
        .await?;
    let hiring = posting.hiring_organization.clone();
    let Some(current) = existing else {
        let status = if p.review_inbound {
            JobStatus::PendingReview
        } else {
            JobStatus::Published
        };
        let mut row = job::content_columns(posting.content.clone(), &hiring);
        let id = Uuid::now_v7();
        row.id = Set(id);
        row.employer_id = Set(p.employer_id);
        row.status = Set(status);
        row.status_reason = Set(None);
        row.version = Set(1);
        row.published_at = Set((status == JobStatus::Published).then_some(now));
        row.created_at = Set(now);
        row.updated_at = Set(now);
        row.partner_id = Set(Some(p.id));
        row.external_id = Set(Some(posting.external_id.clone()));
        row.external_version = Set(Some(posting.version));
        row.hiring_organization = Set(Some(hiring));
        // The unique (partner, external id) index settles two first PUTs racing: the loser
        // gets a conflict and its retry finds the row.
        job::Entity::insert(row).exec_without_returning(db).await?;
        let model = job::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?;
        if status == JobStatus::Published {
            published(db, &model).await?;
        }
        audit_partner(db, p, "partner.job_create", id, posting.version).await?;
        return Ok((model, Upserted::Created));
    };
    let stored = current.external_version.unwrap_or(0);
    if posting.version == stored {
        return Ok((current, Upserted::Unchanged));
    }
    if posting.version < stored {
        return Err(stale(posting.version, stored));
    }
    if !matches!(
        current.status,
        JobStatus::Draft | JobStatus::PendingReview | JobStatus::Published
    ) {
        return Err(DomainError::conflict(
            "posting_closed",
            format!(
                "the posting is {}; a closed posting is never reopened",
                current.status
            ),
        ));
    }
    let mut row = job::content_columns(posting.content, &hiring);
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    row.external_version = Set(Some(posting.version));
    row.hiring_organization = Set(Some(hiring));
    // Guarded by the version read: a concurrent newer PUT wins, this one is stale.
    let result = job::Entity::update_many()
        .set(row)
        .filter(job::Column::Id.eq(current.id))
        .filter(job::Column::ExternalVersion.eq(stored))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(stale(posting.version, stored));
    }
    let model = job::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if model.status == JobStatus::Published && model.valid_through != current.valid_through {
        schedule::schedule(
            db,
            EXPIRE_TASK,
            json!({ "job_id": model.id }),
            model.valid_through,
            None,
        )
        .await?;
    }
    audit_partner(db, p, "partner.job_update", model.id, posting.version).await?;
    Ok((model, Upserted::Updated))
}

/// What a newly published posting sets off: its expiry check and matching.
async fn published<C: ConnectionTrait>(db: &C, job: &job::Model) -> Result<(), DbErr> {
    schedule::schedule(
        db,
        EXPIRE_TASK,
        json!({ "job_id": job.id }),
        job.valid_through,
        None,
    )
    .await?;
    outbox::record(
        db,
        Event::JobPublished(JobPublished {
            job_id: job.id,
            version: job.version,
        }),
    )
    .await?;
    Ok(())
}

async fn audit_partner<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    action: &'static str,
    job_id: Uuid,
    version: i64,
) -> Result<(), DbErr> {
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(p.id),
            actor_role: "partner".to_owned(),
            on_behalf_of: None,
            action,
            target_type: "job",
            target_id: Some(job_id),
            reason: None,
            details: json!({ "external_version": version }),
        },
    )
    .await
}

/// Closes a partner posting (`DELETE`): idempotent; a `version` older than the stored one is
/// stale.
pub async fn close_job<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    external_id: &str,
    version: Option<i64>,
) -> Result<job::Model, DomainError> {
    let current = job::Entity::find()
        .filter(job::Column::PartnerId.eq(p.id))
        .filter(job::Column::ExternalId.eq(external_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let stored = current.external_version.unwrap_or(0);
    if let Some(v) = version
        && v < stored
    {
        return Err(stale(v, stored));
    }
    let open = [
        JobStatus::Draft,
        JobStatus::PendingReview,
        JobStatus::Published,
    ]
    .map(JobStatus::as_str);
    if !open.contains(&current.status.as_str()) {
        return Ok(current);
    }
    let now = Utc::now();
    let result = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Closed.as_str()))
        .col_expr(
            job::Column::StatusReason,
            Expr::value(Some("closed by the partner".to_owned())),
        )
        .col_expr(job::Column::Version, Expr::col(job::Column::Version).add(1))
        .col_expr(
            job::Column::ExternalVersion,
            Expr::value(Some(std::cmp::max(version.unwrap_or(stored), stored))),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(current.id))
        .filter(job::Column::Status.is_in(open))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        audit_partner(
            db,
            p,
            "partner.job_close",
            current.id,
            version.unwrap_or(stored),
        )
        .await?;
    }
    job::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A posting as schema.org `JobPosting` JSON-LD, with Anju's status and version.
pub fn posting_json(job: &job::Model, employer_name: &str) -> Value {
    let unit = match job.salary_unit.as_str() {
        "day" => "DAY",
        "hour" => "HOUR",
        "piece" => "PIECE",
        _ => "MONTH",
    };
    json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": { "@type": "PropertyValue", "name": "anju", "value": job.id },
        "title": job.title,
        "description": job.description,
        "datePosted": job.published_at,
        "validThrough": job.valid_through,
        "hiringOrganization": {
            "@type": "Organization",
            "name": job.hiring_organization.as_deref().unwrap_or(employer_name),
        },
        "jobLocation": { "@type": "Place", "address": job.location },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CNY",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": job.salary_min,
                "maxValue": job.salary_max,
                "unitText": unit,
            },
        },
        "totalJobOpenings": job.headcount,
        "skills": job.skills,
        "occupationalCategory": job.category,
        "status": job.status,
        "version": job.version,
        "updated_at": job.updated_at,
    })
}

/// What became of one of our postings, for the partners that receive webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEvent {
    /// Published.
    Published,
    /// Changed while published (renewed).
    Updated,
    /// Closed.
    Closed,
    /// Filled.
    Filled,
    /// Expired.
    Expired,
}

impl JobEvent {
    /// The webhook `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "job.published",
            Self::Updated => "job.updated",
            Self::Closed => "job.closed",
            Self::Filled => "job.filled",
            Self::Expired => "job.expired",
        }
    }
}

/// Queues a webhook about `job` (as it now is) to every enabled partner with a webhook URL and
/// the `webhooks` scope, in the transaction of the change. Postings that partners sent us, and
/// postings never published, are not sent.
pub async fn job_changed<C: ConnectionTrait>(
    db: &C,
    job: &job::Model,
    event: JobEvent,
) -> Result<(), DbErr> {
    if job.partner_id.is_some() || job.published_at.is_none() {
        return Ok(());
    }
    let partners: Vec<partner::Model> = partner::Entity::find()
        .filter(partner::Column::Disabled.eq(false))
        .filter(partner::Column::WebhookUrl.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|p| p.has(PartnerScope::Webhooks))
        .collect();
    if partners.is_empty() {
        return Ok(());
    }
    let employer_name = employer::Entity::find_by_id(job.employer_id)
        .one(db)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    let now = Utc::now();
    let body = json!({
        "type": event.as_str(),
        "timestamp": now,
        "data": posting_json(job, &employer_name),
    })
    .to_string();
    let request_id = crate::trace::current().and_then(|t| t.request_id);
    let rows = partners.iter().map(|p| delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(p.id),
        job_id: Set(job.id),
        job_version: Set(job.version),
        event_type: Set(event.as_str().to_owned()),
        body: Set(body.clone()),
        state: Set(DeliveryState::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        give_up_at: Set(now + MAX_AGE),
        locked_until: Set(None),
        last_status: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
        request_id: Set(request_id.clone()),
    });
    delivery::Entity::insert_many(rows)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                delivery::Column::PartnerId,
                delivery::Column::JobId,
                delivery::Column::JobVersion,
            ])
            .do_nothing()
            .to_owned(),
        )
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How long a delivery is retried before it is dead-lettered.
pub const MAX_AGE: Duration = Duration::hours(24);

/// The reconciliation feed's position: last change time and id.
pub type FeedKey = (DateTime<Utc>, Uuid);

/// Our postings changed at or after `since` (ever published; partners' own excluded), oldest
/// change first; closed, filled and expired ones are included as tombstones.
pub async fn feed<C: ConnectionTrait>(
    db: &C,
    since: Option<DateTime<Utc>>,
    page: &PageRequest<FeedKey>,
) -> Result<Page<(job::Model, String)>, DbErr> {
    let mut query = job::Entity::find()
        .filter(job::Column::PartnerId.is_null())
        .filter(job::Column::PublishedAt.is_not_null());
    if let Some(since) = since {
        query = query.filter(job::Column::UpdatedAt.gte(since));
    }
    if let Some((at, id)) = page.after() {
        query = query.filter(
            sea_orm::Condition::any()
                .add(job::Column::UpdatedAt.gt(*at))
                .add(
                    sea_orm::Condition::all()
                        .add(job::Column::UpdatedAt.eq(*at))
                        .add(job::Column::Id.gt(*id)),
                ),
        );
    }
    let rows = query
        .order_by_asc(job::Column::UpdatedAt)
        .order_by_asc(job::Column::Id)
        .limit(page.fetch())
        .all(db)
        .await?;
    let employer_ids: Vec<Uuid> = rows.iter().map(|j| j.employer_id).collect();
    let names: std::collections::HashMap<Uuid, String> = employer::Entity::find()
        .filter(employer::Column::Id.is_in(employer_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let rows = rows
        .into_iter()
        .map(|j| {
            let name = names.get(&j.employer_id).cloned().unwrap_or_default();
            (j, name)
        })
        .collect();
    Ok(Page::from_rows(page, rows, |(j, _)| (j.updated_at, j.id)))
}

/// A partner's deliveries, newest first, optionally in one state.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    partner_id: Uuid,
    state: Option<DeliveryState>,
    page: &PageRequest<Uuid>,
) -> Result<Page<delivery::Model>, DbErr> {
    let mut query = delivery::Entity::find().filter(delivery::Column::PartnerId.eq(partner_id));
    if let Some(state) = state {
        query = query.filter(delivery::Column::State.eq(state.as_str()));
    }
    if let Some(after) = page.after() {
        query = query.filter(delivery::Column::Id.lt(*after));
    }
    let rows = query
        .order_by_desc(delivery::Column::Id)
        .limit(page.fetch())
        .all(db)
        .await?;
    Ok(Page::from_rows(page, rows, |d| d.id))
}

/// Sends a dead-lettered delivery again (same `webhook-id`), with a fresh day of retries.
pub async fn resend<C: ConnectionTrait>(
    db: &C,
    admin_account: Uuid,
    partner_id: Uuid,
    delivery_id: Uuid,
) -> Result<delivery::Model, DomainError> {
    let now = Utc::now();
    let result = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::State,
            Expr::value(DeliveryState::Pending.as_str()),
        )
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(delivery::Column::GiveUpAt, Expr::value(now + MAX_AGE))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(delivery::Column::Id.eq(delivery_id))
        .filter(delivery::Column::PartnerId.eq(partner_id))
        .filter(delivery::Column::State.eq(DeliveryState::Failed.as_str()))
        .exec(db)
        .await?;
    let row = delivery::Entity::find_by_id(delivery_id)
        .filter(delivery::Column::PartnerId.eq(partner_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if result.rows_affected != 1 {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} delivery cannot be re-sent", row.state),
        ));
    }
    audit::record(
        db,
        AuditEntry {
            site_id: None,
            actor_account_id: Some(admin_account),
            actor_role: "platform_admin".to_owned(),
            on_behalf_of: None,
            action: "partner.delivery_resend",
            target_type: "partner_delivery",
            target_id: Some(delivery_id),
            reason: None,
            details: json!({ "partner_id": partner_id }),
        },
    )
    .await?;
    Ok(row)
}

/// Claims up to `limit` due deliveries for `lease`: only the oldest pending version of each
/// posting per partner, so a close never overtakes its publish.
pub async fn claim_due(
    db: &crate::Db,
    lease: Duration,
    limit: i64,
) -> Result<Vec<delivery::Model>, DbErr> {
    let now = Utc::now();
    let lock = if db.backend() == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE partner_delivery SET locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT d.id FROM partner_delivery d \
           WHERE d.state = 'pending' AND d.next_attempt_at <= $2 \
             AND (d.locked_until IS NULL OR d.locked_until < $2) \
             AND NOT EXISTS (SELECT 1 FROM partner_delivery e \
               WHERE e.partner_id = d.partner_id AND e.job_id = d.job_id \
                 AND e.state = 'pending' AND e.job_version < d.job_version) \
           ORDER BY d.next_attempt_at LIMIT $3 {lock}) \
         RETURNING *"
    );
    delivery::Model::find_by_statement(Statement::from_sql_and_values(
        db.backend(),
        sql,
        [(now + lease).into(), now.into(), limit.into()],
    ))
    .all(db.writer())
    .await
}

/// Records an attempt's outcome: delivered; or retried at `retry_at`; or dead-lettered when
/// that is past the delivery's last chance (or `permanent`).
pub async fn record_attempt<C: ConnectionTrait>(
    db: &C,
    row: &delivery::Model,
    status: Option<u16>,
    error: Option<&str>,
    retry_at: DateTime<Utc>,
    permanent: bool,
) -> Result<DeliveryState, DbErr> {
    let now = Utc::now();
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let state = if delivered {
        DeliveryState::Delivered
    } else if permanent || retry_at > row.give_up_at {
        DeliveryState::Failed
    } else {
        DeliveryState::Pending
    };
    delivery::Entity::update_many()
        .col_expr(delivery::Column::State, Expr::value(state.as_str()))
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(
            delivery::Column::LastStatus,
            Expr::value(status.map(i32::from)),
        )
        .col_expr(
            delivery::Column::LastError,
            Expr::value(error.map(|e| e.chars().take(1000).collect::<String>())),
        )
        .col_expr(
            delivery::Column::DeliveredAt,
            Expr::value(delivered.then_some(now)),
        )
        .filter(delivery::Column::Id.eq(row.id))
        .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(state)
}
