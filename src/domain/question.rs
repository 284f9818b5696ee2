//! Public questions to the Commissioner, and the Commissioner's responses.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::action::ActionId;
use super::auth::{Principal, Role, Subject, UserId};
use super::meeting::MeetingId;
use super::organisation::OrganisationId;
use super::question_rules::Addressee;
use super::report::RecommendationId;
use super::text::{Body, BoundedText, Name, Title};
use super::FieldResult;
use crate::error::{ApiError, FieldError};

crate::typed_id!(
    /// The id of a question.
    QuestionId
);

crate::typed_id!(
    /// The id of a response.
    ResponseId
);

crate::text_enum!(
    /// Who asked.
    AskerKind {
        /// A member of the public.
        MemberOfPublic => "member_of_public",
        /// A member of the panel.
        PanelMember => "panel_member",
    }
);

crate::text_enum!(
    /// Where a question is in its life.
    QuestionStatus {
        /// Received; not yet public.
        Submitted => "submitted",
        /// Accepted by the secretariat for a meeting; public.
        Accepted => "accepted",
        /// A response has been published; public. Stays answered.
        Answered => "answered",
        /// Passed to another organisation (the force, the fire service, the council)
        /// to reply to directly, with the ground and the reason; public. Stays referred:
        /// that organisation's reply, once published, is shown without answering it.
        Referred => "referred",
        /// Not accepted (the reason is recorded); not public.
        Rejected => "rejected",
        /// Withdrawn by the asker or the secretariat; not public.
        Withdrawn => "withdrawn",
    }
);

impl QuestionStatus {
    /// Whether a question in this state may move to `next`.
    pub fn can_become(self, next: QuestionStatus) -> bool {
        use QuestionStatus::*;
        matches!(
            (self, next),
            (Submitted, Accepted)
                | (Submitted, Rejected)
                | (Submitted, Withdrawn)
                | (Accepted, Withdrawn)
                | (Submitted, Answered)
                | (Accepted, Answered)
                | (Submitted, Referred)
                | (Accepted, Referred)
        )
    }

    /// Public questions are visible to anonymous callers.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            QuestionStatus::Accepted | QuestionStatus::Answered | QuestionStatus::Referred
        )
    }
}

crate::text_enum!(
    /// Why a question was rejected: the grounds panels' rules of procedure give for
    /// not taking a public question. The secretariat adds its own words in `reason`.
    ///
    /// - `operational_matter`: about the force's or fire service's day-to-day
    ///   operations, which are its chief officer's to direct;
    /// - `individual_complaint`: about one person's own grievance or case, which has
    ///   its own complaints route;
    /// - `defamatory_or_vexatious`: defamatory, frivolous, offensive or vexatious;
    /// - `outside_remit`: neither the Commissioner's nor the panel's business;
    /// - `late`: received after the meeting's question deadline;
    /// - `over_the_limit`: beyond a limit in the panel's rules (words, or questions per
    ///   questioner per meeting).
    // The list repeats the variants' own docs because the OpenAPI document carries
    // only the enum's description, not one per value.
    RejectionCode {
        /// About the force's day-to-day operations, which are the Chief Constable's
        /// (or Chief Fire Officer's) to direct, not the Commissioner's.
        OperationalMatter => "operational_matter",
        /// About one person's own grievance or case, which has its own complaints route.
        IndividualComplaint => "individual_complaint",
        /// Defamatory, frivolous, offensive or vexatious.
        DefamatoryOrVexatious => "defamatory_or_vexatious",
        /// About something that is neither the Commissioner's nor the panel's business.
        OutsideRemit => "outside_remit",
        /// Received after the meeting's question deadline.
        Late => "late",
        /// Beyond a limit in the panel's rules: too many words, or too many questions
        /// from one questioner for one meeting.
        OverTheLimit => "over_the_limit",
    }
);

/// A rejection as the secretariat records it: one of the documented grounds and its own
/// explanation.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub code: RejectionCode,
    pub reason: Note,
}

crate::text_enum!(
    /// Why a question was referred to another organisation rather than answered by the
    /// Commissioner or the panel. The secretariat adds its own words in `reason`.
    ///
    /// - `operational_matter`: about the force's or fire service's day-to-day
    ///   operations, which its chief officer answers for;
    /// - `individual_complaint`: about one person's own grievance or case, which the
    ///   organisation's complaints route handles;
    /// - `outside_remit`: the business of another body (the council, say).
    // The list repeats the variants' own docs because the OpenAPI document carries
    // only the enum's description, not one per value.
    ReferralCode {
        /// About the force's (or fire service's) day-to-day operations.
        OperationalMatter => "operational_matter",
        /// About one person's own grievance or case.
        IndividualComplaint => "individual_complaint",
        /// The business of another body.
        OutsideRemit => "outside_remit",
    }
);

/// A referral as the secretariat records it: the organisation the question is passed
/// to (its existence is checked against the database), the documented ground and the
/// secretariat's own explanation.
#[derive(Debug, Clone)]
pub struct Referral {
    pub organisation_id: OrganisationId,
    pub code: ReferralCode,
    pub reason: Note,
}

/// Why a question moves where it does, when the move needs a reason.
#[derive(Debug, Clone, Copy)]
pub enum Grounds<'a> {
    Rejection(&'a Rejection),
    Referral(&'a Referral),
}

crate::text_enum!(
    /// How a response was given.
    ResponseKind {
        Written => "written",
        Verbal => "verbal",
    }
);

crate::text_enum!(
    /// Where a written follow-up promised in a verbal answer stands (derived, never
    /// stored): `none` (nothing was promised, or the response is written), `due`
    /// (promised, its due date not yet passed), `overdue` (its due date has passed, by
    /// the London calendar, and no written follow-up has been published) or `provided`
    /// (a published written response names it in `follows_up_response_id`).
    FollowUpStatus {
        /// Nothing was promised.
        None => "none",
        /// Promised; not yet due.
        Due => "due",
        /// Promised; due before today and not provided.
        Overdue => "overdue",
        /// The written follow-up has been published.
        Provided => "provided",
    }
);

impl FollowUpStatus {
    /// The status of an undertaking due on `due_on` (none if nothing was promised),
    /// `provided` or not, on `today`: overdue only once its due date has passed.
    pub fn of(due_on: Option<NaiveDate>, provided: bool, today: NaiveDate) -> Self {
        match due_on {
            None => FollowUpStatus::None,
            Some(_) if provided => FollowUpStatus::Provided,
            Some(due_on) if due_on < today => FollowUpStatus::Overdue,
            Some(_) => FollowUpStatus::Due,
        }
    }
}

crate::text_enum!(
    /// Questions with a written follow-up in this state: promised in a published verbal
    /// answer to them (see [`FollowUpStatus`]).
    FollowUpFilter {
        /// Promised and not yet due.
        Due => "due",
        /// Promised, due before today (London) and not provided: a broken promise.
        Overdue => "overdue",
        /// Promised and provided.
        Provided => "provided",
    }
);

/// The fields of a response that depend on its kind, as they stand (or would stand
/// after a change): the 422 rows for a combination that cannot be. A `verbal` response
/// was given at a meeting (`meeting_id` required) and may promise a written follow-up
/// due on or after the day it was given (`follow_up_due_on`); a `written` response was
/// not given at a meeting and promises nothing, but may be the follow-up a verbal one
/// promised (`follows_up_response_id`). Whether the meeting and the verbal response
/// exist is for the repository to check.
pub fn check_response_shape(
    kind: ResponseKind,
    has_meeting: bool,
    responded_on: NaiveDate,
    follow_up_due_on: Option<NaiveDate>,
    follows_up: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match kind {
        ResponseKind::Verbal => {
            if !has_meeting {
                errors.push(FieldError::new(
                    "meeting_id",
                    "is required for a verbal response: the meeting the answer was given at",
                ));
            }
            if follows_up {
                errors.push(FieldError::new(
                    "follows_up_response_id",
                    "is only for a written response: the written follow-up a verbal answer promised",
                ));
            }
            if let Some(due_on) = follow_up_due_on {
                if due_on < responded_on {
                    errors.push(FieldError::new(
                        "follow_up_due_on",
                        format!("must not be before the answer was given (responded_on {responded_on})"),
                    ));
                }
            }
        }
        ResponseKind::Written => {
            if has_meeting {
                errors.push(FieldError::new(
                    "meeting_id",
                    "is only for a verbal response: a written response is not given at a meeting",
                ));
            }
            if follow_up_due_on.is_some() {
                errors.push(FieldError::new(
                    "follow_up_due_on",
                    "is only for a verbal response: the written follow-up it promises",
                ));
            }
        }
    }
    errors
}

crate::text_enum!(
    /// Whether a response is public.
    ResponseStatus {
        /// Being written; visible to staff only.
        Draft => "draft",
        /// Public; changed only by a correction with a note.
        Published => "published",
    }
);

/// A reason for a rejection, or the note explaining a correction.
pub type Note = BoundedText<2_000>;
/// A telephone number, as the asker wrote it.
pub type Phone = BoundedText<50>;
/// A postal address.
pub type Address = BoundedText<500>;

/// The most topics a question may carry.
pub const MAX_TOPICS: usize = 10;
/// The most recommendations or actions one question or response may cite.
pub const MAX_CITATIONS: usize = 50;
/// The earliest date a question can have been asked on: older questions are imported,
/// not typed in, and a year before this is almost certainly a typo.
pub const EARLIEST_ASKED_ON: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// A topic: a lowercase slug such as `child-protection` (1 to 50 letters `a`–`z`,
/// digits and single hyphens, starting and ending with a letter or digit), so that the
/// same topic is always spelt the same way and can be used in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic(String);

impl Topic {
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_shape = !value.starts_with('-') && !value.ends_with('-') && !value.contains("--");
        if value.is_empty() || value.len() > 50 || !ok_chars || !ok_shape {
            return Err(FieldError::new(
                field,
                "must be 1 to 50 lowercase letters, digits and single hyphens, such as `child-protection`",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most [`MAX_TOPICS`] topics, each valid; a repeated topic is kept once.
pub fn parse_topics(field: &str, values: &[String]) -> FieldResult<Vec<Topic>> {
    let mut topics: Vec<Topic> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let topic = Topic::parse(&format!("{field}[{index}]"), value)?;
        if !topics.contains(&topic) {
            topics.push(topic);
        }
        // Stop at once: a body can hold thousands of entries, and the check above is
        // linear in what has been kept.
        if topics.len() > MAX_TOPICS {
            return Err(FieldError::new(field, format!("must have at most {MAX_TOPICS} topics")));
        }
    }
    Ok(topics)
}

/// Ids cited by a question or response: at most [`MAX_CITATIONS`], a repeated id kept
/// once. Whether each exists is for the repository to check.
pub fn parse_citations<T: Copy + PartialEq>(field: &str, ids: &[T]) -> FieldResult<Vec<T>> {
    let mut unique: Vec<T> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
        if unique.len() > MAX_CITATIONS {
            return Err(FieldError::new(field, format!("must have at most {MAX_CITATIONS} ids")));
        }
    }
    Ok(unique)
}

/// An e-mail address, checked only for its shape (`local@domain.tld`, at most 254
/// characters, no spaces, control or format characters, no quoted local part):
/// whether it reaches anyone is for the secretariat to find out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let value = super::text::clean(field, value)?;
        let value = value.trim();
        let invalid = || FieldError::new(field, "must be an e-mail address such as `name@example.org`");
        if value.is_empty() || value.chars().count() > 254 {
            return Err(invalid());
        }
        if value.chars().any(super::text::is_unseen_in_a_token) || value.starts_with('"') {
            return Err(invalid());
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || local.contains('@') || !labels_ok {
            return Err(invalid());
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How to reach a questioner: personal data, seen only by `secretariat` and `admin`.
/// Stored as JSON in `questions.asker_contact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"email": "resident@example.org", "phone": "01785 000000"}))]
pub struct AskerContact {
    #[schema(value_type = String, format = Email)]
    email: Email,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

impl AskerContact {
    /// The questioner's e-mail address.
    pub fn email(&self) -> &str {
        self.email.as_str()
    }

    pub fn new(email: Email, phone: Option<Phone>, address: Option<Address>) -> Self {
        Self {
            email,
            phone: phone.map(Phone::into_inner),
            address: address.map(Address::into_inner),
        }
    }

    /// Applies a merge patch to the contact details a question has (if any): the
    /// result must still have an e-mail address.
    pub fn patched(current: Option<Self>, patch: ContactPatch) -> FieldResult<Option<Self>> {
        let ContactPatch::Merge { email, phone, address } = patch else {
            return Ok(None);
        };
        let (current_email, current_phone, current_address) = match current {
            Some(contact) => (Some(contact.email), contact.phone, contact.address),
            None => (None, None, None),
        };
        let email = email.or(current_email).ok_or_else(|| {
            FieldError::new(
                "asker_contact.email",
                "is required: the question has no contact details yet",
            )
        })?;
        Ok(Some(Self {
            email,
            phone: match phone {
                None => current_phone,
                Some(phone) => phone.map(Phone::into_inner),
            },
            address: match address {
                None => current_address,
                Some(address) => address.map(Address::into_inner),
            },
        }))
    }
}

/// A merge patch of a question's contact details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactPatch {
    /// `asker_contact: null`: forget them (once they are no longer needed, say).
    Remove,
    /// Change the fields given; `Some(None)` removes an optional field.
    Merge {
        email: Option<Email>,
        phone: Option<Option<Phone>>,
        address: Option<Option<Address>>,
    },
}

/// Checks `asked_on`: not before [`EARLIEST_ASKED_ON`] and not after `today`.
pub fn parse_asked_on(field: &str, asked_on: NaiveDate, today: NaiveDate) -> FieldResult<NaiveDate> {
    if asked_on > today {
        return Err(FieldError::new(
            field,
            format!("must not be in the future (today is {today})"),
        ));
    }
    if asked_on < EARLIEST_ASKED_ON {
        return Err(FieldError::new(
            field,
            format!("must not be before {EARLIEST_ASKED_ON}"),
        ));
    }
    Ok(asked_on)
}

/// A question's human reference: `PQ-2022-0007` for the seventh question asked in 2022.
pub fn reference(asked_on: NaiveDate, number: i32) -> String {
    format!("PQ-{}-{number:04}", asked_on.year())
}

/// Whether a question submitted at `submitted_at` arrives in time for a panel meeting
/// whose deadline instant is `deadline`: the bound is exclusive (see
/// [`crate::domain::calendar::Calendar::question_deadline_instant`]).
pub fn in_time(submitted_at: DateTime<Utc>, deadline: DateTime<Utc>) -> bool {
    submitted_at < deadline
}

/// A valid new question. Whether its meeting, parent and recommendations exist, and
/// whether it is in time for the meeting, is checked against the database.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub asker_kind: AskerKind,
    pub asker_display_name: Name,
    pub asker_contact: Option<AskerContact>,
    /// The panel member who asked, when they asked for themselves.
    pub asker_user_id: Option<UserId>,
    pub title: Title,
    pub body: Body,
    pub topics: Vec<Topic>,
    pub asked_on: NaiveDate,
    pub meeting_id: Option<MeetingId>,
    pub parent_question_id: Option<QuestionId>,
    pub recommendation_ids: Vec<RecommendationId>,
    /// Whom the question is put to: the meeting's panel must take questions to them.
    pub addressed_to: Addressee,
}

/// The most supplementary questions one question may have, where the panel's rules
/// allow supplementaries at all (`supplementary_questions`): the rules of procedure
/// that allow them allow one, asked at the meeting on the same subject.
pub const MAX_SUPPLEMENTARIES: i64 = 1;

/// A valid supplementary question, asked at a meeting after the answer to an original
/// question and recorded there by the secretariat. What it does not give is taken from
/// the original (the asker, the topics, whom it is put to) or the meeting (the date).
#[derive(Debug, Clone)]
pub struct NewSupplementary {
    pub body: Body,
    /// The meeting it was asked at: the original's when not given.
    pub meeting_id: Option<MeetingId>,
    /// The name it is published under: the original asker's when not given.
    pub asker_display_name: Option<Name>,
    /// Its title: "Supplementary to <original reference>" when not given.
    pub title: Option<Title>,
}

/// Who may move a question (withdraw it), checked right after it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Anyone the handler let through.
    Any,
    /// Only the panel member who asked: the user given, if any, must be the question's
    /// `asker_user_id`.
    AskerOnly(Option<UserId>),
}

impl Permit {
    /// What `principal` may withdraw: any question for `admin` and `secretariat`, only
    /// their own for anyone else (a panel member).
    pub fn to_withdraw(principal: &Principal) -> Self {
        if principal.has_any(&[Role::Admin, Role::Secretariat]) {
            return Permit::Any;
        }
        Permit::AskerOnly(match principal.subject {
            Subject::User(user) => Some(user),
            _ => None,
        })
    }

    /// A 403 unless this permit lets its holder move a question asked by `asker`.
    pub fn check(self, asker: Option<UserId>) -> Result<(), ApiError> {
        match self {
            Permit::AskerOnly(user) if user.is_none() || user != asker => Err(ApiError::forbidden(
                "Only the secretariat, or the panel member who asked it, may withdraw a question",
            )),
            _ => Ok(()),
        }
    }
}

/// A valid set of changes to a question; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionChanges {
    pub title: Option<Title>,
    pub body: Option<Body>,
    pub topics: Option<Vec<Topic>>,
    /// `Some(None)` takes the question off its meeting's agenda.
    pub meeting_id: Option<Option<MeetingId>>,
    pub recommendation_ids: Option<Vec<RecommendationId>>,
    pub asker_contact: Option<ContactPatch>,
}

impl super::Changes for QuestionChanges {}

/// A valid new response (a draft).
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub kind: ResponseKind,
    pub body: Body,
    pub author_name: Name,
    pub author_position: Name,
    pub responded_on: NaiveDate,
    pub recommendation_ids: Vec<RecommendationId>,
    pub action_ids: Vec<ActionId>,
    /// The meeting a verbal response was given at.
    pub meeting_id: Option<MeetingId>,
    /// When the written follow-up a verbal response promises is due.
    pub follow_up_due_on: Option<NaiveDate>,
    /// The verbal response whose promised follow-up this written response is.
    pub follows_up_response_id: Option<ResponseId>,
}

/// A valid set of changes to a response; `None` leaves a field as it is. A change to
/// a published response is a correction and must carry `correction_note`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseChanges {
    pub kind: Option<ResponseKind>,
    pub body: Option<Body>,
    pub author_name: Option<Name>,
    pub author_position: Option<Name>,
    pub responded_on: Option<NaiveDate>,
    pub recommendation_ids: Option<Vec<RecommendationId>>,
    pub action_ids: Option<Vec<ActionId>>,
    /// `Some(None)` removes it (only right for a written response).
    pub meeting_id: Option<Option<MeetingId>>,
    /// `Some(None)` withdraws the undertaking.
    pub follow_up_due_on: Option<Option<NaiveDate>>,
    /// `Some(None)` unlinks it.
    pub follows_up_response_id: Option<Option<ResponseId>>,
    pub correction_note: Option<Note>,
}

impl ResponseChanges {
    /// Whether nothing but (perhaps) a note is given.
    pub fn changes_nothing(&self) -> bool {
        let note = Self {
            correction_note: self.correction_note.clone(),
            ..Self::default()
        };
        *self == note
    }
}

#[cfg(test)]
mod tests {
    use super::QuestionStatus::*;

    #[test]
    fn an_answered_question_stays_answered() {
        for next in super::QuestionStatus::ALL {
            assert!(!Answered.can_become(*next), "answered → {next}");
        }
    }

    #[test]
    fn only_submitted_or_accepted_questions_can_be_withdrawn() {
        assert!(Submitted.can_become(Withdrawn) && Accepted.can_become(Withdrawn));
        assert!(!Rejected.can_become(Withdrawn) && !Answered.can_become(Withdrawn));
    }

    #[test]
    fn only_submitted_or_accepted_questions_can_be_referred_and_they_stay_referred() {
        for from in super::QuestionStatus::ALL {
            assert_eq!(
                from.can_become(Referred),
                matches!(from, Submitted | Accepted),
                "{from}"
            );
            assert!(!Referred.can_become(*from), "referred → {from}");
        }
        assert!(Referred.is_public());
    }

    #[test]
    fn a_follow_up_is_overdue_only_after_its_due_date_until_provided() {
        let due = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let next_day = due.succ_opt().unwrap();
        assert_eq!(FollowUpStatus::of(None, false, next_day), FollowUpStatus::None);
        assert_eq!(FollowUpStatus::of(Some(due), false, due), FollowUpStatus::Due);
        assert_eq!(FollowUpStatus::of(Some(due), false, next_day), FollowUpStatus::Overdue);
        assert_eq!(FollowUpStatus::of(Some(due), true, next_day), FollowUpStatus::Provided);
    }

    #[test]
    fn a_verbal_response_needs_a_meeting_and_a_written_one_refuses_it() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let fields = |errors: Vec<FieldError>| errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert!(check_response_shape(ResponseKind::Verbal, true, day, Some(day), false).is_empty());
        assert_eq!(
            fields(check_response_shape(
                ResponseKind::Verbal,
                false,
                day,
                day.pred_opt(),
                true
            )),
            ["meeting_id", "follows_up_response_id", "follow_up_due_on"]
        );
        assert!(check_response_shape(ResponseKind::Written, false, day, None, true).is_empty());
        assert_eq!(
            fields(check_response_shape(ResponseKind::Written, true, day, Some(day), false)),
            ["meeting_id", "follow_up_due_on"]
        );
    }

    #[test]
    fn only_submitted_questions_can_be_accepted_or_rejected() {
        assert!(Submitted.can_become(Accepted) && Submitted.can_become(Rejected));
        assert!(!Accepted.can_become(Rejected) && !Withdrawn.can_become(Accepted));
    }

    use super::*;

    #[test]
    fn topics_are_lowercase_slugs_kept_once_and_at_most_ten() {
        let topics =
            |values: &[&str]| parse_topics("topics", &values.iter().map(|v| v.to_string()).collect::<Vec<_>>());
        assert_eq!(
            topics(&["child-protection", "policing", "child-protection"])
                .unwrap()
                .len(),
            2
        );
        for bad in [
            "",
            "Child",
            "child protection",
            "-x",
            "x-",
            "a--b",
            "é",
            &"x".repeat(51),
        ] {
            assert_eq!(topics(&["ok", bad]).unwrap_err().field, "topics[1]", "{bad:?}");
        }
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_topics("topics", &eleven).unwrap_err().field, "topics");
    }

    #[test]
    fn e_mail_addresses_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse("e", " resident@example.org ").unwrap().as_str(),
            "resident@example.org"
        );
        for bad in [
            "",
            "resident",
            "@example.org",
            "resident@",
            "resident@example",
            "a b@example.org",
            "resident@example..org",
            "a\0@example.org\0",
            "a@b@example.org",
            "a\u{200B}@example.org",
            "\u{202E}gro.elpmaxe@a",
            "a\u{00AD}b@example.org",
            "\"ab\"@example.org",
        ] {
            assert!(Email::parse("e", bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse("e", "a\u{0}@example.org").is_err());
        assert!(Email::parse("e", "a\u{FFFF}@example.org")
            .unwrap_err()
            .message
            .contains("noncharacter"));
        assert_eq!(
            Email::parse("e", "jose\u{301}@example.org").unwrap().as_str(),
            "jos\u{E9}@example.org"
        );
    }

    #[test]
    fn a_contact_patch_merges_fields_and_keeps_the_e_mail_required() {
        let email = |e: &str| Email::parse("e", e).unwrap();
        let phone = |p: &str| Phone::parse("p", p).unwrap();
        let current = AskerContact::new(email("a@example.org"), Some(phone("01785")), None);
        let patched = AskerContact::patched(
            Some(current.clone()),
            ContactPatch::Merge {
                email: None,
                phone: Some(None),
                address: None,
            },
        )
        .unwrap()
        .unwrap();
        assert_eq!(patched, AskerContact::new(email("a@example.org"), None, None));
        assert_eq!(
            AskerContact::patched(Some(current), ContactPatch::Remove).unwrap(),
            None
        );
        let none = ContactPatch::Merge {
            email: None,
            phone: Some(Some(phone("1"))),
            address: None,
        };
        assert_eq!(
            AskerContact::patched(None, none).unwrap_err().field,
            "asker_contact.email"
        );
    }

    #[test]
    fn references_are_numbered_per_year_with_four_digits() {
        let day = NaiveDate::from_ymd_opt(2022, 5, 31).unwrap();
        assert_eq!(reference(day, 7), "PQ-2022-0007");
        assert_eq!(reference(day, 12345), "PQ-2022-12345");
    }

    #[test]
    fn asked_on_may_not_be_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
        assert!(parse_asked_on("asked_on", today, today).is_ok());
        assert!(parse_asked_on("asked_on", today.succ_opt().unwrap(), today).is_err());
        assert!(parse_asked_on("asked_on", NaiveDate::from_ymd_opt(1999, 1, 1).unwrap(), today).is_err());
    }
}
