//! `/api/v1/organisations`: the panel, the Commissioner's office, forces, inspectorates.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::organisation::{NewOrganisation, OrganisationChanges, OrganisationId, OrganisationKind};
use crate::domain::text::Name;
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageOrganisations, Require};
use crate::http::conditional::{created, ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::organisations::{self as repo, OrganisationFilter, OrganisationRow};

/// An organisation that asks, answers, inspects or acts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "name": "Staffordshire Police",
    "kind": "force",
    "created_at": "2022-05-31T09:00:00Z",
    "updated_at": "2022-05-31T09:00:00Z",
    "version": 1
}))]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change; the `ETag` carries it.
    pub version: i32,
}

impl From<OrganisationRow> for Organisation {
    fn from(row: OrganisationRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            kind: row.kind,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(OrganisationPage, Organisation);

/// Filters for the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only organisations of this kind.
    pub kind: Option<OrganisationKind>,
    /// Only organisations whose name contains this text (case-insensitive; at most 200
    /// characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl TryFrom<OrganisationQuery> for OrganisationFilter {
    type Error = ApiError;

    fn try_from(query: OrganisationQuery) -> Result<Self, ApiError> {
        let (name_contains,) = (query.q.as_deref().map(search_text).transpose(),).collect_fields()?;
        Ok(Self {
            kind: query.kind,
            name_contains: name_contains.flatten(),
        })
    }
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Staffordshire Police", "kind": "force"}))]
pub struct CreateOrganisationRequest {
    /// 1 to 200 characters; unique, ignoring letter case.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: OrganisationKind,
}

/// Changes to an organisation (JSON merge patch): absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Staffordshire Police"}))]
pub struct UpdateOrganisationRequest {
    /// 1 to 200 characters; unique, ignoring letter case.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationKind, required = false)]
    pub kind: Option<Option<OrganisationKind>>,
}

impl TryFrom<CreateOrganisationRequest> for NewOrganisation {
    type Error = ApiError;

    fn try_from(body: CreateOrganisationRequest) -> Result<Self, ApiError> {
        let (name,) = (Name::parse("name", &body.name),).collect_fields()?;
        Ok(Self { name, kind: body.kind })
    }
}

impl TryFrom<UpdateOrganisationRequest> for OrganisationChanges {
    type Error = ApiError;

    fn try_from(body: UpdateOrganisationRequest) -> Result<Self, ApiError> {
        let (name, kind) = (
            patch_field("name", body.name).and_then(|name| name.map(|n| Name::parse("name", n)).transpose()),
            patch_field("kind", body.kind),
        )
            .collect_fields()?;
        Ok(Self { name, kind })
    }
}

impl Publishable for OrganisationRow {
    fn is_public(&self) -> bool {
        true
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Organisation::from(self.clone()))
    }
}

/// List organisations.
///
/// Oldest first, paged with `cursor`. Public: no token needed (a token sent must be valid).
#[utoipa::path(
    tag = "organisations",
    params(OrganisationQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of organisations, or with `Accept: text/csv` all that match, as CSV.",
            content((OrganisationPage = "application/json"), (String = "text/csv", example = json!(ORGANISATIONS_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    caller: Caller,
    Paged(query, page): Paged<OrganisationQuery>,
) -> Result<HttpResponse, ApiError> {
    let organisations = Organisations(query.try_into()?);
    page.respond(&caller, organisations).await
}

/// Create an organisation.
///
/// For `admin` and `secretariat`.
#[utoipa::path(
    tag = "organisations",
    request_body = CreateOrganisationRequest,
    responses(
        (status = 201, description = "The organisation was created.", body = Organisation,
            headers(("Location" = String, description = "The new organisation's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    auth: Require<ManageOrganisations>,
    state: web::Data<AppState>,
    Json(body): Json<CreateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewOrganisation::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::insert(&mut conn, &auth.actor(), &new).await?;
    Ok(created(
        format!("/api/v1/organisations/{}", row.id),
        row.version,
        &Organisation::from(row),
    ))
}

/// Get an organisation.
///
/// Sends an `ETag`; with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The organisation's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The organisation.", body = Organisation,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let row = repo::find(&mut conn, *id).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &Organisation::from(row)))
}

/// Change an organisation.
///
/// JSON merge patch: only the fields given change. Send `If-Match` with the `ETag` you
/// read to be sure you are not overwriting someone else's change (412 if you would be).
/// For `admin` and `secretariat`.
#[utoipa::path(
    tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The organisation's id.")),
    request_body = UpdateOrganisationRequest,
    responses(
        (status = 200, description = "The organisation as changed.", body = Organisation),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    auth: Require<ManageOrganisations>,
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    if_match: IfMatch,
    Json(body): Json<UpdateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = OrganisationChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes).await?;
    Ok(ok(row.version, &Organisation::from(row)))
}

const ORGANISATIONS_CSV_EXAMPLE: &str = concat!(
    "id,name,kind,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a50,Staffordshire Police,force,2024-01-01T09:00:00Z,2024-01-01T09:00:00Z,1\r\n",
);

/// The organisation list, as JSON pages or CSV.
pub struct Organisations(OrganisationFilter);

impl Listing for Organisations {
    type Item = Organisation;
    const COLUMNS: &'static [&'static str] = &["id", "name", "kind", "created_at", "updated_at", "version"];
    const NAME: &'static str = "organisations";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<Organisation>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list(conn, &self.0, &page).await?))
    }
}
