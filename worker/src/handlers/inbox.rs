//! `notification.requested` -> one inbox row per recipient, written in bulk. Recipients are read
//! in keyset pages and written in multi-row inserts of the same size, so memory stays flat however
//! large the audience.

use chrono::{NaiveDate, Utc};
use entity::{
    messaging::{
        Envelope, Event,
        events::{Audience, NotificationRequested, Urgency},
    },
    notification,
    registry::{ops::working_age_birth_range, resident, resident_group},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{Handler, HandlerFuture};

/// Recipients per page and rows per insert.
pub const PAGE: u64 = 1000;

/// The consumer group that writes inboxes.
pub const HANDLER: Handler = Handler {
    group: "inbox",
    binds: &["notification.requested"],
    run,
};

fn run<'a>(txn: &'a DatabaseTransaction, envelope: &'a Envelope) -> HandlerFuture<'a> {
    Box::pin(async move {
        match &envelope.event {
            Event::NotificationRequested(n) => fan_out(txn, envelope.id, n).await,
        }
    })
}

fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The residents an audience names, as a query over resident ids.
pub async fn audience_query(
    txn: &DatabaseTransaction,
    audience: &Audience,
) -> anyhow::Result<Select<resident::Entity>> {
    let select = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id);
    Ok(match audience {
        Audience::Residents { resident_ids } => {
            select.filter(resident::Column::Id.is_in(resident_ids.clone()))
        }
        Audience::Site {
            site_id,
            committee_ids,
            group_ids,
            working_age,
            job_seeking,
        } => {
            let mut select = select.filter(resident::Column::SiteId.eq(*site_id));
            let mut groups = group_ids.clone();
            if !committee_ids.is_empty() {
                let in_committees: Vec<Uuid> = resident_group::Entity::find()
                    .select_only()
                    .column(resident_group::Column::Id)
                    .filter(resident_group::Column::CommitteeId.is_in(committee_ids.clone()))
                    .into_tuple()
                    .all(txn)
                    .await?;
                groups.extend(in_committees);
            }
            if !groups.is_empty() || !committee_ids.is_empty() {
                select = select.filter(resident::Column::GroupId.is_in(groups));
            }
            if *working_age {
                let (earliest, latest) = working_age_birth_range(today());
                select = select
                    .filter(resident::Column::BirthDate.gte(earliest))
                    .filter(resident::Column::BirthDate.lte(latest));
            }
            if *job_seeking {
                select = select.filter(resident::Column::JobSeeking.eq(true));
            }
            select
        }
    })
}

/// Writes the inbox rows of one notification; returns how many residents it reached.
pub async fn fan_out(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    n: &NotificationRequested,
) -> anyhow::Result<()> {
    let query = audience_query(txn, &n.audience).await?;
    let urgency = match n.urgency {
        Urgency::Normal => "normal",
        Urgency::Urgent => "urgent",
    };
    let now = Utc::now();
    let mut after: Option<Uuid> = None;
    loop {
        let mut page = query.clone().order_by_asc(resident::Column::Id).limit(PAGE);
        if let Some(last) = after {
            page = page.filter(resident::Column::Id.gt(last));
        }
        let ids: Vec<Uuid> = page.into_tuple().all(txn).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let rows = ids.iter().map(|resident_id| notification::ActiveModel {
            id: Set(Uuid::now_v7()),
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
            .on_conflict(
                OnConflict::columns([
                    notification::Column::MessageId,
                    notification::Column::ResidentId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        if (ids.len() as u64) < PAGE {
            break;
        }
        after = Some(last);
    }
    Ok(())
}
