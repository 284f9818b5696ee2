//! RAG colours and status words to action statuses, through a table a caller can
//! override, and percentages written as `60%`, `0.6` or `60`.

use std::collections::HashMap;

use super::sheet::{number_text, Cell};
use crate::domain::action::ActionStatus;

/// The words a plan's status or RAG cell is read by, compared ignoring letter case and
/// spacing. BRAG plans use blue for done; red means off track, which an action records
/// as `blocked` (its update says why). A caller adds words or changes these with an
/// override (`statuses=purple:blocked;amber:blocked`).
pub const DEFAULT_STATUS_WORDS: &[(&str, ActionStatus)] = &[
    ("blue", ActionStatus::Completed),
    ("complete", ActionStatus::Completed),
    ("completed", ActionStatus::Completed),
    ("done", ActionStatus::Completed),
    ("achieved", ActionStatus::Completed),
    ("delivered", ActionStatus::Completed),
    ("closed", ActionStatus::Completed),
    ("green", ActionStatus::InProgress),
    ("on track", ActionStatus::InProgress),
    ("in progress", ActionStatus::InProgress),
    ("ongoing", ActionStatus::InProgress),
    ("started", ActionStatus::InProgress),
    ("underway", ActionStatus::InProgress),
    ("under way", ActionStatus::InProgress),
    ("amber", ActionStatus::InProgress),
    ("at risk", ActionStatus::InProgress),
    ("red", ActionStatus::Blocked),
    ("off track", ActionStatus::Blocked),
    ("blocked", ActionStatus::Blocked),
    ("stalled", ActionStatus::Blocked),
    ("on hold", ActionStatus::Blocked),
    ("not started", ActionStatus::Planned),
    ("not yet started", ActionStatus::Planned),
    ("planned", ActionStatus::Planned),
    ("grey", ActionStatus::Planned),
    ("gray", ActionStatus::Planned),
    ("cancelled", ActionStatus::Cancelled),
    ("canceled", ActionStatus::Cancelled),
    ("withdrawn", ActionStatus::Cancelled),
    ("no longer required", ActionStatus::Cancelled),
    ("superseded", ActionStatus::Cancelled),
];

/// The status table an import reads with: the defaults and any override.
#[derive(Debug, Clone)]
pub struct StatusTable(HashMap<String, ActionStatus>);

impl Default for StatusTable {
    fn default() -> Self {
        Self(
            DEFAULT_STATUS_WORDS
                .iter()
                .map(|(word, status)| (key(word), *status))
                .collect(),
        )
    }
}

fn key(word: &str) -> String {
    word.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl StatusTable {
    /// The defaults with `overrides` (written `word:status; word:status`) on top.
    pub fn with_overrides(text: &str) -> Result<Self, String> {
        let mut table = Self::default();
        for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (word, status) = pair
                .rsplit_once(':')
                .ok_or_else(|| format!("'{pair}' is not word:status"))?;
            let status: ActionStatus = status.trim().parse().map_err(|_| {
                format!(
                    "'{}' is not an action status; the statuses are {}",
                    status.trim(),
                    ActionStatus::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let word = key(word);
            if word.is_empty() {
                return Err(format!("'{pair}' names no word"));
            }
            table.0.insert(word, status);
        }
        Ok(table)
    }

    /// The status a cell's words mean: the whole text, or else the one status all its
    /// known words agree on (`Green - on track`, `Amber (at risk)`), with a note saying
    /// which words were read. The error is the reason.
    pub fn read(&self, text: &str) -> Result<(ActionStatus, Option<String>), String> {
        let whole = key(text);
        if let Some(status) = self.0.get(&whole) {
            return Ok((*status, None));
        }
        let cleaned = whole.replace(|c: char| !c.is_alphanumeric() && c != ' ', " ");
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        let mut found: Vec<(String, ActionStatus)> = Vec::new();
        // Phrases of up to four words, longest first at each position.
        let mut i = 0;
        while i < words.len() {
            let mut matched = false;
            for len in (1..=4.min(words.len() - i)).rev() {
                let phrase = words[i..i + len].join(" ");
                if let Some(status) = self.0.get(&phrase) {
                    found.push((phrase, *status));
                    i += len;
                    matched = true;
                    break;
                }
            }
            if !matched {
                i += 1;
            }
        }
        let mut statuses: Vec<ActionStatus> = found.iter().map(|(_, s)| *s).collect();
        statuses.dedup();
        match statuses.as_slice() {
            [status] => Ok((
                *status,
                Some(format!(
                    "read '{text}' by the words {}",
                    found
                        .iter()
                        .map(|(w, _)| format!("'{w}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            )),
            [] => Err(format!(
                "'{text}' is not a status word this import knows; add it to the status table \
                 (statuses={}:<status>)",
                whole
            )),
            _ => Err(format!(
                "'{text}' names more than one status ({}); add the whole text to the status table",
                statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// A percentage from `60%`, `60 %`, `60`, `0.6` (a fraction: 60 %) or a number cell
/// (Excel keeps `60%` as 0.6). Returns the whole percentage and how it was converted,
/// when it was. The error is the reason.
pub fn read_percent(cell: &Cell) -> Result<Option<(i32, Option<String>)>, String> {
    let (value, shown, fraction) = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => (*n, number_text(*n), *n <= 1.0),
        Cell::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            if matches!(text.to_lowercase().as_str(), "n/a" | "na" | "-" | "–" | "tbc") {
                return Ok(None);
            }
            let word_cut = text
                .len()
                .checked_sub(7)
                .filter(|&cut| text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case("percent"));
            let (number, percent_sign) = match text.strip_suffix('%').or(word_cut.map(|cut| &text[..cut])) {
                Some(rest) => (rest.trim(), true),
                None => (text, false),
            };
            let value: f64 = number
                .parse()
                .map_err(|_| format!("'{text}' is not a percentage (write it as 60%, 0.6 or 60)"))?;
            // "0.6" is a fraction; "1" or "60" without a sign are whole percentages.
            (
                value,
                text.to_string(),
                !percent_sign && number.contains('.') && value <= 1.0,
            )
        }
        Cell::FormulaOnly(formula) => {
            return Err(format!(
                "the cell holds the formula ={formula} without its result; open the file in a spreadsheet, let it \
                 calculate and save it again"
            ))
        }
        Cell::Error(e) => return Err(format!("the cell holds the error value {e}")),
        Cell::Bool(_) | Cell::Date { .. } => return Err("the cell is not a percentage".into()),
    };
    let percent = if fraction { value * 100.0 } else { value };
    if !(0.0..=100.0).contains(&percent) || !percent.is_finite() {
        return Err(format!("'{shown}' is not a percentage from 0 to 100"));
    }
    let rounded = percent.round() as i32;
    let mut conversions = Vec::new();
    if fraction && value != 0.0 {
        conversions.push(format!("read the fraction {shown} as {rounded} %"));
    }
    if (percent - percent.round()).abs() > 1e-9 {
        conversions.push(format!("rounded {} % to {rounded} %", number_text(percent)));
    }
    Ok(Some((
        rounded,
        (!conversions.is_empty()).then(|| conversions.join("; ")),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rag_colours_and_words_read_as_statuses() {
        let table = StatusTable::default();
        assert_eq!(table.read("Blue").unwrap().0, ActionStatus::Completed);
        assert_eq!(table.read(" GREEN ").unwrap(), (ActionStatus::InProgress, None));
        assert_eq!(table.read("Amber").unwrap().0, ActionStatus::InProgress);
        assert_eq!(table.read("Red").unwrap().0, ActionStatus::Blocked);
        assert_eq!(table.read("Not Started").unwrap().0, ActionStatus::Planned);
        let (status, note) = table.read("Green - on track").unwrap();
        assert_eq!(status, ActionStatus::InProgress);
        assert!(note.unwrap().contains("'green'"));
        assert!(table.read("Purple").unwrap_err().contains("status table"));
        assert!(table.read("Green / Red").unwrap_err().contains("more than one"));
    }

    #[test]
    fn the_table_can_be_overridden() {
        let table = StatusTable::with_overrides("purple:blocked; Amber : blocked").unwrap();
        assert_eq!(table.read("Purple").unwrap().0, ActionStatus::Blocked);
        assert_eq!(table.read("amber").unwrap().0, ActionStatus::Blocked);
        assert!(StatusTable::with_overrides("purple:violet").is_err());
        assert!(StatusTable::with_overrides("purple").is_err());
    }

    #[test]
    fn percentages_read_in_each_form() {
        let text = |t: &str| read_percent(&Cell::Text(t.into())).unwrap().unwrap();
        assert_eq!(text("60%"), (60, None));
        assert_eq!(text("60 %"), (60, None));
        assert_eq!(text("60"), (60, None));
        assert_eq!(text("1"), (1, None));
        let (p, note) = text("0.6");
        assert_eq!(p, 60);
        assert!(note.unwrap().contains("fraction"));
        assert_eq!(text("1.0").0, 100);
        let (p, note) = read_percent(&Cell::Number(0.6)).unwrap().unwrap();
        assert_eq!((p, note.is_some()), (60, true));
        assert_eq!(read_percent(&Cell::Number(45.0)).unwrap().unwrap(), (45, None));
        assert_eq!(text("33.3%").0, 33);
        assert_eq!(read_percent(&Cell::Text("n/a".into())).unwrap(), None);
        assert!(read_percent(&Cell::Text("150%".into())).is_err());
        assert!(read_percent(&Cell::Text("lots".into())).is_err());
        assert!(read_percent(&Cell::FormulaOnly("B2/C2".into()))
            .unwrap_err()
            .contains("formula"));
    }
}
