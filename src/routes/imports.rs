//! `/api/v1/imports`: bringing the panel's published question-and-response documents
//! in, one document per request, as answered questions with published responses.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::domain::calendar::uk_offset_at;
use crate::domain::question::{AskerKind, QuestionId, ResponseId};
use crate::error::{responses, ApiError, Problem};
use crate::http::caller::{ManageQuestions, Require};
use crate::http::{PlainText, Query};
use crate::import::{self, ImportError, ParseWarning, ParsedDocument, Prepared};
use crate::repo::imports::{self as repo, Stored};
use crate::repo::questions::Source;

/// The header naming the uploaded document's file.
pub const X_FILENAME: &str = "x-filename";

/// A document in the family the importer reads: the fixture the parser was written for,
/// shortened.
const EXAMPLE_DOCUMENT: &str = "Police, Fire & Crime Panel – Public Question\n\n\
Question(s) Posed:\n\n\
What exactly is the PFCC doing about the HMIC inspection findings to bring the force to account?\n\n\
Panel Member: Public Question\n\n\
Question Date: 31/05/2022\n\n\
Commissioner Response:\n\n\
In response to HMICFRS Inspection Findings, the force has initiated a Child Protection Improvement Programme.\n\n\
Contact Officer:\n\n\
Author:\tRalph Butler\n\
Position:\tInterim Joint Chief Executive\n\
Date:\t9 June 2022\n";

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: only read the document and answer what would be imported; nothing is
    /// written, and whether it was imported before is not looked up.
    #[param(default = false)]
    pub dry_run: Option<bool>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The question and its published response were created.
    Created,
    /// A document with the same text was imported before; nothing was created.
    AlreadyImported,
    /// A dry run: the document was read, and nothing was written.
    Parsed,
}

/// Something the importer guessed, dropped or cleaned up, for a person to check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportWarning {
    /// The `document` field concerned (`responded_on`, `asker` …), or `document` for
    /// text that belongs to no field.
    #[schema(example = "responded_on")]
    pub field: String,
    #[schema(
        example = "read '9 June 20222144' as the year 2022 followed by the page number 2144, which had run into it"
    )]
    pub message: String,
}

impl From<ParseWarning> for ImportWarning {
    fn from(warning: ParseWarning) -> Self {
        Self {
            field: warning.field,
            message: warning.message,
        }
    }
}

/// Who asked, as the document says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedAsker {
    pub kind: AskerKind,
    /// The asker's name when the document gives one; the question is published under
    /// "A member of the public" (or "A member of the panel") otherwise.
    pub display_name: Option<String>,
}

/// A document as read: the fields the question and its response are made of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedDocument {
    /// The panel named in the heading, if any.
    pub panel_name: Option<String>,
    /// The question, a paragraph per entry, words and punctuation as published.
    pub questions: Vec<String>,
    /// The title the question is given: its first paragraph, cut on a word boundary
    /// at 300 characters.
    pub title: String,
    pub asked_on: NaiveDate,
    pub asker: ImportedAsker,
    /// The response, paragraphs separated by a blank line.
    pub response_body: String,
    pub author_name: String,
    pub author_position: String,
    pub responded_on: NaiveDate,
    /// The SHA-256 (hex) of the text with its line endings normalised: the same
    /// document is imported once.
    pub content_hash: String,
}

impl ImportedDocument {
    pub fn from_prepared(prepared: &Prepared) -> Self {
        let document: &ParsedDocument = &prepared.document;
        Self {
            panel_name: document.panel_name.clone(),
            questions: document.questions.clone(),
            title: prepared.question.title.as_str().to_string(),
            asked_on: document.asked_on,
            asker: ImportedAsker {
                kind: prepared.question.asker_kind,
                display_name: document.asker.display_name.clone(),
            },
            response_body: document.response_body.clone(),
            author_name: document.author_name.clone(),
            author_position: document.author_position.clone(),
            responded_on: document.responded_on,
            content_hash: document.content_hash.clone(),
        }
    }
}

/// The result of an import, or of a dry run.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "outcome": "created",
    "question_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "reference": "PQ-2022-0007",
    "response_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5e",
    "warnings": [{
        "field": "responded_on",
        "message": "read '9 June 20222144' as the year 2022 followed by the page number 2144, which had run into it"
    }]
}))]
pub struct ImportResult {
    pub outcome: ImportOutcome,
    /// The question created, or imported before from the same document (not in a dry
    /// run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_id: Option<QuestionId>,
    /// That question's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The published response created (`created` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<ResponseId>,
    /// What was read (dry runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<ImportedDocument>,
    /// What the importer guessed, dropped or cleaned up: check these against the
    /// document.
    pub warnings: Vec<ImportWarning>,
}

/// Today in London, which bounds the dates an imported document may give.
pub fn london_today() -> NaiveDate {
    let now = Utc::now();
    now.with_timezone(&uk_offset_at(now)).date_naive()
}

/// The 422 for a document that cannot be imported: each error names the document's
/// field.
pub fn refusal(error: &ImportError) -> ApiError {
    ApiError::validation(error.errors())
}

/// Import a published question-and-response document.
///
/// The body is the document's text (`text/plain; charset=utf-8`), as extracted from the
/// panel's published PDF or web page. It becomes a question, `answered`, with the
/// published written response the document gives (its author, position and date), both
/// created in one transaction and marked with their `source` (the file name from
/// `X-Filename`, and the hash of the text). No contact details, topics or meeting are
/// set: a document has none.
///
/// A document whose text was imported before creates nothing: the answer is 200 with
/// `already_imported` and that question. With `dry_run=true` the document is only
/// read: 200 with `parsed` and what was read. Either way `warnings` lists what the
/// importer had to guess, drop or clean up (a page number run into a date, say).
/// A text that is not such a document, or lacks the question, a date, the response or
/// its author, is a 422 whose `errors` name the field and the reason; nothing is
/// written. For `admin` and `secretariat`.
#[utoipa::path(
    tag = "imports",
    params(
        ImportQuery,
        ("X-Filename" = Option<String>, Header,
            description = "The document's file name, kept as the question's `source.name`: any directory is \
dropped, control characters removed and the rest cut to 200 characters. Default `upload`."),
    ),
    request_body(
        content = String,
        content_type = "text/plain",
        description = "The document's text, UTF-8 (`text/plain; charset=utf-8`; another charset is a 415).",
        example = json!(EXAMPLE_DOCUMENT),
    ),
    responses(
        (status = 201, description = "The question and its published response were created (`created`).",
            body = ImportResult,
            headers(("Location" = String, description = "The new question's URL."))),
        (status = 200, description = "A document with the same text was imported before (`already_imported`), \
or a dry run read it (`parsed`); nothing was written.", body = ImportResult),
        (status = 400, description = "The body is not UTF-8, or the query string cannot be read.",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, description = "The body is not `text/plain` in UTF-8.",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The document cannot be imported (or a query parameter is unknown, or \
`dry_run` is not a boolean): `errors` \
name the field (`document`, `questions`, `asked_on`, `response_body`, `author_name`, `author_position`, \
`responded_on`, `asker`) and why. Nothing was written.",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, response = responses::Unavailable),
    )
)]
#[post("/imports")]
pub async fn create_import(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    Query(query): Query<ImportQuery>,
    PlainText(text): PlainText,
) -> Result<HttpResponse, ApiError> {
    let raw_name = req
        .headers()
        .get(X_FILENAME)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    let prepared = import::prepare(&text, &raw_name, london_today()).map_err(|e| refusal(&e))?;
    let warnings: Vec<ImportWarning> = prepared
        .document
        .warnings
        .iter()
        .cloned()
        .map(ImportWarning::from)
        .collect();
    if query.dry_run.unwrap_or(false) {
        return Ok(HttpResponse::Ok().json(ImportResult {
            outcome: ImportOutcome::Parsed,
            question_id: None,
            reference: None,
            response_id: None,
            document: Some(ImportedDocument::from_prepared(&prepared)),
            warnings,
        }));
    }
    let source = Source {
        name: &prepared.source_name,
        hash: &prepared.document.content_hash,
    };
    let mut conn = state.conn().await?;
    let stored = repo::store(&mut conn, &auth.actor(), &prepared.question, &prepared.response, source).await?;
    Ok(match stored {
        Stored::Created { question, response } => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/questions/{}", question.row.id)))
            .json(ImportResult {
                outcome: ImportOutcome::Created,
                question_id: Some(question.row.id),
                reference: Some(question.row.reference),
                response_id: Some(response.row.id),
                document: None,
                warnings,
            }),
        Stored::AlreadyImported(question) => HttpResponse::Ok().json(ImportResult {
            outcome: ImportOutcome::AlreadyImported,
            question_id: Some(question.id),
            reference: Some(question.reference),
            response_id: None,
            document: None,
            warnings,
        }),
    })
}
