//! Importing the synthetic Xingxianli (11,212 residents) on SQLite and PostgreSQL: Anju's import
//! (parse and validate the CSV, encrypt ID numbers, create the structure, upsert residents, audit,
//! one transaction) against a baseline that inserts exactly the same rows with raw multi-row
//! `INSERT` statements through the same driver, prepared before the clock starts. Each round uses
//! a fresh database. Target: at least 50 % of the baseline's rows/s.

use std::time::Instant;

use entity::{
    Db,
    crypto::PiiCipher,
    db::DbOptions,
    kernel::Role,
    kernel::{Actor, Scope},
    people::{sheet_import::parse_import, synthetic},
    registry::{
        building, committee, household,
        import::{BATCH, import_rows},
        ops::{self, NewSite},
        resident, resident_group, site,
    },
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, Database, DbBackend, EntityTrait, IntoActiveModel, Iterable,
    Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::{Options, load::median};

/// A fresh, migrated database (a temporary SQLite file, or a new PostgreSQL database).
pub struct Fresh {
    /// The database.
    pub db: Db,
    /// Its URL.
    pub url: String,
    dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

/// Creates a fresh, migrated database.
pub async fn fresh(backend: DbBackend) -> anyhow::Result<Fresh> {
    let dir = tempfile::tempdir()?;
    let (url, pg) = match backend {
        DbBackend::Postgres => {
            let admin = pg_url();
            let name = format!("anju_bench_{}", Uuid::new_v4().simple());
            let conn = Database::connect(&admin).await?;
            conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            conn.close().await?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), Some((admin.clone(), name)))
        }
        _ => (
            format!("sqlite://{}?mode=rwc", dir.path().join("anju.db").display()),
            None,
        ),
    };
    let db = Db::connect(&url, &DbOptions::default()).await?;
    Migrator::up(db.writer(), None).await?;
    Ok(Fresh { db, url, dir, pg })
}

impl Fresh {
    /// The temporary folder that holds it (on SQLite) and nothing else.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Closes and removes it.
    pub async fn drop_it(self) -> anyhow::Result<()> {
        self.db.close().await?;
        if let Some((admin, name)) = self.pg {
            let conn = Database::connect(&admin).await?;
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await?;
            conn.close().await?;
        }
        drop(self.dir);
        Ok(())
    }
}

/// The PostgreSQL server benchmarks create their databases on.
pub fn pg_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A platform administrator acting in the benchmark.
pub fn admin() -> Actor {
    Actor {
        account_id: Uuid::now_v7(),
        role: Role::PlatformAdmin,
        scope: Scope::All,
        household_id: None,
    }
}

/// Creates the site the benchmark imports into.
pub async fn make_site(db: &Db) -> anyhow::Result<Uuid> {
    make_site_coded(db, "xingxianli").await
}

/// Creates an empty site 兴贤里 with the code `code`.
pub async fn make_site_coded(db: &Db, code: &str) -> anyhow::Result<Uuid> {
    let txn = db.begin().await?;
    let site = ops::create_site(
        &txn,
        &admin(),
        NewSite {
            name: "兴贤里".into(),
            code: code.into(),
            region: String::new(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(site.id)
}

/// Creates the site with the synthetic community (seed 2026) imported into it, in one
/// transaction.
pub async fn populated_site(db: &Db) -> anyhow::Result<Uuid> {
    let site = make_site(db).await?;
    let rows = parse_import(
        synthetic::to_csv(&synthetic::generate(2026, today())).as_bytes(),
        today(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let txn = db.begin().await?;
    import_rows(&txn, &admin(), &PiiCipher::new(&[1u8; 32]), site, &rows)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    Ok(site)
}

/// Anju's import, from CSV bytes to commit; returns seconds.
async fn anju_arm(backend: DbBackend, csv: &[u8], cipher: &PiiCipher) -> anyhow::Result<f64> {
    let fresh = fresh(backend).await?;
    let site = make_site(&fresh.db).await?;
    let started = Instant::now();
    let rows = parse_import(csv, today()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let txn = fresh.db.begin().await?;
    import_rows(&txn, &admin(), cipher, site, &rows)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    fresh.drop_it().await?;
    Ok(seconds)
}

/// Multi-row INSERT statements for `models`, `BATCH` rows each.
fn inserts<E>(backend: DbBackend, models: &[E::Model]) -> Vec<Statement>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", sea_orm::IdenStatic::as_str(c)))
        .collect();
    let mut statements = Vec::new();
    for chunk in models.chunks(BATCH) {
        let mut sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ",
            E::default().table_name(),
            names.join(", ")
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * columns.len());
        for (row, model) in chunk.iter().enumerate() {
            let active = model.clone().into_active_model();
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                values.push(active.get(*column).into_value().unwrap_or(Value::Int(None)));
                match backend {
                    DbBackend::Postgres => sql.push_str(&format!("${}", values.len())),
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
        }
        statements.push(Statement::from_sql_and_values(backend, sql, values));
    }
    statements
}

/// Every row an import of the file writes, read back from a scratch database.
struct Rows {
    site: site::Model,
    statements: Vec<Statement>,
}

async fn rows_of_an_import(
    backend: DbBackend,
    csv: &[u8],
    cipher: &PiiCipher,
) -> anyhow::Result<Rows> {
    let fresh = fresh(backend).await?;
    let site_id = make_site(&fresh.db).await?;
    let rows = parse_import(csv, today()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let txn = fresh.db.begin().await?;
    import_rows(&txn, &admin(), cipher, site_id, &rows)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    txn.commit().await?;
    let conn = fresh.db.conn();
    let site = site::Entity::find_by_id(site_id)
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("site vanished"))?;
    let mut statements =
        inserts::<committee::Entity>(backend, &committee::Entity::find().all(conn).await?);
    statements.extend(inserts::<resident_group::Entity>(
        backend,
        &resident_group::Entity::find().all(conn).await?,
    ));
    statements.extend(inserts::<building::Entity>(
        backend,
        &building::Entity::find().all(conn).await?,
    ));
    statements.extend(inserts::<household::Entity>(
        backend,
        &household::Entity::find().all(conn).await?,
    ));
    statements.extend(inserts::<resident::Entity>(
        backend,
        &resident::Entity::find().all(conn).await?,
    ));
    fresh.drop_it().await?;
    Ok(Rows { site, statements })
}

/// The baseline: the same rows, raw multi-row INSERTs, one transaction; returns seconds.
async fn baseline_arm(backend: DbBackend, rows: &Rows) -> anyhow::Result<f64> {
    let fresh = fresh(backend).await?;
    site::Entity::insert(rows.site.clone().into_active_model())
        .exec_without_returning(fresh.db.writer())
        .await?;
    let started = Instant::now();
    let txn = fresh.db.writer().begin().await?;
    for statement in &rows.statements {
        txn.execute_raw(statement.clone()).await?;
    }
    txn.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    fresh.drop_it().await?;
    Ok(seconds)
}

/// Today in China.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Runs the benchmark on SQLite, and on PostgreSQL when it is reachable.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let csv = synthetic::to_csv(&synthetic::generate(2026, today())).into_bytes();
    let residents = synthetic::RESIDENTS as f64;
    let cipher = PiiCipher::new(&[1u8; 32]);
    let mut backends = vec![DbBackend::Sqlite];
    match Database::connect(pg_url()).await {
        Ok(conn) => {
            conn.close().await?;
            backends.push(DbBackend::Postgres);
        }
        Err(e) => println!(
            "import: PostgreSQL unreachable at {} ({e}); SQLite only",
            pg_url()
        ),
    }
    println!(
        "import: {} residents ({} KiB of CSV), {} rounds per backend, fresh database per run",
        synthetic::RESIDENTS,
        csv.len() / 1024,
        options.rounds
    );
    for backend in backends {
        let rows = rows_of_an_import(backend, &csv, &cipher).await?;
        let mut ratios = Vec::new();
        for round in 1..=options.rounds {
            let (anju, base) = if round % 2 == 1 {
                let a = anju_arm(backend, &csv, &cipher).await?;
                (a, baseline_arm(backend, &rows).await?)
            } else {
                let b = baseline_arm(backend, &rows).await?;
                (anju_arm(backend, &csv, &cipher).await?, b)
            };
            let ratio = base / anju;
            ratios.push(ratio);
            println!(
                "{backend:?} round {round}: anju {:>8.0} rows/s ({:.2} s)   raw INSERT {:>8.0} rows/s ({:.2} s)   ratio {:.3}",
                residents / anju,
                anju,
                residents / base,
                base,
                ratio
            );
        }
        let m = median(&mut ratios);
        println!(
            "{backend:?}: median ratio anju/raw {m:.3} ({:.1} % of the baseline's rows/s; target >= 50 %)",
            m * 100.0
        );
    }
    Ok(())
}
