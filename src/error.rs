//! The one error type of the HTTP API, and its RFC 9457 `application/problem+json` form.
//!
//! How to use it: handlers and repositories return `Result<_, ApiError>`; `?` converts
//! diesel and pool errors (row not found → 404, unique violation → 409, lost database →
//! 503). Build client errors with the constructors ([`ApiError::not_found`],
//! [`ApiError::validation`], [`ApiError::conflict`] …). Anything unexpected becomes
//! [`ApiError::Internal`]: its cause is logged with its whole chain and never sent.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;
use serde::Serialize;
use utoipa::ToSchema;

/// Seconds a client is asked to wait when the database is unavailable.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`name`, `owner.post_title`) or the
    /// query parameter's name.
    #[schema(example = "name")]
    pub field: String,
    /// What is wrong with it, in words meant for the person who sent it.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The most characters of one quoted piece of the caller's input (a field name or
/// value between backticks or double quotes) that an error repeats.
const MAX_ECHOED_CHARS: usize = 40;

/// `text` with every quoted piece of input in it cut to [`MAX_ECHOED_CHARS`] and the
/// whole to `max` characters, each cut marked with `…`: an error says what was wrong
/// without sending back (or, under an `Idempotency-Key`, storing) what a client sent.
pub(crate) fn capped(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut quote: Option<(char, usize)> = None;
    for c in text.chars() {
        match quote {
            Some((open, _)) if c == open => {
                quote = None;
                out.push(c);
            }
            Some((open, seen)) => {
                if seen < MAX_ECHOED_CHARS {
                    out.push(c);
                } else if seen == MAX_ECHOED_CHARS {
                    out.push('…');
                }
                quote = Some((open, seen + 1));
            }
            None => {
                if c == '`' || c == '"' {
                    quote = Some((c, 0));
                }
                out.push(c);
            }
        }
    }
    match out.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
    }
}

/// An RFC 9457 problem document: the body of every error this service sends.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "The request has invalid values",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"field": "name", "message": "must not be empty"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; `GET` it for a description.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem, the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// For 422: each invalid field and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// For a 409 from an illegal state transition: the state the resource is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
}

/// Everything the API can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// A bearer token was sent but cannot be accepted (RFC 6750 `invalid_token`).
    #[error("{0}")]
    InvalidToken(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<Method>),
    #[error("{detail}")]
    Conflict {
        detail: String,
        current_state: Option<String>,
    },
    #[error("the resource has changed since it was read")]
    PreconditionFailed,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The body did not arrive within the time allowed (seconds).
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("invalid request: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the database is unavailable")]
    Unavailable,
    /// E-mail is off on this service, so what was asked needs a message it cannot send.
    #[error("{0}")]
    MailOff(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The kinds of problem, with the stable slug in their `type` URI.
pub struct ProblemType {
    pub slug: &'static str,
    pub status: StatusCode,
    pub title: &'static str,
    pub description: &'static str,
}

/// Every problem type the service produces; `GET /problems/{slug}` describes each.
pub const PROBLEM_TYPES: &[ProblemType] = &[
    ProblemType { slug: "bad-request", status: StatusCode::BAD_REQUEST, title: "The request is malformed",
        description: "The body is not well-formed JSON, or the query string or a header cannot be read. Fix the syntax and send it again." },
    ProblemType { slug: "unauthorized", status: StatusCode::UNAUTHORIZED, title: "Authentication is required",
        description: "No bearer token was sent, or the token is invalid, expired or revoked. Obtain a token from POST /api/v1/auth/token." },
    ProblemType { slug: "forbidden", status: StatusCode::FORBIDDEN, title: "You are not allowed to do this",
        description: "The token is valid, but its roles or organisation do not permit this operation." },
    ProblemType { slug: "not-found", status: StatusCode::NOT_FOUND, title: "The resource does not exist",
        description: "Nothing exists at this address, or it exists but is not visible to the caller." },
    ProblemType { slug: "method-not-allowed", status: StatusCode::METHOD_NOT_ALLOWED, title: "The method is not allowed here",
        description: "The resource exists but does not support this HTTP method. The Allow header lists the methods it supports." },
    ProblemType { slug: "conflict", status: StatusCode::CONFLICT, title: "The request conflicts with the resource's state",
        description: "The change would duplicate something unique, or the resource's current state does not allow this transition (see current_state)." },
    ProblemType { slug: "precondition-failed", status: StatusCode::PRECONDITION_FAILED, title: "The resource has changed",
        description: "The If-Match header names a version that is no longer current. GET the resource again, reapply the change and retry with the new ETag." },
    ProblemType { slug: "request-timeout", status: StatusCode::REQUEST_TIMEOUT, title: "The request body arrived too slowly",
        description: "The whole body must arrive within the service's time limit (15 seconds by default, SCRUTINY_BODY_TIMEOUT_SECS). Send it again at a normal pace." },
    ProblemType { slug: "payload-too-large", status: StatusCode::PAYLOAD_TOO_LARGE, title: "The request body is too large",
        description: "The body exceeds the service's limit (64 KiB by default)." },
    ProblemType { slug: "unsupported-media-type", status: StatusCode::UNSUPPORTED_MEDIA_TYPE, title: "The content type is not supported",
        description: "This operation takes a body of another content type, usually application/json." },
    ProblemType { slug: "not-acceptable", status: StatusCode::NOT_ACCEPTABLE, title: "No acceptable representation",
        description: "The Accept header names no media type this operation can produce." },
    ProblemType { slug: "validation-failed", status: StatusCode::UNPROCESSABLE_ENTITY, title: "The request has invalid values",
        description: "The request is well-formed but some values are invalid, unknown or not allowed to be set by a client. The errors array names each field and what is wrong with it." },
    ProblemType { slug: "too-many-requests", status: StatusCode::TOO_MANY_REQUESTS, title: "Too many requests",
        description: "The caller has sent too many requests. Wait the number of seconds in Retry-After." },
    ProblemType { slug: "internal-error", status: StatusCode::INTERNAL_SERVER_ERROR, title: "Internal error",
        description: "Something unexpected failed inside the service. It has been logged; the request may be retried." },
    ProblemType { slug: "service-unavailable", status: StatusCode::SERVICE_UNAVAILABLE, title: "The service is temporarily unavailable",
        description: "The database cannot be reached, or the service is too busy to answer in time (every database connection, or every turn to build a large answer such as a 1,000-event feed page, taken for longer than SCRUTINY_DB_TIMEOUT_MS). Nothing was changed. Retry after the number of seconds in Retry-After." },
    ProblemType { slug: "mail-off", status: StatusCode::SERVICE_UNAVAILABLE, title: "E-mail is off on this service",
        description: "What was asked needs an e-mail message, and this service sends none: its operator has not set SCRUTINY_SMTP_URL, SCRUTINY_MAIL_FROM and SCRUTINY_BASE_URL. Nothing was stored. This is how the service is set up, not a passing fault: no Retry-After is sent, and asking again will not help until the operator turns mail on." },
];

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(detail.into())
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(detail.into())
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(detail.into())
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::Unauthorized(detail.into())
    }

    /// A 409 with no particular state: a duplicate, say.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            current_state: None,
        }
    }

    /// A 409 for a transition the resource's state does not allow.
    pub fn illegal_transition(detail: impl Into<String>, current_state: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            current_state: Some(current_state.into()),
        }
    }

    /// A 422 about one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A 422 about several fields.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::Validation(errors)
    }

    fn problem_type(&self) -> &'static ProblemType {
        let slug = match self {
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized(_) | Self::InvalidToken(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict { .. } => "conflict",
            Self::PreconditionFailed => "precondition-failed",
            Self::PayloadTooLarge(_) => "payload-too-large",
            Self::RequestTimeout(_) => "request-timeout",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::NotAcceptable(_) => "not-acceptable",
            Self::Validation(_) => "validation-failed",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::Unavailable => "service-unavailable",
            Self::MailOff(_) => "mail-off",
            Self::Internal(_) => "internal-error",
        };
        PROBLEM_TYPES
            .iter()
            .find(|kind| kind.slug == slug)
            .expect("every ApiError variant has a problem type")
    }

    /// The problem document sent for this error.
    pub fn problem(&self) -> Problem {
        let kind = self.problem_type();
        // A field's path can hold input too (an unknown key is its own path).
        let errors = match self {
            Self::Validation(errors) => Some(
                errors
                    .iter()
                    .map(|error| FieldError::new(capped(&error.field, 100), capped(&error.message, 500)))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let detail = match (self, &errors) {
            (Self::Internal(_), _) => "An unexpected error occurred. It has been logged.".to_string(),
            (Self::Validation(_), Some(errors)) if errors.len() == 1 => {
                format!("{}: {}", errors[0].field, errors[0].message)
            }
            (Self::Validation(errors), _) => format!("{} fields are invalid", errors.len()),
            (Self::MethodNotAllowed(allowed), _) => format!(
                "This resource supports {}",
                allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ")
            ),
            (Self::TooManyRequests { retry_after_secs }, _) => {
                format!("Too many requests; retry after {retry_after_secs} seconds")
            }
            (Self::Unavailable, _) => {
                format!("The service is busy or its database unavailable; retry after {UNAVAILABLE_RETRY_AFTER_SECS} seconds")
            }
            (other, _) => other.to_string(),
        };
        Problem {
            type_: format!("/problems/{}", kind.slug),
            title: kind.title.to_string(),
            status: kind.status.as_u16(),
            detail: capped(&detail, 1000),
            errors,
            current_state: match self {
                Self::Conflict { current_state, .. } => current_state.clone(),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem_type().status
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            log::error!("internal error: {cause:?}");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"scrutiny\""));
            }
            Self::InvalidToken(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"scrutiny\", error=\"invalid_token\"",
                ));
            }
            Self::MethodNotAllowed(allowed) => {
                let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
                if let Ok(value) = HeaderValue::from_str(&allow) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unavailable => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER_SECS.to_string()));
            }
            _ => {}
        }
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::Error;
        match error {
            Error::NotFound => Self::not_found("No such resource"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                if let Some(constraint) = info.constraint_name() {
                    log::info!("unique violation of {constraint}");
                }
                Self::conflict(what_conflicts(info.constraint_name()))
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                log::warn!("database connection lost: {}", info.message());
                Self::Unavailable
            }
            // Search text PostgreSQL cannot turn into a query (`q` is the only input that
            // reaches websearch_to_tsquery): the client's to fix, never a 500.
            Error::DatabaseError(_, ref info) if info.message().contains("tsquery") => {
                log::info!("search text refused by PostgreSQL: {}", info.message());
                Self::invalid("q", "cannot be read as a search; use fewer operators")
            }
            // The server closing our session (restart, failover, pg_terminate_backend).
            Error::DatabaseError(_, ref info) if is_connection_loss(info.message()) => {
                log::warn!("database connection lost: {}", info.message());
                Self::Unavailable
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// What a unique constraint protects, in the API's words: a 409 says what conflicts,
/// never the database's name for it.
fn what_conflicts(constraint: Option<&str>) -> &'static str {
    const UNIQUE: &[(&str, &str)] = &[
        (
            "organisations_name_key",
            "An organisation with this name already exists (names are unique, ignoring letter case)",
        ),
        (
            "users_username_key",
            "A user with this username already exists (usernames are unique, ignoring letter case)",
        ),
        (
            "api_clients_client_id_key",
            "An API client with this client_id already exists",
        ),
        (
            "actions_programme_id_lower_reference_key",
            "An action with this reference already exists in this programme (references are unique within a programme, ignoring letter case)",
        ),
        (
            "recommendations_report_id_reference_key",
            "This report already has a recommendation with this reference",
        ),
        (
            "questions_reference_key",
            "A question with this reference already exists",
        ),
        ("questions_source_hash_key", "This document has already been imported"),
    ];
    constraint
        .and_then(|name| UNIQUE.iter().find(|(known, _)| *known == name))
        .map_or("A resource with the same unique value already exists", |(_, what)| what)
}

fn is_connection_loss(message: &str) -> bool {
    message.contains("terminating connection")
        || message.contains("the database system is shutting down")
        || message.contains("the database system is starting up")
        || message.contains("connection closed")
}

impl From<deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> for ApiError {
    fn from(error: deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>) -> Self {
        log::warn!("no database connection: {error}");
        Self::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_repeats_at_most_a_little_of_what_was_sent() {
        let name = "x".repeat(60_000);
        let error = ApiError::invalid(
            "body",
            format!("unknown field `{name}`, expected one of `name`, `kind`"),
        );
        let body = serde_json::to_string(&error.problem()).unwrap();
        assert!(body.len() < 1_000, "{} bytes", body.len());
        let unknown_key = ApiError::invalid(name.clone(), "unknown field").problem();
        assert!(unknown_key.detail.len() < 200, "{}", unknown_key.detail);
        assert!(
            body.contains(&format!("`{}…`, expected one of `name`, `kind`", "x".repeat(40))),
            "{body}"
        );
        let long_path = ApiError::invalid("y".repeat(5_000), "must not be empty").problem();
        assert_eq!(long_path.errors.unwrap()[0].field.chars().count(), 101);
        // Short input is repeated whole.
        assert_eq!(capped("unknown variant `police`", 500), "unknown variant `police`");
    }

    #[test]
    fn a_conflict_says_what_conflicts_in_the_apis_words_never_the_constraint() {
        let named = what_conflicts(Some("organisations_name_key"));
        assert!(named.contains("organisation with this name") && !named.contains("_key"));
        assert!(!what_conflicts(Some("some_future_key")).contains("some_future_key"));
        assert!(!what_conflicts(None).is_empty());
    }

    #[test]
    fn every_variant_maps_to_a_listed_problem_type() {
        for error in [
            ApiError::bad_request("x"),
            ApiError::unauthorized("x"),
            ApiError::InvalidToken("x".into()),
            ApiError::forbidden("x"),
            ApiError::not_found("x"),
            ApiError::MethodNotAllowed(vec![Method::GET]),
            ApiError::conflict("x"),
            ApiError::PreconditionFailed,
            ApiError::PayloadTooLarge(1),
            ApiError::RequestTimeout(15),
            ApiError::UnsupportedMediaType("x".into()),
            ApiError::NotAcceptable("x".into()),
            ApiError::invalid("f", "m"),
            ApiError::TooManyRequests { retry_after_secs: 1 },
            ApiError::Unavailable,
            ApiError::Internal(anyhow::anyhow!("secret cause")),
        ] {
            let problem = error.problem();
            assert_eq!(problem.status, error.status_code().as_u16());
            assert!(problem.type_.starts_with("/problems/"));
        }
    }

    #[test]
    fn an_internal_error_reveals_nothing_of_its_cause() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=hunter2 at db.internal")).problem();
        assert!(!problem.detail.contains("hunter2"));
        assert!(!problem.detail.contains("db.internal"));
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_a_missing_row_is_not_found() {
        assert_eq!(
            ApiError::from(diesel::result::Error::NotFound).status_code(),
            StatusCode::NOT_FOUND
        );
    }
}

/// The error responses operations document, one per status, shared by every path, and
/// the sets of them that each kind of operation can answer ([`responses::Read`],
/// [`responses::ReadProtected`], [`responses::List`], [`responses::ListProtected`],
/// [`responses::ListWithin`], [`responses::Create`], [`responses::Update`],
/// [`responses::Transition`], [`responses::Delete`]).
///
/// A `POST` is documented with 400, 409 and 422 whatever its set says (see
/// `crate::openapi`): its `Idempotency-Key` can be refused.
///
/// How to use them: list the set in `#[utoipa::path(responses(...))]` after the success
/// responses, then any single status the operation adds
/// (`(status = 429, response = responses::TooManyRequests)`). Each set refers to the
/// shared responses under `#/components/responses`, so the document names each error
/// once.
pub mod responses {
    use std::collections::BTreeMap;

    use super::Problem;
    use utoipa::openapi::{response::Response, Ref, RefOr};
    use utoipa::ToResponse;

    /// Declares a set of shared error responses, by status and component name.
    macro_rules! error_set {
        ($(#[$meta:meta])* $name:ident => [$($status:literal => $response:ident),+ $(,)?]) => {
            $(#[$meta])*
            #[derive(Debug)]
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    [$(($status, stringify!($response))),+]
                        .into_iter()
                        .map(|(status, name)| (status.to_string(), RefOr::Ref(Ref::from_response_name(name))))
                        .collect()
                }
            }
        };
    }

    error_set!(
        /// Reading one resource that anonymous callers may read: 401 (a bad token), 404, 503.
        Read => ["401" => Unauthorized, "404" => NotFound, "503" => Unavailable]
    );
    error_set!(
        /// Reading one resource that only some roles may read: 401, 403, 404, 503.
        ReadProtected => ["401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "503" => Unavailable]
    );
    error_set!(
        /// Listing a collection: 401 (a bad token), 422 (a bad filter, limit or cursor), 503.
        List => ["401" => Unauthorized, "422" => ValidationFailed, "503" => Unavailable]
    );
    error_set!(
        /// Listing a collection that only some roles may list: 401, 403, 422, 503.
        ListProtected => ["401" => Unauthorized, "403" => Forbidden, "422" => ValidationFailed, "503" => Unavailable]
    );
    error_set!(
        /// Listing what belongs to one resource (a question's responses): 401, 404 (no
        /// such resource, or not visible to the caller), 422, 503.
        ListWithin => ["401" => Unauthorized, "404" => NotFound, "422" => ValidationFailed, "503" => Unavailable]
    );
    error_set!(
        /// Creating a resource from a JSON body: 400, 401, 403, 409 (it exists already, or
        /// a reference conflicts), 413, 415, 422, 503.
        Create => [
            "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "409" => Conflict,
            "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => ValidationFailed,
            "503" => Unavailable,
        ]
    );
    error_set!(
        /// Changing a resource with a JSON merge patch: 400, 401, 403, 404, 412 (a stale
        /// `If-Match`), 413, 415, 422, 503.
        Update => [
            "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "404" => NotFound,
            "412" => PreconditionFailed, "413" => PayloadTooLarge, "415" => UnsupportedMediaType,
            "422" => ValidationFailed, "503" => Unavailable,
        ]
    );
    error_set!(
        /// Moving a resource to another state (`accept`, `publish`, `rotate-secret`): 400,
        /// 401, 403, 404, 409 (not allowed from its current state), 412, 422, 503.
        Transition => [
            "400" => BadRequest, "401" => Unauthorized, "403" => Forbidden, "404" => NotFound,
            "409" => Conflict, "412" => PreconditionFailed, "422" => ValidationFailed,
            "503" => Unavailable,
        ]
    );
    error_set!(
        /// Deleting a resource: 401, 403, 404, 412, 503.
        Delete => [
            "401" => Unauthorized, "403" => Forbidden, "404" => NotFound, "412" => PreconditionFailed,
            "503" => Unavailable,
        ]
    );

    /// 400
    #[derive(ToResponse)]
    #[response(
        description = "The request is malformed: the body is not JSON, or the query string cannot be read.",
        content_type = "application/problem+json"
    )]
    pub struct BadRequest(#[allow(dead_code)] Problem);

    /// 401
    #[derive(ToResponse)]
    #[response(
        description = "No valid bearer token was sent (see `WWW-Authenticate`).",
        content_type = "application/problem+json"
    )]
    pub struct Unauthorized(#[allow(dead_code)] Problem);

    /// 403
    #[derive(ToResponse)]
    #[response(
        description = "The token's roles or organisation do not allow this.",
        content_type = "application/problem+json"
    )]
    pub struct Forbidden(#[allow(dead_code)] Problem);

    /// 404
    #[derive(ToResponse)]
    #[response(
        description = "No such resource, or not visible to the caller.",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(#[allow(dead_code)] Problem);

    /// 409
    #[derive(ToResponse)]
    #[response(
        description = "A conflict with existing data or with the resource's state.",
        content_type = "application/problem+json"
    )]
    pub struct Conflict(#[allow(dead_code)] Problem);

    /// 412
    #[derive(ToResponse)]
    #[response(
        description = "`If-Match` names a version that is no longer current.",
        content_type = "application/problem+json"
    )]
    pub struct PreconditionFailed(#[allow(dead_code)] Problem);

    /// 413
    #[derive(ToResponse)]
    #[response(
        description = "The body is larger than the limit (64 KiB by default).",
        content_type = "application/problem+json"
    )]
    pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

    /// 415
    #[derive(ToResponse)]
    #[response(
        description = "The body is not `application/json`.",
        content_type = "application/problem+json"
    )]
    pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

    /// 422
    #[derive(ToResponse)]
    #[response(
        description = "Invalid values; `errors` names each field.",
        content_type = "application/problem+json"
    )]
    pub struct ValidationFailed(#[allow(dead_code)] Problem);

    /// 429
    #[derive(ToResponse)]
    #[response(
        description = "Too many requests; retry after `Retry-After` seconds.",
        content_type = "application/problem+json"
    )]
    pub struct TooManyRequests(#[allow(dead_code)] Problem);

    /// 503
    #[derive(ToResponse)]
    #[response(
        description = "The database is unavailable; retry after `Retry-After` seconds.",
        content_type = "application/problem+json"
    )]
    pub struct Unavailable(#[allow(dead_code)] Problem);
}
