//! The worker's Prometheus metrics. Counters are kept in process as the work happens (relay
//! publishes, messages handled per consumer group, sends per provider and outcome, webhook
//! attempts, scheduled tasks run); gauges that describe the shared state (outbox lag, scheduled
//! task lag, webhook deliveries by state, SMS sent today) are read from the database when
//! scraped, so every worker reports the same truth about the queue they share.
//!
//! Label values come from fixed sets (consumer groups, provider names, outcomes), so the number
//! of series is bounded.

use std::sync::OnceLock;

use chrono::Utc;
use entity::Db;
use prometheus::{
    Encoder, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::consumer::{Failure, Outcome};

/// The worker's counters and gauges.
pub struct WorkerMetrics {
    registry: Registry,
    published: IntCounter,
    relay_failures: IntCounter,
    messages: IntCounterVec,
    dead_lettered: IntCounterVec,
    sends: IntCounterVec,
    webhook_attempts: IntCounterVec,
    tasks: IntCounterVec,
    purged: IntCounterVec,
    outbox_lag: IntGauge,
    outbox_pending: IntGauge,
    task_lag: IntGauge,
    deliveries_pending: IntGauge,
    webhooks: IntGaugeVec,
    sms_today: IntGauge,
    sms_capped_phones: IntGauge,
}

fn build() -> Result<WorkerMetrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("anju".into()), None)?;
    let counter = |name: &str, help: &str| IntCounter::new(name, help);
    let counters =
        |name: &str, help: &str, labels: &[&str]| IntCounterVec::new(Opts::new(name, help), labels);
    let gauge = |name: &str, help: &str| IntGauge::new(name, help);
    let m = WorkerMetrics {
        published: counter(
            "relay_published_total",
            "Outbox rows published and confirmed",
        )?,
        relay_failures: counter(
            "relay_failures_total",
            "Relay rounds that failed (broker away, nack, unroutable)",
        )?,
        messages: counters(
            "consumer_messages_total",
            "Messages run through a consumer group, by outcome (handled, duplicate, failed)",
            &["group", "outcome"],
        )?,
        dead_lettered: counters(
            "consumer_dead_lettered_total",
            "Messages given up on (dead-lettered) by consumer group",
            &["group"],
        )?,
        sends: counters(
            "deliveries_total",
            "Push and SMS sends by channel, provider and outcome (sent, failed, retried, skipped)",
            &["channel", "provider", "outcome"],
        )?,
        webhook_attempts: counters(
            "webhook_attempts_total",
            "Webhook sends by outcome (delivered, retried, failed, refused)",
            &["outcome"],
        )?,
        tasks: counters(
            "scheduled_tasks_total",
            "Scheduled tasks run, by kind and outcome",
            &["kind", "outcome"],
        )?,
        purged: counters(
            "housekeeping_deleted_total",
            "Rows housekeeping removed, by kind",
            &["table"],
        )?,
        outbox_lag: gauge(
            "outbox_lag_seconds",
            "Age of the oldest outbox row not yet published (0 when none waits)",
        )?,
        outbox_pending: gauge("outbox_pending", "Outbox rows not yet published")?,
        task_lag: gauge(
            "scheduled_task_lag_seconds",
            "How long the oldest due scheduled task has been waiting (0 when none is due)",
        )?,
        deliveries_pending: gauge(
            "deliveries_pending",
            "Push and SMS sends waiting (including those held by quiet hours)",
        )?,
        webhooks: IntGaugeVec::new(
            Opts::new("webhook_deliveries", "Partner webhook deliveries by state"),
            &["state"],
        )?,
        sms_today: gauge("sms_sent_today", "SMS sends planned today (China time)")?,
        sms_capped_phones: gauge(
            "sms_phones_at_daily_cap",
            "Phones that reached the daily SMS cap today (China time)",
        )?,
        registry,
    };
    // Every consumer group's series exist from the start, so that an alert on their increase
    // sees the first one.
    for group in crate::handlers::ALL
        .iter()
        .map(|h| h.group)
        .chain(["embedded"])
    {
        m.dead_lettered.with_label_values(&[group]);
        for outcome in ["handled", "duplicate", "failed"] {
            m.messages.with_label_values(&[group, outcome]);
        }
    }
    m.registry.register(Box::new(m.published.clone()))?;
    m.registry.register(Box::new(m.relay_failures.clone()))?;
    m.registry.register(Box::new(m.messages.clone()))?;
    m.registry.register(Box::new(m.dead_lettered.clone()))?;
    m.registry.register(Box::new(m.sends.clone()))?;
    m.registry.register(Box::new(m.webhook_attempts.clone()))?;
    m.registry.register(Box::new(m.tasks.clone()))?;
    m.registry.register(Box::new(m.purged.clone()))?;
    m.registry.register(Box::new(m.outbox_lag.clone()))?;
    m.registry.register(Box::new(m.outbox_pending.clone()))?;
    m.registry.register(Box::new(m.task_lag.clone()))?;
    m.registry
        .register(Box::new(m.deliveries_pending.clone()))?;
    m.registry.register(Box::new(m.webhooks.clone()))?;
    m.registry.register(Box::new(m.sms_today.clone()))?;
    m.registry.register(Box::new(m.sms_capped_phones.clone()))?;
    Ok(m)
}

/// The process's worker metrics (created on first use).
pub fn get() -> Option<&'static WorkerMetrics> {
    static METRICS: OnceLock<Option<WorkerMetrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| match build() {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::error!(error = %e, "worker metrics could not be created");
                None
            }
        })
        .as_ref()
}

/// Counts a message run through a consumer group.
pub fn handled(group: &str, outcome: &Result<Outcome, Failure>) {
    if let Some(m) = get() {
        let label = match outcome {
            Ok(Outcome::Handled) => "handled",
            Ok(Outcome::Duplicate) => "duplicate",
            Err(_) => "failed",
        };
        m.messages.with_label_values(&[group, label]).inc();
    }
}

/// Counts a message given up on.
pub fn dead_lettered(group: &str) {
    if let Some(m) = get() {
        m.dead_lettered.with_label_values(&[group]).inc();
    }
}

/// Counts published outbox rows.
pub fn published(rows: usize) {
    if let Some(m) = get() {
        m.published.inc_by(rows as u64);
    }
}

/// Counts a failed relay round.
pub fn relay_failed() {
    if let Some(m) = get() {
        m.relay_failures.inc();
    }
}

/// Counts sends of one channel and provider with one outcome (0 makes the series exist).
pub fn sends(channel: &str, provider: &str, outcome: &str, n: usize) {
    if let Some(m) = get() {
        m.sends
            .with_label_values(&[channel, provider, outcome])
            .inc_by(n as u64);
    }
}

/// Counts a webhook attempt's outcome.
pub fn webhook(outcome: &str) {
    if let Some(m) = get() {
        m.webhook_attempts.with_label_values(&[outcome]).inc();
    }
}

/// Counts a scheduled task run.
pub fn task(kind: &str, ok: bool) {
    if let Some(m) = get() {
        m.tasks
            .with_label_values(&[kind, if ok { "done" } else { "failed" }])
            .inc();
    }
}

/// Counts rows housekeeping removed.
pub fn purged(table: &str, rows: u64) {
    if let Some(m) = get() {
        m.purged.with_label_values(&[table]).inc_by(rows);
    }
}

/// Reads the gauges of the shared state from the database.
async fn refresh(m: &WorkerMetrics, db: &Db) -> Result<(), DbErr> {
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let now = Utc::now();
    let one = |sql: &str| Statement::from_sql_and_values(backend, sql, [now.into()]);
    let row = conn
        .query_one_raw(one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox \
             WHERE published_at IS NULL AND dead_at IS NULL AND created_at <= $1",
        ))
        .await?;
    if let Some(row) = row {
        let n: i64 = row.try_get("", "n")?;
        let oldest: Option<chrono::DateTime<Utc>> = row.try_get("", "oldest")?;
        m.outbox_pending.set(n);
        m.outbox_lag
            .set(oldest.map_or(0, |t| (now - t).num_seconds().max(0)));
    }
    let row = conn
        .query_one_raw(one("SELECT MIN(run_at) AS oldest FROM scheduled_task \
             WHERE state = 'pending' AND run_at <= $1"))
        .await?;
    if let Some(row) = row {
        let oldest: Option<chrono::DateTime<Utc>> = row.try_get("", "oldest")?;
        m.task_lag
            .set(oldest.map_or(0, |t| (now - t).num_seconds().max(0)));
    }
    let row = conn
        .query_one_raw(one(
            "SELECT COUNT(*) AS n FROM delivery WHERE state IN ('pending', 'sending') \
             AND created_at <= $1",
        ))
        .await?;
    if let Some(row) = row {
        m.deliveries_pending.set(row.try_get("", "n")?);
    }
    for state in ["pending", "delivered", "failed"] {
        m.webhooks.with_label_values(&[state]).set(0);
    }
    let rows = conn
        .query_all_raw(one(
            "SELECT state, COUNT(*) AS n FROM partner_delivery WHERE created_at <= $1 \
             GROUP BY state",
        ))
        .await?;
    for row in rows {
        let state: String = row.try_get("", "state")?;
        let n: i64 = row.try_get("", "n")?;
        if matches!(state.as_str(), "pending" | "delivered" | "failed") {
            m.webhooks.with_label_values(&[&state]).set(n);
        }
    }
    // Today in China starts at 16:00 UTC the day before.
    let china_midnight = entity::kernel::china_time::start_of_day(now);
    let today = |sql: &str| {
        Statement::from_sql_and_values(
            backend,
            sql,
            [
                china_midnight.into(),
                i64::try_from(crate::handlers::delivery::SMS_DAILY_CAP)
                    .unwrap_or(i64::MAX)
                    .into(),
            ],
        )
    };
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS n FROM delivery WHERE channel = 'sms' AND created_at >= $1",
            [china_midnight.into()],
        ))
        .await?;
    if let Some(row) = row {
        m.sms_today.set(row.try_get("", "n")?);
    }
    let row = conn
        .query_one_raw(today(
            "SELECT COUNT(*) AS n FROM (SELECT target FROM delivery \
             WHERE channel = 'sms' AND created_at >= $1 GROUP BY target HAVING COUNT(*) >= $2) capped",
        ))
        .await?;
    if let Some(row) = row {
        m.sms_capped_phones.set(row.try_get("", "n")?);
    }
    Ok(())
}

/// The worker metrics in Prometheus text format, gauges read from `db` now.
pub async fn render(db: &Db) -> String {
    let Some(m) = get() else {
        return String::new();
    };
    if let Err(e) = refresh(m, db).await {
        tracing::warn!(error = %e, "reading the queue gauges failed");
    }
    let mut out = Vec::with_capacity(8 * 1024);
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        tracing::warn!(error = %e, "encoding the worker metrics failed");
    }
    String::from_utf8_lossy(&out).into_owned()
}
