//! Notifications at scale, on PostgreSQL (and RabbitMQ for the first part).
//!
//! 1. **Fan-out through RabbitMQ**: one broadcast to all 11,212 residents of the synthetic
//!    community, from the recorded event (what the accepted POST commits) until every inbox row is
//!    committed, with a worker session (relay and consumers) running in this process; against a
//!    raw lapin loop in the same run that publishes 11,212 persistent messages with asynchronous
//!    confirms and consumes them with acks. Target: at most 2x the raw loop's time.
//! 2. **Inbox bulk write**: the inbox handler's paged multi-row inserts against a raw `COPY` of
//!    the same number of rows into the same table, at 11,212 and at about 260,000 recipients.
//!    Targets: at least 70 % of COPY's rows/s, and the rate at 260,000 at least 85 % of the rate
//!    at 11,212. Peak RSS of this process (which ran the worker) is reported.

use std::time::{Duration, Instant};

use entity::{
    Db,
    crypto::PiiCipher,
    messaging::{
        Event,
        events::{Audience, NotificationRequested, Urgency},
        outbox,
    },
    notify::notification,
    people::synthetic,
    registry::import::import_rows,
};
use futures_util::StreamExt;
use lapin::{
    BasicProperties,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
        QueueDeclareOptions, QueueDeleteOptions,
    },
    types::FieldTable,
};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, TransactionTrait};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{
    Options,
    import::{admin, fresh, make_site_coded, today},
    load::median,
};

fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// A site with `copies` synthetic communities (11,212 residents each) imported into it.
pub async fn community(db: &Db, copies: u64) -> anyhow::Result<Uuid> {
    let cipher = PiiCipher::new(&[3u8; 32]);
    let site = make_site_coded(db, "bench").await?;
    for seed in 0..copies {
        let mut rows = synthetic::generate(1000 + seed, today());
        // Each copy gets structure names of its own, so copies do not collide in one site.
        for row in &mut rows {
            row.committee = format!("{seed}-{}", row.committee);
            row.group = format!("{seed}-{}", row.group);
            row.building = format!("{seed}-{}", row.building);
        }
        let txn = db.begin().await?;
        import_rows(&txn, &admin(), &cipher, site, &rows)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        txn.commit().await?;
    }
    Ok(site)
}

fn notice(site_id: Uuid) -> NotificationRequested {
    NotificationRequested {
        site_id,
        category: "broadcast".into(),
        title: "就业进社区招聘会".into(),
        body: "本周六上午九点，社区文化广场，二十余家企业现场招聘。".into(),
        audience: Audience::Site {
            site_id,
            committee_ids: vec![],
            group_ids: vec![],
            working_age: false,
            job_seeking: false,
        },
        urgency: Urgency::Normal,
        link: None,
        notice: None,
    }
}

async fn inbox_rows(db: &Db) -> anyhow::Result<u64> {
    Ok(notification::Entity::find().count(db.conn()).await?)
}

/// Anju: record the event, wait until the last inbox row is committed.
async fn anju_fanout(db: &Db, site: Uuid, residents: u64) -> anyhow::Result<Duration> {
    db.writer()
        .execute_unprepared("DELETE FROM notification")
        .await?;
    let started = Instant::now();
    let txn = db.begin().await?;
    outbox::record(&txn, Event::NotificationRequested(notice(site))).await?;
    txn.commit().await?;
    while inbox_rows(db).await? < residents {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(started.elapsed())
}

/// The baseline: publish `n` persistent messages with confirms in flight, consume them all.
async fn raw_lapin(n: usize) -> anyhow::Result<Duration> {
    let conn = worker::rabbit::connect(&amqp_url()).await?;
    let publish = conn.create_channel().await?;
    let consume = conn.create_channel().await?;
    let queue = format!("anju-bench-{}", Uuid::new_v4().simple());
    publish
        .queue_declare(
            queue.clone().into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    publish
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    consume
        .basic_qos(256, lapin::options::BasicQosOptions::default())
        .await?;
    let payload = serde_json::to_vec(&notice(Uuid::now_v7()))?;
    let started = Instant::now();
    let mut consumer = consume
        .basic_consume(
            queue.clone().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let consumed = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(Ok(delivery)) = consumer.next().await {
            let _ = delivery.ack(BasicAckOptions::default()).await;
            seen += 1;
            if seen == n {
                break;
            }
        }
    });
    for i in 0..n {
        publish
            .basic_publish(
                "".into(),
                queue.clone().into(),
                BasicPublishOptions::default(),
                &payload,
                BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_message_id(i.to_string().into()),
            )
            .await?;
    }
    publish.wait_for_confirms().await?;
    consumed.await?;
    let elapsed = started.elapsed();
    publish
        .queue_delete(queue.into(), QueueDeleteOptions::default())
        .await?;
    conn.close(200, "done".into()).await?;
    Ok(elapsed)
}

/// The handler's write path: one fan-out in one transaction; returns rows/s.
async fn handler_rate(db: &Db, site: Uuid) -> anyhow::Result<(u64, f64)> {
    db.writer()
        .execute_unprepared("DELETE FROM notification")
        .await?;
    let started = Instant::now();
    let txn = db.writer().begin().await?;
    worker::handlers::inbox::fan_out(&txn, Uuid::now_v7(), &notice(site)).await?;
    txn.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    let rows = inbox_rows(db).await?;
    Ok((rows, rows as f64 / seconds))
}

/// Raw COPY of `n` inbox rows (the same residents, precomputed CSV); returns rows/s.
async fn copy_rate(db: &Db, site: Uuid) -> anyhow::Result<f64> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let ids: Vec<Uuid> = entity::registry::resident::Entity::find()
        .select_only()
        .column(entity::registry::resident::Column::Id)
        .filter(entity::registry::resident::Column::SiteId.eq(site))
        .into_tuple()
        .all(db.conn())
        .await?;
    let message = Uuid::now_v7();
    let now = chrono::Utc::now().to_rfc3339();
    let mut csv = String::with_capacity(ids.len() * 200);
    for id in &ids {
        csv.push_str(&format!("{},{id},{site},{message},broadcast,就业进社区招聘会,本周六上午九点，社区文化广场，二十余家企业现场招聘。,,normal,{now},\n", Uuid::now_v7()));
    }
    db.writer()
        .execute_unprepared("DELETE FROM notification")
        .await?;
    let pool = db.writer().get_postgres_connection_pool();
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw("COPY notification (id, resident_id, site_id, message_id, category, title, body, link, urgency, created_at, read_at) FROM STDIN (FORMAT csv)")
        .await?;
    copy.send(csv.as_bytes()).await?;
    copy.finish().await?;
    Ok(ids.len() as f64 / started.elapsed().as_secs_f64())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Runs both parts.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let small = fresh(DbBackend::Postgres).await?;
    let site = community(&small.db, 1).await?;
    let residents = synthetic::RESIDENTS as u64;
    println!(
        "fanout: {residents} residents on PostgreSQL, RabbitMQ at {}, {} rounds",
        amqp_url(),
        options.rounds
    );

    // Part 1: through RabbitMQ.
    let rabbit = worker::rabbit::RabbitSettings {
        url: amqp_url(),
        namespace: format!("anju-bench-{}", Uuid::new_v4().simple()),
        prefetch: 32,
        delivery_limit: 5,
    };
    let (stop, stopped) = watch::channel(false);
    let worker = tokio::spawn(worker::rabbit::run(
        small.db.clone(),
        rabbit.clone(),
        true,
        stopped,
    ));
    let mut ratios = Vec::new();
    for round in 1..=options.rounds {
        let (anju, raw) = if round % 2 == 1 {
            let a = anju_fanout(&small.db, site, residents).await?;
            (a, raw_lapin(residents as usize).await?)
        } else {
            let r = raw_lapin(residents as usize).await?;
            (anju_fanout(&small.db, site, residents).await?, r)
        };
        let ratio = anju.as_secs_f64() / raw.as_secs_f64();
        ratios.push(ratio);
        println!(
            "round {round}: anju broadcast -> {residents} inbox rows {:.3} s   raw lapin {residents} messages {:.3} s   ratio {ratio:.2}x",
            anju.as_secs_f64(),
            raw.as_secs_f64()
        );
    }
    println!(
        "fan-out: median {:.2}x the raw lapin loop's time (target <= 2x)",
        median(&mut ratios)
    );
    stop.send(true)?;
    let _ = worker.await;
    let conn = worker::rabbit::connect(&rabbit.url).await?;
    let ch = conn.create_channel().await?;
    for h in worker::handlers::ALL {
        let _ = ch
            .queue_delete(rabbit.queue(h.group).into(), QueueDeleteOptions::default())
            .await;
        let _ = ch
            .queue_delete(
                rabbit.dead_queue(h.group).into(),
                QueueDeleteOptions::default(),
            )
            .await;
    }

    // Part 2: inbox writes vs COPY, small and large.
    let mut small_ratios = Vec::new();
    let mut small_rate = Vec::new();
    for _ in 0..options.rounds {
        let (_, ours) = handler_rate(&small.db, site).await?;
        let copy = copy_rate(&small.db, site).await?;
        small_rate.push(ours);
        small_ratios.push(ours / copy);
    }
    let small_median_rate = median(&mut small_rate);
    println!(
        "inbox write at {residents}: {:.0} rows/s, {:.1} % of COPY (target >= 70 %)",
        small_median_rate,
        median(&mut small_ratios) * 100.0
    );
    small.drop_it().await?;

    let large = fresh(DbBackend::Postgres).await?;
    let site = community(&large.db, 23).await?;
    let mut large_rate = Vec::new();
    let mut large_ratios = Vec::new();
    let mut rows = 0;
    for _ in 0..options.rounds.min(3) {
        let (n, ours) = handler_rate(&large.db, site).await?;
        rows = n;
        let copy = copy_rate(&large.db, site).await?;
        large_rate.push(ours);
        large_ratios.push(ours / copy);
    }
    let large_median_rate = median(&mut large_rate);
    println!(
        "inbox write at {rows}: {:.0} rows/s, {:.1} % of COPY; {:.1} % of the rate at {residents} (target >= 85 %)",
        large_median_rate,
        median(&mut large_ratios) * 100.0,
        large_median_rate / small_median_rate * 100.0
    );
    println!(
        "peak RSS of this process (worker, relay, fan-outs): {:.0} MiB",
        peak_rss_mib()
    );
    large.drop_it().await?;
    Ok(())
}
