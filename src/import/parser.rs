//! Reading one document: lines, then labelled sections, then a [`ParsedDocument`].
//!
//! The documents have no fixed layout, only a family of labels ("Question(s) Posed:",
//! "Commissioner Response:", "Author:" …) in roughly the same order. So the text is cut
//! into sections at every label it recognises, in whatever order they come, and each
//! field is then taken from its section. Labels are compared on their words alone, so
//! emphasis, typographic apostrophes, "(s)", case and spacing do not matter.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::date::read_date;
use super::{Asker, AskerKind, ParseError, ParseWarning, ParsedDocument};

/// The usual headings, as named in errors.
const QUESTIONS_HEADING: &str = "Question(s) Posed";
const RESPONSE_HEADING: &str = "Commissioner Response";

/// Parses the text of one published question-and-response document.
///
/// Fails, with the reason, on anything that is not such a document or lacks a value the
/// record cannot do without; never returns a half-filled record. Everything it had to
/// guess or clean up to succeed is listed in [`ParsedDocument::warnings`].
pub fn parse_document(text: &str) -> Result<ParsedDocument, ParseError> {
    // The hash is taken after this, so one document saved with Windows or Unix line
    // endings is recognised as the same document.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let content_hash = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(ParseError::Empty);
    }

    let layout = Layout::read(&text);
    let mut warnings = Vec::new();
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
    layout.warn_about_repeats(&mut warnings);

    // Numbered documents give each question its own label ("Question 1:"), so every
    // questions section contributes, in order.
    let questions: Vec<String> = layout.all(Label::Questions).flat_map(Section::paragraphs).collect();
    if questions.is_empty() {
        return Err(ParseError::EmptySection {
            section: QUESTIONS_HEADING,
            field: "questions",
        });
    }
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

    let asked_on = read_asked_on(&layout, response_at, &mut warnings)?;
    let asker = read_asker(&layout, &mut warnings);
    let footer = read_footer(&layout, response_at, &mut warnings)?;
    let panel_name = read_panel_name(&layout.preamble, &mut warnings);

    if footer.responded_on < asked_on {
        warnings.push(ParseWarning::new(
            "responded_on",
            format!(
                "the response is dated {}, before the question was asked ({asked_on}); \
                 one of the dates may be mistyped",
                footer.responded_on
            ),
        ));
    } else if (footer.responded_on - asked_on).num_days() > 365 {
        warnings.push(ParseWarning::new(
            "responded_on",
            format!(
                "the response is dated {}, more than a year after the question \
                 ({asked_on}); the year may be mistyped",
                footer.responded_on
            ),
        ));
    }
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

/// The labels the parser recognises. Several published spellings map to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
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
    fn from_text(text: &str) -> Option<Self> {
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
    fn is_block(self) -> bool {
        matches!(self, Self::Questions | Self::Response)
    }

    /// The [`ParsedDocument`] field the label's text goes to, for warnings.
    fn field(self) -> &'static str {
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
fn normalise_label(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | '`' | '(' | ')'))
        .flat_map(char::to_lowercase)
        .collect();
    collapse_whitespace(&kept)
}

/// The text after one label, up to the next label.
#[derive(Debug)]
struct Section {
    label: Label,
    /// The label as published (emphasis removed), to quote in messages.
    heading: String,
    /// The rest of the label's own line, then each following line; `None` is a blank
    /// line, kept because it separates paragraphs.
    lines: Vec<Option<String>>,
    /// Whether emphasis markers were removed from any of these lines.
    had_emphasis: bool,
}

impl Section {
    /// The non-blank lines, whitespace collapsed.
    fn values(&self) -> impl Iterator<Item = String> + '_ {
        self.lines.iter().flatten().map(|line| collapse_whitespace(line))
    }

    /// A one-line label's value: on the label's line, or else on the next non-blank one
    /// ("Question Date:" above "31/05/2022").
    fn value(&self) -> Option<String> {
        self.values().next()
    }

    /// The text as paragraphs: a blank line or the start of a list item ends one, and
    /// the lines within one are joined with single spaces.
    fn paragraphs(&self) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in &self.lines {
            let ends_paragraph = match line {
                None => true,
                Some(text) => starts_list_item(text),
            };
            if ends_paragraph && !current.is_empty() {
                paragraphs.push(collapse_whitespace(&current.join(" ")));
                current.clear();
            }
            current.extend(line.as_deref());
        }
        if !current.is_empty() {
            paragraphs.push(collapse_whitespace(&current.join(" ")));
        }
        paragraphs
    }
}

/// A document cut at its labels.
#[derive(Debug)]
struct Layout {
    /// Non-blank lines before the first label: the heading.
    preamble: Vec<String>,
    preamble_had_emphasis: bool,
    sections: Vec<Section>,
}

impl Layout {
    fn read(text: &str) -> Self {
        let mut layout = Self {
            preamble: Vec::new(),
            preamble_had_emphasis: false,
            sections: Vec::new(),
        };
        for raw in text.lines() {
            let (line, had_emphasis) = read_line(raw);
            match (line, layout.sections.last_mut()) {
                (Line::Labelled(label, heading, rest), _) => {
                    let rest = (!rest.is_empty()).then_some(rest);
                    layout.sections.push(Section {
                        label,
                        heading,
                        lines: rest.into_iter().map(Some).collect(),
                        had_emphasis,
                    });
                }
                (line, Some(section)) => {
                    section.had_emphasis |= had_emphasis;
                    section.lines.push(match line {
                        Line::Text(text) => Some(text),
                        _ => None,
                    });
                }
                (Line::Text(text), None) => {
                    layout.preamble_had_emphasis |= had_emphasis;
                    layout.preamble.push(text);
                }
                (Line::Blank, None) => {}
            }
        }
        layout
    }

    fn position(&self, label: Label) -> Option<usize> {
        self.sections.iter().position(|s| s.label == label)
    }

    fn all(&self, label: Label) -> impl Iterator<Item = &Section> + '_ {
        self.sections.iter().filter(move |s| s.label == label)
    }

    fn first(&self, label: Label) -> Option<&Section> {
        self.all(label).next()
    }

    /// A second "Commissioner Response:" or "Author:" is ignored; say so, because it
    /// may be the one that was meant.
    fn warn_about_repeats(&self, warnings: &mut Vec<ParseWarning>) {
        for label in [
            Label::Response,
            Label::QuestionDate,
            Label::ResponseDate,
            Label::ContactOfficer,
            Label::Author,
            Label::Position,
        ] {
            for repeat in self.all(label).skip(1) {
                warnings.push(ParseWarning::new(
                    label.field(),
                    format!(
                        "ignored a second '{}' section ('{}'); the first one was used",
                        repeat.heading,
                        excerpt(&repeat.values().collect::<Vec<_>>().join(" "))
                    ),
                ));
            }
        }
        let mut askers = self
            .sections
            .iter()
            .filter(|s| matches!(s.label, Label::PanelMember | Label::AskedBy));
        askers.next();
        for repeat in askers {
            warnings.push(ParseWarning::new(
                "asker",
                format!(
                    "ignored a second asker line ('{}: {}'); the first one was used",
                    repeat.heading,
                    repeat.value().unwrap_or_default()
                ),
            ));
        }
    }

    /// One-line labels followed by more text: the extra text belongs to no field (often
    /// a page footer), so it is dropped, and said to be.
    fn warn_about_stray_text(&self, warnings: &mut Vec<ParseWarning>) {
        let one_line = self
            .sections
            .iter()
            .filter(|s| !s.label.is_block() && s.label != Label::ContactOfficer);
        for section in one_line {
            for stray in section.values().skip(1) {
                warnings.push(ParseWarning::new(
                    "document",
                    format!(
                        "ignored '{}' after the '{}' line: it belongs to no field",
                        excerpt(&stray),
                        section.heading
                    ),
                ));
            }
        }
    }

    /// One warning per field that had emphasis removed, rather than one per marker.
    fn warn_about_emphasis(&self, warnings: &mut Vec<ParseWarning>) {
        let mut fields: Vec<&str> = Vec::new();
        if self.preamble_had_emphasis {
            fields.push("panel_name");
        }
        for section in self.sections.iter().filter(|s| s.had_emphasis) {
            if !fields.contains(&section.label.field()) {
                fields.push(section.label.field());
            }
        }
        for field in fields {
            warnings.push(ParseWarning::new(
                field,
                "removed markdown emphasis or heading markers (*, **, _, #) from the published text; \
                 the words are kept",
            ));
        }
    }
}

/// One line of the document, read.
enum Line {
    Blank,
    Text(String),
    /// A recognised label, its text as published, and the rest of its line.
    Labelled(Label, String, String),
}

/// Reads one line: emphasis removed, then a label recognised if it starts with one.
/// Also returns whether emphasis was removed.
fn read_line(raw: &str) -> (Line, bool) {
    let raw = raw.trim_start_matches('\u{feff}').trim();
    // A markdown heading marker ("# Police, Fire & Crime Panel") is formatting too.
    let unheaded = raw.trim_start_matches('#');
    let had_heading = unheaded.len() != raw.len() && unheaded.starts_with(char::is_whitespace);
    let raw = if had_heading { unheaded.trim_start() } else { raw };
    let (text, had_emphasis) = strip_emphasis(raw);
    let text = text.trim();
    // A line of nothing but rule characters ("***", "-----") is a separator.
    if text
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '*' | '_' | '-' | '=' | '~' | '–' | '—'))
    {
        return (Line::Blank, false);
    }
    match split_label(text) {
        Some((label, heading, rest)) => {
            // "**Author:** Ralph Butler" had emphasis on its label only, which is not
            // worth reporting: only markers in the value itself are.
            let raw_value = raw.split_once(':').map_or("", |(_, value)| value);
            let value_had_emphasis =
                strip_emphasis(raw_value.trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '_')).1;
            (
                Line::Labelled(label, heading.to_string(), rest.to_string()),
                value_had_emphasis,
            )
        }
        None => (Line::Text(text.to_string()), had_emphasis || had_heading),
    }
}

/// Splits "Label: value" into its label, the label as published, and the value.
fn split_label(text: &str) -> Option<(Label, &str, &str)> {
    if let Some((head, rest)) = text.split_once(':') {
        if let Some(label) = Label::from_text(head) {
            return Some((label, head.trim(), rest.trim()));
        }
    }
    // A section heading alone on its line without a colon ("Commissioner's Response").
    if let Some(label) = Label::from_text(text).filter(|l| l.is_block()) {
        return Some((label, text, ""));
    }
    // "Author<TAB>Ralph Butler": a table whose colon was lost in conversion. Only for
    // one-line labels: a paragraph starting "Questions  about…" is not a heading.
    let gap = text.find('\t').or_else(|| text.find("  "))?;
    let (head, rest) = text.split_at(gap);
    Label::from_text(head)
        .filter(|l| !l.is_block())
        .map(|label| (label, head.trim(), rest.trim()))
}

/// Removes markdown-style emphasis (`*`, `**`, `***`, `_`, `__`) and keeps the words.
/// A marker counts as emphasis only where it touches a word: a lone `*` between spaces
/// (a bullet, a multiplication) and an underscore inside a word (`snake_case`, a URL)
/// are text, and so are longer runs (`______`, a line to write on).
fn strip_emphasis(line: &str) -> (String, bool) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut removed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '*' && c != '_' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i] == c {
            i += 1;
        }
        let before = start.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i).copied();
        let spaced = |ch: Option<char>| ch.is_none_or(char::is_whitespace);
        let wordy = |ch: Option<char>| ch.is_some_and(char::is_alphanumeric);
        let is_marker =
            i - start <= 3 && !(spaced(before) && spaced(after)) && !(c == '_' && wordy(before) && wordy(after));
        if is_marker {
            removed = true;
        } else {
            out.extend(std::iter::repeat_n(c, i - start));
        }
    }
    (out, removed)
}

/// Whether a line starts a list item ("1.", "2)", "(a)", "•", "-"), which starts a new
/// paragraph even without a blank line before it.
fn starts_list_item(text: &str) -> bool {
    let Some((marker, _)) = text.split_once(char::is_whitespace) else {
        return false;
    };
    if matches!(marker, "•" | "-" | "–" | "*" | "·") {
        return true;
    }
    let inner = marker.strip_prefix('(').unwrap_or(marker).strip_suffix(['.', ')']);
    match inner {
        Some(n) if !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()) => true,
        Some(letter) => marker.ends_with(')') && letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase()),
        None => false,
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of a long text, to quote in a message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// Reads a date section into `field`, passing on what the date reader had to guess.
fn read_date_section(
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
    warnings.extend(read.notes.into_iter().map(|note| ParseWarning::new(field, note)));
    Ok(read.date)
}

/// The question's date: its own label, or else a bare "Date:" standing before the
/// response (a guess, so it is reported).
fn read_asked_on(
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

/// Who asked. "Public Question" and its variants are placeholders, not names.
fn read_asker(layout: &Layout, warnings: &mut Vec<ParseWarning>) -> Asker {
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
    let words: String = value
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        collapse_whitespace(&words).as_str(),
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

/// Whether a response's whole text only says that the response is still to come.
fn is_response_placeholder(body: &str) -> bool {
    let words: String = body
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        collapse_whitespace(&words).as_str(),
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

/// The kind of asker a bracketed note names: "(Panel Member)", "(member of the public)".
fn kind_named(note: &str) -> Option<AskerKind> {
    match collapse_whitespace(&note.to_lowercase()).as_str() {
        "panel member" | "co-opted member" | "independent member" | "councillor" => Some(AskerKind::PanelMember),
        "member of the public" | "public" => Some(AskerKind::MemberOfPublic),
        _ => None,
    }
}

/// The response's author, position and date.
struct Footer {
    author_name: String,
    author_position: String,
    responded_on: NaiveDate,
}

/// Reads the author, position and date of the response from their labels, falling
/// back (with a warning) on an unlabelled "Contact Officer:" block of name, post and
/// date, and on "Name, Position" written on the author line.
fn read_footer(layout: &Layout, response_at: usize, warnings: &mut Vec<ParseWarning>) -> Result<Footer, ParseError> {
    let contact: Vec<String> = layout
        .first(Label::ContactOfficer)
        .map(|s| s.values().collect())
        .unwrap_or_default();
    let contact_dates: Vec<&String> = contact.iter().filter(|v| read_date(v).is_ok()).collect();
    let contact_text: Vec<&String> = contact.iter().filter(|v| read_date(v).is_err()).collect();
    // Whether the author, and so possibly the position, came from the contact block.
    let mut contact_used = false;
    let mut author_from_contact = false;

    let responded_on = {
        let bare_dates_after_response = layout.sections[response_at..].iter().filter(|s| s.label == Label::Date);
        let dated = layout
            .first(Label::ResponseDate)
            .into_iter()
            .chain(bare_dates_after_response)
            .collect::<Vec<_>>();
        for ignored in dated.iter().skip(1) {
            warnings.push(ParseWarning::new(
                "responded_on",
                format!(
                    "ignored the later '{}: {}' line; the response's date is taken from \
                     the first",
                    ignored.heading,
                    ignored.value().unwrap_or_default()
                ),
            ));
        }
        if let Some(section) = dated.first() {
            read_date_section(section, "responded_on", warnings)?
        } else if let Some(text) = contact_dates.first() {
            contact_used = true;
            let read = read_date(text).expect("filtered to dates above");
            warnings.push(ParseWarning::new(
                "responded_on",
                format!("no 'Date' line: took '{text}' under 'Contact Officer' as the response's date"),
            ));
            warnings.extend(read.notes.into_iter().map(|n| ParseWarning::new("responded_on", n)));
            read.date
        } else {
            return Err(ParseError::MissingField {
                field: "responded_on",
                reason: "no 'Date' line found for the response".to_string(),
            });
        }
    };

    let mut author_name = match layout.first(Label::Author).and_then(Section::value) {
        Some(name) => name,
        None => {
            let name = contact_text.first().ok_or_else(|| ParseError::MissingField {
                field: "author_name",
                reason: "no 'Author' line found for the response".to_string(),
            })?;
            contact_used = true;
            author_from_contact = true;
            warnings.push(ParseWarning::new(
                "author_name",
                format!("no 'Author' line: took the contact officer '{name}' as the author"),
            ));
            name.to_string()
        }
    };

    let author_position = match layout.first(Label::Position).and_then(Section::value) {
        Some(position) => position,
        None => {
            if let Some(position) = contact_text.get(1).filter(|_| author_from_contact) {
                warnings.push(ParseWarning::new(
                    "author_position",
                    format!("no 'Position' line: took '{position}' under 'Contact Officer' as the author's position"),
                ));
                position.to_string()
            } else if let Some((name, position)) = author_name
                .split_once(',')
                .map(|(n, p)| (n.trim().to_string(), p.trim().to_string()))
                .filter(|(n, p)| !n.is_empty() && !p.is_empty())
            {
                warnings.push(ParseWarning::new(
                    "author_position",
                    format!(
                        "no 'Position' line: read '{author_name}' as the name '{name}' and \
                         the position '{position}'"
                    ),
                ));
                author_name = name;
                position
            } else {
                return Err(ParseError::MissingField {
                    field: "author_position",
                    reason: "no 'Position' line found for the response's author".to_string(),
                });
            }
        }
    };

    if !contact_used && !contact.is_empty() {
        warnings.push(ParseWarning::new(
            "document",
            format!(
                "did not import the 'Contact Officer' details ('{}'): the author is taken \
                 from the 'Author' line",
                excerpt(&contact.join(", "))
            ),
        ));
    }
    Ok(Footer {
        author_name,
        author_position,
        responded_on,
    })
}

/// The panel's name from the heading: the part of a heading line that names a panel
/// ("Police, Fire & Crime Panel – Public Question"). Other heading text is reported,
/// except the document's title itself.
fn read_panel_name(preamble: &[String], warnings: &mut Vec<ParseWarning>) -> Option<String> {
    let mut panel_name = None;
    for line in preamble {
        let line = line.replace(" — ", " – ").replace(" - ", " – ").replace(" | ", " – ");
        for part in line.split(" – ").map(str::trim).filter(|p| !p.is_empty()) {
            // The document's own title ("Public Question") is expected, not ignored.
            let is_title = matches!(
                normalise_label(part).trim_end_matches(':'),
                "public question"
                    | "public questions"
                    | "panel question"
                    | "panel questions"
                    | "question and response"
                    | "public question and response"
            );
            let names_a_panel = part
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.eq_ignore_ascii_case("panel"));
            if is_title {
                continue;
            }
            if names_a_panel && panel_name.is_none() {
                panel_name = Some(part.trim_end_matches([':', ',', '.']).to_string());
            } else {
                warnings.push(ParseWarning::new(
                    "document",
                    format!("ignored '{}' in the heading", excerpt(part)),
                ));
            }
        }
    }
    panel_name
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The real published document the parser was written for.
    const PUBLISHED: &str = include_str!("../../tests/fixtures/import/public-question-2022-05-31.txt");

    /// A document of our own making, from `tests/fixtures/import/`.
    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/import/", $name))
        };
    }

    /// The smallest valid document, for tests that vary one line of it.
    const MINIMAL: &str = "Question(s) Posed:\n\nIs it safe?\n\n\
        Panel Member: Public Question\n\nQuestion Date: 31/05/2022\n\n\
        Commissioner Response:\n\nYes.\n\nContact Officer:\n\n\
        Author: Ralph Butler\nPosition: Interim Joint Chief Executive\nDate: 9 June 2022\n";

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn parse(text: &str) -> ParsedDocument {
        parse_document(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn minimal_with(line: &str, replacement: &str) -> ParsedDocument {
        assert!(MINIMAL.contains(line), "{line:?} is not in MINIMAL");
        parse(&MINIMAL.replace(line, replacement))
    }

    fn public() -> Asker {
        Asker {
            kind: AskerKind::MemberOfPublic,
            display_name: None,
        }
    }

    fn panel_member(name: &str) -> Asker {
        Asker {
            kind: AskerKind::PanelMember,
            display_name: Some(name.to_string()),
        }
    }

    /// The fields warned about, in order.
    fn warned_fields(doc: &ParsedDocument) -> Vec<&str> {
        doc.warnings.iter().map(|w| w.field.as_str()).collect()
    }

    /// The one warning about `field`, asserting there is exactly one.
    fn warning_about<'a>(doc: &'a ParsedDocument, field: &str) -> &'a str {
        let found: Vec<&ParseWarning> = doc.warnings.iter().filter(|w| w.field == field).collect();
        assert_eq!(found.len(), 1, "warnings about {field}: {:?}", doc.warnings);
        &found[0].message
    }

    fn sha256_hex(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
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
    fn an_empty_file_is_refused_as_empty() {
        let empty = fixture!("not-a-document-empty.txt");
        assert_eq!(parse_document(empty).unwrap_err(), ParseError::Empty);
        assert_eq!(parse_document(" \r\n\t\n\u{feff}").unwrap_err(), ParseError::Empty);
        assert_eq!(ParseError::Empty.to_string(), "the document is empty");
    }

    #[test]
    fn a_response_without_a_question_date_is_refused() {
        let error = parse_document(fixture!("not-a-document-no-question-date.txt")).unwrap_err();
        assert_eq!(error.to_string(), "no 'Question Date' line found");
        assert_eq!(error.field(), "asked_on");
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

    #[test]
    fn a_missing_author_position_or_response_date_is_refused_with_its_field() {
        for (line, field, reason) in [
            (
                "Author: Ralph Butler\n",
                "author_name",
                "no 'Author' line found for the response",
            ),
            (
                "Position: Interim Joint Chief Executive\n",
                "author_position",
                "no 'Position' line found for the response's author",
            ),
            (
                "Date: 9 June 2022\n",
                "responded_on",
                "no 'Date' line found for the response",
            ),
        ] {
            let error = parse_document(&MINIMAL.replace(line, "")).unwrap_err();
            assert_eq!(error.field(), field);
            assert_eq!(error.to_string(), reason);
        }
    }

    #[test]
    fn an_unreadable_date_is_refused_quoting_what_was_published() {
        let error = parse_document(&MINIMAL.replace("31/05/2022", "the end of May")).unwrap_err();
        assert_eq!(error.field(), "asked_on");
        let message = error.to_string();
        assert!(message.starts_with("cannot read the Question Date 'the end of May' as a date"));
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

    #[test]
    fn labels_are_found_with_colons_tabs_emphasis_or_alone_on_their_line() {
        let doc = parse(
            "**Question Posed:**\n*Is it safe?*\n\nPanel Member:\tPublic Question\n\
             _Date of Question:_   31.05.2022\n\nCommissioner's Response\nYes.\n\n\
             Author\tRalph Butler\nPosition:\t\tInterim Joint Chief Executive\nDate:\n9 Jun 2022",
        );
        assert_eq!(doc.questions, ["Is it safe?"]);
        assert_eq!(doc.asked_on, ymd(2022, 5, 31));
        assert_eq!(doc.response_body, "Yes.");
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert_eq!(warned_fields(&doc), ["questions"]);
    }

    #[test]
    fn a_bare_date_before_the_response_stands_in_for_the_question_date_with_a_warning() {
        let doc = minimal_with("Question Date: 31/05/2022", "Date: 31/05/2022");
        assert_eq!(doc.asked_on, ymd(2022, 5, 31));
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert!(warning_about(&doc, "asked_on").contains("took the 'Date' line"));
    }

    #[test]
    fn the_position_is_split_from_the_author_line_when_it_has_none_of_its_own() {
        let doc = parse(&MINIMAL.replace(
            "Author: Ralph Butler\nPosition: Interim Joint Chief Executive\n",
            "Author: Ralph Butler, Interim Joint Chief Executive\n",
        ));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.author_position, "Interim Joint Chief Executive");
        assert!(warning_about(&doc, "author_position").contains("no 'Position' line"));
    }

    #[test]
    fn an_unlabelled_contact_officer_block_supplies_author_position_and_date() {
        let doc = parse(&MINIMAL.replace(
            "Contact Officer:\n\nAuthor: Ralph Butler\nPosition: Interim Joint Chief Executive\n\
             Date: 9 June 2022\n",
            "Contact Officer:\n\nRalph Butler\nInterim Joint Chief Executive\n9 June 2022\n",
        ));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.author_position, "Interim Joint Chief Executive");
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert_eq!(warned_fields(&doc), ["responded_on", "author_name", "author_position"]);
    }

    #[test]
    fn text_after_the_last_value_is_dropped_with_a_warning() {
        let doc = parse(&format!("{MINIMAL}\nPage 2 of 2\n"));
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert!(warning_about(&doc, "document").contains("'Page 2 of 2'"));
    }

    #[test]
    fn a_second_author_line_is_ignored_with_a_warning() {
        let doc = parse(&format!("{MINIMAL}Author: Someone Else\n"));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert!(warning_about(&doc, "author_name").contains("Someone Else"));
    }

    #[test]
    fn the_content_hash_is_of_the_text_with_unix_line_endings() {
        let doc = parse(MINIMAL);
        assert_eq!(doc.content_hash, sha256_hex(MINIMAL));
        assert_eq!(doc.content_hash.len(), 64);
        assert_eq!(parse(&MINIMAL.replace('\n', "\r\n")).content_hash, doc.content_hash);
        assert_eq!(parse(&MINIMAL.replace('\n', "\r")).content_hash, doc.content_hash);
    }

    #[test]
    fn emphasis_markers_go_but_bullets_and_words_with_underscores_stay() {
        for (published, read) in [
            ("**bold** and *italic* and ***both***", "bold and italic and both"),
            ("_italic_ and __bold__", "italic and bold"),
            ("*‘quoted’*", "‘quoted’"),
            ("* a bullet", "* a bullet"),
            ("2 * 3", "2 * 3"),
            (
                "see snake_case and https://example.org/a_b",
                "see snake_case and https://example.org/a_b",
            ),
            ("Signed: ________", "Signed: ________"),
        ] {
            assert_eq!(strip_emphasis(published).0, read, "{published}");
        }
        assert!(!strip_emphasis("plain text").1);
    }

    #[test]
    fn list_items_start_new_paragraphs_but_ordinary_lines_do_not() {
        for line in ["1. First", "12) Twelfth", "(a) first", "b) second", "• dot", "- dash"] {
            assert!(starts_list_item(line), "{line}");
        }
        for line in ["2022. The year", "In 2022", "a", "-dash", "Mr. Smith"] {
            assert!(!starts_list_item(line), "{line}");
        }
    }
}
