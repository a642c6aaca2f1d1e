//! Notifications: the residents' inbox and the employers' inbox (the records of every
//! notification), and the delivery channels: devices, preferences (with quiet hours) and the
//! delivery queue.
//!
//! The aggregate owns the `notification`, `employer_notification`, `broadcast`, `device`,
//! `notification_preference`, `delivery`, `wechat_template`, `wechat_grant` and `voice_mark`
//! tables. The worker fills them from the
//! `notification.requested` and `employer_notification.requested` outbox events (the delivery
//! queue is claimed by the dispatcher like outbox rows); nothing here emits events or schedules
//! tasks. [`audience`] is the one query of who a notice reaches, for the worker and for the count
//! staff see before they send.

pub mod audience;
pub mod broadcast;
pub mod delivery;
pub mod device;
pub mod employer_notification;
pub mod notification;
pub mod preference;
pub mod style;
pub mod voice_mark;
pub mod wechat_grant;
pub mod wechat_template;
