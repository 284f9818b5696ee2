//! The command line: `scrutiny [serve]`, `scrutiny migrate`, `scrutiny openapi`,
//! `scrutiny seed-demo`, `scrutiny import`, and the account commands.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::auth::{hash_secret, random_token, signing_secret, Authenticator};
use crate::config::{redact_url, Config, LogFormat};
use crate::db::{self, Database};
use crate::domain::auth::Actor;
use crate::domain::auth::Subject;
use crate::domain::auth::{parse_roles, DisplayName, Password, Role, Username};
use crate::domain::organisation::OrganisationId;
use crate::repo::accounts;
use crate::startup::Application;

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
        let reports = files.iter().map(|file| dry_run_file(file)).collect();
        return summarise_imports(reports, *format);
    }
    let config = Config::from_env();
    init_logging(config.as_ref().map_or(LogFormat::Text, |c| c.log_format));
    let config = config?;
    actix_web::rt::System::new().block_on(async move {
        let database = Database::open(&config).await?;
        let result = match command {
            Command::Serve => serve(config, &database).await,
            Command::Migrate { revert_all: false } => db::migrate(&database.url).await.map(|applied| {
                log::info!("{applied} migration(s) applied");
            }),
            Command::Migrate { revert_all: true } => db::revert_all(&database.url).await.map(|reverted| {
                log::info!("{reverted} migration(s) reverted");
            }),
            Command::SeedDemo => seed(&config, &database).await.map(|_| ()),
            Command::CreateUser {
                username,
                password,
                password_stdin,
                display_name,
                roles,
                organisation,
            } => {
                let password = match (password, password_stdin) {
                    (_, true) => read_stdin_line()?,
                    (Some(password), false) => password,
                    (None, false) => anyhow::bail!("--password or --password-stdin is required"),
                };
                create_user(
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
            } => create_client(&config, &database, name, roles, organisation).await,
            Command::IssueToken {
                subject,
                roles,
                organisation,
                ttl,
            } => issue_token(&config, &database, subject, roles, organisation, ttl).await,
            Command::Import { format, files, .. } => import_files(&config, &database, &files, format).await,
            Command::Openapi => unreachable!("handled above"),
        };
        database.close();
        result
    })
}

fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A connection for a one-off command, after making sure the schema is current.
async fn admin_conn(config: &Config, database: &Database) -> anyhow::Result<db::DbConn> {
    db::migrate(&database.url).await?;
    let _ = config;
    db::connect(&database.url).await
}

fn field_error(error: crate::error::FieldError) -> anyhow::Error {
    anyhow::anyhow!("--{}: {}", error.field.replace('_', "-"), error.message)
}

async fn create_user(
    config: &Config,
    database: &Database,
    username: String,
    password: String,
    display_name: Option<String>,
    roles: Vec<Role>,
    organisation: Option<OrganisationId>,
) -> anyhow::Result<()> {
    let username = Username::parse("username", &username).map_err(field_error)?;
    let display_name = DisplayName::parse("display_name", display_name.as_deref().unwrap_or(username.as_str()))
        .map_err(field_error)?;
    let password = Password::parse("password", &password).map_err(field_error)?;
    let roles = parse_roles("role", &roles).map_err(field_error)?;
    let mut conn = admin_conn(config, database).await?;
    if let Some(organisation) = organisation {
        crate::repo::organisations::require_exists(&mut conn, organisation, "organisation")
            .await
            .map_err(|e| anyhow::anyhow!("--organisation: {e}"))?;
    }
    let password_hash = hash_secret(password.expose())?;
    let row = accounts::insert_user(
        &mut conn,
        &Actor::system("cli"),
        accounts::NewUser {
            username: username.as_str().to_string(),
            display_name: display_name.into_inner(),
            password_hash,
            roles,
            organisation_id: organisation,
            is_active: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{}",
        serde_json::json!({"id": row.id, "username": row.username, "roles": row.roles})
    );
    Ok(())
}

async fn create_client(
    config: &Config,
    database: &Database,
    name: String,
    roles: Vec<Role>,
    organisation: Option<OrganisationId>,
) -> anyhow::Result<()> {
    let name = DisplayName::parse("name", &name).map_err(field_error)?;
    let roles = parse_roles("role", &roles).map_err(field_error)?;
    let mut conn = admin_conn(config, database).await?;
    if let Some(organisation) = organisation {
        crate::repo::organisations::require_exists(&mut conn, organisation, "organisation")
            .await
            .map_err(|e| anyhow::anyhow!("--organisation: {e}"))?;
    }
    let secret = random_token(43);
    let row = accounts::insert_client(
        &mut conn,
        &Actor::system("cli"),
        accounts::NewClient {
            name: name.into_inner(),
            client_id: format!("cli_{}", random_token(20)),
            secret_hash: hash_secret(&secret)?,
            roles,
            organisation_id: organisation,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{}",
        serde_json::json!({"id": row.id, "name": row.name, "client_id": row.client_id, "client_secret": secret})
    );
    Ok(())
}

async fn issue_token(
    config: &Config,
    database: &Database,
    subject: String,
    roles: Vec<Role>,
    organisation: Option<OrganisationId>,
    ttl: Option<u64>,
) -> anyhow::Result<()> {
    let authenticator = Authenticator::new(&config.auth, &signing_secret(config)?)?;
    let subject = Subject::Other(subject);
    let subject = match subject.claim().split_once(':') {
        Some(("user", id)) => id.parse().map(Subject::User).unwrap_or(subject),
        Some(("client", id)) => id.parse().map(Subject::Client).unwrap_or(subject),
        _ => subject,
    };
    let token = authenticator.issue(&subject, &roles, organisation, ttl)?;
    let mut conn = admin_conn(config, database).await?;
    let detail = serde_json::json!({
        "subject": subject.claim(),
        "roles": roles,
        "organisation_id": organisation,
        "expires_in": token.expires_in,
    });
    crate::repo::audit::record(
        &mut conn,
        &Actor::system("cli"),
        "auth.token_issued",
        "token",
        None,
        None,
        Some(&detail),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{}", token.token);
    Ok(())
}

/// What `scrutiny import` did with one file.
#[derive(Debug, Serialize)]
struct ImportReport {
    file: String,
    /// `created`, `already_imported`, `failed`, or `parsed` (a dry run).
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    question_id: Option<crate::domain::question::QuestionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_id: Option<crate::domain::question::ResponseId>,
    /// Why it failed, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Why it failed, field by field (the document's fields, as in the API's 422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<crate::error::FieldError>,
    /// What was read (dry runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<crate::routes::imports::ImportedDocument>,
    warnings: Vec<crate::import::ParseWarning>,
}

impl ImportReport {
    fn new(file: &std::path::Path, outcome: &'static str) -> Self {
        Self {
            file: file.display().to_string(),
            outcome,
            question_id: None,
            reference: None,
            response_id: None,
            reason: None,
            errors: Vec::new(),
            document: None,
            warnings: Vec::new(),
        }
    }

    fn failed(file: &std::path::Path, reason: impl Into<String>, errors: Vec<crate::error::FieldError>) -> Self {
        Self {
            reason: Some(reason.into()),
            errors,
            ..Self::new(file, "failed")
        }
    }
}

/// Why a file cannot be imported: in one line, and field by field when that is known.
type Failure = (String, Vec<crate::error::FieldError>);

/// Reads `file` and prepares its import.
fn prepare_file(file: &std::path::Path) -> Result<crate::import::Prepared, Failure> {
    let bytes = std::fs::read(file).map_err(|e| (format!("cannot read it: {e}"), vec![]))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        (
            format!(
                "it is not UTF-8 text (byte {} is not valid UTF-8); convert it first, with \
                 `iconv -f WINDOWS-1252 -t UTF-8` for instance",
                e.utf8_error().valid_up_to()
            ),
            vec![],
        )
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::import::prepare(&text, &name, crate::routes::imports::london_today())
        .map_err(|e| (e.to_string(), e.errors()))
}

fn dry_run_file(file: &std::path::Path) -> ImportReport {
    match prepare_file(file) {
        Ok(prepared) => ImportReport {
            document: Some(crate::routes::imports::ImportedDocument::from_prepared(&prepared)),
            warnings: prepared.document.warnings,
            ..ImportReport::new(file, "parsed")
        },
        Err((reason, errors)) => ImportReport::failed(file, reason, errors),
    }
}

/// `scrutiny import`: each file in a transaction of its own, so one bad file costs
/// only itself.
async fn import_files(
    config: &Config,
    database: &Database,
    files: &[PathBuf],
    format: ImportFormat,
) -> anyhow::Result<()> {
    let mut conn = admin_conn(config, database).await?;
    let actor = Actor::system("cli");
    let mut reports = Vec::new();
    for file in files {
        let prepared = match prepare_file(file) {
            Ok(prepared) => prepared,
            Err((reason, errors)) => {
                reports.push(ImportReport::failed(file, reason, errors));
                continue;
            }
        };
        let source = crate::repo::questions::Source {
            name: &prepared.source_name,
            hash: &prepared.document.content_hash,
        };
        let stored =
            crate::repo::imports::store(&mut conn, &actor, &prepared.question, &prepared.response, source).await;
        let report = match stored {
            Ok(crate::repo::imports::Stored::Created { question, response }) => ImportReport {
                question_id: Some(question.row.id),
                reference: Some(question.row.reference),
                response_id: Some(response.row.id),
                ..ImportReport::new(file, "created")
            },
            Ok(crate::repo::imports::Stored::AlreadyImported(question)) => ImportReport {
                question_id: Some(question.id),
                reference: Some(question.reference),
                ..ImportReport::new(file, "already_imported")
            },
            Err(error) => ImportReport::failed(file, format!("{error:#}"), vec![]),
        };
        reports.push(ImportReport {
            warnings: prepared.document.warnings,
            ..report
        });
    }
    summarise_imports(reports, format)
}

/// Prints the reports; an error (so a non-zero exit) when any file failed.
fn summarise_imports(reports: Vec<ImportReport>, format: ImportFormat) -> anyhow::Result<()> {
    match format {
        ImportFormat::Json => println!("{}", serde_json::to_string_pretty(&reports)?),
        ImportFormat::Text => {
            for report in &reports {
                let reference = report.reference.as_deref().unwrap_or_default();
                match report.outcome {
                    "created" => println!("created {reference} {}", report.file),
                    "already_imported" => println!("already imported {reference} {}", report.file),
                    "parsed" => match &report.document {
                        Some(document) => println!(
                            "parsed {}: asked {}, answered {} by {} ({})",
                            report.file,
                            document.asked_on,
                            document.responded_on,
                            document.author_name,
                            document.author_position
                        ),
                        None => println!("parsed {}", report.file),
                    },
                    _ => println!(
                        "failed {}: {}",
                        report.file,
                        report.reason.as_deref().unwrap_or("unknown")
                    ),
                }
                for warning in &report.warnings {
                    println!("  warning: {}: {}", warning.field, warning.message);
                }
            }
        }
    }
    let failed = reports.iter().filter(|r| r.outcome == "failed").count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} file(s) could not be imported", reports.len());
    }
    Ok(())
}

/// In the zero-config run, makes sure someone can sign in: with no users at all, creates
/// `admin` with a random password kept (mode 0600) in the data directory, and says where.
async fn first_admin(config: &Config, database: &Database) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut conn = db::connect(&database.url).await?;
    if accounts::count_users(&mut conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        > 0
    {
        return Ok(());
    }
    let password = random_token(24);
    let path = config.data_dir.join("admin-password");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{password}")?;
    accounts::insert_user(
        &mut conn,
        &Actor::system("first-run"),
        accounts::NewUser {
            username: "admin".into(),
            display_name: "Administrator".into(),
            password_hash: hash_secret(&password)?,
            roles: vec![Role::Admin],
            organisation_id: None,
            is_active: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    log::info!(
        "created the user `admin`; its password is in {} (sign in with Swagger UI's Authorize button)",
        path.display()
    );
    Ok(())
}

async fn seed(config: &Config, database: &Database) -> anyhow::Result<bool> {
    db::migrate(&database.url).await?;
    let pool = db::pool(&database.url, 1, config.db_timeout)?;
    let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    crate::seed::demo(&mut conn).await
}

/// `RUST_LOG` filtering as usual; with `SCRUTINY_LOG_FORMAT=json`, one JSON object per
/// line (time, level, target, message and the record's fields: request id, route,
/// status, latency), for log shippers.
fn init_logging(format: LogFormat) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info,actix_server=warn"));
    if format == LogFormat::Json {
        builder.format(|out, record| {
            use std::io::Write;
            struct Fields(serde_json::Map<String, serde_json::Value>);
            impl<'kvs> log::kv::VisitSource<'kvs> for Fields {
                fn visit_pair(
                    &mut self,
                    key: log::kv::Key<'kvs>,
                    value: log::kv::Value<'kvs>,
                ) -> Result<(), log::kv::Error> {
                    let value = if let Some(n) = value.to_u64() {
                        serde_json::json!(n)
                    } else if let Some(n) = value.to_f64() {
                        serde_json::json!(n)
                    } else {
                        serde_json::json!(value.to_string())
                    };
                    self.0.insert(key.to_string(), value);
                    Ok(())
                }
            }
            let mut fields = Fields(serde_json::Map::new());
            fields.0.insert("time".into(), chrono::Utc::now().to_rfc3339().into());
            fields.0.insert("level".into(), record.level().as_str().into());
            fields.0.insert("target".into(), record.target().into());
            fields.0.insert("message".into(), record.args().to_string().into());
            let _ = record.key_values().visit(&mut fields);
            writeln!(out, "{}", serde_json::Value::Object(fields.0))
        });
    }
    builder.init();
}

/// Serves the API. The server starts answering at once (503 on the API and on
/// `/health/ready` while migrations run), and on SIGTERM or SIGINT it first reports
/// unready for `SCRUTINY_SHUTDOWN_GRACE_SECS`, then stops accepting connections and
/// finishes in-flight requests.
async fn serve(config: Config, database: &Database) -> anyhow::Result<()> {
    let pool = db::pool(&database.url, config.pool_size, config.db_timeout)?;
    let app = Application::build(config.clone(), pool)?;
    let readiness = app.readiness();
    let handle = app.handle();
    readiness.set_migrating(true);
    log::info!(
        "serving on http://{}:{}/ (Swagger UI at /swagger-ui/)",
        config.addr.ip(),
        app.port()
    );
    let server = actix_web::rt::spawn(app.run_until_stopped());

    let prepared = async {
        let applied = db::migrate(&database.url).await.context("migrating the database")?;
        log::info!(
            "database {} ready ({applied} migration(s) applied)",
            redact_url(&database.url)
        );
        if database.cluster.is_some() {
            if seed(&config, database).await? {
                log::info!("loaded the demo story into the empty database");
            }
            first_admin(&config, database).await?;
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(error) = prepared {
        handle.stop(false).await;
        return Err(error);
    }
    readiness.set_migrating(false);

    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
    actix_web::rt::spawn(async move {
        shutdown_signal().await;
        log::info!(
            "shutting down: unready for {}s, then finishing in-flight requests",
            grace.as_secs()
        );
        readiness.begin_shutdown();
        actix_web::rt::time::sleep(grace).await;
        handle.stop(true).await;
    });
    server.await??;
    log::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut terminate), Ok(mut interrupt)) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
