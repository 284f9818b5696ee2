//! `/api/v1/programmes/{id}/import`: a force's improvement plan, uploaded as a CSV or
//! XLSX spreadsheet, into the programme's actions; re-importing it later reports the
//! progress it shows as progress updates.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::{may_move, ActionId, ActionStatus, ProgressUpdateId};
use crate::domain::programme::ProgrammeId;
use crate::domain::report::RecommendationId;
use crate::error::{responses, ApiError, FieldError, Problem};
use crate::http::caller::{ImportPlans, Require};
use crate::http::{Body as RawBody, Query};
use crate::import::plan::{self, columns, Column, Note, Options, PlanError, PlanRow, StatusTable};
use crate::repo::actions::ActionRow;
use crate::repo::plan_imports::{self as repo, Importer, RowOutcome, Run};

/// The header naming the uploaded file.
const X_FILENAME: &str = "x-filename";

/// How to import a plan.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanImportQuery {
    /// `true` (the default): read the plan and report what an import would do, writing
    /// nothing. `false`: import it.
    #[param(default = true)]
    pub dry_run: Option<bool>,
    /// Headings the synonyms do not know, as `field:Heading` pairs separated by `;`
    /// (`reference:Item code;due_date:When by`). The fields: `reference`,
    /// `recommendation`, `action`, `owner`, `department`, `start_date`, `due_date`,
    /// `status`, `rag`, `percent`, `update`, `success_measure`. A heading named here
    /// that is not in the header row is a 422.
    pub mapping: Option<String>,
    /// Status words over the default table, as `word:status` pairs separated by `;`
    /// (`purple:blocked;amber:blocked`); statuses as actions have them.
    pub statuses: Option<String>,
}

/// A column of the plan's header row and what it was read as.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanColumn {
    /// The column's letter (`A`).
    pub column: String,
    pub header: String,
    /// The field it holds (see `mapping`); none when it is not read.
    pub field: Option<String>,
    /// `synonym` or `mapping`.
    pub matched_by: Option<String>,
    /// Why a column naming a field is not read (another column holds it).
    pub note: Option<String>,
}

impl From<Column> for PlanColumn {
    fn from(column: Column) -> Self {
        Self {
            column: column.column,
            header: column.header,
            field: column.field.map(|f| f.as_str().to_string()),
            matched_by: column.matched_by.map(|m| match m {
                columns::MatchedBy::Synonym => "synonym".to_string(),
                columns::MatchedBy::Mapping => "mapping".to_string(),
            }),
            note: column.note,
        }
    }
}

/// A note on a field of a row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanNote {
    /// The field (`due_date`, `recommendation` …) or `row`.
    pub field: String,
    pub message: String,
}

impl From<Note> for PlanNote {
    fn from(note: Note) -> Self {
        Self {
            field: note.field,
            message: note.message,
        }
    }
}

/// What was read from a row.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RecognisedRow {
    pub reference: Option<String>,
    pub recommendation_refs: Vec<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub due_on: Option<chrono::NaiveDate>,
    pub status: Option<ActionStatus>,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: Option<i32>,
    pub update: Option<String>,
    pub success_measure: Option<String>,
}

/// What the import did (or, in a dry run, would do) with one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanRowReport {
    /// The row's number in the spreadsheet (the first row is 1).
    pub row: usize,
    pub outcome: RowOutcome,
    /// The action created, updated or matched (not in a dry run for a new one).
    pub action_id: Option<ActionId>,
    /// The progress update posted (not in a dry run).
    pub progress_update_id: Option<ProgressUpdateId>,
    /// The recommendations its references name.
    pub recommendation_ids: Vec<RecommendationId>,
    /// The recognised cells as written, by field.
    #[schema(value_type = Object, additional_properties = true)]
    pub cells: std::collections::BTreeMap<String, String>,
    /// What was read from them.
    pub recognised: RecognisedRow,
    /// How values were converted (a serial number to a date, `Q4 2022/23` to its last
    /// day, `0.6` to 60 %, a RAG colour to a status).
    pub conversions: Vec<PlanNote>,
    /// What was guessed, defaulted or left unchanged, for a person to check.
    pub warnings: Vec<PlanNote>,
    /// Why the row cannot be imported (`failed`).
    pub errors: Vec<PlanNote>,
}

/// How many rows came to each outcome.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PlanImportCounts {
    /// Every row below the header up to the last non-blank one.
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// The report of a plan import, or of a dry run.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a90",
    "dry_run": true,
    "file": "improvement-plan-2022.csv",
    "format": "csv",
    "sheet": null,
    "header_row": 1,
    "columns": [{"column": "A", "header": "Ref", "field": "reference", "matched_by": "synonym", "note": null}],
    "counts": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 0},
    "rows": [{
        "row": 2, "outcome": "created", "action_id": null, "progress_update_id": null,
        "recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"],
        "cells": {"reference": "2.1", "due_date": "Mar-23", "rag": "Amber", "percent": "40%"},
        "recognised": {"reference": "2.1", "recommendation_refs": ["R2"], "action": "Agree joint strategy discussion standards",
            "owner": "Detective Superintendent Public Protection", "starts_on": "2022-06-13", "due_on": "2023-03-31",
            "status": "in_progress", "progress_percent": 40, "update": null, "success_measure": null},
        "conversions": [{"field": "due_date", "message": "'Mar-23' is a month: its last day, 2023-03-31"}],
        "warnings": [],
        "errors": []
    }]
}))]
pub struct PlanImportReport {
    pub programme_id: ProgrammeId,
    pub dry_run: bool,
    /// The file's name, from `X-Filename`.
    pub file: String,
    /// `csv` or `xlsx`, as recognised from the content.
    pub format: plan::Format,
    /// The worksheet read, for XLSX: the first with a header row.
    pub sheet: Option<String>,
    /// The header row's number: rows above it (titles, dates) are not read.
    pub header_row: usize,
    pub columns: Vec<PlanColumn>,
    pub counts: PlanImportCounts,
    pub rows: Vec<PlanRowReport>,
}

/// The import's options from the query's text (a 422 naming the parameter otherwise).
pub fn options(mapping: Option<&str>, statuses: Option<&str>) -> Result<Options, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mapping = match mapping.map(columns::parse_mapping).transpose() {
        Ok(mapping) => mapping.unwrap_or_default(),
        Err(reason) => {
            errors.push(FieldError::new("mapping", reason));
            Default::default()
        }
    };
    let statuses = match statuses.map(StatusTable::with_overrides).transpose() {
        Ok(table) => table.unwrap_or_default(),
        Err(reason) => {
            errors.push(FieldError::new("statuses", reason));
            StatusTable::default()
        }
    };
    if errors.is_empty() {
        Ok(Options { mapping, statuses })
    } else {
        Err(errors)
    }
}

/// The answer for a file that cannot be read as a plan: 415 for what is not a
/// spreadsheet, 422 naming `file` (or `mapping`) for one without a header it can use.
pub fn refusal(error: &PlanError) -> ApiError {
    match error {
        PlanError::NotASpreadsheet(reason) => ApiError::UnsupportedMediaType(format!(
            "The file is not a spreadsheet this import reads (CSV or XLSX): {reason}"
        )),
        PlanError::Empty => ApiError::invalid("file", error.to_string()),
        PlanError::NoHeader(_) | PlanError::TooLarge(_) => ApiError::invalid("file", error.to_string()),
        PlanError::Mapping(_) => ApiError::invalid("mapping", error.to_string()),
    }
}

/// Reads and imports (or, in a dry run, only reports) a plan for `programme`: each row
/// in a transaction of its own. 404 when there is no such programme.
pub async fn import(
    conn: &mut DbConn,
    importer: Importer<'_>,
    programme: ProgrammeId,
    bytes: &[u8],
    file: &str,
    options: &Options,
    dry_run: bool,
) -> Result<PlanImportReport, ApiError> {
    let target = repo::target(conn, programme).await?;
    let read = plan::read_plan(bytes, options).map_err(|e| refusal(&e))?;
    let run = Run {
        importer,
        dry_run,
        today: super::imports::london_today(),
        source_name: file,
    };
    let mut counts = PlanImportCounts::default();
    let mut rows = Vec::with_capacity(read.rows.len());
    for row in read.rows {
        let result = repo::import_row(conn, &run, &target, &row).await?;
        counts.rows += 1;
        match result.outcome {
            RowOutcome::Created => counts.created += 1,
            RowOutcome::Updated => counts.updated += 1,
            RowOutcome::Unchanged => counts.unchanged += 1,
            RowOutcome::Failed => counts.failed += 1,
            RowOutcome::Skipped => counts.skipped += 1,
        }
        rows.push(row_report(row, result));
    }
    Ok(PlanImportReport {
        programme_id: programme,
        dry_run,
        file: file.to_string(),
        format: read.format,
        sheet: read.sheet,
        header_row: read.header_row,
        columns: read.columns.into_iter().map(PlanColumn::from).collect(),
        counts,
        rows,
    })
}

fn row_report(row: PlanRow, result: repo::RowResult) -> PlanRowReport {
    let mut warnings: Vec<PlanNote> = row.warnings.into_iter().map(PlanNote::from).collect();
    warnings.extend(result.warnings.into_iter().map(PlanNote::from));
    // The row's own errors are in `result.errors` when it failed on them.
    let errors = result.errors.into_iter().map(PlanNote::from).collect();
    PlanRowReport {
        row: row.row,
        outcome: result.outcome,
        action_id: result.action_id,
        progress_update_id: result.progress_update_id,
        recommendation_ids: result.recommendation_ids,
        cells: row.cells,
        recognised: RecognisedRow {
            reference: row.reference,
            recommendation_refs: row.recommendation_refs,
            action: row.action,
            owner: row.owner,
            starts_on: row.starts_on,
            due_on: row.due_on,
            status: row.status,
            progress_percent: row.progress_percent,
            update: row.update,
            success_measure: row.success_measure,
        },
        conversions: row.conversions.into_iter().map(PlanNote::from).collect(),
        warnings,
        errors,
    }
}

/// The file name from `X-Filename`: no directory, no control characters, at most 200
/// characters; `upload` when none is given.
fn file_name(req: &HttpRequest) -> String {
    let raw = req
        .headers()
        .get(X_FILENAME)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    crate::import::source_name(&raw)
}

/// A plan as a force publishes it: a title row, then the header and the actions.
const EXAMPLE_PLAN: &str = "Child Protection Improvement Programme: action plan\n\
Ref,HMICFRS Recommendation,Action,Action Owner,Start Date,Target Date,RAG,% Complete,Latest Update\n\
2.1,R2,Agree joint strategy discussion standards,Detective Superintendent Public Protection,13/06/2022,Mar-23,Amber,40%,\
Draft standards with partners.\n";

/// The media types a plan may be sent as; the content decides how it is read.
const ACCEPTED_TYPES: &[&str] = &[
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/octet-stream",
];

/// Import an improvement plan into a programme.
///
/// The body is the plan's file, CSV or XLSX (the first worksheet with a header), sent
/// as it is with a spreadsheet's content type (`curl -H 'Content-Type:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' --data-binary
/// @plan.xlsx`; `text/csv`, `application/csv`, `text/plain`, `application/vnd.ms-excel`
/// or `application/octet-stream` also do, and anything else, curl's default form type
/// among them, is a 415). Whether it is CSV or XLSX is recognised from its content, not
/// its name or content type. The header row is found below any title rows, its
/// headings matched by a documented list of synonyms (README, "Improvement plans") or
/// the `mapping` given. Each row below it is one action, matched to the programme's
/// actions by its reference (ignoring letter case): a new reference creates an action
/// (owned by the programme's owner organisation, the post the plan names, answering the
/// recommendations its references name in the programme's reports); a known one whose
/// status or percentage changed gets a progress update with the plan's latest-update
/// text (never an overwrite); one that has not changed is left alone, so importing a
/// plan again does nothing. Dates (Excel serials, `31/03/2023`, `31 October 2022`,
/// `Mar-23`, `Q4 2022/23`), RAG colours and status words (`statuses` overrides the
/// table) and percentages (`60%`, `0.6`, `60`) are converted and each conversion is
/// reported.
///
/// With `dry_run` (the default) nothing is written and the report says what an import
/// would do. Each row is imported in a transaction of its own: a row that cannot be
/// imported (an unknown recommendation, a date out of range, a formula without its
/// result, a status an action cannot move to) is reported as `failed` with its row
/// number and reasons and does not stop the others. For `admin` and
/// `commissioner_office`, who may record actions and post their progress. 404 when there is no such programme; 413 over the body
/// limit (`SCRUTINY_BODY_LIMIT`); 415 for what is not a spreadsheet; 422 for a file
/// with no header row it can use, or a `mapping` or `statuses` it cannot read.
#[utoipa::path(
    tag = "programmes",
    params(
        ("id" = ProgrammeId, Path, description = "The programme's id."),
        PlanImportQuery,
        ("X-Filename" = Option<String>, Header, description = "The file's name, for the report and for progress \
updates without commentary. Default `upload`."),
    ),
    request_body(
        content(
            (String = "text/csv", example = json!(EXAMPLE_PLAN)),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                example = json!("(the workbook's bytes)")),
        ),
        description = "The plan's file as it is, CSV (UTF-8) or XLSX. Also accepted as `application/octet-stream`, \
`application/csv`, `application/vnd.ms-excel` or `text/plain`: the content decides how it is read.",
    ),
    responses(
        (status = 200, description = "The report: per row, what was read, converted, warned about and done (or, in a \
dry run, would be done).", body = PlanImportReport),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, description = "The body is not a CSV or XLSX spreadsheet (or is sent as a type that cannot \
be one, such as `application/json`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No header row with a reference column and another known column in the first \
30 rows, or `mapping`, `statuses` or `dry_run` cannot be read: `errors` name `file`, `mapping`, `statuses` or \
`dry_run`. Nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 503, response = responses::Unavailable),
    )
)]
#[post("/programmes/{id}/import")]
pub async fn create_programme_import(
    auth: Require<ImportPlans>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<ProgrammeId>,
    Query(query): Query<PlanImportQuery>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    if let Some(media_type) = &body.media_type {
        if !ACCEPTED_TYPES.contains(&media_type.as_str()) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "This operation takes the plan's file (CSV or XLSX), not {media_type}; send it as text/csv, \
                 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream"
            )));
        }
    }
    let options = options(query.mapping.as_deref(), query.statuses.as_deref()).map_err(ApiError::validation)?;
    let mut conn = state.conn().await?;
    let actor = auth.actor();
    let may_post_progress = |action: &ActionRow| may_move(&auth.principal, action.owner_organisation_id);
    let importer = Importer {
        actor: &actor,
        may_post_progress: &may_post_progress,
    };
    let report = import(
        &mut conn,
        importer,
        *id,
        &body.bytes,
        &file_name(&req),
        &options,
        query.dry_run.unwrap_or(true),
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
