//! Working days, bank holidays and the deadlines computed from them. No I/O here.
//!
//! # Bank holidays
//!
//! England and Wales bank holidays are computed by their rules (Easter by the
//! computus, weekend holidays moved to the next weekdays) for every year in
//! [`VOUCHED_YEARS`], 1978 to 2099; the one-offs that royal proclamation added or moved
//! (jubilees, royal weddings, a state funeral, a coronation) are the only data, in
//! `data/bank-holidays/england-and-wales-one-offs.txt`, compiled into the binary. See
//! `holidays` for the rules and `cargo test --lib calendar` for the checks of the file.
//!
//! Outside [`VOUCHED_YEARS`] the calendar knows nothing, and says so: every rule that
//! would need such a day returns [`Unvouched`] (which the API turns into a 422 naming
//! the date's field) rather than count it as a working day.
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
//! since 1996 ([`SUMMER_TIME_RULE_SINCE`]; a deadline instant before it is
//! [`Unvouched`]) and holds for as long as the Summer Time Order is not changed.
//!
//! # Where it is
//!
//! The bank holiday rules, the one-offs and their checks are in `holidays`, the working-day and
//! deadline rules in `working_days`, the UK time offset in `uk_time`; this file
//! re-exports what the rest of the crate uses and holds the two date rules that are
//! not about the calendar of working days ([`plausible_date`], [`today`]).

mod holidays;
mod uk_time;
mod working_days;

pub use holidays::VOUCHED_YEARS;
pub use uk_time::{uk_offset, uk_offset_at, SUMMER_TIME_RULE_SINCE};
pub use working_days::{response_due_on, Calendar, Unvouched, QUESTION_CLEAR_WORKING_DAYS, RESPONSE_PERIOD_DAYS};

use chrono::{Datelike, NaiveDate};

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

/// The service's calendar date (UTC): what "overdue" and "response overdue" are judged
/// against, everywhere.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Today's date in London: what a written follow-up promised at a panel meeting is
/// overdue against (the panel's own calendar, not UTC's).
pub fn london_today() -> NaiveDate {
    let now = chrono::Utc::now();
    now.with_timezone(&uk_time::uk_offset_at(now)).date_naive()
}

/// Short ways to write the dates and instants the calendar's tests are about.
#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{DateTime, NaiveDate, Utc};

    pub(crate) fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    pub(crate) fn instant(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }
}
