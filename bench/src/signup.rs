//! A sign-up burst on PostgreSQL: 2,000 residents of the synthetic Xingxianli, each with its own
//! token, sign themselves up for one activity of 100 seats (so 100 seats and 1,900 waiting-list
//! tickets) through `POST /api/v1/activities/{id}/signups`, against a baseline that performs the
//! same guarded SQL directly through `tokio-postgres` (the seat `UPDATE … WHERE confirmed <
//! capacity`, else the ticket `UPDATE … RETURNING`, then the insert, one transaction per sign-up)
//! over as many connections. Target: at least 50 %. While Anju's burst runs, one more client
//! keeps calling `GET /api/v1/activities`, and its p99 is reported.

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::AtomicBool},
    time::Instant,
};

use api::{Application, Settings};
use entity::{
    activities::{self, ActivityContent, ActivityKind, AudienceSpec, Schedule},
    identity::{
        accounts::{self, NewAccount},
        password::Password,
    },
    kernel::Role,
    people::Phone,
    registry::resident,
};
use sea_orm::{
    ColumnTrait, Database, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    Options,
    import::{admin, fresh, pg_url, populated_site},
    load::{self, median},
};

/// Residents in the burst.
const RESIDENTS: usize = 2_000;
/// Seats.
const SEATS: i32 = 100;

async fn new_activity(db: &entity::Db, site: Uuid) -> anyhow::Result<Uuid> {
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    let a = activities::create(
        &txn,
        &admin(),
        site,
        ActivityContent {
            title: "电商直播培训".into(),
            description: "学习开网店、直播带货。".into(),
            kind: ActivityKind::Training,
            place: "党群服务中心".into(),
            schedule: Schedule::new(
                [
                    now + chrono::Duration::days(2),
                    now + chrono::Duration::days(2) + chrono::Duration::hours(2),
                    now - chrono::Duration::minutes(1),
                    now + chrono::Duration::days(1),
                ],
                now,
                None,
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            capacity: SEATS,
            waitlist_enabled: true,
            contact: "就业服务站".into(),
            points: None,
            employer_ids: Vec::new(),
        },
        &AudienceSpec::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    Ok(a.id)
}

/// The baseline: the same guarded statements, prepared, one transaction per sign-up, over
/// `connections` connections.
async fn baseline(
    url: &str,
    activity: Uuid,
    site: Uuid,
    residents: &[Uuid],
    connections: usize,
) -> anyhow::Result<f64> {
    let mut shares: Vec<Vec<Uuid>> = vec![Vec::new(); connections];
    for (i, r) in residents.iter().enumerate() {
        shares[i % connections].push(*r);
    }
    let mut clients = Vec::new();
    for _ in 0..connections {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        actix_web::rt::spawn(async move {
            let _ = connection.await;
        });
        clients.push(client);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (mut client, share) in clients.into_iter().zip(shares) {
        tasks.push(actix_web::rt::spawn(async move {
            let seat = client
                .prepare("UPDATE activity SET confirmed = confirmed + 1 WHERE id = $1 AND confirmed < capacity")
                .await?;
            let ticket = client
                .prepare("UPDATE activity SET waitlist_next = waitlist_next + 1 WHERE id = $1 AND confirmed >= capacity RETURNING waitlist_next")
                .await?;
            let insert = client
                .prepare("INSERT INTO activity_signup (id, activity_id, resident_id, site_id, status, waitlist_ticket, code, signed_up_by, on_behalf, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, now(), now())")
                .await?;
            for resident in share {
                let txn = client.transaction().await?;
                let (status, number) = if txn.execute(&seat, &[&activity]).await? == 1 {
                    ("confirmed", None)
                } else {
                    let row = txn.query_one(&ticket, &[&activity]).await?;
                    ("waitlisted", Some(row.get::<_, i32>(0)))
                };
                let code = Uuid::new_v4().simple().to_string();
                txn.execute(
                    &insert,
                    &[&Uuid::now_v7(), &activity, &resident, &site, &status, &number, &code, &resident],
                )
                .await?;
                txn.commit().await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(residents.len() as f64 / started.elapsed().as_secs_f64())
}

fn signup_request(activity: Uuid, token: &str) -> Vec<u8> {
    let body = "{}";
    format!(
        "POST /api/v1/activities/{activity}/signups HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Runs the benchmark (PostgreSQL only: it is about row locks under a burst).
pub async fn run(options: Options) -> anyhow::Result<()> {
    if let Err(e) = Database::connect(pg_url()).await {
        println!(
            "signup: PostgreSQL unreachable at {} ({e}); nothing to measure",
            pg_url()
        );
        return Ok(());
    }
    let fresh = fresh(DbBackend::Postgres).await?;
    let site = populated_site(&fresh.db).await?;

    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".into();
    settings.http_workers = Some(2);
    let app = Application::build_with_routes(settings, fresh.db.clone(), |_| {}).await?;
    let addr: SocketAddr = ([127, 0, 0, 1], app.port()).into();
    let state = app.state().clone();
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());

    // One account and token per resident (one password hash shared: hashing is not measured).
    let residents: Vec<Uuid> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .filter(resident::Column::SiteId.eq(site))
        .order_by_asc(resident::Column::Id)
        .limit(RESIDENTS as u64)
        .into_tuple()
        .all(fresh.db.conn())
        .await?;
    let hash = state
        .passwords
        .hash(Password::parse("bench-signup-2026", None).map_err(|e| anyhow::anyhow!("{e}"))?)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tokens = Vec::with_capacity(residents.len());
    for (i, r) in residents.iter().enumerate() {
        let account = accounts::create(
            fresh.db.writer(),
            NewAccount {
                phone: Phone::parse(&format!("1990010{i:04}"))?,
                password_hash: hash.clone(),
                role: Role::Resident,
                site_id: Some(site),
                resident_id: Some(*r),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (token, _) = state
            .jwt
            .issue(account.id, Role::Resident, Some(site), Some(*r), 0)?;
        tokens.push(token);
    }
    println!(
        "signup: {RESIDENTS} residents for {SEATS} seats, {} connections, {} rounds, PostgreSQL, 2 server workers; baseline: the same guarded SQL through tokio-postgres",
        options.connections, options.rounds
    );
    let probe_request = format!(
        "GET /api/v1/activities HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {}\r\n\r\n",
        tokens[0]
    )
    .into_bytes();
    let mut ratios = Vec::new();
    let mut probes = Vec::new();
    for round in 1..=options.rounds {
        let anju_activity = new_activity(&fresh.db, site).await?;
        let base_activity = new_activity(&fresh.db, site).await?;
        let requests: Vec<Vec<u8>> = tokens
            .iter()
            .map(|t| signup_request(anju_activity, t))
            .collect();
        let anju = async {
            let stop = Arc::new(AtomicBool::new(false));
            let probe =
                actix_web::rt::spawn(load::probe(addr, probe_request.clone(), 200, stop.clone()));
            let run = load::burst(addr, requests, 201, options.connections).await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let probe = probe.await??;
            anyhow::Ok((run?, probe))
        };
        let base = || {
            baseline(
                &fresh.url,
                base_activity,
                site,
                &residents,
                options.connections,
            )
        };
        let (anju_rate, probe, base_rate) = if round % 2 == 1 {
            let (a, p) = anju.await?;
            let b = base().await?;
            (a.rate, p, b)
        } else {
            let b = base().await?;
            let (a, p) = anju.await?;
            (a.rate, p, b)
        };
        let detail = activities::activity::Entity::find_by_id(anju_activity)
            .one(fresh.db.conn())
            .await?
            .ok_or_else(|| anyhow::anyhow!("activity vanished"))?;
        anyhow::ensure!(
            detail.confirmed == SEATS && detail.waitlist_next == RESIDENTS as i32 - SEATS,
            "the burst left {} confirmed and {} tickets",
            detail.confirmed,
            detail.waitlist_next
        );
        let ratio = anju_rate / base_rate;
        ratios.push(ratio);
        probes.push(probe.quantile(0.99).as_secs_f64() * 1e3);
        println!(
            "round {round}: anju {anju_rate:>6.0} sign-ups/s   baseline {base_rate:>6.0}/s   ratio {ratio:.3}   GET /activities during the burst: {} calls, p50 {:.2} ms, p99 {:.2} ms",
            probe.latencies.len(),
            probe.quantile(0.5).as_secs_f64() * 1e3,
            probe.quantile(0.99).as_secs_f64() * 1e3,
        );
    }
    println!(
        "median ratio anju/baseline: {:.3} ({:.1} %; target >= 50 %); median p99 of GET /activities during bursts {:.2} ms",
        median(&mut ratios),
        median(&mut ratios) * 100.0,
        median(&mut probes)
    );
    handle.stop(true).await;
    fresh.drop_it().await?;
    Ok(())
}
