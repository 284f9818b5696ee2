//! Improvement plans from spreadsheets: a force's plan, saved as CSV or XLSX, read into
//! rows an import turns into a programme's actions and their progress updates.
//!
//! How to use it: [`read_plan`] takes the file's bytes and the [`Options`] (an explicit
//! column mapping, the status table) and returns a [`ReadPlan`]: the header row it
//! found, what each column was taken as, and one [`PlanRow`] per row below the header,
//! each with what was recognised, how values were converted, what was guessed and why
//! the row cannot be imported, if it cannot. It is pure: no database, no clock.
//! Matching the rows to the programme's actions and recommendations, and writing them,
//! is [`crate::repo::plan_imports`]'s business; `POST /api/v1/programmes/{id}/import`
//! and `scrutiny import-plan` are its callers.
//!
//! The spreadsheet is read by a well-kept reader (`calamine` for XLSX, `csv` for CSV):
//! see [`sheet`]. Headings are matched by the synonyms in [`columns::SYNONYMS`], dates
//! read as [`dates`] says, statuses through [`status::DEFAULT_STATUS_WORDS`].

pub mod columns;
pub mod dates;
pub mod sheet;
pub mod status;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

pub use columns::{Column, Field};
pub use sheet::{Cell, Format};
pub use status::StatusTable;

use crate::domain::action::ActionStatus;
use crate::import::personal;

/// Why a file cannot be read as a plan at all (a row that cannot be imported is a
/// [`PlanRow`] with errors instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the file is empty")]
    Empty,
    /// Neither an XLSX workbook nor CSV text.
    #[error("this is not a spreadsheet: {0}")]
    NotASpreadsheet(String),
    /// No row looks like a header.
    #[error("{0}")]
    NoHeader(String),
    /// A worksheet with a cell beyond the rows or columns a plan may have, or with more
    /// cells ([`sheet::MAX_ROWS`], [`sheet::MAX_COLUMNS`], [`sheet::MAX_CELLS`]).
    #[error("{0}")]
    TooLarge(String),
    /// The explicit mapping does not fit the file.
    #[error("{0}")]
    Mapping(String),
}

/// How to read a plan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Headings for fields, over the synonyms ([`columns::parse_mapping`]).
    pub mapping: HashMap<Field, String>,
    pub statuses: StatusTable,
}

/// Something said about one field of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The field (`due_date`, `recommendation` …), or `row` for the row as a whole.
    pub field: String,
    pub message: String,
}

impl Note {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One row below the header, read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanRow {
    /// The row's number as the spreadsheet shows it (the first row is 1).
    pub row: usize,
    /// The recognised cells as written, by field.
    pub cells: BTreeMap<String, String>,
    pub reference: Option<String>,
    /// The recommendation references, split (`R2; R9` → `R2`, `R9`).
    pub recommendation_refs: Vec<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub status: Option<ActionStatus>,
    pub progress_percent: Option<i32>,
    pub update: Option<String>,
    pub success_measure: Option<String>,
    /// How values were converted (a serial number to a date, a fraction to a percentage).
    pub conversions: Vec<Note>,
    /// What was guessed or taken from elsewhere, for a person to check.
    pub warnings: Vec<Note>,
    /// Why the row cannot be imported; empty when it can.
    pub errors: Vec<Note>,
    /// Why the row is not an action at all (blank, a section heading), when it is not.
    pub skipped: Option<String>,
}

/// A plan as read.
#[derive(Debug, Clone, Serialize)]
pub struct ReadPlan {
    pub format: Format,
    /// The worksheet read (XLSX: the first with a header), none for CSV.
    pub sheet: Option<String>,
    /// The header row's number (the first row is 1).
    pub header_row: usize,
    pub columns: Vec<Column>,
    pub rows: Vec<PlanRow>,
}

/// Reads `bytes` (CSV or XLSX, recognised by content) as an improvement plan.
pub fn read_plan(bytes: &[u8], options: &Options) -> Result<ReadPlan, PlanError> {
    // The plan is the first worksheet with a header (a cover or notes sheet may come
    // first); when none has one, the first sheet's reason is given.
    let grids = sheet::read(bytes)?;
    let mut found = None;
    let mut first_error = None;
    for grid in grids {
        match columns::find_header(&grid, &options.mapping) {
            Ok(header) => {
                found = Some((grid, header));
                break;
            }
            Err(error @ PlanError::Mapping(_)) => return Err(error),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let Some((grid, header)) = found else {
        return Err(first_error.unwrap_or_else(|| PlanError::NoHeader("the file has no rows".into())));
    };
    let mut rows = Vec::new();
    let mut above: Option<(usize, Vec<String>)> = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for index in header.row + 1..grid.rows.len() {
        let mut row = read_row(&grid, &header, index, options);
        if row.skipped.is_none() && row.errors.iter().all(|e| e.field != "recommendation") {
            inherit_recommendations(&mut row, &header, &mut above);
        }
        if let Some(reference) = &row.reference {
            let key = reference.to_lowercase();
            if let Some(first) = seen.get(&key) {
                row.errors.push(Note::new(
                    "reference",
                    format!("the reference {reference} is also on row {first}: each action once"),
                ));
            } else {
                seen.insert(key, row.row);
            }
        }
        rows.push(row);
    }
    // Blank rows after the last action are the sheet's end, not rows to report.
    while rows.last().is_some_and(|r| r.skipped.is_some() && r.cells.is_empty()) {
        rows.pop();
    }
    Ok(ReadPlan {
        format: grid.format,
        sheet: grid.sheet.clone(),
        header_row: header.row + 1,
        columns: header.columns.clone(),
        rows,
    })
}

/// A recommendation cell left empty under one that gives references means "the same
/// as above" (a merged cell saved without its merge, or a habit of plans): take the
/// row above's, and say so.
fn inherit_recommendations(row: &mut PlanRow, header: &columns::Header, above: &mut Option<(usize, Vec<String>)>) {
    if !header.fields.contains_key(&Field::Recommendation) {
        return;
    }
    if !row.recommendation_refs.is_empty() {
        *above = Some((row.row, row.recommendation_refs.clone()));
        return;
    }
    if let Some((from, refs)) = above {
        row.recommendation_refs = refs.clone();
        row.warnings.push(Note::new(
            "recommendation",
            format!(
                "the cell is empty: taken as the same as row {from} above ({})",
                refs.join(", ")
            ),
        ));
    }
}

fn read_row(grid: &sheet::Grid, header: &columns::Header, index: usize, options: &Options) -> PlanRow {
    let mut row = PlanRow {
        row: index + 1,
        ..PlanRow::default()
    };
    // Each recognised cell, following a merged area to its top-left cell.
    let mut cells: HashMap<Field, Cell> = HashMap::new();
    for (field, &column) in &header.fields {
        let mut cell = grid.cell(index, column).clone();
        if cell.is_empty() {
            if let Some((r0, c0)) = grid.merged_from(index, column) {
                cell = grid.cell(r0, c0).clone();
                if !cell.is_empty() {
                    row.conversions.push(Note::new(
                        field.as_str(),
                        format!(
                            "the cell is merged with {}{}: its value is that cell's",
                            columns::letter(c0),
                            r0 + 1
                        ),
                    ));
                }
            }
        }
        if !cell.is_empty() {
            let shown = match &cell {
                Cell::FormulaOnly(formula) => format!("={formula}"),
                Cell::Error(e) => e.clone(),
                other => other.text().unwrap_or_default(),
            };
            row.cells.insert(field.as_str().to_string(), shown);
            cells.insert(*field, cell);
        }
    }
    let whole_row_empty = grid.rows.get(index).is_none_or(|r| r.iter().all(Cell::is_empty));
    if whole_row_empty {
        row.skipped = Some("blank row".into());
        return row;
    }
    for (field, cell) in &cells {
        match cell {
            Cell::FormulaOnly(formula) if !matches!(field, Field::DueDate | Field::StartDate | Field::Percent) => {
                row.errors.push(Note::new(
                    field.as_str(),
                    format!(
                        "the cell holds the formula ={formula} without its result; open the file in a spreadsheet, \
                         let it calculate and save it again"
                    ),
                ));
            }
            Cell::Error(e) => row
                .errors
                .push(Note::new(field.as_str(), format!("the cell holds the error value {e}"))),
            _ => {}
        }
    }
    let text = |field: Field| cells.get(&field).and_then(Cell::text);
    row.reference = text(Field::Reference);
    row.action = text(Field::Action);
    row.owner = text(Field::Owner);
    row.update = text(Field::Update);
    row.success_measure = text(Field::SuccessMeasure);
    let has_progress = [Field::Status, Field::Rag, Field::Percent, Field::DueDate]
        .iter()
        .any(|f| cells.contains_key(f));
    if row.reference.is_none() && row.action.is_none() && !has_progress {
        let texts: Vec<String> = grid.rows[index].iter().filter_map(Cell::text).collect();
        row.skipped = Some(format!(
            "not an action: no reference, action, status or date ({})",
            texts.join(" | ")
        ));
        return row;
    }
    // A heading for a group of actions ("Theme 1: Contact") often sits in the first
    // column, which is the reference's: a row with nothing else is not an action.
    if row.reference.is_some() && cells.len() == 1 {
        row.skipped = Some(format!(
            "not an action: only '{}' in the reference column, read as a heading",
            row.reference.take().unwrap_or_default()
        ));
        return row;
    }
    for (field, value) in [
        (Field::Action, &row.action),
        (Field::Owner, &row.owner),
        (Field::Update, &row.update),
        (Field::SuccessMeasure, &row.success_measure),
    ] {
        if let Some(warning) = value.as_deref().and_then(|v| personal::warning("the cell", v)) {
            row.warnings.push(Note::new(field.as_str(), warning));
        }
    }
    if row.reference.is_none() && !row.errors.iter().any(|e| e.field == "reference") {
        row.errors.push(Note::new(
            "reference",
            "no reference: a row is matched to its action by its reference, so one is needed",
        ));
    }
    if let Some(refs) = text(Field::Recommendation) {
        row.recommendation_refs = split_references(&refs);
        if row.recommendation_refs.len() > 1 {
            row.conversions.push(Note::new(
                "recommendation",
                format!("'{refs}' names {}", row.recommendation_refs.join(", ")),
            ));
        }
    }
    for (field, slot) in [(Field::StartDate, 0), (Field::DueDate, 1)] {
        let Some(cell) = cells.get(&field) else { continue };
        match dates::read_cell(cell) {
            Ok(Some(read)) => {
                if let Some(conversion) = read.conversion {
                    row.conversions.push(Note::new(field.as_str(), conversion));
                }
                for note in read.notes {
                    row.warnings.push(Note::new(field.as_str(), note));
                }
                if slot == 0 {
                    row.starts_on = Some(read.date);
                } else {
                    row.due_on = Some(read.date);
                }
            }
            Ok(None) => {}
            Err(reason) => row.errors.push(Note::new(field.as_str(), reason)),
        }
    }
    let status_text = text(Field::Status);
    let rag_text = text(Field::Rag);
    let mut read_status = |field: Field, text: &str| match options.statuses.read(text) {
        Ok((status, note)) => {
            if let Some(note) = note {
                row.conversions.push(Note::new(field.as_str(), note));
            }
            Some(status)
        }
        Err(reason) => {
            row.errors.push(Note::new(field.as_str(), reason));
            None
        }
    };
    let from_status = status_text.as_deref().and_then(|t| read_status(Field::Status, t));
    let from_rag = rag_text.as_deref().and_then(|t| read_status(Field::Rag, t));
    row.status = match (from_status, from_rag) {
        (Some(status), Some(rag)) if status != rag => {
            row.warnings.push(Note::new(
                "rag",
                format!("the RAG colour means {rag} but the status says {status}: the status is taken"),
            ));
            Some(status)
        }
        (Some(status), _) => Some(status),
        (None, rag) => rag,
    };
    if let Some(status) = row.status {
        let word = status_text.or(rag_text).unwrap_or_default();
        row.conversions
            .push(Note::new("status", format!("'{word}' is {status}")));
    }
    if let Some(cell) = cells.get(&Field::Percent) {
        match status::read_percent(cell) {
            Ok(Some((percent, conversion))) => {
                row.progress_percent = Some(percent);
                if let Some(conversion) = conversion {
                    row.conversions.push(Note::new("percent", conversion));
                }
            }
            Ok(None) => row.warnings.push(Note::new(
                "percent",
                format!("'{}' gives no percentage", row.cells["percent"]),
            )),
            Err(reason) => row.errors.push(Note::new("percent", reason)),
        }
    }
    row
}

/// Splits a cell naming recommendations: `R2; R9`, `R2, R9`, `R2 & R9`, `R2 and R9`,
/// `R2/R9`, one per line, or `R2 R9`.
pub fn split_references(text: &str) -> Vec<String> {
    let replaced = text.replace(" and ", ";").replace(" AND ", ";").replace(" And ", ";");
    let mut refs = Vec::new();
    for part in replaced.split([';', ',', '&', '/', '\n', '\r', '+']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let words: Vec<&str> = part.split_whitespace().collect();
        // "R2 R9" is two references; "Rec 2" is one.
        if words.len() > 1 && words.iter().all(|w| w.chars().any(|c| c.is_ascii_digit())) {
            refs.extend(words.iter().map(|w| w.to_string()));
        } else {
            refs.push(words.join(" "));
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for r in refs {
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(&r)) {
            unique.push(r);
        }
    }
    unique
}

/// A recommendation reference as compared: upper case, letters and digits only
/// (`r 1` and `R1.` are `R1`).
pub fn reference_key(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendation_cells_split_into_references() {
        assert_eq!(split_references("R1"), vec!["R1"]);
        assert_eq!(split_references("R2; R9"), vec!["R2", "R9"]);
        assert_eq!(split_references("R2, R9"), vec!["R2", "R9"]);
        assert_eq!(split_references("R2 & R9"), vec!["R2", "R9"]);
        assert_eq!(split_references("R2 and R9"), vec!["R2", "R9"]);
        assert_eq!(split_references("R2 R9"), vec!["R2", "R9"]);
        assert_eq!(split_references("Rec 2"), vec!["Rec 2"]);
        assert_eq!(split_references("R2; r2"), vec!["R2"]);
        assert_eq!(reference_key("r 1."), "R1");
    }

    fn csv(text: &str) -> ReadPlan {
        read_plan(text.as_bytes(), &Options::default()).unwrap()
    }

    #[test]
    fn an_empty_recommendation_cell_is_the_same_as_above() {
        let plan = csv("Ref,Rec ref,Action,Deadline\n1,R1,A,31/03/2023\n2,,B,31/03/2023\n3,R2,C,31/03/2023\n");
        assert_eq!(plan.rows[1].recommendation_refs, vec!["R1"]);
        assert!(plan.rows[1].warnings[0].message.contains("row 2"));
        assert_eq!(plan.rows[2].recommendation_refs, vec!["R2"]);
    }

    #[test]
    fn blank_and_heading_rows_are_skipped_and_a_row_without_a_reference_fails() {
        let plan = csv("Ref,Action,Due\n,,\nTheme 1: contact,,\n,Something,31/03/2023\n1,A,31/03/2023\n,,\n");
        assert_eq!(plan.rows.len(), 4, "trailing blank rows are dropped");
        assert_eq!(plan.rows[0].skipped.as_deref(), Some("blank row"));
        assert!(plan.rows[1].skipped.as_ref().unwrap().contains("Theme 1"));
        assert_eq!(plan.rows[2].errors[0].field, "reference");
        assert!(plan.rows[3].errors.is_empty());
    }

    #[test]
    fn the_plan_is_the_first_worksheet_with_a_header() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let cover = workbook.add_worksheet().set_name("Cover").unwrap();
        cover
            .write_string(0, 0, "Improvement plan: read the next sheet")
            .unwrap();
        let plan = workbook.add_worksheet().set_name("Actions").unwrap();
        for (c, heading) in ["Ref", "Action", "Deadline"].iter().enumerate() {
            plan.write_string(0, c as u16, *heading).unwrap();
        }
        plan.write_string(1, 0, "1").unwrap();
        plan.write_string(1, 1, "Do it").unwrap();
        plan.write_string(1, 2, "Mar-23").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let plan = read_plan(&bytes, &Options::default()).unwrap();
        assert_eq!(plan.sheet.as_deref(), Some("Actions"));
        assert_eq!(plan.rows[0].due_on, NaiveDate::from_ymd_opt(2023, 3, 31));
    }

    #[test]
    fn a_reference_given_twice_fails_the_second_row() {
        let plan = csv("Ref,Action,Due\nA1,x,31/03/2023\na1,y,31/03/2023\n");
        assert!(plan.rows[0].errors.is_empty());
        assert!(plan.rows[1].errors[0].message.contains("row 2"));
    }
}
