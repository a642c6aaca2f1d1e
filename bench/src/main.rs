//! `bench`: Anju's benchmarks. Each runs Anju and a baseline side by side in one process,
//! alternating the two arms several times, and prints the median ratio (this machine is shared
//! and noisy, so only ratios measured in the same run mean anything).
//!
//! `cargo run --release -p bench -- <middleware|import|login|fanout|jobs|signup|credit|retention|export> [--rounds N] [--seconds S] [--connections C]`

mod credit;
mod export;
mod fanout;
mod import;
mod jobs;
mod load;
mod login;
mod middleware;
mod retention;
mod signup;

use std::process::ExitCode;

/// Options every benchmark understands.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How many times each arm runs (alternating).
    pub rounds: usize,
    /// Seconds per arm per round.
    pub seconds: f64,
    /// Concurrent keep-alive connections.
    pub connections: usize,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        rounds: 5,
        seconds: 3.0,
        connections: 16,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: `{value}` is not a number");
        match flag.as_str() {
            "--rounds" => options.rounds = value.parse().map_err(bad)?,
            "--seconds" => {
                options.seconds = value.parse().map_err(|_| format!("{flag}: bad number"))?
            }
            "--connections" => options.connections = value.parse().map_err(bad)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.rounds == 0 || options.connections == 0 || options.seconds <= 0.0 {
        return Err("rounds, seconds and connections must be positive".into());
    }
    Ok(options)
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        eprintln!(
            "usage: bench <middleware|import|login|fanout|jobs|signup|credit|retention|export> [--rounds N] [--seconds S] [--connections C]"
        );
        return ExitCode::from(2);
    };
    let options = match parse_options(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match name.as_str() {
        "middleware" => middleware::run(options).await,
        "import" => import::run(options).await,
        "login" => login::run(options).await,
        "fanout" => fanout::run(options).await,
        "jobs" => jobs::run(options).await,
        "signup" => signup::run(options).await,
        "credit" => credit::run(options).await,
        "export" => export::run(options).await,
        "retention" => retention::run(options).await,
        other => Err(anyhow::anyhow!("unknown benchmark `{other}`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
