//! Tests of whole documents: the published document the parser was written for, and
//! fixtures that each exercise several stages at once (line endings, markdown, tabs).
//! Tests of one stage sit beside that stage's code.

use pretty_assertions::assert_eq;
use sha2::{Digest, Sha256};

use super::test_support::*;
use super::*;

/// The hash of `text`, worked out here rather than by the parser, to check the parser's
/// against.
fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

#[test]
fn the_published_document_is_read_field_by_field() {
    let doc = parse(PUBLISHED);
    assert_eq!(doc.panel_name.as_deref(), Some("Police, Fire & Crime Panel"));
    assert_eq!(
        doc.questions,
        [
            "‘Concerning the HMIC inspection findings highlighting Staffordshire Police \
             ‘not effectively safeguarding children’. What exactly is the PFCC doing about \
             this to ‘bring the force to account’?’",
            "What significant, specific, measurable, publicly accountable, actions are \
             being taken by the PFCC. We don’t want to hear from the Chief Constable, as \
             this is irrelevant due to the understandable widespread mistrust of the \
             police, as recognised by the government, Home Affairs Inquiry, etc.",
            "We have seen no proportionate response locally. HMIC’s conclusions, even with \
             their restrictions, come after previous inspections assessing our police force \
             as falling short in their care for the vulnerable, therefore leaving this for \
             them to resolve is unacceptable. Particularly concerning is that with \
             Stoke-on-Trent Childrens services still in ‘special measures’ after 6 \
             consecutive Ofsted inspection failures, the city now has no agencies capable \
             of keeping children and families safe. We need visible, concerted action, \
             urgently.’",
        ]
    );
    assert_eq!(doc.asked_on, ymd(2022, 5, 31));
    assert_eq!(doc.asker, public());
    let paragraphs: Vec<&str> = doc.response_body.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 2);
    assert!(paragraphs[0].starts_with("In response to HMICFRS Inspection Findings, the force"));
    assert!(paragraphs[0].ends_with("have clear ownership and time frames."));
    assert!(paragraphs[1].starts_with("The Commissioner holds the Chief Constable to account"));
    assert!(paragraphs[1].ends_with("on progress against all actions in the Improvement Programme."));
    assert_eq!(doc.author_name, "Ralph Butler");
    assert_eq!(doc.author_position, "Interim Joint Chief Executive");
    assert_eq!(doc.responded_on, ymd(2022, 6, 9));
    assert_eq!(
        doc.content_hash,
        "d2fcc449104b682868b3f1568f01465c8f22b4dfe75fd8d722c767d1b2e4f44b"
    );
    // The question's emphasis is the only thing cleaned up; "Public Question" is a
    // known placeholder, not a guess.
    assert_eq!(warned_fields(&doc), ["questions"]);
}

#[test]
fn the_published_document_with_its_page_number_run_into_the_date_still_reads() {
    // As DOMAIN.md describes the original: "9 June 20222144".
    let text = PUBLISHED.replace("Date:\t9 June 2022", "Date:\t9 June 20222144");
    let doc = parse(&text);
    assert_eq!(doc.responded_on, ymd(2022, 6, 9));
    assert!(warning_about(&doc, "responded_on").contains("2144"));
}

#[test]
fn a_page_number_run_into_the_response_year_is_dropped_with_a_warning() {
    let doc = parse(fixture!("rural-crime-fused-page-number.txt"));
    assert_eq!(doc.responded_on, ymd(2022, 6, 9));
    let warning = warning_about(&doc, "responded_on");
    assert!(warning.contains("page number 2144"), "{warning}");
    assert_eq!(doc.asked_on, ymd(2022, 5, 24));
    assert_eq!(doc.questions.len(), 1);
    assert!(doc.questions[0].starts_with("‘Farm machinery thefts"));
    assert!(doc.questions[0].ends_with("crime in the towns?’"));
    assert_eq!(doc.asker, public());
    assert_eq!(doc.response_body.split("\n\n").count(), 2);
    assert!(doc.response_body.contains("National Farmers’ Union"));
    assert_eq!(doc.author_name, "Ralph Butler");
    assert_eq!(doc.author_position, "Interim Joint Chief Executive");
    assert_eq!(warned_fields(&doc), ["responded_on", "questions"]);
}

#[test]
fn windows_line_endings_are_read_and_hash_like_unix_ones() {
    let crlf = fixture!("fire-safety-crlf.txt");
    assert!(crlf.contains("\r\n"), "the fixture must keep its CRLF line endings");
    let doc = parse(crlf);
    assert_eq!(doc.panel_name.as_deref(), Some("Police, Fire & Crime Panel"));
    assert_eq!(
        doc.questions,
        [
            "How many high-rise residential buildings in the county have had a fire safety \
          inspection since the Grenfell Tower Inquiry reported, and how many are still \
          waiting for one?"
        ]
    );
    assert_eq!(doc.asked_on, ymd(2023, 11, 2));
    assert_eq!(
        doc.response_body,
        "The Fire and Rescue Service has inspected all 38 residential buildings over 18 \
         metres in height. Eleven required follow-up visits, and two remain subject to \
         enforcement notices.\n\nA further 64 buildings between 11 and 18 metres are being \
         inspected in order of risk, and the programme will be complete by March 2024."
    );
    assert_eq!(doc.author_name, "Helen Carter");
    assert_eq!(doc.author_position, "Chief Fire Officer");
    assert_eq!(doc.responded_on, ymd(2023, 11, 16));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);

    let unix = crlf.replace("\r\n", "\n");
    assert_eq!(doc.content_hash, sha256_hex(&unix));
    assert_eq!(parse(&unix), doc);
}

#[test]
fn dotted_and_ordinal_dates_are_read_and_whitespace_runs_collapsed() {
    let doc = parse(fixture!("call-handling-dotted-and-ordinal-dates.txt"));
    assert_eq!(doc.asked_on, ymd(2023, 10, 3));
    assert_eq!(doc.responded_on, ymd(2023, 10, 17));
    assert!(doc.questions[0].starts_with("‘I waited 47 minutes on the 101 line"));
    assert!(doc.questions[0].contains("neighbour’s car"));
    assert!(doc.response_body.starts_with(
        "In September the average time to answer a 101 call was 11 minutes, \
                      against a target of 5 minutes. Peak demand falls on Friday and \
                      Saturday evenings, when 999 calls must take priority.\n\nTwelve"
    ));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn an_unpunctuated_commissioners_response_heading_and_tabs_are_recognised() {
    let doc = parse(fixture!("commissioners-response-tabs.txt"));
    assert_eq!(doc.panel_name.as_deref(), Some("Police, Fire & Crime Panel"));
    assert_eq!(
        doc.questions,
        [
            "What steps is the Fire and Rescue Service taking to inspect the fire safety of \
          care homes, following the fire at a care home in the south of the county in \
          January?"
        ]
    );
    assert_eq!(doc.asker, public());
    assert_eq!(doc.asked_on, ymd(2024, 2, 14));
    assert_eq!(
        doc.response_body,
        "The Service carried out 112 fire safety audits of care homes in 2023. Every care \
         home in the county will have been audited by the end of 2024, and those with \
         sleeping risk above the ground floor are being visited first.\n\nWhere an audit \
         finds serious deficiencies, the Service issues an enforcement notice and revisits \
         within 28 days."
    );
    assert_eq!(doc.author_name, "Helen Carter");
    assert_eq!(doc.author_position, "Chief Fire Officer");
    assert_eq!(doc.responded_on, ymd(2024, 2, 28));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn markdown_is_stripped_a_missing_asker_assumed_public_and_both_reported() {
    let doc = parse(fixture!("markdown-no-asker-fused-numeric-date.txt"));
    assert_eq!(doc.panel_name.as_deref(), Some("Police, Fire & Crime Panel"));
    assert_eq!(
        doc.questions,
        [
            "Community Speedwatch volunteers in my village have recorded more than 300 \
          vehicles speeding since March. What happens to the letters sent to those \
          drivers, and how many have been prosecuted?"
        ]
    );
    assert_eq!(doc.asker, public());
    assert!(warning_about(&doc, "asker").contains("assumed a member of the public"));
    assert_eq!(doc.asked_on, ymd(2022, 5, 31));
    assert!(warning_about(&doc, "asked_on").contains("page number 2144"));
    assert!(doc.response_body.contains("; prosecution requires evidence"));
    assert!(!doc.response_body.contains('*'));
    assert_eq!(doc.author_name, "Ralph Butler");
    assert_eq!(doc.author_position, "Interim Joint Chief Executive");
    assert_eq!(doc.responded_on, ymd(2022, 6, 14));
    // Emphasis on the labels alone ("**Author:**") is not worth a warning.
    assert_eq!(
        warned_fields(&doc),
        ["asked_on", "asker", "panel_name", "questions", "response_body"]
    );
}

#[test]
fn an_empty_file_is_refused_as_empty() {
    let empty = fixture!("not-a-document-empty.txt");
    assert_eq!(parse_document(empty).unwrap_err(), ParseError::Empty);
    assert_eq!(parse_document(" \r\n\t\n\u{feff}").unwrap_err(), ParseError::Empty);
    assert_eq!(ParseError::Empty.to_string(), "the document is empty");
}

#[test]
fn the_content_hash_is_of_the_text_with_unix_line_endings() {
    let doc = parse(MINIMAL);
    assert_eq!(doc.content_hash, sha256_hex(MINIMAL));
    assert_eq!(doc.content_hash.len(), 64);
    assert_eq!(parse(&MINIMAL.replace('\n', "\r\n")).content_hash, doc.content_hash);
    assert_eq!(parse(&MINIMAL.replace('\n', "\r")).content_hash, doc.content_hash);
}
