//! A resident's phone registered for push (one row per provider token).

use sea_orm::entity::prelude::*;

/// A device.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owner.
    pub resident_id: Uuid,
    /// `android`, `ios` or `harmonyos`.
    pub platform: String,
    /// `jpush`, `getui`, `huawei`, `xiaomi`, `apns` or `fcm`.
    pub provider: String,
    /// The provider's registration token (unique per provider).
    pub token: String,
    /// First registered.
    pub created_at: DateTimeUtc,
    /// Last registered.
    pub last_seen_at: DateTimeUtc,
}

no_relations!();
