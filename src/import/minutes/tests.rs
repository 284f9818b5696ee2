//! Whole documents through the minutes reader: the three published shapes and documents
//! written in other wordings, numbering and layouts.

use chrono::NaiveDate;
use pretty_assertions::assert_eq;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/import/", $name))
    };
}

fn read(text: &str) -> ParsedMinutes {
    parse_minutes(text).expect("minutes")
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Each question's asker name, outcome and supplementary link, in order.
fn shape(minutes: &ParsedMinutes) -> Vec<(Option<&str>, MinutesOutcome, Option<usize>)> {
    minutes
        .questions
        .iter()
        .map(|q| (q.asker_name.as_deref(), q.outcome.label(), q.supplementary_to))
        .collect()
}

fn answer_of(q: &MinutesQuestion) -> (ResponseKind, &str, &str, Option<Option<Due>>) {
    match &q.outcome {
        Outcome::Answered {
            kind,
            answerer,
            follow_up,
            ..
        } => (*kind, answerer.name.as_str(), answerer.position.as_str(), *follow_up),
        other => panic!("not answered: {other:?}"),
    }
}

#[test]
fn the_agenda_item_minutes_give_three_public_questions_and_the_action_is_reported_unread() {
    let minutes = read(fixture!("minutes-agenda-item-2023-03.txt"));
    assert_eq!(minutes.kind, DocumentKind::Minutes);
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [(None, Answered, None), (None, Referred, None), (None, Answered, None)]
    );
    let [first, second, third] = &minutes.questions[..] else {
        panic!()
    };
    assert_eq!(first.number.as_deref(), Some("9.1"));
    assert!(
        first.paragraphs[0].starts_with("Stop and search figures"),
        "{:?}",
        first.paragraphs
    );
    assert!(!first.paragraphs[0].starts_with('"'));
    assert_eq!(answer_of(first).0, ResponseKind::Verbal);
    assert_eq!(answer_of(first).1, "The Commissioner");
    assert_eq!(first.addressed_to, Addressee::Commissioner);
    match &second.outcome {
        Outcome::Referred { to, code, reason } => {
            assert_eq!(*to, OrganisationKind::Force);
            assert_eq!(*code, ReferralCode::OperationalMatter);
            assert!(reason.contains("passed to the force"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // The sub-questions (a) and (b) are one question, two paragraphs.
    assert_eq!(third.paragraphs.len(), 2, "{:?}", third.paragraphs);
    assert!(third.paragraphs[0].starts_with("(a)"));
    assert!(third.paragraphs[1].starts_with("(b)") && third.paragraphs[1].ends_with('?'));
    assert_eq!(third.lines.first, 19);
    assert_eq!(minutes.unread.len(), 1, "{:?}", minutes.unread);
    assert!(minutes.unread[0].text.starts_with("Action"));
    assert_eq!(minutes.unread[0].lines.first, 27);
}

#[test]
fn the_question_by_response_by_page_gives_two_answers_and_its_meeting_date() {
    let minutes = read(fixture!("question-by-response-by-2024-02.txt"));
    assert_eq!(minutes.kind, DocumentKind::QuestionByResponseBy);
    assert_eq!(minutes.meeting_date.map(|d| d.0), Some(ymd(2024, 2, 9)));
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [
            (Some("Ms Dana Okafor"), Answered, None),
            (Some("Mr Aled Prys"), Answered, None)
        ]
    );
    let chair = answer_of(&minutes.questions[0]);
    assert_eq!((chair.1, chair.2), ("Councillor Lewis Marsh", "Chair"));
    assert_eq!(minutes.questions[0].addressed_to, Addressee::Panel);
    let pcc = answer_of(&minutes.questions[1]);
    assert_eq!(pcc.1, "The Police and Crime Commissioner");
    assert_eq!(minutes.questions[1].addressed_to, Addressee::Commissioner);
    // Who answered unnamed, whom it was put to, verbal or written: each a warning.
    assert!(
        minutes.questions[1].warnings.len() >= 2,
        "{:?}",
        minutes.questions[1].warnings
    );
    assert!(minutes.unread.is_empty(), "{:?}", minutes.unread);
    assert!(minutes.warnings.is_empty(), "{:?}", minutes.warnings);
}

#[test]
fn the_public_question_time_minutes_link_the_supplementary_and_read_the_promise() {
    let minutes = read(fixture!("supplementary-verbal-2022-11.txt"));
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [
            (Some("Mr Jon Achterberg"), Answered, None),
            (None, Answered, Some(0)),
            (Some("Mrs Ngozi Ferreira"), Answered, None),
            (None, NotAccepted, None),
        ]
    );
    let answer = answer_of(&minutes.questions[0]);
    assert_eq!(answer.0, ResponseKind::Verbal);
    assert_eq!(answer.3, Some(Some(Due::WorkingDays(20))));
    assert!(minutes.questions[1].paragraphs[0].starts_with("Whether victims were told"));
    assert_eq!(minutes.questions[2].addressed_to, Addressee::Panel);
    assert_eq!(answer_of(&minutes.questions[2]).1, "The Chair");
    let refused = &minutes.questions[3];
    assert!(refused.described_only);
    assert!(matches!(
        refused.outcome,
        Outcome::NotAccepted {
            code: RejectionCode::IndividualComplaint,
            ..
        }
    ));
    // Three announced, three originals read: no warning.
    assert!(minutes.warnings.is_empty(), "{:?}", minutes.warnings);
}

#[test]
fn minutes_in_other_words_give_a_written_answer_a_promise_a_deferral_and_a_ruling() {
    let minutes = read(fixture!("minutes-fire-audits-2021-07.txt"));
    assert_eq!(minutes.meeting_date.map(|d| d.0), Some(ymd(2021, 7, 15)));
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [
            (Some("Mrs Priya Raman"), Answered, None),
            (Some("Cllr Owen Price"), Answered, None),
            (None, Deferred, None),
            (None, NotAccepted, None),
        ]
    );
    let q = &minutes.questions;
    assert_eq!(q[0].paragraphs.len(), 3, "{:?}", q[0].paragraphs);
    assert_eq!(answer_of(&q[0]).0, ResponseKind::Written);
    assert_eq!(answer_of(&q[0]).1, "The PFCC");
    assert_eq!(q[1].asker_kind, AskerKind::PanelMember);
    assert_eq!(q[1].addressed_to, Addressee::Commissioner);
    assert_eq!(answer_of(&q[1]).3, Some(Some(Due::On(ymd(2021, 9, 30)))));
    assert_eq!(q[2].addressed_to, Addressee::Panel);
    assert!(!q[2].warnings.is_empty(), "a resident is not a name");
    assert!(matches!(
        q[3].outcome,
        Outcome::NotAccepted {
            code: RejectionCode::DefamatoryOrVexatious,
            ..
        }
    ));
    assert!(minutes.warnings.is_empty(), "{:?}", minutes.warnings);
    assert_eq!(minutes.unread.len(), 1);
}

#[test]
fn a_markdown_page_of_headings_with_a_supplementary_and_a_referral() {
    let minutes = read(fixture!("question-time-markdown-2025-03.txt"));
    assert_eq!(minutes.kind, DocumentKind::QuestionByResponseBy);
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [
            (Some("Mr Ben Carter"), Answered, None),
            (None, Answered, Some(0)),
            (Some("Ms Alice Wong"), Referred, None),
        ]
    );
    assert_eq!(answer_of(&minutes.questions[1]).3, Some(Some(Due::Days(28))));
    assert!(matches!(
        minutes.questions[2].outcome,
        Outcome::Referred {
            to: OrganisationKind::Force,
            code: ReferralCode::IndividualComplaint,
            ..
        }
    ));
}

#[test]
fn roman_numbered_minutes_with_lettered_sub_questions_and_no_outcome() {
    let minutes = read(fixture!("minutes-roman-numbered-2024-01.txt"));
    use MinutesOutcome::*;
    assert_eq!(
        shape(&minutes),
        [
            (Some("Ms Laura Finch"), Answered, None),
            (Some("Mr Tom Avery"), Referred, None),
            (None, WrittenReplyPromised, None),
            (Some("Dr Sam Okoye"), NoOutcome, None),
        ]
    );
    let q = &minutes.questions;
    assert_eq!(q[0].paragraphs.len(), 2);
    assert_eq!(answer_of(&q[0]).3, Some(None), "a promise without a date");
    assert!(q[1].paragraphs[0].starts_with("Why the speed camera"));
    assert!(matches!(
        q[2].outcome,
        Outcome::WrittenReplyPromised {
            due: Some(Due::WorkingDays(15)),
            ..
        }
    ));
    assert!(
        q[3].warnings.iter().any(|w| w.contains("no answer")),
        "{:?}",
        q[3].warnings
    );
}

#[test]
fn documents_that_record_no_question_are_not_minutes() {
    for text in [
        fixture!("not-a-document-press-release.txt"),
        fixture!("not-a-document-agenda.txt"),
        fixture!("not-a-document-empty.txt"),
        "Minutes:\n\nThe Panel noted the report.\n",
    ] {
        assert_eq!(parse_minutes(text), None, "{text}");
    }
}

#[test]
fn every_question_records_where_it_came_from() {
    for text in [
        fixture!("minutes-agenda-item-2023-03.txt"),
        fixture!("supplementary-verbal-2022-11.txt"),
        fixture!("question-by-response-by-2024-02.txt"),
    ] {
        for q in read(text).questions {
            let whats: Vec<&str> = q.recognised.iter().map(|r| r.what.as_str()).collect();
            assert!(whats.contains(&"asker") && whats.contains(&"question"), "{whats:?}");
            assert!(q
                .recognised
                .iter()
                .all(|r| r.lines.first >= 1 && r.lines.first <= r.lines.last));
        }
    }
}

#[test]
fn keys_ignore_punctuation_and_numbering_but_not_the_meeting_or_the_words() {
    let meeting = crate::domain::meeting::MeetingId(uuid::Uuid::nil());
    let other = crate::domain::meeting::MeetingId(uuid::Uuid::from_u128(1));
    let key = question_key(meeting, None, "“Why,” she asked — why?");
    assert_eq!(key, question_key(meeting, None, "why she asked why"));
    assert_ne!(key, question_key(other, None, "why she asked why"));
    assert_ne!(key, question_key(meeting, Some("x"), "why she asked why"));
    assert_ne!(key, question_key(meeting, None, "why she asked when"));
}
