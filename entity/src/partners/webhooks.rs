//! Webhooks to partners: a `job.changed` event becomes one `partner_delivery` row per partner
//! that receives webhooks, keyed by the posting's version (so the same event again adds
//! nothing); the worker claims due rows, oldest version of each posting first, retries them with
//! backoff and dead-letters them after a day.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::{PartnerScope, delivery, partner};
use crate::{
    DomainError,
    audit::AuditEntry,
    messaging::events::{JobChange, JobChanged},
    page::{Page, PageRequest},
};

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

/// The webhook `type` of a change.
fn webhook_type(change: JobChange) -> &'static str {
    match change {
        JobChange::Published => "job.published",
        JobChange::Updated => "job.updated",
        JobChange::Closed => "job.closed",
        JobChange::Filled => "job.filled",
        JobChange::Expired => "job.expired",
    }
}

/// Queues a webhook about one change of one of our postings to every enabled partner with a
/// webhook URL and the `webhooks` scope: one row each, keyed by (partner, posting, version), so
/// the same event handled again adds nothing, and the worker sends the oldest pending version of
/// a posting first. The consumer handles these events in order, but a failed one is retried
/// later: an event that arrives after a newer version of its posting was already sent (or tried)
/// to a partner is dropped for that partner, so no partner receives an older version after a
/// newer one.
pub async fn job_changed<C: ConnectionTrait>(db: &C, event: &JobChanged) -> Result<(), DbErr> {
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
    // Served by the unique (partner, posting, version) index.
    let superseded: Vec<Uuid> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::PartnerId)
        .filter(delivery::Column::PartnerId.is_in(partners.iter().map(|p| p.id)))
        .filter(delivery::Column::JobId.eq(event.job_id))
        .filter(delivery::Column::JobVersion.gt(event.version))
        .filter(
            sea_orm::Condition::any()
                .add(delivery::Column::Attempts.gt(0))
                .add(delivery::Column::State.ne(DeliveryState::Pending.as_str())),
        )
        .into_tuple()
        .all(db)
        .await?;
    let partners: Vec<&partner::Model> = partners
        .iter()
        .filter(|p| !superseded.contains(&p.id))
        .collect();
    if partners.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let event_type = webhook_type(event.change);
    let body = json!({
        "type": event_type,
        "timestamp": now,
        "data": event.posting,
    })
    .to_string();
    let request_id = crate::trace::current().and_then(|t| t.request_id);
    let rows = partners.iter().map(|p| delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(p.id),
        job_id: Set(event.job_id),
        job_version: Set(event.version),
        event_type: Set(event_type.to_owned()),
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
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How long a delivery is retried before it is dead-lettered.
pub const MAX_AGE: Duration = Duration::hours(24);

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
    AuditEntry::new("partner.delivery_resend", "partner_delivery", delivery_id)
        .by(admin_account, "platform_admin")
        .details(json!({ "partner_id": partner_id }))
        .record(db)
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
