//! Postings a partner pushes in: recruitment stores them (by external id and version); this
//! module checks the partner and audits what it did.

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;
use uuid::Uuid;

use super::partner;
use crate::{
    DomainError,
    audit::AuditEntry,
    recruitment::{
        external::{self, InboundPosting, Owner, Upserted},
        job,
    },
};

/// The idempotent upsert of one partner posting by its external id.
pub async fn upsert_job<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    posting: InboundPosting,
) -> Result<(job::Model, Upserted), DomainError> {
    let version = posting.version;
    let owner = Owner {
        partner_id: p.id,
        employer_id: p.employer_id,
        review_inbound: p.review_inbound,
    };
    let (model, upserted) = external::upsert(db, owner, posting).await?;
    let action = match upserted {
        Upserted::Created => "partner.job_create",
        Upserted::Updated => "partner.job_update",
        Upserted::Unchanged => return Ok((model, upserted)),
    };
    audit_partner(db, p, action, model.id, version).await?;
    Ok((model, upserted))
}

/// Closes a partner posting (`DELETE`): idempotent; a `version` older than the stored one is
/// stale.
pub async fn close_job<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    external_id: &str,
    version: Option<i64>,
) -> Result<job::Model, DomainError> {
    let (model, closed) = external::close(db, p.id, external_id, version).await?;
    if closed {
        let stored = model.external_version.unwrap_or(0);
        audit_partner(
            db,
            p,
            "partner.job_close",
            model.id,
            version.unwrap_or(stored),
        )
        .await?;
    }
    Ok(model)
}

async fn audit_partner<C: ConnectionTrait>(
    db: &C,
    p: &partner::Model,
    action: &'static str,
    job_id: Uuid,
    version: i64,
) -> Result<(), DbErr> {
    AuditEntry::new(action, "job", job_id)
        .by(p.id, "partner")
        .details(json!({ "external_version": version }))
        .record(db)
        .await
}
