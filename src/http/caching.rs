//! Who may keep a copy of an answer (RFC 9111).
//!
//! Three rules, written once:
//!
//! - An answer that shows a secret this once (a new client's or webhook's secret) is
//!   `Cache-Control: no-store` ([`Caching::Secret`]): no cache may keep it, and neither
//!   does the idempotency middleware (a retry is sent to the resource instead).
//! - An answer whose body carries personal data (a questioner's contact details, which
//!   only `secretariat` and `admin` see) is `Cache-Control: private, no-store`: no
//!   cache, shared or the browser's own, may keep it. The handler that renders such a
//!   body says so with [`Caching::Personal`] (derived from what it rendered, see
//!   `Question::caching`), and [`Caching::mark`] sets the header, on the 304 of a
//!   conditional read as on the 200. A list says it through
//!   [`crate::http::collection::Listing::caching`]. CSV exports never carry contact
//!   details (their columns leave them out), and neither do answers to `POST`, which
//!   the idempotency middleware keeps for replays: see `routes::questions`.
//! - Every other answer to a `GET` or `HEAD` under `/api/` depends on who asks (what is
//!   public, what a role may see), so [`vary_by_caller`] adds `Vary: Authorization`:
//!   a cache that keeps it must not hand one caller's copy to another.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

/// `Cache-Control` of an answer that carries personal data.
pub const PERSONAL: &str = "private, no-store";

/// Whether an answer may be kept by caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// As the answer's own headers say (public data, or data for the caller's role,
    /// with `Vary: Authorization`).
    Default,
    /// It carries personal data: `Cache-Control: private, no-store`.
    Personal,
    /// It shows a secret this once: `Cache-Control: no-store`.
    Secret,
}

impl Caching {
    /// [`Caching::Personal`] when `carries_personal_data`.
    pub fn personal_if(carries_personal_data: bool) -> Self {
        if carries_personal_data {
            Caching::Personal
        } else {
            Caching::Default
        }
    }

    /// `response`, with the `Cache-Control` this caching asks for (none for the default).
    pub fn mark(self, mut response: HttpResponse) -> HttpResponse {
        let value = match self {
            Caching::Default => return response,
            Caching::Personal => PERSONAL,
            Caching::Secret => "no-store",
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        response
    }
}

/// Whether a `Cache-Control` value forbids storing.
pub fn is_no_store(cache_control: Option<&HeaderValue>) -> bool {
    cache_control
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
        })
}

/// Middleware: `Vary: Authorization` (added to any `Vary` already there) on every
/// answer to a `GET` or `HEAD` under `/api/` that caches may keep.
pub async fn vary_by_caller(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let applies = matches!(*req.method(), Method::GET | Method::HEAD) && req.path().starts_with("/api/");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if applies && !is_no_store(headers.get(header::CACHE_CONTROL)) {
        let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
            Some(existing)
                if existing
                    .split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case("authorization")) =>
            {
                None
            }
            Some(existing) if !existing.trim().is_empty() => Some(format!("{existing}, Authorization")),
            _ => Some("Authorization".to_string()),
        };
        if let Some(vary) = vary.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(header::VARY, vary);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_store_is_found_among_other_directives_in_any_case() {
        assert!(is_no_store(Some(&HeaderValue::from_static("private, No-Store"))));
        assert!(is_no_store(Some(&HeaderValue::from_static("no-store"))));
        assert!(!is_no_store(Some(&HeaderValue::from_static("public, max-age=60"))));
        assert!(!is_no_store(None));
    }

    #[test]
    fn only_personal_answers_are_marked() {
        let marked = Caching::personal_if(true).mark(HttpResponse::Ok().finish());
        assert_eq!(marked.headers().get(header::CACHE_CONTROL).unwrap(), PERSONAL);
        let plain = Caching::personal_if(false).mark(HttpResponse::Ok().finish());
        assert!(plain.headers().get(header::CACHE_CONTROL).is_none());
    }
}
