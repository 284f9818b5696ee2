//! Organisations. Names are unique ignoring letter case, as Unicode's canonical
//! caseless match has it: every write stores the name's [`caseless_key`] beside it, and a
//! unique index on that key makes a second spelling of a name a 409.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::changelog;
use super::versioned::{self, Versioned as _};
use crate::db::schema::organisations;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::organisation::{NewOrganisation, OrganisationChanges, OrganisationId, OrganisationKind};
use crate::domain::text::caseless_key;
use crate::domain::version::IfMatch;
use crate::domain::Changes as _;
use crate::error::ApiError;
use crate::pagination::{Cursor, PageRequest};

/// An organisation as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = organisations, check_for_backend(diesel::pg::Pg))]
pub struct OrganisationRow {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

crate::logged_row!(OrganisationRow, "organisation", |row| row.id.0);
crate::versioned_row!(OrganisationRow, "organisation", organisations, OrganisationId);

#[derive(Insertable)]
#[diesel(table_name = organisations)]
struct NewOrganisationRow<'a> {
    id: OrganisationId,
    name: &'a str,
    /// [`caseless_key`] of the name: what the unique index `organisations_name_key` is on.
    name_key: String,
    kind: OrganisationKind,
}

#[derive(AsChangeset)]
#[diesel(table_name = organisations)]
struct OrganisationChangesRow<'a> {
    name: Option<&'a str>,
    name_key: Option<String>,
    kind: Option<OrganisationKind>,
    updated_at: DateTime<Utc>,
    version: i32,
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
}

pub async fn insert(conn: &mut DbConn, actor: &Actor, new: &NewOrganisation) -> Result<OrganisationRow, ApiError> {
    conn.transaction(async |conn| {
        let row: OrganisationRow = diesel::insert_into(organisations::table)
            .values(NewOrganisationRow {
                id: OrganisationId::generate(),
                name: new.name.as_str(),
                name_key: caseless_key(new.name.as_str()),
                kind: new.kind,
            })
            .returning(OrganisationRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "organisation.created", None, &row).await?;
        Ok(row)
    })
    .await
}

pub async fn find(conn: &mut DbConn, id: OrganisationId) -> Result<OrganisationRow, ApiError> {
    versioned::find(conn, id).await
}

/// One page of organisations, oldest first.
pub async fn list(
    conn: &mut DbConn,
    filter: &OrganisationFilter,
    page: &PageRequest,
) -> Result<(Vec<OrganisationRow>, Option<Cursor>), ApiError> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .order(organisations::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(organisations::id.gt(OrganisationId(after.id)));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(organisations::kind.eq(kind));
    }
    if let Some(text) = &filter.name_contains {
        query = query.filter(organisations::name.ilike(format!("%{}%", super::escape_like(text))));
    }
    let rows = query.load(conn).await?;
    Ok(page.finish(rows, |row| Cursor::by_id(row.id.0)))
}

/// Applies `changes` if the caller's `If-Match` (if any) names the current version.
pub async fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: OrganisationId,
    if_match: &IfMatch,
    changes: &OrganisationChanges,
) -> Result<OrganisationRow, ApiError> {
    conn.transaction(async |conn| {
        let before: OrganisationRow = versioned::lock(conn, id, if_match).await?;
        if changes.is_empty() {
            return Ok(before);
        }
        let after: OrganisationRow = diesel::update(organisations::table.find(id))
            .set(OrganisationChangesRow {
                name: changes.name.as_ref().map(|n| n.as_str()),
                name_key: changes.name.as_ref().map(|n| caseless_key(n.as_str())),
                kind: changes.kind,
                updated_at: Utc::now(),
                version: before.next_version(),
            })
            .returning(OrganisationRow::as_returning())
            .get_result(conn)
            .await?;
        changelog::publish(conn, actor, "organisation.updated", Some(&before), &after).await?;
        Ok(after)
    })
    .await
}

/// How many organisations exist: the start-up seeding loads demo data only into an
/// empty database.
pub async fn count(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(organisations::table.count().get_result(conn).await?)
}

/// The ids of at most `limit` organisations of `kind`, oldest first: asking for two
/// tells whether there is exactly one (the panel, when a command is not told which).
pub async fn ids_of_kind(
    conn: &mut DbConn,
    kind: OrganisationKind,
    limit: i64,
) -> Result<Vec<OrganisationId>, ApiError> {
    Ok(organisations::table
        .filter(organisations::kind.eq(kind))
        .select(organisations::id)
        .order(organisations::id.asc())
        .limit(limit)
        .load(conn)
        .await?)
}

/// A 422 naming `field` unless organisation `id` exists: for references in requests.
pub async fn require_exists(conn: &mut DbConn, id: OrganisationId, field: &str) -> Result<(), ApiError> {
    match versioned::get::<OrganisationRow>(conn, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::invalid(field, format!("no organisation has id {id}"))),
    }
}

/// The names of the organisations `ids` that exist, by id: for representations that name
/// the organisations they refer to.
pub async fn names(
    conn: &mut DbConn,
    ids: &[OrganisationId],
) -> Result<std::collections::HashMap<OrganisationId, String>, ApiError> {
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name))
        .load::<(OrganisationId, String)>(conn)
        .await?
        .into_iter()
        .collect())
}
