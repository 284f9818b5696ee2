//! `scrutiny import-plan`: an improvement plan (CSV or XLSX) into a programme, with the
//! same code and the same report as `POST /api/v1/programmes/{id}/import`. A dry run
//! unless `--commit`.

use std::path::Path;

use super::migrations::admin_conn;
use super::output::outln;
use super::ImportFormat;
use crate::config::Config;
use crate::db::Database;
use crate::domain::auth::Actor;
use crate::domain::programme::ProgrammeId;
use crate::error::ApiError;
use crate::repo::plan_imports::{Importer, RowOutcome};
use crate::routes::programme_imports::{self, PlanImportReport};

/// What `scrutiny import-plan` was asked.
#[derive(Debug)]
pub(super) struct ImportPlan {
    pub programme: ProgrammeId,
    pub file: std::path::PathBuf,
    pub commit: bool,
    pub mapping: Option<String>,
    pub statuses: Option<String>,
    pub format: ImportFormat,
}

/// Reads the file, imports it (or reports what an import would do) and prints the
/// report; an error (so a non-zero exit) when the file cannot be read as a plan or any
/// row could not be imported.
pub(super) async fn import_plan(config: &Config, database: &Database, args: ImportPlan) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let options = programme_imports::options(args.mapping.as_deref(), args.statuses.as_deref())
        .map_err(|errors| anyhow::anyhow!("{}", describe(&ApiError::validation(errors))))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut conn = admin_conn(config, database).await?;
    let actor = Actor::system("cli");
    // The operator runs the service (and issues its tokens): it may post progress on
    // any action, as `admin` may.
    let importer = Importer {
        actor: &actor,
        may_post_progress: &|_| Ok(()),
    };
    let report = programme_imports::import(
        &mut conn,
        importer,
        args.programme,
        &bytes,
        &crate::import::source_name(&name),
        &options,
        !args.commit,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}: {}", args.file.display(), describe(&e)))?;
    print(&report, &args.file, args.format)?;
    if report.counts.failed > 0 {
        anyhow::bail!(
            "{} of {} row(s) could not be imported",
            report.counts.failed,
            report.counts.rows
        );
    }
    Ok(())
}

/// An error in words, with each field's reason.
fn describe(error: &ApiError) -> String {
    match error {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn print(report: &PlanImportReport, file: &Path, format: ImportFormat) -> anyhow::Result<()> {
    if format == ImportFormat::Json {
        outln!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    outln!(
        "{}{} ({:?}{}), header on row {}",
        if report.dry_run {
            "dry run (nothing written; --commit to import): "
        } else {
            ""
        },
        file.display(),
        report.format,
        report
            .sheet
            .as_deref()
            .map(|s| format!(", sheet {s}"))
            .unwrap_or_default(),
        report.header_row
    );
    for row in &report.rows {
        let reference = row.recognised.reference.as_deref().unwrap_or("-");
        let outcome = match row.outcome {
            RowOutcome::Created => "created",
            RowOutcome::Updated => "progress update",
            RowOutcome::Unchanged => "unchanged",
            RowOutcome::Failed => "FAILED",
            RowOutcome::Skipped => "skipped",
        };
        outln!("row {} {reference}: {outcome}", row.row);
        for note in &row.conversions {
            outln!("  {}: {}", note.field, note.message);
        }
        for note in &row.warnings {
            outln!("  warning: {}: {}", note.field, note.message);
        }
        for note in &row.errors {
            outln!("  error: {}: {}", note.field, note.message);
        }
    }
    let c = &report.counts;
    outln!(
        "{} rows: {} created, {} updated, {} unchanged, {} failed, {} skipped",
        c.rows,
        c.created,
        c.updated,
        c.unchanged,
        c.failed,
        c.skipped
    );
    Ok(())
}
