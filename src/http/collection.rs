//! What a collection is to the listing path: its item, its CSV columns, and one page of
//! items under its filters. [`crate::http::listing`] answers JSON pages and
//! [`crate::http::csv`] whole exports from the same [`Listing`].

use std::future::Future;

use serde::Serialize;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::http::caching::Caching;
use crate::pagination::{Cursor, PageRequest};

/// A collection, as one page of items at a time under its filters.
pub trait Listing: Sized + 'static {
    /// The item as the JSON list shows it.
    type Item: Serialize;
    /// The CSV columns, in order: the item's JSON fields, nested objects flattened with
    /// `_`. Only these are written, so a field left out (contact details) never leaks.
    const COLUMNS: &'static [&'static str];
    /// The download's file name, before the date and `.csv` (`questions`).
    const NAME: &'static str;

    /// One page of items in the list's order, and the cursor of the next.
    fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> impl Future<Output = Result<(Vec<Self::Item>, Option<Cursor>), ApiError>>;

    /// Whether a JSON page carries personal data (contact details) for this caller, and
    /// so must not be stored ([`Caching::Personal`]). CSV exports never carry it.
    fn caching(&self) -> Caching {
        Caching::Default
    }
}

/// A page of rows as a page of the items they show, each converted as its `From` says:
/// what most [`Listing::page`]s answer with the repository's page.
pub fn converted<R, T: From<R>>((rows, next): (Vec<R>, Option<Cursor>)) -> (Vec<T>, Option<Cursor>) {
    (rows.into_iter().map(T::from).collect(), next)
}
