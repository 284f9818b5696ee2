//! The rules: which days are working days, and the deadlines counted from them.
//!
//! A [`Calendar`] combines the bank holidays (`holidays`) with an operator's
//! extra closures and answers the questions the service asks of dates: is this a
//! working day, what is the public question deadline for a meeting, and from what
//! instant is a question late (in London time, from `uk_time`). The response period for
//! an inspection report is in calendar days, not working days, and is here too so that
//! every deadline rule is in one place.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};

use super::holidays::{self, is_weekend, VOUCHED_YEARS};
use super::uk_time::{london_midnight, london_time, SUMMER_TIME_RULE_SINCE};

/// How many clear working days must lie between a public question's arrival and the
/// panel meeting it is for.
pub const QUESTION_CLEAR_WORKING_DAYS: i32 = 3;

/// How many days the Commissioner has to publish a response to an inspection report.
///
/// These are calendar days, not working days: the statute (Police Act 1996, s.55)
/// counts days from publication, so weekends and bank holidays do not extend it.
pub const RESPONSE_PERIOD_DAYS: u64 = 56;

/// A date whose bank holidays the calendar does not know (outside
/// [`VOUCHED_YEARS`]), or, for an instant, whose London time it does not know (before
/// [`SUMMER_TIME_RULE_SINCE`]): the rule that needed it refuses to answer rather than
/// answer wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unvouched {
    /// The first date the calendar was asked about and does not know.
    pub date: NaiveDate,
}

impl std::fmt::Display for Unvouched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the working-day calendar knows England and Wales bank holidays from {} to {} only, not {}",
            VOUCHED_YEARS.start(),
            VOUCHED_YEARS.end(),
            self.date
        )
    }
}

/// Which days are working days: not a Saturday or Sunday, not a bank holiday, and not
/// one of the extra holidays an operator has configured.
#[derive(Debug, Clone)]
pub struct Calendar {
    bank_holidays: &'static BTreeSet<NaiveDate>,
    extra: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The calendar of England and Wales: the bank holidays of every year in
    /// [`VOUCHED_YEARS`], by rule and proclamation (see `holidays`).
    pub fn england_and_wales() -> Self {
        Self {
            bank_holidays: holidays::england_and_wales(),
            extra: BTreeSet::new(),
        }
    }

    /// The calendar of England and Wales plus `dates` as extra holidays, for local
    /// closures that an operator configures (dates at a weekend change nothing).
    pub fn with_extra(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            extra: dates.into_iter().collect(),
            ..Self::england_and_wales()
        }
    }

    /// Whether the calendar knows the bank holidays of `date`'s year
    /// ([`VOUCHED_YEARS`]).
    pub fn covers(&self, date: NaiveDate) -> bool {
        VOUCHED_YEARS.contains(&date.year())
    }

    /// Whether `date` is a bank holiday or an extra holiday; [`Unvouched`] outside
    /// [`VOUCHED_YEARS`].
    pub fn is_holiday(&self, date: NaiveDate) -> Result<bool, Unvouched> {
        if !self.covers(date) {
            return Err(Unvouched { date });
        }
        Ok(self.bank_holidays.contains(&date) || self.extra.contains(&date))
    }

    /// Whether `date` is a working day: a weekday that is not a holiday; [`Unvouched`]
    /// outside [`VOUCHED_YEARS`], even at a weekend, so that no count of working days
    /// can quietly run past what the calendar knows.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, Unvouched> {
        Ok(!self.is_holiday(date)? && !is_weekend(date))
    }

    /// The `n`th working day after `date` (before it when `n` is negative), not counting
    /// `date` itself; `date` unchanged when `n` is zero, even if it is not a working day.
    /// [`Unvouched`] when the count reaches a day outside [`VOUCHED_YEARS`].
    pub fn add_working_days(&self, date: NaiveDate, n: i32) -> Result<NaiveDate, Unvouched> {
        let mut day = date;
        let mut remaining = n.unsigned_abs();
        while remaining > 0 {
            let next = if n > 0 { day.succ_opt() } else { day.pred_opt() };
            day = next.ok_or(Unvouched { date: day })?;
            if self.is_working_day(day)? {
                remaining -= 1;
            }
        }
        Ok(day)
    }

    /// The last day on which a public question for a meeting held on `held_on` can
    /// arrive: the working day before the three clear working days before the meeting.
    ///
    /// It is always a working day, and exactly [`QUESTION_CLEAR_WORKING_DAYS`] working
    /// days lie strictly between it and `held_on`. See the module documentation for why
    /// a weekend or a bank holiday is never the deadline. [`Unvouched`] when the
    /// meeting or a day counted back from it is outside [`VOUCHED_YEARS`].
    pub fn question_deadline(&self, held_on: NaiveDate) -> Result<NaiveDate, Unvouched> {
        self.question_deadline_with(held_on, QUESTION_CLEAR_WORKING_DAYS)
    }

    /// The same for a panel that asks for `clear_working_days` (0 or more) clear working
    /// days: exactly that many working days lie strictly between the deadline and
    /// `held_on` (see [`crate::domain::question_rules::QuestionRules`]).
    pub fn question_deadline_with(&self, held_on: NaiveDate, clear_working_days: i32) -> Result<NaiveDate, Unvouched> {
        if !self.covers(held_on) {
            return Err(Unvouched { date: held_on });
        }
        // The clear days are the working days before the meeting; the deadline is the
        // working day before those, so one more.
        self.add_working_days(held_on, -(clear_working_days.max(0) + 1))
    }

    /// The instant from which a public question for a meeting held on `held_on` is
    /// late: 00:00 London time on the day after [`Calendar::question_deadline`].
    ///
    /// The bound is exclusive: a question submitted at `submitted_at` is in time exactly
    /// when `submitted_at < question_deadline_instant(held_on)`. That is "by the end of
    /// the deadline day" without the gap that 23:59:59 would leave for a submission at
    /// 23:59:59.5. [`Unvouched`] as for the deadline, and for a deadline before
    /// [`SUMMER_TIME_RULE_SINCE`], whose London midnight the summer time rule in force
    /// since then would misplace.
    pub fn question_deadline_instant(&self, held_on: NaiveDate) -> Result<DateTime<Utc>, Unvouched> {
        self.deadline_instant(self.question_deadline(held_on)?, None)
    }

    /// The instant from which something due on the working day `day` is late: `time`
    /// London time on `day` (a working day's clocks never change), or with no time
    /// 00:00 London time on the day after. [`Unvouched`] for a day before
    /// [`SUMMER_TIME_RULE_SINCE`], whose London time the summer time rule in force since
    /// then would misplace.
    pub fn deadline_instant(&self, day: NaiveDate, time: Option<NaiveTime>) -> Result<DateTime<Utc>, Unvouched> {
        if day.year() < SUMMER_TIME_RULE_SINCE {
            return Err(Unvouched { date: day });
        }
        Ok(match time {
            None => london_midnight(day + Days::new(1)),
            Some(time) => london_time(day, time),
        })
    }
}

/// When the Commissioner's response to an inspection report published on
/// `published_on` is due: [`RESPONSE_PERIOD_DAYS`] calendar days later, whether or not
/// that is a working day.
pub fn response_due_on(published_on: NaiveDate) -> NaiveDate {
    published_on + Days::new(RESPONSE_PERIOD_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::test_support::{date, instant};

    fn working_days_strictly_between(calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> usize {
        from.iter_days()
            .skip(1)
            .take_while(|day| *day < to)
            .filter(|day| calendar.is_working_day(*day).unwrap())
            .count()
    }

    #[test]
    fn weekends_and_bank_holidays_are_not_working_days() {
        let calendar = Calendar::england_and_wales();
        assert!(calendar.is_working_day(date("2022-06-01")).unwrap());
        assert!(!calendar.is_working_day(date("2022-06-04")).unwrap(), "a Saturday");
        assert!(!calendar.is_working_day(date("2022-06-05")).unwrap(), "a Sunday");
        assert!(
            !calendar.is_working_day(date("2022-06-02")).unwrap(),
            "Spring bank holiday"
        );
        assert!(
            !calendar.is_working_day(date("2022-06-03")).unwrap(),
            "Platinum Jubilee"
        );
        assert!(!calendar.is_working_day(date("2022-09-19")).unwrap(), "State Funeral");
        assert!(!calendar.is_working_day(date("2023-05-08")).unwrap(), "Coronation");
        assert!(!calendar.is_working_day(date("2020-05-08")).unwrap(), "VE Day");
    }

    #[test]
    fn the_mondays_that_lost_their_holidays_are_working_days() {
        let calendar = Calendar::england_and_wales();
        assert!(calendar.is_working_day(date("2020-05-04")).unwrap());
        assert!(calendar.is_working_day(date("2022-05-30")).unwrap());
    }

    #[test]
    fn the_calendar_covers_1978_to_2099_and_refuses_to_guess_outside() {
        let calendar = Calendar::england_and_wales();
        assert!(!calendar.covers(date("1977-12-31")));
        assert!(calendar.covers(date("1978-01-01")));
        assert!(calendar.covers(date("2099-12-31")));
        assert!(!calendar.covers(date("2100-01-01")));
        let outside = Unvouched {
            date: date("2100-01-01"),
        };
        assert_eq!(calendar.is_working_day(date("2100-01-01")), Err(outside));
        assert_eq!(
            calendar.is_working_day(date("2100-01-02")),
            Err(Unvouched {
                date: date("2100-01-02")
            }),
            "a Saturday, still unknown"
        );
        assert_eq!(
            calendar.question_deadline(date("2100-03-01")),
            Err(Unvouched {
                date: date("2100-03-01")
            })
        );
        assert!(outside.to_string().contains("1978 to 2099"), "{outside}");
    }

    #[test]
    fn a_count_of_working_days_that_runs_out_of_the_vouched_years_is_refused() {
        let calendar = Calendar::england_and_wales();
        // Meeting Wed 4 January 1978: the clear days reach back into 1977.
        assert_eq!(
            calendar.question_deadline(date("1978-01-04")),
            Err(Unvouched {
                date: date("1977-12-31")
            })
        );
        assert_eq!(
            calendar.question_deadline(date("1978-01-10")).unwrap(),
            date("1978-01-04")
        );
        assert_eq!(
            calendar.add_working_days(date("2099-12-31"), 1),
            Err(Unvouched {
                date: date("2100-01-01")
            })
        );
        assert_eq!(
            calendar.add_working_days(NaiveDate::MIN, -1),
            Err(Unvouched { date: NaiveDate::MIN })
        );
        // The deadline is known, but London time before 1996 is not.
        assert!(calendar.question_deadline(date("1990-06-14")).is_ok());
        assert!(calendar.question_deadline_instant(date("1990-06-14")).is_err());
        assert!(calendar.question_deadline_instant(date("2000-01-10")).is_ok());
    }

    #[test]
    fn easter_is_not_counted_as_working_days_in_years_past_the_old_table() {
        // The old table ended in 2030 and counted Good Friday and Easter Monday as
        // working days after it; a meeting on Thu 17 April 2031 had the deadline Fri 11
        // April (Good Friday) instead of Wed 9 April.
        let calendar = Calendar::england_and_wales();
        for (held_on, deadline) in [
            ("2031-04-17", "2031-04-09"),
            ("2012-04-12", "2012-04-04"),
            ("2035-03-29", "2035-03-21"),
            ("2040-04-05", "2040-03-28"),
            ("2099-04-16", "2099-04-08"),
        ] {
            assert_eq!(
                calendar.question_deadline(date(held_on)).unwrap(),
                date(deadline),
                "{held_on}"
            );
        }
        // 2012's Diamond Jubilee: meeting Fri 8 June; Mon 4 and Tue 5 are holidays.
        assert_eq!(
            calendar.question_deadline(date("2012-06-08")).unwrap(),
            date("2012-05-31")
        );
    }

    #[test]
    fn extra_holidays_are_not_working_days_and_leave_the_default_alone() {
        let local = Calendar::with_extra([date("2022-06-13")]);
        assert!(!local.is_working_day(date("2022-06-13")).unwrap());
        assert!(!local.is_working_day(date("2022-06-02")).unwrap(), "bank holidays stay");
        assert!(Calendar::england_and_wales()
            .is_working_day(date("2022-06-13"))
            .unwrap());
    }

    #[test]
    fn adding_working_days_skips_weekends_and_holidays_both_ways() {
        let calendar = Calendar::england_and_wales();
        // Friday 1 June 2022 → Mon 6 June skips Thu 2, Fri 3 (holidays), Sat 4, Sun 5.
        assert_eq!(
            calendar.add_working_days(date("2022-06-01"), 1).unwrap(),
            date("2022-06-06")
        );
        assert_eq!(
            calendar.add_working_days(date("2022-06-06"), -1).unwrap(),
            date("2022-06-01")
        );
        // Thursday 6 April 2023 + 2 skips Good Friday 7 and Easter Monday 10 April.
        assert_eq!(
            calendar.add_working_days(date("2023-04-06"), 2).unwrap(),
            date("2023-04-12")
        );
        assert_eq!(
            calendar.add_working_days(date("2023-04-12"), -2).unwrap(),
            date("2023-04-06")
        );
    }

    #[test]
    fn adding_zero_working_days_returns_the_date_even_at_a_weekend() {
        let calendar = Calendar::england_and_wales();
        assert_eq!(
            calendar.add_working_days(date("2022-06-04"), 0).unwrap(),
            date("2022-06-04")
        );
    }

    // The public question deadline.

    #[test]
    fn a_thursday_meeting_has_the_previous_weeks_friday_as_its_deadline() {
        // Meeting Thu 16 June 2022: clear days Wed 15, Tue 14, Mon 13; deadline Fri 10.
        let calendar = Calendar::england_and_wales();
        assert_eq!(
            calendar.question_deadline(date("2022-06-16")).unwrap(),
            date("2022-06-10")
        );
    }

    #[test]
    fn the_jubilee_bank_holidays_are_not_clear_days() {
        // Meeting Mon 6 June 2022. Thu 2 and Fri 3 June are holidays, so the clear days
        // are Wed 1 June, Tue 31 May and Mon 30 May (a working day that year, its
        // holiday having moved to 2 June); the deadline is Fri 27 May.
        let calendar = Calendar::england_and_wales();
        assert_eq!(
            calendar.question_deadline(date("2022-06-06")).unwrap(),
            date("2022-05-27")
        );
    }

    #[test]
    fn a_meeting_after_new_year_counts_back_over_the_holidays() {
        let calendar = Calendar::england_and_wales();
        // Meeting Mon 8 January 2024: clear days Fri 5, Thu 4, Wed 3 January; the
        // working day before them is Tue 2 January (Mon 1 January is New Year's Day but
        // is not reached).
        assert_eq!(
            calendar.question_deadline(date("2024-01-08")).unwrap(),
            date("2024-01-02")
        );
        // Meeting Thu 4 January 2024: clear days Wed 3 and Tue 2 January, then (past
        // New Year's Day and the weekend of 30-31 December) Fri 29 December; the
        // deadline is Thu 28 December 2023, after the Christmas holidays of 25-26.
        assert_eq!(
            calendar.question_deadline(date("2024-01-04")).unwrap(),
            date("2023-12-28")
        );
    }

    #[test]
    fn a_meeting_after_easter_counts_back_over_good_friday_and_easter_monday() {
        // Meeting Tue 11 April 2023: Mon 10 (Easter Monday), Sun 9, Sat 8 and Fri 7
        // (Good Friday) are not working days; the clear days are Thu 6, Wed 5, Tue 4,
        // and the deadline is Mon 3 April.
        let calendar = Calendar::england_and_wales();
        assert_eq!(
            calendar.question_deadline(date("2023-04-11")).unwrap(),
            date("2023-04-03")
        );
    }

    #[test]
    fn the_coronation_bank_holiday_moves_the_deadline_back_a_day() {
        // Meeting Thu 11 May 2023: clear days Wed 10, Tue 9 and, past the Coronation on
        // Mon 8 and the weekend, Fri 5 May; the deadline is Thu 4 May. Without the
        // Coronation it would have been Fri 5 May.
        let calendar = Calendar::england_and_wales();
        assert_eq!(
            calendar.question_deadline(date("2023-05-11")).unwrap(),
            date("2023-05-04")
        );
    }

    #[test]
    fn an_extra_holiday_moves_the_deadline_back() {
        // With Mon 13 June 2022 a local holiday, the clear days before Thu 16 June are
        // Wed 15, Tue 14 and Fri 10, so the deadline is Thu 9 June instead of Fri 10.
        let local = Calendar::with_extra([date("2022-06-13")]);
        assert_eq!(local.question_deadline(date("2022-06-16")).unwrap(), date("2022-06-09"));
    }

    #[test]
    fn every_deadline_in_the_vouched_years_is_the_last_working_day_with_three_clear_days() {
        let calendar = Calendar::england_and_wales();
        for held_on in date("1978-01-10").iter_days().take_while(|day| day.year() <= 2099) {
            let deadline = calendar.question_deadline(held_on).unwrap();
            assert!(deadline < held_on);
            assert!(
                calendar.is_working_day(deadline).unwrap(),
                "{held_on}: deadline {deadline} is not a working day"
            );
            assert_eq!(
                working_days_strictly_between(&calendar, deadline, held_on),
                3,
                "{held_on}: deadline {deadline}"
            );
            // And no later working day would still leave three clear days.
            let later = deadline
                .iter_days()
                .skip(1)
                .take_while(|day| *day < held_on)
                .filter(|day| calendar.is_working_day(*day).unwrap())
                .find(|day| working_days_strictly_between(&calendar, *day, held_on) >= 3);
            assert_eq!(later, None, "{held_on}: deadline {deadline}");
        }
    }

    #[test]
    fn the_deadline_instant_is_midnight_london_time_after_the_deadline_day() {
        let calendar = Calendar::england_and_wales();
        // Deadline Fri 10 June 2022, in summer time: London midnight is 23:00 UTC.
        let cutoff = calendar.question_deadline_instant(date("2022-06-16")).unwrap();
        assert_eq!(cutoff, instant("2022-06-10T23:00:00Z"));
        assert!(instant("2022-06-10T22:59:59.999Z") < cutoff, "in time");
        assert!(instant("2022-06-10T23:00:00Z") >= cutoff, "late");
        // Deadline Tue 2 January 2024, in winter: London midnight is midnight UTC.
        assert_eq!(
            calendar.question_deadline_instant(date("2024-01-08")).unwrap(),
            instant("2024-01-03T00:00:00Z")
        );
    }

    #[test]
    fn the_deadline_instant_follows_the_clocks_around_the_changes() {
        let calendar = Calendar::england_and_wales();
        // Deadline Fri 25 March 2022: it ends before the clocks go forward on Sun 27.
        assert_eq!(
            calendar.question_deadline(date("2022-03-31")).unwrap(),
            date("2022-03-25")
        );
        assert_eq!(
            calendar.question_deadline_instant(date("2022-03-31")).unwrap(),
            instant("2022-03-26T00:00:00Z")
        );
        // Deadline Mon 28 March 2022: the first working day in summer time.
        assert_eq!(
            calendar.question_deadline(date("2022-04-01")).unwrap(),
            date("2022-03-28")
        );
        assert_eq!(
            calendar.question_deadline_instant(date("2022-04-01")).unwrap(),
            instant("2022-03-28T23:00:00Z")
        );
        // Deadline Fri 28 October 2022: still summer time until Sun 30.
        assert_eq!(
            calendar.question_deadline(date("2022-11-03")).unwrap(),
            date("2022-10-28")
        );
        assert_eq!(
            calendar.question_deadline_instant(date("2022-11-03")).unwrap(),
            instant("2022-10-28T23:00:00Z")
        );
        // Deadline Mon 31 October 2022: back in GMT.
        assert_eq!(
            calendar.question_deadline(date("2022-11-04")).unwrap(),
            date("2022-10-31")
        );
        assert_eq!(
            calendar.question_deadline_instant(date("2022-11-04")).unwrap(),
            instant("2022-11-01T00:00:00Z")
        );
    }

    // Response due dates.

    #[test]
    fn a_response_is_due_56_calendar_days_later_across_month_and_year_ends() {
        assert_eq!(response_due_on(date("2022-11-15")), date("2023-01-10"));
        // 2024 is a leap year: 15 January + 56 days passes 29 February.
        assert_eq!(response_due_on(date("2024-01-15")), date("2024-03-11"));
    }

    #[test]
    fn a_response_due_date_is_not_moved_off_a_bank_holiday() {
        // Calendar days: 31 October 2022 + 56 is Boxing Day, and stays so.
        assert_eq!(response_due_on(date("2022-10-31")), date("2022-12-26"));
    }
}
