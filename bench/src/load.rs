//! A small closed-loop HTTP/1.1 load generator: `connections` keep-alive connections, each sending
//! one request after another for a fixed time. Written against raw sockets so that the client
//! costs as little as possible and the same for both arms.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// What one arm achieved in one run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Requests per second.
    pub rate: f64,
    /// Per-request latencies, sorted.
    pub latencies: Vec<Duration>,
}

impl Run {
    /// The run of `latencies` taken over `elapsed`.
    fn measured(mut latencies: Vec<Duration>, elapsed: Duration) -> Self {
        let elapsed = elapsed.as_secs_f64();
        latencies.sort_unstable();
        Run {
            rate: latencies.len() as f64 / elapsed,
            latencies,
        }
    }

    /// The latency at quantile `q` (0..=1).
    pub fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        self.latencies[i]
    }
}

/// Sends `request` (a complete HTTP/1.1 request with keep-alive) over `connections` connections
/// for `seconds`, expecting `expect_status` every time.
pub async fn run(
    addr: SocketAddr,
    request: &'static [u8],
    expect_status: u16,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<Run> {
    run_each(
        addr,
        vec![request.to_vec(); connections],
        expect_status,
        seconds,
    )
    .await
}

/// Like [`run`], with one request per connection (e.g. each logging in as another account).
pub async fn run_each(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    expect_status: u16,
    seconds: f64,
) -> anyhow::Result<Run> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(requests.len());
    for request in requests {
        tasks.push(actix_web::rt::spawn(connection(
            addr,
            request,
            expect_status,
            deadline,
        )));
    }
    let latencies = gather(tasks).await?;
    Ok(Run::measured(latencies, started.elapsed()))
}

/// The latencies the connections' tasks measured, in no particular order.
async fn gather(
    tasks: Vec<actix_web::rt::task::JoinHandle<anyhow::Result<Vec<Duration>>>>,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.context("load task panicked")??);
    }
    Ok(latencies)
}

/// A keep-alive connection that sends whole requests and reads whole responses.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buf: vec![0u8; 64 * 1024],
        })
    }

    /// Sends `request` and reads the response; an error unless its status is `expect_status`.
    async fn exchange(&mut self, request: &[u8], expect_status: u16) -> anyhow::Result<()> {
        self.stream.write_all(request).await?;
        let status = read_response(&mut self.stream, &mut self.buf).await?;
        if status != expect_status {
            bail!("expected status {expect_status}, got {status}");
        }
        Ok(())
    }
}

async fn connection(
    addr: SocketAddr,
    request: Vec<u8>,
    expect_status: u16,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let mut connection = Connection::open(addr).await?;
    let mut latencies = Vec::with_capacity(100_000);
    while Instant::now() < deadline {
        let sent = Instant::now();
        connection.exchange(&request, expect_status).await?;
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}

/// Reads one response (headers and a `Content-Length` body); returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> anyhow::Result<u16> {
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            bail!("connection closed mid-response");
        }
        filled += n;
        if let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).context("response head is not UTF-8")?;
            let status: u16 = head
                .get(9..12)
                .and_then(|s| s.parse().ok())
                .context("no status line")?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .context("no content-length")?;
            let total = end + 4 + length;
            if total > buf.len() {
                bail!("response larger than the buffer");
            }
            while filled < total {
                let n = stream.read(&mut buf[filled..total]).await?;
                if n == 0 {
                    bail!("connection closed mid-body");
                }
                filled += n;
            }
            return Ok(status);
        }
        if filled == buf.len() {
            bail!("response head too large");
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The median of some numbers.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// A complete HTTP/1.1 POST with a JSON body.
pub fn post_json(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Open-loop load: `rate` requests per second in all, spread evenly over `connections`
/// keep-alive connections, for `seconds`. Each request has a scheduled send time and its latency
/// counts from then, so a server that falls behind shows it in the latencies instead of slowing
/// the load down (no coordinated omission).
pub async fn paced(
    addr: SocketAddr,
    request: &'static [u8],
    expect_status: u16,
    rate: f64,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<Run> {
    let started = tokio::time::Instant::now();
    let interval = Duration::from_secs_f64(connections as f64 / rate);
    let per_connection = (seconds * rate / connections as f64).floor() as u32;
    let mut tasks = Vec::with_capacity(connections);
    for i in 0..connections {
        let offset = Duration::from_secs_f64(i as f64 / rate);
        tasks.push(actix_web::rt::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut latencies = Vec::with_capacity(per_connection as usize);
            for k in 0..per_connection {
                let due = started + offset + interval * k;
                tokio::time::sleep_until(due).await;
                connection.exchange(request, expect_status).await?;
                latencies.push(due.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let latencies = gather(tasks).await?;
    Ok(Run::measured(latencies, started.elapsed()))
}

/// A burst: every request sent once, spread round-robin over `connections` keep-alive
/// connections that each send their share back to back; the rate is requests over the time from
/// the first send to the last answer.
pub async fn burst(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    expect_status: u16,
    connections: usize,
) -> anyhow::Result<Run> {
    let mut shares: Vec<Vec<Vec<u8>>> = vec![Vec::new(); connections];
    for (i, request) in requests.into_iter().enumerate() {
        shares[i % connections].push(request);
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for share in shares {
        tasks.push(actix_web::rt::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut latencies = Vec::with_capacity(share.len());
            for request in share {
                let sent = Instant::now();
                connection.exchange(&request, expect_status).await?;
                latencies.push(sent.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let latencies = gather(tasks).await?;
    Ok(Run::measured(latencies, started.elapsed()))
}

/// Sends `request` over one connection again and again until `stop` turns true; returns the
/// latencies (a probe of another route while a load runs).
pub async fn probe(
    addr: SocketAddr,
    request: Vec<u8>,
    expect_status: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<Run> {
    let started = Instant::now();
    let mut connection = Connection::open(addr).await?;
    let mut latencies = Vec::new();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let sent = Instant::now();
        connection.exchange(&request, expect_status).await?;
        latencies.push(sent.elapsed());
    }
    Ok(Run::measured(latencies, started.elapsed()))
}
