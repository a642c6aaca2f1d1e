//! Rate limits kept in the database, so that every api replica counts against one budget.
//!
//! Each limit is a fixed window: one row per key holds the window's start and its hits, moved by
//! a single upsert, so concurrent requests on any replica count exactly (PostgreSQL takes the
//! row's lock; SQLite has one writer). Keys are opaque (the caller passes a keyed hash, so no
//! phone number or address is stored here); rows are forgotten once their window is over.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, entity::prelude::*};

/// One window's count for one key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limit")]
pub struct Model {
    /// The limit's name and the hashed subject (phone, address, account).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Start of the current window, in seconds since the epoch.
    pub window_start: i64,
    /// Hits in the current window.
    pub hits: i32,
    /// When the row may be forgotten (the end of its window).
    pub expires_at: DateTimeUtc,
}

no_relations!();

/// A budget: at most `max` hits per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Hits allowed per window (at least 1).
    pub max: u32,
    /// The window, in seconds (at least 1).
    pub window_secs: i64,
}

impl Limit {
    /// `max` per minute.
    pub fn per_minute(max: u32) -> Self {
        Self {
            max,
            window_secs: 60,
        }
    }

    /// `max` per hour.
    pub fn per_hour(max: u32) -> Self {
        Self {
            max,
            window_secs: 3600,
        }
    }

    /// `max` per day (a UTC day).
    pub fn per_day(max: u32) -> Self {
        Self {
            max,
            window_secs: 86_400,
        }
    }
}

/// Counts one hit on `key` at `now`. `Ok(None)`: within the budget. `Ok(Some(secs))`: over it;
/// the window ends in `secs` seconds (at least 1), which is what `Retry-After` says.
pub async fn hit<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Option<u64>, DbErr> {
    let window = limit.window_secs.max(1);
    let start = now.timestamp().div_euclid(window) * window;
    let end = start + window;
    let expires_at = DateTime::<Utc>::from_timestamp(end, 0).unwrap_or(now);
    // The same statement on both backends: a row from an earlier window starts over at 1.
    let sql = "INSERT INTO rate_limit (key, window_start, hits, expires_at) VALUES ($1, $2, 1, $3) \
               ON CONFLICT (key) DO UPDATE SET \
                 hits = CASE WHEN rate_limit.window_start = excluded.window_start \
                             THEN rate_limit.hits + 1 ELSE 1 END, \
                 window_start = excluded.window_start, \
                 expires_at = excluded.expires_at \
               RETURNING hits";
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [key.into(), start.into(), expires_at.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("rate limit upsert returned no row".into()))?;
    let hits: i32 = row.try_get("", "hits")?;
    if u32::try_from(hits).unwrap_or(u32::MAX) <= limit.max {
        Ok(None)
    } else {
        let left = (end - now.timestamp()).max(1);
        Ok(Some(u64::try_from(left).unwrap_or(1)))
    }
}

/// Forgets windows that are over; returns how many rows went.
pub async fn purge_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::ExpiresAt.lt(now))
        .exec(db)
        .await?
        .rows_affected)
}
