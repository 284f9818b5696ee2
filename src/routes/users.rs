//! `/api/v1/users`: the people who hold roles. ManageAccounts only.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::hashing::hash_secret;
use crate::db::DbConn;
use crate::domain::auth::{parse_roles, DisplayName, Password, Role, UserId, Username};
use crate::domain::organisation::OrganisationId;
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{ManageAccounts, Require};
use crate::http::conditional::{created, ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, Listing, PageParams, Paged};
use crate::http::{patch_field, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::accounts::{self as repo, AccountChanges, AccountFilter, NewUser, UserRow};

/// A person who can sign in. The password is never shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "username": "clerk", "display_name": "Panel Clerk",
    "roles": ["secretariat"], "organisation_id": null, "is_active": true,
    "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z", "version": 1
}))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
    /// A deactivated user cannot sign in, and tokens already issued stop working at once.
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            roles: Role::parse_known(&row.roles),
            organisation_id: row.organisation_id,
            is_active: row.is_active,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(UserPage, User);

/// Filters for the user and client lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Only accounts holding this role.
    pub role: Option<Role>,
    /// Only accounts of this organisation.
    pub organisation_id: Option<OrganisationId>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub is_active: Option<bool>,
}

impl From<AccountQuery> for AccountFilter {
    fn from(query: AccountQuery) -> Self {
        Self {
            role: query.role,
            organisation_id: query.organisation_id,
            is_active: query.is_active,
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "clerk", "display_name": "Panel Clerk", "password": "correct horse battery staple", "roles": ["secretariat"]}))]
pub struct CreateUserRequest {
    /// 3 to 64 letters, digits, `.`, `_`, `-` or `@`; unique ignoring case.
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._@-]{3,64}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    /// 12 to 256 characters. Stored only as an Argon2id hash.
    #[schema(format = Password, min_length = 12, max_length = 256)]
    pub password: String,
    /// At least one.
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
    /// Default `true`.
    pub is_active: Option<bool>,
}

/// Changes to a user (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"is_active": false}))]
pub struct UpdateUserRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub display_name: Option<Option<String>>,
    /// A new password (12 to 256 characters).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, format = Password, min_length = 12, max_length = 256)]
    pub password: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<Role>, required = false, min_items = 1)]
    pub roles: Option<Option<Vec<Role>>>,
    /// `null` removes the user's organisation.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<OrganisationId>, nullable)]
    pub organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = bool, required = false)]
    pub is_active: Option<Option<bool>>,
}

/// Validates the request and hashes the password: run it through the hashing gate (`Hashing::run_conversion`).
impl TryFrom<CreateUserRequest> for NewUser {
    type Error = ApiError;

    fn try_from(body: CreateUserRequest) -> Result<Self, ApiError> {
        let (username, display_name, password, roles) = (
            Username::parse("username", &body.username),
            DisplayName::parse("display_name", &body.display_name),
            Password::parse("password", &body.password),
            parse_roles("roles", &body.roles),
        )
            .collect_fields()?;
        Ok(Self {
            username: username.as_str().to_string(),
            display_name: display_name.into_inner(),
            password_hash: hash_secret(password.expose())?,
            roles,
            organisation_id: body.organisation_id,
            is_active: body.is_active.unwrap_or(true),
        })
    }
}

/// Validates the request and hashes a new password: run it through the hashing gate (`Hashing::run_conversion`).
impl TryFrom<UpdateUserRequest> for AccountChanges {
    type Error = ApiError;

    fn try_from(body: UpdateUserRequest) -> Result<Self, ApiError> {
        let (display_name, password, roles, is_active) = (
            patch_field("display_name", body.display_name)
                .and_then(|v| v.map(|n| DisplayName::parse("display_name", n)).transpose()),
            patch_field("password", body.password).and_then(|v| v.map(|p| Password::parse("password", &p)).transpose()),
            patch_field("roles", body.roles).and_then(|v| v.map(|r| parse_roles("roles", &r)).transpose()),
            patch_field("is_active", body.is_active),
        )
            .collect_fields()?;
        Ok(Self {
            name: display_name.map(DisplayName::into_inner),
            secret_hash: password.map(|password| hash_secret(password.expose())).transpose()?,
            roles,
            organisation_id: body.organisation_id,
            is_active,
        })
    }
}

/// List users.
///
/// In creation order, filtered by role, organisation or whether active. Password
/// hashes are never shown.
#[utoipa::path(
    tag = "users",
    params(AccountQuery, PageParams),
    responses(
        (status = 200, description = "A page of users.", body = UserPage),
        responses::ListProtected,
    )
)]
#[get("/users")]
pub async fn list_users(
    auth: Require<ManageAccounts>,
    Paged(query, page): Paged<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    page.respond_json(auth.caller(), Users(query.into())).await
}

/// Create a user.
///
/// A person who signs in with a username and password (the OAuth2 password grant),
/// holding roles and, for `force` users, an organisation. The password is stored only as
/// an Argon2id hash.
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user was created.", body = User,
            headers(("Location" = String, description = "The new user's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/users")]
pub async fn create_user(
    auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    Json(body): Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = state.hashing.run_conversion(move || NewUser::try_from(body)).await?;
    let mut conn = state.conn().await?;
    let row = repo::insert_user(&mut conn, &auth.actor(), new).await?;
    Ok(created(
        format!("/api/v1/users/{}", row.id),
        row.version,
        &User::from(row),
    ))
}

/// Get a user.
///
/// With an `ETag` for `If-Match` on a later change, and 304 for an `If-None-Match` that
/// is current.
#[utoipa::path(
    tag = "users",
    params(("id" = UserId, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "The user.", body = User, headers(("ETag" = String, description = "Its version."))),
        responses::ReadProtected,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    _auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = repo::find_user(&mut conn, *id).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &User::from(row)))
}

/// Change a user.
///
/// Change roles, organisation, display name or password, or deactivate the user
/// (`is_active: false`). A new password or a deactivation retires every token issued
/// before it at once (401 `invalid_token`; reactivating does not revive them); a role
/// or organisation change applies to existing tokens from their next request.
#[utoipa::path(
    tag = "users",
    params(("id" = UserId, Path, description = "The user's id.")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user as changed.", body = User),
        responses::Update,
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    if_match: IfMatch,
    Json(body): Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = state
        .hashing
        .run_conversion(move || AccountChanges::try_from(body))
        .await?;
    let mut conn = state.conn().await?;
    let row = repo::update_user(&mut conn, &auth.actor(), "user.updated", *id, &if_match, changes).await?;
    Ok(ok(row.version, &User::from(row)))
}

/// The user list, as JSON pages (never exported: see [`Page::respond_json`](crate::http::listing::Page::respond_json)).
pub struct Users(AccountFilter);

impl Listing for Users {
    type Item = User;
    const COLUMNS: &'static [&'static str] = &[];
    const NAME: &'static str = "users";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<User>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list_users(conn, &self.0, &page).await?))
    }
}
