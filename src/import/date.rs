//! Reading the dates that published documents are written with.
//!
//! Dates in these documents were typed by people and then passed through word
//! processors and PDF converters, so one reader has to accept `31/05/2022`,
//! `31.05.2022`, `9 June 2022`, `9th June 2022`, `June 9, 2022` and `9 Jun 2022`, and
//! survive a page number run into the year (`9 June 20222144`). Anything it has to
//! guess or drop is returned as a note, so the import can say what it did instead of
//! silently choosing.

use chrono::NaiveDate;

/// A date read from a document, with what had to be guessed or dropped to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReadDate {
    pub date: NaiveDate,
    /// Notes for the person checking the import, in plain words; empty when the date
    /// was written cleanly.
    pub notes: Vec<String>,
}

/// Reads `text` as a day-first (British) date, in any of the forms these documents use.
/// The error is the reason, in words, that it is not a date.
pub(super) fn read_date(text: &str) -> Result<ReadDate, String> {
    let text = text.trim().trim_end_matches(['.', ',', ';']).trim_end();
    if text.is_empty() {
        return Err("there is no date".to_string());
    }
    let mut notes = Vec::new();
    let date = match read_numeric(text, &mut notes) {
        Some(read) => read?,
        None => read_words(text, &mut notes)?,
    };
    Ok(ReadDate { date, notes })
}

/// `31/05/2022`, `31.05.2022`, `31-05-2022`, `2022-05-31`; `None` when `text` does not
/// start with a numeric date at all, so that the word forms can be tried.
fn read_numeric(text: &str, notes: &mut Vec<String>) -> Option<Result<NaiveDate, String>> {
    let (head, tail) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let separator = head.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<&str> = head.split(separator).collect();
    if parts.len() != 3 || !parts[..2].iter().all(|p| is_digits(p)) {
        return None;
    }
    // The last part may carry text run into it ("20222144", "2022Page"): keep its
    // leading digits as the year and treat the rest like text after the date.
    let digits_end = parts[2].find(|c: char| !c.is_ascii_digit()).unwrap_or(parts[2].len());
    let (last_digits, run_on) = parts[2].split_at(digits_end);
    if last_digits.is_empty() {
        return None;
    }
    note_trailing(&[run_on, tail.trim()], text, notes);

    if parts[0].len() == 4 {
        // ISO order: year first, and nothing can be fused onto it.
        let year = parts[0].parse().ok()?;
        return Some(make_date(year, parts[1], last_digits));
    }
    let year = match year_from_digits(last_digits, text, notes) {
        Ok(year) => year,
        Err(reason) => return Some(Err(reason)),
    };
    let (mut day, mut month) = (parts[0], parts[1]);
    // The documents are British, so day first; but "05/31/2022" can only be American,
    // and reading it that way (with a note) beats refusing it.
    let as_number = |s: &str| s.parse::<u32>().unwrap_or(0);
    if as_number(month) > 12 && as_number(day) <= 12 {
        notes.push(format!(
            "read '{text}' as month/day/year because {month} cannot be a month"
        ));
        std::mem::swap(&mut day, &mut month);
    }
    Some(make_date(year, month, day))
}

/// `9 June 2022`, `9th June 2022`, `9th of June 2022`, `June 9, 2022`, `9 Jun 2022`,
/// each optionally after a weekday (`Thursday 9 June 2022`).
fn read_words(text: &str, notes: &mut Vec<String>) -> Result<NaiveDate, String> {
    let unreadable = || "expected a date such as 31/05/2022 or 9 June 2022".to_string();
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("of"))
        .skip_while(|t| is_weekday(t))
        .collect();
    if tokens.len() < 3 {
        return Err(unreadable());
    }
    let (day, month) = match (day_of(tokens[0]), month_of(tokens[1])) {
        (Some(day), Some(month)) => (day, month),
        _ => match (month_of(tokens[0]), day_of(tokens[1])) {
            (Some(month), Some(day)) => (day, month),
            _ => return Err(unreadable()),
        },
    };
    let digits_end = tokens[2].find(|c: char| !c.is_ascii_digit()).unwrap_or(tokens[2].len());
    let (year_digits, run_on) = tokens[2].split_at(digits_end);
    if year_digits.is_empty() {
        return Err(format!("there is no year after '{}'", tokens[1]));
    }
    let year = year_from_digits(year_digits, text, notes)?;
    let mut trailing = vec![run_on];
    trailing.extend(&tokens[3..]);
    note_trailing(&trailing, text, notes);
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| format!("there is no day {day} in month {month} of {year}"))
}

/// The year from a run of digits, which on these documents is sometimes a year with a
/// page number fused onto it by PDF-to-text conversion ("20222144").
fn year_from_digits(digits: &str, text: &str, notes: &mut Vec<String>) -> Result<i32, String> {
    let year: i32 = match digits.len() {
        4 => digits.parse().map_err(|_| format!("'{digits}' is not a year"))?,
        2 => {
            let year = 2000 + digits.parse::<i32>().map_err(|_| "not a year".to_string())?;
            notes.push(format!("read the two-digit year in '{text}' as {year}"));
            year
        }
        n if n > 4 => {
            let (year, page) = digits.split_at(4);
            notes.push(format!(
                "read '{text}' as the year {year} followed by the page number {page}, \
                 which had run into it"
            ));
            year.parse().map_err(|_| format!("'{year}' is not a year"))?
        }
        _ => return Err(format!("'{digits}' is not a four-digit year")),
    };
    // A plausible range catches a misread that happens to form a valid calendar date.
    if !(1900..=2199).contains(&year) {
        return Err(format!("{year} is not a plausible year"));
    }
    Ok(year)
}

fn make_date(year: i32, month: &str, day: &str) -> Result<NaiveDate, String> {
    let (Ok(month), Ok(day)) = (month.parse::<u32>(), day.parse::<u32>()) else {
        return Err("the day and month are not numbers".to_string());
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| format!("there is no day {day} in month {month} of {year}"))
}

/// Notes any text left over after the date, which is dropped rather than guessed at.
fn note_trailing(parts: &[&str], text: &str, notes: &mut Vec<String>) {
    let leftover = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !leftover.is_empty() {
        notes.push(format!("ignored '{leftover}' after the date in '{text}'"));
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// A day of the month, with or without its ordinal suffix ("9", "09", "9th", "21st").
fn day_of(token: &str) -> Option<u32> {
    let digits_end = token.find(|c: char| !c.is_ascii_digit()).unwrap_or(token.len());
    let (digits, suffix) = token.split_at(digits_end);
    let suffix = suffix.trim_end_matches('.').to_ascii_lowercase();
    if digits.is_empty() || digits.len() > 2 || !matches!(suffix.as_str(), "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok()
}

/// A month by its English name or its usual abbreviation ("Jun", "Sept", "Sep.").
pub(crate) fn month_of(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = token.trim_end_matches('.').to_lowercase();
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|name| name.starts_with(&word))
        .map(|index| index as u32 + 1)
}

/// The last day of `month` (1–12) of `year`: what "by the end of April 2023", `Mar-23`
/// and a financial quarter's end mean. `None` for a month outside 1–12 or a year chrono
/// cannot hold.
pub(crate) fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

fn is_weekday(token: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let word = token.trim_end_matches('.').to_lowercase();
    word.len() >= 3 && DAYS.iter().any(|day| day.starts_with(&word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn clean(text: &str) -> NaiveDate {
        let read = read_date(text).unwrap();
        assert!(read.notes.is_empty(), "{text:?} gave notes {:?}", read.notes);
        read.date
    }

    #[test]
    fn every_published_form_of_the_same_day_reads_alike() {
        for text in [
            "9/6/2022",
            "09/06/2022",
            "09.06.2022",
            "09-06-2022",
            "2022-06-09",
            "9 June 2022",
            "9th June 2022",
            "9th of June 2022",
            "June 9, 2022",
            "June 9th 2022",
            "9 Jun 2022",
            "9 JUNE 2022",
            "Thursday 9 June 2022",
            "Thurs. 9th June, 2022",
            " 9 June 2022. ",
        ] {
            assert_eq!(clean(text), ymd(2022, 6, 9), "{text:?}");
        }
        assert_eq!(clean("31/05/2022"), ymd(2022, 5, 31));
        assert_eq!(clean("31.05.2022"), ymd(2022, 5, 31));
        assert_eq!(clean("1 Sept 2023"), ymd(2023, 9, 1));
    }

    #[test]
    fn a_page_number_run_into_the_year_is_dropped_and_noted() {
        let read = read_date("9 June 20222144").unwrap();
        assert_eq!(read.date, ymd(2022, 6, 9));
        assert_eq!(read.notes.len(), 1);
        assert!(read.notes[0].contains("2144"), "{:?}", read.notes);

        let read = read_date("31/05/20222144").unwrap();
        assert_eq!(read.date, ymd(2022, 5, 31));
        assert!(read.notes[0].contains("page number 2144"), "{:?}", read.notes);
    }

    #[test]
    fn text_after_the_date_is_dropped_and_noted() {
        let read = read_date("9 June 2022 Page 3").unwrap();
        assert_eq!(read.date, ymd(2022, 6, 9));
        assert!(read.notes[0].contains("'Page 3'"), "{:?}", read.notes);
        let read = read_date("31/05/2022 (received by email)").unwrap();
        assert_eq!(read.date, ymd(2022, 5, 31));
        assert_eq!(read.notes.len(), 1);
    }

    #[test]
    fn an_american_order_is_read_only_when_no_other_reading_exists_and_is_noted() {
        let read = read_date("05/31/2022").unwrap();
        assert_eq!(read.date, ymd(2022, 5, 31));
        assert!(read.notes[0].contains("month/day/year"));
        // Ambiguous numbers stay British.
        assert_eq!(clean("05/06/2022"), ymd(2022, 6, 5));
    }

    #[test]
    fn a_two_digit_year_is_read_in_this_century_and_noted() {
        let read = read_date("31/05/22").unwrap();
        assert_eq!(read.date, ymd(2022, 5, 31));
        assert!(read.notes[0].contains("2022"));
    }

    #[test]
    fn things_that_are_not_dates_are_refused_with_a_reason() {
        assert_eq!(read_date("").unwrap_err(), "there is no date");
        assert!(read_date("next Tuesday").unwrap_err().contains("expected a date"));
        assert!(read_date("31 February 2022").unwrap_err().contains("no day 31"));
        assert!(read_date("31/13/2022").unwrap_err().contains("month 13"));
        assert!(read_date("9 June").unwrap_err().contains("expected a date"));
        assert!(read_date("9 June 202").unwrap_err().contains("four-digit"));
        assert!(read_date("9 June 1066").unwrap_err().contains("plausible"));
        assert!(read_date("Ralph Butler").is_err());
    }
}
