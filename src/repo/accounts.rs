//! Users (people) and API clients (systems): the accounts that tokens speak for.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::versioned::{self, Versioned as _};
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
    /// Tokens issued under another generation no longer verify.
    pub credentials_generation: i32,
}

/// The current state of the account `subject` names, if it is one of ours and exists.
pub async fn current(conn: &mut DbConn, subject: &Subject) -> Result<Option<AccountState>, ApiError> {
    Ok(match subject {
        Subject::User(id) => users::table
            .find(id)
            .select((
                users::is_active,
                users::roles,
                users::organisation_id,
                users::credentials_generation,
            ))
            .first(conn)
            .await
            .optional()?,
        Subject::Client(id) => api_clients::table
            .find(id)
            .select((
                api_clients::is_active,
                api_clients::roles,
                api_clients::organisation_id,
                api_clients::credentials_generation,
            ))
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
    /// Incremented by a new password or secret and by deactivation: tokens carry the
    /// generation they were issued under, and stop verifying when it moves on.
    pub credentials_generation: i32,
}

crate::logged_row!(UserRow, "user", |row| row.id.0);
crate::versioned_row!(UserRow, "user", users, UserId);

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
    /// Incremented by a new password or secret and by deactivation: tokens carry the
    /// generation they were issued under, and stop verifying when it moves on.
    pub credentials_generation: i32,
}

crate::logged_row!(ClientRow, "client", |row| row.id.0);
crate::versioned_row!(ClientRow, "API client", api_clients, ApiClientId);

fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// A 422 naming `organisation_id` unless the organisation an account is given exists.
async fn require_organisation(conn: &mut DbConn, organisation: Option<OrganisationId>) -> Result<(), ApiError> {
    match organisation {
        Some(id) => super::organisations::require_exists(conn, id, "organisation_id").await,
        None => Ok(()),
    }
}

/// Filters shared by the user and client lists.
#[derive(Debug, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: Option<bool>,
}

/// Changes to a user or an API client; `None` leaves a field as it is.
/// `organisation_id: Some(None)` removes the organisation.
#[derive(Debug, Default)]
pub struct AccountChanges {
    /// A user's display name, a client's name.
    pub name: Option<String>,
    /// A user's new password hash, a client's new secret hash.
    pub secret_hash: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub organisation_id: Option<Option<OrganisationId>>,
    pub is_active: Option<bool>,
}

/// What a user and a client share, written once for each table: its list under an
/// [`AccountFilter`], reading one, and its one versioned change. `$name` and `$secret`
/// are the table's columns for [`AccountChanges::name`] and
/// [`AccountChanges::secret_hash`].
macro_rules! account_queries {
    ($table:ident, $row:ty, $id:ident, $name:ident, $secret:ident, $list:ident, $find:ident, $update:ident) => {
        /// One page of accounts under `filter`, oldest first.
        pub async fn $list(
            conn: &mut DbConn,
            filter: &AccountFilter,
            page: &PageRequest,
        ) -> Result<(Vec<$row>, Option<Cursor>), ApiError> {
            let mut query = $table::table
                .select(<$row>::as_select())
                .order($table::id.asc())
                .limit(page.fetch())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter($table::id.gt($id(after.id)));
            }
            if let Some(role) = filter.role {
                query = query.filter($table::roles.contains(vec![role.as_str().to_string()]));
            }
            if let Some(organisation) = filter.organisation_id {
                query = query.filter($table::organisation_id.eq(organisation));
            }
            if let Some(active) = filter.is_active {
                query = query.filter($table::is_active.eq(active));
            }
            let rows = query.load(conn).await?;
            Ok(page.finish(rows, |row| Cursor::by_id(row.id.0)))
        }

        pub async fn $find(conn: &mut DbConn, id: $id) -> Result<$row, ApiError> {
            versioned::find(conn, id).await
        }

        /// Applies `changes` (`action` names them in the audit log) if the caller's
        /// `If-Match` (if any) names the current version. An organisation given must
        /// exist (422, before anything else is checked).
        pub async fn $update(
            conn: &mut DbConn,
            actor: &Actor,
            action: &str,
            id: $id,
            if_match: &IfMatch,
            changes: AccountChanges,
        ) -> Result<$row, ApiError> {
            conn.transaction(async |conn| {
                if let Some(organisation) = changes.organisation_id {
                    require_organisation(conn, organisation).await?;
                }
                let before: $row = versioned::lock(conn, id, if_match).await?;
                // A new password or secret, or a deactivation, retires every token
                // issued before it (reactivating an account does not revive them).
                let retires_tokens = changes.secret_hash.is_some() || changes.is_active == Some(false);
                let after: $row = diesel::update($table::table.find(id))
                    .set((
                        changes.name.map(|name| $table::$name.eq(name)),
                        changes.secret_hash.map(|hash| $table::$secret.eq(hash)),
                        changes.roles.map(|roles| $table::roles.eq(role_names(&roles))),
                        changes
                            .organisation_id
                            .map(|organisation| $table::organisation_id.eq(organisation)),
                        changes.is_active.map(|active| $table::is_active.eq(active)),
                        retires_tokens.then(|| $table::credentials_generation.eq($table::credentials_generation + 1)),
                        $table::updated_at.eq(Utc::now()),
                        $table::version.eq(before.next_version()),
                    ))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
                    .await?;
                changelog::record(conn, actor, action, Some(&before), Some(&after)).await?;
                Ok(after)
            })
            .await
        }
    };
}

account_queries!(
    users,
    UserRow,
    UserId,
    display_name,
    password_hash,
    list_users,
    find_user,
    update_user
);
account_queries!(
    api_clients,
    ClientRow,
    ApiClientId,
    name,
    secret_hash,
    list_clients,
    find_client,
    update_client
);

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

/// Runs `insert`, the statement creating an account, with what every new account
/// needs, inside the caller's transaction: the organisation it is given (if any) must
/// exist (422, before anything is written), and its audit record `action` is written
/// with it. (The transaction is the caller's because only for a concrete row type can
/// the compiler see that the audit snapshot may cross threads.)
async fn create_account<R, Q>(
    conn: &mut DbConn,
    actor: &Actor,
    organisation: Option<OrganisationId>,
    action: &str,
    insert: Q,
) -> Result<R, ApiError>
where
    Q: LoadQuery<'static, DbConn, R> + Send + 'static,
    R: changelog::Logged + Send + 'static,
{
    require_organisation(conn, organisation).await?;
    let row: R = insert.get_result(conn).await?;
    changelog::record(conn, actor, action, None, Some(&row)).await?;
    Ok(row)
}

/// Creates a user; an organisation given must exist (422).
pub async fn insert_user(conn: &mut DbConn, actor: &Actor, new: NewUser) -> Result<UserRow, ApiError> {
    let insert = diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::generate()),
            users::username.eq(new.username),
            users::display_name.eq(new.display_name),
            users::password_hash.eq(new.password_hash),
            users::roles.eq(role_names(&new.roles)),
            users::organisation_id.eq(new.organisation_id),
            users::is_active.eq(new.is_active),
        ))
        .returning(UserRow::as_returning());
    let organisation = new.organisation_id;
    conn.transaction(async move |conn| create_account(conn, actor, organisation, "user.created", insert).await)
        .await
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

/// A new API client, validated, with its secret already hashed.
#[derive(Debug)]
pub struct NewClient {
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
}

/// Creates an API client; an organisation given must exist (422).
pub async fn insert_client(conn: &mut DbConn, actor: &Actor, new: NewClient) -> Result<ClientRow, ApiError> {
    let insert = diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(ApiClientId::generate()),
            api_clients::name.eq(new.name),
            api_clients::client_id.eq(new.client_id),
            api_clients::secret_hash.eq(new.secret_hash),
            api_clients::roles.eq(role_names(&new.roles)),
            api_clients::organisation_id.eq(new.organisation_id),
        ))
        .returning(ClientRow::as_returning());
    let organisation = new.organisation_id;
    conn.transaction(async move |conn| create_account(conn, actor, organisation, "client.created", insert).await)
        .await
}

pub async fn find_client_by_client_id(conn: &mut DbConn, client_id: &str) -> Result<Option<ClientRow>, ApiError> {
    Ok(api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()?)
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
    changelog::note(conn, actor, action, resource_type, resource_id, Some(&detail)).await
}
