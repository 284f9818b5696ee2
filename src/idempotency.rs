//! `Idempotency-Key` on every `POST`: a retry with the same key and body gets the first
//! response again (with `Idempotent-Replayed: true`) and creates nothing new; the same
//! key with a different body is a 422; a retry while the first is still running is a
//! 409. Written once, as middleware, so no handler can forget it.
//!
//! A key belongs to one caller (the subject of a valid bearer token, or the client
//! address for anonymous callers) and one path: two clients choosing the same key never
//! collide, and a client that refreshed its token still gets its replay.
//! Only answers that did something are kept. A refusal (4xx) or a failure (5xx) changed
//! nothing: its key is forgotten, nothing of its body is stored, and a retry is
//! handled afresh (a caller that fixes its request, its credentials, or waits, gets it
//! handled, under the same key).
//!
//! A replay re-checks who is asking: a token that no longer verifies, or whose account
//! has been deactivated, gets a 401, never the stored answer.
//!
//! An answer marked `Cache-Control: no-store` is never kept either (a token, by RFC
//! 6749 §5.1; a client's or webhook's secret): a retry of a request that changed a
//! resource gets `303 See Other` to it, and one that changed nothing (a sign-in) is
//! handled afresh.
//!
//! A request in flight holds its key under a lease that the middleware renews while the
//! handler runs; the change it makes marks the key with its result in the change's own
//! transaction. After a crash, a retry waits (409) until the lease lapses, then gets
//! `303` to the committed result or, when nothing committed, is run.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;
use crate::http::caller::{Caller, IdempotencyClaim};
use crate::http::{body_rules, read_body};
use crate::repo::idempotency::{self, Claim, StoredKey};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 4] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG, header::LINK];

/// The answer to a retry of a request that was answered, or whose instance died after
/// its change committed: the first answer again, or, when that was not kept (it was
/// marked `no-store`, or never sent), `303 See Other` to its result.
async fn replay(state: &AppState, stored: StoredKey) -> Result<HttpResponse, ApiError> {
    let header_value = |name: &HeaderName| {
        stored
            .response_headers
            .as_ref()
            .and_then(|headers| headers.get(name.as_str()))
            .and_then(|value| value.as_str())
            .map(str::to_string)
    };
    if let (Some(status), Some(body)) = (stored.response_status, stored.response_body.clone()) {
        let mut response = HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK));
        for name in &KEPT_HEADERS {
            if let Some(Ok(value)) = header_value(name).map(|v| HeaderValue::from_str(&v)) {
                response.insert_header((name.clone(), value));
            }
        }
        response.insert_header((REPLAYED, "true"));
        return Ok(response.body(body));
    }
    let location = match (&stored.result_type, stored.result_id) {
        (Some(resource_type), Some(resource_id)) => {
            let mut conn = state.conn().await?;
            idempotency::result_location(&mut conn, resource_type, resource_id).await?
        }
        _ => None,
    }
    .or_else(|| header_value(&header::LOCATION));
    match location.map(|location| HeaderValue::from_str(&location)) {
        Some(Ok(location)) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((REPLAYED, "true"))
            .finish()),
        _ => Err(ApiError::conflict(
            "A request with this Idempotency-Key was handled, and its answer was not kept",
        )),
    }
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
                Some(subject) => format!("subject:{:x}", Sha256::digest(subject.as_bytes())),
                None => format!("token:{:x}", Sha256::digest(authorization.as_bytes())),
            }
        }
        None => format!("anonymous:{}", crate::http::proxy::client_address(req.request())),
    };
    // A follow link's token is in its path, and must not be stored: the scope keeps
    // the path without it, and a hash of the whole path so that two links never share
    // a key.
    let scope = match crate::domain::follow::redact_path(req.path()) {
        std::borrow::Cow::Borrowed(path) => format!("{caller} POST {path}"),
        std::borrow::Cow::Owned(path) => format!("{caller} POST {path} {:x}", Sha256::digest(req.path())),
    };
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
    let request_hash = format!("{:x}", fingerprint.finalize());
    req.set_payload(actix_web::dev::Payload::from(body));

    let claimed = match state.conn().await {
        Ok(mut conn) => idempotency::claim(&mut conn, &caller, &scope, &key, &request_hash).await,
        Err(error) => Err(error),
    };
    let claim_id = match claimed {
        Err(error) => return Ok(problem(req, error)),
        Ok(Claim::Granted(claim_id)) => claim_id,
        Ok(Claim::Taken(stored)) if stored.request_hash != request_hash => {
            let error = ApiError::invalid("Idempotency-Key", "was already used with a different request");
            return Ok(problem(req, error));
        }
        Ok(Claim::Taken(stored)) if stored.is_in_flight() => {
            let error = ApiError::conflict("A request with this Idempotency-Key is still being handled");
            return Ok(problem(req, error));
        }
        Ok(Claim::Taken(stored)) => {
            // A replay answers for the caller as they are now: a token that no longer
            // verifies, or whose account was deactivated since, gets its 401 rather than
            // the stored answer (which may carry data only that account could see).
            let mut no_payload = actix_web::dev::Payload::None;
            if let Err(error) = Caller::from_request(req.request(), &mut no_payload).await {
                return Ok(problem(req, error));
            }
            let response = match replay(&state, stored).await {
                Ok(response) => response,
                Err(error) => return Ok(problem(req, error)),
            };
            let (req, _) = req.into_parts();
            return Ok(ServiceResponse::new(req, response));
        }
    };

    // Handle the request, renewing the lease while it runs: a lease that runs out
    // means this instance died, and a retry may then take the key over.
    req.extensions_mut().insert(IdempotencyClaim(claim_id));
    let handling = next.call(req);
    tokio::pin!(handling);
    let response = loop {
        tokio::select! {
            response = &mut handling => break response?,
            () = tokio::time::sleep(idempotency::RENEW_EVERY) => {
                let renewed = match state.conn().await {
                    Ok(mut conn) => idempotency::renew(&mut conn, claim_id).await,
                    Err(error) => Err(error),
                };
                if let Err(error) = renewed {
                    log::warn!("could not renew the lease on an Idempotency-Key: {error}");
                }
            }
        }
    };
    let (req, response) = response.into_parts();
    let status = response.status();
    let no_store = crate::http::caching::is_no_store(response.headers().get(header::CACHE_CONTROL));
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
        // Only an answer that did something is kept: a refusal (4xx) or a failure (5xx)
        // changed nothing, so its retry is handled afresh and nothing of a refused
        // request's body is stored. (A change that did commit keeps its key whatever
        // the answer: `release` leaves a key marked with a result.)
        let result = if status.is_client_error() || status.is_server_error() {
            idempotency::release(&mut conn, claim_id).await.map(|_| ())
        } else if no_store {
            // Its answer must not be stored; a retry is pointed at the result instead,
            // or, with nothing to point at (a token), handled afresh.
            let has_location = headers.contains_key(header::LOCATION.as_str());
            match idempotency::release(&mut conn, claim_id).await {
                Ok(true) if !has_location => Ok(()),
                Ok(_) => idempotency::complete(&mut conn, claim_id, status.as_u16(), headers.into(), None).await,
                Err(error) => Err(error),
            }
        } else {
            idempotency::complete(&mut conn, claim_id, status.as_u16(), headers.into(), Some(&bytes)).await
        };
        if let Err(error) = result {
            log::warn!("could not record the response to an Idempotency-Key: {error}");
        }
    }
    head.headers_mut().remove(header::CONTENT_LENGTH);
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(req, response))
}
