//! Users (people) and API clients (systems): the accounts that tokens speak for.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::audit;
use crate::db::schema::{api_clients, users};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::auth::Subject;
use crate::domain::auth::{ApiClientId, Role, UserId};
use crate::domain::organisation::OrganisationId;
use crate::domain::version::IfMatch;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// What every request re-checks about the account behind its token.
#[derive(Debug, Queryable)]
pub struct AccountState {
    pub is_active: bool,
    pub roles: Vec<String>,
    pub organisation_id: Option<OrganisationId>,
}

/// The current state of the account `subject` names, if it is one of ours and exists.
pub async fn current(conn: &mut DbConn, subject: &Subject) -> Result<Option<AccountState>, ApiError> {
    Ok(match subject {
        Subject::User(id) => users::table
            .find(id)
            .select((users::is_active, users::roles, users::organisation_id))
            .first(conn)
            .await
            .optional()?,
        Subject::Client(id) => api_clients::table
            .find(id)
            .select((api_clients::is_active, api_clients::roles, api_clients::organisation_id))
            .first(conn)
            .await
            .optional()?,
        Subject::Other(_) => None,
    })
}

/// A user as stored. The password hash is never serialised (not even into the audit log).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub roles: Vec<String>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An API client as stored. The secret hash is never serialised.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = api_clients, check_for_backend(diesel::pg::Pg))]
pub struct ClientRow {
    pub id: ApiClientId,
    pub name: String,
    pub client_id: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub roles: Vec<String>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// A new user, validated, with its password already hashed.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: bool,
}

/// Changes to a user; `None` leaves a field as it is. `organisation_id: Some(None)`
/// removes the organisation.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub organisation_id: Option<Option<OrganisationId>>,
    pub is_active: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangesRow {
    display_name: Option<String>,
    password_hash: Option<String>,
    roles: Option<Vec<String>>,
    organisation_id: Option<Option<OrganisationId>>,
    is_active: Option<bool>,
    updated_at: DateTime<Utc>,
    version: i32,
}

pub async fn insert_user(conn: &mut DbConn, actor: &Actor, new: NewUser) -> Result<UserRow, ApiError> {
    conn.transaction(async |conn| {
        let row: UserRow = diesel::insert_into(users::table)
            .values((
                users::id.eq(UserId::generate()),
                users::username.eq(&new.username),
                users::display_name.eq(&new.display_name),
                users::password_hash.eq(&new.password_hash),
                users::roles.eq(role_names(&new.roles)),
                users::organisation_id.eq(new.organisation_id),
                users::is_active.eq(new.is_active),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(conn, actor, "user.created", "user", Some(row.id.0), None, Some(&row)).await?;
        Ok(row)
    })
    .await
}

pub async fn find_user(conn: &mut DbConn, id: UserId) -> Result<UserRow, ApiError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("No user has id {id}")))
}

/// The user with `username`, ignoring letter case.
pub async fn find_user_by_username(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(username) = lower(")
                .bind::<diesel::sql_types::Text, _>(username)
                .sql(")"),
        )
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// How many users exist (the first run creates an admin when there are none).
pub async fn count_users(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(users::table.count().get_result(conn).await?)
}

/// Filters shared by the user and client lists.
#[derive(Debug, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: Option<bool>,
}

pub async fn list_users(
    conn: &mut DbConn,
    filter: &AccountFilter,
    page: &PageRequest,
) -> Result<(Vec<UserRow>, Option<Cursor>), ApiError> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(users::id.gt(UserId(after.id)));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::roles.contains(vec![role.as_str().to_string()]));
    }
    if let Some(organisation) = filter.organisation_id {
        query = query.filter(users::organisation_id.eq(organisation));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(users::is_active.eq(active));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_id(row.id.0)))
}

pub async fn update_user(
    conn: &mut DbConn,
    actor: &Actor,
    id: UserId,
    if_match: &IfMatch,
    changes: UserChanges,
) -> Result<UserRow, ApiError> {
    conn.transaction(async |conn| {
        let before = users::table
            .find(id)
            .select(UserRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::not_found(format!("No user has id {id}")))?;
        if_match.check_version(before.version)?;
        let after: UserRow = diesel::update(users::table.find(id))
            .set(UserChangesRow {
                display_name: changes.display_name,
                password_hash: changes.password_hash,
                roles: changes.roles.as_deref().map(role_names),
                organisation_id: changes.organisation_id,
                is_active: changes.is_active,
                updated_at: Utc::now(),
                version: before.version + 1,
            })
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            actor,
            "user.updated",
            "user",
            Some(id.0),
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// A new API client, validated, with its secret already hashed.
#[derive(Debug)]
pub struct NewClient {
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
}

/// Changes to an API client; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub secret_hash: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub organisation_id: Option<Option<OrganisationId>>,
    pub is_active: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = api_clients)]
struct ClientChangesRow {
    name: Option<String>,
    secret_hash: Option<String>,
    roles: Option<Vec<String>>,
    organisation_id: Option<Option<OrganisationId>>,
    is_active: Option<bool>,
    updated_at: DateTime<Utc>,
    version: i32,
}

pub async fn insert_client(conn: &mut DbConn, actor: &Actor, new: NewClient) -> Result<ClientRow, ApiError> {
    conn.transaction(async |conn| {
        let row: ClientRow = diesel::insert_into(api_clients::table)
            .values((
                api_clients::id.eq(ApiClientId::generate()),
                api_clients::name.eq(&new.name),
                api_clients::client_id.eq(&new.client_id),
                api_clients::secret_hash.eq(&new.secret_hash),
                api_clients::roles.eq(role_names(&new.roles)),
                api_clients::organisation_id.eq(new.organisation_id),
            ))
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            actor,
            "client.created",
            "client",
            Some(row.id.0),
            None,
            Some(&row),
        )
        .await?;
        Ok(row)
    })
    .await
}

pub async fn find_client(conn: &mut DbConn, id: ApiClientId) -> Result<ClientRow, ApiError> {
    api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("No API client has id {id}")))
}

pub async fn find_client_by_client_id(conn: &mut DbConn, client_id: &str) -> Result<Option<ClientRow>, ApiError> {
    Ok(api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_clients(
    conn: &mut DbConn,
    filter: &AccountFilter,
    page: &PageRequest,
) -> Result<(Vec<ClientRow>, Option<Cursor>), ApiError> {
    let mut query = api_clients::table
        .select(ClientRow::as_select())
        .order(api_clients::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(api_clients::id.gt(ApiClientId(after.id)));
    }
    if let Some(role) = filter.role {
        query = query.filter(api_clients::roles.contains(vec![role.as_str().to_string()]));
    }
    if let Some(organisation) = filter.organisation_id {
        query = query.filter(api_clients::organisation_id.eq(organisation));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(api_clients::is_active.eq(active));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_id(row.id.0)))
}

/// Applies `changes` (`action` names them in the audit log: `client.updated`,
/// `client.secret_rotated`).
pub async fn update_client(
    conn: &mut DbConn,
    actor: &Actor,
    id: ApiClientId,
    if_match: &IfMatch,
    changes: ClientChanges,
    action: &str,
) -> Result<ClientRow, ApiError> {
    conn.transaction(async |conn| {
        let before = api_clients::table
            .find(id)
            .select(ClientRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::not_found(format!("No API client has id {id}")))?;
        if_match.check_version(before.version)?;
        let after: ClientRow = diesel::update(api_clients::table.find(id))
            .set(ClientChangesRow {
                name: changes.name,
                secret_hash: changes.secret_hash,
                roles: changes.roles.as_deref().map(role_names),
                organisation_id: changes.organisation_id,
                is_active: changes.is_active,
                updated_at: Utc::now(),
                version: before.version + 1,
            })
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(conn, actor, action, "client", Some(id.0), Some(&before), Some(&after)).await?;
        Ok(after)
    })
    .await
}

/// Records a login attempt in the audit log (never with the password).
pub async fn record_login(
    conn: &mut DbConn,
    actor: &Actor,
    succeeded: bool,
    resource_type: &str,
    resource_id: Option<uuid::Uuid>,
    name: &str,
) -> Result<(), ApiError> {
    let action = if succeeded {
        "auth.login_succeeded"
    } else {
        "auth.login_failed"
    };
    let detail = serde_json::json!({ "name": name });
    audit::record(conn, actor, action, resource_type, resource_id, None, Some(&detail)).await
}
