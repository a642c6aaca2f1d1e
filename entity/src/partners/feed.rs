//! The reconciliation feed a partner that missed webhooks catches up through.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    page::{Page, PageRequest},
    recruitment::{employer, job},
};

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
