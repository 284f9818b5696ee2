//! A page of a collection as JSON: `{"items": [...], "next_cursor": "..." | null}`,
//! with a `Link: <…>; rel="next"` header mirroring the cursor and `Vary: Accept`
//! (the same URL is also a CSV export).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::pagination::Cursor;

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
                $crate::http::page::respond_items(req, items, next)
            }
        }
    };
}

/// Items and the cursor after them as a 200 response: the same JSON as every page
/// type that [`page_type!`](crate::page_type) declares for the OpenAPI document.
pub fn respond_items<T: Serialize>(req: &HttpRequest, items: Vec<T>, next: Option<Cursor>) -> HttpResponse {
    #[derive(Serialize)]
    struct Page<T> {
        items: Vec<T>,
        next_cursor: Option<String>,
    }
    let scope = crate::pagination::list_scope(req.path(), req.query_string());
    let next_cursor = next.map(|cursor| cursor.encode_in(&scope));
    respond(
        req,
        next_cursor.as_deref(),
        &Page {
            items,
            next_cursor: next_cursor.clone(),
        },
    )
}

/// A page as a 200 response with its `Link` header.
pub fn respond<T: Serialize>(req: &HttpRequest, next_cursor: Option<&str>, page: &T) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    // The same URL is also a CSV export (`Accept: text/csv`): caches must key on Accept.
    response.insert_header((header::VARY, "Accept"));
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
    let mut query = query.finish();
    // A cursor is URL-safe as it is (digits, hex, `-` and `~`): no escaping needed.
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("cursor=");
    query.push_str(cursor);
    crate::http::absolute_url(req, &format!("{}?{query}", req.path()))
}
