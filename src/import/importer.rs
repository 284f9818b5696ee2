//! From a document's text to the records an import creates: an answered question and
//! its published response, checked like anything else that reaches the database.
//!
//! Like the parser, this is pure: the command line and the API both call [`prepare`],
//! then (unless it is a dry run) hand the result to [`crate::repo::imports::store`].

use chrono::NaiveDate;

use super::{parse_document, personal, AskerKind as ParsedAskerKind, ParseError, ParseWarning, ParsedDocument};
use crate::domain::calendar::plausible_date;
use crate::domain::question::{AskerKind, NewQuestion, NewResponse, ResponseKind};
use crate::domain::text::{is_allowed_char, nfc, Body, Name, Title};
use crate::domain::{CollectFields, FieldResult};
use crate::error::FieldError;

/// The name an imported question is published under when its document names nobody.
pub const PUBLIC_ASKER: &str = "A member of the public";
/// The same, for a panel member's question whose document does not name them.
pub const PANEL_ASKER: &str = "A member of the panel";
/// The source name of an upload that does not name its file.
pub const UNNAMED_SOURCE: &str = "upload";
/// The most characters a source name keeps.
pub const MAX_SOURCE_NAME_CHARS: usize = 200;
/// The most characters of a title (the question's first paragraph, cut).
const MAX_TITLE_CHARS: usize = 300;

/// A document read and checked, ready to be stored.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What the parser read, with its warnings.
    pub document: ParsedDocument,
    /// The document's file name, cleaned up ([`source_name`]).
    pub source_name: String,
    /// The question to create (answered once stored with its response).
    pub question: NewQuestion,
    /// Its response (published once stored).
    pub response: NewResponse,
}

/// Why a text cannot be imported. Either way nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// It is not a question-and-response document, or lacks a value the record needs.
    #[error(transparent)]
    Unreadable(#[from] ParseError),
    /// It was read, but a value cannot be stored as it is (too long, a date in the
    /// future …). Each error names the [`ParsedDocument`] field.
    #[error("{}", describe(.0))]
    Invalid(Vec<FieldError>),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ImportError {
    /// The errors, each naming the [`ParsedDocument`] field concerned (or `document`).
    pub fn errors(&self) -> Vec<FieldError> {
        match self {
            Self::Unreadable(error) => vec![FieldError::new(error.field(), error.to_string())],
            Self::Invalid(errors) => errors.clone(),
        }
    }
}

/// Reads `text` (a document called `raw_source_name`) and checks that what it says can
/// be stored: `today` (London's date) bounds the dates, which must not be in the future.
pub fn prepare(text: &str, raw_source_name: &str, today: NaiveDate) -> Result<Prepared, ImportError> {
    let mut document = parse_document(text)?;
    let asker_kind = match document.asker.kind {
        ParsedAskerKind::MemberOfPublic => AskerKind::MemberOfPublic,
        ParsedAskerKind::PanelMember => AskerKind::PanelMember,
    };
    let display_name = document.asker.display_name.as_deref().unwrap_or(match asker_kind {
        AskerKind::MemberOfPublic => PUBLIC_ASKER,
        AskerKind::PanelMember => PANEL_ASKER,
    });
    let first_question = document.questions.first().map_or("", String::as_str);
    let (display_name, title, body, asked_on, response_body, author_name, author_position, responded_on) = (
        Name::parse("asker", display_name),
        Title::parse("questions", title_from(first_question)),
        Body::parse("questions", document.questions.join("\n\n")),
        past_date("asked_on", document.asked_on, today),
        Body::parse("response_body", &document.response_body),
        Name::parse("author_name", &document.author_name),
        Name::parse("author_position", &document.author_position),
        past_date("responded_on", document.responded_on, today),
    )
        .collect_fields()
        .map_err(|error| match error {
            crate::error::ApiError::Validation(mut errors) => {
                // The title and body both come from the questions: say it once.
                errors.dedup();
                ImportError::Invalid(errors)
            }
            other => ImportError::Invalid(vec![FieldError::new("document", other.to_string())]),
        })?;
    let question = NewQuestion {
        asker_kind,
        asker_display_name: display_name,
        asker_contact: None,
        asker_user_id: None,
        title,
        body,
        topics: Vec::new(),
        asked_on,
        meeting_id: None,
        parent_question_id: None,
        recommendation_ids: Vec::new(),
        // The documents imported are the Commissioner's published answers.
        addressed_to: crate::domain::question_rules::Addressee::Commissioner,
    };
    let response = NewResponse {
        kind: ResponseKind::Written,
        body: response_body,
        author_name,
        author_position,
        responded_on,
        recommendation_ids: Vec::new(),
        action_ids: Vec::new(),
        meeting_id: None,
        follow_up_due_on: None,
        follows_up_response_id: None,
    };
    // Published as written: say so where the text looks like it holds someone's details.
    let spotted = [
        (
            "questions",
            personal::warning("the question", &document.questions.join("\n\n")),
        ),
        (
            "response_body",
            personal::warning("the response", &document.response_body),
        ),
    ];
    for (field, warning) in spotted {
        document.warnings.extend(warning.map(|w| ParseWarning::new(field, w)));
    }
    Ok(Prepared {
        document,
        source_name: source_name(raw_source_name),
        question,
        response,
    })
}

/// A date a published document gives: in [`crate::domain::calendar::PLAUSIBLE_YEARS`]
/// and not after `today`, since nothing is published about the future.
fn past_date(field: &str, date: NaiveDate, today: NaiveDate) -> FieldResult<NaiveDate> {
    let date = plausible_date(field, date)?;
    if date > today {
        return Err(FieldError::new(
            field,
            format!("{date} is in the future (today is {today}); the year may be mistyped"),
        ));
    }
    Ok(date)
}

/// A question's title, made from its first paragraph: the paragraph itself when it has
/// at most 300 characters, else as many whole words as fit before an ellipsis ("…").
pub fn title_from(paragraph: &str) -> String {
    let paragraph = paragraph.trim();
    if paragraph.chars().count() <= MAX_TITLE_CHARS {
        return paragraph.to_string();
    }
    // Room for the ellipsis; the cut is on a character boundary, never inside one.
    let room: String = paragraph.chars().take(MAX_TITLE_CHARS - 1).collect();
    let next_is_space = paragraph
        .chars()
        .nth(MAX_TITLE_CHARS - 1)
        .is_some_and(char::is_whitespace);
    let cut = if next_is_space {
        room.as_str()
    } else {
        // Drop the word the limit falls in, unless it is the only one.
        match room.rfind(char::is_whitespace) {
            Some(space) => &room[..space],
            None => room.as_str(),
        }
    };
    format!("{}…", cut.trim_end())
}

/// A document's source name as stored and shown: its file name without any directory
/// (an upload may send a client's full path), on one line and without the characters no
/// text may hold (control characters, noncharacters: [`is_allowed_char`]), in NFC, trimmed and cut to
/// [`MAX_SOURCE_NAME_CHARS`]; [`UNNAMED_SOURCE`] when nothing is left. A file name is
/// cleaned rather than refused: it only labels the import.
pub fn source_name(raw: &str) -> String {
    let file_name = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let allowed: String = file_name
        .chars()
        .filter(|c| is_allowed_char(*c) && !c.is_control())
        .collect();
    let cleaned: String = nfc(&allowed).trim().chars().take(MAX_SOURCE_NAME_CHARS).collect();
    let cleaned = cleaned.trim_end();
    if cleaned.is_empty() {
        UNNAMED_SOURCE.to_string()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const PUBLISHED: &str = include_str!("../../tests/fixtures/import/public-question-2022-05-31.txt");

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/import/", $name))
        };
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        ymd(2026, 1, 1)
    }

    fn fields(error: &ImportError) -> Vec<String> {
        error.errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_published_document_becomes_a_public_question_and_a_written_response() {
        let prepared = prepare(PUBLISHED, "public-question-2022-05-31.txt", today()).unwrap();
        let question = &prepared.question;
        assert_eq!(question.asker_kind, AskerKind::MemberOfPublic);
        assert_eq!(question.asker_display_name.as_str(), PUBLIC_ASKER);
        assert!(question.asker_contact.is_none() && question.topics.is_empty());
        assert_eq!(question.asked_on, ymd(2022, 5, 31));
        assert_eq!(question.title.as_str(), prepared.document.questions[0]);
        assert_eq!(question.body.as_str(), prepared.document.questions.join("\n\n"));
        assert_eq!(question.body.as_str().split("\n\n").count(), 3);
        let response = &prepared.response;
        assert_eq!(response.kind, ResponseKind::Written);
        assert_eq!(response.author_name.as_str(), "Ralph Butler");
        assert_eq!(response.author_position.as_str(), "Interim Joint Chief Executive");
        assert_eq!(response.responded_on, ymd(2022, 6, 9));
        assert_eq!(response.body.as_str(), prepared.document.response_body);
        assert_eq!(prepared.source_name, "public-question-2022-05-31.txt");
    }

    #[test]
    fn a_named_panel_member_asks_under_their_name() {
        let prepared = prepare(fixture!("named-panel-member.txt"), "x.txt", today()).unwrap();
        assert_eq!(prepared.question.asker_kind, AskerKind::PanelMember);
        assert_eq!(
            Some(prepared.question.asker_display_name.as_str()),
            prepared.document.asker.display_name.as_deref()
        );
    }

    #[test]
    fn a_long_first_paragraph_is_cut_on_a_word_boundary_with_an_ellipsis() {
        let words = "safeguarding ".repeat(40);
        let title = title_from(&words);
        assert!(title.chars().count() <= MAX_TITLE_CHARS, "{}", title.chars().count());
        assert!(title.ends_with("safeguarding…"), "{title}");
        // A cut that falls exactly before a space keeps the whole last word.
        let exact = format!("{} tail", "a".repeat(MAX_TITLE_CHARS - 1));
        assert_eq!(title_from(&exact), format!("{}…", "a".repeat(MAX_TITLE_CHARS - 1)));
        // One enormous word is cut inside it, multi-byte characters intact.
        let word = "é".repeat(400);
        assert_eq!(title_from(&word).chars().count(), MAX_TITLE_CHARS);
        assert_eq!(title_from("  Short.  "), "Short.");
    }

    #[test]
    fn documents_that_are_not_question_documents_are_refused_with_the_parsers_field() {
        for (text, field) in [
            (fixture!("not-a-document-agenda.txt"), "document"),
            (fixture!("not-a-document-empty.txt"), "document"),
            (fixture!("not-a-document-awaiting-response.txt"), "response_body"),
            (fixture!("not-a-document-no-question-date.txt"), "asked_on"),
        ] {
            let error = prepare(text, "x.txt", today()).unwrap_err();
            assert!(matches!(error, ImportError::Unreadable(_)), "{error:?}");
            assert_eq!(fields(&error), [field], "{error}");
        }
    }

    #[test]
    fn values_that_cannot_be_stored_are_refused_naming_the_field() {
        let long_answer = PUBLISHED.replace(
            "In response to HMICFRS",
            &format!("{} In response to HMICFRS", "word ".repeat(5_000)),
        );
        let error = prepare(&long_answer, "x.txt", today()).unwrap_err();
        assert_eq!(fields(&error), ["response_body"], "{error}");
        let nul = PUBLISHED.replace("Ralph Butler", "Ralph\0Butler");
        assert_eq!(fields(&prepare(&nul, "x.txt", today()).unwrap_err()), ["author_name"]);
    }

    #[test]
    fn dates_after_today_are_refused_as_probable_typos() {
        let error = prepare(PUBLISHED, "x.txt", ymd(2022, 6, 1)).unwrap_err();
        assert_eq!(fields(&error), ["responded_on"], "{error}");
        assert!(error.to_string().contains("2022-06-09 is in the future"), "{error}");
        assert!(prepare(PUBLISHED, "x.txt", ymd(2022, 6, 9)).is_ok());
    }

    #[test]
    fn a_response_dated_before_its_question_is_kept_as_published_with_the_parsers_warning() {
        let prepared = prepare(fixture!("response-dated-before-question.txt"), "x.txt", today()).unwrap();
        assert!(prepared.response.responded_on < prepared.question.asked_on);
        assert!(prepared.document.warnings.iter().any(|w| w.field == "responded_on"));
    }

    #[test]
    fn source_names_lose_directories_and_control_characters_and_are_cut() {
        assert_eq!(source_name("a/b/question.txt"), "question.txt");
        assert_eq!(source_name("C:\\Users\\clerk\\question.txt"), "question.txt");
        assert_eq!(source_name(" q\u{7}\n.txt "), "q.txt");
        assert_eq!(source_name("Mo\u{302}n\u{FFFF}.txt"), "M\u{F4}n.txt");
        assert_eq!(source_name(""), UNNAMED_SOURCE);
        assert_eq!(source_name("dir/"), UNNAMED_SOURCE);
        assert_eq!(source_name(&"é".repeat(300)).chars().count(), MAX_SOURCE_NAME_CHARS);
    }
}
