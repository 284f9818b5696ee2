//! The cells of an uploaded spreadsheet, whatever it was saved as: a grid of [`Cell`]s
//! read from CSV (the `csv` crate) or from XLSX (`calamine`), recognised by content,
//! not by name.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::PlanError;

/// What a plan was saved as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
}

/// One cell, as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number, or a date Excel keeps as its serial number (days since its epoch).
    Number(f64),
    /// A date or time cell: the serial number and whether the workbook counts from 1904.
    Date {
        serial: f64,
        epoch_1904: bool,
    },
    Bool(bool),
    /// A formula whose result the file does not hold (it was never calculated and
    /// saved), so there is no value to read.
    FormulaOnly(String),
    /// An error value such as `#REF!` or `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, for headers and free-text fields; numbers are written as
    /// they would show without formatting (`1.1`, `60`).
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(text) => {
                let trimmed = text.trim();
                (!trimmed.is_empty()).then(|| trimmed.to_string())
            }
            Cell::Number(n) | Cell::Date { serial: n, .. } => Some(number_text(*n)),
            Cell::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
            Cell::FormulaOnly(_) | Cell::Error(_) => None,
        }
    }
}

/// A number as a person would type it: no trailing `.0`, and the float noise of
/// binary fractions (`1.1000000000000001`) rounded away.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let rounded = format!("{n:.10}");
    rounded.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A spreadsheet read into rows of cells; row 0 is the file's first row.
#[derive(Debug, Clone)]
pub struct Grid {
    pub format: Format,
    /// The worksheet read (XLSX: its name), `None` for CSV.
    pub sheet: Option<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Merged areas `(first row, first column, last row, last column)`, zero-based
    /// (XLSX only: CSV has none).
    pub merged: Vec<(usize, usize, usize, usize)>,
}

impl Grid {
    pub fn cell(&self, row: usize, column: usize) -> &Cell {
        self.rows.get(row).and_then(|r| r.get(column)).unwrap_or(&Cell::Empty)
    }

    /// The top-left cell of the merged area that covers `(row, column)` but does not
    /// start there, if any.
    pub fn merged_from(&self, row: usize, column: usize) -> Option<(usize, usize)> {
        self.merged
            .iter()
            .find(|(r0, c0, r1, c1)| {
                (*r0..=*r1).contains(&row) && (*c0..=*c1).contains(&column) && (row, column) != (*r0, *c0)
            })
            .map(|(r0, c0, _, _)| (*r0, *c0))
    }
}

/// The ZIP signature every XLSX file starts with.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The signature of the old binary formats (`.xls`, OLE2), which are not read.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads `bytes` as XLSX when they are a ZIP archive (every worksheet, in the
/// workbook's order), as CSV when they are text (one grid), and refuses anything else
/// ([`PlanError::NotASpreadsheet`]).
pub fn read(bytes: &[u8]) -> Result<Vec<Grid>, PlanError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(PlanError::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(PlanError::NotASpreadsheet(
            "this is an old binary Excel file (.xls); save it as .xlsx or .csv".into(),
        ));
    }
    read_csv(bytes).map(|grid| vec![grid])
}

/// The most rows a worksheet of a plan may reach (counting from the first row of the
/// sheet, title rows included): a plan has tens or hundreds of actions.
pub const MAX_ROWS: usize = 10_000;
/// The most columns a worksheet of a plan may reach (`IV`).
pub const MAX_COLUMNS: usize = 256;
/// The most cells with a value a worksheet of a plan may hold: a compressed workbook
/// within the body limit can still unpack to millions of cells inside the bounds above.
pub const MAX_CELLS: usize = 100_000;

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Grid>, PlanError> {
    let not_xlsx =
        |e: calamine::XlsxError| PlanError::NotASpreadsheet(format!("a ZIP archive but not an XLSX workbook: {e}"));
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(PlanError::NotASpreadsheet("the workbook has no worksheet".into()));
    }
    let mut grids = Vec::with_capacity(names.len());
    let mut first_error = None;
    for sheet in names {
        // A chart sheet or a damaged one is not a plan: the others may be. A sheet too
        // large for a plan refuses the workbook: it is not read in part.
        match read_worksheet(&mut workbook, sheet) {
            Ok(grid) => grids.push(grid),
            Err(SheetError::TooLarge(reason)) => return Err(PlanError::TooLarge(reason)),
            Err(SheetError::Xlsx(error)) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) if grids.is_empty() => Err(not_xlsx(error)),
        _ => Ok(grids),
    }
}

enum SheetError {
    Xlsx(calamine::XlsxError),
    TooLarge(String),
}

impl From<calamine::XlsxError> for SheetError {
    fn from(error: calamine::XlsxError) -> Self {
        Self::Xlsx(error)
    }
}

/// Where a cell at zero-based `(row, column)` of `sheet` is, if it is inside the rows
/// and columns a plan may have; [`SheetError::TooLarge`] otherwise.
fn within_bounds(sheet: &str, (row, column): (u32, u32)) -> Result<(usize, usize), SheetError> {
    let (row, column) = (row as usize, column as usize);
    if row >= MAX_ROWS || column >= MAX_COLUMNS {
        return Err(SheetError::TooLarge(format!(
            "worksheet '{sheet}' has a cell at row {} column {}: a plan may have at most {MAX_ROWS} rows and \
             {MAX_COLUMNS} columns (delete what lies beyond the plan, or save the plan alone as CSV)",
            row + 1,
            column + 1
        )));
    }
    Ok((row, column))
}

/// Reads one worksheet cell by cell (only the cells the file holds, never a grid
/// spanning the sheet's bounding box, which a two-cell file can make a billion cells
/// wide), refusing one with a cell beyond [`MAX_ROWS`] or [`MAX_COLUMNS`].
fn read_worksheet(workbook: &mut Xlsx<Cursor<&[u8]>>, sheet: String) -> Result<Grid, SheetError> {
    let epoch_1904 = workbook.has_1904_epoch();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    {
        let mut cells = workbook.worksheet_cells_reader(&sheet)?;
        let mut held = 0usize;
        while let Some(read) = cells.next_cell()? {
            let (row, column) = within_bounds(&sheet, read.get_position())?;
            held += 1;
            if held > MAX_CELLS {
                return Err(SheetError::TooLarge(format!(
                    "worksheet '{sheet}' holds more than {MAX_CELLS} cells: more than a plan has (save the plan \
                     alone as CSV)"
                )));
            }
            let cell = match Data::from(read.get_value().clone()) {
                Data::Empty => continue,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
                Data::Int(i) => Cell::Number(i as f64),
                Data::Float(f) => Cell::Number(f),
                Data::Bool(b) => Cell::Bool(b),
                Data::DateTime(dt) => Cell::Date {
                    serial: dt.as_f64(),
                    epoch_1904,
                },
                Data::Error(e) => Cell::Error(format!("{e:?}")),
            };
            put(&mut rows, row, column, cell);
        }
    }
    {
        // Formulas are read only to say which empty-looking cells hold one.
        let mut cells = workbook.worksheet_cells_reader(&sheet)?;
        while let Some(formula) = cells.next_formula()? {
            if formula.get_value().is_empty() {
                continue;
            }
            let (row, column) = within_bounds(&sheet, formula.get_position())?;
            let empty = rows.get(row).and_then(|r| r.get(column)).is_none_or(Cell::is_empty);
            if empty {
                put(&mut rows, row, column, Cell::FormulaOnly(formula.get_value().clone()));
            }
        }
    }
    // A merged region is only coordinates; cut it to the rows and columns read.
    let merged = workbook.merge_cells_by_sheet_name(&sheet).unwrap_or_default();
    let last_row = rows.len().saturating_sub(1);
    let last_column = rows.iter().map(Vec::len).max().unwrap_or(0).saturating_sub(1);
    Ok(Grid {
        format: Format::Xlsx,
        sheet: Some(sheet),
        merged: merged
            .iter()
            .filter(|d| (d.start.0 as usize) <= last_row && (d.start.1 as usize) <= last_column)
            .map(|d| {
                (
                    d.start.0 as usize,
                    d.start.1 as usize,
                    (d.end.0 as usize).min(last_row),
                    (d.end.1 as usize).min(last_column),
                )
            })
            .collect(),
        rows,
    })
}

/// Puts `cell` at `(row, column)`, growing the rows (and that row) as needed.
fn put(rows: &mut Vec<Vec<Cell>>, row: usize, column: usize, cell: Cell) {
    if rows.len() <= row {
        rows.resize(row + 1, Vec::new());
    }
    let cells = &mut rows[row];
    if cells.len() <= column {
        cells.resize(column + 1, Cell::Empty);
    }
    cells[column] = cell;
}

fn read_csv(bytes: &[u8]) -> Result<Grid, PlanError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        PlanError::NotASpreadsheet(format!(
            "neither an XLSX workbook nor CSV text in UTF-8 (byte {} is not UTF-8)",
            e.valid_up_to()
        ))
    })?;
    if text.contains('\0') {
        return Err(PlanError::NotASpreadsheet(
            "neither an XLSX workbook nor CSV text (it holds NUL bytes)".into(),
        ));
    }
    // Excel's "CSV" in some locales uses semicolons: take whichever separates the first
    // line into more fields.
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| PlanError::NotASpreadsheet(format!("not readable as CSV: {e}")))?;
        rows.push(
            record
                .iter()
                .map(|field| {
                    if field.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid {
        format: Format::Csv,
        sheet: None,
        rows,
        merged: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook of `rows` × `columns` cells, each holding 1.
    fn workbook(rows: u32, columns: u16) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for row in 0..rows {
            for column in 0..columns {
                sheet.write_number(row, column, 1.0).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_worksheet_with_more_cells_than_a_plan_has_is_refused_inside_the_bounds() {
        // 400 × 256 cells: every one inside MAX_ROWS and MAX_COLUMNS, more than MAX_CELLS.
        assert!(matches!(read(&workbook(400, 256)), Err(PlanError::TooLarge(_))));
        assert!(read(&workbook(300, 256)).is_ok());
    }

    #[test]
    fn numbers_read_as_people_typed_them() {
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(60.0), "60");
        assert_eq!(number_text(0.6), "0.6");
    }

    #[test]
    fn what_is_not_a_spreadsheet_is_refused() {
        assert!(matches!(read(b""), Err(PlanError::Empty)));
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(PlanError::NotASpreadsheet(_))));
        assert!(matches!(
            read(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Err(PlanError::NotASpreadsheet(_))
        ));
        assert!(matches!(
            read(&[0x89, b'P', b'N', b'G', 0xFF, 0xFE]),
            Err(PlanError::NotASpreadsheet(_))
        ));
    }

    #[test]
    fn semicolon_separated_csv_is_read() {
        let grid = read("Ref;Action;Due\n1;Do it;31/03/2023\n".as_bytes())
            .unwrap()
            .remove(0);
        assert_eq!(grid.rows[1][2], Cell::Text("31/03/2023".into()));
    }
}
