//! The moves of a posting (submit, publish, reject, close, fill, expire, renew) and what they
//! tell others: the expiry task, `job.published` and `job.changed`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::recruitment::employer::{self, EmployerStatus};
use crate::{
    DomainError,
    audit::AuditEntry,
    kernel::Role,
    messaging::{
        Event,
        events::{JobChange, JobChanged, JobPublished},
        outbox, schedule,
        tasks::ExpireJob,
    },
};

use super::*;

/// Schedules the expiry check of a published posting at its `valid_through` (a later schedule
/// of the same posting supersedes nothing: the check looks at the posting as it then is).
pub(crate) async fn schedule_expiry<C: ConnectionTrait>(db: &C, job: &Model) -> Result<(), DbErr> {
    schedule::task(db, &ExpireJob { job_id: job.id }, job.valid_through, None).await
}

/// What a newly published posting sets off: its expiry check and matching.
pub(crate) async fn published<C: ConnectionTrait>(db: &C, job: &Model) -> Result<(), DbErr> {
    schedule_expiry(db, job).await?;
    outbox::record(
        db,
        Event::JobPublished(JobPublished {
            job_id: job.id,
            version: job.version,
        }),
    )
    .await
    .map(drop)
}

/// Tells whoever listens (partner webhooks) that a published posting of ours changed. Postings
/// another system owns, and postings never published, are nobody else's news.
pub(super) async fn changed<C: ConnectionTrait>(
    db: &C,
    job: &Model,
    change: JobChange,
) -> Result<(), DbErr> {
    if job.partner_id.is_some() || job.published_at.is_none() {
        return Ok(());
    }
    let employer_name = employer::Entity::find_by_id(job.employer_id)
        .one(db)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    outbox::record(
        db,
        Event::JobChanged(JobChanged {
            job_id: job.id,
            version: job.version,
            change,
            posting: crate::recruitment::json_ld::job_posting(job, &employer_name),
        }),
    )
    .await
    .map(drop)
}

/// Who acts on a posting.
#[derive(Debug, Clone, Copy)]
pub enum JobActor {
    /// The employer (account, employer id).
    Employer(Uuid, Uuid),
    /// Staff (account, role).
    Staff(Uuid, Role),
    /// The scheduler.
    System,
}

/// Applies an action. The employer acts on its own postings (others are not found), staff
/// publish and reject, the system expires; illegal transitions are 409 `illegal_transition`.
pub async fn act<C: ConnectionTrait>(
    db: &C,
    actor: JobActor,
    id: Uuid,
    action: JobAction,
    reason: Option<String>,
) -> Result<Model, DomainError> {
    let viewer = match actor {
        JobActor::Employer(_, employer) => Viewer::Employer(employer),
        _ => Viewer::Staff,
    };
    let job = get(db, viewer, id).await?;
    let allowed = match (actor, action) {
        (JobActor::Employer(_, e), JobAction::Submit | JobAction::Close | JobAction::Fill) => {
            job.employer_id == e
        }
        (JobActor::Staff(..), JobAction::Publish | JobAction::Reject | JobAction::Close) => true,
        (JobActor::System, JobAction::Expire) => true,
        _ => false,
    };
    if !allowed {
        return match actor {
            JobActor::Employer(_, e) if job.employer_id != e => Err(DomainError::NotFound),
            _ => Err(DomainError::Forbidden(
                "this role may not do that to a job posting",
            )),
        };
    }
    let from = job.status;
    let Some(to) = action.next(from) else {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} posting cannot be {}ed", from.as_str(), action.name()),
        ));
    };
    if action == JobAction::Submit {
        let employer = employer::Entity::find_by_id(job.employer_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound)?;
        if employer.status != EmployerStatus::Verified {
            return Err(DomainError::conflict(
                "employer_not_verified",
                "only verified employers can submit jobs",
            ));
        }
    }
    let now = Utc::now();
    if matches!(action, JobAction::Submit | JobAction::Publish) && job.valid_through <= now {
        return Err(DomainError::conflict(
            "valid_through_passed",
            "valid_through is in the past; change it first",
        ));
    }
    if action == JobAction::Reject && reason.is_none() {
        return Err(DomainError::invalid("reason", "a reason is required"));
    }
    DomainError::update_one(
        Entity::update_many()
            .col_expr(Column::Status, to.as_str().into())
            .col_expr(Column::StatusReason, Expr::value(reason.clone()))
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, now.into())
            .col_expr(
                Column::PublishedAt,
                Expr::value(if to == JobStatus::Published {
                    Some(job.published_at.unwrap_or(now))
                } else {
                    job.published_at
                }),
            )
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(from.as_str())),
        db,
        "the posting changed meanwhile; retry",
    )
    .await?;
    let (actor_id, role) = match actor {
        JobActor::Employer(a, _) => (Some(a), Role::Employer.as_str()),
        JobActor::Staff(a, r) => (Some(a), r.as_str()),
        JobActor::System => (None, "system"),
    };
    AuditEntry::new(
        match action {
            JobAction::Submit => "job.submit",
            JobAction::Publish => "job.publish",
            JobAction::Reject => "job.reject",
            JobAction::Close => "job.close",
            JobAction::Fill => "job.fill",
            JobAction::Expire => "job.expire",
        },
        "job",
        id,
    )
    .by(actor_id, role)
    .reason(reason.clone())
    .details(json!({ "from": from.as_str(), "to": to.as_str() }))
    .record(db)
    .await?;
    let after = Model {
        status: to,
        status_reason: reason,
        version: job.version + 1,
        updated_at: now,
        published_at: if to == JobStatus::Published {
            Some(job.published_at.unwrap_or(now))
        } else {
            job.published_at
        },
        ..job
    };
    if to == JobStatus::Published {
        published(db, &after).await?;
    }
    let change = match to {
        JobStatus::Published => Some(JobChange::Published),
        JobStatus::Closed if from == JobStatus::Published => Some(JobChange::Closed),
        JobStatus::Filled => Some(JobChange::Filled),
        JobStatus::Expired => Some(JobChange::Expired),
        _ => None,
    };
    if let Some(change) = change {
        changed(db, &after, change).await?;
    }
    Ok(after)
}

/// Closes every open posting (draft, pending review, published) of a suspended employer; returns
/// how many.
pub async fn close_all_open<C: ConnectionTrait>(
    db: &C,
    employer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let open = JobStatus::OPEN.map(JobStatus::as_str);
    let published: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::EmployerId.eq(employer_id))
        .filter(Column::Status.eq(JobStatus::Published.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let result = Entity::update_many()
        .col_expr(Column::Status, JobStatus::Closed.as_str().into())
        .col_expr(
            Column::StatusReason,
            Expr::value(Some("employer suspended".to_owned())),
        )
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, now.into())
        .filter(Column::EmployerId.eq(employer_id))
        .filter(Column::Status.is_in(open))
        .exec(db)
        .await?;
    // Partners hear of every published posting closed with them.
    for job in Entity::find()
        .filter(Column::Id.is_in(published))
        .filter(Column::Status.eq(JobStatus::Closed.as_str()))
        .all(db)
        .await?
    {
        changed(db, &job, JobChange::Closed).await?;
    }
    Ok(result.rows_affected)
}

/// Extends a published posting's `valid_through` (its employer, before it expires); the expiry
/// check moves with it.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    employer_id: Uuid,
    id: Uuid,
    valid_through: DateTime<Utc>,
) -> Result<Model, DomainError> {
    let job = get(db, Viewer::Employer(employer_id), id).await?;
    if job.employer_id != employer_id {
        return Err(DomainError::NotFound);
    }
    if job.status != JobStatus::Published {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("a {} posting cannot be renewed", job.status),
        ));
    }
    if valid_through <= job.valid_through || valid_through <= Utc::now() {
        return Err(DomainError::invalid(
            "valid_through",
            "must be later than the current valid_through",
        ));
    }
    let now = Utc::now();
    DomainError::update_one(
        Entity::update_many()
            .col_expr(Column::ValidThrough, valid_through.into())
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .col_expr(Column::UpdatedAt, now.into())
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(JobStatus::Published.as_str())),
        db,
        "the posting changed meanwhile; retry",
    )
    .await?;
    AuditEntry::new("job.renew", "job", id)
        .by(account_id, Role::Employer.as_str())
        .details(json!({ "valid_through": valid_through }))
        .record(db)
        .await?;
    let after = Model {
        valid_through,
        version: job.version + 1,
        updated_at: now,
        ..job
    };
    schedule_expiry(db, &after).await?;
    changed(db, &after, JobChange::Updated).await?;
    Ok(after)
}

/// The expiry task: expires the posting if it is still published and its `valid_through` has
/// passed (a renewal moved it and scheduled another check).
pub async fn expire_if_due<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DomainError> {
    let Some(job) = Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    if job.status == JobStatus::Published && job.valid_through <= Utc::now() {
        act(db, JobActor::System, id, JobAction::Expire, None).await?;
    }
    Ok(())
}
