//! Which column holds what: the header row found below any title rows, and each of its
//! headings matched to a [`Field`] by a documented list of synonyms, or by an explicit
//! mapping for headings the list does not know.

use std::collections::HashMap;

use serde::Serialize;

use super::sheet::{Cell, Grid};
use super::PlanError;

crate::text_enum!(
    /// What a plan's column holds, as the import reads it.
    Field {
        /// The action's reference in the plan (`1.1`, `CPIP-07`): how a row is matched
        /// to an action on re-import.
        Reference => "reference",
        /// The references of the recommendations it answers (`R1`, `R2; R9`).
        Recommendation => "recommendation",
        /// What is to be done: the action's description (and, cut to 300 characters,
        /// its title).
        Action => "action",
        /// The post responsible.
        Owner => "owner",
        /// The team or department leading it (read and reported; not stored).
        Department => "department",
        StartDate => "start_date",
        DueDate => "due_date",
        Status => "status",
        /// A RAG (or BRAG) colour; used when there is no `status` column or cell.
        Rag => "rag",
        /// Progress as a percentage.
        Percent => "percent",
        /// The latest progress commentary: the text of the progress update a change
        /// makes.
        Update => "update",
        SuccessMeasure => "success_measure",
    }
);

/// The headings each field is known by, compared after [`normalise`] (letter case,
/// spacing, punctuation at the ends and any bracketed note do not matter). A heading
/// not listed here can be named in an explicit mapping.
pub const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Reference,
        &[
            "ref",
            "reference",
            "ref no",
            "ref number",
            "no",
            "number",
            "#",
            "id",
            "action no",
            "action number",
            "action ref",
            "action reference",
            "action id",
            "item",
            "item no",
        ],
    ),
    (
        Field::Recommendation,
        &[
            "recommendation",
            "recommendations",
            "rec",
            "rec ref",
            "rec no",
            "recommendation ref",
            "recommendation reference",
            "recommendation no",
            "recommendation number",
            "hmicfrs recommendation",
            "hmicfrs ref",
            "hmicfrs reference",
            "hmicfrs rec",
            "linked recommendation",
            "linked recommendations",
            "report recommendation",
            "recommendation / afi",
            "recommendation/afi",
            "afi",
            "area for improvement",
        ],
    ),
    (
        Field::Action,
        &[
            "action",
            "actions",
            "description",
            "action description",
            "activity",
            "task",
            "what we will do",
            "action to be taken",
            "actions to be taken",
            "proposed action",
            "planned action",
            "action required",
            "actions required",
            "detail",
        ],
    ),
    (
        Field::Owner,
        &[
            "owner",
            "action owner",
            "lead",
            "lead officer",
            "responsible",
            "responsible officer",
            "responsible person",
            "accountable officer",
            "accountable lead",
            "who",
            "owner / lead",
            "lead owner",
        ],
    ),
    (
        Field::Department,
        &[
            "lead department",
            "department",
            "directorate",
            "team",
            "lead team",
            "business area",
            "portfolio",
        ],
    ),
    (
        Field::StartDate,
        &[
            "start",
            "start date",
            "date started",
            "start on",
            "commenced",
            "date commenced",
        ],
    ),
    (
        Field::DueDate,
        &[
            "due",
            "due date",
            "deadline",
            "target date",
            "target completion date",
            "completion date",
            "target",
            "timescale",
            "timescales",
            "date due",
            "by when",
            "revised target date",
            "end date",
            "due by",
            "target end date",
        ],
    ),
    (
        Field::Status,
        &[
            "status",
            "current status",
            "action status",
            "progress status",
            "status of action",
        ],
    ),
    (
        Field::Rag,
        &[
            "rag",
            "rag status",
            "rag rating",
            "rating",
            "brag",
            "brag status",
            "brag rating",
            "rag colour",
        ],
    ),
    (
        Field::Percent,
        &[
            "% complete",
            "percent complete",
            "percentage complete",
            "% progress",
            "progress",
            "% completed",
            "% completion",
            "completion %",
            "percentage",
            "%",
            "progress %",
        ],
    ),
    (
        Field::Update,
        &[
            "latest update",
            "update",
            "updates",
            "commentary",
            "comments",
            "comment",
            "progress update",
            "latest position",
            "current position",
            "position statement",
            "narrative",
            "update / commentary",
            "update/commentary",
            "progress commentary",
            "progress to date",
            "latest progress",
            "notes",
        ],
    ),
    (
        Field::SuccessMeasure,
        &[
            "measure of success",
            "measures of success",
            "success measure",
            "success measures",
            "measure",
            "outcome",
            "outcomes",
            "success criteria",
            "evidence of success",
            "expected outcome",
            "evidence",
            "how will we know",
        ],
    ),
];

/// A heading compared as the synonyms are: lower case, one space between words, any
/// bracketed note (`Target date (revised)`) and punctuation at the ends (`No.`,
/// `Owner:`, `Action*`) dropped.
pub fn normalise(heading: &str) -> String {
    let mut without_notes = String::new();
    let mut depth = 0usize;
    for c in heading.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_notes.push(c),
            _ => {}
        }
    }
    // "(%)" alone is a heading too: keep the bracketed text when nothing else is left.
    let text = if without_notes.trim().is_empty() {
        heading.replace(['(', ')', '[', ']'], " ")
    } else {
        without_notes
    };
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let joined = words.join(" ");
    let trimmed = joined.trim_matches(|c: char| matches!(c, '.' | ':' | '*' | '-' | '_' | '?' | ' '));
    if trimmed.is_empty() {
        joined.trim().to_string()
    } else {
        trimmed.to_string()
    }
}

/// The field a heading names by the synonym list, if any.
pub fn field_for(heading: &str) -> Option<Field> {
    let heading = normalise(heading);
    SYNONYMS
        .iter()
        .find(|(_, names)| names.iter().any(|name| normalise(name) == heading))
        .map(|(field, _)| *field)
}

/// How a column came to hold a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Synonym,
    Mapping,
}

/// A column of the header row, as recognised.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Its letter, as a spreadsheet shows it (`A`, `AB`).
    pub column: String,
    pub header: String,
    /// The field it was read as; none when no synonym or mapping names it (its cells
    /// are not imported).
    pub field: Option<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// Why it is not used, when it names a field another column already holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The header row and what each column holds.
#[derive(Debug, Clone)]
pub struct Header {
    /// Zero-based index in the grid.
    pub row: usize,
    pub columns: Vec<Column>,
    /// Each field's column index.
    pub fields: HashMap<Field, usize>,
}

/// A column's letter from its zero-based index (0 → `A`, 27 → `AB`).
pub fn letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (index % 26) as u8) as char);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// How many rows from the top the header is looked for in.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Finds the header row: among the first [`HEADER_SEARCH_ROWS`] rows, the one whose
/// headings name the most fields (the first such), which must name the `reference` and
/// at least one other field. Rows above it (a title, a date, a blank) are ignored.
/// `mapping` names headings for fields the synonyms do not know; a heading it names
/// that is not in the header row is an error.
pub fn find_header(grid: &Grid, mapping: &HashMap<Field, String>) -> Result<Header, PlanError> {
    let mut best: Option<(usize, usize)> = None;
    let searched = grid.rows.len().min(HEADER_SEARCH_ROWS);
    for row in 0..searched {
        let fields = read_header(grid, row, mapping).fields;
        let count = fields.len();
        if fields.contains_key(&Field::Reference) && count >= 2 && best.is_none_or(|(_, c)| count > c) {
            best = Some((row, count));
        }
    }
    let Some((row, _)) = best else {
        let seen: Vec<String> = (0..searched)
            .filter_map(|row| {
                let texts: Vec<String> = grid.rows[row].iter().filter_map(Cell::text).collect();
                (!texts.is_empty()).then(|| format!("row {}: {}", row + 1, texts.join(" | ")))
            })
            .take(3)
            .collect();
        return Err(PlanError::NoHeader(format!(
            "no header row with a reference column and at least one other known column in the first {searched} rows{}; \
             name the columns with a mapping (reference:<heading>) if the plan uses other headings",
            if seen.is_empty() {
                String::new()
            } else {
                format!(" (the first rows say: {})", seen.join("; "))
            }
        )));
    };
    let header = read_header(grid, row, mapping);
    let missing: Vec<String> = mapping
        .iter()
        .filter(|(field, _)| {
            header
                .fields
                .get(field)
                .is_none_or(|&c| header.columns[c].matched_by != Some(MatchedBy::Mapping))
        })
        .map(|(field, heading)| format!("{field}:{heading}"))
        .collect();
    let mut missing = missing;
    missing.sort();
    if !missing.is_empty() {
        return Err(PlanError::Mapping(format!(
            "the mapping names headings that are not in the header row (row {}): {}",
            row + 1,
            missing.join("; ")
        )));
    }
    Ok(header)
}

fn read_header(grid: &Grid, row: usize, mapping: &HashMap<Field, String>) -> Header {
    let mut columns = Vec::new();
    let mut fields = HashMap::new();
    let width = grid.rows.get(row).map_or(0, Vec::len);
    for index in 0..width {
        let Some(heading) = grid.cell(row, index).text() else {
            continue;
        };
        let mapped = mapping
            .iter()
            .find(|(_, name)| normalise(name) == normalise(&heading))
            .map(|(field, _)| *field);
        let (field, matched_by) = match mapped {
            Some(field) => (Some(field), Some(MatchedBy::Mapping)),
            None => match field_for(&heading) {
                // A field the mapping puts elsewhere is not taken by a synonym too.
                Some(field) if !mapping.contains_key(&field) => (Some(field), Some(MatchedBy::Synonym)),
                _ => (None, None),
            },
        };
        let mut column = Column {
            column: letter(index),
            header: heading,
            field,
            matched_by,
            note: None,
        };
        if let Some(field) = field {
            if let Some(&first) = fields.get(&field) {
                let first: &Column = &columns[first];
                column.note = Some(format!(
                    "column {} already holds {field}; this one is not read",
                    first.column
                ));
                column.field = None;
                column.matched_by = None;
            } else {
                fields.insert(field, columns.len());
            }
        }
        columns.push(column);
    }
    // `fields` holds positions in `columns`; turn them into grid column indexes.
    let indexes: HashMap<Field, usize> = fields
        .iter()
        .map(|(field, &position)| (*field, column_index(&columns[position].column)))
        .collect();
    Header {
        row,
        columns,
        fields: indexes,
    }
}

fn column_index(letters: &str) -> usize {
    letters
        .bytes()
        .fold(0usize, |acc, b| acc * 26 + (b - b'A') as usize + 1)
        - 1
}

/// Parses a mapping written `field:Heading; field:Heading` (the API's `mapping`
/// parameter, the command line's `--map`), fields by their names in [`Field`].
pub fn parse_mapping(text: &str) -> Result<HashMap<Field, String>, String> {
    let mut mapping = HashMap::new();
    for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (field, heading) = pair
            .split_once(':')
            .ok_or_else(|| format!("'{pair}' is not field:Heading"))?;
        let field: Field = field.trim().parse().map_err(|_| {
            format!(
                "'{}' is not a field; the fields are {}",
                field.trim(),
                Field::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
            )
        })?;
        let heading = heading.trim();
        if heading.is_empty() {
            return Err(format!("'{pair}' names no heading"));
        }
        if mapping.insert(field, heading.to_string()).is_some() {
            return Err(format!("{field} is mapped twice"));
        }
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::super::sheet::Format;
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            format: Format::Csv,
            sheet: None,
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text(c.to_string())
                            }
                        })
                        .collect()
                })
                .collect(),
            merged: Vec::new(),
        }
    }

    #[test]
    fn headings_are_recognised_by_their_synonyms() {
        assert_eq!(field_for("Ref"), Some(Field::Reference));
        assert_eq!(field_for("Action No."), Some(Field::Reference));
        assert_eq!(field_for("HMICFRS Recommendation"), Some(Field::Recommendation));
        assert_eq!(field_for("Action Owner"), Some(Field::Owner));
        assert_eq!(field_for("Lead Department"), Some(Field::Department));
        assert_eq!(field_for("Target date (revised)"), Some(Field::DueDate));
        assert_eq!(field_for("DEADLINE:"), Some(Field::DueDate));
        assert_eq!(field_for("RAG"), Some(Field::Rag));
        assert_eq!(field_for("% Complete"), Some(Field::Percent));
        assert_eq!(field_for("(%)"), Some(Field::Percent));
        assert_eq!(field_for("Latest Update"), Some(Field::Update));
        assert_eq!(field_for("Measure of Success"), Some(Field::SuccessMeasure));
        assert_eq!(field_for("Colour of the sky"), None);
    }

    #[test]
    fn the_header_is_found_below_title_rows() {
        let g = grid(&[
            &["Child Protection Improvement Plan", "", ""],
            &["As at 30 September 2022", "", ""],
            &[],
            &["Action No", "Description", "Deadline"],
            &["1", "Do it", "31/03/2023"],
        ]);
        let header = find_header(&g, &HashMap::new()).unwrap();
        assert_eq!(header.row, 3);
        assert_eq!(header.fields[&Field::DueDate], 2);
    }

    #[test]
    fn no_header_is_an_error_that_says_what_was_seen() {
        let g = grid(&[&["Shopping list"], &["eggs", "milk"]]);
        match find_header(&g, &HashMap::new()) {
            Err(PlanError::NoHeader(reason)) => assert!(reason.contains("Shopping list"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_mapping_names_headings_the_synonyms_do_not_know() {
        let g = grid(&[&["Item code", "What", "When by"], &["A", "Do", "31/03/2023"]]);
        assert!(find_header(&g, &HashMap::new()).is_err());
        let mapping = parse_mapping("reference: Item code; action:What ;due_date:When by").unwrap();
        let header = find_header(&g, &mapping).unwrap();
        assert_eq!(header.fields.len(), 3);
        assert_eq!(header.columns[0].matched_by, Some(MatchedBy::Mapping));
        let wrong = parse_mapping("reference:Item code;action:What;owner:Nobody").unwrap();
        assert!(matches!(find_header(&g, &wrong), Err(PlanError::Mapping(_))));
        assert!(parse_mapping("colour:Blue").is_err());
        assert!(parse_mapping("reference").is_err());
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(27), "AB");
        assert_eq!(column_index("AB"), 27);
    }
}
