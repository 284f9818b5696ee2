//! The versioned write every update, transition and delete goes through.
//!
//! How to use it, inside the write's transaction: lock the row (`SELECT … FOR UPDATE`,
//! the resource's own query), pass it to [`locked`] (404 when there is none, 412 when
//! the caller's `If-Match` names another version), check who may change it and whether
//! its state allows the change (403 or 409, right after loading), write the change with
//! [`Versioned::next_version`], and log it with [`super::changelog`]. A change that
//! changes nothing keeps the version and logs nothing.
//!
//! A row read by its primary key from its own table is [`Stored`] too
//! (`versioned_row!(Row, "noun", table, IdType)`), and then [`get`], [`find`] and [`lock`]
//! are the one way every repository reads it by id and locks it for a change.

use std::fmt::Display;

use diesel::dsl::Limit;
use diesel::query_dsl::methods::LimitDsl;
use diesel::OptionalExtension as _;
use diesel_async::methods::LoadQuery;
use diesel_async::RunQueryDsl as _;

use crate::db::DbConn;
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

/// A [`Versioned`] row that lives in one table under its own primary key.
///
/// The queries are spelt per table (by `versioned_row!`) because diesel only names a
/// locking query's type for a concrete table; what is done with them is written once,
/// in [`get`], [`find`] and [`lock`].
pub trait Stored: Versioned + Send + Sized + 'static {
    /// Its primary key, as the 404 names it.
    type Id: Display + Copy + Send;
    /// `SELECT <its columns> FROM <table> WHERE id = $1`.
    type ById: LimitDsl;
    /// [`Stored::ById`] `FOR UPDATE`.
    type Locking: LimitDsl;

    /// The query reading the row `id`.
    fn by_id(id: Self::Id) -> Self::ById;
    /// The query reading the row `id` and locking it until the transaction ends.
    fn locking(id: Self::Id) -> Self::Locking;
}

/// The row `id` of kind `R`, if there is one.
pub async fn get<R: Stored>(conn: &mut DbConn, id: R::Id) -> Result<Option<R>, ApiError>
where
    Limit<R::ById>: LoadQuery<'static, DbConn, R> + Send + 'static,
{
    Ok(R::by_id(id).first(conn).await.optional()?)
}

/// The row `id` of kind `R`: 404 ("No meeting has id …") when there is none.
pub async fn find<R: Stored>(conn: &mut DbConn, id: R::Id) -> Result<R, ApiError>
where
    Limit<R::ById>: LoadQuery<'static, DbConn, R> + Send + 'static,
{
    get(conn, id).await?.ok_or_else(|| not_found::<R>(id))
}

/// The row `id` of kind `R`, if there is one, locked (`FOR UPDATE`) until the caller's
/// transaction ends: for a write that decides for itself what a missing row means.
pub async fn get_locked<R: Stored>(conn: &mut DbConn, id: R::Id) -> Result<Option<R>, ApiError>
where
    Limit<R::Locking>: LoadQuery<'static, DbConn, R> + Send + 'static,
{
    Ok(R::locking(id).first(conn).await.optional()?)
}

/// The row `id` of kind `R`, locked as [`get_locked`] locks it and checked by
/// [`locked`]: 404 when there is none, 412 when `if_match` names another version. The
/// first step of every versioned write, inside its transaction.
pub async fn lock<R: Stored>(conn: &mut DbConn, id: R::Id, if_match: &IfMatch) -> Result<R, ApiError>
where
    Limit<R::Locking>: LoadQuery<'static, DbConn, R> + Send + 'static,
{
    locked(get_locked(conn, id).await?, id, if_match)
}

/// Implements [`Versioned`] for a row with a `version: i32` column; given the row's
/// table (a module of `db::schema`, in scope) and primary key type, [`Stored`] too.
#[macro_export]
macro_rules! versioned_row {
    ($row:ty, $noun:literal, $table:ident, $id:ty) => {
        $crate::versioned_row!($row, $noun);

        impl $crate::repo::versioned::Stored for $row {
            type Id = $id;
            type ById =
                diesel::dsl::Select<diesel::dsl::Find<$table::table, $id>, diesel::dsl::AsSelect<$row, diesel::pg::Pg>>;
            type Locking = diesel::dsl::ForUpdate<Self::ById>;

            fn by_id(id: $id) -> Self::ById {
                let columns = <$row as diesel::SelectableHelper<diesel::pg::Pg>>::as_select();
                diesel::QueryDsl::select(diesel::QueryDsl::find($table::table, id), columns)
            }

            fn locking(id: $id) -> Self::Locking {
                diesel::QueryDsl::for_update(Self::by_id(id))
            }
        }
    };
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
