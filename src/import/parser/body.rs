//! Reading the two block sections: the questions and the Commissioner's response.
//!
//! These are the sections that make a text a question-and-response document at all,
//! so this stage also decides that: a text without both is some other kind of
//! document (an agenda, minutes), and a response section that only says one will
//! follow is a question still awaiting its answer. Both are refused, with the reason.

use super::labels::Label;
use super::layout::{Layout, Section};
use super::text::plain_words;
use crate::import::ParseError;

/// The usual headings, as named in errors.
const QUESTIONS_HEADING: &str = "Question(s) Posed";
const RESPONSE_HEADING: &str = "Commissioner Response";

/// Where the (first) response section is, once the document is known to have both a
/// response and a questions section: a text without either is not a document of this
/// family.
pub(super) fn find_response(layout: &Layout) -> Result<usize, ParseError> {
    let response_at = layout
        .position(Label::Response)
        .ok_or(ParseError::NotAQuestionDocument {
            section: RESPONSE_HEADING,
        })?;
    if layout.position(Label::Questions).is_none() {
        return Err(ParseError::NotAQuestionDocument {
            section: QUESTIONS_HEADING,
        });
    }
    Ok(response_at)
}

/// The questions, one entry per paragraph.
pub(super) fn read_questions(layout: &Layout) -> Result<Vec<String>, ParseError> {
    // Numbered documents give each question its own label ("Question 1:"), so every
    // questions section contributes, in order.
    let questions: Vec<String> = layout.all(Label::Questions).flat_map(Section::paragraphs).collect();
    if questions.is_empty() {
        return Err(ParseError::EmptySection {
            section: QUESTIONS_HEADING,
            field: "questions",
        });
    }
    Ok(questions)
}

/// The response section at `response_at`, its paragraphs separated by a blank line.
pub(super) fn read_response(layout: &Layout, response_at: usize) -> Result<String, ParseError> {
    let response_body = layout.sections[response_at].paragraphs().join("\n\n");
    if response_body.is_empty() {
        return Err(ParseError::EmptySection {
            section: RESPONSE_HEADING,
            field: "response_body",
        });
    }
    // Documents are sometimes published before the answer is written; such a document
    // is a question awaiting a response, not a response that says "to follow".
    if is_response_placeholder(&response_body) {
        return Err(ParseError::NoResponseYet {
            placeholder: response_body,
        });
    }
    Ok(response_body)
}

/// Whether a response's whole text only says that the response is still to come.
fn is_response_placeholder(body: &str) -> bool {
    matches!(
        plain_words(body).as_str(),
        "response to follow"
            | "to follow"
            | "tbc"
            | "to be confirmed"
            | "awaiting response"
            | "response awaited"
            | "response pending"
            | "pending"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parser::parse_document;
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn each_numbered_question_is_its_own_entry_with_its_number_kept() {
        let doc = parse(fixture!("several-questions.txt"));
        assert_eq!(
            doc.questions,
            [
                "1. How many officers are now issued with body-worn video cameras?",
                "2. In how many domestic abuse cases last year was footage from those cameras \
                 used as evidence?",
                "3. When will every response officer have a camera of their own?",
            ]
        );
        assert_eq!(doc.asker, public());
        assert_eq!(doc.asked_on, ymd(2024, 1, 12));
        assert_eq!(doc.responded_on, ymd(2024, 1, 30));
        assert_eq!(doc.response_body.split("\n\n").count(), 3);
        assert_eq!(doc.author_name, "Sarah Okafor");
        assert_eq!(doc.author_position, "Head of Policy and Scrutiny");
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    }

    #[test]
    fn questions_under_numbered_labels_are_collected_in_order() {
        let doc = minimal_with(
            "Question(s) Posed:\n\nIs it safe?",
            "Question 1: Is it safe?\n\nQuestion 2: Is it\nlegal?",
        );
        assert_eq!(doc.questions, ["Is it safe?", "Is it legal?"]);
    }

    #[test]
    fn an_agenda_is_not_a_question_document() {
        let error = parse_document(fixture!("not-a-document-agenda.txt")).unwrap_err();
        assert_eq!(
            error,
            ParseError::NotAQuestionDocument {
                section: "Commissioner Response"
            }
        );
        assert_eq!(
            error.to_string(),
            "this does not look like a public question document: no 'Commissioner Response' \
             section"
        );
        assert_eq!(error.field(), "document");
    }

    #[test]
    fn a_question_still_awaiting_its_response_is_refused() {
        let error = parse_document(fixture!("not-a-document-awaiting-response.txt")).unwrap_err();
        assert_eq!(
            error,
            ParseError::NoResponseYet {
                placeholder: "[Response to follow]".to_string()
            }
        );
        assert!(error.to_string().contains("no response yet"));
    }

    #[test]
    fn a_response_without_a_question_section_is_refused() {
        let error = parse_document(&MINIMAL.replace("Question(s) Posed:\n\nIs it safe?", "")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this does not look like a public question document: no 'Question(s) Posed' section"
        );
    }

    #[test]
    fn empty_sections_are_refused_rather_than_imported_blank() {
        let no_question = MINIMAL.replace("Is it safe?", "");
        assert_eq!(
            parse_document(&no_question).unwrap_err(),
            ParseError::EmptySection {
                section: "Question(s) Posed",
                field: "questions"
            }
        );
        let no_response = MINIMAL.replace("Yes.", "");
        assert_eq!(parse_document(&no_response).unwrap_err().field(), "response_body");
    }
}
