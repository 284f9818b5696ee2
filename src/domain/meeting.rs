//! Meetings: where questions are put and progress is reported.

crate::typed_id!(
    /// The id of a meeting.
    MeetingId
);

crate::text_enum!(
    /// What sort of meeting.
    MeetingKind {
        /// A meeting of the Police, Fire & Crime Panel, where public questions are put.
        PanelMeeting => "panel_meeting",
        /// The Commissioner's monthly Strategic Governance Board.
        StrategicGovernanceBoard => "strategic_governance_board",
        /// A Public Performance Meeting (held three times a year).
        PublicPerformanceMeeting => "public_performance_meeting",
        /// Anything else.
        Other => "other",
    }
);

use chrono::{Datelike, NaiveDate};

use super::calendar::Unvouched;
use super::organisation::OrganisationId;
use super::question_rules::QuestionRules;
use super::text::Title;
use super::FieldResult;
use crate::error::FieldError;

/// The years a meeting may be held in. The bound keeps out typos (`20222`) and dates
/// so far out that date arithmetic would overflow; a panel meeting must also have a
/// question deadline the calendar can vouch for ([`require_known_deadline`]), which
/// rules out 2100.
pub const MEETING_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Checks that `held_on` lies within [`MEETING_YEARS`].
pub fn parse_held_on(field: &str, held_on: NaiveDate) -> FieldResult<NaiveDate> {
    if MEETING_YEARS.contains(&held_on.year()) {
        Ok(held_on)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "must be in the years {} to {}",
                MEETING_YEARS.start(),
                MEETING_YEARS.end()
            ),
        ))
    }
}

/// A valid new meeting.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub organisation_id: OrganisationId,
    pub kind: MeetingKind,
    pub title: Title,
    pub held_on: NaiveDate,
    pub is_public: bool,
}

/// The last day on which public questions for a meeting of `kind` on `held_on` may
/// arrive under its panel's `rules`, and the instant from which they are late:
/// `Ok(None)` for a meeting that takes no public questions (every kind but a panel
/// meeting), [`Unvouched`] for a panel meeting whose deadline the calendar cannot work
/// out (see [`QuestionRules::deadline`]).
pub fn question_deadline(
    kind: MeetingKind,
    held_on: NaiveDate,
    rules: &QuestionRules,
) -> Result<Option<(NaiveDate, chrono::DateTime<chrono::Utc>)>, Unvouched> {
    if kind != MeetingKind::PanelMeeting {
        return Ok(None);
    }
    rules.deadline(held_on).map(Some)
}

/// The instant from which questions to a meeting of `kind` on `held_on` are late under
/// `rules` (none for a meeting that takes no questions); a 422 row naming `held_on`
/// when it would be a panel meeting whose question deadline the calendar cannot vouch
/// for: refused, rather than given a deadline that ignores bank holidays.
pub fn require_known_deadline(
    kind: MeetingKind,
    held_on: NaiveDate,
    rules: &QuestionRules,
) -> FieldResult<Option<chrono::DateTime<chrono::Utc>>> {
    match question_deadline(kind, held_on, rules) {
        Ok(deadline) => Ok(deadline.map(|(_, instant)| instant)),
        Err(unvouched) => Err(FieldError::new(
            "held_on",
            format!("a panel meeting on {held_on} cannot be given its question deadline: {unvouched}"),
        )),
    }
}

/// A valid set of changes to a meeting; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingChanges {
    pub organisation_id: Option<OrganisationId>,
    pub kind: Option<MeetingKind>,
    pub title: Option<Title>,
    pub held_on: Option<NaiveDate>,
    pub is_public: Option<bool>,
}

impl super::Changes for MeetingChanges {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meeting_date_outside_the_supported_years_is_rejected() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(parse_held_on("held_on", date(2022, 6, 16)).is_ok());
        assert_eq!(
            parse_held_on("held_on", date(1999, 12, 31)).unwrap_err().field,
            "held_on"
        );
        assert!(parse_held_on("held_on", date(2101, 1, 1)).is_err());
    }

    #[test]
    fn only_a_panel_meeting_needs_a_deadline_the_calendar_vouches_for() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let far = date(2100, 3, 4);
        let rules = QuestionRules::default();
        let refused = require_known_deadline(MeetingKind::PanelMeeting, far, &rules).unwrap_err();
        assert_eq!(refused.field, "held_on");
        assert!(refused.message.contains("2099"), "{}", refused.message);
        assert_eq!(require_known_deadline(MeetingKind::Other, far, &rules), Ok(None));
        assert_eq!(question_deadline(MeetingKind::Other, far, &rules), Ok(None));
        let (deadline, _) = question_deadline(MeetingKind::PanelMeeting, date(2031, 4, 17), &rules)
            .unwrap()
            .unwrap();
        assert_eq!(deadline, date(2031, 4, 9));
    }
}
