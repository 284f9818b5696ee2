//! Working days, bank holidays and the deadlines computed from them. No I/O here.
//!
//! # Bank holidays
//!
//! England and Wales bank holidays are shipped as data in
//! `data/bank-holidays/england-and-wales.txt`, compiled into the binary and parsed once.
//! That file is the only source: to extend it, add lines (`YYYY-MM-DD  Name`) and run
//! `cargo test --lib calendar`, which fails on a date that does not exist, a duplicate
//! or out-of-order line, a line without a name, a year from 2018 to 2030 with fewer than
//! eight holidays, an Easter that is not where the computus puts it, or a holiday that
//! the usual rules do not predict and that the test's list of proclaimed changes does
//! not name (a new one-off holiday goes in that list too, so that a typo cannot pass as
//! one). The file's header says the same for whoever opens it first.
//!
//! Outside the years the file covers, [`Calendar::covers`] is false and only weekends
//! are known: deadlines there would silently ignore bank holidays, so a caller that
//! schedules far ahead should check it.
//!
//! An operator's local holidays (a council closure day, say) are added at run time with
//! [`Calendar::with_extra`].
//!
//! # Public question deadline
//!
//! Public questions "must arrive no later than three clear working days before the
//! panel meeting". A question that arrives on a weekend or a bank holiday is treated as
//! arriving on the next working day, as an office would log it; so the deadline
//! ([`Calendar::question_deadline`]) is a working day, and exactly three working days
//! lie strictly between it and the meeting. A meeting on Thursday 16 June 2022 has
//! Monday 13 to Wednesday 15 as its clear days and Friday 10 June as its deadline (not
//! Sunday 12, which a literal count of days would also allow).
//!
//! # Time zone
//!
//! Deadlines are London dates. `chrono-tz` is not a dependency, so the UK summer time
//! rule is implemented here ([`uk_offset`], [`uk_offset_at`]); it is the rule in force
//! since 1996 and holds for as long as the Summer Time Order is not changed.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

/// How many clear working days must lie between a public question's arrival and the
/// panel meeting it is for.
pub const QUESTION_CLEAR_WORKING_DAYS: i32 = 3;

/// How many days the Commissioner has to publish a response to an inspection report.
///
/// These are calendar days, not working days: the statute (Police Act 1996, s.55)
/// counts days from publication, so weekends and bank holidays do not extend it.
pub const RESPONSE_PERIOD_DAYS: u64 = 56;

const ENGLAND_AND_WALES_FILE: &str = "data/bank-holidays/england-and-wales.txt";
const ENGLAND_AND_WALES_DATA: &str = include_str!("../../data/bank-holidays/england-and-wales.txt");

// The shipped file is fixed at compile time and checked by the tests below, so a parse
// failure here can only follow an edit that was never tested: failing loudly at first
// use is better than a calendar that quietly lacks holidays.
static ENGLAND_AND_WALES: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    parse_holidays(ENGLAND_AND_WALES_DATA)
        .unwrap_or_else(|error| panic!("{ENGLAND_AND_WALES_FILE}: {error}"))
        .into_iter()
        .map(|(date, _name)| date)
        .collect()
});

/// Which days are working days: not a Saturday or Sunday, not a bank holiday, and not
/// one of the extra holidays an operator has configured.
#[derive(Debug, Clone)]
pub struct Calendar {
    bank_holidays: &'static BTreeSet<NaiveDate>,
    extra: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The calendar of England and Wales, with the bank holidays shipped in
    /// `data/bank-holidays/england-and-wales.txt`.
    pub fn england_and_wales() -> Self {
        Self {
            bank_holidays: &ENGLAND_AND_WALES,
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

    /// Whether the shipped bank holiday data covers `date`'s year. Outside it, only
    /// weekends and extra holidays are known.
    pub fn covers(&self, date: NaiveDate) -> bool {
        match (self.bank_holidays.first(), self.bank_holidays.last()) {
            (Some(first), Some(last)) => (first.year()..=last.year()).contains(&date.year()),
            _ => false,
        }
    }

    /// Whether `date` is a bank holiday or an extra holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.bank_holidays.contains(&date) || self.extra.contains(&date)
    }

    /// Whether `date` is a working day: a weekday that is not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// The `n`th working day after `date` (before it when `n` is negative), not counting
    /// `date` itself; `date` unchanged when `n` is zero, even if it is not a working day.
    pub fn add_working_days(&self, date: NaiveDate, n: i32) -> NaiveDate {
        let mut day = date;
        let mut remaining = n.unsigned_abs();
        while remaining > 0 {
            day = if n > 0 { day + Days::new(1) } else { day - Days::new(1) };
            if self.is_working_day(day) {
                remaining -= 1;
            }
        }
        day
    }

    /// The last day on which a public question for a meeting held on `held_on` can
    /// arrive: the working day before the three clear working days before the meeting.
    ///
    /// It is always a working day, and exactly [`QUESTION_CLEAR_WORKING_DAYS`] working
    /// days lie strictly between it and `held_on`. See the module documentation for why
    /// a weekend or a bank holiday is never the deadline.
    pub fn question_deadline(&self, held_on: NaiveDate) -> NaiveDate {
        // The clear days are the three working days before the meeting; the deadline is
        // the working day before those, so one more.
        self.add_working_days(held_on, -(QUESTION_CLEAR_WORKING_DAYS + 1))
    }

    /// The instant from which a public question for a meeting held on `held_on` is
    /// late: 00:00 London time on the day after [`Calendar::question_deadline`].
    ///
    /// The bound is exclusive: a question submitted at `submitted_at` is in time exactly
    /// when `submitted_at < question_deadline_instant(held_on)`. That is "by the end of
    /// the deadline day" without the gap that 23:59:59 would leave for a submission at
    /// 23:59:59.5.
    pub fn question_deadline_instant(&self, held_on: NaiveDate) -> DateTime<Utc> {
        london_midnight(self.question_deadline(held_on) + Days::new(1))
    }
}

/// When the Commissioner's response to an inspection report published on
/// `published_on` is due: [`RESPONSE_PERIOD_DAYS`] calendar days later, whether or not
/// that is a working day.
pub fn response_due_on(published_on: NaiveDate) -> NaiveDate {
    published_on + Days::new(RESPONSE_PERIOD_DAYS)
}

/// The years a date given by a client may fall in. Records of this service start long
/// after 1900 and end long before 2200; a date outside is a typo (the fixture's "9 June
/// 20222144"), and refusing it keeps date arithmetic and PostgreSQL's date range safe.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// `date` as the field named `field`, if its year is in [`PLAUSIBLE_YEARS`].
pub fn plausible_date(field: &str, date: NaiveDate) -> crate::domain::FieldResult<NaiveDate> {
    if PLAUSIBLE_YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(crate::error::FieldError::new(
            field,
            format!(
                "must be a date from {} to {}",
                PLAUSIBLE_YEARS.start(),
                PLAUSIBLE_YEARS.end()
            ),
        ))
    }
}

const GMT: FixedOffset = FixedOffset::east_opt(0).unwrap();
const BST: FixedOffset = FixedOffset::east_opt(3600).unwrap();

/// The UK's offset from UTC at 00:00 London time on `date`: +01:00 (BST) from the day
/// after the last Sunday of March to the last Sunday of October inclusive, +00:00 (GMT)
/// otherwise.
///
/// The clocks change at 01:00 UTC, so on the last Sunday of March the day starts in GMT
/// and on the last Sunday of October it starts in BST. For the offset at a given
/// instant, use [`uk_offset_at`].
pub fn uk_offset(date: NaiveDate) -> FixedOffset {
    let (starts, ends) = summer_time_sundays(date.year());
    if starts < date && date <= ends {
        BST
    } else {
        GMT
    }
}

/// The UK's offset from UTC at `instant`: +01:00 (BST) from 01:00 UTC on the last
/// Sunday of March until 01:00 UTC on the last Sunday of October, +00:00 (GMT)
/// otherwise.
pub fn uk_offset_at(instant: DateTime<Utc>) -> FixedOffset {
    // The changes are in March and October, so the UTC year is London's year whenever
    // it matters.
    let (starts, ends) = summer_time_sundays(instant.year());
    let change = NaiveTime::from_hms_opt(1, 0, 0).unwrap();
    let summer = starts.and_time(change).and_utc()..ends.and_time(change).and_utc();
    if summer.contains(&instant) {
        BST
    } else {
        GMT
    }
}

/// The last Sundays of March and October of `year`, when summer time starts and ends.
fn summer_time_sundays(year: i32) -> (NaiveDate, NaiveDate) {
    // Both months have 31 days, so the last Sunday is the 31st less its distance from
    // Sunday.
    let last_sunday = |month| {
        let last_day = NaiveDate::from_ymd_opt(year, month, 31).unwrap();
        last_day - Days::new(last_day.weekday().num_days_from_sunday().into())
    };
    (last_sunday(3), last_sunday(10))
}

/// The instant that is 00:00 London time on `date`. Midnight is never skipped or
/// repeated in London, because the clocks change at 01:00 or 02:00 local time.
fn london_midnight(date: NaiveDate) -> DateTime<Utc> {
    let offset = TimeDelta::seconds(uk_offset(date).local_minus_utc().into());
    (date.and_time(NaiveTime::MIN) - offset).and_utc()
}

/// Parses a bank holiday file: `YYYY-MM-DD  Name` lines in strictly increasing date
/// order; blank lines and `#` comments are skipped. An error names the line.
fn parse_holidays(text: &str) -> Result<Vec<(NaiveDate, &str)>, String> {
    let mut holidays: Vec<(NaiveDate, &str)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let name = name.trim();
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| format!("line {number}: {date:?} is not a date (YYYY-MM-DD)"))?;
        if name.is_empty() {
            return Err(format!("line {number}: {date} has no name"));
        }
        if holidays.iter().any(|&(seen, _)| seen == date) {
            return Err(format!("line {number}: {date} is listed twice"));
        }
        if let Some(&(previous, _)) = holidays.last() {
            // Order is enforced because a year typed wrong (2032 for 2023) lands out of
            // order, and would otherwise pass as a holiday nobody asked for.
            if date < previous {
                return Err(format!(
                    "line {number}: {date} comes after {previous}; keep the lines in date order"
                ));
            }
        }
        holidays.push((date, name));
    }
    Ok(holidays)
}

/// The service's calendar date (UTC): what "overdue" and "response overdue" are judged
/// against, everywhere.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn instant(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn shipped() -> BTreeMap<NaiveDate, &'static str> {
        parse_holidays(ENGLAND_AND_WALES_DATA).unwrap().into_iter().collect()
    }

    fn working_days_strictly_between(calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> usize {
        from.iter_days()
            .skip(1)
            .take_while(|day| *day < to)
            .filter(|day| calendar.is_working_day(*day))
            .count()
    }

    /// Easter Sunday by the Anonymous Gregorian algorithm (Meeus/Jones/Butcher),
    /// written out here independently of the data file to check it.
    fn easter_sunday(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year / 100;
        let c = year % 100;
        let d = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap()
    }

    // The data file.

    #[test]
    fn the_shipped_bank_holiday_file_parses() {
        if let Err(error) = parse_holidays(ENGLAND_AND_WALES_DATA) {
            panic!("{ENGLAND_AND_WALES_FILE}: {error}");
        }
        assert!(Calendar::england_and_wales().is_holiday(date("2018-01-01")));
    }

    #[test]
    fn every_year_from_2018_to_2030_has_at_least_eight_bank_holidays() {
        let holidays = shipped();
        for year in 2018..=2030 {
            let count = holidays.keys().filter(|day| day.year() == year).count();
            assert!(
                count >= 8,
                "{ENGLAND_AND_WALES_FILE}: {year} has only {count} bank holidays"
            );
        }
    }

    #[test]
    fn good_friday_and_easter_monday_are_where_the_computus_puts_them() {
        let holidays = shipped();
        for year in 2018..=2030 {
            let easter = easter_sunday(year);
            let good_friday = easter - Days::new(2);
            let easter_monday = easter + Days::new(1);
            assert_eq!(
                holidays.get(&good_friday),
                Some(&"Good Friday"),
                "{year}: Good Friday should be {good_friday}"
            );
            assert_eq!(
                holidays.get(&easter_monday),
                Some(&"Easter Monday"),
                "{year}: Easter Monday should be {easter_monday}"
            );
        }
    }

    #[test]
    fn the_computus_gives_known_easter_sundays() {
        // Checks the checker, against Easter dates anyone can look up.
        assert_eq!(easter_sunday(2019), date("2019-04-21"));
        assert_eq!(easter_sunday(2024), date("2024-03-31"));
        assert_eq!(easter_sunday(2027), date("2027-03-28"));
        assert_eq!(easter_sunday(2038), date("2038-04-25"));
    }

    #[test]
    fn every_bank_holiday_is_where_the_usual_rules_or_a_proclamation_put_it() {
        // Holidays proclaimed or moved by royal proclamation, which no rule predicts.
        // A new one goes here as well as in the data file.
        const ADDED: &[&str] = &[
            "2020-05-08", // Early May bank holiday moved for VE Day
            "2022-06-02", // Spring bank holiday moved for the Platinum Jubilee
            "2022-06-03", // Platinum Jubilee
            "2022-09-19", // State Funeral of Queen Elizabeth II
            "2023-05-08", // Coronation of King Charles III
        ];
        const REMOVED: &[&str] = &["2020-05-04", "2022-05-30"];

        let first_weekday_from = |mut day: NaiveDate| {
            while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                day = day + Days::new(1);
            }
            day
        };
        let first_monday = |year, month| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).unwrap();
        let last_monday = |year, month| {
            NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 5)
                .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 4))
                .unwrap()
        };

        let holidays = shipped();
        let first_year = holidays.keys().next().unwrap().year();
        let last_year = holidays.keys().next_back().unwrap().year();
        let mut expected = BTreeSet::new();
        for year in first_year..=last_year {
            let easter = easter_sunday(year);
            let christmas = first_weekday_from(NaiveDate::from_ymd_opt(year, 12, 25).unwrap());
            expected.extend([
                first_weekday_from(NaiveDate::from_ymd_opt(year, 1, 1).unwrap()),
                easter - Days::new(2),
                easter + Days::new(1),
                first_monday(year, 5),
                last_monday(year, 5),
                last_monday(year, 8),
                christmas,
                first_weekday_from(christmas + Days::new(1)),
            ]);
        }
        for day in REMOVED {
            assert!(expected.remove(&date(day)), "{day} is not a usual holiday");
        }
        expected.extend(ADDED.iter().map(|day| date(day)));

        let actual: BTreeSet<NaiveDate> = holidays.keys().copied().collect();
        let unexpected: Vec<_> = actual.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&actual).collect();
        assert!(
            unexpected.is_empty() && missing.is_empty(),
            "{ENGLAND_AND_WALES_FILE}: not predicted by the rules: {unexpected:?}; \
             predicted but missing: {missing:?}"
        );
    }

    #[test]
    fn blank_lines_and_comments_are_skipped_and_names_may_have_spaces() {
        let parsed = parse_holidays("# header\n\n2024-12-25  Christmas Day\n  # indented\n").unwrap();
        assert_eq!(parsed, vec![(date("2024-12-25"), "Christmas Day")]);
    }

    #[test]
    fn a_date_that_does_not_exist_is_rejected_with_its_line_number() {
        let error = parse_holidays("# x\n2023-02-29  Leap day that is not\n").unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
        assert!(error.contains("not a date"), "{error}");
    }

    #[test]
    fn a_duplicate_date_is_rejected() {
        let error = parse_holidays("2023-05-08  Coronation\n2023-05-08  Coronation again\n").unwrap_err();
        assert!(error.contains("listed twice"), "{error}");
    }

    #[test]
    fn a_date_out_of_order_is_rejected_because_it_is_probably_a_typo() {
        let error = parse_holidays("2023-05-08  Coronation\n2013-05-29  Spring\n").unwrap_err();
        assert!(error.contains("date order"), "{error}");
    }

    #[test]
    fn a_line_without_a_name_is_rejected() {
        assert!(parse_holidays("2023-05-08\n").unwrap_err().contains("no name"));
        assert!(parse_holidays("2023-05-08   \n").unwrap_err().contains("no name"));
    }

    // Working days.

    #[test]
    fn weekends_and_bank_holidays_are_not_working_days() {
        let calendar = Calendar::england_and_wales();
        assert!(calendar.is_working_day(date("2022-06-01")));
        assert!(!calendar.is_working_day(date("2022-06-04")), "a Saturday");
        assert!(!calendar.is_working_day(date("2022-06-05")), "a Sunday");
        assert!(!calendar.is_working_day(date("2022-06-02")), "Spring bank holiday");
        assert!(!calendar.is_working_day(date("2022-06-03")), "Platinum Jubilee");
        assert!(!calendar.is_working_day(date("2022-09-19")), "State Funeral");
        assert!(!calendar.is_working_day(date("2023-05-08")), "Coronation");
        assert!(!calendar.is_working_day(date("2020-05-08")), "VE Day");
    }

    #[test]
    fn the_mondays_that_lost_their_holidays_are_working_days() {
        let calendar = Calendar::england_and_wales();
        assert!(calendar.is_working_day(date("2020-05-04")));
        assert!(calendar.is_working_day(date("2022-05-30")));
    }

    #[test]
    fn the_calendar_covers_only_the_years_in_the_data_file() {
        let calendar = Calendar::england_and_wales();
        assert!(!calendar.covers(date("2017-12-31")));
        assert!(calendar.covers(date("2018-01-01")));
        assert!(calendar.covers(date("2030-12-31")));
        assert!(!calendar.covers(date("2031-01-01")));
    }

    #[test]
    fn extra_holidays_are_not_working_days_and_leave_the_default_alone() {
        let local = Calendar::with_extra([date("2022-06-13")]);
        assert!(!local.is_working_day(date("2022-06-13")));
        assert!(!local.is_working_day(date("2022-06-02")), "bank holidays stay");
        assert!(Calendar::england_and_wales().is_working_day(date("2022-06-13")));
    }

    #[test]
    fn adding_working_days_skips_weekends_and_holidays_both_ways() {
        let calendar = Calendar::england_and_wales();
        // Friday 1 June 2022 → Mon 6 June skips Thu 2, Fri 3 (holidays), Sat 4, Sun 5.
        assert_eq!(calendar.add_working_days(date("2022-06-01"), 1), date("2022-06-06"));
        assert_eq!(calendar.add_working_days(date("2022-06-06"), -1), date("2022-06-01"));
        // Thursday 6 April 2023 + 2 skips Good Friday 7 and Easter Monday 10 April.
        assert_eq!(calendar.add_working_days(date("2023-04-06"), 2), date("2023-04-12"));
        assert_eq!(calendar.add_working_days(date("2023-04-12"), -2), date("2023-04-06"));
    }

    #[test]
    fn adding_zero_working_days_returns_the_date_even_at_a_weekend() {
        let calendar = Calendar::england_and_wales();
        assert_eq!(calendar.add_working_days(date("2022-06-04"), 0), date("2022-06-04"));
    }

    // The public question deadline.

    #[test]
    fn a_thursday_meeting_has_the_previous_weeks_friday_as_its_deadline() {
        // Meeting Thu 16 June 2022: clear days Wed 15, Tue 14, Mon 13; deadline Fri 10.
        let calendar = Calendar::england_and_wales();
        assert_eq!(calendar.question_deadline(date("2022-06-16")), date("2022-06-10"));
    }

    #[test]
    fn the_jubilee_bank_holidays_are_not_clear_days() {
        // Meeting Mon 6 June 2022. Thu 2 and Fri 3 June are holidays, so the clear days
        // are Wed 1 June, Tue 31 May and Mon 30 May (a working day that year, its
        // holiday having moved to 2 June); the deadline is Fri 27 May.
        let calendar = Calendar::england_and_wales();
        assert_eq!(calendar.question_deadline(date("2022-06-06")), date("2022-05-27"));
    }

    #[test]
    fn a_meeting_after_new_year_counts_back_over_the_holidays() {
        let calendar = Calendar::england_and_wales();
        // Meeting Mon 8 January 2024: clear days Fri 5, Thu 4, Wed 3 January; the
        // working day before them is Tue 2 January (Mon 1 January is New Year's Day but
        // is not reached).
        assert_eq!(calendar.question_deadline(date("2024-01-08")), date("2024-01-02"));
        // Meeting Thu 4 January 2024: clear days Wed 3 and Tue 2 January, then (past
        // New Year's Day and the weekend of 30-31 December) Fri 29 December; the
        // deadline is Thu 28 December 2023, after the Christmas holidays of 25-26.
        assert_eq!(calendar.question_deadline(date("2024-01-04")), date("2023-12-28"));
    }

    #[test]
    fn a_meeting_after_easter_counts_back_over_good_friday_and_easter_monday() {
        // Meeting Tue 11 April 2023: Mon 10 (Easter Monday), Sun 9, Sat 8 and Fri 7
        // (Good Friday) are not working days; the clear days are Thu 6, Wed 5, Tue 4,
        // and the deadline is Mon 3 April.
        let calendar = Calendar::england_and_wales();
        assert_eq!(calendar.question_deadline(date("2023-04-11")), date("2023-04-03"));
    }

    #[test]
    fn the_coronation_bank_holiday_moves_the_deadline_back_a_day() {
        // Meeting Thu 11 May 2023: clear days Wed 10, Tue 9 and, past the Coronation on
        // Mon 8 and the weekend, Fri 5 May; the deadline is Thu 4 May. Without the
        // Coronation it would have been Fri 5 May.
        let calendar = Calendar::england_and_wales();
        assert_eq!(calendar.question_deadline(date("2023-05-11")), date("2023-05-04"));
    }

    #[test]
    fn an_extra_holiday_moves_the_deadline_back() {
        // With Mon 13 June 2022 a local holiday, the clear days before Thu 16 June are
        // Wed 15, Tue 14 and Fri 10, so the deadline is Thu 9 June instead of Fri 10.
        let local = Calendar::with_extra([date("2022-06-13")]);
        assert_eq!(local.question_deadline(date("2022-06-16")), date("2022-06-09"));
    }

    #[test]
    fn every_deadline_from_2022_to_2026_is_the_last_working_day_with_three_clear_days() {
        let calendar = Calendar::england_and_wales();
        for held_on in date("2022-01-01").iter_days().take_while(|day| day.year() <= 2026) {
            let deadline = calendar.question_deadline(held_on);
            assert!(deadline < held_on);
            assert!(
                calendar.is_working_day(deadline),
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
                .filter(|day| calendar.is_working_day(*day))
                .find(|day| working_days_strictly_between(&calendar, *day, held_on) >= 3);
            assert_eq!(later, None, "{held_on}: deadline {deadline}");
        }
    }

    #[test]
    fn the_deadline_instant_is_midnight_london_time_after_the_deadline_day() {
        let calendar = Calendar::england_and_wales();
        // Deadline Fri 10 June 2022, in summer time: London midnight is 23:00 UTC.
        let cutoff = calendar.question_deadline_instant(date("2022-06-16"));
        assert_eq!(cutoff, instant("2022-06-10T23:00:00Z"));
        assert!(instant("2022-06-10T22:59:59.999Z") < cutoff, "in time");
        assert!(instant("2022-06-10T23:00:00Z") >= cutoff, "late");
        // Deadline Tue 2 January 2024, in winter: London midnight is midnight UTC.
        assert_eq!(
            calendar.question_deadline_instant(date("2024-01-08")),
            instant("2024-01-03T00:00:00Z")
        );
    }

    #[test]
    fn the_deadline_instant_follows_the_clocks_around_the_changes() {
        let calendar = Calendar::england_and_wales();
        // Deadline Fri 25 March 2022: it ends before the clocks go forward on Sun 27.
        assert_eq!(calendar.question_deadline(date("2022-03-31")), date("2022-03-25"));
        assert_eq!(
            calendar.question_deadline_instant(date("2022-03-31")),
            instant("2022-03-26T00:00:00Z")
        );
        // Deadline Mon 28 March 2022: the first working day in summer time.
        assert_eq!(calendar.question_deadline(date("2022-04-01")), date("2022-03-28"));
        assert_eq!(
            calendar.question_deadline_instant(date("2022-04-01")),
            instant("2022-03-28T23:00:00Z")
        );
        // Deadline Fri 28 October 2022: still summer time until Sun 30.
        assert_eq!(calendar.question_deadline(date("2022-11-03")), date("2022-10-28"));
        assert_eq!(
            calendar.question_deadline_instant(date("2022-11-03")),
            instant("2022-10-28T23:00:00Z")
        );
        // Deadline Mon 31 October 2022: back in GMT.
        assert_eq!(calendar.question_deadline(date("2022-11-04")), date("2022-10-31"));
        assert_eq!(
            calendar.question_deadline_instant(date("2022-11-04")),
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

    // UK time.

    fn hours(offset: FixedOffset) -> i32 {
        offset.local_minus_utc() / 3600
    }

    #[test]
    fn london_days_start_in_gmt_on_the_day_the_clocks_go_forward() {
        // Sunday 27 March 2022: the clocks go forward at 01:00 GMT, after midnight.
        assert_eq!(hours(uk_offset(date("2022-03-26"))), 0);
        assert_eq!(hours(uk_offset(date("2022-03-27"))), 0);
        assert_eq!(hours(uk_offset(date("2022-03-28"))), 1);
    }

    #[test]
    fn london_days_start_in_bst_on_the_day_the_clocks_go_back() {
        // Sunday 30 October 2022: the clocks go back at 02:00 BST, after midnight.
        assert_eq!(hours(uk_offset(date("2022-10-29"))), 1);
        assert_eq!(hours(uk_offset(date("2022-10-30"))), 1);
        assert_eq!(hours(uk_offset(date("2022-10-31"))), 0);
    }

    #[test]
    fn the_clocks_change_at_one_in_the_morning_utc() {
        assert_eq!(hours(uk_offset_at(instant("2022-03-27T00:59:59Z"))), 0);
        assert_eq!(hours(uk_offset_at(instant("2022-03-27T01:00:00Z"))), 1);
        assert_eq!(hours(uk_offset_at(instant("2022-10-30T00:59:59Z"))), 1);
        assert_eq!(hours(uk_offset_at(instant("2022-10-30T01:00:00Z"))), 0);
        assert_eq!(hours(uk_offset_at(instant("2022-01-15T12:00:00Z"))), 0);
        assert_eq!(hours(uk_offset_at(instant("2022-07-15T12:00:00Z"))), 1);
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_published_sundays() {
        // Including 2024, whose last Sunday of March is the 31st itself.
        for (year, starts, ends) in [
            (2023, "2023-03-26", "2023-10-29"),
            (2024, "2024-03-31", "2024-10-27"),
            (2025, "2025-03-30", "2025-10-26"),
            (2026, "2026-03-29", "2026-10-25"),
        ] {
            assert_eq!(summer_time_sundays(year), (date(starts), date(ends)));
        }
    }

    #[test]
    fn the_offset_of_a_day_is_the_offset_at_its_london_midnight() {
        for day in date("2018-01-01").iter_days().take_while(|day| day.year() <= 2030) {
            assert_eq!(uk_offset_at(london_midnight(day)), uk_offset(day), "{day}");
        }
    }
}
