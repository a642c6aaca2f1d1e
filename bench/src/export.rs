//! Exporting the roster as `.xlsx` and as CSV at 11,212 residents (Xingxianli) and at about
//! 260,000 (23 copies of it in one site: a county's worth), on PostgreSQL, through the real `api`
//! binary over HTTP, the way staff download it.
//!
//! Time: Anju's export (batches of 1,000 by id, names of the structure per batch, masking by
//! role, the audit event, streaming) against a baseline that reads the same rows with one joined
//! query through the bare driver and writes the same file (csv crate / rust_xlsxwriter in
//! constant-memory mode) in this process, with no HTTP. Memory: the api process's peak resident
//! set (`VmHWM`), a fresh process per size and format, so that one export's peak is not
//! another's. Target: the peak at 260,000 within 1.5 times the peak at 11,212.
//!
//! Needs the api binary next to this one (`cargo build --release -p api -p bench`) or
//! `ANJU_API_BIN`.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use base64::Engine;
use sea_orm::DbBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::{
    Options,
    fanout::community,
    import::{fresh, pg_url},
    load::median,
};

const ADMIN_PHONE: &str = "19900000009";
const ADMIN_PASSWORD: &str = "bench-export-2026!";

/// The key the benchmark's communities are imported with (`fanout::community`).
const PII_KEY: [u8; 32] = [3u8; 32];

struct Api {
    child: Child,
    host: String,
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn api_binary() -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("ANJU_API_BIN") {
        return Ok(path.into());
    }
    let path = std::env::current_exe()?
        .parent()
        .context("no directory")?
        .join("api");
    anyhow::ensure!(
        path.exists(),
        "{} is missing: cargo build --release -p api -p bench (or set ANJU_API_BIN)",
        path.display()
    );
    Ok(path)
}

/// Starts the api binary on `database_url`, configured by environment as operators do.
fn start(database_url: &str, data_dir: &std::path::Path) -> anyhow::Result<Api> {
    let mut child = Command::new(api_binary()?)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ANJU_DATABASE_URL", database_url)
        .env("ANJU_DATA_DIR", data_dir)
        .env("ANJU_LISTEN", "127.0.0.1:0")
        .env("ANJU_LOG_LEVEL", "warn")
        .env("ANJU_HTTP_WORKERS", "2")
        // A fresh process signs in for every export; the limits live in the database.
        .env("ANJU_ATTEMPTS_PER_PHONE_PER_MINUTE", "1000")
        .env("ANJU_ATTEMPTS_PER_ADDRESS_PER_MINUTE", "1000")
        .env(
            "ANJU_PII_KEY",
            base64::engine::general_purpose::STANDARD.encode(PII_KEY),
        )
        .env("ANJU_BOOTSTRAP_ADMIN_PHONE", ADMIN_PHONE)
        .env("ANJU_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let host = loop {
        let line = lines.next().context("the api exited before listening")??;
        if let Some(rest) = line.strip_prefix("Anju is listening: ") {
            break rest
                .trim_start_matches("http://")
                .trim_end_matches("/docs")
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok(Api { child, host })
}

impl Api {
    /// The process's peak resident set so far, in KiB.
    fn peak_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmHWM")
    }

    /// One HTTP/1.0 request (the body is read to the end); returns status and body.
    async fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let mut stream = tokio::net::TcpStream::connect(&self.host).await?;
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: bench\r\n");
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        if let Some(body) = body {
            stream.write_all(body.as_bytes()).await?;
        }
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        let end = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .context("no header end")?;
        let status = std::str::from_utf8(&response[9..12])?.parse()?;
        Ok((status, response[end + 4..].to_vec()))
    }

    async fn login(&self) -> anyhow::Result<String> {
        let body = serde_json::json!({"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD});
        let (status, body) = self
            .request("POST", "/api/v1/auth/login", None, Some(&body.to_string()))
            .await?;
        anyhow::ensure!(
            status == 200,
            "login: {status} {}",
            String::from_utf8_lossy(&body)
        );
        let value: serde_json::Value = serde_json::from_slice(&body)?;
        value["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no token")
    }
}

/// One export through a fresh api process: (seconds, bytes, idle KiB, peak KiB).
async fn anju_export(
    database_url: &str,
    site: Uuid,
    format: &str,
) -> anyhow::Result<(f64, usize, u64, u64)> {
    let dir = tempfile::tempdir()?;
    let api = start(database_url, dir.path())?;
    let token = api.login().await?;
    // Warm the process up with a small list so that idle memory is a serving process's.
    api.request("GET", "/api/v1/residents?limit=100", Some(&token), None)
        .await?;
    let idle = api.peak_kib()?;
    let started = Instant::now();
    let (status, body) = api
        .request(
            "GET",
            &format!("/api/v1/residents/export?format={format}&site_id={site}"),
            Some(&token),
            None,
        )
        .await?;
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(status == 200, "export: {status}");
    Ok((elapsed, body.len(), idle, api.peak_kib()?))
}

/// The baseline: one joined query through tokio-postgres, the same columns written by the csv
/// crate or rust_xlsxwriter (constant memory) in this process.
async fn baseline_export(database_url: &str, site: Uuid, format: &str) -> anyhow::Result<f64> {
    use futures_util::TryStreamExt;
    let (client, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let started = Instant::now();
    let rows = client
        .query_raw(
            "SELECT c.name, g.name, b.name, h.label, r.name, r.gender, r.birth_date, r.phone, \
             r.id_card_masked, r.disability, r.party_member, h.low_income, r.employment_status \
             FROM resident r JOIN household h ON h.id = r.household_id \
             JOIN building b ON b.id = r.building_id JOIN resident_group g ON g.id = r.group_id \
             JOIN committee c ON c.id = g.committee_id WHERE r.site_id = $1 ORDER BY r.id",
            [&site],
        )
        .await?;
    futures_util::pin_mut!(rows);
    let text = |row: &tokio_postgres::Row, i: usize| -> String {
        row.try_get::<_, Option<String>>(i)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    if format == "csv" {
        let mut out = csv::Writer::from_writer(Vec::new());
        while let Some(row) = rows.try_next().await? {
            let birth: chrono::NaiveDate = row.get(6);
            out.write_record([
                text(&row, 0),
                text(&row, 1),
                text(&row, 2),
                text(&row, 3),
                text(&row, 4),
                text(&row, 5),
                birth.to_string(),
                text(&row, 7),
                text(&row, 8),
                row.get::<_, bool>(9).to_string(),
                row.get::<_, bool>(10).to_string(),
                row.get::<_, bool>(11).to_string(),
                text(&row, 12),
            ])?;
        }
        std::hint::black_box(out.into_inner()?.len());
    } else {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        let mut r = 0u32;
        while let Some(row) = rows.try_next().await? {
            for c in [0usize, 1, 2, 3, 4, 5, 7, 8, 12] {
                sheet.write_string(r, c as u16, text(&row, c))?;
            }
            let birth: chrono::NaiveDate = row.get(6);
            sheet.write_string(r, 6, birth.to_string())?;
            r += 1;
        }
        let file = tempfile::NamedTempFile::new()?;
        workbook.save(file.path())?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Runs the benchmark on PostgreSQL.
pub async fn run(options: Options) -> anyhow::Result<()> {
    api_binary()?;
    let rounds = options.rounds.min(3);
    let mut peaks = Vec::new();
    for copies in [1u64, 23] {
        let fresh = fresh(DbBackend::Postgres)
            .await
            .with_context(|| format!("PostgreSQL at {}", pg_url()))?;
        let loading = Instant::now();
        let site = community(&fresh.db, copies).await?;
        let residents = copies * entity::people::synthetic::RESIDENTS as u64;
        println!(
            "export: {residents} residents loaded in {:.0?}",
            loading.elapsed()
        );
        for format in ["csv", "xlsx"] {
            let (mut anju, mut base, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            let (mut peak, mut idle, mut size) = (0, 0, 0);
            for _ in 0..rounds {
                let (seconds, bytes, idle_kib, peak_kib) =
                    anju_export(&fresh.url, site, format).await?;
                let baseline = baseline_export(&fresh.url, site, format).await?;
                anju.push(seconds);
                base.push(baseline);
                ratios.push(seconds / baseline);
                peak = peak.max(peak_kib);
                idle = idle.max(idle_kib);
                size = bytes;
            }
            println!(
                "export {format} {residents:>7}: anju {:.2} s ({:.0} rows/s, {:.1} MB), baseline {:.2} s, anju/baseline {:.2} (median of {rounds}); api peak RSS {:.1} MiB (idle {:.1} MiB)",
                median(&mut anju),
                residents as f64 / median(&mut anju.clone()),
                size as f64 / 1e6,
                median(&mut base),
                median(&mut ratios),
                peak as f64 / 1024.0,
                idle as f64 / 1024.0,
            );
            peaks.push((format, residents, peak));
        }
        fresh.drop_it().await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for format in ["csv", "xlsx"] {
        let of = |n: u64| {
            peaks
                .iter()
                .find(|(f, r, _)| *f == format && (*r > 100_000) == (n > 100_000))
                .map_or(0, |p| p.2)
        };
        let (small, large) = (of(1), of(1_000_000));
        let ratio = large as f64 / small.max(1) as f64;
        println!(
            "export {format}: peak memory at about 260,000 is {ratio:.2}x the peak at 11,212 (target at most 1.5x): {}",
            if ratio <= 1.5 { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
