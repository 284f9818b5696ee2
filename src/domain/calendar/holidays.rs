//! The bank holidays of England and Wales: computed by their rules for every year in
//! [`VOUCHED_YEARS`], with the one-offs that royal proclamation added or moved read
//! from `data/bank-holidays/england-and-wales-one-offs.txt`.
//!
//! The rules (Banking and Financial Dealings Act 1971 and the proclamations made every
//! year under it since 1978): New Year's Day, Good Friday, Easter Monday, the first
//! Monday in May, the last Monday in May, the last Monday in August, Christmas Day and
//! Boxing Day. New Year's Day at a weekend moves to the next Monday; Christmas Day and
//! Boxing Day take the first two weekdays from 25 December. Easter is the Gregorian
//! Easter ([`easter_sunday`]).
//!
//! What no rule predicts (a jubilee, a royal wedding, a state funeral, a holiday moved
//! for one) is in the one-offs file, and only there. Outside [`VOUCHED_YEARS`] nothing
//! is known: the working-day rules refuse such a date rather than treat it as a year
//! without holidays.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The years whose bank holidays the service knows: from 1978, the first year with the
/// Early May bank holiday (so the first in which today's rules all held), to 2099, a
/// horizon for the rules as they stand. A year outside is refused, never guessed. A
/// holiday proclaimed in future (as for a jubilee) is not known until it is added to the
/// one-offs file.
pub const VOUCHED_YEARS: RangeInclusive<i32> = 1978..=2099;

const ONE_OFFS_FILE: &str = "data/bank-holidays/england-and-wales-one-offs.txt";
const ONE_OFFS_DATA: &str = include_str!("../../../data/bank-holidays/england-and-wales-one-offs.txt");

// The shipped file is fixed at compile time and checked by this file's tests, so a
// failure here can only follow an edit that was never tested: failing loudly at first
// use is better than a calendar that quietly lacks holidays.
static ENGLAND_AND_WALES: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    let one_offs = parse_one_offs(ONE_OFFS_DATA)
        .and_then(|one_offs| check_one_offs(&one_offs).map(|()| one_offs))
        .unwrap_or_else(|error| panic!("{ONE_OFFS_FILE}: {error}"));
    apply(VOUCHED_YEARS.flat_map(by_rule).collect(), &one_offs)
});

/// Easter Sunday of `year` in the Gregorian calendar, by the anonymous Gregorian
/// algorithm (Meeus/Jones/Butcher), valid for every Gregorian year.
pub(super) fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
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
    date(year, month as u32, day as u32)
}

/// A date the rules build; each is a real date for every year chrono can hold.
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// Whether `day` is a Saturday or a Sunday.
pub(super) fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `day`, or the first weekday after it.
fn first_weekday_from(mut day: NaiveDate) -> NaiveDate {
    while is_weekend(day) {
        day = day + Days::new(1);
    }
    day
}

/// The first Monday of `month`.
fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = date(year, month, 1);
    first + Days::new(u64::from((7 - first.weekday().num_days_from_monday()) % 7))
}

/// The last Monday of `month` (May or August: 31 days).
fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = date(year, month, 31);
    last - Days::new(u64::from(last.weekday().num_days_from_monday()))
}

/// The eight bank holidays the rules give in `year`, in date order.
fn by_rule(year: i32) -> [NaiveDate; 8] {
    let easter = easter_sunday(year);
    let christmas = first_weekday_from(date(year, 12, 25));
    [
        first_weekday_from(date(year, 1, 1)),
        easter - Days::new(2),
        easter + Days::new(1),
        first_monday(year, 5),
        last_monday(year, 5),
        last_monday(year, 8),
        christmas,
        first_weekday_from(christmas + Days::new(1)),
    ]
}

/// A line of the one-offs file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OneOff {
    /// `+`: a holiday the rules do not give.
    Added,
    /// `-`: a day the rules give that is not a holiday that year.
    Removed,
}

/// Parses the one-offs file: `+ YYYY-MM-DD  Name` and `- YYYY-MM-DD  Why` lines in
/// strictly increasing date order; blank lines and `#` comments are skipped. An error
/// names the line.
fn parse_one_offs(text: &str) -> Result<Vec<(OneOff, NaiveDate, &str)>, String> {
    let mut one_offs: Vec<(OneOff, NaiveDate, &str)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (change, rest) = match line.split_at(1) {
            ("+", rest) => (OneOff::Added, rest.trim_start()),
            ("-", rest) => (OneOff::Removed, rest.trim_start()),
            _ => return Err(format!("line {number}: must start with `+` (added) or `-` (removed)")),
        };
        let (day, name) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let name = name.trim();
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| format!("line {number}: {day:?} is not a date (YYYY-MM-DD)"))?;
        if name.is_empty() {
            return Err(format!("line {number}: {day} has no name"));
        }
        if let Some(&(_, previous, _)) = one_offs.last() {
            // Order is enforced because a year typed wrong (2032 for 2023) lands out of
            // order, and would otherwise pass as a holiday nobody asked for.
            if day == previous {
                return Err(format!("line {number}: {day} is listed twice"));
            }
            if day < previous {
                return Err(format!(
                    "line {number}: {day} comes after {previous}; keep the lines in date order"
                ));
            }
        }
        one_offs.push((change, day, name));
    }
    Ok(one_offs)
}

/// A one-off must change something the rules say, in a year the service vouches for:
/// an added day is a weekday the rules do not give, a removed day one they do.
fn check_one_offs(one_offs: &[(OneOff, NaiveDate, &str)]) -> Result<(), String> {
    for &(change, day, name) in one_offs {
        if !VOUCHED_YEARS.contains(&day.year()) {
            return Err(format!(
                "{day} ({name}) is outside the years {} to {}",
                VOUCHED_YEARS.start(),
                VOUCHED_YEARS.end()
            ));
        }
        let by_rule = by_rule(day.year()).contains(&day);
        match change {
            OneOff::Added if by_rule => return Err(format!("{day} ({name}) is a holiday by rule already")),
            OneOff::Added if is_weekend(day) => return Err(format!("{day} ({name}) is at a weekend")),
            OneOff::Removed if !by_rule => return Err(format!("{day} ({name}) is not a holiday by rule")),
            _ => {}
        }
    }
    Ok(())
}

/// `holidays` with `one_offs` added and removed.
fn apply(mut holidays: BTreeSet<NaiveDate>, one_offs: &[(OneOff, NaiveDate, &str)]) -> BTreeSet<NaiveDate> {
    for &(change, day, _) in one_offs {
        match change {
            OneOff::Added => holidays.insert(day),
            OneOff::Removed => holidays.remove(&day),
        };
    }
    holidays
}

/// Every England and Wales bank holiday in [`VOUCHED_YEARS`], computed on first use.
pub(super) fn england_and_wales() -> &'static BTreeSet<NaiveDate> {
    &ENGLAND_AND_WALES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::test_support::date as day;
    use std::collections::BTreeMap;

    const GOV_UK_FILE: &str = "tests/fixtures/bank-holidays/gov-uk-england-and-wales-2018-2030.txt";
    const GOV_UK_DATA: &str =
        include_str!("../../../tests/fixtures/bank-holidays/gov-uk-england-and-wales-2018-2030.txt");

    /// The gov.uk list: `YYYY-MM-DD  Name` lines.
    fn gov_uk() -> BTreeMap<NaiveDate, &'static str> {
        GOV_UK_DATA
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let (date, name) = line.split_once(char::is_whitespace).unwrap();
                (date.parse().unwrap(), name.trim())
            })
            .collect()
    }

    fn in_year(year: i32) -> Vec<NaiveDate> {
        england_and_wales()
            .iter()
            .copied()
            .filter(|d| d.year() == year)
            .collect()
    }

    #[test]
    fn the_shipped_one_offs_parse_and_each_changes_what_the_rules_give() {
        let one_offs = parse_one_offs(ONE_OFFS_DATA).unwrap_or_else(|e| panic!("{ONE_OFFS_FILE}: {e}"));
        if let Err(error) = check_one_offs(&one_offs) {
            panic!("{ONE_OFFS_FILE}: {error}");
        }
        assert!(england_and_wales().contains(&day("2023-05-08")));
    }

    #[test]
    fn the_computed_holidays_of_2018_to_2030_are_exactly_those_gov_uk_lists() {
        let published = gov_uk();
        for year in 2018..=2030 {
            let expected: Vec<NaiveDate> = published.keys().copied().filter(|d| d.year() == year).collect();
            assert_eq!(in_year(year), expected, "{year} (against {GOV_UK_FILE})");
        }
        assert_eq!(published[&day("2020-12-28")], "Boxing Day (substitute day)");
    }

    #[test]
    fn the_computus_gives_known_easter_sundays() {
        // Easter dates anyone can look up, across the years the service vouches for
        // and the earliest (22 March) and latest (25 April) Easters possible.
        for (year, easter) in [
            (1978, "1978-03-26"),
            (1981, "1981-04-19"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2012, "2012-04-08"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2031, "2031-04-13"),
            (2035, "2035-03-25"),
            (2038, "2038-04-25"),
            (2040, "2040-04-01"),
            (2099, "2099-04-12"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), day(easter), "{year}");
        }
    }

    #[test]
    fn every_vouched_year_has_its_eight_holidays_in_their_months() {
        for year in VOUCHED_YEARS {
            let holidays = by_rule(year);
            assert!(holidays.windows(2).all(|w| w[0] < w[1]), "{year}: {holidays:?}");
            let months: Vec<u32> = holidays.iter().map(|d| d.month()).collect();
            assert_eq!(months[0], 1, "{year}");
            assert!(months[1..3].iter().all(|m| (3..=4).contains(m)), "{year}: Easter");
            assert_eq!(&months[3..5], &[5, 5], "{year}");
            assert_eq!(months[5], 8, "{year}");
            assert_eq!(&months[6..], &[12, 12], "{year}");
            assert!(holidays.iter().all(|d| !is_weekend(*d)), "{year}: {holidays:?}");
        }
    }

    #[test]
    fn weekend_holidays_move_to_the_next_weekdays() {
        // 1 January 2033 is a Saturday; Christmas 2032 a Saturday; Christmas 2033 a Sunday.
        assert_eq!(in_year(2033)[0], day("2033-01-03"));
        assert_eq!(&in_year(2032)[6..], &[day("2032-12-27"), day("2032-12-28")]);
        assert_eq!(&in_year(2033)[6..], &[day("2033-12-26"), day("2033-12-27")]);
    }

    #[test]
    fn the_proclaimed_holidays_of_past_years_are_known() {
        let holidays = england_and_wales();
        for one_off in [
            "1981-07-29", // the Prince of Wales's wedding
            "1995-05-08", // Early May moved for VE Day
            "1999-12-31", // the Millennium
            "2000-01-03", // New Year's Day substitute, by rule
            "2002-06-03", // Golden Jubilee
            "2002-06-04", // Spring moved
            "2011-04-29", // Prince William's wedding
            "2012-06-04", // Spring moved
            "2012-06-05", // Diamond Jubilee
        ] {
            assert!(holidays.contains(&day(one_off)), "{one_off}");
        }
        for moved_away in ["1995-05-01", "2002-05-27", "2012-05-28", "2020-05-04", "2022-05-30"] {
            assert!(!holidays.contains(&day(moved_away)), "{moved_away}");
        }
        assert_eq!(in_year(2012).len(), 9);
    }

    #[test]
    fn nothing_is_known_outside_the_vouched_years() {
        let holidays = england_and_wales();
        assert_eq!(holidays.first().map(Datelike::year), Some(*VOUCHED_YEARS.start()));
        assert_eq!(holidays.last().map(Datelike::year), Some(*VOUCHED_YEARS.end()));
    }

    #[test]
    fn blank_lines_and_comments_are_skipped_and_names_may_have_spaces() {
        let parsed = parse_one_offs("# header\n\n+ 2024-12-24  Christmas Eve\n  # indented\n-2024-12-26 x\n").unwrap();
        assert_eq!(
            parsed,
            vec![
                (OneOff::Added, day("2024-12-24"), "Christmas Eve"),
                (OneOff::Removed, day("2024-12-26"), "x")
            ]
        );
    }

    #[test]
    fn a_line_without_a_sign_or_a_real_date_or_a_name_is_rejected_with_its_line_number() {
        let error = parse_one_offs("# x\n2023-05-08  Coronation\n").unwrap_err();
        assert!(error.starts_with("line 2:") && error.contains("`+`"), "{error}");
        let error = parse_one_offs("# x\n+ 2023-02-29  Leap day that is not\n").unwrap_err();
        assert!(error.starts_with("line 2:") && error.contains("not a date"), "{error}");
        assert!(parse_one_offs("+ 2023-05-08\n").unwrap_err().contains("no name"));
        assert!(parse_one_offs("+ 2023-05-08   \n").unwrap_err().contains("no name"));
    }

    #[test]
    fn a_duplicate_or_a_date_out_of_order_is_rejected_because_it_is_probably_a_typo() {
        let error = parse_one_offs("+ 2023-05-08  Coronation\n+ 2023-05-08  Again\n").unwrap_err();
        assert!(error.contains("listed twice"), "{error}");
        let error = parse_one_offs("+ 2023-05-08  Coronation\n+ 2013-05-29  Spring\n").unwrap_err();
        assert!(error.contains("date order"), "{error}");
    }

    #[test]
    fn a_one_off_that_changes_nothing_the_rules_say_is_rejected() {
        let check = |text| check_one_offs(&parse_one_offs(text).unwrap());
        assert!(check("+ 2024-12-25  Christmas\n")
            .unwrap_err()
            .contains("by rule already"));
        assert!(check("+ 2024-12-21  A Saturday\n").unwrap_err().contains("weekend"));
        assert!(check("- 2024-12-24  Christmas Eve\n")
            .unwrap_err()
            .contains("not a holiday by rule"));
        assert!(check("+ 2100-06-01  Too far\n").unwrap_err().contains("outside"));
        assert!(check("+ 1977-06-07  Silver Jubilee\n").unwrap_err().contains("outside"));
        assert!(check("- 2024-05-06  Early May\n+ 2024-05-08  Moved\n").is_ok());
    }
}
