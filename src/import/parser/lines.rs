//! Stage one of reading a document: its lines.
//!
//! Before anything is cut into sections, the text is normalised (one kind of line
//! ending) and read a line at a time: emphasis and heading markers are removed, a label
//! at the start of the line is recognised, and a line that only rules the page off
//! counts as blank. The small text helpers every stage uses are in `text`.

use super::labels::Label;

/// `text` with Windows (`\r\n`) and old Mac (`\r`) line endings made `\n`.
pub(super) fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// One line of the document, read.
pub(super) enum Line {
    Blank,
    Text(String),
    /// A recognised label, its text as published, and the rest of its line.
    Labelled(Label, String, String),
}

/// Reads one line: emphasis removed, then a label recognised if it starts with one.
/// Also returns whether emphasis was removed.
pub(super) fn read_line(raw: &str) -> (Line, bool) {
    let raw = raw.trim_start_matches('\u{feff}').trim();
    // A markdown heading marker ("# Police, Fire & Crime Panel") is formatting too.
    let unheaded = raw.trim_start_matches('#');
    let had_heading = unheaded.len() != raw.len() && unheaded.starts_with(char::is_whitespace);
    let raw = if had_heading { unheaded.trim_start() } else { raw };
    let (text, had_emphasis) = strip_emphasis(raw);
    let text = text.trim();
    // A line of nothing but rule characters ("***", "-----") is a separator.
    if text
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '*' | '_' | '-' | '=' | '~' | '–' | '—'))
    {
        return (Line::Blank, false);
    }
    match split_label(text) {
        Some((label, heading, rest)) => {
            // "**Author:** Ralph Butler" had emphasis on its label only, which is not
            // worth reporting: only markers in the value itself are.
            let raw_value = raw.split_once(':').map_or("", |(_, value)| value);
            let value_had_emphasis =
                strip_emphasis(raw_value.trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '_')).1;
            (
                Line::Labelled(label, heading.to_string(), rest.to_string()),
                value_had_emphasis,
            )
        }
        None => (Line::Text(text.to_string()), had_emphasis || had_heading),
    }
}

/// Splits "Label: value" into its label, the label as published, and the value.
fn split_label(text: &str) -> Option<(Label, &str, &str)> {
    if let Some((head, rest)) = text.split_once(':') {
        if let Some(label) = Label::from_text(head) {
            return Some((label, head.trim(), rest.trim()));
        }
    }
    // A section heading alone on its line without a colon ("Commissioner's Response").
    if let Some(label) = Label::from_text(text).filter(|l| l.is_block()) {
        return Some((label, text, ""));
    }
    // "Author<TAB>Ralph Butler": a table whose colon was lost in conversion. Only for
    // one-line labels: a paragraph starting "Questions  about…" is not a heading.
    let gap = text.find('\t').or_else(|| text.find("  "))?;
    let (head, rest) = text.split_at(gap);
    Label::from_text(head)
        .filter(|l| !l.is_block())
        .map(|label| (label, head.trim(), rest.trim()))
}

/// Removes markdown-style emphasis (`*`, `**`, `***`, `_`, `__`) and keeps the words.
/// A marker counts as emphasis only where it touches a word: a lone `*` between spaces
/// (a bullet, a multiplication) and an underscore inside a word (`snake_case`, a URL)
/// are text, and so are longer runs (`______`, a line to write on).
pub(super) fn strip_emphasis(line: &str) -> (String, bool) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut removed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '*' && c != '_' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i] == c {
            i += 1;
        }
        let before = start.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i).copied();
        let spaced = |ch: Option<char>| ch.is_none_or(char::is_whitespace);
        let wordy = |ch: Option<char>| ch.is_some_and(char::is_alphanumeric);
        let is_marker =
            i - start <= 3 && !(spaced(before) && spaced(after)) && !(c == '_' && wordy(before) && wordy(after));
        if is_marker {
            removed = true;
        } else {
            out.extend(std::iter::repeat_n(c, i - start));
        }
    }
    (out, removed)
}

/// Whether a line starts a list item ("1.", "2)", "(a)", "•", "-"), which starts a new
/// paragraph even without a blank line before it.
pub(super) fn starts_list_item(text: &str) -> bool {
    let Some((marker, _)) = text.split_once(char::is_whitespace) else {
        return false;
    };
    if matches!(marker, "•" | "-" | "–" | "*" | "·") {
        return true;
    }
    let inner = marker.strip_prefix('(').unwrap_or(marker).strip_suffix(['.', ')']);
    match inner {
        Some(n) if !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()) => true,
        Some(letter) => marker.ends_with(')') && letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn labels_are_found_with_colons_tabs_emphasis_or_alone_on_their_line() {
        let doc = parse(
            "**Question Posed:**\n*Is it safe?*\n\nPanel Member:\tPublic Question\n\
             _Date of Question:_   31.05.2022\n\nCommissioner's Response\nYes.\n\n\
             Author\tRalph Butler\nPosition:\t\tInterim Joint Chief Executive\nDate:\n9 Jun 2022",
        );
        assert_eq!(doc.questions, ["Is it safe?"]);
        assert_eq!(doc.asked_on, ymd(2022, 5, 31));
        assert_eq!(doc.response_body, "Yes.");
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert_eq!(warned_fields(&doc), ["questions"]);
    }

    #[test]
    fn emphasis_markers_go_but_bullets_and_words_with_underscores_stay() {
        for (published, read) in [
            ("**bold** and *italic* and ***both***", "bold and italic and both"),
            ("_italic_ and __bold__", "italic and bold"),
            ("*‘quoted’*", "‘quoted’"),
            ("* a bullet", "* a bullet"),
            ("2 * 3", "2 * 3"),
            (
                "see snake_case and https://example.org/a_b",
                "see snake_case and https://example.org/a_b",
            ),
            ("Signed: ________", "Signed: ________"),
        ] {
            assert_eq!(strip_emphasis(published).0, read, "{published}");
        }
        assert!(!strip_emphasis("plain text").1);
    }

    #[test]
    fn list_items_start_new_paragraphs_but_ordinary_lines_do_not() {
        for line in ["1. First", "12) Twelfth", "(a) first", "b) second", "• dot", "- dash"] {
            assert!(starts_list_item(line), "{line}");
        }
        for line in ["2022. The year", "In 2022", "a", "-dash", "Mr. Smith"] {
            assert!(!starts_list_item(line), "{line}");
        }
    }
}
