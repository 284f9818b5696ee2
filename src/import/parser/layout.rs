//! Stage three of reading a document: cutting it into sections at its labels.
//!
//! The labels come in no fixed order, so the document is cut at every label it has,
//! in whatever order they come: a [`Layout`] is the heading lines before the first
//! label and then one [`Section`] per label, holding the text up to the next one. The
//! later stages take each field from its section; the warnings about what belongs to
//! no field (a repeated label, text after a one-line value, removed emphasis) are
//! about the layout as a whole, so they are here too.

use super::labels::Label;
use super::lines::{read_line, starts_list_item, Line};
use super::text::{collapse_whitespace, excerpt};
use crate::import::ParseWarning;

/// The text after one label, up to the next label.
#[derive(Debug)]
pub(super) struct Section {
    pub(super) label: Label,
    /// The label as published (emphasis removed), to quote in messages.
    pub(super) heading: String,
    /// The rest of the label's own line, then each following line; `None` is a blank
    /// line, kept because it separates paragraphs.
    pub(super) lines: Vec<Option<String>>,
    /// Whether emphasis markers were removed from any of these lines.
    pub(super) had_emphasis: bool,
}

impl Section {
    /// The non-blank lines, whitespace collapsed.
    pub(super) fn values(&self) -> impl Iterator<Item = String> + '_ {
        self.lines.iter().flatten().map(|line| collapse_whitespace(line))
    }

    /// A one-line label's value: on the label's line, or else on the next non-blank one
    /// ("Question Date:" above "31/05/2022").
    pub(super) fn value(&self) -> Option<String> {
        self.values().next()
    }

    /// The text as paragraphs: a blank line or the start of a list item ends one, and
    /// the lines within one are joined with single spaces.
    pub(super) fn paragraphs(&self) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in &self.lines {
            let ends_paragraph = match line {
                None => true,
                Some(text) => starts_list_item(text),
            };
            if ends_paragraph && !current.is_empty() {
                paragraphs.push(collapse_whitespace(&current.join(" ")));
                current.clear();
            }
            current.extend(line.as_deref());
        }
        if !current.is_empty() {
            paragraphs.push(collapse_whitespace(&current.join(" ")));
        }
        paragraphs
    }
}

/// A document cut at its labels.
#[derive(Debug)]
pub(super) struct Layout {
    /// Non-blank lines before the first label: the heading.
    pub(super) preamble: Vec<String>,
    pub(super) preamble_had_emphasis: bool,
    pub(super) sections: Vec<Section>,
}

impl Layout {
    pub(super) fn read(text: &str) -> Self {
        let mut layout = Self {
            preamble: Vec::new(),
            preamble_had_emphasis: false,
            sections: Vec::new(),
        };
        for raw in text.lines() {
            let (line, had_emphasis) = read_line(raw);
            match (line, layout.sections.last_mut()) {
                (Line::Labelled(label, heading, rest), _) => {
                    let rest = (!rest.is_empty()).then_some(rest);
                    layout.sections.push(Section {
                        label,
                        heading,
                        lines: rest.into_iter().map(Some).collect(),
                        had_emphasis,
                    });
                }
                (line, Some(section)) => {
                    section.had_emphasis |= had_emphasis;
                    section.lines.push(match line {
                        Line::Text(text) => Some(text),
                        _ => None,
                    });
                }
                (Line::Text(text), None) => {
                    layout.preamble_had_emphasis |= had_emphasis;
                    layout.preamble.push(text);
                }
                (Line::Blank, None) => {}
            }
        }
        layout
    }

    pub(super) fn position(&self, label: Label) -> Option<usize> {
        self.sections.iter().position(|s| s.label == label)
    }

    pub(super) fn all(&self, label: Label) -> impl Iterator<Item = &Section> + '_ {
        self.sections.iter().filter(move |s| s.label == label)
    }

    pub(super) fn first(&self, label: Label) -> Option<&Section> {
        self.all(label).next()
    }

    /// A second "Commissioner Response:" or "Author:" is ignored; say so, because it
    /// may be the one that was meant.
    pub(super) fn warn_about_repeats(&self, warnings: &mut Vec<ParseWarning>) {
        for label in [
            Label::Response,
            Label::QuestionDate,
            Label::ResponseDate,
            Label::ContactOfficer,
            Label::Author,
            Label::Position,
        ] {
            for repeat in self.all(label).skip(1) {
                warnings.push(ParseWarning::new(
                    label.field(),
                    format!(
                        "ignored a second '{}' section ('{}'); the first one was used",
                        repeat.heading,
                        excerpt(&repeat.values().collect::<Vec<_>>().join(" "))
                    ),
                ));
            }
        }
        let mut askers = self
            .sections
            .iter()
            .filter(|s| matches!(s.label, Label::PanelMember | Label::AskedBy));
        askers.next();
        for repeat in askers {
            warnings.push(ParseWarning::new(
                "asker",
                format!(
                    "ignored a second asker line ('{}: {}'); the first one was used",
                    repeat.heading,
                    repeat.value().unwrap_or_default()
                ),
            ));
        }
    }

    /// One-line labels followed by more text: the extra text belongs to no field (often
    /// a page footer), so it is dropped, and said to be.
    pub(super) fn warn_about_stray_text(&self, warnings: &mut Vec<ParseWarning>) {
        let one_line = self
            .sections
            .iter()
            .filter(|s| !s.label.is_block() && s.label != Label::ContactOfficer);
        for section in one_line {
            for stray in section.values().skip(1) {
                warnings.push(ParseWarning::new(
                    "document",
                    format!(
                        "ignored '{}' after the '{}' line: it belongs to no field",
                        excerpt(&stray),
                        section.heading
                    ),
                ));
            }
        }
    }

    /// One warning per field that had emphasis removed, rather than one per marker.
    pub(super) fn warn_about_emphasis(&self, warnings: &mut Vec<ParseWarning>) {
        let mut fields: Vec<&str> = Vec::new();
        if self.preamble_had_emphasis {
            fields.push("panel_name");
        }
        for section in self.sections.iter().filter(|s| s.had_emphasis) {
            if !fields.contains(&section.label.field()) {
                fields.push(section.label.field());
            }
        }
        for field in fields {
            warnings.push(ParseWarning::new(
                field,
                "removed markdown emphasis or heading markers (*, **, _, #) from the published text; \
                 the words are kept",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn text_after_the_last_value_is_dropped_with_a_warning() {
        let doc = parse(&format!("{MINIMAL}\nPage 2 of 2\n"));
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert!(warning_about(&doc, "document").contains("'Page 2 of 2'"));
    }

    #[test]
    fn a_second_author_line_is_ignored_with_a_warning() {
        let doc = parse(&format!("{MINIMAL}Author: Someone Else\n"));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert!(warning_about(&doc, "author_name").contains("Someone Else"));
    }
}
