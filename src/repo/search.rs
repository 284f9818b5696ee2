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

/// What to search for and what the caller may see.
#[derive(Debug)]
pub struct SearchRequest<'a> {
    pub q: &'a str,
    /// A subset of [`KINDS`].
    pub kinds: Vec<String>,
    /// Staff: questions in any state and draft responses too.
    pub sees_unpublished: bool,
    pub after: Option<After>,
    /// Rows to fetch (the page size plus one).
    pub fetch: i64,
}

/// Ranked by `ts_rank_cd` (normalised to 0..1), best first, then by kind and id; the
/// snippet (`ts_headline`) is made only for the rows of the page.
const SEARCH_SQL: &str = "
WITH query AS (SELECT websearch_to_tsquery('english', $1) AS tsq),
hits AS (
    SELECT 'action'::text AS kind, a.id, a.title AS title,
           ts_rank_cd(a.search, query.tsq, 32) AS rank, a.description AS doc
    FROM actions a, query
    WHERE 'action' = ANY($2) AND a.search @@ query.tsq
  UNION ALL
    SELECT 'question', q.id, q.title, ts_rank_cd(q.search, query.tsq, 32), q.body
    FROM questions q, query
    WHERE 'question' = ANY($2) AND q.search @@ query.tsq
      AND ($3 OR q.status IN ('accepted', 'answered'))
  UNION ALL
    SELECT 'recommendation', r.id, r.reference, ts_rank_cd(r.search, query.tsq, 32), r.text
    FROM recommendations r, query
    WHERE 'recommendation' = ANY($2) AND r.search @@ query.tsq
  UNION ALL
    SELECT 'response', s.id, 'Response to ' || q.reference || ': ' || q.title,
           ts_rank_cd(s.search, query.tsq, 32), s.body
    FROM responses s JOIN questions q ON q.id = s.question_id, query
    WHERE 'response' = ANY($2) AND s.search @@ query.tsq
      AND ($3 OR (s.status = 'published' AND q.status IN ('accepted', 'answered')))
)
SELECT page.kind, page.id, page.title, page.rank,
       ts_headline('english', replace(replace(page.doc, U&'\\E000', ''), U&'\\E001', ''), query.tsq,
           'StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"')
           AS snippet
FROM (
    SELECT * FROM hits
    WHERE $4::real IS NULL OR hits.rank < $4::real
       OR (hits.rank = $4::real AND (hits.kind, hits.id) > ($5::text, $6::uuid))
    ORDER BY hits.rank DESC, hits.kind, hits.id
    LIMIT $7
) page, query
ORDER BY page.rank DESC, page.kind, page.id";

/// Up to `request.fetch` hits after `request.after`.
pub async fn search(conn: &mut DbConn, request: &SearchRequest<'_>) -> Result<Vec<HitRow>, ApiError> {
    let after = request.after.as_ref();
    let rows = diesel::sql_query(SEARCH_SQL)
        .bind::<Text, _>(request.q)
        .bind::<Array<Text>, _>(&request.kinds)
        .bind::<Bool, _>(request.sees_unpublished)
        .bind::<Nullable<Float4>, _>(after.map(|a| a.rank))
        .bind::<Nullable<Text>, _>(after.map(|a| a.kind.as_str()))
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(after.map(|a| a.id))
        .bind::<BigInt, _>(request.fetch)
        .load(conn)
        .await?;
    Ok(rows)
}
