//! The inbox: one row per notification per resident. It is the record of every notification;
//! push and SMS are only delivery channels.

use sea_orm::entity::prelude::*;

/// One notification in one resident's inbox.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    /// Id (UUIDv7: newest last).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The recipient.
    pub resident_id: Uuid,
    /// The recipient's site.
    pub site_id: Uuid,
    /// The event that caused it; unique with the recipient, so a redelivered event adds nothing.
    pub message_id: Uuid,
    /// Category (`broadcast`, `job`, `activity`, …).
    pub category: String,
    /// Title (Simplified Chinese).
    pub title: String,
    /// Body (Simplified Chinese).
    pub body: String,
    /// What it is about, for the app to open.
    pub link: Option<String>,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// When it arrived.
    pub created_at: DateTimeUtc,
    /// When the resident read it.
    pub read_at: Option<DateTimeUtc>,
}

no_relations!();
