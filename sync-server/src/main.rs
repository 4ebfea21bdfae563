//! `campo-relay`: serve, or manage tokens. See `campo-relay --help`.

use anyhow::Context;
use axum::serve::ListenerExt;
use campo_relay::auth::Role;
use campo_relay::cli::{Cli, Command, StoreArgs, TokenAction};
use campo_relay::names::{Rep, Team};
use campo_relay::origin::AllowedOrigin;
use campo_relay::store::{Store, StoreLocation};
use campo_relay::{AppState, app, auth};
use clap::Parser;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::filter::LevelFilter;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // At trace the WebSocket library prints every message it receives, a
    // Hello's token included, and at debug every close frame: it logs at most
    // at info, and no more than RUST_LOG asks for. (A level's name is a valid
    // directive: parsing it cannot fail.)
    let cap = filter
        .max_level_hint()
        .map_or(LevelFilter::INFO, |hint| hint.min(LevelFilter::INFO));
    let filter = filter.add_directive(
        format!("tungstenite={cap}")
            .parse()
            .expect("a valid directive"),
    );
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("campo-relay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            listen,
            store,
            static_dir,
            allowed_origins,
        } => serve(listen, &store.location()?, &static_dir, allowed_origins),
        Command::Token { action } => token(action),
    }
}

fn serve(
    listen: SocketAddr,
    location: &StoreLocation,
    static_dir: &Path,
    allowed_origins: Vec<AllowedOrigin>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let (state, shutdown) = AppState::open(location, static_dir)
            .with_context(|| format!("opening the store ({location})"))?;
        let origins: Vec<&str> = allowed_origins.iter().map(|o| o.as_str()).collect();
        tracing::info!(
            ?origins,
            "pages from these origins may use /ws besides the relay's own"
        );
        let state = state.with_allowed_origins(allowed_origins);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let stop = stop_signal()?;
        // Scripts and tests wait for exactly this line to learn the port.
        let mut out = std::io::stdout().lock();
        writeln!(out, "campo-relay listening on http://{addr}")?;
        out.flush()?;
        drop(out);
        tracing::info!(%addr, store = %location, static_dir = %static_dir.display(), "serving");
        // Small frames (an Ack, one change fanned out) go out at once instead of
        // waiting, by Nagle's algorithm, for the peer to acknowledge the previous
        // ones: with delayed ACKs that wait is up to 40 ms per exchange.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "could not set TCP_NODELAY on a connection");
            }
        });
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async move {
                stop.await;
                tracing::info!("shutting down");
                shutdown.trigger();
            })
            .await
            .context("serving")
    })
}

/// Registers the stop signals now and returns a future that resolves on the
/// first of them. Registering before the "listening" line is printed matters: a
/// SIGTERM sent as soon as a script sees that line must shut down gracefully, not
/// hit the default action and kill the process.
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = term.recv() => {}
        }
    })
}

fn token(action: TokenAction) -> anyhow::Result<()> {
    let open = |args: &StoreArgs| -> anyhow::Result<Arc<dyn Store>> {
        let location = args.location()?;
        location
            .open(Arc::new(()))
            .with_context(|| format!("opening the store ({location})"))
    };
    match action {
        TokenAction::Create {
            team,
            rep,
            admin,
            store,
        } => {
            let team = Team::parse(&team)?;
            let rep = Rep::parse(&rep)?;
            let store = open(&store)?;
            let role = if admin { Role::Admin } else { Role::Rep };
            let token = auth::issue_as(&*store, &team, &rep, role)?;
            println!("{}", token.reveal());
            let what = if admin { "Admin token" } else { "Token" };
            eprintln!(
                "{what} created for {rep} in team {team}. It is shown only once; hand it to the rep."
            );
        }
        TokenAction::List { team, store } => {
            let team = Team::parse(&team)?;
            let store = open(&store)?;
            let tokens = auth::list(&*store, &team)?;
            if tokens.is_empty() {
                eprintln!("Team {team} has no tokens.");
            }
            for t in tokens {
                println!(
                    "{}\t{}\tcreated {}\t{}{}",
                    t.id,
                    t.rep,
                    t.created_at,
                    t.revoked_at
                        .map_or("active".to_owned(), |at| format!("revoked {at}")),
                    if t.admin { "\tadmin" } else { "" }
                );
            }
        }
        TokenAction::Revoke { team, rep, store } => {
            let team = Team::parse(&team)?;
            let store = open(&store)?;
            let n = auth::revoke(&*store, &team, &rep)?;
            println!("revoked {n} token(s) of {rep} in team {team}");
        }
    }
    Ok(())
}
