//! Command-line interface of the `campo-relay` binary.

use crate::origin::AllowedOrigin;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Default directory of the database.
pub const DEFAULT_DATA_DIR: &str = "data";
/// Default directory of the built app.
pub const DEFAULT_STATIC_DIR: &str = "dist";
/// Default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Campo's relay: stores each team's change log and syncs devices over WebSocket.
#[derive(Debug, Parser)]
#[command(name = "campo-relay", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app and the sync WebSocket (/ws).
    Serve {
        /// Address to listen on; port 0 picks a free port (printed on stdout).
        #[arg(long, default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        /// Directory holding campo.sqlite3.
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data: PathBuf,
        /// Directory of the built app (Trunk's dist).
        #[arg(long, default_value = DEFAULT_STATIC_DIR)]
        static_dir: PathBuf,
        /// An origin (scheme://host[:port]) whose pages may use the WebSocket
        /// besides the relay's own, e.g. when a proxy serves the app under
        /// another name. Repeatable.
        #[arg(long = "allowed-origin", value_name = "ORIGIN", value_parser = AllowedOrigin::parse)]
        allowed_origins: Vec<AllowedOrigin>,
    },
    /// Manage the access tokens reps sign in with.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token for a rep and print it (shown only this once).
    Create {
        #[arg(long)]
        team: String,
        #[arg(long)]
        rep: String,
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data: PathBuf,
    },
    /// List a team's tokens (ids and dates, never the tokens themselves).
    List {
        #[arg(long)]
        team: String,
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data: PathBuf,
    },
    /// Revoke every active token of a rep; a running relay closes the devices
    /// using them within seconds and refuses them from then on.
    Revoke {
        #[arg(long)]
        team: String,
        #[arg(long)]
        rep: String,
        #[arg(long, default_value = DEFAULT_DATA_DIR)]
        data: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent_and_has_defaults() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["campo-relay", "serve"]).unwrap();
        match cli.command {
            Command::Serve {
                listen,
                data,
                static_dir,
                allowed_origins,
            } => {
                assert_eq!(listen.to_string(), DEFAULT_LISTEN);
                assert_eq!(data, PathBuf::from("data"));
                assert_eq!(static_dir, PathBuf::from("dist"));
                assert!(allowed_origins.is_empty(), "only the relay's own origin");
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn allowed_origins_repeat_and_bad_ones_are_refused() {
        let cli = Cli::try_parse_from([
            "campo-relay",
            "serve",
            "--allowed-origin",
            "https://crm.example.com",
            "--allowed-origin",
            "http://localhost:8081",
        ])
        .unwrap();
        match cli.command {
            Command::Serve {
                allowed_origins, ..
            } => assert_eq!(
                allowed_origins
                    .iter()
                    .map(AllowedOrigin::as_str)
                    .collect::<Vec<_>>(),
                ["https://crm.example.com", "http://localhost:8081"]
            ),
            other => panic!("parsed as {other:?}"),
        }
        let err = Cli::try_parse_from(["campo-relay", "serve", "--allowed-origin", "crm.example"])
            .unwrap_err();
        assert!(err.to_string().contains("scheme://host"), "{err}");
    }
}
