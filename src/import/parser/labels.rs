//! Recognising labels, which stage one (`lines`) does for the start of every line.
//!
//! The documents have no fixed layout, only a family of labels ("Question(s) Posed:",
//! "Commissioner Response:", "Author:" …), each published in several spellings. This
//! file is the list of those spellings and of what each label stands for, so that a
//! newly seen spelling is a one-line change in one place. Labels are compared on their
//! words alone, so emphasis, typographic apostrophes, "(s)", case and spacing do not
//! matter.

use super::text::collapse_whitespace;

/// The labels the parser recognises. Several published spellings map to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    Questions,
    Response,
    /// "Panel Member:", which names a person or says "Public Question".
    PanelMember,
    /// "Asked by:" and the like, which do not say whether the asker is on the panel.
    AskedBy,
    QuestionDate,
    ResponseDate,
    /// A bare "Date:", whose meaning depends on where it stands.
    Date,
    ContactOfficer,
    Author,
    Position,
}

impl Label {
    /// The label that `text` (the words before a colon) spells, if any.
    pub(super) fn from_text(text: &str) -> Option<Self> {
        let words = normalise_label(text);
        let label = match words.as_str() {
            "questions posed"
            | "question posed"
            | "questions"
            | "question"
            | "questions asked"
            | "question asked"
            | "public questions posed"
            | "public question posed" => Self::Questions,
            "commissioner response"
            | "commissioners response"
            | "commissioner reply"
            | "commissioners reply"
            | "pfcc response"
            | "pcc response"
            | "response"
            | "response from the commissioner" => Self::Response,
            "panel member" => Self::PanelMember,
            "asked by"
            | "question asked by"
            | "question from"
            | "questioner"
            | "submitted by"
            | "question submitted by" => Self::AskedBy,
            "question date"
            | "date of question"
            | "date question received"
            | "date received"
            | "date submitted"
            | "date asked" => Self::QuestionDate,
            "response date" | "date of response" | "date responded" | "date of reply" => Self::ResponseDate,
            "date" => Self::Date,
            "contact officer" => Self::ContactOfficer,
            "author" | "response author" => Self::Author,
            "position" | "job title" | "role" => Self::Position,
            // "Question 1", "Q2": one question of a numbered set.
            other => {
                let number = other
                    .strip_prefix("question")
                    .or_else(|| other.strip_prefix('q'))?
                    .trim();
                if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                Self::Questions
            }
        };
        Some(label)
    }

    /// Whether the label heads paragraphs of text rather than a one-line value.
    pub(super) fn is_block(self) -> bool {
        matches!(self, Self::Questions | Self::Response)
    }

    /// The [`ParsedDocument`] field the label's text goes to, for warnings.
    pub(super) fn field(self) -> &'static str {
        match self {
            Self::Questions => "questions",
            Self::Response => "response_body",
            Self::PanelMember | Self::AskedBy => "asker",
            Self::QuestionDate => "asked_on",
            Self::ResponseDate | Self::Date => "responded_on",
            Self::ContactOfficer | Self::Author => "author_name",
            Self::Position => "author_position",
        }
    }
}

/// Lowercase words with apostrophes and brackets removed: "Commissioner’s Response",
/// "Commissioners Response" and "COMMISSIONER'S  RESPONSE" all become
/// "commissioners response", and "Question(s) Posed" becomes "questions posed".
pub(super) fn normalise_label(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | '`' | '(' | ')'))
        .flat_map(char::to_lowercase)
        .collect();
    collapse_whitespace(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn every_published_spelling_of_each_label_is_recognised() {
        for (text, label) in [
            ("Question(s) Posed", Label::Questions),
            ("Question Posed", Label::Questions),
            ("Questions Posed", Label::Questions),
            ("Questions", Label::Questions),
            ("QUESTION(S)  POSED", Label::Questions),
            ("Q3", Label::Questions),
            ("Commissioner Response", Label::Response),
            ("Commissioner's Response", Label::Response),
            ("Commissioner’s Response", Label::Response),
            ("Commissioners' Response", Label::Response),
            ("Contact Officer", Label::ContactOfficer),
            ("Author", Label::Author),
            ("Position", Label::Position),
            ("Date", Label::Date),
            ("Question Date", Label::QuestionDate),
            ("Date of Question", Label::QuestionDate),
            ("Panel Member", Label::PanelMember),
            ("Asked by", Label::AskedBy),
        ] {
            assert_eq!(Label::from_text(text), Some(label), "{text}");
        }
        for text in ["Public Question", "Particularly concerning is", "Quarterly", "Note"] {
            assert_eq!(Label::from_text(text), None, "{text}");
        }
    }
}
