//! Campo's load tools: `seed` loads a generated team book into a running relay;
//! `relay` measures a relay under many devices on loopback (fan-out latency,
//! throughput, memory over a soak, a slow client) and prints the figures.
//!
//! Layout: [`conn`] speaks the protocol over a WebSocket; [`seed`] with
//! [`book_file`] and [`day`] is the `seed` command; [`relay`] is the `relay`
//! command (its devices in `relay/load.rs`, the relay process in
//! `relay/process.rs`); [`histogram`] and [`report`] hold and print figures.

mod book_file;
mod conn;
mod day;
mod histogram;
mod random;
mod relay;
mod report;
mod seed;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "campo-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a team book and push it (and a day of edits) to a running relay.
    Seed(seed::SeedArgs),
    /// Measure the relay: fan-out latency, throughput, memory, a slow client.
    Relay(relay::RelayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("campo-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))?;
    runtime.block_on(async {
        match cli.command {
            Command::Seed(args) => seed::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Relay(args) => Ok(if relay::run(args).await? {
                ExitCode::SUCCESS
            } else {
                eprintln!("campo-bench: changes were lost or the slow client never caught up (see the table)");
                ExitCode::FAILURE
            }),
        }
    })
}
