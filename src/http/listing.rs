//! One listing path for every collection: a page of JSON, or with `Accept: text/csv`
//! the whole collection as a streamed CSV download, from the same query.
//!
//! How to use it: a collection is a type that implements [`Listing`] (its item, its CSV
//! columns, and one page of its items under its filters, read by the repository); the
//! handler takes its filters and its [`Page`] with [`Paged`], builds the listing, and
//! answers with [`Page::respond`]. Filters are written once, in the listing; JSON and CSV
//! cannot disagree about what matches.

use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::error::ApiError;
use crate::http::caller::Caller;
pub use crate::http::collection::{converted, Listing};
pub use crate::http::csv::ExportParams;
use crate::http::{csv, page, parse_query};
use crate::pagination::PageRequest;

/// The paging parameters every list takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// `bom` and `escape_formulas`, split from the query by [`Paged`]; a list that
    /// exports CSV documents them with `params(…, ExportParams)`.
    #[serde(skip)]
    pub export: ExportParams,
}

/// A list request: its filters `F`, parsed strictly (an unknown parameter or a bad value
/// is a 422 naming it), and the [`Page`] it asks for.
#[derive(Debug)]
pub struct Paged<F>(pub F, pub Page);

/// The page a list request asks for ([`PageParams`]), with what answering it takes: the
/// request (its `Accept`, and its URL for the `Link`) and the state (a connection).
pub struct Page {
    req: HttpRequest,
    state: web::Data<AppState>,
    paging: PageParams,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("paging", &self.paging)
            .finish_non_exhaustive()
    }
}

impl<F: DeserializeOwned> FromRequest for Paged<F> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_paged(req.query_string()).and_then(|(filters, paging)| {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no AppState")))?;
            Ok(Paged(
                filters,
                Page {
                    req: req.clone(),
                    state,
                    paging,
                },
            ))
        }))
    }
}

/// Splits `limit` and `cursor`, and the export options, from the filters and parses
/// each part.
fn parse_paged<F: DeserializeOwned>(query: &str) -> Result<(F, PageParams), ApiError> {
    let (mut paging, mut export, mut filters) = (
        form_urlencoded::Serializer::new(String::new()),
        form_urlencoded::Serializer::new(String::new()),
        form_urlencoded::Serializer::new(String::new()),
    );
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let part = match key.as_ref() {
            "limit" | "cursor" => &mut paging,
            "bom" | "escape_formulas" => &mut export,
            _ => &mut filters,
        };
        part.append_pair(&key, &value);
    }
    let filters = parse_query(&filters.finish())?;
    let mut paging: PageParams = parse_query(&paging.finish())?;
    paging.export = parse_query(&export.finish())?;
    Ok((filters, paging))
}

impl Page {
    /// Whether the caller asked for CSV (`Accept: text/csv`): for a collection whose CSV
    /// rows are shaped differently from its JSON items.
    pub fn wants_csv(&self) -> bool {
        csv::wants_csv(&self.req)
    }

    /// The answer to a list request: with `Accept: text/csv`, every matching item as CSV
    /// (see [`csv`]); otherwise this page, as JSON with its `Link`.
    pub async fn respond<L: Listing>(self, caller: &Caller, listing: L) -> Result<HttpResponse, ApiError> {
        if !csv::wants_csv(&self.req) {
            return self.respond_json(caller, listing).await;
        }
        let PageParams { limit, cursor, export } = self.paging;
        csv::respond(&self.state, caller, listing, limit, cursor.as_deref(), export).await
    }

    /// This page, as JSON with its `Link`, whatever the `Accept`: for the lists that
    /// have no CSV form (a resource's history, sub-lists the API documents as JSON
    /// only, accounts and webhook subscriptions and deliveries), where `Accept:
    /// text/csv` gets JSON as it always has. The export options (`bom`,
    /// `escape_formulas`) are refused (422) rather than ignored: they would change
    /// nothing.
    pub async fn respond_json<L: Listing>(self, caller: &Caller, listing: L) -> Result<HttpResponse, ApiError> {
        let Page { req, state, paging } = self;
        let refused: Vec<_> = paging
            .export
            .given()
            .into_iter()
            .map(|name| {
                crate::error::FieldError::new(
                    name,
                    "is used only with Accept: text/csv, on the lists that export CSV; leave it out",
                )
            })
            .collect();
        if !refused.is_empty() {
            return Err(ApiError::validation(refused));
        }
        let scope = crate::pagination::list_scope(req.path(), req.query_string());
        let page = PageRequest::parse_in(paging.limit, paging.cursor.as_deref(), &scope)?;
        let mut conn = state.read_conn(caller.is_signed_in()).await?;
        let (items, next) = listing.page(&mut conn, page).await?;
        drop(conn);
        Ok(listing.caching().mark(page::respond_items(&req, items, next)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filters {
        status: Option<String>,
    }

    #[test]
    fn paging_is_split_from_the_filters_and_each_is_strict() {
        let (filters, paging) = parse_paged::<Filters>("status=open&limit=5&cursor=1~x").unwrap();
        assert_eq!(filters.status.as_deref(), Some("open"));
        assert_eq!((paging.limit, paging.cursor.as_deref()), (Some(5), Some("1~x")));
        match parse_paged::<Filters>("statsu=open") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "statsu"),
            other => panic!("expected a 422 naming the parameter, got {other:?}"),
        }
        let (_, paging) = parse_paged::<Filters>("bom=true&escape_formulas=false").unwrap();
        assert_eq!(paging.export.bom, Some(true));
        assert_eq!(paging.export.escape_formulas, Some(false));
        match parse_paged::<Filters>("bom=yes") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "bom"),
            other => panic!("expected a 422 naming the parameter, got {other:?}"),
        }
        match parse_paged::<Filters>("limit=many") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "limit"),
            other => panic!("expected a 422 naming the parameter, got {other:?}"),
        }
    }
}
