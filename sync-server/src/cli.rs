//! Command-line interface of the `campo-relay` binary.

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
    /// Revoke every active token of a rep; devices using them are refused at
    /// their next connection.
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
            } => {
                assert_eq!(listen.to_string(), DEFAULT_LISTEN);
                assert_eq!(data, PathBuf::from("data"));
                assert_eq!(static_dir, PathBuf::from("dist"));
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
