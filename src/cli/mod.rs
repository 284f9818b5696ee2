//! The command line: `scrutiny [serve]`, `scrutiny migrate`, `scrutiny openapi`,
//! `scrutiny seed-demo`, `scrutiny import`, and the account commands.
//!
//! This file holds what clap reads (the commands and their options) and the dispatch
//! from a parsed command to the code that runs it. That code is grouped by what the
//! commands are about: `server` (serving the API), `migrations` (the schema, and the
//! connection the one-off commands open), `accounts` (users, API clients, tokens),
//! `imports` (published documents and the demo story) and `logging`, which every
//! command sets up first. `scrutiny openapi` only prints what [`crate::openapi`]
//! builds, so it is answered here.

mod accounts;
mod imports;
mod logging;
mod migrations;
mod server;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, LogFormat};
use crate::db::Database;
use crate::domain::auth::Role;
use crate::domain::organisation::OrganisationId;

/// Scrutiny: public accountability as data for a Police, Fire & Crime Panel.
///
/// Configuration comes from the environment (see .env.example). With no DATABASE_URL,
/// a private PostgreSQL cluster is run under SCRUTINY_DATA_DIR.
#[derive(Debug, Parser)]
#[command(name = "scrutiny", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Run pending database migrations and exit.
    Migrate {
        /// Revert every migration instead (destroys all data).
        #[arg(long)]
        revert_all: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load the demo story (the 2022 public question on child protection) into the database.
    SeedDemo,
    /// Create a user (a person who signs in with a password).
    CreateUser {
        #[arg(long)]
        username: String,
        /// The password (12 to 256 characters). Prefer --password-stdin: arguments are
        /// visible to other users of the machine.
        #[arg(long, required_unless_present = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Shown in the API (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// A role (repeat for several): admin, secretariat, panel_member, commissioner_office, force, integration.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// The id of the user's organisation.
        #[arg(long)]
        organisation: Option<OrganisationId>,
    },
    /// Create an API client (a system that signs in with client credentials); prints its
    /// client_id and client_secret as JSON.
    CreateClient {
        #[arg(long)]
        name: String,
        /// A role (repeat for several).
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        #[arg(long)]
        organisation: Option<OrganisationId>,
    },
    /// Import published question-and-response documents: each becomes an answered
    /// question with its published response, once (a document imported before is
    /// recognised by the hash of its text). Prints what happened to each file; exits
    /// non-zero if any could not be imported.
    Import {
        /// Only read the files and say what would be imported: writes nothing and needs
        /// no database.
        #[arg(long)]
        dry_run: bool,
        /// How to print the summary: a line per file, or a JSON array.
        #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
        format: ImportFormat,
        /// The documents: plain text in UTF-8, one question and response each.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a token signed with the configured key, for operators and tests.
    IssueToken {
        /// The token's `sub`: any text, or `user:<id>` / `client:<id>` to speak for an account.
        #[arg(long)]
        subject: String,
        /// A role (repeat for several).
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        #[arg(long)]
        organisation: Option<OrganisationId>,
        /// Lifetime in seconds (default: SCRUTINY_JWT_TTL_SECS).
        #[arg(long)]
        ttl: Option<u64>,
    },
}

/// How `scrutiny import` prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// `created PQ-2022-0001 FILE`, `already imported …`, `failed FILE: reason`, with
    /// warnings indented below.
    Text,
    /// An array of `{file, outcome, question_id, reference, reason, warnings}`.
    Json,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::spec_json());
        return Ok(());
    }
    // A dry run only reads files: it must work where there is no database at all.
    if let Command::Import {
        dry_run: true,
        format,
        files,
    } = &command
    {
        return imports::dry_run(files, *format);
    }
    let config = Config::from_env();
    logging::init(config.as_ref().map_or(LogFormat::Text, |c| c.log_format));
    let config = config?;
    actix_web::rt::System::new().block_on(async move {
        let database = Database::open(&config).await?;
        let result = match command {
            Command::Serve => server::serve(config, &database).await,
            Command::Migrate { revert_all } => migrations::migrate(&database, revert_all).await,
            Command::SeedDemo => imports::seed(&config, &database).await.map(|_| ()),
            Command::CreateUser {
                username,
                password,
                password_stdin,
                display_name,
                roles,
                organisation,
            } => {
                let password = accounts::password_from(password, password_stdin)?;
                accounts::create_user(
                    &config,
                    &database,
                    username,
                    password,
                    display_name,
                    roles,
                    organisation,
                )
                .await
            }
            Command::CreateClient {
                name,
                roles,
                organisation,
            } => accounts::create_client(&config, &database, name, roles, organisation).await,
            Command::IssueToken {
                subject,
                roles,
                organisation,
                ttl,
            } => accounts::issue_token(&config, &database, subject, roles, organisation, ttl).await,
            Command::Import { format, files, .. } => imports::import_files(&config, &database, &files, format).await,
            Command::Openapi => unreachable!("handled above"),
        };
        database.close();
        result
    })
}
