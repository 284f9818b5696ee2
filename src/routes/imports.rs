//! `/api/v1/imports`: bringing the panel's published question-and-response documents
//! in, one document per request, as answered questions with published responses.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use std::collections::HashMap;

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::calendar::uk_offset_at;
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::{OrganisationId, OrganisationKind};
use crate::domain::question::{AskerKind, QuestionId, QuestionStatus, ResponseId};
use crate::domain::question_rules::Addressee;
use crate::error::{responses, ApiError, FieldError, Problem};
use crate::http::caller::{ManageQuestions, Require};
use crate::http::{PlainText, Query};
use crate::import::minutes::{
    check_meeting_date, parse_minutes, prepare_minutes, DocumentKind, Lines, MeetingContext, MinutesOutcome,
    ParsedMinutes, Planned, Recognised, Unread,
};
use crate::import::{self, ImportError, ParseError, ParseWarning, ParsedDocument, Prepared};
use crate::repo::imports::{self as repo, Stored, StoredQuestion};
use crate::repo::questions::{self as questions_repo, Source};

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
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: only read the document and answer what would be imported; nothing is
    /// written. For a document of one question, whether it was imported before is not
    /// looked up; for minutes, each question's key is.
    #[param(default = false)]
    pub dry_run: Option<bool>,
    /// For minutes and "Question by / Response by" pages: the panel meeting they are of
    /// (held, not cancelled), which gives the questions their meeting and date. Required
    /// for them unless `meeting_date` is given or the document states its meeting's date;
    /// ignored (with a warning) for a document of one question.
    pub meeting_id: Option<MeetingId>,
    /// Instead of `meeting_id`: the day (`YYYY-MM-DD`) of the one panel meeting held
    /// then. A 422 naming it when no panel meeting, or several, were held that day.
    #[param(value_type = Option<String>, format = Date, example = "2022-11-14")]
    pub meeting_date: Option<NaiveDate>,
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

/// What an import did with one question of a minutes document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionImportOutcome {
    /// Created, and answered, referred, rejected or accepted as the minutes say.
    Created,
    /// The same question (the same words at the same meeting) was imported before.
    AlreadyImported,
    /// A dry run: read, and would be created.
    Parsed,
    /// Not imported: `errors` say why. Nothing of it was written.
    Failed,
}

/// One question of a minutes document: what was read, what was guessed, and what the
/// import did with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedQuestion {
    /// Its place in the document, from 1.
    pub index: usize,
    /// The minute number it was published under ("9.1"), if any.
    pub number: Option<String>,
    /// The source lines it was read from (its answer included).
    pub lines: Lines,
    pub outcome: QuestionImportOutcome,
    /// The question created or imported before (not for a dry run's new questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_id: Option<QuestionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Its status now (`answered`, `referred`, `rejected`, `accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<QuestionStatus>,
    /// The published answer created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<ResponseId>,
    /// What became of it, as the minutes tell it.
    pub minutes_outcome: MinutesOutcome,
    pub asker_kind: AskerKind,
    /// The name it is published under: as the minutes give it, else "A member of the
    /// public" (a supplementary by the same asker takes its original's).
    pub asker_display_name: String,
    pub addressed_to: Addressee,
    pub title: String,
    /// Who answered ("Councillor Lewis Marsh (Chair)"), for an answered question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// When the written reply promised at the meeting is due, where the minutes say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_due_on: Option<NaiveDate>,
    /// The `index` of the question it is a supplementary to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplementary_to: Option<usize>,
    /// Its key: the SHA-256 (hex) of its words with the meeting (and its original's
    /// key), stored as the question's `source.hash`, so importing again finds it.
    pub key: String,
    /// What was recognised, with the lines it came from.
    pub recognised: Vec<Recognised>,
    /// What was guessed, for a person to check.
    pub warnings: Vec<String>,
    /// Why it was not imported (`failed` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// How many questions of a minutes document went which way.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    pub questions: usize,
    pub created: usize,
    pub already_imported: usize,
    /// Read in a dry run, and would be created.
    pub parsed: usize,
    pub failed: usize,
    /// Passages not read (see `unread`).
    pub unread: usize,
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
    "kind": "question_document",
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
    /// The document's shape: `question_document`, `minutes` or
    /// `question_by_response_by`.
    pub kind: DocumentKind,
    /// The meeting a minutes document was imported into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<MeetingId>,
    /// For minutes: the counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<ImportSummary>,
    /// For minutes: each question, in the document's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<ImportedQuestion>,
    /// For minutes: what was recognised about the document as a whole (its meeting's
    /// date, the number of questions it announces).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recognised: Vec<Recognised>,
    /// For minutes: the passages that are neither a question nor its answer, with the
    /// reason; they were not imported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<Unread>,
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

/// Import a published question-and-response document, or the minutes of a meeting's
/// public questions.
///
/// The body is the document's text (`text/plain; charset=utf-8`), as extracted from the
/// panel's published PDF or web page. Three shapes are read:
///
/// - **One question** with its "Commissioner Response" and contact block: it becomes a
///   question, `answered`, with the published written response the document gives (its
///   author, position and date), both created in one transaction and marked with their
///   `source` (the file name from `X-Filename`, and the hash of the text). No contact
///   details, topics or meeting are set: a document has none. A document whose text was
///   imported before creates nothing: 200 with `already_imported` and that question.
/// - **Minutes** of a public questions item ("A member of the public asked …", "The
///   Commissioner replied …", "by way of a supplementary question …") and
///   **"Question by / Response by" pages**: each question becomes a question put to the
///   meeting named by `meeting_id` (or `meeting_date`; or the date the document states),
///   asked on its day, by the asker the minutes name ("A member of the public" when they
///   name none), and then, as the minutes say: answered (its answer published, `verbal`
///   at the meeting with any written follow-up promised and its due date, or `written`),
///   referred to the one organisation of the kind named ("passed to the force"), rejected
///   with its ground ("not accepted", "ruled out of order"), a supplementary recorded on
///   its original, or accepted (deferred, a written reply promised, no outcome recorded).
///   Each question is stored in a transaction of its own through the same rules as any
///   question (the panel's addressees, word limits, supplementaries), with its audit
///   records and events; its `source.hash` is its key (its words with the meeting), so
///   importing the minutes again creates only the questions not imported before. The
///   answer lists every question (`questions`) with the lines it came from, what was
///   recognised, what was guessed (`warnings`), its outcome and why it failed if it did,
///   and the passages not read (`unread`) with the reason: 201 when a question was
///   created, 200 when all were imported before. Minutes without a meeting are a 422
///   naming `meeting_id`; a meeting that is not a held panel meeting, or not the one the
///   document names, a 422 naming it; minutes of which no question could be imported a
///   422 naming each (`questions[N]`).
///
/// With `dry_run=true` the document is only read (minutes still need their meeting):
/// 200 with `parsed` and what was read; for minutes, each question's key is looked up
/// (`already_imported` or `parsed`), but the panel's rules are not applied. `warnings`
/// lists what the importer had to guess, drop or clean up. A text that is none of these
/// shapes, or lacks the question, a date, the response or its author, is a 422 whose
/// `errors` name the field and the reason; nothing is written. For `admin` and
/// `secretariat`.
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
        (status = 201, description = "The question and its published response were created (`created`); for \
minutes, at least one question was (`Location` is the first).",
            body = ImportResult,
            headers(("Location" = String, description = "The new question's URL."))),
        (status = 200, description = "A document with the same text (for minutes, every question that could \
be imported) was imported before (`already_imported`), or a dry run read it (`parsed`); nothing was written.",
            body = ImportResult),
        (status = 400, description = "The body is not UTF-8, or the query string cannot be read.",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, description = "The body is not `text/plain` in UTF-8.",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The document cannot be imported (or a query parameter is unknown, or \
`dry_run` is not a boolean, or `meeting_id` not a UUID, or `meeting_date` not a date): `errors` \
name the field (`document`, `questions`, `asked_on`, `response_body`, `author_name`, `author_position`, \
`responded_on`, `asker`; for minutes `meeting_id`, `meeting_date`, or `questions[N]` when no question could be \
imported) and why. Nothing was written.",
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
    let dry_run = query.dry_run.unwrap_or(false);
    let prepared = match read_document(&text, &raw_name, london_today()).map_err(|e| refusal(&e))? {
        Read::Minutes(minutes) => {
            let mut conn = state.conn().await?;
            let actor = auth.actor();
            let source = import::source_name(&raw_name);
            let result = import_minutes(&mut conn, &actor, &minutes, &source, &query, dry_run).await?;
            return Ok(minutes_response(result));
        }
        Read::Question(prepared) => *prepared,
    };
    let mut warnings: Vec<ImportWarning> = prepared
        .document
        .warnings
        .iter()
        .cloned()
        .map(ImportWarning::from)
        .collect();
    warnings.extend(ignored_meeting(&query));
    if dry_run {
        return Ok(HttpResponse::Ok().json(ImportResult {
            document: Some(ImportedDocument::from_prepared(&prepared)),
            warnings,
            ..ImportResult::of_question(ImportOutcome::Parsed)
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
                question_id: Some(question.row.id),
                reference: Some(question.row.reference),
                response_id: Some(response.row.id),
                warnings,
                ..ImportResult::of_question(ImportOutcome::Created)
            }),
        Stored::AlreadyImported(question) => HttpResponse::Ok().json(ImportResult {
            question_id: Some(question.id),
            reference: Some(question.reference),
            warnings,
            ..ImportResult::of_question(ImportOutcome::AlreadyImported)
        }),
    })
}

impl ImportResult {
    /// The result for a document of one question, before its ids are known.
    pub fn of_question(outcome: ImportOutcome) -> Self {
        Self {
            outcome,
            kind: DocumentKind::QuestionDocument,
            meeting_id: None,
            summary: None,
            questions: Vec::new(),
            recognised: Vec::new(),
            unread: Vec::new(),
            question_id: None,
            reference: None,
            response_id: None,
            document: None,
            warnings: Vec::new(),
        }
    }
}

/// The warning for a meeting given with a document of one question, which takes none.
pub fn ignored_meeting(query: &ImportQuery) -> Option<ImportWarning> {
    (query.meeting_id.is_some() || query.meeting_date.is_some()).then(|| ImportWarning {
        field: "meeting_id".to_string(),
        message: "ignored: a document of one question is imported as a published written answer, at no meeting"
            .to_string(),
    })
}

/// A document read: one question with its response, or minutes.
pub enum Read {
    Question(Box<Prepared>),
    Minutes(Box<ParsedMinutes>),
}

/// Reads `text` as a document of one question or, when it has no "Commissioner
/// Response" section, as minutes or a "Question by / Response by" page. A 422's error
/// when it is neither, or a question document that cannot be imported.
pub fn read_document(text: &str, raw_name: &str, today: NaiveDate) -> Result<Read, ImportError> {
    match import::prepare(text, raw_name, today) {
        Ok(prepared) => Ok(Read::Question(Box::new(prepared))),
        Err(ImportError::Unreadable(ParseError::NotAQuestionDocument { .. })) => match parse_minutes(text) {
            Some(minutes) => Ok(Read::Minutes(Box::new(minutes))),
            None => Err(ImportError::Unreadable(ParseError::NotAnImportableDocument)),
        },
        Err(other) => Err(other),
    }
}

/// The HTTP answer to a minutes import: 201 when a question was created (`Location`
/// the first), 200 otherwise.
fn minutes_response(result: ImportResult) -> HttpResponse {
    if result.outcome == ImportOutcome::Created {
        let first = result
            .questions
            .iter()
            .find(|q| q.outcome == QuestionImportOutcome::Created)
            .and_then(|q| q.question_id);
        let mut response = HttpResponse::Created();
        if let Some(id) = first {
            response.insert_header((header::LOCATION, format!("/api/v1/questions/{id}")));
        }
        response.json(result)
    } else {
        HttpResponse::Ok().json(result)
    }
}

/// Imports the questions of `minutes` (or, with `dry_run`, reads them and looks up
/// which were imported before) into the meeting `query` names, each question in a
/// transaction of its own. A 422 naming `meeting_id` or `meeting_date` when the meeting
/// is missing, unknown, not held, or not the one the document names; a 422 naming each
/// question (`questions[N]`) when none could be imported and none was before.
pub async fn import_minutes(
    conn: &mut DbConn,
    actor: &Actor,
    minutes: &ParsedMinutes,
    source_name: &str,
    query: &ImportQuery,
    dry_run: bool,
) -> Result<ImportResult, ApiError> {
    let mut recognised = minutes.recognised.clone();
    let document_date = minutes.meeting_date.map(|(date, _)| date);
    let meeting_date = query
        .meeting_date
        .map(|d| crate::domain::storable_date("meeting_date", d).map_err(|e| ApiError::validation(vec![e])))
        .transpose()?;
    let meeting_date = match (query.meeting_id, meeting_date) {
        (None, None) => document_date,
        (_, given) => given,
    };
    let meeting = repo::minutes_meeting(conn, query.meeting_id, meeting_date).await?;
    check_meeting_date(minutes, meeting.held_on).map_err(|e| ApiError::validation(vec![e]))?;
    if query.meeting_id.is_none() && query.meeting_date.is_none() {
        if let Some(found) = recognised.iter_mut().find(|r| r.what == "meeting_date") {
            found.text = format!("{} (the meeting {} was found by it)", found.text, meeting.id);
        }
    }
    let prepared = prepare_minutes(
        minutes,
        MeetingContext {
            id: meeting.id,
            held_on: meeting.held_on,
        },
    );
    let mut targets: HashMap<OrganisationKind, Result<OrganisationId, String>> = HashMap::new();
    let mut ids: Vec<Option<QuestionId>> = Vec::new();
    let mut reports: Vec<ImportedQuestion> = Vec::new();
    for question in &prepared.questions {
        let mut report = ImportedQuestion {
            index: question.index,
            number: question.number.clone(),
            lines: question.lines,
            outcome: QuestionImportOutcome::Failed,
            question_id: None,
            reference: None,
            status: None,
            response_id: None,
            minutes_outcome: question.outcome,
            asker_kind: question.asker_kind,
            asker_display_name: question.asker_display_name.clone(),
            addressed_to: question.addressed_to,
            title: question.title.clone(),
            answered_by: question.answered_by.clone(),
            follow_up_due_on: question.follow_up_due_on,
            supplementary_to: question.parent.map(|p| p + 1),
            key: question.key.clone(),
            recognised: question.recognised.clone(),
            warnings: question.warnings.clone(),
            errors: Vec::new(),
        };
        let stored = store_one(conn, actor, question, source_name, &ids, &mut targets, dry_run).await?;
        let id = match stored {
            Ok(StoredOrRead::Stored(StoredQuestion::Created {
                question: row,
                response_id,
            })) => {
                report.outcome = QuestionImportOutcome::Created;
                report.response_id = response_id;
                fill(&mut report, &row);
                Some(row.id)
            }
            Ok(StoredOrRead::Stored(StoredQuestion::AlreadyImported(row))) => {
                report.outcome = QuestionImportOutcome::AlreadyImported;
                fill(&mut report, &row);
                Some(row.id)
            }
            Ok(StoredOrRead::Read) => {
                report.outcome = QuestionImportOutcome::Parsed;
                None
            }
            Err(errors) => {
                report.errors = errors;
                None
            }
        };
        ids.push(id);
        reports.push(report);
    }
    let mut summary = ImportSummary {
        questions: reports.len(),
        unread: prepared.unread.len(),
        ..ImportSummary::default()
    };
    for report in &reports {
        match report.outcome {
            QuestionImportOutcome::Created => summary.created += 1,
            QuestionImportOutcome::AlreadyImported => summary.already_imported += 1,
            QuestionImportOutcome::Parsed => summary.parsed += 1,
            QuestionImportOutcome::Failed => summary.failed += 1,
        }
    }
    if !dry_run && summary.created == 0 && summary.already_imported == 0 && summary.failed > 0 {
        let errors = reports
            .iter()
            .flat_map(|r| {
                r.errors.iter().map(move |e| {
                    FieldError::new(
                        format!("questions[{}]", r.index),
                        format!("lines {}–{}: {}: {}", r.lines.first, r.lines.last, e.field, e.message),
                    )
                })
            })
            .collect();
        return Err(ApiError::validation(errors));
    }
    let outcome = if dry_run {
        ImportOutcome::Parsed
    } else if summary.created > 0 {
        ImportOutcome::Created
    } else {
        ImportOutcome::AlreadyImported
    };
    Ok(ImportResult {
        kind: prepared.kind,
        meeting_id: Some(meeting.id),
        summary: Some(summary),
        questions: reports,
        recognised,
        unread: prepared.unread,
        warnings: prepared
            .warnings
            .into_iter()
            .map(|message| ImportWarning {
                field: "document".to_string(),
                message,
            })
            .collect(),
        ..ImportResult::of_question(outcome)
    })
}

/// A question stored (or found), or only read in a dry run.
enum StoredOrRead {
    Stored(StoredQuestion),
    Read,
}

fn fill(report: &mut ImportedQuestion, row: &crate::repo::questions::QuestionRow) {
    report.question_id = Some(row.id);
    report.reference = Some(row.reference.clone());
    report.status = Some(row.status);
}

/// Stores one prepared question (or, in a dry run, looks up whether it was imported
/// before): the errors, naming their fields, when it cannot be. Only a database that
/// cannot be reached (or fails) is an `Err` of the outer result.
async fn store_one(
    conn: &mut DbConn,
    actor: &Actor,
    question: &crate::import::minutes::PreparedQuestion,
    source_name: &str,
    ids: &[Option<QuestionId>],
    targets: &mut HashMap<OrganisationKind, Result<OrganisationId, String>>,
    dry_run: bool,
) -> Result<Result<StoredOrRead, Vec<FieldError>>, ApiError> {
    let ready = match &question.ready {
        Ok(ready) => ready,
        Err(errors) => return Ok(Err(errors.clone())),
    };
    if dry_run {
        return Ok(Ok(
            match questions_repo::find_by_source_hash(conn, &question.key).await? {
                Some(row) => StoredOrRead::Stored(StoredQuestion::AlreadyImported(Box::new(row))),
                None => StoredOrRead::Read,
            },
        ));
    }
    let referral = match &ready.planned {
        Planned::Refer { to, .. } => {
            if !targets.contains_key(to) {
                let target = repo::referral_target(conn, *to).await?;
                targets.insert(*to, target);
            }
            match targets.get(to) {
                Some(Ok(id)) => Some(*id),
                Some(Err(reason)) => return Ok(Err(vec![FieldError::new("referred_to", reason.clone())])),
                None => None,
            }
        }
        _ => None,
    };
    let parent = match question.parent {
        Some(p) => match ids.get(p).copied().flatten() {
            Some(id) => Some(id),
            None => {
                return Ok(Err(vec![FieldError::new(
                    "parent_question_id",
                    format!(
                        "it is a supplementary to question {}, which was not imported, so it cannot be linked",
                        p + 1
                    ),
                )]))
            }
        },
        None => None,
    };
    match repo::store_minutes_question(conn, actor, &question.key, source_name, ready, parent, referral).await {
        Ok(stored) => Ok(Ok(StoredOrRead::Stored(stored))),
        Err(ApiError::Validation(errors)) => Ok(Err(errors)),
        Err(error @ (ApiError::Conflict { .. } | ApiError::Forbidden(_) | ApiError::NotFound(_))) => {
            Ok(Err(vec![FieldError::new("question", error.to_string())]))
        }
        Err(other) => Err(other),
    }
}
