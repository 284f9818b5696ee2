//! `Accept: text/csv` on the public-data collections, written once for all of them.
//!
//! A collection that implements [`Listing`] answers a request whose `Accept` prefers
//! `text/csv` with every row its JSON list would show the same caller under the same
//! filters, not one page: a header row, then one line per item, with nested objects
//! flattened into `parent_child` columns (`asker_kind`, `progress_percent_complete`) and
//! arrays joined with `;`. `limit` and `cursor` are refused (422) rather than ignored,
//! so nobody mistakes a whole export for a page or a page for the whole.
//!
//! The body is streamed: rows are read [`PAGE_SIZE`] at a time by the collection's own
//! keyset query, and each page is written out before the next is read, so memory stays
//! flat however large the export. Before any byte is sent the matching rows are counted
//! (the same walk, keeping nothing but the first page): when more than
//! `SCRUTINY_CSV_MAX_ROWS` match, the answer is a 422 asking for narrower filters,
//! never a silently shortened file. Should rows be added while the export streams so that
//! it would pass the cap, the transfer is cut off (an incomplete chunked body, which
//! every HTTP client reports as an error) rather than ended as if complete.
//!
//! Columns are an allow-list per collection: a field that is not listed never appears,
//! so personal data (a questioner's contact details) cannot leak into an export even for
//! callers who see it in JSON.
//!
//! Two [`ExportParams`] decide how a file meets a spreadsheet. Text cells that a
//! spreadsheet would run as a formula (OWASP's CSV injection guidance: a leading `=`,
//! `+`, `-`, `@`, tab or carriage return) are prefixed with `'` unless
//! `escape_formulas=false`: exports hold text the public submitted and spreadsheets
//! import, and most of these files are opened by a person in Excel, so the safe file is
//! the default and a program that wants the data verbatim says so. `bom=true` starts the
//! file with a UTF-8 byte-order mark (Excel otherwise reads UTF-8 as the local code
//! page); off by default.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::error::{ApiError, FieldError};
use crate::http::caller::Caller;
use crate::http::collection::Listing;
use crate::pagination::{Cursor, PageRequest};

/// Rows read from the database at a time while exporting.
pub const PAGE_SIZE: i64 = 500;

/// The media type of every export.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The UTF-8 byte-order mark `bom=true` puts before the header row.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How an export is written, for opening it in a spreadsheet. Given only with
/// `Accept: text/csv` (a 422 otherwise): a JSON page has no cells to escape.
#[derive(Debug, Default, Clone, Copy, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// With `Accept: text/csv` only: `true` starts the file with a UTF-8 byte-order mark
    /// (bytes `EF BB BF`), which Excel needs to read the file as UTF-8 rather than the
    /// local code page. Off when absent.
    pub bom: Option<bool>,
    /// With `Accept: text/csv` only: a single quote (`'`) goes before every text cell
    /// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, so that a
    /// spreadsheet shows it rather than running it as a formula (OWASP's advice on CSV
    /// injection; exports hold text the public submitted and documents imported).
    /// Numbers and booleans are never changed. On when absent; `false` writes every
    /// cell verbatim, for a program reading the CSV.
    pub escape_formulas: Option<bool>,
}

impl ExportParams {
    /// The names of the parameters given, for refusing them where they mean nothing.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("bom", self.bom.is_some()),
            ("escape_formulas", self.escape_formulas.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    fn escapes(self) -> bool {
        self.escape_formulas != Some(false)
    }
}

/// Whether the request's `Accept` header prefers `text/csv` (or `text/*`) to JSON: its
/// quality must be positive and at least that of `application/json`, `application/*` or
/// `*/*`. No `Accept`, or anything else, is JSON.
pub fn wants_csv(req: &HttpRequest) -> bool {
    let (mut csv, mut json) = (0.0_f32, 0.0_f32);
    for value in req.headers().get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for range in value.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            // A quality that is not a number from 0 to 1 makes the range count for nothing.
            let q = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                None => 1.0,
                Some(q) => q
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))
                    .unwrap_or(0.0),
            };
            match media.as_str() {
                "text/csv" | "text/*" => csv = csv.max(q),
                "application/json" | "application/*" | "*/*" => json = json.max(q),
                _ => {}
            }
        }
    }
    csv > 0.0 && csv >= json
}

/// The whole collection as a streamed CSV download; see the module documentation.
/// `limit` and `cursor` are the list's paging parameters, refused when given.
pub async fn respond<E: Listing>(
    state: &web::Data<AppState>,
    caller: &Caller,
    export: E,
    limit: Option<i64>,
    cursor: Option<&str>,
    options: ExportParams,
) -> Result<HttpResponse, ApiError> {
    let mut refused = Vec::new();
    for (name, given) in [("limit", limit.is_some()), ("cursor", cursor.is_some())] {
        if given {
            refused.push(FieldError::new(
                name,
                "is not used with Accept: text/csv, which returns every matching row; leave it out",
            ));
        }
    }
    if !refused.is_empty() {
        return Err(ApiError::validation(refused));
    }
    let max_rows = state.config.csv_max_rows;

    // Count what matches before sending anything, keeping only the first page.
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let (first, first_next) = export.page(&mut conn, page_after(None)).await?;
    let mut matched = first.len() as u64;
    let mut next = first_next;
    while let Some(after) = next {
        if matched > max_rows {
            break;
        }
        let (rows, following) = export.page(&mut conn, page_after(Some(after))).await?;
        matched += rows.len() as u64;
        next = following;
    }
    drop(conn);
    if matched > max_rows {
        return Err(ApiError::invalid(
            "query",
            format!(
                "more than {max_rows} rows match, and a text/csv export holds at most {max_rows} \
                 (SCRUTINY_CSV_MAX_ROWS); narrow the filters, or page through the JSON list"
            ),
        ));
    }

    let mut head = Vec::new();
    if options.bom == Some(true) {
        head.extend_from_slice(BOM);
    }
    write_rows::<E>(&mut head, true, &first, options.escapes())?;
    let stream = ExportStream {
        export,
        state: state.clone(),
        caller: caller.clone(),
        next: first_next,
        sent: first.len() as u64,
        max_rows,
        escape_formulas: options.escapes(),
    };
    let rest = futures_util::stream::unfold(Some(stream), |stream| async move {
        let mut stream = stream?;
        let after = stream.next?;
        match stream.next_chunk(after).await {
            Ok(bytes) => Some((Ok(bytes), Some(stream))),
            Err(error) => {
                log::error!("CSV export of {} cut off: {error}", E::NAME);
                Some((Err(actix_web::error::ErrorInternalServerError(error.to_string())), None))
            }
        }
    });
    let body = futures_util::stream::StreamExt::chain(
        futures_util::stream::once(std::future::ready(Ok::<_, actix_web::Error>(web::Bytes::from(head)))),
        rest,
    );
    let filename = format!("{}-{}.csv", E::NAME, crate::domain::calendar::today());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::VARY, "Accept"))
        .streaming(body))
}

fn page_after(after: Option<Cursor>) -> PageRequest {
    PageRequest {
        limit: PAGE_SIZE,
        after,
    }
}

/// The state of an export after its first page.
struct ExportStream<E> {
    export: E,
    state: web::Data<AppState>,
    caller: Caller,
    next: Option<Cursor>,
    sent: u64,
    max_rows: u64,
    escape_formulas: bool,
}

impl<E: Listing> ExportStream<E> {
    /// Reads the page after `after` and writes it out; a connection is held only while
    /// reading, never while the client downloads.
    async fn next_chunk(&mut self, after: Cursor) -> Result<web::Bytes, ApiError> {
        let mut conn = self.state.read_conn(self.caller.is_signed_in()).await?;
        let (rows, next) = self.export.page(&mut conn, page_after(Some(after))).await?;
        drop(conn);
        self.sent += rows.len() as u64;
        if self.sent > self.max_rows {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "rows were added during the export and it passed SCRUTINY_CSV_MAX_ROWS={}",
                self.max_rows
            )));
        }
        self.next = next;
        let mut out = Vec::new();
        write_rows::<E>(&mut out, false, &rows, self.escape_formulas)?;
        Ok(web::Bytes::from(out))
    }
}

/// Writes `items` (and the header row first when `header`) as RFC 4180 CSV: fields with
/// commas, quotes or line breaks are quoted, quotes doubled, lines end with CRLF. With
/// `escape_formulas`, text cells a spreadsheet would run are [`neutralised`].
fn write_rows<E: Listing>(
    out: &mut Vec<u8>,
    header: bool,
    items: &[E::Item],
    escape_formulas: bool,
) -> Result<(), ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let fail = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}"));
    if header {
        writer.write_record(E::COLUMNS).map_err(fail)?;
    }
    for item in items {
        let value = serde_json::to_value(item).map_err(|e| ApiError::Internal(e.into()))?;
        let mut fields = HashMap::new();
        flatten("", &value, &mut fields, escape_formulas);
        writer
            .write_record(
                E::COLUMNS
                    .iter()
                    .map(|column| fields.get(*column).map_or("", String::as_str)),
            )
            .map_err(fail)?;
    }
    writer
        .flush()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    Ok(())
}

/// Flattens a JSON value into `column → text`: objects recurse with `parent_child`
/// names, arrays are their elements joined with `;`, null is empty. With
/// `escape_formulas`, text (strings and joined arrays, never numbers or booleans) is
/// [`neutralised`].
fn flatten(prefix: &str, value: &Value, out: &mut HashMap<String, String>, escape_formulas: bool) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}_{key}")
                };
                flatten(&name, value, out, escape_formulas);
            }
        }
        other => {
            let text = scalar(other);
            let is_text = matches!(other, Value::String(_) | Value::Array(_));
            let text = if escape_formulas && is_text {
                neutralised(text)
            } else {
                text
            };
            out.insert(prefix.to_string(), text);
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula when it starts with
/// one (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` with a single quote before it when it starts like a formula; otherwise as it is.
/// The quote makes Excel, LibreOffice and Google Sheets show the cell as text.
fn neutralised(text: String) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(";"),
        Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn csv_is_chosen_only_when_preferred() {
        let wants = |accept: Option<&str>| {
            let mut req = TestRequest::default();
            if let Some(accept) = accept {
                req = req.insert_header((header::ACCEPT, accept));
            }
            wants_csv(&req.to_http_request())
        };
        assert!(wants(Some("text/csv")));
        assert!(wants(Some("text/csv; charset=utf-8")));
        assert!(wants(Some("application/json;q=0.5, text/csv")));
        assert!(wants(Some("text/csv, */*")));
        assert!(!wants(None));
        assert!(!wants(Some("application/json")));
        assert!(!wants(Some("*/*")));
        assert!(!wants(Some("text/csv;q=0")));
        assert!(!wants(Some("text/csv;q=banana")));
        assert!(!wants(Some("text/csv;q=NaN")));
        assert!(!wants(Some("text/csv;q=2, application/json")));
        assert!(!wants(Some("text/csv;q=0.5, application/json")));
        assert!(!wants(Some(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
    }

    #[test]
    fn nested_objects_flatten_and_arrays_join() {
        let mut out = HashMap::new();
        flatten(
            "",
            &serde_json::json!({"asker": {"kind": "panel_member"}, "topics": ["a", "b"], "due": null, "n": 3}),
            &mut out,
            false,
        );
        assert_eq!(out["asker_kind"], "panel_member");
        assert_eq!(out["topics"], "a;b");
        assert_eq!(out["due"], "");
        assert_eq!(out["n"], "3");
    }

    #[test]
    fn formula_cells_are_neutralised_only_when_asked_and_only_in_text() {
        let row = serde_json::json!({
            "a": "=HYPERLINK(\"http://x\")", "b": "+1", "c": "-2", "d": "@SUM(A1)",
            "e": "\tTab", "f": "\rCR", "g": "plain = text", "h": -3, "i": ["=x", "y"], "j": true,
        });
        let mut escaped = HashMap::new();
        flatten("", &row, &mut escaped, true);
        for (column, expected) in [
            ("a", "'=HYPERLINK(\"http://x\")"),
            ("b", "'+1"),
            ("c", "'-2"),
            ("d", "'@SUM(A1)"),
            ("e", "'\tTab"),
            ("f", "'\rCR"),
            ("g", "plain = text"),
            ("h", "-3"),
            ("i", "'=x;y"),
            ("j", "true"),
        ] {
            assert_eq!(escaped[column], expected, "{column}");
        }
        let mut verbatim = HashMap::new();
        flatten("", &row, &mut verbatim, false);
        assert_eq!(verbatim["a"], "=HYPERLINK(\"http://x\")");
        assert_eq!(verbatim["c"], "-2");
    }
}
