//! The dates improvement plans are written with: Excel's serial numbers, `31/03/2023`,
//! `31 October 2022`, a month (`Mar-23`: its last day) and a quarter of the UK financial
//! year (`Q4 2022/23`: the quarter's last day). Every reading other than a plain
//! written date is reported, so a person can check what the import made of it.

use chrono::{Datelike, Days, NaiveDate};

use super::sheet::Cell;
use crate::import::date::{last_day_of_month as last_day, month_of, read_date};

/// The years a plan's date may fall in: an action started or due outside them is a
/// misreading (a percentage taken for a serial number, a typo in the year).
pub const REASONABLE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// A date read from a cell, with how it was read when that was not plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadDate {
    pub date: NaiveDate,
    /// How the cell was converted (`Excel serial 44834`, `the last day of March 2023`),
    /// `None` for a date written out in full.
    pub conversion: Option<String>,
    /// What had to be guessed or dropped.
    pub notes: Vec<String>,
}

/// Reads a date cell. The error is the reason, in words.
pub fn read_cell(cell: &Cell) -> Result<Option<ReadDate>, String> {
    let read = match cell {
        Cell::Empty => return Ok(None),
        Cell::Date { serial, epoch_1904 } => from_serial(*serial, *epoch_1904, "an Excel date cell")?,
        Cell::Number(n) => from_serial(*n, false, "the Excel serial number")?,
        Cell::Text(text) if text.trim().is_empty() => return Ok(None),
        Cell::Text(text) => read_text(text.trim())?,
        Cell::Bool(_) => return Err("a TRUE/FALSE cell is not a date".into()),
        Cell::FormulaOnly(formula) => {
            return Err(format!(
                "the cell holds the formula ={formula} without its result; open the file in a spreadsheet, let it \
                 calculate and save it again"
            ))
        }
        Cell::Error(e) => return Err(format!("the cell holds the error value {e}")),
    };
    if !REASONABLE_YEARS.contains(&read.date.year()) {
        return Err(format!(
            "{} is outside the years a plan's dates can fall in ({} to {})",
            read.date,
            REASONABLE_YEARS.start(),
            REASONABLE_YEARS.end()
        ));
    }
    Ok(Some(read))
}

/// A date from Excel's serial day number: days since 30 December 1899 (whose day 60
/// is the 29 February 1900 that never was), or since 1 January 1904 in workbooks that
/// count from there. A time of day is dropped.
pub fn from_serial(serial: f64, epoch_1904: bool, what: &str) -> Result<ReadDate, String> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return Err(format!(
            "{} is not a date (as {what} it is out of range)",
            super::sheet::number_text(serial)
        ));
    }
    let days = serial.floor() as u64;
    let (epoch, days) = if epoch_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1), days)
    } else if days >= 61 {
        (NaiveDate::from_ymd_opt(1899, 12, 30), days)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 31), days)
    };
    let date = epoch
        .and_then(|e| e.checked_add_days(Days::new(days)))
        .ok_or_else(|| format!("{serial} is not a date"))?;
    let mut notes = Vec::new();
    if serial.fract() != 0.0 {
        notes.push(format!("dropped the time of day in {what} {serial}"));
    }
    Ok(ReadDate {
        date,
        conversion: Some(format!(
            "{what} {} is {date}",
            super::sheet::number_text(serial.floor())
        )),
        notes,
    })
}

fn read_text(text: &str) -> Result<ReadDate, String> {
    if let Some(read) = quarter(text)? {
        return Ok(read);
    }
    if let Some(read) = month(text)? {
        return Ok(read);
    }
    // A serial number in a CSV saved from a sheet whose dates were not formatted.
    if text.len() == 5 && text.chars().all(|c| c.is_ascii_digit()) {
        let serial: f64 = text.parse().map_err(|_| format!("'{text}' is not a date"))?;
        return from_serial(serial, false, "the Excel serial number");
    }
    let read = read_date(text).map_err(|reason| format!("cannot read '{text}' as a date: {reason}"))?;
    Ok(ReadDate {
        date: read.date,
        conversion: None,
        notes: read.notes,
    })
}

/// `Q4 2022/23`, `Q4 2022-23`, `Q4 22/23`, `2022/23 Q4`, `Quarter 4 2022/23`: the last
/// day of that quarter of the UK financial year (April to March: Q1 ends 30 June, Q2
/// 30 September, Q3 31 December, Q4 31 March of the following year). `None` when the
/// text is not a quarter at all.
fn quarter(text: &str) -> Result<Option<ReadDate>, String> {
    let lowered = text.to_lowercase().replace("quarter", "q").replace("fy", " ");
    let tokens: Vec<&str> = lowered.split_whitespace().collect();
    let quarter_token = tokens
        .iter()
        .position(|t| t.len() == 2 && t.starts_with('q') && t[1..].chars().all(|c| c.is_ascii_digit()));
    let (q, rest): (u32, Vec<&str>) = match quarter_token {
        Some(i) => (
            tokens[i][1..].parse().unwrap_or(0),
            tokens
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, t)| *t)
                .collect(),
        ),
        // "q 4 2022/23" after replacing "quarter 4".
        None => match tokens.iter().position(|t| *t == "q") {
            Some(i) if i + 1 < tokens.len() && tokens[i + 1].chars().all(|c| c.is_ascii_digit()) => (
                tokens[i + 1].parse().unwrap_or(0),
                tokens
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i && *j != i + 1)
                    .map(|(_, t)| *t)
                    .collect(),
            ),
            _ => return Ok(None),
        },
    };
    if !(1..=4).contains(&q) {
        return Err(format!("'{text}': a year has quarters 1 to 4"));
    }
    let year_text = rest.join("");
    let Some((first, second)) = year_text.split_once(['/', '-']) else {
        return Err(format!(
            "'{text}' names a quarter but not a financial year; write it as Q{q} 2022/23"
        ));
    };
    let start: i32 = match first.len() {
        4 => first
            .parse()
            .map_err(|_| format!("'{text}': '{first}' is not a year"))?,
        2 => {
            2000 + first
                .parse::<i32>()
                .map_err(|_| format!("'{text}': '{first}' is not a year"))?
        }
        _ => return Err(format!("'{text}': '{first}' is not a year")),
    };
    let end_digits: i32 = second
        .parse()
        .map_err(|_| format!("'{text}': '{second}' is not a year"))?;
    let end_ok = match second.len() {
        2 => end_digits == (start + 1) % 100,
        4 => end_digits == start + 1,
        _ => false,
    };
    if !end_ok {
        return Err(format!(
            "'{text}': {first}/{second} is not a financial year (April to the next March)"
        ));
    }
    let (year, month) = match q {
        1 => (start, 6),
        2 => (start, 9),
        3 => (start, 12),
        _ => (start + 1, 3),
    };
    let date = last_day(year, month).ok_or_else(|| format!("'{text}' is not a date"))?;
    Ok(Some(ReadDate {
        date,
        conversion: Some(format!(
            "'{text}' is the end of quarter {q} of the financial year {start}/{:02}: {date}",
            (start + 1) % 100
        )),
        notes: Vec::new(),
    }))
}

/// `Mar-23`, `Mar 2023`, `March 2023`, `March-23`: the month's last day. `None` when
/// the text is not a month and year.
fn month(text: &str) -> Result<Option<ReadDate>, String> {
    let tokens: Vec<&str> = text.split(['-', ' ', '/', '.']).filter(|t| !t.is_empty()).collect();
    if tokens.len() != 2 {
        return Ok(None);
    }
    let Some(month) = month_of(tokens[0]) else {
        return Ok(None);
    };
    let year_text = tokens[1];
    if !year_text.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let year: i32 = match year_text.len() {
        2 => {
            2000 + year_text
                .parse::<i32>()
                .map_err(|_| format!("'{text}' is not a date"))?
        }
        4 => year_text.parse().map_err(|_| format!("'{text}' is not a date"))?,
        _ => return Ok(None),
    };
    let date = last_day(year, month).ok_or_else(|| format!("'{text}' is not a date"))?;
    Ok(Some(ReadDate {
        date,
        conversion: Some(format!("'{text}' is a month: its last day, {date}")),
        notes: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn text(t: &str) -> ReadDate {
        read_cell(&Cell::Text(t.into())).unwrap().unwrap()
    }

    #[test]
    fn each_form_reads_and_the_conversion_is_reported() {
        assert_eq!(text("31/03/2023").date, ymd(2023, 3, 31));
        assert_eq!(text("31/03/2023").conversion, None);
        assert_eq!(text("31 October 2022").date, ymd(2022, 10, 31));
        for (form, date) in [
            ("Mar-23", ymd(2023, 3, 31)),
            ("Feb-24", ymd(2024, 2, 29)),
            ("March 2023", ymd(2023, 3, 31)),
            ("Sept 2022", ymd(2022, 9, 30)),
            ("Q4 2022/23", ymd(2023, 3, 31)),
            ("Q1 2023/24", ymd(2023, 6, 30)),
            ("Q2 23/24", ymd(2023, 9, 30)),
            ("q3 2022-23", ymd(2022, 12, 31)),
            ("2022/23 Q4", ymd(2023, 3, 31)),
            ("Quarter 3 2023/24", ymd(2023, 12, 31)),
            ("44834", ymd(2022, 9, 30)),
        ] {
            let read = text(form);
            assert_eq!(read.date, date, "{form}");
            assert!(read.conversion.is_some(), "{form}");
        }
    }

    #[test]
    fn excel_serials_count_from_1900_or_1904() {
        let read = read_cell(&Cell::Number(44834.0)).unwrap().unwrap();
        assert_eq!(read.date, ymd(2022, 9, 30));
        assert!(read.conversion.unwrap().contains("44834"));
        let read = read_cell(&Cell::Date {
            serial: 44834.5,
            epoch_1904: false,
        })
        .unwrap()
        .unwrap();
        assert_eq!(read.date, ymd(2022, 9, 30));
        assert_eq!(read.notes.len(), 1);
        let read = read_cell(&Cell::Date {
            serial: 43372.0,
            epoch_1904: true,
        })
        .unwrap()
        .unwrap();
        assert_eq!(read.date, ymd(2022, 9, 30));
    }

    #[test]
    fn dates_out_of_range_or_unreadable_are_refused_with_a_reason() {
        assert!(read_cell(&Cell::Number(0.6)).unwrap_err().contains("not a date"));
        assert!(read_cell(&Cell::Number(100.0)).unwrap_err().contains("outside"));
        assert!(read_cell(&Cell::Text("31/03/1923".into()))
            .unwrap_err()
            .contains("outside"));
        assert!(read_cell(&Cell::Text("TBC".into()))
            .unwrap_err()
            .contains("cannot read"));
        assert!(read_cell(&Cell::Text("Q4 2022".into()))
            .unwrap_err()
            .contains("financial year"));
        assert!(read_cell(&Cell::Text("Q4 2022/24".into()))
            .unwrap_err()
            .contains("not a financial year"));
        assert!(read_cell(&Cell::Text("Q5 2022/23".into())).is_err());
        assert!(read_cell(&Cell::FormulaOnly("EDATE(F2,3)".into()))
            .unwrap_err()
            .contains("formula"));
        assert_eq!(read_cell(&Cell::Empty).unwrap(), None);
    }
}
