//! Reading who asked the question, from the "Panel Member:" or "Asked by:" line.
//!
//! The line rarely says plainly what kind of asker it names: "Public Question" and its
//! variants are placeholders, not names; a title ("Cllr") or a note ("(Panel Member)")
//! marks a member of the panel; anyone else is assumed a member of the public, with a
//! warning. A document without the line is read as a public question, also with a
//! warning, because the record needs an asker and this is by far the usual case.

use super::labels::Label;
use super::layout::Layout;
use super::text::{collapse_whitespace, plain_words};
use crate::import::{Asker, AskerKind, ParseWarning};

/// Who asked. "Public Question" and its variants are placeholders, not names.
pub(super) fn read_asker(layout: &Layout, warnings: &mut Vec<ParseWarning>) -> Asker {
    let public = Asker {
        kind: AskerKind::MemberOfPublic,
        display_name: None,
    };
    let section = layout
        .sections
        .iter()
        .find(|s| matches!(s.label, Label::PanelMember | Label::AskedBy));
    let Some(section) = section else {
        warnings.push(ParseWarning::new(
            "asker",
            "no 'Panel Member' or 'Asked by' line: assumed a member of the public",
        ));
        return public;
    };
    let Some(value) = section.value() else {
        warnings.push(ParseWarning::new(
            "asker",
            format!(
                "the '{}' line is empty: assumed a member of the public",
                section.heading
            ),
        ));
        return public;
    };
    if is_public_placeholder(&value) {
        return public;
    }
    // "Jane Smith (Panel Member)" says outright which kind of asker it is.
    if let Some((name, kind)) = value
        .strip_suffix(')')
        .and_then(|v| v.rsplit_once('('))
        .and_then(|(name, note)| Some((name.trim(), kind_named(note)?)))
    {
        return Asker {
            kind,
            display_name: Some(name.to_string()),
        };
    }
    let first_word = value
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_lowercase();
    if section.label == Label::PanelMember || matches!(first_word.as_str(), "cllr" | "councillor") {
        return Asker {
            kind: AskerKind::PanelMember,
            display_name: Some(value),
        };
    }
    warnings.push(ParseWarning::new(
        "asker",
        format!(
            "the document does not say whether '{value}' is on the panel: assumed a \
             member of the public"
        ),
    ));
    Asker {
        kind: AskerKind::MemberOfPublic,
        display_name: Some(value),
    }
}

/// Whether an asker line's value stands for "a member of the public" rather than
/// naming anyone: the fixture's "Panel Member: Public Question" is the classic case.
fn is_public_placeholder(value: &str) -> bool {
    matches!(
        plain_words(value).as_str(),
        "public question"
            | "public questions"
            | "public"
            | "a public question"
            | "member of the public"
            | "a member of the public"
            | "members of the public"
            | "member of public"
            | "public questioner"
            | "anonymous"
            | "name withheld"
            | "withheld"
    )
}

/// The kind of asker a bracketed note names: "(Panel Member)", "(member of the public)".
fn kind_named(note: &str) -> Option<AskerKind> {
    match collapse_whitespace(&note.to_lowercase()).as_str() {
        "panel member" | "co-opted member" | "independent member" | "councillor" => Some(AskerKind::PanelMember),
        "member of the public" | "public" => Some(AskerKind::MemberOfPublic),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_named_panel_member_is_the_asker_and_typographic_labels_are_recognised() {
        let doc = parse(fixture!("named-panel-member.txt"));
        assert_eq!(doc.asker, panel_member("Cllr Priya Shah"));
        assert_eq!(doc.panel_name.as_deref(), Some("Police, Fire & Crime Panel"));
        assert_eq!(doc.asked_on, ymd(2023, 3, 7));
        assert_eq!(doc.responded_on, ymd(2023, 3, 21));
        assert_eq!(doc.questions.len(), 1);
        assert!(doc.questions[0].starts_with("Following the closure of the front counter at Leek"));
        assert!(doc.response_body.starts_with("The front counter at Leek"));
        assert!(doc.response_body.ends_with("newsletter to parish councils."));
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    }

    #[test]
    fn public_question_placeholders_are_not_names() {
        for line in [
            "Panel Member: Public Question",
            "Asked by: Public Question",
            "Asked By: Member of the Public",
            "Panel Member: a member of the public",
            "Question from: Public",
        ] {
            let doc = minimal_with("Panel Member: Public Question", line);
            assert_eq!(doc.asker, public(), "{line}");
            assert!(doc.warnings.is_empty(), "{line}: {:?}", doc.warnings);
        }
    }

    #[test]
    fn panel_members_are_recognised_by_label_title_or_note() {
        for (line, name) in [
            ("Panel Member: Cllr Jane Smith", "Cllr Jane Smith"),
            ("Asked by: Councillor Jane Smith", "Councillor Jane Smith"),
            ("Asked by: Jane Smith (Panel Member)", "Jane Smith"),
        ] {
            let doc = minimal_with("Panel Member: Public Question", line);
            assert_eq!(doc.asker, panel_member(name), "{line}");
            assert!(doc.warnings.is_empty(), "{line}: {:?}", doc.warnings);
        }
    }

    #[test]
    fn a_named_asker_of_unstated_kind_is_assumed_public_with_a_warning() {
        let doc = minimal_with("Panel Member: Public Question", "Asked by: Mr Tom Reid");
        assert_eq!(
            doc.asker,
            Asker {
                kind: AskerKind::MemberOfPublic,
                display_name: Some("Mr Tom Reid".to_string())
            }
        );
        assert!(warning_about(&doc, "asker").contains("'Mr Tom Reid'"));
    }

    #[test]
    fn an_empty_asker_line_is_assumed_public_with_a_warning() {
        let doc = minimal_with("Panel Member: Public Question", "Panel Member:");
        assert_eq!(doc.asker, public());
        assert!(warning_about(&doc, "asker").contains("is empty"));
    }
}
