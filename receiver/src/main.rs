//! `anju-receiver`: runs the reference webhook receiver.
//!
//! ```text
//! anju-receiver --listen 0.0.0.0:9000 --secret whsec_… [--secret whsec_…] [--tolerance 300]
//! ```
//!
//! Register `http://<host>:9000/webhooks` as the partner's webhook URL in Anju, and give the
//! signing secret Anju showed when the partner was created (during a rotation, both). Accepted
//! messages are printed one JSON object per line on standard output; refusals on standard
//! error; `GET /received` lists both.

use std::{net::TcpListener, sync::Arc};

fn main() -> anyhow::Result<()> {
    let mut listen = "127.0.0.1:9000".to_owned();
    let mut secrets = Vec::new();
    let mut tolerance = receiver::TOLERANCE_SECS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--listen" => listen = value()?,
            "--secret" => secrets.push(value()?),
            "--tolerance" => tolerance = value()?.parse()?,
            other => anyhow::bail!(
                "unknown argument {other}; usage: anju-receiver --listen ADDR --secret whsec_… [--secret …] [--tolerance SECONDS]"
            ),
        }
    }
    if secrets.is_empty()
        && let Ok(secret) = std::env::var("WEBHOOK_SECRET")
    {
        secrets.push(secret);
    }
    let state = Arc::new(receiver::Receiver::new(&secrets, tolerance)?);
    let listener = TcpListener::bind(&listen)?;
    eprintln!(
        "anju-receiver: listening on http://{}/webhooks",
        listener.local_addr()?
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = receiver::serve(listener, state.clone())?;
        let handle = server.handle();
        let printer = tokio::spawn({
            let state = state.clone();
            async move {
                let (mut printed, mut refused) = (0, 0);
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    let received = state.received();
                    for r in &received[printed..] {
                        println!("{}", serde_json::to_string(r).unwrap_or_default());
                    }
                    printed = received.len();
                    let rejected = state.rejected();
                    for r in &rejected[refused..] {
                        eprintln!("anju-receiver: refused: {r}");
                    }
                    refused = rejected.len();
                }
            }
        });
        tokio::select! {
            result = server => result?,
            _ = tokio::signal::ctrl_c() => handle.stop(true).await,
        }
        printer.abort();
        Ok(())
    })
}
