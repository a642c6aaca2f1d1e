//! Postings another system owns (a partner such as the provincial talent exchange): created and
//! replaced by its external id, ordered by its version (an older version never overwrites a
//! newer one), closed on its word. The owner is given as plain values, so recruitment knows
//! nothing of partners; the partner module authenticates the caller and audits what it did.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::job::{self, JobContent, JobStatus};
use crate::DomainError;

/// Who owns external postings: a partner system and the employer record they appear under.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    /// The partner.
    pub partner_id: Uuid,
    /// The employer record its postings appear under.
    pub employer_id: Uuid,
    /// Its postings wait for staff review before residents see them.
    pub review_inbound: bool,
}

/// A posting as the owner sends it, validated into our content.
#[derive(Debug, Clone)]
pub struct InboundPosting {
    /// The owner's id for it.
    pub external_id: String,
    /// The owner's version: an older one never overwrites a newer one.
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

/// The idempotent upsert of one external posting by its external id.
pub async fn upsert<C: ConnectionTrait>(
    db: &C,
    owner: Owner,
    posting: InboundPosting,
) -> Result<(job::Model, Upserted), DomainError> {
    let now = Utc::now();
    let existing = job::Entity::find()
        .filter(job::Column::PartnerId.eq(owner.partner_id))
        .filter(job::Column::ExternalId.eq(posting.external_id.as_str()))
        .one(db)
        .await?;
    let hiring = posting.hiring_organization.clone();
    let Some(current) = existing else {
        let status = if owner.review_inbound {
            JobStatus::PendingReview
        } else {
            JobStatus::Published
        };
        let mut row = job::content_columns(posting.content.clone(), &hiring);
        let id = Uuid::now_v7();
        row.id = Set(id);
        row.employer_id = Set(owner.employer_id);
        row.status = Set(status);
        row.status_reason = Set(None);
        row.version = Set(1);
        row.published_at = Set((status == JobStatus::Published).then_some(now));
        row.created_at = Set(now);
        row.updated_at = Set(now);
        row.partner_id = Set(Some(owner.partner_id));
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
            job::published(db, &model).await?;
        }
        return Ok((model, Upserted::Created));
    };
    let stored = current.external_version.unwrap_or(0);
    if posting.version == stored {
        return Ok((current, Upserted::Unchanged));
    }
    if posting.version < stored {
        return Err(stale(posting.version, stored));
    }
    if !current.status.is_open() {
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
        job::schedule_expiry(db, &model).await?;
    }
    Ok((model, Upserted::Updated))
}

/// Closes an external posting (`DELETE`): idempotent; a `version` older than the stored one is
/// stale. Returns the posting and whether this call closed it.
pub async fn close<C: ConnectionTrait>(
    db: &C,
    partner_id: Uuid,
    external_id: &str,
    version: Option<i64>,
) -> Result<(job::Model, bool), DomainError> {
    let current = job::Entity::find()
        .filter(job::Column::PartnerId.eq(partner_id))
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
    if !current.status.is_open() {
        return Ok((current, false));
    }
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
        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(job::Column::Id.eq(current.id))
        .filter(job::Column::Status.is_in(JobStatus::OPEN.map(JobStatus::as_str)))
        .exec(db)
        .await?;
    let model = job::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok((model, result.rows_affected == 1))
}
