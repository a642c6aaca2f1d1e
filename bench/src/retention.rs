//! A simulated year of one site's traffic (11,212 residents: a notice to everyone every day, half
//! of them reached by push or SMS, weekly activities, monthly calls for claims, daily logins
//! with refresh rotation, one-time codes, idempotent requests, webhooks), written straight into
//! PostgreSQL with the timestamps (and time-ordered ids) it would have had, then housekeeping
//! run until it has nothing left to do. Prints each managed table's rows before and after, the
//! bound its retention setting implies, the time housekeeping took and its longest single
//! statement (how long it held any lock).

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use worker::{housekeeping, settings::Settings};

use crate::{Options, import::fresh};

const RESIDENTS: i64 = 11_212;
/// Residents reached by push or SMS for each notice.
const REACHED: i64 = RESIDENTS / 2;
const APP_USERS: i64 = 2_000;
const DAYS: i64 = 365;

/// One statement of the simulation, with what it writes.
struct Step {
    what: &'static str,
    sql: String,
}

fn steps() -> Vec<Step> {
    // A UUIDv7 of a given time (random bits from md5), as the application makes them.
    let function = "CREATE OR REPLACE FUNCTION bench_uuid_at(ts timestamptz) RETURNS uuid AS $$ \
        SELECT (lpad(to_hex(floor(extract(epoch FROM ts) * 1000)::bigint), 12, '0') \
        || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid \
        $$ LANGUAGE sql VOLATILE";
    let days = format!(
        "(SELECT now() - day * interval '1 day' AS ts, day FROM generate_series(1, {DAYS}) day) d"
    );
    vec![
        Step {
            what: "function",
            sql: function.to_owned(),
        },
        Step {
            what: "notification: a notice to every resident every day",
            sql: format!(
                "INSERT INTO notification (id, resident_id, site_id, message_id, category, title, body, \
                 link, urgency, created_at, read_at) \
                 SELECT bench_uuid_at(d.ts + r * interval '1 millisecond'), \
                   ('00000000-0000-7000-8000-' || lpad(to_hex(r), 12, '0'))::uuid, \
                   '00000000-0000-7000-8000-000000000001', m.id, 'general', '每日通知', \
                   '明天上午八点至十二点停水，请提前储水。', NULL, 'normal', d.ts, NULL \
                 FROM {days} \
                 CROSS JOIN LATERAL (SELECT bench_uuid_at(d.ts) AS id) m \
                 CROSS JOIN generate_series(1, {RESIDENTS}) r"
            ),
        },
        Step {
            what: "delivery: half of them by push or SMS",
            sql: format!(
                "INSERT INTO delivery (id, dedupe_key, resident_id, message_id, channel, provider, \
                 device_id, target, title, body, link, urgent, state, not_before, attempts, \
                 locked_until, last_error, created_at, sent_at, request_id) \
                 SELECT bench_uuid_at(d.ts + r * interval '1 millisecond'), \
                   'day-' || d.day || '-' || r, gen_random_uuid(), gen_random_uuid(), \
                   CASE WHEN r % 3 = 0 THEN 'sms' ELSE 'push' END, 'jpush', NULL, '1990000' || lpad(r::text, 4, '0'), \
                   '每日通知', '明天上午停水。', NULL, false, 'sent', d.ts, 1, NULL, NULL, d.ts, d.ts, NULL \
                 FROM {days} CROSS JOIN generate_series(1, {REACHED}) r"
            ),
        },
        Step {
            what: "outbox: ten events a day, published",
            sql: format!(
                "INSERT INTO outbox (id, event_type, schema_version, routing_key, payload, created_at, \
                 available_at, attempts, last_error, published_at, dead_at) \
                 SELECT bench_uuid_at(d.ts + e * interval '1 second'), 'notification.requested', 1, \
                   'notification.requested', '{{}}', d.ts, d.ts, 0, NULL, d.ts, NULL \
                 FROM {days} CROSS JOIN generate_series(1, 10) e"
            ),
        },
        Step {
            what: "processed_message: each event by four consumer groups",
            sql: "INSERT INTO processed_message (consumer, message_id, processed_at) \
                  SELECT g, o.id, o.created_at FROM outbox o \
                  CROSS JOIN unnest(ARRAY['inbox', 'delivery', 'matching', 'employer_inbox']) g"
                .to_owned(),
        },
        Step {
            what: "scheduled_task: activity reminders weekly, crediting a monthly campaign",
            sql: format!(
                "INSERT INTO scheduled_task (id, kind, payload, dedupe_key, run_at, state, attempts, \
                 locked_until, last_error, created_at, done_at) \
                 SELECT bench_uuid_at(d.ts), CASE WHEN d.day % 30 = 0 THEN 'points.credit' ELSE 'activity.remind' END, \
                   '{{}}'::jsonb, NULL::text, d.ts, 'done', 1, NULL::timestamptz, NULL::text, d.ts, d.ts \
                 FROM {days} CROSS JOIN generate_series(1, 3) t \
                 UNION ALL \
                 SELECT bench_uuid_at(d.ts), 'points.credit', '{{}}'::jsonb, NULL::text, d.ts, 'done', 1, NULL::timestamptz, NULL::text, d.ts, d.ts \
                 FROM (SELECT now() - m * interval '30 days' AS ts FROM generate_series(1, 12) m) d \
                 CROSS JOIN generate_series(1, 2749) c"
            ),
        },
        Step {
            what: "account: the residents who use the app",
            sql: format!(
                "INSERT INTO account (id, phone, password_hash, role, site_id, resident_id, disabled, \
                 created_at, last_login_at, session_version) \
                 SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(u), 12, '0'))::uuid, \
                   '1980' || lpad(u::text, 7, '0'), 'x', 'resident', NULL, NULL, false, now(), NULL, 0 \
                 FROM generate_series(1, {APP_USERS}) u"
            ),
        },
        Step {
            what: "refresh_family and refresh_token: daily logins, a new session a month",
            sql: format!(
                "WITH fam AS (INSERT INTO refresh_family (id, account_id, created_at, rotated_at, revoked_at) \
                   SELECT bench_uuid_at(now() - mo * interval '30 days'), \
                     ('00000000-0000-7000-9000-' || lpad(to_hex(u), 12, '0'))::uuid, \
                     now() - mo * interval '30 days', NULL, NULL \
                   FROM generate_series(0, 12) mo CROSS JOIN generate_series(1, {APP_USERS}) u \
                   RETURNING id, account_id, created_at) \
                 INSERT INTO refresh_token (id, account_id, family_id, token_hash, created_at, expires_at, used_at, revoked_at) \
                 SELECT bench_uuid_at(f.created_at + k * interval '1 day'), f.account_id, f.id, \
                   md5(random()::text) || md5(random()::text), f.created_at + k * interval '1 day', \
                   f.created_at + k * interval '1 day' + interval '30 days', \
                   CASE WHEN k < 29 THEN f.created_at + (k + 1) * interval '1 day' END, NULL \
                 FROM fam f CROSS JOIN generate_series(0, 29) k \
                 WHERE f.created_at + k * interval '1 day' <= now()"
            ),
        },
        Step {
            what: "sms_code: fifty a day",
            sql: format!(
                "INSERT INTO sms_code (id, phone_hash, purpose, code_hash, resident_id, issued_by, attempts, \
                 created_at, expires_at, consumed_at) \
                 SELECT bench_uuid_at(d.ts), md5(random()::text), 'login', md5(random()::text), NULL, NULL, 0, \
                   d.ts, d.ts + interval '5 minutes', d.ts + interval '1 minute' \
                 FROM {days} CROSS JOIN generate_series(1, 50) c"
            ),
        },
        Step {
            what: "idempotency_key: a thousand a day",
            sql: format!(
                "INSERT INTO idempotency_key (scope, key, request_hash, state, response_status, \
                 response_content_type, response_body, locked_until, created_at, expires_at) \
                 SELECT 'account-' || (k % 500), 'day-' || d.day || '-' || k, md5(random()::text), 'completed', 201, \
                   'application/json', NULL, d.ts, d.ts, d.ts + interval '24 hours' \
                 FROM {days} CROSS JOIN generate_series(1, 1000) k"
            ),
        },
        Step {
            what: "partner_delivery: ten webhooks a day, delivered",
            sql: format!(
                "INSERT INTO partner_delivery (id, partner_id, job_id, job_version, event_type, body, state, \
                 attempts, next_attempt_at, give_up_at, locked_until, last_status, last_error, created_at, \
                 delivered_at, request_id) \
                 SELECT bench_uuid_at(d.ts + w * interval '1 second'), gen_random_uuid(), gen_random_uuid(), 1, \
                   'job.published', '{{}}', 'delivered', 1, d.ts, d.ts + interval '1 day', NULL, 200, NULL, d.ts, d.ts, NULL \
                 FROM {days} CROSS JOIN generate_series(1, 10) w"
            ),
        },
        Step {
            what: "rate_limit: windows of the last hours",
            sql: "INSERT INTO rate_limit (key, window_start, hits, expires_at) \
                  SELECT md5(random()::text), 0, 1, now() - k * interval '1 minute' \
                  FROM generate_series(1, 20000) k"
                .to_owned(),
        },
    ]
}

/// The managed tables, and the rows their retention allows (one day of slack).
fn bounds(settings: &Settings) -> Vec<(&'static str, i64)> {
    let r = settings.retention();
    vec![
        ("notification", (r.notifications_days + 1) * RESIDENTS),
        ("delivery", (r.deliveries_days + 1) * REACHED),
        ("outbox", (r.outbox_days + 1) * 10),
        ("processed_message", (r.processed_messages_days + 1) * 40),
        ("scheduled_task", (r.tasks_days + 1) * 3 + 2749),
        ("refresh_token", 31 * APP_USERS),
        ("refresh_family", 2 * APP_USERS),
        ("sms_code", 2 * 50),
        ("idempotency_key", 2 * 1000),
        ("partner_delivery", (r.webhooks_days + 1) * 10),
        ("rate_limit", 0),
    ]
}

async fn counts(db: &entity::Db, tables: &[(&'static str, i64)]) -> anyhow::Result<Vec<i64>> {
    let mut out = Vec::new();
    for (table, _) in tables {
        let row = db
            .conn()
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no count"))?;
        out.push(row.try_get("", "n")?);
    }
    Ok(out)
}

/// Runs the simulation.
pub async fn run(_options: Options) -> anyhow::Result<()> {
    let fresh = fresh(DbBackend::Postgres).await?;
    let db = fresh.db.clone();
    println!(
        "retention: a simulated year of one site ({RESIDENTS} residents, {DAYS} days), PostgreSQL"
    );
    let started = Instant::now();
    for step in steps() {
        let t = Instant::now();
        // Webhook rows need partners and postings the simulation does not make: their foreign
        // keys are not checked for that one statement.
        let txn = db.begin().await?;
        if step.what.starts_with("partner_delivery") {
            txn.execute_unprepared("SET LOCAL session_replication_role = replica")
                .await?;
        }
        txn.execute_raw(Statement::from_string(DbBackend::Postgres, step.sql))
            .await?;
        txn.commit().await?;
        if step.what != "function" {
            println!(
                "  wrote {:<70} {:>6.1} s",
                step.what,
                t.elapsed().as_secs_f64()
            );
        }
    }
    db.writer().execute_unprepared("VACUUM ANALYZE").await?;
    println!(
        "  a year written in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let settings = Settings::defaults();
    let tables = bounds(&settings);
    let before = counts(&db, &tables).await?;

    let started = Instant::now();
    let mut runs = 0;
    let mut longest = Duration::ZERO;
    loop {
        runs += 1;
        let report = housekeeping::run_once(&db, &settings.retention()).await?;
        longest = longest.max(report.longest_statement);
        if report.deleted.iter().all(|(_, n)| *n == 0) {
            break;
        }
    }
    let took = started.elapsed();
    let after = counts(&db, &tables).await?;
    println!(
        "  housekeeping: {runs} runs, {:.1} s in all, longest statement {:.0} ms (batches of {})",
        took.as_secs_f64(),
        longest.as_secs_f64() * 1000.0,
        housekeeping::BATCH
    );
    println!(
        "  {:<20} {:>12} {:>12} {:>12}  within",
        "table", "before", "after", "bound"
    );
    let mut all_within = true;
    for (((table, bound), before), after) in tables.iter().zip(&before).zip(&after) {
        let within = after <= bound;
        all_within &= within;
        println!(
            "  {table:<20} {before:>12} {after:>12} {bound:>12}  {}",
            if within { "yes" } else { "NO" }
        );
    }
    fresh.drop_it().await?;
    anyhow::ensure!(all_within, "a table is over its bound");
    Ok(())
}
