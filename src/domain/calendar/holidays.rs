//! The data: England and Wales bank holidays, as shipped in
//! `data/bank-holidays/england-and-wales.txt`.
//!
//! The dates are not computed: they are read from that file, compiled into the binary
//! and parsed once, because proclaimed and moved holidays (a jubilee, a coronation, a
//! state funeral) follow no rule. What the rules do predict is used only here, by the
//! tests, to catch a mistyped line; the working-day rules that use the dates are in
//! `working_days`, and know nothing of the file.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::NaiveDate;

const ENGLAND_AND_WALES_FILE: &str = "data/bank-holidays/england-and-wales.txt";
const ENGLAND_AND_WALES_DATA: &str = include_str!("../../../data/bank-holidays/england-and-wales.txt");

// The shipped file is fixed at compile time and checked by this file's tests, so a parse
// failure here can only follow an edit that was never tested: failing loudly at first
// use is better than a calendar that quietly lacks holidays.
static ENGLAND_AND_WALES: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    parse_holidays(ENGLAND_AND_WALES_DATA)
        .unwrap_or_else(|error| panic!("{ENGLAND_AND_WALES_FILE}: {error}"))
        .into_iter()
        .map(|(date, _name)| date)
        .collect()
});

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

/// The shipped England and Wales bank holidays, parsed on first use.
pub(super) fn england_and_wales() -> &'static BTreeSet<NaiveDate> {
    &ENGLAND_AND_WALES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::test_support::date;
    use crate::domain::calendar::working_days::is_weekend;
    use crate::domain::calendar::Calendar;
    use chrono::{Datelike, Days, Weekday};
    use std::collections::BTreeMap;

    fn shipped() -> BTreeMap<NaiveDate, &'static str> {
        parse_holidays(ENGLAND_AND_WALES_DATA).unwrap().into_iter().collect()
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
            while is_weekend(day) {
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
}
