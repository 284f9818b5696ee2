//! The cues minutes are read by: who asked, whom, who answered, and what became of the
//! question. Each reader takes one sentence or block of text and says what it found;
//! none of them invents a name or a date, and each says when it had to guess.

use chrono::{Datelike, NaiveDate};

use super::text::{any, capitalise, collapse, find_word, has, is_list_marker, number_word, which};
use crate::domain::organisation::OrganisationKind;
use crate::domain::question::{ReferralCode, RejectionCode};
use crate::domain::question_rules::Addressee;
use crate::import::AskerKind;

/// A "Question by …" or "Response by …" heading line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Heading {
    /// The asker as the heading gives them ("Ms Dana Okafor").
    Question(String),
    /// The answerer as the heading gives them ("Councillor Lewis Marsh (Chair)").
    Response(String),
}

/// Reads `line` as a "Question by / from X" or "Response / Reply / Answer by / from Y"
/// heading ("Question 2 from Mr Smith", "Response from the Commissioner:"). Headings are
/// short and ask nothing: a line with a question mark or more than 16 words is prose.
pub(super) fn heading(line: &str) -> Option<Heading> {
    let line = line.trim().trim_end_matches([':', '-', '–']).trim();
    if line.contains('?') || line.split_whitespace().count() > 16 {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = words.first()?.to_lowercase();
    let mut i = 1;
    // "Question 2 from", "Question (a) by", "Supplementary question by".
    let (is_question, first) = match first.as_str() {
        "supplementary" if words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("question")) => {
            i = 2;
            (true, "question".to_string())
        }
        _ => (first == "question", first),
    };
    let is_response = matches!(first.as_str(), "response" | "reply" | "answer");
    if !is_question && !is_response {
        return None;
    }
    if words
        .get(i)
        .is_some_and(|w| w.trim_matches(['(', ')', '.', ':']).chars().all(|c| c.is_ascii_digit()))
    {
        i += 1;
    }
    let by = words.get(i)?.to_lowercase();
    if !matches!(by.as_str(), "by" | "from") {
        return None;
    }
    let rest = words[i + 1..].join(" ");
    let rest = rest.trim().trim_end_matches([':', '-', '–']).trim().to_string();
    if rest.is_empty() {
        return None;
    }
    Some(if is_question {
        Heading::Question(rest)
    } else {
        Heading::Response(rest)
    })
}

/// A sentence that puts a question: who asked, whether it is a supplementary, to whom,
/// and what follows the cue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Intro {
    /// The asker as the sentence gives them ("A member of the public", "Mr Achterberg").
    pub asker: String,
    pub supplementary: bool,
    /// Whom it was put to, where the sentence says.
    pub addressed_to: Option<Addressee>,
    /// The question's words in the sentence, if it gives them ("whether victims were
    /// told …"); empty when they follow ("asked the following question:-").
    pub rest: String,
    /// The sentence describes the question rather than quoting it ("A question from a
    /// member of the public about a named officer's conduct was not accepted").
    pub described: bool,
}

/// The verbs that put a question, as they follow the asker.
const ASKING: [&str; 10] = [
    "asked",
    "put the following",
    "submitted the following",
    "raised the following",
    "posed the following",
    "put a question",
    "raised a question",
    "put a supplementary",
    "wished to ask",
    "enquired",
];

/// Who answers rather than asks: a sentence with one of these as its subject is an
/// answer or a discussion, not a question put.
const ANSWERERS: [&str; 9] = [
    "commissioner",
    "pcc",
    "pfcc",
    "chief constable",
    "chief fire officer",
    "the chair",
    "the chairman",
    "the vice-chair",
    "officer",
];

/// Reads `sentence` as the start of a question, if it is one.
pub(super) fn intro(sentence: &str) -> Option<Intro> {
    let sentence = strip_list_marker(sentence);
    let lower = sentence.to_lowercase();
    let supplementary = has(&lower, "supplementary");
    // "A question from a member of the public about …", "The following question was
    // received from Mrs P Jones:-".
    let from = [
        "question from",
        "question was received from",
        "question had been received from",
    ]
    .iter()
    .find_map(|cue| find_word(&lower, cue).map(|at| (at, cue.len())));
    if let Some((at, len)) = from {
        let before = lower[..at].trim();
        let leads = [
            "",
            "a",
            "one",
            "the",
            "a further",
            "the following",
            "a supplementary",
            "another",
        ];
        if leads.contains(&before) || before.ends_with(',') {
            let after = &sentence[at + len..];
            let end = [
                " about ",
                " regarding ",
                " concerning ",
                " on ",
                " was ",
                " had ",
                ":",
                ",",
                " asking ",
            ]
            .iter()
            .filter_map(|stop| after.find(stop))
            .min()
            .unwrap_or(after.len());
            let asker = after[..end].trim().to_string();
            let rest = after[end..].trim();
            let described = !rest.is_empty() && !rest.starts_with(':') && !rest.starts_with(" asking");
            return Some(Intro {
                asker,
                supplementary,
                addressed_to: addressee_in(&lower),
                rest: if described { String::new() } else { unquote_rest(rest) },
                described,
            });
        }
    }
    // "The Chairman ruled a fourth question out of order …": a question the minutes
    // only mention, with what became of it, and no asker.
    let ruled = any(&lower, &NOT_ACCEPTED) || any(&lower, &REFERRED) || any(&lower, &DEFERRED);
    let mentioned = [
        "a",
        "one",
        "another",
        "a further",
        "a second",
        "a third",
        "a fourth",
        "a fifth",
        "a sixth",
    ]
    .iter()
    .any(|lead| has(&lower, &format!("{lead} question")) || has(&lower, &format!("{lead} public question")));
    if ruled && mentioned && find_word(&lower, "asked").is_none() {
        return Some(Intro {
            asker: String::new(),
            supplementary,
            addressed_to: addressee_in(&lower),
            rest: String::new(),
            described: true,
        });
    }
    let (at, verb) = ASKING
        .iter()
        .filter_map(|verb| find_word(&lower, verb).map(|at| (at, *verb)))
        .min_by_key(|(at, _)| *at)?;
    let mut subject = sentence[..at].trim();
    // "By way of a supplementary question, Mr Achterberg asked …": the asker follows the
    // last comma of a lead-in.
    if let Some(comma) = subject.rfind(',') {
        let lead = subject[..comma].to_lowercase();
        if any(
            &lead,
            &[
                "supplementary",
                "in addition",
                "further",
                "following",
                "response",
                "reply",
            ],
        ) {
            subject = subject[comma + 1..].trim();
        }
    }
    let subject_lower = subject.to_lowercase();
    let subject_words = subject.split_whitespace().count();
    if subject.is_empty()
        || subject_words > 10
        || any(&subject_lower, &ANSWERERS) && !any(&subject_lower, &["member of the public", "councillor", "cllr"])
        || matches!(
            subject_lower.as_str(),
            "he" | "she" | "they" | "it" | "this" | "that" | "panel members" | "members"
        )
        || subject_lower.starts_with("he ")
        || subject_lower.starts_with("she ")
    {
        return None;
    }
    let mut rest = sentence[at + verb.len()..].trim().to_string();
    let mut addressed_to = None;
    // What the verb phrase still holds before the question's words.
    loop {
        let lower_rest = rest.to_lowercase();
        let trimmed = rest.trim_start_matches([':', '-', '–', ',', ' ']);
        if trimmed.len() != rest.len() {
            rest = trimmed.to_string();
            continue;
        }
        let mut stripped = false;
        for (phrase, addressee) in ADDRESSEES {
            if lower_rest.starts_with(phrase) && !lower_rest[phrase.len()..].starts_with(|c: char| c.is_alphanumeric())
            {
                rest = rest[phrase.len()..].to_string();
                if addressee.is_some() {
                    addressed_to = addressee;
                }
                stripped = true;
                break;
            }
        }
        if !stripped {
            for filler in FILLERS {
                if lower_rest.starts_with(filler)
                    && !lower_rest[filler.len()..].starts_with(|c: char| c.is_alphanumeric())
                {
                    rest = rest[filler.len()..].to_string();
                    stripped = true;
                    break;
                }
            }
        }
        if !stripped {
            break;
        }
    }
    Some(Intro {
        asker: subject.to_string(),
        supplementary,
        addressed_to: addressed_to.or_else(|| addressee_in(&lower[..at.min(lower.len())])),
        rest: unquote_rest(&rest),
        described: false,
    })
}

/// Phrases naming whom a question is put to, as they follow "asked".
const ADDRESSEES: [(&str, Option<Addressee>); 19] = [
    ("the police, fire and crime commissioner", Some(Addressee::Commissioner)),
    ("the police, fire & crime commissioner", Some(Addressee::Commissioner)),
    ("the police and crime commissioner", Some(Addressee::Commissioner)),
    ("the police & crime commissioner", Some(Addressee::Commissioner)),
    ("the deputy commissioner", Some(Addressee::Commissioner)),
    ("the commissioner", Some(Addressee::Commissioner)),
    ("the pcc", Some(Addressee::Commissioner)),
    ("the pfcc", Some(Addressee::Commissioner)),
    ("of the commissioner", Some(Addressee::Commissioner)),
    ("to the commissioner", Some(Addressee::Commissioner)),
    ("the chair of the panel", Some(Addressee::Panel)),
    ("the chairman", Some(Addressee::Panel)),
    ("the chair", Some(Addressee::Panel)),
    ("the panel", Some(Addressee::Panel)),
    ("of the panel", Some(Addressee::Panel)),
    ("to the panel", Some(Addressee::Panel)),
    ("of the chair", Some(Addressee::Panel)),
    ("and", None),
    ("also", None),
];

/// Words between the verb and the question's own words.
const FILLERS: [&str; 12] = [
    "the following supplementary questions",
    "the following supplementary question",
    "the following questions",
    "the following question",
    "a supplementary question",
    "a further question",
    "a question",
    "questions",
    "question",
    "as follows",
    "the following",
    "supplementary",
];

/// Whom a sentence says a question was put to, when it says so outright.
fn addressee_in(lower: &str) -> Option<Addressee> {
    if any(
        lower,
        &[
            "to the commissioner",
            "of the commissioner",
            "to the pcc",
            "to the pfcc",
        ],
    ) {
        Some(Addressee::Commissioner)
    } else if any(lower, &["to the panel", "of the panel", "to the chair"]) {
        Some(Addressee::Panel)
    } else {
        None
    }
}

/// The question's words after the cue, without the quotes around them.
fn unquote_rest(rest: &str) -> String {
    let rest = rest.trim();
    let rest = rest.strip_prefix("asking").unwrap_or(rest);
    super::text::unquote(rest)
}

/// `text` without a list marker ("1.", "(a)") at its start.
fn strip_list_marker(text: &str) -> &str {
    match text.split_once(char::is_whitespace) {
        Some((marker, rest)) if is_list_marker(marker) => rest.trim_start(),
        _ => text,
    }
}

/// Titles that start a person's name.
const TITLES: [&str; 20] = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "councillor",
    "cllr",
    "sir",
    "dame",
    "rev",
    "revd",
    "lord",
    "lady",
    "county",
    "district",
    "borough",
    "father",
];

/// A person's name in `phrase` as published, if it has one: a title and the capitalised
/// words after it ("Mrs Ngozi Ferreira", "Cllr J. Smith", "County Councillor Ann Lee"),
/// or two to four capitalised words alone ("Jane Smith").
pub(super) fn name_in(phrase: &str) -> Option<String> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let is_title = |w: &str| TITLES.contains(&w.trim_end_matches('.').to_lowercase().as_str());
    let capitalised = |w: &str| {
        let w = w.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')'));
        w.chars().next().is_some_and(char::is_uppercase) && !matches!(w, "The" | "A" | "An" | "On" | "Of")
    };
    for start in 0..words.len() {
        if !is_title(words[start]) || !capitalised(words[start]) {
            continue;
        }
        // "County Councillor", "District Councillor" are one title.
        let mut end = start + 1;
        while end < words.len() && is_title(words[end]) && capitalised(words[end]) {
            end += 1;
        }
        let first_name = end;
        while end < words.len() && capitalised(words[end]) && !words[end - 1].ends_with(',') {
            end += 1;
        }
        if end > first_name {
            let name = words[start..end].join(" ");
            return Some(name.trim_end_matches([',', ';', ':', '.']).to_string());
        }
    }
    let trimmed: Vec<&str> = words.iter().map(|w| w.trim_matches([',', ';', ':'])).collect();
    if (2..=4).contains(&trimmed.len())
        && trimmed
            .iter()
            .all(|w| capitalised(w) && w.chars().any(char::is_alphabetic))
    {
        return Some(trimmed.join(" "));
    }
    None
}

/// Who asked, as the minutes say: the kind, the name the minutes publish (none for an
/// unnamed member of the public), and a warning when the kind or name was guessed.
pub(super) fn asker_from(phrase: &str) -> (AskerKind, Option<String>, Option<String>) {
    let lower = phrase.to_lowercase();
    let name = name_in(phrase);
    let councillor = name
        .as_deref()
        .is_some_and(|n| any(&n.to_lowercase(), &["councillor", "cllr"]));
    if phrase.trim().is_empty() {
        return (
            AskerKind::MemberOfPublic,
            None,
            Some(
                "the minutes do not say who asked: the question is published as asked by a member of the public"
                    .to_string(),
            ),
        );
    }
    match name {
        Some(name) if councillor => (
            AskerKind::PanelMember,
            Some(name),
            Some(format!(
                "'{phrase}': recorded as a panel member from the title Councillor; the minutes do not say \
                 whether they sit on the panel"
            )),
        ),
        Some(name) => (AskerKind::MemberOfPublic, Some(name), None),
        None if any(
            &lower,
            &[
                "member of the public",
                "member of public",
                "members of the public",
                "questioner",
            ],
        ) =>
        {
            (AskerKind::MemberOfPublic, None, None)
        }
        None if any(&lower, &["panel member", "member of the panel"]) => (AskerKind::PanelMember, None, None),
        None => (
            AskerKind::MemberOfPublic,
            None,
            Some(format!(
                "'{phrase}' is not a name: the question is published as asked by a member of the public"
            )),
        ),
    }
}

/// The last word of a name, for matching "Mr Achterberg" with "Mr Jon Achterberg".
pub(super) fn surname(name: &str) -> String {
    name.split_whitespace()
        .last()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// The verbs that report an answer, as they follow the answerer. The first
/// [`ANSWERED`] of them say that an answer was given; the last three report something
/// said in reply (an undertaking, an agreement, a note) that is not an answer by itself.
pub(super) const REPLYING: [&str; 17] = [
    "replied",
    "responded",
    "answered",
    "said",
    "stated",
    "explained",
    "confirmed",
    "advised",
    "informed",
    "reported",
    "indicated",
    "commented",
    "assured",
    "acknowledged",
    "undertook",
    "agreed",
    "noted",
];

/// The verbs of [`REPLYING`] that say an answer was given.
const ANSWERED: &[&str] = REPLYING.split_at(14).0;

/// Who answered, as the minutes give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answerer {
    pub name: String,
    pub position: String,
    /// Whose answer it is: the Commissioner's side or the Panel's, where it can be told.
    pub side: Option<Addressee>,
    /// A warning when the minutes name a role, not a person, or give no post.
    pub warning: Option<String>,
}

/// The answerer in `phrase` ("The Commissioner", "Councillor Lewis Marsh (Chair)", "the
/// Police and Crime Commissioner", "Cllr Ann Lee, Chair of the Panel").
pub(super) fn answerer_from(phrase: &str) -> Option<Answerer> {
    let phrase = collapse(phrase.trim().trim_end_matches([',', ':', '.']));
    if phrase.is_empty() || phrase.split_whitespace().count() > 14 {
        return None;
    }
    let lower = phrase.to_lowercase();
    if matches!(lower.as_str(), "it" | "this" | "he" | "she" | "they") || lower.starts_with("it ") {
        return None;
    }
    let side = if any(&lower, &["commissioner", "pcc", "pfcc", "opcc", "opfcc"]) {
        Some(Addressee::Commissioner)
    } else if any(&lower, &["chair", "chairman", "chairperson", "vice-chair", "panel"]) {
        Some(Addressee::Panel)
    } else {
        None
    };
    // "Councillor Lewis Marsh (Chair)" or "Cllr Ann Lee, Chair of the Panel".
    let (who, post) = match (phrase.find('('), phrase.find(',')) {
        (Some(open), _) => (
            phrase[..open].trim().to_string(),
            Some(phrase[open + 1..].trim_end_matches(')').trim().to_string()),
        ),
        (None, Some(comma)) => (
            phrase[..comma].trim().to_string(),
            Some(phrase[comma + 1..].trim().to_string()),
        ),
        _ => (phrase.clone(), None),
    };
    let post = post
        .filter(|p| !p.is_empty())
        .map(|p| capitalise(p.trim_start_matches("the ")));
    match name_in(&who) {
        Some(name) => {
            let (position, warning) = match post {
                Some(post) => (post, None),
                None => match side {
                    Some(Addressee::Commissioner) => ("Commissioner".to_string(), None),
                    Some(Addressee::Panel) => ("Chair of the Panel".to_string(), None),
                    None => (
                        "Not given in the minutes".to_string(),
                        Some(format!("the minutes give no post for {name}")),
                    ),
                },
            };
            Some(Answerer {
                name,
                position,
                side,
                warning,
            })
        }
        None => {
            // A role, not a person: "The Commissioner", "the Chair".
            let role = who.trim_start_matches("the ").trim_start_matches("The ").trim();
            if role.is_empty() || !role.chars().next().is_some_and(char::is_alphabetic) {
                return None;
            }
            let role_words = role.split_whitespace().count();
            if side.is_none() && !any(&lower, &["chief", "director", "head", "officer", "deputy", "clerk"]) {
                return None;
            }
            if role_words > 8 {
                return None;
            }
            let name = format!("The {role}");
            Some(Answerer {
                position: post.unwrap_or_else(|| capitalise(role)),
                warning: Some(format!(
                    "the minutes do not name who answered: the response's author is recorded as '{name}'"
                )),
                name,
                side,
            })
        }
    }
}

/// The answerer of an answer in prose: the subject of its first reply verb ("The
/// Commissioner replied that …", "In response, the Chair said …").
pub(super) fn answerer_in(sentence: &str) -> Option<Answerer> {
    let lower = sentence.to_lowercase();
    let (at, _) = REPLYING
        .iter()
        .filter_map(|verb| find_word(&lower, verb).map(|at| (at, *verb)))
        .min_by_key(|(at, _)| *at)?;
    let mut subject = sentence[..at].trim();
    if let Some(comma) = subject.find(',') {
        let lead = subject[..comma].to_lowercase();
        if lead.starts_with("in ") || lead.starts_with("as ") || lead.starts_with("having") {
            subject = subject[comma + 1..].trim();
        }
    }
    // "The PFCC's written response stated …": the answerer is the PFCC.
    let subject = match subject.find("'s ").or_else(|| subject.find("’s ")) {
        Some(at) if any(&subject[at..].to_lowercase(), &["response", "reply", "answer"]) => &subject[..at],
        _ => subject,
    };
    let subject = subject
        .trim_end_matches(" verbally")
        .trim_end_matches(" also")
        .trim_end_matches(" further");
    answerer_from(subject)
}

/// What became of a question, as its answer block says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Read {
    NotAccepted {
        code: RejectionCode,
        guessed: bool,
    },
    Referred {
        to: OrganisationKind,
        code: ReferralCode,
        guessed: bool,
    },
    Deferred,
    Answered,
    WrittenReplyPromised,
}

const NOT_ACCEPTED: [&str; 12] = [
    "not accepted",
    "not been accepted",
    "could not be accepted",
    "declined to accept",
    "ruled out of order",
    "ruled out",
    "out of order",
    "was rejected",
    "had been rejected",
    "inadmissible",
    "was not admitted",
    "not be taken",
];

const REFERRED: [&str; 14] = [
    "passed to the force",
    "passed to the chief constable",
    "passed to the fire",
    "passed on to",
    "passed to the",
    "referred to the force",
    "referred to the chief",
    "referred the question",
    "referred to the fire",
    "forwarded to the",
    "a matter for the chief constable",
    "a matter for the force",
    "matter for the chief fire officer",
    "sent to the force",
];

const DEFERRED: [&str; 8] = [
    "deferred",
    "held over",
    "postponed",
    "carried forward",
    "answered at the next meeting",
    "considered at the next meeting",
    "taken at the next meeting",
    "to the next meeting for an answer",
];

const UNDERTAKING_WRITTEN: [&str; 10] = [
    "in writing",
    "written response",
    "written reply",
    "written answer",
    "would write",
    "will write",
    "write to",
    "circulate",
    "provide a written",
    "be sent a reply",
];

const FUTURE: [&str; 7] = [
    "would",
    "will",
    "undertook",
    "agreed to",
    "promised",
    "to follow",
    "offered to",
];

/// Whether `sentence` (lowercase) promises a written reply.
pub(super) fn promises_writing(lower: &str) -> bool {
    any(lower, &UNDERTAKING_WRITTEN) && any(lower, &FUTURE)
}

/// Whether `sentence` (lowercase) says the answer was given in writing.
pub(super) fn answered_in_writing(lower: &str) -> bool {
    any(
        lower,
        &["written response", "written answer", "written reply", "in writing"],
    ) && any(
        lower,
        &[
            "had been",
            "has been",
            "was provided",
            "was sent",
            "was circulated",
            "was tabled",
            "was published",
            "were circulated",
            "responded in writing",
            "replied in writing",
            "answered in writing",
            "was given",
        ],
    ) && !any(lower, &["would", "will", "undertook"])
}

/// Whether `sentence` (lowercase) could start an answer or an outcome: a reply verb or
/// one of the outcome cues.
pub(super) fn answers(lower: &str) -> bool {
    any(lower, &REPLYING)
        || any(lower, &NOT_ACCEPTED)
        || any(lower, &REFERRED)
        || any(lower, &DEFERRED)
        || promises_writing(lower)
        || answered_in_writing(lower)
        || any(
            lower,
            &["operational matter", "in response", "in reply", "on behalf of the"],
        )
}

/// What the answer block `lower` (lowercase) says became of the question, checked from
/// the most final to the least: not accepted, referred, deferred, answered (a reply verb
/// with a reply in it), a written reply promised; `None` when it says none of these.
pub(super) fn outcome(lower: &str, answerer_known: bool) -> Option<Read> {
    if any(lower, &NOT_ACCEPTED) {
        let (code, guessed) = rejection_code(lower);
        return Some(Read::NotAccepted { code, guessed });
    }
    if any(lower, &REFERRED) || (has(lower, "operational matter") && any(lower, &["chief constable", "the force"])) {
        let to = if any(lower, &["fire service", "fire and rescue", "chief fire officer"]) {
            OrganisationKind::FireService
        } else if has(lower, "council") && !any(lower, &["the force", "chief constable"]) {
            OrganisationKind::Council
        } else {
            OrganisationKind::Force
        };
        let (code, guessed) = if any(lower, &["complaint", "complaints", "individual case", "personal case"]) {
            (ReferralCode::IndividualComplaint, false)
        } else if has(lower, "operational") {
            (ReferralCode::OperationalMatter, false)
        } else if any(
            lower,
            &[
                "remit",
                "not a matter for the panel",
                "not a matter for the commissioner",
            ],
        ) {
            (ReferralCode::OutsideRemit, false)
        } else if to == OrganisationKind::Force || to == OrganisationKind::FireService {
            (ReferralCode::OperationalMatter, true)
        } else {
            (ReferralCode::OutsideRemit, true)
        };
        return Some(Read::Referred { to, code, guessed });
    }
    if any(lower, &DEFERRED) {
        return Some(Read::Deferred);
    }
    let replies = any(lower, ANSWERED);
    if replies && answerer_known {
        return Some(Read::Answered);
    }
    if promises_writing(lower) {
        return Some(Read::WrittenReplyPromised);
    }
    if replies || (answerer_known && any(lower, &["agreed", "undertook"])) {
        return Some(Read::Answered);
    }
    None
}

/// The documented ground for not accepting a question, from the minutes' reason; the
/// flag says it was guessed (`outside_remit`, when the minutes give no recognised reason).
fn rejection_code(lower: &str) -> (RejectionCode, bool) {
    if any(
        lower,
        &[
            "complaint",
            "complaints",
            "individual case",
            "personal case",
            "named officer",
        ],
    ) {
        (RejectionCode::IndividualComplaint, false)
    } else if has(lower, "operational") {
        (RejectionCode::OperationalMatter, false)
    } else if any(
        lower,
        &[
            "defamatory",
            "vexatious",
            "frivolous",
            "offensive",
            "abusive",
            "discriminatory",
        ],
    ) {
        (RejectionCode::DefamatoryOrVexatious, false)
    } else if any(
        lower,
        &["late", "after the deadline", "deadline", "not received in time"],
    ) {
        (RejectionCode::Late, false)
    } else if any(
        lower,
        &["word limit", "too long", "too many questions", "exceeded", "more than"],
    ) {
        (RejectionCode::OverTheLimit, false)
    } else if any(
        lower,
        &[
            "remit",
            "not relevant",
            "outside",
            "not within",
            "functions",
            "not a matter for",
        ],
    ) {
        (RejectionCode::OutsideRemit, false)
    } else {
        (RejectionCode::OutsideRemit, true)
    }
}

/// When a promised written reply is due, as the minutes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    On(NaiveDate),
    WorkingDays(u32),
    Days(u32),
    Weeks(u32),
}

/// The due date of a promise in `text` (as published): "within 20 working days",
/// "within 28 days", "within two weeks", "by 31 March 2023", "by the end of April 2023".
pub(super) fn due_in(text: &str) -> Option<(Due, String)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let originals: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let clean = word.trim_matches(|c: char| !c.is_alphanumeric());
        if matches!(clean, "within" | "in") {
            let Some(n) = words.get(i + 1).and_then(|w| number_word(w)) else {
                continue;
            };
            let unit: Vec<&str> = words[i + 2..words.len().min(i + 5)]
                .iter()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .collect();
            let phrase = originals[i..(i + 2 + unit.len()).min(originals.len())].join(" ");
            let due = match unit.as_slice() {
                ["working", "days", ..] | ["clear", "working", "days", ..] | ["working", "day", ..] => {
                    Due::WorkingDays(n)
                }
                ["days", ..] | ["calendar", "days", ..] => Due::Days(n),
                ["weeks", ..] | ["week", ..] => Due::Weeks(n),
                _ => continue,
            };
            return Some((due, phrase));
        }
        if matches!(clean, "by" | "before") || (clean == "than" && i > 0 && words[i - 1] == "later") {
            // "by the end of April 2023".
            if words.get(i + 1..i + 4).is_some_and(|w| w == ["the", "end", "of"]) {
                let month_year = originals.get(i + 4..i + 6).map(|w| w.join(" "));
                if let Some(date) = month_year.and_then(|m| end_of_month(&m)) {
                    return Some((Due::On(date), originals[i..i + 6].join(" ")));
                }
            }
            for len in [4, 3] {
                let Some(candidate) = originals.get(i + 1..i + 1 + len) else {
                    continue;
                };
                let candidate = candidate.join(" ");
                let candidate = candidate.trim_end_matches(|c: char| !c.is_alphanumeric());
                if let Ok(read) = crate::import::date::read_date(candidate) {
                    if read.notes.is_empty() {
                        return Some((Due::On(read.date), format!("{} {candidate}", originals[i])));
                    }
                }
            }
            if let Some(candidate) = originals.get(i + 1) {
                let candidate = candidate.trim_end_matches(|c: char| !c.is_alphanumeric());
                if let Ok(read) = crate::import::date::read_date(candidate) {
                    return Some((Due::On(read.date), format!("{} {candidate}", originals[i])));
                }
            }
        }
    }
    None
}

/// The last day of "April 2023".
fn end_of_month(text: &str) -> Option<NaiveDate> {
    let read =
        crate::import::date::read_date(&format!("1 {}", text.trim_end_matches(|c: char| !c.is_alphanumeric()))).ok()?;
    crate::import::date::last_day_of_month(read.date.year(), read.date.month())
}

/// "Three questions had been received": how many questions the minutes say there were.
pub(super) fn announced_count(lower: &str) -> Option<u32> {
    let words: Vec<&str> = lower.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if !matches!(word, "questions" | "question") {
            continue;
        }
        let after = words[i + 1..].iter().take(4).copied().collect::<Vec<_>>().join(" ");
        if !(after.contains("received")
            || after.starts_with("were submitted")
            || after.starts_with("had been submitted"))
        {
            continue;
        }
        let before: Vec<&str> = words[i.saturating_sub(2)..i].to_vec();
        if let Some(n) = before.iter().rev().find_map(|w| number_word(w)) {
            return Some(n);
        }
    }
    None
}

/// The meeting's date where the document gives it: "Meeting: 09/02/2024 - Police and
/// Crime Panel", "Minutes of the meeting held on 14 November 2022", "Date of meeting: …".
pub(super) fn meeting_date(line: &str) -> Option<(NaiveDate, String)> {
    let lower = line.to_lowercase();
    let at = ["meeting:", "date of meeting:", "meeting date:", "held on"]
        .iter()
        .find_map(|cue| lower.find(cue).map(|at| at + cue.len()))?;
    let rest = line[at..].trim();
    let end = [" - ", " – ", " (", ",", " at "]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    let candidate = rest[..end].trim();
    let read = crate::import::date::read_date(candidate).ok()?;
    Some((read.date, candidate.to_string()))
}

/// Whether a paragraph records a decision of the meeting ("Action:-", "RESOLVED –"),
/// which is not a question or an answer.
pub(super) fn is_decision(text: &str) -> bool {
    let lower = text.to_lowercase();
    let first = lower.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
    matches!(
        first,
        "action" | "actions" | "resolved" | "agreed" | "noted" | "recommendation"
    ) && lower[first.len()..].trim_start().starts_with([':', '-', '–', '—', '.'])
        || matches!(lower.as_str(), "resolved" | "noted")
}

/// The words of a phrase that say whom an answer was given for ("on behalf of the Panel").
pub(super) fn on_behalf_of(lower: &str) -> Option<Addressee> {
    if has(lower, "on behalf of the panel") {
        Some(Addressee::Panel)
    } else if any(lower, &["on behalf of the commissioner", "on behalf of the pcc"]) {
        Some(Addressee::Commissioner)
    } else {
        None
    }
}

/// The answered addressee words, to tell a verbal answer from a written one: "verbally",
/// "at the meeting".
pub(super) fn said_verbally(lower: &str) -> bool {
    any(lower, &["verbally", "verbal", "at the meeting", "orally"])
}

/// Which named outcome cue a block matched, for the report.
pub(super) fn cue_of(lower: &str) -> Option<&'static str> {
    which(lower, &NOT_ACCEPTED)
        .or_else(|| which(lower, &REFERRED))
        .or_else(|| which(lower, &DEFERRED))
        .or_else(|| which(lower, &REPLYING))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_name_the_asker_or_answerer() {
        assert_eq!(
            heading("Question by Ms Dana Okafor"),
            Some(Heading::Question("Ms Dana Okafor".into()))
        );
        assert_eq!(
            heading("Question 2 from Mr Aled Prys:"),
            Some(Heading::Question("Mr Aled Prys".into()))
        );
        assert_eq!(
            heading("Response by Councillor Lewis Marsh (Chair)"),
            Some(Heading::Response("Councillor Lewis Marsh (Chair)".into()))
        );
        assert_eq!(
            heading("Reply from the Commissioner"),
            Some(Heading::Response("the Commissioner".into()))
        );
        assert_eq!(heading("Questions from Members of the Public"), None);
        assert_eq!(heading("Question by whom did the force decide this?"), None);
    }

    #[test]
    fn intros_give_the_asker_the_addressee_and_the_words() {
        let intro = intro("A member of the public asked the following question:-").unwrap();
        assert_eq!(intro.asker, "A member of the public");
        assert!(intro.rest.is_empty());
        let intro =
            intro_of("Mr Jon Achterberg asked the Commissioner what proportion of reports had resulted in a charge.");
        assert_eq!(intro.asker, "Mr Jon Achterberg");
        assert_eq!(intro.addressed_to, Some(Addressee::Commissioner));
        assert!(intro.rest.starts_with("what proportion"), "{}", intro.rest);
        let intro = intro_of("By way of a supplementary question, Mr Achterberg asked whether victims were told.");
        assert!(intro.supplementary);
        assert_eq!(intro.asker, "Mr Achterberg");
        let intro =
            intro_of("A question from a member of the public about a named officer's conduct was not accepted.");
        assert!(intro.described);
        assert_eq!(intro.asker, "a member of the public");
        assert!(super::intro("The Commissioner replied that he had asked the Chief Constable.").is_none());
        assert!(super::intro("The Chair asked the Commissioner to write.").is_none());
    }

    fn intro_of(sentence: &str) -> Intro {
        intro(sentence).unwrap_or_else(|| panic!("not an intro: {sentence}"))
    }

    #[test]
    fn names_are_taken_only_where_the_minutes_give_them() {
        assert_eq!(name_in("Mrs Ngozi Ferreira").as_deref(), Some("Mrs Ngozi Ferreira"));
        assert_eq!(
            name_in("County Councillor Ann Lee").as_deref(),
            Some("County Councillor Ann Lee")
        );
        assert_eq!(
            name_in("a resident of Stone, Mr P. Jones,").as_deref(),
            Some("Mr P. Jones")
        );
        assert_eq!(name_in("A member of the public"), None);
        let (kind, name, warning) = asker_from("A local resident");
        assert_eq!((kind, name), (AskerKind::MemberOfPublic, None));
        assert!(warning.is_some());
        assert_eq!(asker_from("Cllr Tom Hughes").0, AskerKind::PanelMember);
    }

    #[test]
    fn answerers_are_people_or_roles_with_a_warning() {
        let chair = answerer_from("Councillor Lewis Marsh (Chair)").unwrap();
        assert_eq!(
            (chair.name.as_str(), chair.position.as_str()),
            ("Councillor Lewis Marsh", "Chair")
        );
        assert_eq!(chair.side, Some(Addressee::Panel));
        assert!(chair.warning.is_none());
        let pcc = answerer_from("the Police and Crime Commissioner").unwrap();
        assert_eq!(pcc.name, "The Police and Crime Commissioner");
        assert_eq!(pcc.position, "Police and Crime Commissioner");
        assert!(pcc.warning.is_some());
        let said = answerer_in("In response, the Deputy Commissioner said that it would.").unwrap();
        assert_eq!(said.name, "The Deputy Commissioner");
        assert!(answerer_in("It was confirmed that it would.").is_none());
    }

    #[test]
    fn outcomes_are_read_from_the_most_final_cue() {
        let lower = |s: &str| s.to_lowercase();
        assert!(matches!(
            outcome(
                &lower("was not accepted, as it concerned an individual complaint"),
                false
            ),
            Some(Read::NotAccepted {
                code: RejectionCode::IndividualComplaint,
                guessed: false
            })
        ));
        assert!(matches!(
            outcome(
                &lower("The Chair said that the question would be passed to the force and a written reply sent."),
                true
            ),
            Some(Read::Referred {
                to: OrganisationKind::Force,
                guessed: true,
                ..
            })
        ));
        assert_eq!(
            outcome(&lower("The question was deferred to the next meeting."), false),
            Some(Read::Deferred)
        );
        assert_eq!(
            outcome(&lower("The Commissioner replied verbally that it was so."), true),
            Some(Read::Answered)
        );
        assert_eq!(
            outcome(&lower("A written reply would be sent within 10 working days."), false),
            Some(Read::WrittenReplyPromised)
        );
        assert_eq!(outcome(&lower("The meeting adjourned for lunch."), false), None);
    }

    #[test]
    fn due_dates_are_read_as_periods_or_dates() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(due_in("within 20 working days").unwrap().0, Due::WorkingDays(20));
        assert_eq!(due_in("within twenty-eight days.").unwrap().0, Due::Days(28));
        assert_eq!(due_in("in two weeks").unwrap().0, Due::Weeks(2));
        assert_eq!(due_in("by 31 March 2023.").unwrap().0, Due::On(ymd(2023, 3, 31)));
        assert_eq!(due_in("by 31/03/2023").unwrap().0, Due::On(ymd(2023, 3, 31)));
        assert_eq!(due_in("by the end of April 2023").unwrap().0, Due::On(ymd(2023, 4, 30)));
        assert_eq!(due_in("in writing as soon as possible"), None);
    }

    #[test]
    fn announced_counts_and_meeting_dates_are_read() {
        assert_eq!(
            announced_count("three questions had been received in advance."),
            Some(3)
        );
        assert_eq!(announced_count("2 public questions were received"), Some(2));
        assert_eq!(
            meeting_date("Meeting: 09/02/2024 - Police and Crime Panel (Item 6)")
                .unwrap()
                .0,
            NaiveDate::from_ymd_opt(2024, 2, 9).unwrap()
        );
        assert!(is_decision("Action:-  That the written reply be reported."));
        assert!(is_decision("RESOLVED – that the questions be noted."));
        assert!(!is_decision("Actions taken by the force were described."));
    }
}
