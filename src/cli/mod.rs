//! The command line: `scrutiny [serve]`, `scrutiny migrate`, `scrutiny openapi`,
//! `scrutiny seed-demo`, `scrutiny import`, `scrutiny import-plan`, `scrutiny sync-meetings`, and the account
//! commands.
//!
//! This file holds what clap reads (the commands and their options) and the dispatch
//! from a parsed command to the code that runs it. That code is grouped by what the
//! commands are about: `server` (serving the API), `migrations` (the schema, and the
//! connection the one-off commands open), `accounts` (users, API clients, tokens),
//! `imports` (published documents and the demo story) and `logging`, which every
//! command sets up first, `output` (standard output that a closed pipe does not turn
//! into a panic) and `clusters` (the private clusters on this machine). `scrutiny
//! openapi` only prints what [`crate::openapi`] builds, so it is answered here.

mod accounts;
mod clusters;
mod imports;
mod logging;
mod meetings;
mod migrations;
mod output;
mod plans;
mod server;

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, LogFormat};
use crate::db::Database;
use crate::domain::auth::Role;
use crate::domain::organisation::OrganisationId;

/// Scrutiny: public accountability as data for a Police, Fire & Crime Panel.
///
/// Configuration comes from the environment and from a `.env` file in the current
/// directory or a parent (variables already set win); see .env.example. With no
/// DATABASE_URL, a private PostgreSQL cluster is run for SCRUTINY_DATA_DIR (default:
/// `scrutiny` in your data directory, ~/.local/share/scrutiny on Linux).
#[derive(Debug, Parser)]
#[command(name = "scrutiny", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The values `--role` takes, listed in `--help` and in the error for any other.
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    clap::builder::PossibleValuesParser::new(Role::ALL.iter().map(|role| role.as_str()))
        .try_map(|name| name.parse::<Role>())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Run pending database migrations and exit.
    Migrate {
        /// Revert every migration instead: drops every table and all their data. Asks
        /// for confirmation on a terminal; elsewhere needs --yes.
        #[arg(long)]
        revert_all: bool,
        /// With --revert-all: do not ask, delete everything.
        #[arg(long, requires = "revert_all")]
        yes: bool,
    },
    /// Print the OpenAPI document (JSON) on standard output.
    Openapi,
    /// Load the demo story (the 2022 public question on child protection) into an empty
    /// database; says so and changes nothing when the database already holds data.
    SeedDemo,
    /// Create a user (a person who signs in with a password); prints its id, username and
    /// roles as JSON.
    CreateUser {
        /// The name to sign in with: 3 to 64 letters, digits, '.', '_', '-' or '@'.
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
        /// A role (repeat for several).
        #[arg(long = "role", required = true, value_parser = role_parser())]
        roles: Vec<Role>,
        /// The id of the user's organisation (a UUID from GET /api/v1/organisations).
        #[arg(long)]
        organisation: Option<OrganisationId>,
    },
    /// Create an API client (a system that signs in with client credentials); prints its
    /// client_id and client_secret as JSON.
    CreateClient {
        /// The client's name, shown in the API and the audit log.
        #[arg(long)]
        name: String,
        /// A role (repeat for several).
        #[arg(long = "role", required = true, value_parser = role_parser())]
        roles: Vec<Role>,
        /// The id of the client's organisation (a UUID from GET /api/v1/organisations).
        #[arg(long)]
        organisation: Option<OrganisationId>,
    },
    /// Import published question-and-response documents: each becomes an answered
    /// question with its published response, once (a document imported before is
    /// recognised by the hash of its text). Minutes of a meeting's public questions and
    /// "Question by / Response by" pages become the meeting's questions with their
    /// outcomes, once each (recognised by their words and meeting): they need the
    /// meeting (--meeting-id or --meeting-date, unless the document states its date).
    /// Prints what happened to each file and question; exits non-zero if any could not be
    /// imported.
    Import {
        /// Only read the files and say what would be imported: writes nothing, and needs
        /// no database unless a meeting is given (minutes are read against it).
        #[arg(long)]
        dry_run: bool,
        /// For minutes: the id of the panel meeting they are of (a UUID from GET
        /// /api/v1/meetings).
        #[arg(long, conflicts_with = "meeting_date")]
        meeting_id: Option<crate::domain::meeting::MeetingId>,
        /// For minutes: the day (YYYY-MM-DD) of the one panel meeting held then.
        #[arg(long)]
        meeting_date: Option<chrono::NaiveDate>,
        /// How to print the summary: a line per file, or a JSON array.
        #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
        format: ImportFormat,
        /// The documents: plain text in UTF-8, one question and response each.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Import an improvement plan (CSV or XLSX) into a programme: each row an action,
    /// matched by its reference; a changed status or percentage becomes a progress
    /// update. Prints a report per row. A dry run (nothing written) unless --commit;
    /// exits non-zero if any row could not be imported.
    ImportPlan {
        /// The programme (a UUID from GET /api/v1/programmes).
        #[arg(long, value_name = "ID")]
        programme: crate::domain::programme::ProgrammeId,
        /// Import: without it, only report what an import would do.
        #[arg(long)]
        commit: bool,
        /// Headings the synonyms do not know: `field:Heading` pairs separated by `;`
        /// (`reference:Item code;due_date:When by`).
        #[arg(long = "map", value_name = "FIELD:HEADING;…")]
        mapping: Option<String>,
        /// Status words over the default table: `word:status` pairs separated by `;`
        /// (`purple:blocked`).
        #[arg(long, value_name = "WORD:STATUS;…")]
        statuses: Option<String>,
        /// How to print the report: a line per row, or the API's JSON report.
        #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
        format: ImportFormat,
        /// The plan: a CSV (UTF-8) or XLSX file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Create or update the panel's meetings from its council's ModernGov (the web
    /// service's GetMeetings for one committee), matched by ModernGov's meeting id, in
    /// one transaction: moved meetings get their new question deadline, cancelled ones
    /// are marked cancelled (never deleted). Prints a line per meeting and the counts;
    /// exits non-zero, writing nothing, when ModernGov times out or does not answer its
    /// XML.
    SyncMeetings {
        /// The ModernGov site's address, e.g. https://democracy.example.gov.uk.
        #[arg(long, value_name = "URL")]
        moderngov_url: String,
        /// The committee whose meetings to take (ModernGov's lCommitteeId, the `CId` in
        /// its pages' addresses).
        #[arg(long, value_name = "N")]
        committee_id: u64,
        /// The first day to take meetings from (YYYY-MM-DD; default: a year ago).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// The last day to take meetings from (YYYY-MM-DD; default: a year from today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        /// The panel that holds the meetings (a UUID from GET /api/v1/organisations;
        /// default: the only panel).
        #[arg(long, value_name = "ORG_ID")]
        panel: Option<OrganisationId>,
        /// Work everything out and print the report, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Seconds to wait for ModernGov's answer.
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        timeout: u64,
        /// Also fetch the agenda (GetMeeting) of each meeting held and not cancelled, and
        /// store a dry run of its public questions item for the secretariat to confirm
        /// (GET /api/v1/imports/pending).
        #[arg(long)]
        agendas: bool,
    },
    /// Print a token signed with the configured key, for operators and tests.
    IssueToken {
        /// The token's `sub`: any text, or `user:<id>` / `client:<id>` to speak for an account.
        #[arg(long)]
        subject: String,
        /// A role (repeat for several).
        #[arg(long = "role", required = true, value_parser = role_parser())]
        roles: Vec<Role>,
        /// The organisation the token speaks for (a UUID from GET /api/v1/organisations).
        #[arg(long)]
        organisation: Option<OrganisationId>,
        /// Lifetime in seconds (default: SCRUTINY_JWT_TTL_SECS).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// List the private PostgreSQL clusters on this machine (one per data directory,
    /// tests' and temporary runs' included), or remove them.
    Clusters {
        #[command(subcommand)]
        action: Option<ClustersAction>,
    },
}

/// What `scrutiny clusters` does.
#[derive(Debug, Subcommand)]
pub enum ClustersAction {
    /// List each cluster: its id, whether it runs, its size and its data directory (the default).
    List,
    /// Remove clusters and all their data: those named, or with --left-over every stopped
    /// one whose data directory is gone.
    Remove {
        /// The ids shown by `scrutiny clusters list`.
        #[arg(value_name = "ID", required_unless_present = "left_over")]
        ids: Vec<String>,
        /// Remove every stopped cluster whose data directory no longer exists (those of
        /// tests and temporary runs).
        #[arg(long)]
        left_over: bool,
        /// Stop a named cluster that is running before removing it.
        #[arg(long)]
        stop: bool,
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
        return output::print(&crate::openapi::spec_json());
    }
    // A dry run only reads files: it must work where there is no database at all.
    if let Command::Import {
        dry_run: true,
        format,
        files,
        meeting_id: None,
        meeting_date: None,
    } = &command
    {
        return imports::dry_run(files, *format);
    }
    if let Command::Clusters { action } = command {
        return clusters::run(action.unwrap_or(ClustersAction::List));
    }
    // `.env` in this directory or a parent, as documented; the environment wins.
    if let Err(error) = dotenvy::dotenv() {
        if !error.not_found() {
            anyhow::bail!("reading .env: {error}");
        }
    }
    let config = Config::from_env();
    logging::init(config.as_ref().map_or(LogFormat::Text, |c| c.log_format));
    let config = config?;
    notice_earlier_data_dir(&config);
    // The address first: with it taken, fail before starting (or creating) a cluster.
    let listener = match command {
        Command::Serve => Some(server::bind(&config)?),
        _ => None,
    };
    actix_web::rt::System::new().block_on(async move {
        let database = Database::open(&config).await?;
        let result = match command {
            Command::Serve => match listener {
                Some(listener) => server::serve(config, &database, listener).await,
                None => unreachable!("bound above"),
            },
            Command::Migrate { revert_all, yes } => migrations::migrate(&database, revert_all, yes).await,
            Command::SeedDemo => imports::seed_demo(&config, &database).await,
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
            Command::Import {
                format,
                files,
                dry_run,
                meeting_id,
                meeting_date,
            } => {
                let query = crate::routes::imports::ImportQuery {
                    dry_run: Some(dry_run),
                    meeting_id,
                    meeting_date,
                };
                imports::import_files(&config, &database, &files, format, &query).await
            }
            Command::ImportPlan {
                programme,
                commit,
                mapping,
                statuses,
                format,
                file,
            } => {
                let args = plans::ImportPlan {
                    programme,
                    file,
                    commit,
                    mapping,
                    statuses,
                    format,
                };
                plans::import_plan(&config, &database, args).await
            }
            Command::SyncMeetings {
                moderngov_url,
                committee_id,
                from,
                to,
                panel,
                dry_run,
                timeout,
                agendas,
            } => {
                let args = meetings::SyncMeetings {
                    moderngov_url,
                    committee_id,
                    from,
                    to,
                    panel,
                    dry_run,
                    timeout,
                    agendas,
                };
                meetings::sync(&config, &database, args).await
            }
            Command::Openapi | Command::Clusters { .. } => unreachable!("handled above"),
        };
        database.close();
        result
    })
}

/// Earlier versions kept their data in `./.data` of whatever directory they ran in:
/// when that is here and unused now, says how to keep using it.
fn notice_earlier_data_dir(config: &Config) {
    let earlier = std::path::Path::new(".data");
    if config.database_url.is_none()
        && std::env::var_os("SCRUTINY_DATA_DIR").is_none()
        && earlier.join("admin-password").exists()
    {
        log::warn!(
            "./.data holds the data of an earlier version, which kept it in the current directory; \
             this one uses {} from any directory: to keep using ./.data, set SCRUTINY_DATA_DIR=$PWD/.data \
             (in .env, say)",
            config.data_dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn every_command(command: &clap::Command) -> Vec<&clap::Command> {
        let mut all = vec![command];
        for sub in command.get_subcommands() {
            all.extend(every_command(sub));
        }
        all
    }

    #[test]
    fn every_command_and_option_has_help_text() {
        let cli = Cli::command();
        for command in every_command(&cli) {
            assert!(command.get_about().is_some(), "`{}` has no help", command.get_name());
            for arg in command.get_arguments() {
                if matches!(arg.get_id().as_str(), "help" | "version") {
                    continue;
                }
                assert!(
                    arg.get_help().is_some(),
                    "`{} --{}` has no help",
                    command.get_name(),
                    arg.get_id()
                );
            }
        }
    }

    #[test]
    fn every_role_option_lists_the_roles() {
        let cli = Cli::command();
        let names: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        let mut seen = 0;
        for command in every_command(&cli) {
            for arg in command.get_arguments().filter(|arg| arg.get_long() == Some("role")) {
                let listed: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|value| value.get_name().to_string())
                    .collect();
                assert_eq!(listed, names, "`{} --role`", command.get_name());
                seen += 1;
            }
        }
        assert_eq!(seen, 3, "create-user, create-client and issue-token take --role");
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
