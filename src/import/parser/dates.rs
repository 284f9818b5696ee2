//! Reading the question's date, and checking it against the response's.
//!
//! The date reader itself (`import::date`) turns one published value into a date and
//! notes what it had to guess; this stage decides which line is the question's date
//! (its own label, or a bare "Date:" before the response) and passes the reader's
//! notes on as warnings. The response's date is read with the rest of the response's
//! footer (`footer`), since it can come from the same "Contact Officer" block; the
//! two dates are compared here once both are known.

use chrono::NaiveDate;

use super::labels::Label;
use super::layout::{Layout, Section};
use crate::import::date::{read_date, ReadDate};
use crate::import::{ParseError, ParseWarning};

/// Reads a date section into `field`, passing on what the date reader had to guess.
pub(super) fn read_date_section(
    section: &Section,
    field: &'static str,
    warnings: &mut Vec<ParseWarning>,
) -> Result<NaiveDate, ParseError> {
    let text = section.value().ok_or_else(|| ParseError::MissingField {
        field,
        reason: format!("the '{}' line has no date", section.heading),
    })?;
    let read = read_date(&text).map_err(|reason| ParseError::UnreadableDate {
        field,
        label: section.heading.clone(),
        text: text.clone(),
        reason,
    })?;
    Ok(take_date(read, field, warnings))
}

/// A date as read, with what the date reader had to guess passed on as warnings about
/// `field`.
pub(super) fn take_date(read: ReadDate, field: &'static str, warnings: &mut Vec<ParseWarning>) -> NaiveDate {
    warnings.extend(read.notes.into_iter().map(|note| ParseWarning::new(field, note)));
    read.date
}

/// The question's date: its own label, or else a bare "Date:" standing before the
/// response (a guess, so it is reported).
pub(super) fn read_asked_on(
    layout: &Layout,
    response_at: usize,
    warnings: &mut Vec<ParseWarning>,
) -> Result<NaiveDate, ParseError> {
    let mut bare_dates_before_response = layout.sections[..response_at].iter().filter(|s| s.label == Label::Date);
    if let Some(section) = layout.first(Label::QuestionDate) {
        for ignored in bare_dates_before_response {
            warnings.push(ParseWarning::new(
                "asked_on",
                format!(
                    "ignored the '{}: {}' line before the response: the question's date \
                     is taken from the '{}' line",
                    ignored.heading,
                    ignored.value().unwrap_or_default(),
                    section.heading
                ),
            ));
        }
        return read_date_section(section, "asked_on", warnings);
    }
    let Some(section) = bare_dates_before_response.next() else {
        return Err(ParseError::MissingField {
            field: "asked_on",
            reason: "no 'Question Date' line found".to_string(),
        });
    };
    warnings.push(ParseWarning::new(
        "asked_on",
        format!(
            "no 'Question Date' line: took the '{}' line before the response as the \
             question's date",
            section.heading
        ),
    ));
    read_date_section(section, "asked_on", warnings)
}

/// Both dates are kept as published, but a response dated before its question, or
/// more than a year after it, probably has one of them mistyped: say so.
pub(super) fn warn_about_date_order(asked_on: NaiveDate, responded_on: NaiveDate, warnings: &mut Vec<ParseWarning>) {
    if responded_on < asked_on {
        warnings.push(ParseWarning::new(
            "responded_on",
            format!(
                "the response is dated {responded_on}, before the question was asked ({asked_on}); \
                 one of the dates may be mistyped"
            ),
        ));
    } else if (responded_on - asked_on).num_days() > 365 {
        warnings.push(ParseWarning::new(
            "responded_on",
            format!(
                "the response is dated {responded_on}, more than a year after the question \
                 ({asked_on}); the year may be mistyped"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::import::parser::parse_document;
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_bare_date_before_the_response_stands_in_for_the_question_date_with_a_warning() {
        let doc = minimal_with("Question Date: 31/05/2022", "Date: 31/05/2022");
        assert_eq!(doc.asked_on, ymd(2022, 5, 31));
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert!(warning_about(&doc, "asked_on").contains("took the 'Date' line"));
    }

    #[test]
    fn a_response_without_a_question_date_is_refused() {
        let error = parse_document(fixture!("not-a-document-no-question-date.txt")).unwrap_err();
        assert_eq!(error.to_string(), "no 'Question Date' line found");
        assert_eq!(error.field(), "asked_on");
    }

    #[test]
    fn an_unreadable_date_is_refused_quoting_what_was_published() {
        let error = parse_document(&MINIMAL.replace("31/05/2022", "the end of May")).unwrap_err();
        assert_eq!(error.field(), "asked_on");
        let message = error.to_string();
        assert!(message.starts_with("cannot read the Question Date 'the end of May' as a date"));
    }

    #[test]
    fn a_response_dated_before_its_question_is_read_with_a_warning() {
        let doc = parse(fixture!("response-dated-before-question.txt"));
        assert_eq!(doc.asked_on, ymd(2023, 9, 19));
        assert_eq!(doc.responded_on, ymd(2023, 9, 12));
        let warning = warning_about(&doc, "responded_on");
        assert!(warning.contains("before the question"), "{warning}");
    }

    #[test]
    fn a_response_dated_years_after_its_question_is_read_with_a_warning() {
        let doc = minimal_with("Date: 9 June 2022", "Date: 9 June 2032");
        assert!(warning_about(&doc, "responded_on").contains("more than a year after"));
    }
}
