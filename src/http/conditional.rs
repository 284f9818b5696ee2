//! Conditional requests (RFC 9110 §13): `If-Match` on changes, `If-None-Match` on reads,
//! and the responses that carry an `ETag`.
//!
//! How to use it: a handler that changes a resource takes [`IfMatch`] and passes it to
//! the repository, which compares it with the row it locked (412 on a mismatch); a
//! handler that reads one takes [`IfNoneMatch`] and answers with [`ok_unless_current`]
//! (304 when the caller's copy is current). Both are plain values from
//! [`crate::domain::version`]; this module only reads them from the headers.

use actix_web::http::header::{self, HeaderName};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

pub use crate::domain::version::{ETag, IfMatch, IfNoneMatch};
use crate::error::ApiError;

/// The entity tags of header `name`, split at commas, blanks dropped.
fn tags(req: &HttpRequest, name: HeaderName) -> Vec<String> {
    req.headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().to_string())
        .filter(|tag| !tag.is_empty())
        .collect()
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(IfMatch::tags(tags(req, header::IF_MATCH))))
    }
}

impl FromRequest for IfNoneMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(IfNoneMatch::tags(tags(req, header::IF_NONE_MATCH))))
    }
}

/// What an answer is tagged with: an [`ETag`] made for it (`&tag`), or the version of
/// the resource it shows (`row.version`), tagged as [`ETag::of_version`] tags it.
pub trait Tag {
    /// The `ETag` to send.
    fn into_etag(self) -> ETag;
}

impl Tag for &ETag {
    fn into_etag(self) -> ETag {
        self.clone()
    }
}

impl Tag for i32 {
    fn into_etag(self) -> ETag {
        ETag::of_version(self)
    }
}

/// 200 with the resource and its `ETag`, or 304 (with the `ETag`, no body) when the
/// caller's copy is current.
pub fn ok_unless_current<T: Serialize>(if_none_match: &IfNoneMatch, tag: impl Tag, body: &T) -> HttpResponse {
    let tag = tag.into_etag();
    if if_none_match.is_current(&tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag.as_str()))
            .finish();
    }
    ok(&tag, body)
}

/// 200 with a view computed from several resources (a trail, a scorecard), tagged by its
/// bytes: the view has no version of its own, so its `ETag` is a digest of exactly what
/// is sent, and an `If-None-Match` naming it gets 304 (the body is computed either way;
/// the caller is spared the transfer).
pub fn ok_unless_same<T: Serialize>(if_none_match: &IfNoneMatch, body: &T) -> HttpResponse {
    let bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(error) => return crate::error::ApiError::Internal(error.into()).error_response(),
    };
    let tag = ETag::of_bytes(&bytes);
    if if_none_match.is_current(&tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag.as_str()))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag.as_str()))
        .content_type("application/json")
        .body(bytes)
}

/// 200 with the resource and its `ETag`: the answer to a change.
pub fn ok<T: Serialize>(tag: impl Tag, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag.into_etag().as_str()))
        .json(body)
}

/// 201 with the new resource, its `Location` and its `ETag`.
pub fn created<T: Serialize>(location: String, tag: impl Tag, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, tag.into_etag().as_str()))
        .json(body)
}
