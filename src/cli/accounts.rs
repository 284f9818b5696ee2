//! `scrutiny create-user`, `create-client` and `issue-token`: the accounts and tokens
//! an operator makes from the shell, and the first `admin` of a zero-config run.
//!
//! These are the ways into the API that do not themselves need a signed-in account:
//! each checks its arguments with the same domain rules as the API (reporting a field
//! by its option name, `--display-name`), writes through the same repository, and is
//! recorded in the audit log as done by the command line.

use anyhow::Context;

use super::migrations::admin_conn;
use super::output::outln;
use crate::auth::{hash_secret, random_token, signing_secret, Authenticator};
use crate::config::Config;
use crate::db::{self, Database};
use crate::domain::auth::Actor;
use crate::domain::auth::Subject;
use crate::domain::auth::{parse_roles, DisplayName, Password, Role, Username};
use crate::domain::organisation::OrganisationId;
use crate::repo::accounts;

/// The password for `create-user`: the `--password` argument, or the first line of
/// standard input with `--password-stdin`.
pub(super) fn password_from(password: Option<String>, password_stdin: bool) -> anyhow::Result<String> {
    match (password, password_stdin) {
        (_, true) => read_stdin_line(),
        (Some(password), false) => Ok(password),
        (None, false) => anyhow::bail!("--password or --password-stdin is required"),
    }
}

/// The first line of standard input, without its line ending.
fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A domain rule's complaint about a field, named as the option it came from
/// (`display_name` as `--display-name`).
fn field_error(error: crate::error::FieldError) -> anyhow::Error {
    anyhow::anyhow!("--{}: {}", error.field.replace('_', "-"), error.message)
}

/// Checks that `--organisation`, when given, names an organisation that exists.
async fn require_organisation(conn: &mut db::DbConn, organisation: Option<OrganisationId>) -> anyhow::Result<()> {
    if let Some(organisation) = organisation {
        crate::repo::organisations::require_exists(conn, organisation, "organisation")
            .await
            .map_err(|e| anyhow::anyhow!("--organisation: {e}"))?;
    }
    Ok(())
}

/// `scrutiny create-user`: checks the arguments, creates the user and prints its id,
/// username and roles as JSON.
pub(super) async fn create_user(
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
    require_organisation(&mut conn, organisation).await?;
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
    outln!(
        "{}",
        serde_json::json!({"id": row.id, "username": row.username, "roles": row.roles})
    );
    Ok(())
}

/// `scrutiny create-client`: creates the client with a fresh client id and secret, and
/// prints them as JSON (the secret is shown only this once).
pub(super) async fn create_client(
    config: &Config,
    database: &Database,
    name: String,
    roles: Vec<Role>,
    organisation: Option<OrganisationId>,
) -> anyhow::Result<()> {
    let name = DisplayName::parse("name", &name).map_err(field_error)?;
    let roles = parse_roles("role", &roles).map_err(field_error)?;
    let mut conn = admin_conn(config, database).await?;
    require_organisation(&mut conn, organisation).await?;
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
    outln!(
        "{}",
        serde_json::json!({"id": row.id, "name": row.name, "client_id": row.client_id, "client_secret": secret})
    );
    Ok(())
}

/// `scrutiny issue-token`: signs a token for the subject (an account when it is written
/// `user:<id>` or `client:<id>`), records that in the audit log and prints the token.
pub(super) async fn issue_token(
    config: &Config,
    database: &Database,
    subject: String,
    roles: Vec<Role>,
    organisation: Option<OrganisationId>,
    ttl: Option<u64>,
) -> anyhow::Result<()> {
    let authenticator = Authenticator::new(&config.auth, &signing_secret(config)?)?;
    let subject = Subject::parse(&subject);
    let mut conn = admin_conn(config, database).await?;
    // A token for one of this service's accounts carries its current credentials
    // generation, or it would never verify.
    let generation = crate::repo::accounts::current(&mut conn, &subject)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_or(0, |account| account.credentials_generation);
    let token = authenticator.issue(&subject, &roles, organisation, generation, ttl)?;
    let detail = serde_json::json!({
        "subject": subject.claim(),
        "roles": roles,
        "organisation_id": organisation,
        "expires_in": token.expires_in,
    });
    crate::repo::changelog::note(
        &mut conn,
        &Actor::system("cli"),
        "auth.token_issued",
        "token",
        None,
        Some(&detail),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    outln!("{}", token.token);
    Ok(())
}

/// In the zero-config run, makes sure someone can sign in: with no users at all, creates
/// `admin` with a random password kept (mode 0600) in the data directory, and says where.
pub(super) async fn first_admin(config: &Config, database: &Database) -> anyhow::Result<()> {
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
