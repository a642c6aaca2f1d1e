//! The notices staff sent to a site (the `broadcast` table): what was sent, to whom and to how
//! many, written with the outbox event that fans it out (its id is the event's id, which the
//! inbox and delivery rows carry as `message_id`). How each fared is read from those rows.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    messaging::events::Audience,
    notify::{delivery, notification},
    page::{Page, PageRequest},
};

/// One notice sent to a site.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "broadcast")]
pub struct Model {
    /// The outbox event's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Who it was for ([`Audience`] as stored).
    pub audience: Json,
    /// Sent even in quiet hours.
    pub urgent: bool,
    /// Residents the audience named when it was sent.
    pub recipients: i64,
    /// The staff account that sent it.
    pub sent_by: Uuid,
    /// When.
    pub created_at: DateTimeUtc,
}

no_relations!();

impl Model {
    /// The audience as sent.
    pub fn audience(&self) -> Option<Audience> {
        serde_json::from_value(self.audience.clone()).ok()
    }
}

/// Records a notice (in the transaction of its outbox event).
pub async fn record<C: ConnectionTrait>(db: &C, model: Model) -> Result<(), DbErr> {
    Entity::insert(ActiveModel::from(model))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How a notice fared on one delivery channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelOutcome {
    /// Sent to the provider.
    pub sent: u64,
    /// Given up after retries.
    pub failed: u64,
    /// Waiting (quiet hours, retry backoff) or being sent.
    pub pending: u64,
    /// Not sent (no device, preferences).
    pub skipped: u64,
}

impl ChannelOutcome {
    fn add(&mut self, state: &str, n: u64) {
        match state {
            "sent" => self.sent += n,
            "failed" => self.failed += n,
            "skipped" => self.skipped += n,
            _ => self.pending += n,
        }
    }
}

/// How a notice fared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Inbox rows written (the worker fans out shortly after sending).
    pub delivered: u64,
    /// Of those, read.
    pub read: u64,
    /// Push notifications.
    pub push: ChannelOutcome,
    /// Text messages.
    pub sms: ChannelOutcome,
}

/// A page of a site's notices, newest first, each with how it fared.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    page: &PageRequest<Uuid>,
) -> Result<Page<(Model, Outcome)>, DbErr> {
    let rows = page
        .by_id(
            Entity::find().filter(Column::SiteId.eq(site_id)),
            Column::Id,
            Order::Desc,
        )
        .all(db)
        .await?;
    let page = Page::from_rows(page, rows, |m: &Model| m.id);
    let ids: Vec<Uuid> = page.items.iter().map(|m| m.id).collect();
    let mut outcomes: HashMap<Uuid, Outcome> = HashMap::new();
    if !ids.is_empty() {
        let inbox: Vec<(Uuid, i64, i64)> = notification::Entity::find()
            .select_only()
            .column(notification::Column::MessageId)
            .expr(Expr::col(notification::Column::Id).count())
            .expr(Expr::col(notification::Column::ReadAt).count())
            .filter(notification::Column::MessageId.is_in(ids.clone()))
            .group_by(notification::Column::MessageId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, delivered, read) in inbox {
            let o = outcomes.entry(id).or_default();
            o.delivered = u64::try_from(delivered).unwrap_or(0);
            o.read = u64::try_from(read).unwrap_or(0);
        }
        let sends: Vec<(Uuid, String, String, i64)> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::MessageId)
            .column(delivery::Column::Channel)
            .column(delivery::Column::State)
            .expr(Expr::col(delivery::Column::Id).count())
            .filter(delivery::Column::MessageId.is_in(ids))
            .group_by(delivery::Column::MessageId)
            .group_by(delivery::Column::Channel)
            .group_by(delivery::Column::State)
            .into_tuple()
            .all(db)
            .await?;
        for (id, channel, state, n) in sends {
            let o = outcomes.entry(id).or_default();
            let n = u64::try_from(n).unwrap_or(0);
            match channel.as_str() {
                "sms" => o.sms.add(&state, n),
                _ => o.push.add(&state, n),
            }
        }
    }
    Ok(page.map(|m| {
        let outcome = outcomes.get(&m.id).copied().unwrap_or_default();
        (m, outcome)
    }))
}
