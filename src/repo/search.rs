//! Full-text search (PostgreSQL, English stemming) over questions, responses,
//! recommendations and actions.
//!
//! Each of those tables has a generated, stored `search tsvector` column with a GIN
//! index (migration `2026-11-26-000008_add_search`): weight A for titles and references,
//! B for the main text, C for the rest. The column is not mapped in `db/schema.rs`
//! (diesel has no `tsvector` type): it is only ever read through the SQL fragments here,
//! and the caller's text is always a bound parameter, never part of the SQL.

use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::helper_types::AsExprOf;
use diesel::sql_types::{Array, BigInt, Bool, Float4, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::DbConn;
use crate::error::ApiError;

/// `<table>.search` matches `q` read as a web search (`websearch_to_tsquery`: words,
/// `"quoted phrases"`, `-excluded` words and `or`), for the `q` filter of a list.
/// `table` is one of this module's fixed table names, never caller input.
pub fn matches(table: &'static str, q: &str) -> Matches {
    debug_assert!(matches!(
        table,
        "questions" | "responses" | "recommendations" | "actions"
    ));
    diesel::dsl::sql::<Bool>(&format!("{table}.search @@ websearch_to_tsquery('english', "))
        .bind::<Text, _>(q.to_string())
        .sql(")")
}

/// The expression [`matches`] makes.
pub type Matches = SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>>>;

/// The kinds of record search finds, in the order ties of rank are broken.
pub const KINDS: [&str; 4] = ["action", "question", "recommendation", "response"];

/// Marks around a match in a snippet before it is escaped for HTML: private-use
/// characters, removed from the text first, so that only ts_headline places them.
pub const START_MARK: char = '\u{E000}';
pub const STOP_MARK: char = '\u{E001}';

/// Where a page of hits starts: after the hit with this rank, kind and id.
#[derive(Debug, Clone, PartialEq)]
pub struct After {
    pub rank: f32,
    pub kind: String,
    pub id: Uuid,
}

/// One hit as the query returns it; `snippet` still has the raw marks.
#[derive(Debug, QueryableByName)]
pub struct HitRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Float4)]
    pub rank: f32,
    #[diesel(sql_type = Text)]
    pub snippet: String,
}

/// What to search for: one page of hits.
#[derive(Debug)]
pub struct SearchRequest {
    pub q: String,
    /// A subset of [`KINDS`].
    pub kinds: Vec<String>,
    pub after: Option<After>,
    /// The page size.
    pub limit: i64,
}

/// How many of the most recent records of each kind are read in full (newest first, by
/// id: ids are UUIDv7, so in creation order) looking for matches.
const RECENT: i64 = 2_000;
/// How many matching records of each kind are ranked: the newest ones.
pub const CANDIDATES: i64 = 50;

/// Ranked by `ts_rank_cd` (normalised to 0..1), best first, then by kind and id; the
/// snippet (`ts_headline`) is made only for the rows of the page.
///
/// Only the [`CANDIDATES`] newest matching records of each kind are ranked, so that the
/// cost of a query is bounded however many records match (ranking needs every
/// candidate's vector, read from the table). They are found in two steps, the second
/// run only when the first finds too few:
///
/// 1. the matches among the [`RECENT`] newest records, read in id order from the
///    primary key: cheap, and enough for any word that is not rare;
/// 2. otherwise the older matches, from the GIN index, newest first. Ordering them by
///    `id::text COLLATE "C"` (the same order as the uuids) rather than by `id` keeps
///    PostgreSQL from walking the primary key backwards filtering every row, which it
///    would do, wrongly, for a phrase or several words it thinks common.
///
/// The candidate set depends only on the data, so the keyset cursor (rank, kind, id)
/// pages through it exactly while the records do not change.
///
/// The query is the PL/pgSQL function `search_hits` (migration
/// `2026-11-26-000010_search_function`), so that PostgreSQL plans it once per
/// connection: planning the statement took longer than running it.
const SEARCH_SQL: &str = "SELECT kind, id, title, rank, snippet
FROM search_hits($1, $2, $3, $4, $5, $6, $7, $8, $9)
ORDER BY rank DESC, kind, id";

/// Up to `request.limit` hits after `request.after` and one more (so the caller knows
/// whether another page follows), among what the caller may see: with
/// `sees_unpublished` (staff), questions in any state and draft responses too.
pub async fn search(
    conn: &mut DbConn,
    request: &SearchRequest,
    sees_unpublished: bool,
) -> Result<Vec<HitRow>, ApiError> {
    let after = request.after.as_ref();
    let rows = diesel::sql_query(SEARCH_SQL)
        .bind::<Text, _>(&request.q)
        .bind::<Array<Text>, _>(&request.kinds)
        .bind::<Bool, _>(sees_unpublished)
        .bind::<Nullable<Float4>, _>(after.map(|a| a.rank))
        .bind::<Nullable<Text>, _>(after.map(|a| a.kind.as_str()))
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(after.map(|a| a.id))
        .bind::<BigInt, _>(request.limit + 1)
        .bind::<BigInt, _>(RECENT)
        .bind::<BigInt, _>(CANDIDATES)
        .load(conn)
        .await?;
    Ok(rows)
}
