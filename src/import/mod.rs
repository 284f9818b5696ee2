//! Importing the panel's published question-and-response documents.
//!
//! How to use it: [`parse_document`] takes the text of one document (as extracted from
//! the published PDF or web page) and returns a [`ParsedDocument`] or a [`ParseError`].
//! It is pure: no I/O, no database, no clock. [`prepare`] goes one step further, to the
//! question and response an import creates, checked as the database needs them;
//! storing those is [`crate::repo::imports::store`]'s business, and the command line's
//! `scrutiny import` and `POST /api/v1/imports` are its two callers.
//!
//! Real documents are messy (see `shared/fixtures/public-question-2022-05-31.txt`: a
//! page number run into a date, a label where a name should be), so the parser copes
//! where it can and says so in [`ParsedDocument::warnings`]. What it must never do is
//! produce a half-filled record: a document that lacks the question, its date, the
//! response, or the response's author and date is refused with the reason.

mod date;
mod importer;
pub mod minutes;
mod parser;
pub mod personal;
pub mod plan;

pub use importer::{
    prepare, source_name, title_from, ImportError, Prepared, MAX_SOURCE_NAME_CHARS, PANEL_ASKER, PUBLIC_ASKER,
    UNNAMED_SOURCE,
};
pub use parser::parse_document;

use chrono::NaiveDate;
use serde::Serialize;

crate::text_enum!(
    /// Who asked a question, as far as the document says.
    AskerKind {
        /// Someone who is not on the panel.
        MemberOfPublic => "member_of_public",
        /// A councillor or co-opted member of the panel.
        PanelMember => "panel_member",
    }
);

/// Who asked the question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asker {
    /// Whether the asker is a member of the public or of the panel.
    pub kind: AskerKind,
    /// The asker's name as published, when the document gives one. Placeholders such as
    /// "Public Question" are not names and leave this empty.
    pub display_name: Option<String>,
}

/// One question-and-response document, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedDocument {
    /// The panel named in the heading ("Police, Fire & Crime Panel"), if there is one.
    pub panel_name: Option<String>,
    /// The question, one entry per published paragraph, in order. The words and
    /// punctuation (typographic quotes included) are kept as published; only emphasis
    /// markers are removed and whitespace runs collapsed to single spaces.
    pub questions: Vec<String>,
    /// When the question was asked.
    pub asked_on: NaiveDate,
    /// Who asked it.
    pub asker: Asker,
    /// The Commissioner's response, with paragraphs separated by a blank line ("\n\n").
    pub response_body: String,
    /// Who wrote the response.
    pub author_name: String,
    /// The author's post ("Interim Joint Chief Executive").
    pub author_position: String,
    /// When the response was given.
    pub responded_on: NaiveDate,
    /// The lowercase hex SHA-256 of the document's text with its line endings
    /// normalised to `\n` and its characters to NFC, so that the same document saved on
    /// Windows or Unix, or by a program that decomposes accents, is recognised as the
    /// same import.
    pub content_hash: String,
    /// Everything the parser had to guess, drop or clean up, for a person to check.
    pub warnings: Vec<ParseWarning>,
}

/// Something the parser guessed, dropped or cleaned up while reading one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseWarning {
    /// The [`ParsedDocument`] field concerned (`responded_on`, `asker` …), or
    /// `document` for text that belongs to no field.
    pub field: String,
    /// What was done, in words meant for the person checking the import.
    pub message: String,
}

impl ParseWarning {
    /// A warning about `field`.
    pub(crate) fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Why a text could not be read as a question-and-response document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text has nothing in it but whitespace.
    #[error("the document is empty")]
    Empty,
    /// A section that every document of this family has is missing, so this is
    /// probably some other kind of document (an agenda, minutes, a letter).
    #[error("this does not look like a public question document: no '{section}' section")]
    NotAQuestionDocument {
        /// The missing section's usual heading.
        section: &'static str,
    },
    /// Neither a question document nor minutes: no "Commissioner Response" section, and
    /// no question put in it ("… asked", "a question from …", "Question by …").
    #[error(
        "this is neither a public question document (it has no 'Commissioner Response' section) nor the minutes \
         of public questions or a 'Question by / Response by' page (no question is put in it: no '… asked …', \
         'a question from …' or 'Question by …')"
    )]
    NotAnImportableDocument,
    /// The section is there but has no text in it.
    #[error("the '{section}' section is empty")]
    EmptySection {
        /// The section's usual heading.
        section: &'static str,
        /// The [`ParsedDocument`] field it would have filled.
        field: &'static str,
    },
    /// The document was published before the response was written: its response
    /// section only says that one will follow.
    #[error(
        "the question has no response yet: the 'Commissioner Response' section only says \
         '{placeholder}'"
    )]
    NoResponseYet {
        /// What the response section says instead.
        placeholder: String,
    },
    /// A value the record cannot do without is missing.
    #[error("{reason}")]
    MissingField {
        /// The [`ParsedDocument`] field it would have filled.
        field: &'static str,
        /// What was looked for and not found.
        reason: String,
    },
    /// A date line is there but its value cannot be read as a date.
    #[error("cannot read the {label} '{text}' as a date: {reason}")]
    UnreadableDate {
        /// The [`ParsedDocument`] field it would have filled.
        field: &'static str,
        /// The line's label as published.
        label: String,
        /// The value as published.
        text: String,
        /// Why it is not a date.
        reason: String,
    },
}

impl ParseError {
    /// The [`ParsedDocument`] field the error concerns, or `document` when the text as a
    /// whole is not a document of this family; for reporting it beside the field.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty | Self::NotAQuestionDocument { .. } | Self::NotAnImportableDocument => "document",
            Self::NoResponseYet { .. } => "response_body",
            Self::EmptySection { field, .. }
            | Self::MissingField { field, .. }
            | Self::UnreadableDate { field, .. } => field,
        }
    }
}
