//! Repositories: the only place that builds database queries, one file per resource.
//!
//! How to use them: a handler takes a connection from the pool and calls one or two
//! functions here. Functions that change data open their own transaction and write the
//! audit record ([`audit::record`]) inside it, so a change and its audit record commit
//! or roll back together. They return [`crate::error::ApiError`], so a missing row is
//! already a 404 and a duplicate a 409 when it reaches the handler.

pub mod accountability;
pub mod accounts;
pub mod actions;
pub mod audit;
pub mod audit_log;
pub mod changelog;
pub mod events;
pub mod follow_links;
pub mod idempotency;
pub mod imports;
pub mod mail;
pub mod meetings;
pub mod moderngov_schedule;
pub mod organisations;
pub mod outbox;
pub mod pending_imports;
pub mod plan_imports;
pub mod programmes;
pub mod question_rules;
pub mod questions;
pub mod rate_limits;
pub mod recommendation_status;
pub mod recommendations;
pub mod reports;
pub mod responses;
pub mod search;
pub mod subscriptions;
pub mod versioned;
pub mod webhooks;

use chrono::NaiveDate;
use diesel::dsl::{GtEq, LtEq};
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::helper_types::AsExprOf;
use diesel::query_dsl::methods::FilterDsl;
use diesel::sql_types::{Bool, Date, Uuid as SqlUuid};
use diesel::{Expression, ExpressionMethods};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::error::ApiError;
use crate::pagination::Cursor;

/// The direction a list ordered by a date, then id, is read in.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    /// Oldest first: the next page is after `(date, id)`.
    Ascending,
    /// Newest first: the next page is before `(date, id)`.
    Descending,
}

/// The keyset condition of the page after `cursor` (a [`Cursor::by_date`] position
/// `(date, id)`) of a list ordered by `columns` (`"<table>.<date column>, <table>.id"`,
/// one of the repositories' fixed column pairs, never caller input):
/// `(date column, id) > (date, id)` or `<`.
///
/// A row comparison rather than `date < d OR (date = d AND id < i)`: PostgreSQL uses a
/// row comparison as a bound of an index on `(…, date, id)`, so a page deep in a list
/// starts where the cursor points instead of reading and discarding every row before
/// it. diesel has no row comparison, so it is SQL with both values bound.
pub fn keyset_after(columns: &'static str, direction: Direction, cursor: &Cursor) -> Result<KeysetAfter, ApiError> {
    debug_assert!(columns.bytes().all(|b| b.is_ascii_lowercase() || b"_., ".contains(&b)));
    let operator = match direction {
        Direction::Ascending => ">",
        Direction::Descending => "<",
    };
    Ok(diesel::dsl::sql::<Bool>(&format!("({columns}) {operator} ("))
        .bind::<Date, _>(cursor.date()?)
        .sql(", ")
        .bind::<SqlUuid, _>(cursor.id)
        .sql(")"))
}

/// `query` narrowed to the rows whose `column` falls from `from` to `to`, both
/// inclusive, each bound only when given: the date range filters of the lists.
pub fn dated_within<Q, C>(query: Q, column: C, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Q
where
    C: ExpressionMethods + Expression<SqlType = Date> + Copy,
    Q: FilterDsl<GtEq<C, NaiveDate>, Output = Q> + FilterDsl<LtEq<C, NaiveDate>, Output = Q>,
{
    let query = match from {
        Some(from) => FilterDsl::filter(query, column.ge(from)),
        None => query,
    };
    match to {
        Some(to) => FilterDsl::filter(query, column.le(to)),
        None => query,
    }
}

/// The expression [`keyset_after`] makes.
pub type KeysetAfter = SqlLiteral<
    Bool,
    UncheckedBind<
        SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<NaiveDate, Date>>>,
        AsExprOf<Uuid, SqlUuid>,
    >,
>;

/// Escapes `%`, `_` and `\\` so user text matches literally inside a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A 422 naming `field` ("no action has id …, …", `noun` being `action`) unless every id
/// in `requested` is among `found`, the ids of them that exist: for requests that refer
/// to several rows at once.
pub fn require_all_found<Id: PartialEq + std::fmt::Display>(
    requested: &[Id],
    found: &[Id],
    field: &str,
    noun: &str,
) -> Result<(), crate::error::ApiError> {
    let missing: Vec<String> = requested
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(crate::error::ApiError::invalid(
            field,
            format!("no {noun} has id {}", missing.join(", ")),
        ))
    }
}

/// Whether the database behind `conn` answers a query (for readiness).
pub async fn ping(conn: &mut crate::db::DbConn) -> bool {
    diesel::sql_query("SELECT 1").execute(conn).await.is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }
}
