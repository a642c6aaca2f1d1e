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
        Some("--help" | "-h" | "help") => {
            println!(
                "usage: api            serve the API (configuration: anju.toml and ANJU_* variables)"
            );
            println!("       api openapi    print the OpenAPI document");
            ExitCode::SUCCESS
        }
        None => match serve().await {
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

async fn serve() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    worker::telemetry::init(&settings);
    let app = Application::build(settings).await?;
    println!("Anju is listening: http://127.0.0.1:{}/docs", app.port());
    app.run_until_stopped().await
}
