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
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod meetings;
pub mod organisations;
pub mod questions;
pub mod rate_limits;
pub mod recommendations;
pub mod reports;
pub mod responses;
pub mod search;
pub mod webhooks;

use diesel_async::RunQueryDsl;

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
