//! UK time: the offset from UTC in London on a given day or at a given instant.
//!
//! Deadlines are London dates, and `chrono-tz` is not a dependency, so the summer time
//! rule is written out here: the clocks go forward at 01:00 UTC on the last Sunday of
//! March and back at 01:00 UTC on the last Sunday of October. That is the rule in force
//! since 1996, and it holds for as long as the Summer Time Order is not changed.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

/// The first year of the summer time rule written here (last Sundays of March and
/// October, at 01:00 UTC). Before it the clocks went back on another Sunday in some
/// years, so London dates before it are not vouched for.
pub const SUMMER_TIME_RULE_SINCE: i32 = 1996;

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
pub(super) fn london_midnight(date: NaiveDate) -> DateTime<Utc> {
    london_time(date, NaiveTime::MIN)
}

/// The instant that is `time` London time on `date`, for a day on which the clocks do
/// not change (every working day: they change on Sundays), so the offset at midnight
/// holds all day.
pub(super) fn london_time(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let offset = TimeDelta::seconds(uk_offset(date).local_minus_utc().into());
    (date.and_time(time) - offset).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::test_support::{date, instant};

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
