//! `notification.requested` -> one inbox row per recipient, written in bulk. Recipients are read
//! in keyset pages and written in multi-row inserts of the same size, so memory stays flat however
//! large the audience.

use chrono::Utc;
use entity::{
    messaging::events::{NotificationRequested, Urgency},
    notify::notification,
    registry::resident,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

/// Recipients per page and rows per insert.
pub const PAGE: u64 = 1000;

consumer_group! {
    /// The consumer group that writes inboxes.
    group: "inbox", binds: "notification.requested", ordered: false,
    on: NotificationRequested => fan_out
}

/// A message's inbox row is written once per resident: a redelivery adds nothing.
fn once_per_resident() -> OnConflict {
    OnConflict::columns([
        notification::Column::MessageId,
        notification::Column::ResidentId,
    ])
    .do_nothing()
    .to_owned()
}

/// The next page of an audience's resident ids after `after`, in id order.
pub async fn audience_page(
    txn: &DatabaseTransaction,
    query: &Select<resident::Entity>,
    after: Option<Uuid>,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let mut page = query.clone().order_by_asc(resident::Column::Id).limit(PAGE);
    if let Some(last) = after {
        page = page.filter(resident::Column::Id.gt(last));
    }
    page.into_tuple().all(txn).await
}

/// Writes the inbox rows of one notification.
///
/// On PostgreSQL one set-based `INSERT … SELECT` over the audience: no recipient travels to the
/// worker and back, so memory stays flat and the rate stays near `COPY`'s however large the
/// audience. Elsewhere (SQLite) recipients are read in keyset pages of [`PAGE`] and written with
/// multi-row inserts.
pub async fn fan_out(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    n: &NotificationRequested,
) -> anyhow::Result<()> {
    let query = entity::notify::audience::residents(txn, &n.audience).await?;
    let urgency = match n.urgency {
        Urgency::Normal => "normal",
        Urgency::Urgent => "urgent",
    };
    let now = Utc::now();
    if txn.get_database_backend() == DbBackend::Postgres {
        let mut select = query.into_query();
        select.clear_selects();
        select
            .expr(Expr::cust("anju_uuid_v7()"))
            .column((resident::Entity, resident::Column::Id))
            .expr(Expr::val(n.site_id))
            .expr(Expr::val(message_id))
            .expr(Expr::val(n.category.clone()))
            .expr(Expr::val(n.title.clone()))
            .expr(Expr::val(n.body.clone()))
            .expr(Expr::val(n.link.clone()))
            .expr(Expr::val(urgency))
            .expr(Expr::val(now))
            .expr(Expr::val(Option::<chrono::DateTime<Utc>>::None));
        let insert = sea_orm::sea_query::Query::insert()
            .into_table(notification::Entity)
            .columns([
                notification::Column::Id,
                notification::Column::ResidentId,
                notification::Column::SiteId,
                notification::Column::MessageId,
                notification::Column::Category,
                notification::Column::Title,
                notification::Column::Body,
                notification::Column::Link,
                notification::Column::Urgency,
                notification::Column::CreatedAt,
                notification::Column::ReadAt,
            ])
            .select_from(select)?
            .on_conflict(once_per_resident())
            .to_owned();
        txn.execute(&insert).await?;
        return Ok(());
    }
    let mut after: Option<Uuid> = None;
    loop {
        let ids = audience_page(txn, &query, after).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        write_page(txn, message_id, n, urgency, now, &ids).await?;
        if (ids.len() as u64) < PAGE {
            break;
        }
        after = Some(last);
    }
    Ok(())
}

/// Writes one page of inbox rows with a multi-row insert. A redelivered event inserts nothing
/// (unique message and recipient).
async fn write_page(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    n: &NotificationRequested,
    urgency: &str,
    now: chrono::DateTime<Utc>,
    recipients: &[Uuid],
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = recipients.iter().map(|_| Uuid::now_v7()).collect();
    let rows = ids
        .iter()
        .zip(recipients)
        .map(|(id, resident_id)| notification::ActiveModel {
            id: Set(*id),
            resident_id: Set(*resident_id),
            site_id: Set(n.site_id),
            message_id: Set(message_id),
            category: Set(n.category.clone()),
            title: Set(n.title.clone()),
            body: Set(n.body.clone()),
            link: Set(n.link.clone()),
            urgency: Set(urgency.to_owned()),
            created_at: Set(now),
            read_at: Set(None),
        });
    notification::Entity::insert_many(rows)
        .on_conflict(once_per_resident())
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
