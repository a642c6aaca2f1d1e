//! Keeps every growing table bounded: what is done and no longer needed goes, in batches of a
//! thousand rows, each its own short statement (no lock is held for long, and other writers get
//! the database between batches), for at most [`TIME_BUDGET`] per run.
//!
//! | Table | Kept |
//! |---|---|
//! | `notification`, `employer_notification` (inboxes) | `retention_notifications_days` (365) |
//! | `delivery` (push and SMS sends), once sent, failed or skipped | `retention_deliveries_days` (30) |
//! | `partner_delivery` (webhooks), delivered; dead letters three times as long | `retention_webhooks_days` (30) |
//! | `outbox`, once published | `retention_outbox_days` (7) |
//! | `processed_message` (redelivery guard) | `retention_processed_messages_days` (7) |
//! | `scheduled_task`, once done or given up | `retention_tasks_days` (7) |
//! | `job_match`, of postings closed, filled or expired | `retention_job_matches_days` (90) |
//! | `refresh_token` past expiry, then sessions without tokens | until expiry |
//! | `sms_code` | a day past expiry |
//! | `rate_limit` | until its window ends |
//! | `idempotency_key` | 24 hours |
//! | `audit_event`, ledgers, the registry | forever |
//!
//! Every worker runs it (and the api in embedded mode): deleting what is already gone is
//! harmless, so several workers simply share the work.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::Db;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use tokio::sync::watch;
use uuid::Uuid;

/// How often housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(600);
/// Rows per statement.
pub const BATCH: u64 = 1000;
/// Longest a run goes on; what is left waits for the next run.
pub const TIME_BUDGET: Duration = Duration::from_secs(60);

/// How long things are kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Inbox notifications.
    pub notifications_days: i64,
    /// Finished push and SMS sends.
    pub deliveries_days: i64,
    /// Delivered webhooks (dead letters three times as long).
    pub webhooks_days: i64,
    /// Published outbox rows.
    pub outbox_days: i64,
    /// Processed-message ids (longer than any redelivery takes).
    pub processed_messages_days: i64,
    /// Finished scheduled tasks.
    pub tasks_days: i64,
    /// Matches of postings no longer open.
    pub job_matches_days: i64,
}

/// The smallest UUIDv7 of the millisecond `at`: every id made at or after `at` is not smaller,
/// so `id < boundary(at)` finds the rows made before, on the primary key's index.
pub fn boundary(at: DateTime<Utc>) -> Uuid {
    let ms = u128::try_from(at.timestamp_millis().max(0)).unwrap_or(0);
    Uuid::from_u128((ms << 80) | (0x7 << 76) | (0x2 << 62))
}

/// One kind of row that may go: its table, its key columns, and the condition (with `$1`).
struct Purge {
    label: &'static str,
    table: &'static str,
    key: &'static str,
    condition: &'static str,
    cutoff: Value,
}

fn purges(retention: &Retention, now: DateTime<Utc>) -> Vec<Purge> {
    let days = |n: i64| now - chrono::Duration::days(n.max(0));
    let id_before = |n: i64| Value::from(boundary(days(n)));
    vec![
        Purge {
            label: "notification",
            table: "notification",
            key: "id",
            condition: "id < $1",
            cutoff: id_before(retention.notifications_days),
        },
        Purge {
            label: "employer_notification",
            table: "employer_notification",
            key: "id",
            condition: "id < $1",
            cutoff: id_before(retention.notifications_days),
        },
        Purge {
            label: "delivery",
            table: "delivery",
            key: "id",
            condition: "id < $1 AND state IN ('sent', 'failed', 'skipped')",
            cutoff: id_before(retention.deliveries_days),
        },
        Purge {
            label: "partner_delivery (delivered)",
            table: "partner_delivery",
            key: "id",
            condition: "id < $1 AND state = 'delivered'",
            cutoff: id_before(retention.webhooks_days),
        },
        Purge {
            label: "partner_delivery (failed)",
            table: "partner_delivery",
            key: "id",
            condition: "id < $1 AND state = 'failed'",
            cutoff: id_before(retention.webhooks_days * 3),
        },
        Purge {
            label: "outbox",
            table: "outbox",
            key: "id",
            condition: "id < $1 AND published_at IS NOT NULL",
            cutoff: id_before(retention.outbox_days),
        },
        Purge {
            label: "processed_message",
            table: "processed_message",
            key: "consumer, message_id",
            condition: "processed_at < $1",
            cutoff: Value::from(days(retention.processed_messages_days)),
        },
        Purge {
            label: "scheduled_task",
            table: "scheduled_task",
            key: "id",
            condition: "state IN ('done', 'failed') AND COALESCE(done_at, run_at) < $1",
            cutoff: Value::from(days(retention.tasks_days)),
        },
        Purge {
            label: "job_match",
            table: "job_match",
            key: "job_id, resident_id",
            condition: "job_id IN (SELECT id FROM job_posting \
                        WHERE status IN ('closed', 'filled', 'expired') AND updated_at < $1)",
            cutoff: Value::from(days(retention.job_matches_days)),
        },
        Purge {
            label: "refresh_token",
            table: "refresh_token",
            key: "id",
            condition: "expires_at < $1",
            cutoff: Value::from(now),
        },
        Purge {
            label: "refresh_family",
            table: "refresh_family",
            key: "id",
            condition: "created_at < $1 AND NOT EXISTS \
                        (SELECT 1 FROM refresh_token t WHERE t.family_id = refresh_family.id)",
            cutoff: Value::from(days(1)),
        },
        Purge {
            label: "sms_code",
            table: "sms_code",
            key: "id",
            condition: "expires_at < $1",
            cutoff: Value::from(days(1)),
        },
        Purge {
            label: "rate_limit",
            table: "rate_limit",
            key: "key",
            condition: "expires_at < $1",
            cutoff: Value::from(now),
        },
        Purge {
            label: "idempotency_key",
            table: "idempotency_key",
            key: "scope, key",
            condition: "expires_at < $1",
            cutoff: Value::from(now),
        },
    ]
}

/// What one run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Rows deleted, by kind.
    pub deleted: Vec<(&'static str, u64)>,
    /// The longest single statement (the longest any lock was held).
    pub longest_statement: Duration,
}

impl Report {
    /// Rows deleted of one kind.
    pub fn count(&self, label: &str) -> u64 {
        self.deleted
            .iter()
            .find(|(l, _)| *l == label)
            .map_or(0, |(_, n)| *n)
    }
}

/// One run: every purge, batch by batch, within [`TIME_BUDGET`].
pub async fn run_once(db: &Db, retention: &Retention) -> Result<Report, DbErr> {
    let started = std::time::Instant::now();
    let backend = db.backend();
    let mut report = Report::default();
    for purge in purges(retention, Utc::now()) {
        let sql = format!(
            "DELETE FROM {table} WHERE ({key}) IN \
             (SELECT {key} FROM {table} WHERE {condition} LIMIT {BATCH})",
            table = purge.table,
            key = purge.key,
            condition = purge.condition,
        );
        let mut total = 0;
        loop {
            let statement = std::time::Instant::now();
            let result = db
                .writer()
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    &sql,
                    [purge.cutoff.clone()],
                ))
                .await?;
            report.longest_statement = report.longest_statement.max(statement.elapsed());
            total += result.rows_affected();
            if result.rows_affected() < BATCH || started.elapsed() > TIME_BUDGET {
                break;
            }
            // Let other writers in between batches (SQLite has one writer).
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if total > 0 {
            crate::metrics::purged(purge.label, total);
        }
        report.deleted.push((purge.label, total));
        if started.elapsed() > TIME_BUDGET {
            break;
        }
    }
    Ok(report)
}

/// Runs housekeeping every [`INTERVAL`] until `stop` turns true.
pub async fn run(db: Db, retention: Retention, mut stop: watch::Receiver<bool>) {
    // Not all workers at once after a deployment.
    let mut pause = Duration::from_secs_f64(5.0 + crate::delivery::random_fraction() * 30.0);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
        match run_once(&db, &retention).await {
            Ok(report) => {
                let gone: u64 = report.deleted.iter().map(|(_, n)| n).sum();
                if gone > 0 {
                    let detail: Vec<String> = report
                        .deleted
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(label, n)| format!("{label}={n}"))
                        .collect();
                    tracing::info!(rows = gone, detail = %detail.join(" "), "housekeeping");
                }
            }
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; retrying next round"),
        }
        pause = INTERVAL;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_order_with_the_ids_of_their_time() {
        let at = Utc::now();
        let b = boundary(at);
        assert_eq!(b.get_version_num(), 7);
        let earlier = boundary(at - chrono::Duration::milliseconds(1));
        assert!(earlier < b);
        let made_now = Uuid::now_v7();
        assert!(boundary(at - chrono::Duration::seconds(1)) < made_now);
        assert!(boundary(at + chrono::Duration::seconds(1)) > made_now);
    }
}
