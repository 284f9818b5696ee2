//! Reading the heading: the lines before the first label, which may name the panel.
//!
//! The heading is free text ("Police, Fire & Crime Panel – Public Question"), so the
//! only thing taken from it is the part that names a panel; the document's own title
//! is expected and skipped, and anything else is reported rather than silently lost.

use super::labels::normalise_label;
use super::text::excerpt;
use crate::import::ParseWarning;

/// The panel's name from the heading: the part of a heading line that names a panel
/// ("Police, Fire & Crime Panel – Public Question"). Other heading text is reported,
/// except the document's title itself.
pub(super) fn read_panel_name(preamble: &[String], warnings: &mut Vec<ParseWarning>) -> Option<String> {
    let mut panel_name = None;
    for line in preamble {
        let line = line.replace(" — ", " – ").replace(" - ", " – ").replace(" | ", " – ");
        for part in line.split(" – ").map(str::trim).filter(|p| !p.is_empty()) {
            // The document's own title ("Public Question") is expected, not ignored.
            let is_title = matches!(
                normalise_label(part).trim_end_matches(':'),
                "public question"
                    | "public questions"
                    | "panel question"
                    | "panel questions"
                    | "question and response"
                    | "public question and response"
            );
            let names_a_panel = part
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.eq_ignore_ascii_case("panel"));
            if is_title {
                continue;
            }
            if names_a_panel && panel_name.is_none() {
                panel_name = Some(part.trim_end_matches([':', ',', '.']).to_string());
            } else {
                warnings.push(ParseWarning::new(
                    "document",
                    format!("ignored '{}' in the heading", excerpt(part)),
                ));
            }
        }
    }
    panel_name
}
