//! `GET /jobs` over 5,000 published postings: Anju against a bare actix-web handler that runs the
//! same SQL (the statement Anju's `job::list_query` builds) through the bare driver, one prepared
//! connection per server worker: `tokio-postgres` on PostgreSQL (target: Anju at least 50 % of
//! its throughput), `rusqlite` with a cached statement on SQLite (target: at least 35 %). Both
//! requests are measured: the first page with no filter, and with a text filter (`q=电焊`).
//!
//! Then each server gets an open-loop load at 60 % of the baseline's measured maximum rate, and
//! the p99 latencies are reported side by side.

use std::{cell::RefCell, collections::HashMap, net::SocketAddr};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use api::{Application, Settings};
use entity::{
    page::{PageRequest, encode_cursor},
    recruitment::{
        job::{self, JobFilter, Viewer, search_key},
        synthetic,
    },
};
use sea_orm::{ConnectionTrait, Database, DbBackend, QueryTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    Options,
    import::{Fresh, fresh, pg_url},
    load::{self, median},
};

/// Published postings in the database.
const POSTINGS: usize = 5_000;

const PLAIN: &[u8] = b"GET /api/v1/jobs?limit=20 HTTP/1.1\r\nHost: bench\r\n\r\n";
// q=电焊, percent-encoded.
const SEARCH: &[u8] =
    b"GET /api/v1/jobs?limit=20&q=%E7%94%B5%E7%84%8A HTTP/1.1\r\nHost: bench\r\n\r\n";

/// The two statements (no filter, text filter), as Anju builds them for `backend`.
fn statements(backend: DbBackend) -> (String, String) {
    let page = PageRequest::<Uuid>::first(20);
    let plain = job::list_query(Viewer::Public, &JobFilter::default(), &page).build(backend);
    let filter = JobFilter {
        q: Some("x".into()),
        ..JobFilter::default()
    };
    let search = job::list_query(Viewer::Public, &filter, &page).build(backend);
    (plain.sql, search.sql)
}

/// The bound values: status, then the pattern when searching, then the row limit.
fn pattern(q: &str) -> String {
    let escaped = search_key(q)
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One posting as the baseline serves it (the same fields as Anju's `Job`).
#[derive(Serialize)]
struct Posting {
    id: Uuid,
    employer_id: Uuid,
    title: String,
    description: String,
    category: String,
    location: String,
    salary_min: i32,
    salary_max: i32,
    salary_unit: String,
    headcount: i32,
    age_min: Option<i16>,
    age_max: Option<i16>,
    skills: serde_json::Value,
    suitable_for_disabled: bool,
    flexible_hours: bool,
    transport_provided: bool,
    housing_provided: bool,
    contact: String,
    valid_through: String,
    status: String,
    status_reason: Option<String>,
    version: i32,
    published_at: Option<String>,
    created_at: String,
}

#[derive(Serialize)]
struct PageBody {
    items: Vec<Posting>,
    next_cursor: Option<String>,
}

/// What a request asks for: the page size and the text filter.
fn parse_request(req: &HttpRequest) -> (i64, Option<String>) {
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let limit = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20i64)
        .clamp(1, 100);
    let q = query
        .get("q")
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    (limit, q)
}

fn respond(mut items: Vec<Posting>, limit: i64) -> HttpResponse {
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|p| encode_cursor(&p.id))
    } else {
        None
    };
    HttpResponse::Ok().json(PageBody { items, next_cursor })
}

/// The PostgreSQL baseline: one `tokio-postgres` connection per worker, both statements
/// prepared once.
struct PgArm {
    client: tokio_postgres::Client,
    plain: tokio_postgres::Statement,
    search: tokio_postgres::Statement,
}

async fn pg_connect(url: &str) -> anyhow::Result<PgArm> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    actix_web::rt::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("jobs: baseline connection ended: {e}");
        }
    });
    let (plain, search) = statements(DbBackend::Postgres);
    let plain = client.prepare(&plain).await?;
    let search = client.prepare(&search).await?;
    Ok(PgArm {
        client,
        plain,
        search,
    })
}

fn pg_posting(row: &tokio_postgres::Row) -> Result<Posting, tokio_postgres::Error> {
    let time = |name: &str| -> Result<String, tokio_postgres::Error> {
        Ok(row
            .try_get::<_, chrono::DateTime<chrono::Utc>>(name)?
            .to_rfc3339())
    };
    Ok(Posting {
        id: row.try_get("id")?,
        employer_id: row.try_get("employer_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        location: row.try_get("location")?,
        salary_min: row.try_get("salary_min")?,
        salary_max: row.try_get("salary_max")?,
        salary_unit: row.try_get("salary_unit")?,
        headcount: row.try_get("headcount")?,
        age_min: row.try_get("age_min")?,
        age_max: row.try_get("age_max")?,
        skills: row.try_get("skills")?,
        suitable_for_disabled: row.try_get("suitable_for_disabled")?,
        flexible_hours: row.try_get("flexible_hours")?,
        transport_provided: row.try_get("transport_provided")?,
        housing_provided: row.try_get("housing_provided")?,
        contact: row.try_get("contact")?,
        valid_through: time("valid_through")?,
        status: row.try_get("status")?,
        status_reason: row.try_get("status_reason")?,
        version: row.try_get("version")?,
        published_at: row
            .try_get::<_, Option<chrono::DateTime<chrono::Utc>>>("published_at")?
            .map(|t| t.to_rfc3339()),
        created_at: time("created_at")?,
    })
}

async fn pg_handler(req: HttpRequest, arm: web::Data<PgArm>) -> HttpResponse {
    let (limit, q) = parse_request(&req);
    let fetch = limit + 1;
    let status = "published";
    let rows = match &q {
        Some(q) => {
            let pattern = pattern(q);
            arm.client
                .query(&arm.search, &[&status, &pattern, &fetch])
                .await
        }
        None => arm.client.query(&arm.plain, &[&status, &fetch]).await,
    };
    match rows.and_then(|rows| rows.iter().map(pg_posting).collect::<Result<Vec<_>, _>>()) {
        Ok(items) => respond(items, limit),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

thread_local! {
    /// The SQLite baseline's connection on this worker thread.
    static SQLITE: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
}

fn sqlite_query(path: &str, q: Option<&str>, fetch: i64) -> rusqlite::Result<Vec<Posting>> {
    SQLITE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(rusqlite::Connection::open(path)?);
        }
        let Some(conn) = slot.as_ref() else {
            return Ok(Vec::new());
        };
        let (plain, search) = statements(DbBackend::Sqlite);
        let map = |row: &rusqlite::Row<'_>| -> rusqlite::Result<Posting> {
            let uuid = |i: &str| -> rusqlite::Result<Uuid> {
                let bytes: Vec<u8> = row.get(i)?;
                Uuid::from_slice(&bytes).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Blob,
                        Box::new(e),
                    )
                })
            };
            let skills: String = row.get("skills")?;
            Ok(Posting {
                id: uuid("id")?,
                employer_id: uuid("employer_id")?,
                title: row.get("title")?,
                description: row.get("description")?,
                category: row.get("category")?,
                location: row.get("location")?,
                salary_min: row.get("salary_min")?,
                salary_max: row.get("salary_max")?,
                salary_unit: row.get("salary_unit")?,
                headcount: row.get("headcount")?,
                age_min: row.get("age_min")?,
                age_max: row.get("age_max")?,
                skills: serde_json::from_str(&skills).unwrap_or_default(),
                suitable_for_disabled: row.get("suitable_for_disabled")?,
                flexible_hours: row.get("flexible_hours")?,
                transport_provided: row.get("transport_provided")?,
                housing_provided: row.get("housing_provided")?,
                contact: row.get("contact")?,
                valid_through: row.get("valid_through")?,
                status: row.get("status")?,
                status_reason: row.get("status_reason")?,
                version: row.get("version")?,
                published_at: row.get("published_at")?,
                created_at: row.get("created_at")?,
            })
        };
        match q {
            Some(q) => {
                let mut statement = conn.prepare_cached(&search)?;
                let rows =
                    statement.query_map(rusqlite::params!["published", pattern(q), fetch], map)?;
                rows.collect()
            }
            None => {
                let mut statement = conn.prepare_cached(&plain)?;
                let rows = statement.query_map(rusqlite::params!["published", fetch], map)?;
                rows.collect()
            }
        }
    })
}

async fn sqlite_handler(req: HttpRequest, path: web::Data<String>) -> HttpResponse {
    let (limit, q) = parse_request(&req);
    match sqlite_query(&path, q.as_deref(), limit + 1) {
        Ok(items) => respond(items, limit),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// Starts the baseline server (one worker) for the backend.
async fn baseline(
    backend: DbBackend,
    fresh: &Fresh,
    listener: std::net::TcpListener,
) -> anyhow::Result<actix_web::dev::ServerHandle> {
    let server = match backend {
        DbBackend::Postgres => {
            let arm = web::Data::new(pg_connect(&fresh.url).await?);
            HttpServer::new(move || {
                App::new()
                    .app_data(arm.clone())
                    .route("/api/v1/jobs", web::get().to(pg_handler))
            })
            .workers(1)
            .listen(listener)?
            .run()
        }
        _ => {
            let path = fresh
                .url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned();
            let path = web::Data::new(path);
            HttpServer::new(move || {
                App::new()
                    .app_data(path.clone())
                    .route("/api/v1/jobs", web::get().to(sqlite_handler))
            })
            .workers(1)
            .listen(listener)?
            .run()
        }
    };
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Ok(handle)
}

/// Checks that both servers answer a request with the same items.
async fn same_answers(anju: SocketAddr, base: SocketAddr, path: &str) -> anyhow::Result<usize> {
    let get = |addr: SocketAddr| {
        let url = format!("http://{addr}{path}");
        async move {
            let body = reqwest_lite(&url).await?;
            let page: serde_json::Value = serde_json::from_str(&body)?;
            let ids: Vec<String> = page["items"]
                .as_array()
                .context("no items")?
                .iter()
                .filter_map(|j| j["id"].as_str().map(str::to_owned))
                .collect();
            anyhow::Ok(ids)
        }
    };
    let (a, b) = (get(anju).await?, get(base).await?);
    anyhow::ensure!(a == b, "the two servers answer {path} differently");
    Ok(a.len())
}

/// A minimal HTTP/1.1 GET (the benchmark has no HTTP client dependency).
async fn reqwest_lite(url: &str) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').context("bad url")?;
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    stream
        .write_all(
            format!("GET /{path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8(response)?;
    let (_, body) = text.split_once("\r\n\r\n").context("no body")?;
    Ok(body.to_owned())
}

async fn measure(
    backend: DbBackend,
    options: Options,
    anju: SocketAddr,
    base: SocketAddr,
    name: &str,
    request: &'static [u8],
) -> anyhow::Result<f64> {
    load::run(anju, request, 200, options.connections, 0.5).await?;
    load::run(base, request, 200, options.connections, 0.5).await?;
    let mut ratios = Vec::new();
    let mut base_rates = Vec::new();
    for round in 1..=options.rounds {
        let arm = |addr| load::run(addr, request, 200, options.connections, options.seconds);
        let (a, b) = if round % 2 == 1 {
            let a = arm(anju).await?;
            (a, arm(base).await?)
        } else {
            let b = arm(base).await?;
            (arm(anju).await?, b)
        };
        ratios.push(a.rate / b.rate);
        base_rates.push(b.rate);
        println!(
            "  {name} round {round}: anju {:>7.0} req/s   baseline {:>7.0} req/s   ratio {:.3}",
            a.rate,
            b.rate,
            a.rate / b.rate
        );
    }
    let ratio = median(&mut ratios);
    let base_max = median(&mut base_rates);
    let target = if backend == DbBackend::Postgres {
        50
    } else {
        35
    };
    println!(
        "  {name}: median ratio anju/baseline {ratio:.3} ({:.1} %; target >= {target} %)",
        ratio * 100.0
    );
    // Open loop at 60 % of the baseline's maximum rate, same rate for both servers.
    let rate = base_max * 0.6;
    let seconds = options.seconds.max(3.0);
    let a = load::paced(anju, request, 200, rate, options.connections, seconds).await?;
    let b = load::paced(base, request, 200, rate, options.connections, seconds).await?;
    println!(
        "  {name}: at {rate:.0} req/s (60 % of the baseline's maximum): anju p50 {:.2} ms p99 {:.2} ms ({:.0} req/s served)   baseline p50 {:.2} ms p99 {:.2} ms",
        a.quantile(0.5).as_secs_f64() * 1e3,
        a.quantile(0.99).as_secs_f64() * 1e3,
        a.rate,
        b.quantile(0.5).as_secs_f64() * 1e3,
        b.quantile(0.99).as_secs_f64() * 1e3,
    );
    Ok(ratio)
}

/// Runs the benchmark on SQLite, and on PostgreSQL when it is reachable.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let mut backends = vec![DbBackend::Sqlite];
    match Database::connect(pg_url()).await {
        Ok(conn) => {
            conn.close().await?;
            backends.insert(0, DbBackend::Postgres);
        }
        Err(e) => println!(
            "jobs: PostgreSQL unreachable at {} ({e}); SQLite only",
            pg_url()
        ),
    }
    println!(
        "jobs: GET /api/v1/jobs over {POSTINGS} published postings, {} connections, {} s per arm, {} rounds, 1 server worker each",
        options.connections, options.seconds, options.rounds
    );
    for backend in backends {
        let fresh = fresh(backend).await?;
        let postings = synthetic::postings(Uuid::now_v7(), POSTINGS, chrono::Utc::now());
        synthetic::insert(fresh.db.writer(), postings).await?;
        if backend == DbBackend::Postgres {
            fresh
                .db
                .writer()
                .execute_unprepared("VACUUM ANALYZE job_posting")
                .await?;
        } else {
            fresh.db.writer().execute_unprepared("ANALYZE").await?;
        }
        let mut settings = Settings::defaults();
        settings.listen = "127.0.0.1:0".into();
        settings.http_workers = Some(1);
        let app = Application::build_with_routes(settings, fresh.db.clone(), |_| {}).await?;
        let anju: SocketAddr = ([127, 0, 0, 1], app.port()).into();
        let anju_handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let base = listener.local_addr()?;
        let base_handle = baseline(backend, &fresh, listener).await?;
        let found = same_answers(anju, base, "/api/v1/jobs?limit=20").await?;
        let searched =
            same_answers(anju, base, "/api/v1/jobs?limit=20&q=%E7%94%B5%E7%84%8A").await?;
        anyhow::ensure!(found == 20 && searched == 20, "expected full pages");
        println!(
            "{}:",
            if backend == DbBackend::Postgres {
                "PostgreSQL (tokio-postgres baseline)"
            } else {
                "SQLite (rusqlite baseline, cached statement)"
            }
        );
        measure(backend, options, anju, base, "no filter", PLAIN).await?;
        measure(backend, options, anju, base, "q=电焊   ", SEARCH).await?;
        anju_handle.stop(true).await;
        base_handle.stop(true).await;
        fresh.drop_it().await?;
    }
    Ok(())
}
