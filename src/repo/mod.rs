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
pub mod changelog;
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod meetings;
pub mod organisations;
pub mod question_rules;
pub mod questions;
pub mod rate_limits;
pub mod recommendations;
pub mod reports;
pub mod responses;
pub mod search;
pub mod versioned;
pub mod webhooks;

use chrono::NaiveDate;
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::helper_types::AsExprOf;
use diesel::sql_types::{Bool, Date, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

/// The direction a list ordered by a date, then id, is read in.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    /// Oldest first: the next page is after `(date, id)`.
    Ascending,
    /// Newest first: the next page is before `(date, id)`.
    Descending,
}

/// The keyset condition of the page after `(date, id)` of a list ordered by
/// `columns` (`"<table>.<date column>, <table>.id"`, one of the repositories' fixed
/// column pairs, never caller input): `(date column, id) > (date, id)` or `<`.
///
/// A row comparison rather than `date < d OR (date = d AND id < i)`: PostgreSQL uses a
/// row comparison as a bound of an index on `(…, date, id)`, so a page deep in a list
/// starts where the cursor points instead of reading and discarding every row before
/// it. diesel has no row comparison, so it is SQL with both values bound.
pub fn keyset_after(columns: &'static str, direction: Direction, date: NaiveDate, id: Uuid) -> KeysetAfter {
    debug_assert!(columns.bytes().all(|b| b.is_ascii_lowercase() || b"_., ".contains(&b)));
    let operator = match direction {
        Direction::Ascending => ">",
        Direction::Descending => "<",
    };
    diesel::dsl::sql::<Bool>(&format!("({columns}) {operator} ("))
        .bind::<Date, _>(date)
        .sql(", ")
        .bind::<SqlUuid, _>(id)
        .sql(")")
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
