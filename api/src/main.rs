//! `api`: Anju's HTTP server.
//!
//! `api` serves (embedded worker and SQLite unless configured otherwise); `api openapi` prints the
//! OpenAPI document (`cargo run -p api -- openapi > openapi/openapi.json` regenerates the
//! committed copy).

use std::process::ExitCode;

use api::{Application, Settings};

#[actix_web::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("openapi") => {
            print!("{}", api::openapi::to_pretty_json());
            ExitCode::SUCCESS
        }
        Some("healthcheck") => match healthcheck() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("api healthcheck: {e}");
                ExitCode::FAILURE
            }
        },
        Some("--help" | "-h" | "help") => {
            println!(
                "usage: api            serve the API (configuration: anju.toml and ANJU_* variables)"
            );
            println!("       api openapi    print the OpenAPI document");
            println!(
                "       api healthcheck  exit 0 when the local server answers /healthz (for container health checks)"
            );
            ExitCode::SUCCESS
        }
        None | Some("--demo") => match serve(args.first().is_some_and(|a| a == "--demo")).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("api: {e:#}");
                ExitCode::FAILURE
            }
        },
        Some(other) => {
            eprintln!("api: unknown argument `{other}` (try --help)");
            ExitCode::from(2)
        }
    }
}

async fn serve(demo: bool) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    if !demo {
        settings.refuse_published_examples()?;
    }
    worker::telemetry::init(&settings.worker);
    let host = match settings.listen.rsplit_once(':') {
        Some(("0.0.0.0" | "[::]", _)) | None => "127.0.0.1".to_owned(),
        Some((host, _)) => host.to_owned(),
    };
    let app = Application::build(settings).await?;
    if demo {
        let logins = api::demo::load(app.state()).await?;
        println!(
            "Demo community: 兴贤里社区（演示）, 11,212 synthetic residents. Demo logins (password `{}`):",
            api::demo::PASSWORD
        );
        for login in logins {
            println!("  {:<15} {}  {}", login.role, login.phone, login.note);
        }
        println!(
            "  POST /api/v1/auth/login {{\"phone\": \"...\", \"password\": \"{}\"}}",
            api::demo::PASSWORD
        );
    }
    if let Some(port) = app.metrics_port() {
        println!("Anju metrics: http://{host}:{port}/metrics");
    }
    println!("Anju is listening: http://{host}:{}/docs", app.port());
    app.run_until_stopped().await
}

/// Asks the server on the configured port for `/healthz` (container images carry no curl).
fn healthcheck() -> anyhow::Result<()> {
    worker::status::healthcheck(&Settings::load()?.listen)
}
