//! `scrutiny import` and `scrutiny seed-demo`: bringing records into the database from
//! outside, as published documents or as the demo story.
//!
//! An import reads each file, prepares it with the same code as `POST /api/v1/imports`
//! and stores it in a transaction of its own, then prints one report per file (a line
//! each, or JSON). A dry run does everything but the storing, and needs no database.

use std::path::PathBuf;

use serde::Serialize;

use super::migrations::admin_conn;
use super::output::outln;
use super::ImportFormat;
use crate::config::Config;
use crate::db::{self, Database};
use crate::domain::auth::Actor;

/// What `scrutiny import` did with one file.
#[derive(Debug, Serialize)]
struct ImportReport {
    file: String,
    /// `created`, `already_imported`, `failed`, or `parsed` (a dry run).
    outcome: &'static str,
    /// `question_document`, `minutes` or `question_by_response_by` (once read).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<crate::import::minutes::DocumentKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    question_id: Option<crate::domain::question::QuestionId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_id: Option<crate::domain::question::ResponseId>,
    /// Why it failed, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Why it failed, field by field (the document's fields, as in the API's 422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<crate::error::FieldError>,
    /// What was read (dry runs of one-question documents only).
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<crate::routes::imports::ImportedDocument>,
    /// For minutes: the meeting, the counts, each question, what was recognised and
    /// what was not read, as `POST /api/v1/imports` answers them.
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<crate::routes::imports::ImportResult>,
    warnings: Vec<crate::import::ParseWarning>,
}

impl ImportReport {
    fn new(file: &std::path::Path, outcome: &'static str) -> Self {
        Self {
            file: file.display().to_string(),
            outcome,
            kind: None,
            question_id: None,
            reference: None,
            response_id: None,
            reason: None,
            errors: Vec::new(),
            document: None,
            minutes: None,
            warnings: Vec::new(),
        }
    }

    fn failed(file: &std::path::Path, reason: impl Into<String>, errors: Vec<crate::error::FieldError>) -> Self {
        Self {
            reason: Some(reason.into()),
            errors,
            ..Self::new(file, "failed")
        }
    }
}

/// Why a file cannot be imported: in one line, and field by field when that is known.
type Failure = (String, Vec<crate::error::FieldError>);

/// Reads `file`: its cleaned name and what it is.
fn read_file(file: &std::path::Path) -> Result<(String, crate::routes::imports::Read), Failure> {
    let bytes = std::fs::read(file).map_err(|e| (format!("cannot read it: {e}"), vec![]))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        (
            format!(
                "it is not UTF-8 text (byte {} is not valid UTF-8); convert it first, with \
                 `iconv -f WINDOWS-1252 -t UTF-8` for instance",
                e.utf8_error().valid_up_to()
            ),
            vec![],
        )
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = crate::routes::imports::read_document(&text, &name, crate::routes::imports::london_today())
        .map_err(|e| (e.to_string(), e.errors()))?;
    Ok((crate::import::source_name(&name), read))
}

/// The report of a one-question document's dry run.
fn parsed_report(file: &std::path::Path, prepared: crate::import::Prepared) -> ImportReport {
    ImportReport {
        kind: Some(crate::import::minutes::DocumentKind::QuestionDocument),
        document: Some(crate::routes::imports::ImportedDocument::from_prepared(&prepared)),
        warnings: prepared.document.warnings,
        ..ImportReport::new(file, "parsed")
    }
}

/// What a dry run without a database reports for one file: what was read, or why it
/// could not be (minutes need their meeting, which is looked up in the database).
fn dry_run_file(file: &std::path::Path) -> ImportReport {
    match read_file(file) {
        Ok((_, crate::routes::imports::Read::Question(prepared))) => parsed_report(file, *prepared),
        Ok((_, crate::routes::imports::Read::Minutes(minutes))) => ImportReport {
            kind: Some(minutes.kind),
            ..ImportReport::failed(
                file,
                format!(
                    "it is {} with {} question(s): give the meeting they are of with --meeting-id or --meeting-date \
                     (which reads it against the database)",
                    match minutes.kind {
                        crate::import::minutes::DocumentKind::QuestionByResponseBy => {
                            "a 'Question by / Response by' page"
                        }
                        _ => "minutes",
                    },
                    minutes.questions.len()
                ),
                vec![crate::error::FieldError::new(
                    "meeting_id",
                    "is required for minutes and 'Question by / Response by' pages",
                )],
            )
        },
        Err((reason, errors)) => ImportReport::failed(file, reason, errors),
    }
}

/// `scrutiny import --dry-run` without a meeting: reads and prepares each file, prints
/// what would be imported, and stores nothing.
pub(super) fn dry_run(files: &[PathBuf], format: ImportFormat) -> anyhow::Result<()> {
    let reports = files.iter().map(|file| dry_run_file(file)).collect();
    summarise_imports(reports, format)
}

/// `scrutiny import` (and its dry run with a meeting): each file, and each question of
/// minutes, in a transaction of its own, so one bad file or question costs only itself.
pub(super) async fn import_files(
    config: &Config,
    database: &Database,
    files: &[PathBuf],
    format: ImportFormat,
    query: &crate::routes::imports::ImportQuery,
) -> anyhow::Result<()> {
    let mut conn = admin_conn(config, database).await?;
    let actor = Actor::system("cli");
    let dry_run = query.dry_run.unwrap_or(false);
    let mut reports = Vec::new();
    for file in files {
        let (source_name, read) = match read_file(file) {
            Ok(read) => read,
            Err((reason, errors)) => {
                reports.push(ImportReport::failed(file, reason, errors));
                continue;
            }
        };
        let prepared = match read {
            crate::routes::imports::Read::Minutes(minutes) => {
                let result =
                    crate::routes::imports::import_minutes(&mut conn, &actor, &minutes, &source_name, query, dry_run)
                        .await;
                reports.push(match result {
                    Ok(result) => {
                        let failed = result.summary.is_some_and(|s| s.failed > 0);
                        let outcome = match result.outcome {
                            _ if failed => "failed",
                            crate::routes::imports::ImportOutcome::Created => "created",
                            crate::routes::imports::ImportOutcome::AlreadyImported => "already_imported",
                            crate::routes::imports::ImportOutcome::Parsed => "parsed",
                        };
                        ImportReport {
                            kind: Some(result.kind),
                            reason: failed.then(|| "some of its questions could not be imported".to_string()),
                            minutes: Some(result),
                            ..ImportReport::new(file, outcome)
                        }
                    }
                    Err(crate::error::ApiError::Validation(errors)) => ImportReport {
                        kind: Some(minutes.kind),
                        ..ImportReport::failed(
                            file,
                            errors
                                .iter()
                                .map(|e| format!("{}: {}", e.field, e.message))
                                .collect::<Vec<_>>()
                                .join("; "),
                            errors,
                        )
                    },
                    Err(error) => ImportReport::failed(file, format!("{error:#}"), vec![]),
                });
                continue;
            }
            crate::routes::imports::Read::Question(prepared) => *prepared,
        };
        if dry_run {
            reports.push(parsed_report(file, prepared));
            continue;
        }
        let source = crate::repo::questions::Source {
            name: &prepared.source_name,
            hash: &prepared.document.content_hash,
        };
        let stored =
            crate::repo::imports::store(&mut conn, &actor, &prepared.question, &prepared.response, source).await;
        let report = match stored {
            Ok(crate::repo::imports::Stored::Created { question, response }) => ImportReport {
                question_id: Some(question.row.id),
                reference: Some(question.row.reference),
                response_id: Some(response.row.id),
                ..ImportReport::new(file, "created")
            },
            Ok(crate::repo::imports::Stored::AlreadyImported(question)) => ImportReport {
                question_id: Some(question.id),
                reference: Some(question.reference),
                ..ImportReport::new(file, "already_imported")
            },
            Err(error) => ImportReport::failed(file, format!("{error:#}"), vec![]),
        };
        reports.push(ImportReport {
            kind: Some(crate::import::minutes::DocumentKind::QuestionDocument),
            warnings: prepared.document.warnings,
            ..report
        });
    }
    summarise_imports(reports, format)
}

/// Prints one minutes document's questions, one line each, with what was guessed and
/// not read indented below.
fn print_minutes(result: &crate::routes::imports::ImportResult) -> anyhow::Result<()> {
    for question in &result.questions {
        let what = match question.outcome {
            crate::routes::imports::QuestionImportOutcome::Created => "created",
            crate::routes::imports::QuestionImportOutcome::AlreadyImported => "already imported",
            crate::routes::imports::QuestionImportOutcome::Parsed => "parsed",
            crate::routes::imports::QuestionImportOutcome::Failed => "failed",
        };
        outln!(
            "  {what} {} lines {}–{}: {} by {} ({}){}",
            question.reference.as_deref().unwrap_or("-"),
            question.lines.first,
            question.lines.last,
            question.minutes_outcome,
            question.asker_display_name,
            question.addressed_to,
            question
                .supplementary_to
                .map(|i| format!(", supplementary to question {i}"))
                .unwrap_or_default()
        );
        for warning in &question.warnings {
            outln!("    warning: {warning}");
        }
        for error in &question.errors {
            outln!("    error: {}: {}", error.field, error.message);
        }
    }
    for unread in &result.unread {
        outln!(
            "  not read, lines {}–{}: {} ({})",
            unread.lines.first,
            unread.lines.last,
            unread.text,
            unread.reason
        );
    }
    for warning in &result.warnings {
        outln!("  warning: {}: {}", warning.field, warning.message);
    }
    Ok(())
}

/// Prints the reports; an error (so a non-zero exit) when any file failed.
fn summarise_imports(reports: Vec<ImportReport>, format: ImportFormat) -> anyhow::Result<()> {
    match format {
        ImportFormat::Json => outln!("{}", serde_json::to_string_pretty(&reports)?),
        ImportFormat::Text => {
            for report in &reports {
                if let Some(minutes) = &report.minutes {
                    let counts = minutes.summary.unwrap_or_default();
                    outln!(
                        "{} {}: {} question(s): {} created, {} already imported, {} parsed, {} failed; {} passage(s) not read",
                        report.outcome.replace('_', " "),
                        report.file,
                        counts.questions,
                        counts.created,
                        counts.already_imported,
                        counts.parsed,
                        counts.failed,
                        counts.unread
                    );
                    print_minutes(minutes)?;
                    continue;
                }
                let reference = report.reference.as_deref().unwrap_or_default();
                match report.outcome {
                    "created" => outln!("created {reference} {}", report.file),
                    "already_imported" => outln!("already imported {reference} {}", report.file),
                    "parsed" => match &report.document {
                        Some(document) => outln!(
                            "parsed {}: asked {}, answered {} by {} ({})",
                            report.file,
                            document.asked_on,
                            document.responded_on,
                            document.author_name,
                            document.author_position
                        ),
                        None => outln!("parsed {}", report.file),
                    },
                    _ => outln!(
                        "failed {}: {}",
                        report.file,
                        report.reason.as_deref().unwrap_or("unknown")
                    ),
                }
                for warning in &report.warnings {
                    outln!("  warning: {}: {}", warning.field, warning.message);
                }
            }
        }
    }
    let failed = reports.iter().filter(|r| r.outcome == "failed").count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} file(s) could not be imported", reports.len());
    }
    Ok(())
}

/// `scrutiny seed-demo`, and the zero-config run's first start: loads the demo story
/// (the 2022 public question on child protection); false when there was already data.
pub(super) async fn seed(config: &Config, database: &Database) -> anyhow::Result<bool> {
    db::migrate(&database.url).await?;
    let pool = db::pool(&database.url, 1, config.db_timeout)?;
    let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    crate::seed::demo(&mut conn).await
}

/// `scrutiny seed-demo`: loads the demo story and says whether it did. A database that
/// already holds data is left as it is, and that is said too (not an error: the
/// command's aim, a database with data to explore, is met).
pub(super) async fn seed_demo(config: &Config, database: &Database) -> anyhow::Result<()> {
    if seed(config, database).await? {
        outln!("loaded the demo story (the 2022 public question on child protection)");
    } else {
        outln!(
            "the database already holds organisations, so the demo story was not loaded: nothing was changed \
             (it is loaded only into an empty database)"
        );
    }
    Ok(())
}
