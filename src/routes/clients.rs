//! `/api/v1/clients`: the systems (panel and council IT) that hold roles. ManageAccounts only.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::AccountQuery;
use crate::app::AppState;
use crate::auth::hashing::hash_secret;
use crate::auth::random_token;
use crate::db::DbConn;
use crate::domain::auth::{parse_roles, ApiClientId, DisplayName, Role};
use crate::domain::organisation::OrganisationId;
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caching::Caching;
use crate::http::caller::{ManageAccounts, Require};
use crate::http::conditional::{created, ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, Listing, PageParams, Paged};
use crate::http::{patch_field, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::accounts::{self as repo, AccountChanges, AccountFilter, ClientRow, NewClient};

/// A system that signs in with the client_credentials grant. The secret is never shown
/// after creation or rotation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "name": "Council website", "client_id": "cli_Q2x8dJ3k9mZp0aLr",
    "roles": ["integration"], "organisation_id": null, "is_active": true,
    "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z", "version": 1
}))]
pub struct ApiClient {
    pub id: ApiClientId,
    pub name: String,
    /// The id to send as `client_id`.
    pub client_id: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<ClientRow> for ApiClient {
    fn from(row: ClientRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            client_id: row.client_id,
            roles: Role::parse_known(&row.roles),
            organisation_id: row.organisation_id,
            is_active: row.is_active,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A client with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientWithSecret {
    #[serde(flatten)]
    pub client: ApiClient,
    /// Store it now: only its Argon2id hash is kept, and it is never shown again.
    #[schema(example = "kq0Qm3…")]
    pub client_secret: String,
}

crate::page_type!(ApiClientPage, ApiClient);

/// A new API client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Council website", "roles": ["integration"]}))]
pub struct CreateApiClientRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// At least one.
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
    pub organisation_id: Option<OrganisationId>,
}

/// Changes to an API client (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"is_active": false}))]
pub struct UpdateApiClientRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<Role>, required = false, min_items = 1)]
    pub roles: Option<Option<Vec<Role>>>,
    /// `null` removes the client's organisation.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<OrganisationId>, nullable)]
    pub organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = bool, required = false)]
    pub is_active: Option<Option<bool>>,
}

/// A fresh client secret, to show once, and its hash, to keep.
struct Secret {
    plain: String,
    hash: String,
}

impl Secret {
    /// Hashes with Argon2id: run it through the hashing gate (`Hashing::run_conversion`).
    fn generate() -> Result<Self, ApiError> {
        let plain = random_token(43);
        let hash = hash_secret(&plain)?;
        Ok(Self { plain, hash })
    }
}

/// A new client, validated, with a fresh client id and secret.
struct IssuedClient {
    new: NewClient,
    secret: String,
}

/// Validates the request and makes and hashes the secret: run it through the hashing gate (`Hashing::run_conversion`).
impl TryFrom<CreateApiClientRequest> for IssuedClient {
    type Error = ApiError;

    fn try_from(body: CreateApiClientRequest) -> Result<Self, ApiError> {
        let (name, roles) = (
            DisplayName::parse("name", &body.name),
            parse_roles("roles", &body.roles),
        )
            .collect_fields()?;
        let secret = Secret::generate()?;
        Ok(Self {
            new: NewClient {
                name: name.into_inner(),
                client_id: format!("cli_{}", random_token(20)),
                secret_hash: secret.hash,
                roles,
                organisation_id: body.organisation_id,
            },
            secret: secret.plain,
        })
    }
}

impl TryFrom<UpdateApiClientRequest> for AccountChanges {
    type Error = ApiError;

    fn try_from(body: UpdateApiClientRequest) -> Result<Self, ApiError> {
        let (name, roles, is_active) = (
            patch_field("name", body.name).and_then(|v| v.map(|n| DisplayName::parse("name", n)).transpose()),
            patch_field("roles", body.roles).and_then(|v| v.map(|r| parse_roles("roles", &r)).transpose()),
            patch_field("is_active", body.is_active),
        )
            .collect_fields()?;
        Ok(Self {
            name: name.map(DisplayName::into_inner),
            secret_hash: None,
            roles,
            organisation_id: body.organisation_id,
            is_active,
        })
    }
}

/// A client with its secret, for the answers that show it this once.
fn with_secret(row: ClientRow, client_secret: String) -> ApiClientWithSecret {
    ApiClientWithSecret {
        client: row.into(),
        client_secret,
    }
}

/// List API clients.
///
/// In creation order, filtered by role, organisation or whether active. Secrets are
/// never shown after creation or rotation.
#[utoipa::path(
    tag = "clients",
    params(AccountQuery, PageParams),
    responses(
        (status = 200, description = "A page of API clients.", body = ApiClientPage),
        responses::ListProtected,
    )
)]
#[get("/clients")]
pub async fn list_clients(
    auth: Require<ManageAccounts>,
    Paged(query, page): Paged<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    page.respond_json(auth.caller(), Clients(query.into())).await
}

/// Create an API client.
///
/// Answers with the client's `client_secret`, shown this once.
#[utoipa::path(
    tag = "clients",
    request_body = CreateApiClientRequest,
    responses(
        (status = 201, description = "The client was created; its secret is in the body, this once.", body = ApiClientWithSecret,
            headers(("Location" = String, description = "The new client's URL."), ("ETag" = String, description = "Its version."),
                ("Cache-Control" = String, description = "`no-store`: the secret is shown this once; a retry with the same `Idempotency-Key` is sent to the resource (303)."))),
        responses::Create,
    )
)]
#[post("/clients")]
pub async fn create_client(
    auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    Json(body): Json<CreateApiClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let IssuedClient { new, secret } = state
        .hashing
        .run_conversion(move || IssuedClient::try_from(body))
        .await?;
    let mut conn = state.conn().await?;
    let row = repo::insert_client(&mut conn, &auth.actor(), new).await?;
    Ok(Caching::Secret.mark(created(
        format!("/api/v1/clients/{}", row.id),
        row.version,
        &with_secret(row, secret),
    )))
}

/// Get an API client.
///
/// With an `ETag` for `If-Match` on a later change; the secret is not shown.
#[utoipa::path(
    tag = "clients",
    params(("id" = ApiClientId, Path, description = "The client's id.")),
    responses(
        (status = 200, description = "The client.", body = ApiClient, headers(("ETag" = String, description = "Its version."))),
        responses::ReadProtected,
    )
)]
#[get("/clients/{id}")]
pub async fn get_client(
    _auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    id: web::Path<ApiClientId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let row = repo::find_client(&mut conn, *id).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &ApiClient::from(row)))
}

/// Change an API client.
///
/// Change its name, roles or organisation, or deactivate it (`is_active: false`): a
/// deactivation retires its tokens at once (reactivating does not revive them); a role
/// or organisation change applies to existing tokens from their next request.
#[utoipa::path(
    tag = "clients",
    params(("id" = ApiClientId, Path, description = "The client's id.")),
    request_body = UpdateApiClientRequest,
    responses(
        (status = 200, description = "The client as changed.", body = ApiClient),
        responses::Update,
    )
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    id: web::Path<ApiClientId>,
    if_match: IfMatch,
    Json(body): Json<UpdateApiClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = AccountChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::update_client(&mut conn, &auth.actor(), "client.updated", *id, &if_match, changes).await?;
    Ok(ok(row.version, &ApiClient::from(row)))
}

/// Rotate an API client's secret.
///
/// The old secret stops working at once, and so do the tokens issued with it (401
/// `invalid_token`); the new secret is in the body, this once.
#[utoipa::path(
    tag = "clients",
    params(("id" = ApiClientId, Path, description = "The client's id.")),
    responses(
        (status = 200, description = "The client with its new secret, this once.", body = ApiClientWithSecret,
            headers(("Cache-Control" = String, description = "`no-store`: the secret is shown this once; a retry with the same `Idempotency-Key` is sent to the resource (303)."))),
        responses::Transition,
    )
)]
#[post("/clients/{id}/rotate-secret")]
pub async fn rotate_client_secret(
    auth: Require<ManageAccounts>,
    state: web::Data<AppState>,
    id: web::Path<ApiClientId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let secret = state.hashing.run_conversion(Secret::generate).await?;
    let changes = AccountChanges {
        secret_hash: Some(secret.hash),
        ..AccountChanges::default()
    };
    let mut conn = state.conn().await?;
    let row = repo::update_client(
        &mut conn,
        &auth.actor(),
        "client.secret_rotated",
        *id,
        &if_match,
        changes,
    )
    .await?;
    Ok(Caching::Secret.mark(ok(row.version, &with_secret(row, secret.plain))))
}

/// The API client list, as JSON pages (never exported: see [`Page::respond_json`](crate::http::listing::Page::respond_json)).
pub struct Clients(AccountFilter);

impl Listing for Clients {
    type Item = ApiClient;
    const COLUMNS: &'static [&'static str] = &[];
    const NAME: &'static str = "clients";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<ApiClient>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list_clients(conn, &self.0, &page).await?))
    }
}
