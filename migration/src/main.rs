//! `migration`: applies, rolls back or inspects Anju's migrations (`migration up`, `down`,
//! `status`, `fresh`, …). The database comes from the same settings as the api's: `anju.toml`
//! (or `ANJU_CONFIG`), then `ANJU_DATABASE_URL` / `DATABASE_URL`; without one, the SQLite file in
//! `data_dir`.

use std::path::PathBuf;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectOptions, Database},
};

/// The settings this binary reads (the rest of the file and environment is the api's).
#[derive(serde::Deserialize)]
struct Settings {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
}

fn database_url() -> Result<String, String> {
    let settings: Settings = anju_config::sources()
        .extract_lossy()
        .map_err(|e| format!("invalid configuration: {e}"))?;
    let url = settings.database_url.unwrap_or_else(|| {
        let dir = settings.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        format!("sqlite://{}?mode=rwc", dir.join("anju.db").display())
    });
    if anju_config::is_published_example(&url) {
        return Err("database_url holds an example secret published with Anju \
                    (docker-compose.yml, .env.example or the README); set one of your own"
            .into());
    }
    Ok(url)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let url = match database_url() {
        Ok(url) => url,
        Err(e) => {
            eprintln!("migration: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    cli::run_cli_with_custom_connection(migration::Migrator, || async move {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        let mut options = ConnectOptions::new(url);
        options.sqlx_logging(false);
        Database::connect(options).await
    })
    .await;
    std::process::ExitCode::SUCCESS
}
