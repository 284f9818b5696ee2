//! `Idempotency-Key` on every `POST`: a retry with the same key and body gets the first
//! response again (with `Idempotent-Replayed: true`) and creates nothing new; the same
//! key with a different body is a 422; a retry while the first is still running is a
//! 409. Written once, as middleware, so no handler can forget it.
//!
//! A key belongs to one caller (the subject of a valid bearer token, or the client
//! address for anonymous callers) and one path: two clients choosing the same key never
//! collide, and a client that refreshed its token still gets its replay.
//! Answers that say the request was not acted on are not kept: 5xx (a request that
//! failed for want of a database can be retried with the same key), and 401, 403 and
//! 429 (a caller that fixes its credentials, or waits, gets its request handled, and
//! a refused request never makes its key answer 422 for another body: the refusal
//! comes first).
//!
//! A replay re-checks who is asking: a token that no longer verifies, or whose account
//! has been deactivated, gets a 401, never the stored answer.
//!
//! An answer marked `Cache-Control: no-store` is never kept either: it says it must
//! not be stored anywhere (the token endpoint's, by RFC 6749 §5.1, carries an access
//! token), so a retry is handled afresh.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;
use crate::http::caller::Caller;
use crate::http::{body_rules, read_body};
use crate::repo::idempotency;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 4] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG, header::LINK];

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn problem(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    ServiceResponse::new(req, error.error_response())
}

/// The middleware.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(IDEMPOTENCY_KEY) {
        Some(key) if req.method() == Method::POST => key.clone(),
        _ => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
    };
    let key = match key.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) => key.to_string(),
        _ => {
            let error = ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters");
            return Ok(problem(req, error));
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };

    // Read the body to fingerprint it, then hand it on to the handler.
    let (limit, timeout, declared_length) = body_rules(req.request());
    let body = match read_body(limit, timeout, declared_length, req.take_payload()).await {
        Ok(body) => body,
        Err(error) => return Ok(problem(req, error)),
    };
    // A verified token's subject owns the key, so a retry with a refreshed token (or
    // through another instance) is still recognised; a token that does not verify is
    // scoped to its exact bytes, and the handler will refuse it anyway.
    let caller = match req.headers().get(header::AUTHORIZATION) {
        Some(authorization) => {
            let subject = authorization
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .and_then(|token| state.auth.verify(token.trim()).ok())
                .map(|principal| principal.subject.claim());
            match subject {
                Some(subject) => format!("subject:{}", hex(Sha256::digest(subject.as_bytes()))),
                None => hex(Sha256::digest(authorization.as_bytes())),
            }
        }
        None => format!("anonymous:{}", crate::http::proxy::client_address(req.request())),
    };
    let scope = format!("{caller} POST {}", req.path());
    let mut fingerprint = Sha256::new();
    // The query is part of the request: `POST /imports?dry_run=true` then `?dry_run=false`
    // with one key must not replay the dry run as if it were the import.
    fingerprint.update(req.query_string().as_bytes());
    fingerprint.update(b"\n");
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        fingerprint.update(content_type.as_bytes());
    }
    fingerprint.update(b"\n");
    fingerprint.update(&body);
    let request_hash = hex(fingerprint.finalize());
    req.set_payload(actix_web::dev::Payload::from(body));

    let stored = match state.conn().await {
        Ok(mut conn) => idempotency::claim(&mut conn, &scope, &key, &request_hash).await,
        Err(error) => Err(error),
    };
    match stored {
        Err(error) => return Ok(problem(req, error)),
        Ok(Some(stored)) if stored.request_hash != request_hash => {
            let error = ApiError::invalid("Idempotency-Key", "was already used with a different request");
            return Ok(problem(req, error));
        }
        Ok(Some(stored)) => {
            let Some(status) = stored.response_status else {
                let error = ApiError::conflict("A request with this Idempotency-Key is still being handled");
                return Ok(problem(req, error));
            };
            // A replay answers for the caller as they are now: a token that no longer
            // verifies, or whose account was deactivated since, gets its 401 rather than
            // the stored answer (which may carry data only that account could see).
            let mut no_payload = actix_web::dev::Payload::None;
            if let Err(error) = Caller::from_request(req.request(), &mut no_payload).await {
                return Ok(problem(req, error));
            }
            let mut response = HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK));
            if let Some(headers) = stored.response_headers.as_ref().and_then(|h| h.as_object()) {
                for (name, value) in headers {
                    if let (Ok(name), Some(Ok(value))) = (
                        HeaderName::try_from(name.as_str()),
                        value.as_str().map(HeaderValue::from_str),
                    ) {
                        response.insert_header((name, value));
                    }
                }
            }
            response.insert_header((REPLAYED, "true"));
            let (req, _) = req.into_parts();
            return Ok(ServiceResponse::new(
                req,
                response.body(stored.response_body.unwrap_or_default()),
            ));
        }
        Ok(None) => {}
    }

    let response = next.call(req).await?;
    let (req, response) = response.into_parts();
    let status = response.status();
    let no_store = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
        });
    let headers: serde_json::Map<String, serde_json::Value> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.to_string(), serde_json::Value::String(value.to_string())))
        })
        .collect();
    let (mut head, body) = response.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Ok(ServiceResponse::new(
                req,
                ApiError::Internal(anyhow::anyhow!("unreadable response body")).error_response(),
            ));
        }
    };
    if let Ok(mut conn) = state.conn().await {
        let acted_on = !(status.is_server_error()
            || matches!(
                status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
            ));
        let result = if !acted_on || no_store {
            idempotency::release(&mut conn, &scope, &key).await
        } else {
            idempotency::complete(&mut conn, &scope, &key, status.as_u16(), headers.into(), &bytes).await
        };
        if let Err(error) = result {
            log::warn!("could not record the response to an Idempotency-Key: {error}");
        }
    }
    head.headers_mut().remove(header::CONTENT_LENGTH);
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(req, response))
}
