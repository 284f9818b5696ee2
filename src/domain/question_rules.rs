//! A panel's rules of procedure for public questions, as data.
//!
//! About forty Police (Fire) and Crime Panels publish their own rules: Hampshire wants
//! 15 clear working days' notice and at most two questions per questioner per meeting;
//! Devon and Cornwall at least 5 complete working days and no more than 100 words;
//! Sussex a question by noon on a given day, to the Commissioner or to the Panel. Each
//! panel (an organisation of kind `panel`) keeps its rules here; a panel that has set
//! none follows [`QuestionRules::default`], the rules this service has always applied.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::calendar::{Calendar, Unvouched, QUESTION_CLEAR_WORKING_DAYS};
use super::FieldResult;
use crate::error::FieldError;

crate::text_enum!(
    /// Whom a public question is put to.
    Addressee {
        /// The Police, Fire & Crime Commissioner, whose office answers.
        Commissioner => "commissioner",
        /// The Panel itself, answered by its chair or the panel.
        Panel => "panel",
    }
);

/// The most clear working days of notice a panel can ask for.
pub const MAX_CLEAR_WORKING_DAYS: i32 = 30;
/// The largest word limit a panel can set (a limit above it is no limit).
pub const MAX_WORD_LIMIT: i32 = 10_000;
/// The largest per-questioner limit a panel can set.
pub const MAX_QUESTIONS_LIMIT: i32 = 50;

/// A panel's rules for public questions. Construct with [`QuestionRules::new`], which
/// checks each value's range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionRules {
    /// Working days (0 to 30) that must lie wholly between the deadline day and the
    /// meeting: "N clear working days before the meeting".
    pub deadline_clear_working_days: i32,
    /// The time of day (London) on the deadline day before which a question must
    /// arrive; none for "by the end of the day".
    pub deadline_time: Option<NaiveTime>,
    /// The most words a question's text may have; none for no limit.
    pub max_words: Option<i32>,
    /// The most questions one questioner may put to one meeting; none for no limit.
    pub max_questions_per_questioner_per_meeting: Option<i32>,
    /// Whom the panel takes questions to: never empty, in declaration order, no repeats.
    pub addressees: Vec<Addressee>,
    /// Whether a question may be a supplementary to an earlier one
    /// (`parent_question_id`).
    pub supplementary_questions: bool,
}

impl Default for QuestionRules {
    /// What the service did before panels had rules: three clear working days, by the
    /// end of the deadline day, no word or per-questioner limit, questions to the
    /// Commissioner, supplementaries allowed.
    fn default() -> Self {
        Self {
            deadline_clear_working_days: QUESTION_CLEAR_WORKING_DAYS,
            deadline_time: None,
            max_words: None,
            max_questions_per_questioner_per_meeting: None,
            addressees: vec![Addressee::Commissioner],
            supplementary_questions: true,
        }
    }
}

/// The words of `text` as a person would count them: runs between white space that hold
/// at least one letter or digit (a lone dash or bullet is not a word).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

/// Parses `HH:MM` (24-hour, two digits each) into a time of day; a 422 row naming
/// `field` otherwise.
pub fn parse_time_of_day(field: &str, text: &str) -> FieldResult<NaiveTime> {
    let bytes = text.as_bytes();
    let shaped =
        bytes.len() == 5 && bytes[2] == b':' && bytes.iter().enumerate().all(|(i, b)| i == 2 || b.is_ascii_digit());
    shaped
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            FieldError::new(
                field,
                "must be a time of day as HH:MM (24-hour, London time), such as 12:00",
            )
        })
}

fn within(field: &str, value: i32, low: i32, high: i32) -> FieldResult<i32> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            format!("must be from {low} to {high}; it is {value}"),
        ))
    }
}

impl QuestionRules {
    /// Checks each value's range; the errors name the fields.
    pub fn new(
        deadline_clear_working_days: i32,
        deadline_time: Option<&str>,
        max_words: Option<i32>,
        max_questions_per_questioner_per_meeting: Option<i32>,
        addressees: &[Addressee],
        supplementary_questions: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |result: FieldResult<Option<i32>>| match result {
            Ok(value) => value,
            Err(error) => {
                errors.push(error);
                None
            }
        };
        let days = keep(
            within(
                "deadline_clear_working_days",
                deadline_clear_working_days,
                0,
                MAX_CLEAR_WORKING_DAYS,
            )
            .map(Some),
        );
        let max_words = keep(max_words.map(|n| within("max_words", n, 1, MAX_WORD_LIMIT)).transpose());
        let max_questions = keep(
            max_questions_per_questioner_per_meeting
                .map(|n| within("max_questions_per_questioner_per_meeting", n, 1, MAX_QUESTIONS_LIMIT))
                .transpose(),
        );
        let time = match deadline_time.map(|t| parse_time_of_day("deadline_time", t)).transpose() {
            Ok(time) => time,
            Err(error) => {
                errors.push(error);
                None
            }
        };
        if addressees.is_empty() {
            errors.push(FieldError::new(
                "addressees",
                "must name at least one of commissioner and panel",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            deadline_clear_working_days: days.unwrap_or_default(),
            deadline_time: time,
            max_words,
            max_questions_per_questioner_per_meeting: max_questions,
            addressees: Addressee::ALL
                .iter()
                .copied()
                .filter(|a| addressees.contains(a))
                .collect(),
            supplementary_questions,
        })
    }

    /// The last day on which a question for a meeting held on `held_on` can arrive,
    /// and the instant from which it is late (exclusive: in time when `submitted_at <
    /// instant`): before `deadline_time` London time on that day, or by its end.
    /// [`Unvouched`] where the calendar cannot vouch for a day counted.
    pub fn deadline(&self, held_on: NaiveDate) -> Result<(NaiveDate, DateTime<Utc>), Unvouched> {
        let calendar = Calendar::england_and_wales();
        let day = calendar.question_deadline_with(held_on, self.deadline_clear_working_days)?;
        Ok((day, calendar.deadline_instant(day, self.deadline_time)?))
    }

    /// How the deadline reads in a refusal: "by the end of 2024-03-01" or "before
    /// 12:00 on 2024-03-01".
    pub fn describe_deadline(&self, day: NaiveDate) -> String {
        match self.deadline_time {
            None => format!("by the end of {day} (London time)"),
            Some(time) => format!("before {} on {day} (London time)", time.format("%H:%M")),
        }
    }

    /// A 422 row naming `field` when `text` has more words than the panel takes,
    /// quoting the rule: "questions must be no longer than 100 words; this one has 131".
    pub fn check_words(&self, field: &str, text: &str) -> FieldResult<()> {
        let Some(limit) = self.max_words else { return Ok(()) };
        let words = word_count(text);
        if words <= limit as usize {
            return Ok(());
        }
        Err(FieldError::new(
            field,
            format!("questions must be no longer than {limit} words; this one has {words}"),
        ))
    }

    /// A 422 row naming `field` when the panel does not take questions to `addressee`.
    pub fn check_addressee(&self, field: &str, addressee: Addressee) -> FieldResult<()> {
        if self.addressees.contains(&addressee) {
            return Ok(());
        }
        let takes: Vec<&str> = self.addressees.iter().map(|a| a.as_str()).collect();
        Err(FieldError::new(
            field,
            format!(
                "this panel takes questions to the {} only; this one is addressed to the {addressee}",
                takes.join(" and the ")
            ),
        ))
    }

    /// A 422 row naming `field` when the panel takes no supplementary questions and
    /// one is put as such.
    pub fn check_supplementary(&self, field: &str, is_supplementary: bool) -> FieldResult<()> {
        if !is_supplementary || self.supplementary_questions {
            return Ok(());
        }
        Err(FieldError::new(
            field,
            "this panel does not take supplementary questions",
        ))
    }

    /// A 422 row naming `field` when a questioner who has already put `already`
    /// questions to a meeting may put no more.
    pub fn check_questions_per_meeting(&self, field: &str, already: i64) -> FieldResult<()> {
        let Some(limit) = self.max_questions_per_questioner_per_meeting else {
            return Ok(());
        };
        if already < i64::from(limit) {
            return Ok(());
        }
        Err(FieldError::new(
            field,
            format!(
                "this panel takes up to {limit} question{} per questioner for each meeting; this questioner \
                 has already put {already} to this meeting",
                if limit == 1 { "" } else { "s" }
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::test_support::{date, instant};

    fn rules(days: i32, time: Option<&str>) -> QuestionRules {
        QuestionRules::new(days, time, None, None, &[Addressee::Commissioner], true).unwrap()
    }

    #[test]
    fn the_defaults_are_three_clear_working_days_by_the_end_of_the_day() {
        let defaults = QuestionRules::default();
        // Thursday 16 June 2022: Wednesday 15, Tuesday 14 and Monday 13 are the clear
        // days; Friday 10 is the deadline, late from midnight BST.
        let (day, late) = defaults.deadline(date("2022-06-16")).unwrap();
        assert_eq!(day, date("2022-06-10"));
        assert_eq!(late, instant("2022-06-10T23:00:00Z"));
        assert_eq!(defaults.addressees, vec![Addressee::Commissioner]);
    }

    #[test]
    fn hampshire_wants_fifteen_clear_working_days_across_a_bank_holiday() {
        // A meeting on Friday 10 June 2022: the clear days run back over the spring
        // bank holiday (moved to Thursday 2 June that year) and the Platinum Jubilee one
        // (Friday 3 June) to Wednesday 18 May; Tuesday 17 May is the deadline.
        let (day, _) = rules(15, None).deadline(date("2022-06-10")).unwrap();
        assert_eq!(day, date("2022-05-17"));
    }

    #[test]
    fn devon_and_cornwall_count_five_complete_working_days_over_a_weekend() {
        // Monday 14 November 2022: Mon 7 to Fri 11 are the five; Friday 4 is the deadline.
        let (day, late) = rules(5, None).deadline(date("2022-11-14")).unwrap();
        assert_eq!(day, date("2022-11-04"));
        assert_eq!(late, instant("2022-11-05T00:00:00Z"));
    }

    #[test]
    fn a_noon_deadline_is_noon_london_time_either_side_of_the_clock_change() {
        let sussex = rules(3, Some("12:00"));
        // Thursday 30 March 2023 (BST since Sunday 26): deadline Friday 24 March, GMT.
        let (day, late) = sussex.deadline(date("2023-03-30")).unwrap();
        assert_eq!(day, date("2023-03-24"));
        assert_eq!(late, instant("2023-03-24T12:00:00Z"));
        // Thursday 6 April 2023: deadline Friday 31 March, BST: noon is 11:00 UTC.
        let (day, late) = sussex.deadline(date("2023-04-06")).unwrap();
        assert_eq!(day, date("2023-03-31"));
        assert_eq!(late, instant("2023-03-31T11:00:00Z"));
    }

    #[test]
    fn zero_clear_days_makes_the_working_day_before_the_meeting_the_deadline() {
        // Monday 9 January 2023: the Friday before.
        let (day, _) = rules(0, None).deadline(date("2023-01-09")).unwrap();
        assert_eq!(day, date("2023-01-06"));
    }

    #[test]
    fn values_out_of_range_are_refused_each_by_name() {
        let errors = QuestionRules::new(31, Some("25:00"), Some(0), Some(51), &[], true).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "deadline_clear_working_days",
                "max_words",
                "max_questions_per_questioner_per_meeting",
                "deadline_time",
                "addressees"
            ]
        );
        for text in ["12:0", "1200", "12:00:00", "noon", "+1:00", "12:60", "٠١:٠٠"] {
            assert!(parse_time_of_day("t", text).is_err(), "{text}");
        }
        assert_eq!(
            parse_time_of_day("t", "09:30").unwrap(),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap()
        );
    }

    #[test]
    fn addressees_are_kept_once_each_in_a_fixed_order() {
        let both = QuestionRules::new(
            3,
            None,
            None,
            None,
            &[Addressee::Panel, Addressee::Commissioner, Addressee::Panel],
            true,
        )
        .unwrap();
        assert_eq!(both.addressees, vec![Addressee::Commissioner, Addressee::Panel]);
    }

    #[test]
    fn the_word_limit_quotes_the_rule_and_the_count() {
        let devon = QuestionRules::new(5, None, Some(100), None, &[Addressee::Commissioner], true).unwrap();
        let long = vec!["word"; 131].join(" ");
        assert_eq!(
            devon.check_words("body", &long).unwrap_err().message,
            "questions must be no longer than 100 words; this one has 131"
        );
        let exactly = format!("{} – {}", vec!["word"; 50].join(" "), vec!["word"; 50].join("\n"));
        assert!(devon.check_words("body", &exactly).is_ok());
        assert_eq!(word_count("  Is it — really   done? 1.1 • yes "), 6);
    }

    #[test]
    fn addressee_supplementary_and_per_meeting_rules_name_what_they_refuse() {
        let sussex = QuestionRules::new(3, Some("12:00"), None, Some(2), &[Addressee::Panel], false).unwrap();
        assert!(sussex.check_addressee("addressed_to", Addressee::Panel).is_ok());
        assert_eq!(
            sussex
                .check_addressee("addressed_to", Addressee::Commissioner)
                .unwrap_err()
                .message,
            "this panel takes questions to the panel only; this one is addressed to the commissioner"
        );
        assert!(sussex.check_supplementary("parent_question_id", false).is_ok());
        assert!(sussex.check_supplementary("parent_question_id", true).is_err());
        assert!(sussex.check_questions_per_meeting("meeting_id", 1).is_ok());
        assert!(sussex
            .check_questions_per_meeting("meeting_id", 2)
            .unwrap_err()
            .message
            .starts_with("this panel takes up to 2 questions per questioner"));
        assert!(QuestionRules::default().check_questions_per_meeting("m", 99).is_ok());
    }
}
