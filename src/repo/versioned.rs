//! The versioned write every update, transition and delete goes through.
//!
//! How to use it, inside the write's transaction: lock the row (`SELECT … FOR UPDATE`,
//! the resource's own query), pass it to [`locked`] (404 when there is none, 412 when
//! the caller's `If-Match` names another version), check who may change it and whether
//! its state allows the change (403 or 409, right after loading), write the change with
//! [`Versioned::next_version`], and log it with [`super::changelog`]. A change that
//! changes nothing keeps the version and logs nothing.

use std::fmt::Display;

use crate::domain::version::IfMatch;
use crate::error::ApiError;

/// A stored resource with a version that increases by one on every change.
pub trait Versioned {
    /// What a 404 calls it: `organisation`, `API client`.
    const NOUN: &'static str;
    /// Its current version.
    fn version(&self) -> i32;

    /// The version its next change writes.
    fn next_version(&self) -> i32 {
        self.version() + 1
    }
}

/// The locked row a change is about: 404 ("No organisation has id …") when `row` is
/// none, 412 when `if_match` names a version other than the row's.
pub fn locked<R: Versioned>(row: Option<R>, id: impl Display, if_match: &IfMatch) -> Result<R, ApiError> {
    let row = row.ok_or_else(|| not_found::<R>(id))?;
    if_match.check_version(row.version())?;
    Ok(row)
}

/// The 404 for a resource of kind `R` that has no row with `id`.
pub fn not_found<R: Versioned>(id: impl Display) -> ApiError {
    ApiError::not_found(format!("No {} has id {id}", R::NOUN))
}

/// Implements [`Versioned`] for a row with a `version: i32` column.
#[macro_export]
macro_rules! versioned_row {
    ($row:ty, $noun:literal) => {
        impl $crate::repo::versioned::Versioned for $row {
            const NOUN: &'static str = $noun;

            fn version(&self) -> i32 {
                self.version
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Row {
        version: i32,
    }
    crate::versioned_row!(Row, "widget");

    #[test]
    fn a_missing_row_is_a_404_naming_it_and_a_stale_version_a_412() {
        match locked::<Row>(None, 7, &IfMatch::none()) {
            Err(ApiError::NotFound(detail)) => assert_eq!(detail, "No widget has id 7"),
            other => panic!("expected a 404, got {other:?}"),
        }
        let stale = IfMatch::tags(vec!["\"2\"".into()]);
        assert!(matches!(
            locked(Some(Row { version: 3 }), 7, &stale),
            Err(ApiError::PreconditionFailed)
        ));
        let row = locked(Some(Row { version: 3 }), 7, &IfMatch::tags(vec!["\"3\"".into()])).unwrap();
        assert_eq!(row.next_version(), 4);
    }
}
