//! Cursor pagination, the same for every collection: where a page starts and how long
//! it is. How a page goes out over HTTP is [`crate::http::page`]'s business.
//!
//! Cursors are keyset positions (the last
//! row's sort key and id), not offsets: rows inserted while a client pages never make it
//! skip or repeat a row.
//!
//! A cursor is `<key>~<uuid>~<list>`: the sort key as a whole number (days since 1
//! January of year 1 for lists ordered by a date, a version number, or 0 for lists
//! ordered by id), the last row's id, and eight hex digits naming the list it belongs to
//! (its path and its filters, see [`list_scope`]). Clients should treat it as opaque.
//! A cursor is accepted only by the list that gave it, with the same filters (a 422
//! naming `cursor` otherwise): a position in one list means nothing in another. Within
//! its list every string of that shape is a valid position, so a cursor can never make
//! a request fail for any other reason, and the OpenAPI document can say exactly which
//! strings are cursors.

use chrono::{Datelike, NaiveDate};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// The largest key a cursor carries: seven digits.
const MAX_KEY: i64 = 9_999_999;
/// The shape of every cursor, for the OpenAPI document.
pub const CURSOR_PATTERN: &str =
    "^[0-9]{1,7}~[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}~[0-9a-f]{8}$";

/// The query parameters that do not change which list a request reads: how long a page
/// is, where it starts, and how a CSV export is written.
const NOT_FILTERS: &[&str] = &["limit", "cursor", "bom", "escape_formulas"];

/// The list a request for `path` with query string `query` reads, as a cursor names it:
/// eight hex digits of the SHA-256 of the path and its filters (every parameter but
/// `limit`, `cursor`, `bom` and `escape_formulas`), the filters sorted so that their
/// order does not matter. Two lists, or one list under other filters, have other scopes.
pub fn list_scope(path: &str, query: &str) -> String {
    let mut filters: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| !NOT_FILTERS.contains(&key.as_ref()))
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    filters.sort();
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    for (key, value) in filters {
        hasher.update([0]);
        hasher.update(key.as_bytes());
        hasher.update([1]);
        hasher.update(value.as_bytes());
    }
    format!("{:.8x}", hasher.finalize())
}

/// Where a page starts and how long it is, parsed from `limit` and `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// The position just after the last row of the previous page: its sort key and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: Uuid,
}

impl Cursor {
    /// For lists ordered by id alone.
    pub fn by_id(id: Uuid) -> Self {
        Self { key: 0, id }
    }

    /// For lists ordered by a date, then id.
    pub fn by_date(date: NaiveDate, id: Uuid) -> Self {
        Self {
            key: i64::from(date.num_days_from_ce()).clamp(0, MAX_KEY),
            id,
        }
    }

    /// For lists ordered by a number (a version), then id.
    pub fn by_number(number: i64, id: Uuid) -> Self {
        Self {
            key: number.clamp(0, MAX_KEY),
            id,
        }
    }

    /// The date of a [`Cursor::by_date`] cursor. Every key is some date (years 1 to about
    /// 27,000), so this cannot fail for a cursor that parsed.
    pub fn date(&self) -> Result<NaiveDate, ApiError> {
        i32::try_from(self.key)
            .ok()
            .and_then(|days| NaiveDate::from_num_days_from_ce_opt(days.max(1)))
            .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this service issued"))
    }

    /// The number of a [`Cursor::by_number`] cursor.
    pub fn number(&self) -> i64 {
        self.key
    }

    pub fn encode(&self) -> String {
        format!("{}~{}", self.key, self.id.hyphenated())
    }

    /// The cursor as the list `scope` ([`list_scope`]) gives it out.
    pub fn encode_in(&self, scope: &str) -> String {
        format!("{}~{scope}", self.encode())
    }

    /// A cursor the list `scope` gave out: a 422 naming `cursor` for a malformed one,
    /// and for one another list (or this list under other filters) gave out.
    pub fn decode_in(cursor: &str, scope: &str) -> Result<Self, ApiError> {
        let (position, given) = cursor
            .rsplit_once('~')
            .filter(|(_, given)| given.len() == 8 && given.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this service issued"))?;
        let cursor = Self::decode(position)?;
        if given != scope {
            return Err(ApiError::invalid(
                "cursor",
                "belongs to another list, or to this list with other filters: page on with the next_cursor this list gave, or start again without a cursor",
            ));
        }
        Ok(cursor)
    }

    pub fn decode(cursor: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid("cursor", "is not a cursor this service issued");
        let (key, id) = cursor.split_once('~').ok_or_else(invalid)?;
        if key.is_empty() || key.len() > 7 || !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        if id.len() != 36 {
            return Err(invalid());
        }
        Ok(Self {
            key: key.parse().map_err(|_| invalid())?,
            id: Uuid::try_parse(id).map_err(|_| invalid())?,
        })
    }
}

impl PageRequest {
    /// Parses the `limit` (1..=100, default 20) and `cursor` parameters.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid("limit", format!("must be from 1 to {MAX_LIMIT}")));
        }
        let after = cursor.map(Cursor::decode).transpose()?;
        Ok(Self { limit, after })
    }

    /// As [`PageRequest::parse`], for the list `scope` ([`list_scope`]): a cursor
    /// another list gave is a 422 naming `cursor`.
    pub fn parse_in(limit: Option<i64>, cursor: Option<&str>, scope: &str) -> Result<Self, ApiError> {
        let request = Self::parse(limit, None)?;
        let after = cursor.map(|cursor| Cursor::decode_in(cursor, scope)).transpose()?;
        Ok(Self { after, ..request })
    }

    /// How many rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the fetched rows to the page and makes the cursor for the next one.
    pub fn finish<T>(&self, mut rows: Vec<T>, cursor_of: impl Fn(&T) -> Cursor) -> (Vec<T>, Option<Cursor>) {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if more { rows.last().map(cursor_of) } else { None };
        (rows, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_with_their_keys() {
        let date = NaiveDate::from_ymd_opt(2022, 5, 31).unwrap();
        for cursor in [
            Cursor::by_id(Uuid::now_v7()),
            Cursor::by_date(date, Uuid::now_v7()),
            Cursor::by_number(7, Uuid::now_v7()),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        let cursor = Cursor::decode(&Cursor::by_date(date, Uuid::nil()).encode()).unwrap();
        assert_eq!(cursor.date().unwrap(), date);
    }

    #[test]
    fn malformed_cursors_are_rejected_as_invalid() {
        for forged in [
            "",
            "!!!",
            "1~not-a-uuid",
            "~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "' OR 1=1 --",
            "12345678~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "-1~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
        ] {
            assert!(
                matches!(Cursor::decode(forged), Err(ApiError::Validation(_))),
                "{forged}"
            );
        }
    }

    #[test]
    fn every_cursor_of_the_documented_shape_is_a_valid_position() {
        for key in ["0", "1", "738000", "9999999"] {
            let cursor = Cursor::decode(&format!("{key}~01937B4E-4f4a-7cc4-a0b5-6c1d2f3e4a5b")).unwrap();
            assert!(cursor.date().is_ok(), "{key}");
        }
    }

    #[test]
    fn a_cursor_is_accepted_only_by_the_list_that_gave_it() {
        let cursor = Cursor::by_id(Uuid::now_v7());
        let actions = list_scope("/api/v1/actions", "status=planned&limit=5");
        assert_eq!(
            actions,
            list_scope("/api/v1/actions", "limit=9&status=planned&cursor=x")
        );
        let given = cursor.encode_in(&actions);
        assert_eq!(Cursor::decode_in(&given, &actions).unwrap(), cursor);
        for other in [
            list_scope("/api/v1/reports", "status=planned"),
            list_scope("/api/v1/actions", ""),
            list_scope("/api/v1/actions", "status=blocked"),
        ] {
            assert_ne!(other, actions);
            assert!(matches!(
                Cursor::decode_in(&given, &other),
                Err(ApiError::Validation(_))
            ));
        }
        // The bare position, as cursors were before they named their list, is refused.
        assert!(Cursor::decode_in(&cursor.encode(), &actions).is_err());
        let pattern = has_documented_shape(&given);
        assert!(pattern, "{given}");
    }

    /// Whether `cursor` has the documented shape (checked by hand: no regex crate).
    fn has_documented_shape(cursor: &str) -> bool {
        let parts: Vec<&str> = cursor.split('~').collect();
        parts.len() == 3 && (1..=7).contains(&parts[0].len()) && parts[1].len() == 36 && parts[2].len() == 8
    }

    #[test]
    fn limit_must_be_from_1_to_100() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 20);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(Some(-5), None).is_err());
        assert_eq!(PageRequest::parse(Some(100), None).unwrap().limit, 100);
    }

    #[test]
    fn finish_cuts_to_the_limit_and_points_after_the_last_row() {
        let page = PageRequest { limit: 2, after: None };
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let (rows, next) = page.finish(ids.clone(), |id| Cursor::by_id(*id));
        assert_eq!(rows, ids[..2]);
        assert_eq!(next.unwrap().id, ids[1]);
        let (_, next) = page.finish(ids[..2].to_vec(), |id| Cursor::by_id(*id));
        assert!(next.is_none());
    }
}
