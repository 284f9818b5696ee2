//! `/api/v1/search`: full-text search across questions, responses, recommendations and
//! actions, ranked.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{responses, ApiError};
use crate::http::caller::Caller;
use crate::http::Query;
use crate::repo::search::{self as repo, After, HitRow, SearchRequest, KINDS, START_MARK, STOP_MARK};

/// Page size bounds of search.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 50;

/// The search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for, as in a web search engine: words (matched after English
    /// stemming, so `inspections` finds `inspection`), `"a quoted phrase"`, `-word` to exclude,
    /// `or` between alternatives. Required, not blank, at most 200 characters.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$",
        example = "safeguarding children"
    )]
    pub q: String,
    /// Only these kinds of record, comma-separated (`question,response`); default all
    /// four.
    #[param(pattern = r"^(action|question|recommendation|response)(,(action|question|recommendation|response))*$")]
    pub types: Option<String>,
    /// Page size, 1 to 50.
    #[param(minimum = 1, maximum = 50, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[param(
        pattern = r"^[0-9]{1,20}(\.[0-9]{1,64})?~(action|question|recommendation|response)~[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub cursor: Option<String>,
}

/// The kind of record a hit is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitType {
    /// At `/api/v1/questions/{id}`.
    Question,
    /// At `/api/v1/responses/{id}`.
    Response,
    /// At `/api/v1/recommendations/{id}`.
    Recommendation,
    /// At `/api/v1/actions/{id}`.
    Action,
}

impl HitType {
    fn of(kind: &str) -> Result<Self, ApiError> {
        Ok(match kind {
            "question" => Self::Question,
            "response" => Self::Response,
            "recommendation" => Self::Recommendation,
            "action" => Self::Action,
            other => return Err(ApiError::Internal(anyhow::anyhow!("search returned a kind {other}"))),
        })
    }
}

/// One record that matches.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "question",
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "title": "HMIC child protection findings: what exactly is the Commissioner doing?",
    "snippet": "the force was not effectively <mark>safeguarding</mark> <mark>children</mark> …",
    "rank": 0.6
}))]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub kind: HitType,
    pub id: Uuid,
    /// Plain text: a question's or action's title, a recommendation's reference, or
    /// `Response to <question reference>: <question title>` for a response.
    pub title: String,
    /// HTML: a passage or two of the record's main text (a question's or response's
    /// body, a recommendation's text, an action's description), escaped for HTML, with
    /// each matched word in `<mark>…</mark>`. When only the title matched it is the
    /// text's beginning, without marks.
    pub snippet: String,
    /// How well it matches, from 0 (exclusive) to 1: `ts_rank_cd` over the record's
    /// weighted text (titles and references count most), normalised as `rank/(rank+1)`.
    pub rank: f32,
}

/// One page of hits, best first; pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// The cursor of the next page, or null on the last page.
    pub next_cursor: Option<String>,
}

/// Escapes `text` for HTML and turns the match marks into `<mark>` elements.
fn highlight(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            START_MARK => html.push_str("<mark>"),
            STOP_MARK => html.push_str("</mark>"),
            c => html.push(c),
        }
    }
    html
}

fn encode_cursor(row: &HitRow) -> String {
    // `Display` of an f32 is the shortest decimal that reads back as the same value,
    // never in exponent form, so the position is exact.
    format!("{}~{}~{}", row.rank, row.kind, row.id.hyphenated())
}

fn decode_cursor(cursor: &str) -> Result<After, ApiError> {
    let invalid = || ApiError::invalid("cursor", "is not a cursor this service issued");
    let mut parts = cursor.splitn(3, '~');
    let (rank, kind, id) = match (parts.next(), parts.next(), parts.next()) {
        (Some(rank), Some(kind), Some(id)) => (rank, kind, id),
        _ => return Err(invalid()),
    };
    let (whole, fraction) = rank.split_once('.').map_or((rank, None), |(w, f)| (w, Some(f)));
    let digits = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole, 20) || fraction.is_some_and(|f| !digits(f, 64)) || !KINDS.contains(&kind) || id.len() != 36 {
        return Err(invalid());
    }
    Ok(After {
        rank: rank.parse().map_err(|_| invalid())?,
        kind: kind.to_string(),
        id: Uuid::try_parse(id).map_err(|_| invalid())?,
    })
}

fn parse_types(types: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(types) = types else {
        return Ok(KINDS.iter().map(|k| k.to_string()).collect());
    };
    let mut kinds = Vec::new();
    for kind in types.split(',') {
        if !KINDS.contains(&kind) {
            return Err(ApiError::invalid(
                "types",
                format!("`{kind}` is not one of action, question, recommendation, response"),
            ));
        }
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    }
    Ok(kinds)
}

impl TryFrom<SearchQuery> for SearchRequest {
    type Error = ApiError;

    fn try_from(query: SearchQuery) -> Result<Self, ApiError> {
        // The documented maximum counts every character sent, surrounding spaces included.
        if query.q.chars().count() > 200 {
            return Err(ApiError::invalid("q", "must be at most 200 characters"));
        }
        // A byte-order mark counts as white space here, as in the documented pattern's `\S`.
        let q = crate::http::search_text(query.q.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}'))
            .map_err(|e| ApiError::Validation(vec![e]))?
            .ok_or_else(|| ApiError::invalid("q", "must not be blank"))?;
        let kinds = parse_types(query.types.as_deref())?;
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid("limit", format!("must be from 1 to {MAX_LIMIT}")));
        }
        Ok(Self {
            q,
            kinds,
            after: query.cursor.as_deref().map(decode_cursor).transpose()?,
            limit,
        })
    }
}

/// Search.
///
/// Full-text search (English stemming) across questions, responses, recommendations and
/// actions, best match first: ranked by `rank`, ties by type and id. `q` reads like a web
/// search: `safeguarding children` finds records with both words (or their stems),
/// `"clear ownership"` the phrase, `-custody` excludes a word, `a or b` either. A word
/// in a title or reference outranks one in the text.
///
/// Each hit has a `snippet`: HTML, escaped, with the matched words in `<mark>…</mark>`.
///
/// What is searched is what the lists show the caller: anonymous and `integration`
/// callers find only public records (accepted, answered and referred questions, published
/// responses to them, recommendations and actions); staff find submitted, rejected
/// and withdrawn questions and draft responses too. Contact details and names are never
/// searched nor shown.
///
/// Only the 50 most recently created matching records of each type are ranked, so a
/// search costs the same however many records match: a word found in thousands of
/// records gives the best of its recent matches, not of all of them (at most 200 hits
/// in all). To see every match, newest first, use `q` on the lists
/// (`GET /api/v1/questions?q=…` and the others).
///
/// Paging: `next_cursor` is the position after the page's last hit (its rank, type and
/// id), so a page never repeats a hit of the one before it while the records do not
/// change; treat it as opaque.
#[utoipa::path(
    tag = "search",
    params(SearchQuery),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of hits, best first.", body = SearchPage,
            example = json!({"items": [{
                "type": "question",
                "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
                "title": "HMIC child protection findings: what exactly is the Commissioner doing?",
                "snippet": "Staffordshire Police &#39;not effectively <mark>safeguarding</mark> <mark>children</mark>&#39;",
                "rank": 0.6
            }], "next_cursor": null})),
        responses::List,
        (status = 400, response = responses::BadRequest),
    )
)]
#[get("/search")]
pub async fn search_records(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = SearchRequest::try_from(query)?;
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let mut rows = repo::search(&mut conn, &request, caller.view().sees_unpublished()).await?;
    drop(conn);
    let more = rows.len() as i64 > request.limit;
    rows.truncate(request.limit as usize);
    let next_cursor = if more { rows.last().map(encode_cursor) } else { None };
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(SearchHit {
                kind: HitType::of(&row.kind)?,
                id: row.id,
                title: row.title,
                snippet: highlight(&row.snippet),
                rank: row.rank,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(crate::http::page::respond(
        &req,
        next_cursor.as_deref(),
        &SearchPage {
            items,
            next_cursor: next_cursor.clone(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marked() {
        assert_eq!(
            highlight("a <b> & \u{E000}child\u{E001}'s"),
            "a &lt;b&gt; &amp; <mark>child</mark>&#39;s"
        );
    }

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let row = HitRow {
            kind: "question".into(),
            id: Uuid::now_v7(),
            title: String::new(),
            rank: 0.285_714_27,
            snippet: String::new(),
        };
        let after = decode_cursor(&encode_cursor(&row)).unwrap();
        assert_eq!(
            (after.rank, after.kind.as_str(), after.id),
            (row.rank, "question", row.id)
        );
        let tiny = HitRow {
            rank: f32::MIN_POSITIVE / 8.0,
            ..row
        };
        assert_eq!(decode_cursor(&encode_cursor(&tiny)).unwrap().rank, tiny.rank);
        assert!(regex_like_shape(&encode_cursor(&tiny)));
        for forged in [
            "",
            "1~question",
            "x~question~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "1~meeting~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "-1~action~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "NaN~action~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "1~action~nope",
        ] {
            assert!(decode_cursor(forged).is_err(), "{forged}");
        }
    }

    fn regex_like_shape(cursor: &str) -> bool {
        let rank = cursor.split('~').next().unwrap();
        rank.split_once('.').is_none_or(|(_, f)| f.len() <= 64)
    }

    #[test]
    fn the_documented_candidate_count_is_the_one_used() {
        // The operation's description says "the 50 most recently created matching
        // records of each type"; change both together.
        assert_eq!(crate::repo::search::CANDIDATES, 50);
    }

    #[test]
    fn types_are_a_subset() {
        assert_eq!(
            parse_types(Some("question,question,action")).unwrap(),
            vec!["question", "action"]
        );
        assert!(parse_types(Some("question,meeting")).is_err());
        assert!(parse_types(Some("")).is_err());
        assert_eq!(parse_types(None).unwrap().len(), 4);
    }
}
