//! Crediting a whole campaign: 2,749 publicized claims (one per household of the synthetic
//! Xingxianli) whose window has closed, credited in one run by `claims::credit_due_at_site`
//! (claims marked credited, balances moved, entries and steps written), against raw multi-row
//! inserts of the same 2,749 ledger entries through the same driver. Target: at least 50 % of the
//! baseline's rows per second. SQLite, and PostgreSQL when it answers.

use std::time::Instant;

use chrono::Utc;
use entity::{
    claims::{self, ClaimStatus, claim},
    people::synthetic,
    points::{EntryKind, entry},
    registry::resident,
};
use sea_orm::{Database, DbBackend, EntityTrait, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    Options,
    import::{fresh, pg_url, populated_site},
    load::median,
};

/// Rows per multi-row statement (both arms).
const CHUNK: usize = 500;

/// One claim per household, publicized, window closed.
async fn publicized_claims(
    db: &entity::Db,
    site: Uuid,
    people: &[(Uuid, Uuid, Uuid)],
) -> anyhow::Result<()> {
    let past = Utc::now() - chrono::Duration::hours(1);
    let txn = db.begin().await?;
    for chunk in people.chunks(CHUNK) {
        claim::Entity::insert_many(chunk.iter().map(|(r, h, g)| {
            claim::ActiveModel::from(claim::Model {
                id: Uuid::now_v7(),
                site_id: site,
                group_id: *g,
                household_id: *h,
                resident_id: *r,
                campaign_id: None,
                category: entity::points::Category::Environment,
                description: "清理楼道杂物".into(),
                points: Some(5),
                status: ClaimStatus::Publicized,
                status_reason: None,
                publicity_ends_at: Some(past),
                submitted_by: *r,
                on_behalf: false,
                created_at: past,
                updated_at: past,
            })
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The baseline: the same entries as multi-row inserts, built before the clock starts.
async fn baseline(
    db: &entity::Db,
    site: Uuid,
    people: &[(Uuid, Uuid, Uuid)],
) -> anyhow::Result<f64> {
    let now = Utc::now();
    let rows: Vec<entry::ActiveModel> = people
        .iter()
        .map(|(_, h, _)| {
            entry::ActiveModel::from(entry::Model {
                id: Uuid::now_v7(),
                household_id: *h,
                site_id: site,
                kind: EntryKind::Credit,
                amount: 5,
                balance_after: 5,
                shortfall: 0,
                reference_type: "claim".into(),
                reference_id: Some(Uuid::now_v7()),
                reason: Some("清理楼道杂物".into()),
                actor_account_id: None,
                created_at: now,
            })
        })
        .collect();
    let started = Instant::now();
    let txn = db.begin().await?;
    for chunk in rows.chunks(CHUNK) {
        entry::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

async fn anju(db: &entity::Db, site: Uuid, expected: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let txn = db.begin().await?;
    let credited = claims::credit_due_at_site(&txn, site)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        credited as usize == expected,
        "credited {credited} of {expected}"
    );
    Ok(seconds)
}

/// Runs the benchmark.
pub async fn run(options: Options) -> anyhow::Result<()> {
    // `BENCH_LOG=sqlx=debug` shows every statement with its time.
    if let Ok(filter) = std::env::var("BENCH_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .try_init();
    }
    let mut backends = vec![DbBackend::Sqlite];
    if Database::connect(pg_url()).await.is_ok() {
        backends.push(DbBackend::Postgres);
    }
    println!(
        "credit: a campaign of {} households (one claim each) credited in one run, vs multi-row inserts of the same entries; {} rounds",
        synthetic::HOUSEHOLDS,
        options.rounds
    );
    for backend in backends {
        let fresh = fresh(backend).await?;
        let site = populated_site(&fresh.db).await?;
        // One resident per household (the first), with its group.
        let all: Vec<(Uuid, Uuid, Uuid)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .column(resident::Column::HouseholdId)
            .column(resident::Column::GroupId)
            .order_by_asc(resident::Column::Id)
            .into_tuple()
            .all(fresh.db.conn())
            .await?;
        let mut seen = std::collections::HashSet::new();
        let people: Vec<(Uuid, Uuid, Uuid)> = all
            .into_iter()
            .filter(|(_, h, _)| seen.insert(*h))
            .collect();
        let mut ratios = Vec::new();
        for round in 1..=options.rounds {
            publicized_claims(&fresh.db, site, &people).await?;
            let (a, b) = if round % 2 == 1 {
                let a = anju(&fresh.db, site, people.len()).await?;
                (a, baseline(&fresh.db, site, &people).await?)
            } else {
                let b = baseline(&fresh.db, site, &people).await?;
                (anju(&fresh.db, site, people.len()).await?, b)
            };
            let n = people.len() as f64;
            ratios.push(b / a);
            println!(
                "  {backend:?} round {round}: anju {:>7.0} entries/s ({:.3} s)   raw inserts {:>7.0} rows/s ({:.3} s)   ratio {:.3}",
                n / a,
                a,
                n / b,
                b,
                b / a
            );
        }
        println!(
            "  {backend:?}: median ratio {:.3} ({:.1} % of the raw inserts' rows/s; target >= 50 %)",
            median(&mut ratios),
            median(&mut ratios) * 100.0
        );
        fresh.drop_it().await?;
    }
    Ok(())
}
