//! The employers' inbox: new applications to their postings, withdrawals. Employers use the web,
//! not the app, so the inbox is their only channel.

use sea_orm::entity::prelude::*;

/// One notification in one employer's inbox.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employer_notification")]
pub struct Model {
    /// Id (UUIDv7: newest last).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The recipient.
    pub employer_id: Uuid,
    /// The event that caused it; unique with the recipient, so a redelivered event adds nothing.
    pub message_id: Uuid,
    /// Category (`application`).
    pub category: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// What it is about.
    pub link: Option<String>,
    /// When it arrived.
    pub created_at: DateTimeUtc,
    /// When the employer read it.
    pub read_at: Option<DateTimeUtc>,
}

no_relations!();
