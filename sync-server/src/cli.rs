//! Command-line interface of the `campo-relay` binary.

use crate::origin::AllowedOrigin;
use crate::store::{PostgresUrl, StoreError, StoreLocation};
use clap::{Args, Parser, Subcommand};
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

/// Where the relay keeps its data; every subcommand takes these.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory holding campo.sqlite3, the embedded store. It may instead hold
    /// a file `store.url` with a postgres:// URL, used as if given to --store.
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data: PathBuf,
    /// A PostgreSQL database to keep the data in instead, shared by every relay
    /// instance given the same URL: postgres://user[:password]@host[:port]/db.
    #[arg(long, value_name = "URL", value_parser = PostgresUrl::parse)]
    pub store: Option<PostgresUrl>,
}

impl StoreArgs {
    /// The store these arguments name.
    pub fn location(&self) -> Result<StoreLocation, StoreError> {
        StoreLocation::resolve(&self.data, self.store.clone())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app and the sync WebSocket (/ws).
    Serve {
        /// Address to listen on; port 0 picks a free port (printed on stdout).
        #[arg(long, default_value = DEFAULT_LISTEN)]
        listen: SocketAddr,
        #[command(flatten)]
        store: StoreArgs,
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
        /// Make it an administrator's token: it may also list, create and
        /// revoke the team's tokens (the app's Team page, /api/teams/TEAM/tokens).
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List a team's tokens (ids and dates, never the tokens themselves).
    List {
        #[arg(long)]
        team: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke every active token of a rep; a running relay closes the devices
    /// using them within seconds and refuses them from then on.
    Revoke {
        #[arg(long)]
        team: String,
        #[arg(long)]
        rep: String,
        #[command(flatten)]
        store: StoreArgs,
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
                store,
                static_dir,
                allowed_origins,
            } => {
                assert_eq!(listen.to_string(), DEFAULT_LISTEN);
                assert_eq!(store.data, PathBuf::from("data"));
                assert!(store.store.is_none(), "the embedded store by default");
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

    #[test]
    fn a_postgres_store_is_taken_from_the_flag_or_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let cli = Cli::try_parse_from([
            "campo-relay",
            "token",
            "list",
            "--team",
            "acme",
            "--data",
            data,
        ])
        .unwrap();
        let Command::Token {
            action: TokenAction::List { store, .. },
        } = cli.command
        else {
            panic!("parsed as something else");
        };
        assert!(matches!(
            store.location().unwrap(),
            StoreLocation::Sqlite { .. }
        ));

        // A store.url file in the data directory names the database...
        std::fs::write(
            dir.path().join("store.url"),
            "postgres://campo:pw@db.internal/crm\n",
        )
        .unwrap();
        let location = store.location().unwrap();
        assert_eq!(
            location.to_string(),
            "PostgreSQL at postgres://campo@db.internal:5432/crm"
        );

        // ...and --store overrides it.
        let cli = Cli::try_parse_from([
            "campo-relay",
            "serve",
            "--data",
            data,
            "--store",
            "postgres://relay@other/crm",
        ])
        .unwrap();
        let Command::Serve { store, .. } = cli.command else {
            panic!("parsed as something else");
        };
        assert!(
            store
                .location()
                .unwrap()
                .to_string()
                .contains("relay@other")
        );

        // A bad URL is refused with what to write instead.
        let err =
            Cli::try_parse_from(["campo-relay", "serve", "--store", "db.internal"]).unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
        std::fs::write(dir.path().join("store.url"), "db.internal").unwrap();
        let err = store_args(data).location().unwrap_err();
        assert!(err.to_string().contains("store.url"), "{err}");
    }

    #[test]
    fn token_create_makes_a_rep_unless_told_admin() {
        let create = |extra: &[&str]| {
            let mut args = vec!["campo-relay", "token", "create", "--team", "acme"];
            args.extend_from_slice(&["--rep", "Anna"]);
            args.extend_from_slice(extra);
            match Cli::try_parse_from(args).unwrap().command {
                Command::Token {
                    action: TokenAction::Create { admin, .. },
                } => admin,
                other => panic!("parsed as {other:?}"),
            }
        };
        assert!(!create(&[]));
        assert!(create(&["--admin"]));
    }

    fn store_args(data: &str) -> StoreArgs {
        StoreArgs {
            data: PathBuf::from(data),
            store: None,
        }
    }
}
