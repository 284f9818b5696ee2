//! Cursor pagination, the same for every collection.
//!
//! A page is `{"items": [...], "next_cursor": "..." | null}` with a `Link: <…>;
//! rel="next"` header mirroring the cursor. Cursors are keyset positions (the last
//! row's sort key and id), not offsets: rows inserted while a client pages never make it
//! skip or repeat a row. They are opaque to clients: base64url of a versioned text, so
//! the format can change without breaking anyone who treats them as opaque.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use uuid::Uuid;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
const CURSOR_PREFIX: &str = "v1:";

/// Where a page starts and how long it is, parsed from `limit` and `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// The position just after the last row of the previous page: its sort key (as text,
/// when the list is ordered by something other than its id) and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: Option<String>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let text = match &self.key {
            Some(key) => format!("{CURSOR_PREFIX}{}:{key}", self.id),
            None => format!("{CURSOR_PREFIX}{}", self.id),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(cursor: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid("cursor", "is not a cursor this service issued");
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let rest = text.strip_prefix(CURSOR_PREFIX).ok_or_else(invalid)?;
        let (id, key) = match rest.split_once(':') {
            Some((id, key)) => (id, Some(key.to_string())),
            None => (rest, None),
        };
        if key.as_deref().is_some_and(|k| k.contains('\0')) {
            return Err(invalid());
        }
        let id = id.parse().map_err(|_| invalid())?;
        Ok(Self { key, id })
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

/// Declares the page type of a collection (`OrganisationPage` for `Organisation`), so
/// that each has its own named schema in the OpenAPI document.
#[macro_export]
macro_rules! page_type {
    ($page:ident, $item:ty) => {
        /// One page of a collection; pass `next_cursor` back as `cursor` for the next.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            /// The cursor of the next page, or null on the last page.
            pub next_cursor: Option<String>,
        }

        impl $page {
            /// The page as a 200 response, with `Link: rel="next"` when more follow.
            pub fn respond(
                req: &actix_web::HttpRequest,
                items: Vec<$item>,
                next: Option<$crate::pagination::Cursor>,
            ) -> actix_web::HttpResponse {
                let next_cursor = next.map(|cursor| cursor.encode());
                $crate::pagination::respond(
                    req,
                    next_cursor.as_deref(),
                    &Self {
                        items,
                        next_cursor: next_cursor.clone(),
                    },
                )
            }
        }
    };
}

/// A page as a 200 response with its `Link` header.
pub fn respond<T: Serialize>(req: &HttpRequest, next_cursor: Option<&str>, page: &T) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = next_cursor {
        response.insert_header((header::LINK, format!("<{}>; rel=\"next\"", next_url(req, cursor))));
    }
    response.json(page)
}

/// The request's own URL with `cursor` replaced.
fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    crate::http::absolute_url(req, &format!("{}?{}", req.path(), query.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_with_and_without_a_sort_key() {
        for cursor in [
            Cursor {
                key: None,
                id: Uuid::now_v7(),
            },
            Cursor {
                key: Some("2022-05-31:x".into()),
                id: Uuid::now_v7(),
            },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
    }

    #[test]
    fn forged_cursors_are_rejected_as_invalid() {
        for forged in ["", "!!!", "djE6bm90LWEtdXVpZA", "eyJpZCI6MX0", "' OR 1=1 --"] {
            assert!(
                matches!(Cursor::decode(forged), Err(ApiError::Validation(_))),
                "{forged}"
            );
        }
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
        let (rows, next) = page.finish(ids.clone(), |id| Cursor { key: None, id: *id });
        assert_eq!(rows, ids[..2]);
        assert_eq!(next.unwrap().id, ids[1]);
        let (_, next) = page.finish(ids[..2].to_vec(), |id| Cursor { key: None, id: *id });
        assert!(next.is_none());
    }
}
