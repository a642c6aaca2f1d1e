//! The delivery queue: one row per push (per device) or SMS (per resident) to send, claimed by
//! the dispatcher like outbox rows. The unique dedupe key is our own guarantee of at most one
//! send per notification, recipient and device (SMS providers have no dedupe of their own).

use sea_orm::entity::prelude::*;

/// One send.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `push:<message>:<device>` or `sms:<message>:<resident>`.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// The recipient.
    pub resident_id: Uuid,
    /// The notification's event id.
    pub message_id: Uuid,
    /// `push`, `sms`, `wechat` (a subscription message) or `voice` (a text-to-speech call).
    pub channel: String,
    /// The provider (`jpush`, `aliyun`, `log`).
    pub provider: String,
    /// The device, for push.
    pub device_id: Option<Uuid>,
    /// Token (push), openid (WeChat) or phone (SMS, voice).
    pub target: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Link.
    pub link: Option<String>,
    /// Urgent.
    pub urgent: bool,
    /// `pending`, `sending`, `sent`, `failed` or `skipped`.
    pub state: String,
    /// Not sent before (quiet hours, retry backoff).
    pub not_before: DateTimeUtc,
    /// Attempts so far.
    pub attempts: i32,
    /// Until when the dispatcher that claimed it is presumed alive.
    pub locked_until: Option<DateTimeUtc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Sent at.
    pub sent_at: Option<DateTimeUtc>,
    /// The id of the request that caused the notification.
    pub request_id: Option<String>,
    /// What a subscription message (`wechat`: template id, page, fields) or a voice call
    /// (`voice`: the spoken text) carries; `None` for push and SMS, which send title and body.
    pub payload: Option<Json>,
}

no_relations!();
