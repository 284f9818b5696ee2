//! What the parser's tests share: the published document, the fixtures, the smallest
//! valid document to vary one line of, and short ways to say what was read. Kept apart
//! so that each stage's tests can sit beside that stage's code and still use them.

use chrono::NaiveDate;

use super::parse_document;
use crate::import::{Asker, AskerKind, ParseWarning, ParsedDocument};
use pretty_assertions::assert_eq;

/// The real published document the parser was written for.
pub(super) const PUBLISHED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/public-question-2022-05-31.txt"
));

/// A document of our own making, from `tests/fixtures/import/`.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/", $name))
    };
}
pub(super) use fixture;

/// The smallest valid document, for tests that vary one line of it.
pub(super) const MINIMAL: &str = "Question(s) Posed:\n\nIs it safe?\n\n\
    Panel Member: Public Question\n\nQuestion Date: 31/05/2022\n\n\
    Commissioner Response:\n\nYes.\n\nContact Officer:\n\n\
    Author: Ralph Butler\nPosition: Interim Joint Chief Executive\nDate: 9 June 2022\n";

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn parse(text: &str) -> ParsedDocument {
    parse_document(text).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn minimal_with(line: &str, replacement: &str) -> ParsedDocument {
    assert!(MINIMAL.contains(line), "{line:?} is not in MINIMAL");
    parse(&MINIMAL.replace(line, replacement))
}

pub(super) fn public() -> Asker {
    Asker {
        kind: AskerKind::MemberOfPublic,
        display_name: None,
    }
}

pub(super) fn panel_member(name: &str) -> Asker {
    Asker {
        kind: AskerKind::PanelMember,
        display_name: Some(name.to_string()),
    }
}

/// The fields warned about, in order.
pub(super) fn warned_fields(doc: &ParsedDocument) -> Vec<&str> {
    doc.warnings.iter().map(|w| w.field.as_str()).collect()
}

/// The one warning about `field`, asserting there is exactly one.
pub(super) fn warning_about<'a>(doc: &'a ParsedDocument, field: &str) -> &'a str {
    let found: Vec<&ParseWarning> = doc.warnings.iter().filter(|w| w.field == field).collect();
    assert_eq!(found.len(), 1, "warnings about {field}: {:?}", doc.warnings);
    &found[0].message
}
