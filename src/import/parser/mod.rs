//! Reading one document: lines, then labelled sections, then a [`ParsedDocument`].
//!
//! The documents have no fixed layout, only a family of labels ("Question(s) Posed:",
//! "Commissioner Response:", "Author:" …) in roughly the same order. So the text is cut
//! into sections at every label it recognises, in whatever order they come, and each
//! field is then taken from its section. Labels are compared on their words alone, so
//! emphasis, typographic apostrophes, "(s)", case and spacing do not matter.
//!
//! Each stage has a file of its own, in the order a document goes through them:
//! `lines` normalises the line endings and reads each line (emphasis removed, a label
//! recognised by the spellings listed in `labels`); `layout` cuts the document into
//! sections at its labels; then each field is taken from its section: the questions
//! and the response by `body`, the question's date by `dates`, the asker by `asker`,
//! the response's author, position and date by `footer`, and the panel's name from the
//! heading by `heading`. This file runs the stages in that order and assembles the
//! result; the tests of whole documents are in `tests`, those of one stage beside it.

mod asker;
mod body;
mod dates;
mod footer;
mod heading;
mod labels;
mod layout;
mod lines;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
mod text;

use sha2::{Digest, Sha256};

use super::{ParseError, ParsedDocument};
use layout::Layout;

/// Parses the text of one published question-and-response document.
///
/// Fails, with the reason, on anything that is not such a document or lacks a value the
/// record cannot do without; never returns a half-filled record. Everything it had to
/// guess or clean up to succeed is listed in [`ParsedDocument::warnings`].
pub fn parse_document(text: &str) -> Result<ParsedDocument, ParseError> {
    // The hash is taken after this, so one document saved with Windows or Unix line
    // endings, or with its accents composed or not, is recognised as the same document;
    // and every field is read from text in NFC, as all stored text is.
    let text = crate::domain::text::nfc(&lines::normalise_line_endings(text)).into_owned();
    let content_hash = format!("{:x}", Sha256::digest(text.as_bytes()));
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(ParseError::Empty);
    }

    let layout = Layout::read(&text);
    let mut warnings = Vec::new();
    let response_at = body::find_response(&layout)?;
    layout.warn_about_repeats(&mut warnings);
    let questions = body::read_questions(&layout)?;
    let response_body = body::read_response(&layout, response_at)?;

    let asked_on = dates::read_asked_on(&layout, response_at, &mut warnings)?;
    let asker = asker::read_asker(&layout, &mut warnings);
    let footer = footer::read_footer(&layout, response_at, &mut warnings)?;
    let panel_name = heading::read_panel_name(&layout.preamble, &mut warnings);

    dates::warn_about_date_order(asked_on, footer.responded_on, &mut warnings);
    layout.warn_about_stray_text(&mut warnings);
    layout.warn_about_emphasis(&mut warnings);

    Ok(ParsedDocument {
        panel_name,
        questions,
        asked_on,
        asker,
        response_body,
        author_name: footer.author_name,
        author_position: footer.author_position,
        responded_on: footer.responded_on,
        content_hash,
        warnings,
    })
}
