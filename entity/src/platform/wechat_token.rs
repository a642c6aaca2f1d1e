//! WeChat's server access token (`stable_token`), one row per mini-program, shared by every api
//! replica and worker: encrypted with the PII key, with its expiry, a lease held by the one
//! process fetching a new token, and a count of fetches (for operators and tests).

use sea_orm::entity::prelude::*;

/// The cached token of one mini-program.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_token")]
pub struct Model {
    /// The mini-program's AppID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: String,
    /// The token, encrypted (empty before the first fetch).
    pub access_token: Vec<u8>,
    /// When WeChat stops accepting it.
    pub expires_at: DateTimeUtc,
    /// WeChat refused it before it expired: the next fetch asks for a new one
    /// (`force_refresh`).
    pub force_refresh: bool,
    /// Until when a process fetching a new token holds the lease; others wait or use the old one.
    pub lease_until: Option<DateTimeUtc>,
    /// Tokens fetched so far.
    pub fetches: i64,
}

no_relations!();
