//! Reading the minutes of a meeting's public questions item, and "Question by / Response
//! by" pages, into questions with their outcomes.
//!
//! How to use it: [`parse_minutes`] takes a document's text and returns the questions it
//! records ([`ParsedMinutes`]), or `None` when the text is neither shape. It is pure, like
//! the rest of the importer; [`prepare_minutes`] turns what was read into the records an
//! import creates for one meeting, and `crate::repo::imports::store_minutes_question`
//! stores each question in a transaction of its own.
//!
//! Minutes have no labels to cut at, so the reader works from cues, sentence by sentence:
//! a sentence that puts a question ("A member of the public asked …", "Mr X asked the
//! Commissioner whether …", "By way of a supplementary question, …", "A question from …
//! was not accepted"), a "Question by X" heading, then the question's words (numbered
//! sub-questions kept with it), then its answer ("The Commissioner replied …", "Response
//! by Y") and what became of it: answered (verbally or in writing, by whom), passed to
//! the force, not accepted, deferred, or a written reply promised (and by when). Every
//! paragraph after the first question is either part of a question, part of an answer,
//! or reported as not read, with its lines and the reason; whatever had to be guessed
//! (an answerer the minutes do not name, an addressee they do not state) carries a
//! warning.

mod cues;
mod prepare;
#[cfg(test)]
mod tests;
mod text;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::organisation::OrganisationKind;
use crate::domain::question::{ReferralCode, RejectionCode, ResponseKind};
use crate::domain::question_rules::Addressee;
use crate::import::AskerKind;
pub use cues::Due;
pub use prepare::{
    check_meeting_date, prepare_minutes, question_key, MeetingContext, Planned, PreparedMinutes, PreparedQuestion,
    Ready,
};

crate::text_enum!(
    /// The shape of a document the importer reads.
    DocumentKind {
        /// One question and its "Commissioner Response", with a contact block.
        QuestionDocument => "question_document",
        /// The minutes of a meeting's public questions item: several questions, their
        /// answers and outcomes in prose.
        Minutes => "minutes",
        /// A page of "Question by X" / "Response by Y" pairs.
        QuestionByResponseBy => "question_by_response_by",
    }
);

/// Source lines of the document, 1-based, first and last inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Lines {
    pub first: usize,
    pub last: usize,
}

/// Something the reader recognised, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Recognised {
    /// What it is: `asker`, `question`, `addressee`, `answer`, `answerer`, `outcome`,
    /// `follow_up`, `supplementary_to`, `meeting_date`, `announced_count`.
    #[schema(example = "asker")]
    pub what: String,
    pub lines: Lines,
    /// The words it was recognised from (cut to 120 characters).
    #[schema(example = "Mr Jon Achterberg")]
    pub text: String,
}

/// A passage the reader could not place, and why; it is not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Unread {
    pub lines: Lines,
    /// The passage's start.
    pub text: String,
    #[schema(example = "a decision of the meeting, not a question or an answer to one: not imported")]
    pub reason: String,
}

/// What became of a question, as the minutes tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered, at the meeting (`verbal`) or in writing, by `answerer`; with the
    /// written follow-up promised, if any (`None` inside when no date was given).
    Answered {
        kind: ResponseKind,
        answerer: Answerer,
        body: String,
        follow_up: Option<Option<Due>>,
    },
    /// Passed to another organisation to answer.
    Referred {
        to: OrganisationKind,
        code: ReferralCode,
        reason: String,
    },
    /// Not accepted, with the ground and the minutes' words.
    NotAccepted { code: RejectionCode, reason: String },
    /// Put off to a later meeting.
    Deferred { reason: String },
    /// Not answered at the meeting; a written reply promised.
    WrittenReplyPromised { due: Option<Due>, text: String },
    /// The minutes record no answer or outcome.
    None,
}

crate::text_enum!(
    /// What became of a question, as the minutes tell it.
    MinutesOutcome {
        /// Answered at the meeting or in writing.
        Answered => "answered",
        /// Passed to another organisation (the force) to answer.
        Referred => "referred",
        /// Not accepted (ruled out), with the ground.
        NotAccepted => "not_accepted",
        /// Put off to a later meeting.
        Deferred => "deferred",
        /// Not answered at the meeting; a written reply was promised.
        WrittenReplyPromised => "written_reply_promised",
        /// The minutes record no answer or outcome.
        NoOutcome => "no_outcome",
    }
);

impl Outcome {
    pub fn label(&self) -> MinutesOutcome {
        match self {
            Outcome::Answered { .. } => MinutesOutcome::Answered,
            Outcome::Referred { .. } => MinutesOutcome::Referred,
            Outcome::NotAccepted { .. } => MinutesOutcome::NotAccepted,
            Outcome::Deferred { .. } => MinutesOutcome::Deferred,
            Outcome::WrittenReplyPromised { .. } => MinutesOutcome::WrittenReplyPromised,
            Outcome::None => MinutesOutcome::NoOutcome,
        }
    }
}

/// Who answered, as the minutes give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answerer {
    pub name: String,
    pub position: String,
}

/// One question as the minutes record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesQuestion {
    /// The minute number it was published under ("9.1"), if any.
    pub number: Option<String>,
    pub lines: Lines,
    pub asker_kind: AskerKind,
    /// The asker's name as the minutes give it; none for an unnamed member of the public.
    pub asker_name: Option<String>,
    /// The question's paragraphs (sub-questions kept together), words as published.
    pub paragraphs: Vec<String>,
    /// The minutes only describe the question ("about a named officer's conduct"): the
    /// paragraph is their description.
    pub described_only: bool,
    pub addressed_to: Addressee,
    /// The original question (its index in [`ParsedMinutes::questions`]) this is a
    /// supplementary to.
    pub supplementary_to: Option<usize>,
    pub outcome: Outcome,
    pub recognised: Vec<Recognised>,
    /// What was guessed, for a person to check.
    pub warnings: Vec<String>,
}

/// A minutes document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMinutes {
    pub kind: DocumentKind,
    /// The meeting's date, where the document gives it, and the line.
    pub meeting_date: Option<(NaiveDate, usize)>,
    pub questions: Vec<MinutesQuestion>,
    pub unread: Vec<Unread>,
    /// What was recognised about the document as a whole (its meeting date, the number
    /// of questions it announces).
    pub recognised: Vec<Recognised>,
    /// Warnings about the document as a whole.
    pub warnings: Vec<String>,
}

fn cut(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX - 1).collect::<String>())
    }
}

fn recognised(what: &str, first: usize, last: usize, text: &str) -> Recognised {
    Recognised {
        what: what.to_string(),
        lines: Lines { first, last },
        text: cut(text),
    }
}

/// A question being read.
struct Draft {
    number: Option<String>,
    first: usize,
    last: usize,
    asker: String,
    asker_lines: (usize, usize),
    supplementary: bool,
    addressed_to: Option<Addressee>,
    /// The question's paragraphs, each with its lines.
    paragraphs: Vec<(String, usize, usize)>,
    described: bool,
    /// Whether the question's words opened with a quotation mark not yet closed.
    open_quote: bool,
    /// The answer heading's answerer ("Response by …"), with its line.
    heading_answerer: Option<(String, usize)>,
    /// The answer's sentences, grouped by paragraph, with their lines.
    answer: Vec<(String, usize, usize)>,
}

impl Draft {
    fn new(asker: String, number: Option<String>, first: usize, last: usize) -> Self {
        Self {
            number,
            first,
            last,
            asker,
            asker_lines: (first, last),
            supplementary: false,
            addressed_to: None,
            paragraphs: Vec::new(),
            described: false,
            open_quote: false,
            heading_answerer: None,
            answer: Vec::new(),
        }
    }

    fn push_question(&mut self, text: &str, first: usize, last: usize) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if self.paragraphs.is_empty() && text.starts_with(['"', '“', '‘', '\'']) {
            self.open_quote = true;
        }
        if self.open_quote && text.trim_end_matches(['.', ' ']).ends_with(['"', '”', '’', '\'']) {
            self.open_quote = false;
        }
        match self.paragraphs.last_mut() {
            Some((para, start, _)) if *start == first => {
                para.push(' ');
                para.push_str(text);
            }
            _ => self.paragraphs.push((text.to_string(), first, last)),
        }
        self.last = self.last.max(last);
    }

    fn push_answer(&mut self, text: &str, first: usize, last: usize) {
        match self.answer.last_mut() {
            Some((para, start, _)) if *start == first => {
                para.push(' ');
                para.push_str(text);
            }
            _ => self.answer.push((text.to_string(), first, last)),
        }
        self.last = self.last.max(last);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first question.
    Preamble,
    /// Reading a question's words.
    Question,
    /// Reading its answer.
    Answer,
    /// After a decision of the meeting: nothing more belongs to the last question.
    Closed,
}

/// Reads `text` as minutes or a "Question by / Response by" page; `None` when it records
/// no question at all (so is neither).
pub fn parse_minutes(text: &str) -> Option<ParsedMinutes> {
    let text = crate::domain::text::nfc(&text.replace("\r\n", "\n").replace('\r', "\n")).into_owned();
    let paras = text::paragraphs(&text, |line| cues::heading(line).is_some());
    let by_headings = paras
        .iter()
        .any(|p| matches!(cues::heading(&p.text), Some(cues::Heading::Question(_))))
        && paras
            .iter()
            .any(|p| matches!(cues::heading(&p.text), Some(cues::Heading::Response(_))));
    let kind = if by_headings {
        DocumentKind::QuestionByResponseBy
    } else {
        DocumentKind::Minutes
    };
    let mut drafts: Vec<Draft> = Vec::new();
    let mut unread: Vec<Unread> = Vec::new();
    let mut doc_recognised: Vec<Recognised> = Vec::new();
    let mut announced: Option<(u32, usize, usize, String)> = None;
    let mut meeting_date: Option<(NaiveDate, usize)> = None;
    let mut state = State::Preamble;

    for para in &paras {
        if meeting_date.is_none() && state == State::Preamble {
            if let Some((date, published)) = cues::meeting_date(&para.text) {
                meeting_date = Some((date, para.first));
                doc_recognised.push(recognised("meeting_date", para.first, para.last, &published));
            }
        }
        if announced.is_none() {
            if let Some(n) = cues::announced_count(&para.text.to_lowercase()) {
                announced = Some((n, para.first, para.last, para.text.clone()));
                doc_recognised.push(recognised("announced_count", para.first, para.last, &para.text));
                if state == State::Preamble {
                    continue;
                }
            }
        }
        match cues::heading(&para.text) {
            Some(cues::Heading::Question(asker)) => {
                let mut draft = Draft::new(asker, para.number.clone(), para.first, para.last);
                draft.supplementary = para.text.to_lowercase().starts_with("supplementary");
                drafts.push(draft);
                state = State::Question;
                continue;
            }
            Some(cues::Heading::Response(answerer)) => {
                match drafts.last_mut() {
                    Some(draft) if state == State::Question || state == State::Answer => {
                        draft.heading_answerer = Some((answerer, para.first));
                        draft.last = para.last;
                        state = State::Answer;
                    }
                    _ => unread.push(Unread {
                        lines: Lines {
                            first: para.first,
                            last: para.last,
                        },
                        text: cut(&para.text),
                        reason: "a response heading with no question before it: not imported".to_string(),
                    }),
                }
                continue;
            }
            None => {}
        }
        if state != State::Preamble && cues::is_decision(&para.text) {
            unread.push(Unread {
                lines: Lines {
                    first: para.first,
                    last: para.last,
                },
                text: cut(&para.text),
                reason: "a decision of the meeting, not a question or an answer to one: not imported".to_string(),
            });
            state = State::Closed;
            continue;
        }
        let mut placed_any = false;
        let mut unplaced: Vec<String> = Vec::new();
        let in_quote = state == State::Question && drafts.last().is_some_and(|d| d.open_quote);
        // In a page of headings, only a supplementary is put in prose; in a quotation,
        // nothing is.
        let prose_intros = !in_quote && (kind == DocumentKind::Minutes || state != State::Question);
        let mut sentence_state = state;
        for sentence in text::sentences(&para.text) {
            let lower = sentence.to_lowercase();
            let intro = if prose_intros {
                cues::intro(&sentence)
                    .filter(|intro| kind == DocumentKind::Minutes || intro.supplementary)
                    .filter(|intro| {
                        // Inside an answer, only a sentence that starts with its asker
                        // puts a new question ("… that the Panel had asked for it" is
                        // the answer's own words).
                        sentence_state != State::Answer
                            || intro.described
                            || intro
                                .asker
                                .starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                    })
            } else {
                None
            };
            if let Some(intro) = intro {
                let mut draft = Draft::new(intro.asker.clone(), para.number.clone(), para.first, para.last);
                draft.supplementary = intro.supplementary;
                draft.addressed_to = intro.addressed_to;
                if intro.described {
                    draft.described = true;
                    draft.push_question(&sentence, para.first, para.last);
                    draft.push_answer(&sentence, para.first, para.last);
                    sentence_state = State::Answer;
                } else if intro.rest.is_empty() {
                    sentence_state = State::Question;
                } else {
                    draft.push_question(&text::capitalise(&intro.rest), para.first, para.last);
                    sentence_state = State::Question;
                    // The words are in this sentence: what follows is the answer, or
                    // more of the question if it is not one.
                    draft.open_quote = false;
                }
                drafts.push(draft);
                placed_any = true;
                continue;
            }
            match (sentence_state, drafts.last_mut()) {
                (State::Question, Some(draft)) => {
                    let quoted = draft.open_quote
                        || (draft.paragraphs.is_empty()
                            && (sentence.starts_with(['"', '“', '‘']) || !cues::answers(&lower)));
                    if kind == DocumentKind::QuestionByResponseBy || quoted || !cues::answers(&lower) {
                        draft.push_question(&sentence, para.first, para.last);
                    } else {
                        draft.push_answer(&sentence, para.first, para.last);
                        sentence_state = State::Answer;
                    }
                    placed_any = true;
                }
                (State::Answer, Some(draft)) => {
                    if kind == DocumentKind::QuestionByResponseBy || placed_any || cues::answers(&lower) {
                        draft.push_answer(&sentence, para.first, para.last);
                        placed_any = true;
                    } else {
                        unplaced.push(sentence);
                    }
                }
                (State::Preamble, _) => {}
                _ => unplaced.push(sentence),
            }
        }
        state = sentence_state;
        if !unplaced.is_empty() {
            unread.push(Unread {
                lines: Lines {
                    first: para.first,
                    last: para.last,
                },
                text: cut(&unplaced.join(" ")),
                reason: "neither a question nor an answer to one (no asker or answer cue): not imported".to_string(),
            });
        }
    }
    if drafts.is_empty() {
        return None;
    }
    let mut warnings = Vec::new();
    let questions = finish(drafts, kind, &mut unread);
    let originals = questions.iter().filter(|q| q.supplementary_to.is_none()).count();
    if let Some((n, _, _, text)) = announced {
        if n as usize != originals {
            warnings.push(format!(
                "the minutes say '{}', but {originals} question{} {} read (not counting supplementaries): check \
                 for a question the reader missed",
                cut(&text),
                if originals == 1 { "" } else { "s" },
                if originals == 1 { "was" } else { "were" },
            ));
        }
    }
    Some(ParsedMinutes {
        kind,
        meeting_date,
        questions,
        unread,
        recognised: doc_recognised,
        warnings,
    })
}

/// Turns the drafts into questions: asker, text, supplementary link, answerer, outcome.
fn finish(drafts: Vec<Draft>, kind: DocumentKind, unread: &mut Vec<Unread>) -> Vec<MinutesQuestion> {
    let mut out: Vec<MinutesQuestion> = Vec::new();
    for draft in drafts {
        let mut warnings = Vec::new();
        let mut seen = Vec::new();
        let (asker_kind, mut asker_name, asker_warning) = cues::asker_from(&draft.asker);
        warnings.extend(asker_warning);
        seen.push(recognised(
            "asker",
            draft.asker_lines.0,
            draft.asker_lines.1,
            &draft.asker,
        ));
        if draft.paragraphs.is_empty() {
            unread.push(Unread {
                lines: Lines {
                    first: draft.first,
                    last: draft.last,
                },
                text: cut(&draft.asker),
                reason: "a question was announced but its words are not there: not imported".to_string(),
            });
            continue;
        }
        let paragraphs: Vec<String> = draft.paragraphs.iter().map(|(p, _, _)| text::unquote(p)).collect();
        let (q_first, q_last) = (
            draft.paragraphs.first().map_or(draft.first, |p| p.1),
            draft.paragraphs.last().map_or(draft.last, |p| p.2),
        );
        seen.push(recognised("question", q_first, q_last, &paragraphs.join(" ")));
        if draft.described {
            warnings.push(
                "the minutes do not give the question's words, only describe it: its text is their description"
                    .to_string(),
            );
        }
        // A supplementary belongs to the latest original by the same asker, or else
        // the latest original.
        let mut supplementary_to = None;
        if draft.supplementary {
            let surname = asker_name.as_deref().map(cues::surname);
            let originals: Vec<usize> = (0..out.len()).filter(|i| out[*i].supplementary_to.is_none()).collect();
            let by_same = originals
                .iter()
                .rev()
                .copied()
                .find(|i| surname.is_some() && out[*i].asker_name.as_deref().map(cues::surname) == surname);
            match by_same.or(originals.last().copied()) {
                Some(original) => {
                    supplementary_to = Some(original);
                    seen.push(recognised(
                        "supplementary_to",
                        draft.first,
                        draft.first,
                        &format!(
                            "supplementary to question {} (lines {}–{})",
                            original + 1,
                            out[original].lines.first,
                            out[original].lines.last
                        ),
                    ));
                    if by_same.is_some() {
                        // "Mr Achterberg" is the original's "Mr Jon Achterberg".
                        asker_name = None;
                    } else if asker_name.is_some() || surname.is_none() {
                        warnings.push(format!(
                            "linked as a supplementary to the question before it (question {}), whose asker \
                             the minutes name differently",
                            original + 1
                        ));
                        if asker_name.is_none() && cues::asker_from(&draft.asker).2.is_some() {
                            warnings.pop();
                        }
                    }
                }
                None => warnings.push(
                    "called a supplementary, but no question comes before it: imported as a question of its own"
                        .to_string(),
                ),
            }
        }
        let answer_text = draft
            .answer
            .iter()
            .map(|(a, _, _)| a.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let answer_lower = answer_text.to_lowercase();
        let (a_first, a_last) = (
            draft
                .answer
                .first()
                .map(|a| a.1)
                .or(draft.heading_answerer.as_ref().map(|h| h.1)),
            draft.answer.last().map(|a| a.2),
        );
        let answer_lines = Lines {
            first: a_first.unwrap_or(draft.last),
            last: a_last.or(a_first).unwrap_or(draft.last),
        };
        let answerer = match &draft.heading_answerer {
            Some((phrase, _)) => cues::answerer_from(phrase),
            None => draft
                .answer
                .iter()
                .flat_map(|(a, _, _)| text::sentences(a))
                .find_map(|s| cues::answerer_in(&s)),
        };
        if let Some(answerer) = &answerer {
            seen.push(recognised(
                "answerer",
                draft.heading_answerer.as_ref().map_or(answer_lines.first, |h| h.1),
                draft.heading_answerer.as_ref().map_or(answer_lines.first, |h| h.1),
                &format!("{} ({})", answerer.name, answerer.position),
            ));
        }
        let read = if draft.heading_answerer.is_some() && !cues::answers(&answer_lower) && !answer_text.is_empty() {
            Some(cues::Read::Answered)
        } else {
            cues::outcome(&answer_lower, answerer.is_some()).or_else(|| {
                (draft.heading_answerer.is_some() && !answer_text.is_empty()).then_some(cues::Read::Answered)
            })
        };
        // Whom it was put to: as the minutes say, else whoever answered for.
        let behalf = cues::on_behalf_of(&answer_lower);
        let addressed_to = match (draft.addressed_to, behalf.or(answerer.as_ref().and_then(|a| a.side))) {
            (Some(said), _) => {
                seen.push(recognised(
                    "addressee",
                    draft.asker_lines.0,
                    draft.asker_lines.1,
                    said.as_str(),
                ));
                said
            }
            (None, Some(side)) => {
                warnings.push(format!(
                    "the minutes do not say whom the question was put to: recorded as put to the {side}, who answered it"
                ));
                side
            }
            (None, None) => {
                warnings.push(
                    "the minutes do not say whom the question was put to: recorded as put to the commissioner"
                        .to_string(),
                );
                Addressee::Commissioner
            }
        };
        let outcome = match read {
            Some(cues::Read::NotAccepted { code, guessed }) => {
                if guessed {
                    warnings.push(
                        "the minutes give no recognised ground for not accepting it: recorded as outside_remit"
                            .to_string(),
                    );
                }
                Outcome::NotAccepted {
                    code,
                    reason: answer_text.clone(),
                }
            }
            Some(cues::Read::Referred { to, code, guessed }) => {
                if guessed {
                    warnings.push(format!(
                        "the minutes give no ground for passing it on: recorded as {code} (it went to the {to})"
                    ));
                }
                Outcome::Referred {
                    to,
                    code,
                    reason: answer_text.clone(),
                }
            }
            Some(cues::Read::Deferred) => Outcome::Deferred {
                reason: answer_text.clone(),
            },
            Some(cues::Read::WrittenReplyPromised) => {
                let due = cues::due_in(&answer_text);
                if let Some((_, phrase)) = &due {
                    seen.push(recognised("follow_up", answer_lines.first, answer_lines.last, phrase));
                }
                Outcome::WrittenReplyPromised {
                    due: due.map(|d| d.0),
                    text: answer_text.clone(),
                }
            }
            Some(cues::Read::Answered) => {
                let answerer = match answerer {
                    Some(answerer) => {
                        warnings.extend(answerer.warning.clone());
                        Answerer {
                            name: answerer.name,
                            position: answerer.position,
                        }
                    }
                    None => {
                        let (name, position) = match addressed_to {
                            Addressee::Commissioner => ("The Commissioner", "Commissioner"),
                            Addressee::Panel => ("The Chair", "Chair of the Panel"),
                        };
                        warnings.push(format!(
                            "the minutes do not say who answered: the response's author is recorded as '{name}', \
                             for the {addressed_to} the question was put to"
                        ));
                        Answerer {
                            name: name.to_string(),
                            position: position.to_string(),
                        }
                    }
                };
                let written = cues::answered_in_writing(&answer_lower);
                let verbal_said = cues::said_verbally(&answer_lower);
                if kind == DocumentKind::QuestionByResponseBy && !written && !verbal_said {
                    warnings.push(
                        "the page does not say whether the response was given at the meeting or in writing: \
                         recorded as given at the meeting (verbal)"
                            .to_string(),
                    );
                }
                let follow_up = text::sentences(&answer_text)
                    .into_iter()
                    .find(|s| cues::promises_writing(&s.to_lowercase()))
                    .filter(|_| !written)
                    .map(|s| {
                        let due = cues::due_in(&s);
                        seen.push(recognised(
                            "follow_up",
                            answer_lines.first,
                            answer_lines.last,
                            due.as_ref().map_or(s.as_str(), |d| d.1.as_str()),
                        ));
                        due.map(|d| d.0)
                    });
                seen.push(recognised(
                    "answer",
                    answer_lines.first,
                    answer_lines.last,
                    &format!(
                        "{}: {}",
                        if written { "in writing" } else { "at the meeting" },
                        answer_text
                    ),
                ));
                Outcome::Answered {
                    kind: if written {
                        ResponseKind::Written
                    } else {
                        ResponseKind::Verbal
                    },
                    answerer,
                    body: answer_text.clone(),
                    follow_up,
                }
            }
            None => {
                if !answer_text.is_empty() {
                    warnings.push(format!(
                        "what follows the question records no answer or outcome the reader knows: '{}'",
                        cut(&answer_text)
                    ));
                } else {
                    warnings.push("the minutes record no answer or outcome for this question".to_string());
                }
                Outcome::None
            }
        };
        if !matches!(outcome, Outcome::Answered { .. } | Outcome::None) {
            let cue = cues::cue_of(&answer_lower).unwrap_or("");
            seen.push(recognised(
                "outcome",
                answer_lines.first,
                answer_lines.last,
                &format!("{} ('{cue}'): {answer_text}", outcome.label()),
            ));
        }
        out.push(MinutesQuestion {
            number: draft.number,
            lines: Lines {
                first: draft.first,
                last: draft.last,
            },
            asker_kind,
            asker_name,
            paragraphs,
            described_only: draft.described,
            addressed_to,
            supplementary_to,
            outcome,
            recognised: seen,
            warnings,
        });
    }
    out
}
