//! The HTTP contract every resource shares, written once: JSON bodies and query strings
//! that fail with a problem naming the field, ETags and preconditions, `201 Created`
//! with `Location`, request ids, and 404/405 for paths and methods that do not exist.

pub mod caching;
pub mod caller;
pub mod collection;
pub mod conditional;
pub mod csv;
pub mod html;
pub mod listing;
pub mod page;
pub mod proxy;
pub mod strings;

pub use proxy::absolute_url;

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Deserialize as _;

use crate::error::{ApiError, FieldError};

/// The header carrying a request's id, accepted from a proxy or made up here.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The largest request body accepted, in bytes; set once in `startup`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a client may take to send a whole request body once the service starts
/// reading it (`SCRUTINY_BODY_TIMEOUT_SECS`); set once in `startup`. A body that
/// trickles in slower is refused with 408, so slow senders cannot hold connections and
/// memory open.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// Reads a request's whole body: 413 past [`BodyLimit`] (at once when `Content-Length`
/// says so), 408 when it takes longer than [`BodyTimeout`], 400 when the connection
/// fails. Every reader of a body (the extractors, the idempotency middleware) uses it.
pub async fn read_body(
    limit: BodyLimit,
    timeout: BodyTimeout,
    declared_length: Option<usize>,
    mut payload: actix_web::dev::Payload,
) -> Result<web::Bytes, ApiError> {
    if declared_length.is_some_and(|length| length > limit.0) {
        return Err(ApiError::PayloadTooLarge(limit.0));
    }
    let read = async move {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}")))?;
            if body.len() + chunk.len() > limit.0 {
                return Err(ApiError::PayloadTooLarge(limit.0));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    actix_web::rt::time::timeout(timeout.0, read)
        .await
        .map_err(|_| ApiError::RequestTimeout(timeout.0.as_secs()))?
}

/// The body limits that apply to `req`, as `startup` set them.
pub fn body_rules(req: &HttpRequest) -> (BodyLimit, BodyTimeout, Option<usize>) {
    let limit = req.app_data::<BodyLimit>().copied().unwrap_or(BodyLimit(64 * 1024));
    let timeout = req
        .app_data::<BodyTimeout>()
        .copied()
        .unwrap_or(BodyTimeout(std::time::Duration::from_secs(15)));
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    (limit, timeout, declared_length)
}

/// A JSON request body, deserialised strictly: a malformed document is a 400, a
/// wrong type, unknown field or invalid value is a 422 naming the field, a body over
/// the limit is a 413 and another content type a 415.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let body = Body::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "This operation takes an application/json body".into(),
                ));
            }
            parse_json(&body.await?.bytes).map(Json)
        })
    }
}

/// A raw request body, read up to the configured limit (413 beyond it), with its media
/// type, for operations that accept more than one content type.
#[derive(Debug)]
pub struct Body {
    pub bytes: web::Bytes,
    /// The media type without parameters, lower-cased (`application/json`).
    pub media_type: Option<String>,
}

impl FromRequest for Body {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let (limit, timeout, declared_length) = body_rules(req);
        let media_type = req
            .mime_type()
            .ok()
            .flatten()
            .map(|mime| mime.essence_str().to_ascii_lowercase());
        let payload = payload.take();
        Box::pin(async move {
            Ok(Body {
                bytes: read_body(limit, timeout, declared_length, payload).await?,
                media_type,
            })
        })
    }
}

/// A `text/plain` request body in UTF-8 (`charset=utf-8`, or no charset at all): another
/// media type or charset is a 415, bytes that are not UTF-8 a 400, a body over the
/// limit a 413.
#[derive(Debug)]
pub struct PlainText(pub String);

impl FromRequest for PlainText {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let content_type_ok = is_utf8_text(req);
        let body = Body::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "This operation takes a text/plain; charset=utf-8 body".into(),
                ));
            }
            let bytes = body.await?.bytes;
            String::from_utf8(bytes.to_vec()).map(PlainText).map_err(|e| {
                ApiError::bad_request(format!(
                    "The body is not UTF-8 text (byte {} is not valid UTF-8); convert it to UTF-8 first",
                    e.utf8_error().valid_up_to()
                ))
            })
        })
    }
}

fn is_utf8_text(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.essence_str().eq_ignore_ascii_case("text/plain")
                && mime
                    .get_param("charset")
                    .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"))
        }
        _ => false,
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

/// Parses a JSON object into `T`, naming the offending field on failure. Every string
/// in it is checked and normalised on the way ([`strings`]): a character no text may
/// hold is a 422 naming its field, and `T` receives text in NFC.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "The request body is empty; a JSON document is required",
        ));
    }
    // Every request body is an object; serde would also read a struct from an array.
    if body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[')
    {
        return Err(ApiError::invalid("body", "must be a JSON object, not an array"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = strings::deserialize(&mut deserializer);
    if value.is_ok() {
        deserializer
            .end()
            .map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}")))?;
    }
    value.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                match server_owned_field(&message) {
                    Some(field) => ApiError::invalid(field, "is set by the service and cannot be given"),
                    None => ApiError::invalid(if path == "." { "body".to_string() } else { path }, message),
                }
            }
            // serde_json reports some wrong types as syntax errors: a number or an
            // array where an enum's name belongs is "expected value". A body that is
            // well-formed JSON (checked fully, UTF-8 included, on this error path only)
            // is the client's data at that path, so a 422 naming it.
            _ if serde_json::from_slice::<serde_json::Value>(body).is_ok() => ApiError::invalid(
                if path == "." { "body".to_string() } else { path },
                "has a value of the wrong type: see the field's schema for what it takes",
            ),
            _ => ApiError::bad_request(format!("The body is not valid JSON: {inner}")),
        }
    })
}

/// Fields the service owns: a client that sends one is told so, not just that the
/// field is unknown (mass assignment is an error, never silently ignored).
const SERVER_OWNED_FIELDS: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "reference",
    "status",
];

fn server_owned_field(message: &str) -> Option<&'static str> {
    let name = message.strip_prefix("unknown field `")?.split('`').next()?;
    SERVER_OWNED_FIELDS.iter().copied().find(|field| *field == name)
}

/// serde_json appends " at line 1 column 7" to its messages; for a data error the
/// field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// A query string, deserialised strictly into `T`: an unknown parameter or an invalid
/// value is a 422 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`, naming the offending parameter on failure. A value
/// with a character no text may hold (NUL above all, which PostgreSQL cannot hold, or
/// a noncharacter) or any control character (tab and line breaks included) is refused, whether or not `T` has the parameter, and every value
/// reaches `T` in NFC ([`strings`]).
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // A parameter is one line: tab and line breaks, which body text may hold, are
    // control characters here too.
    let refusal = |value: &str| {
        if value.chars().any(char::is_control) {
            Some("must not contain control characters".to_string())
        } else {
            crate::domain::text::refusal(value)
        }
    };
    if let Some((key, message)) =
        form_urlencoded::parse(query.as_bytes()).find_map(|(key, value)| refusal(&value).map(|message| (key, message)))
    {
        return Err(ApiError::invalid(key.into_owned(), message));
    }
    let deserializer = serde_urlencoded::Deserializer::new(url_form_parse(query.as_bytes()));
    strings::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let field = if path == "." {
            // serde names an unknown parameter in its message, not its path.
            message
                .split('`')
                .nth(1)
                .map_or_else(|| "query".to_string(), str::to_string)
        } else {
            path
        };
        ApiError::invalid(field, message)
    })
}

fn url_form_parse(input: &[u8]) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(input)
}

/// The `q` search text of a list, in NFC: blank is no filter; more than 200 characters
/// (counted after normalising) or a character no text may hold is a 422.
///
/// What is kept is what PostgreSQL's `websearch_to_tsquery` can always parse: a run of
/// `-` (negations) at the start of a word, which PostgreSQL stacks one operator per dash
/// until "tsquery stack too small", becomes one `-` when the run is odd and none when it
/// is even (`--x` means `x`, as PostgreSQL reads it).
pub fn search_text(q: &str) -> crate::domain::FieldResult<Option<String>> {
    // Text is stored in NFC, so the search text is too: "Môn" finds "Môn" however
    // either was typed. (The query-string reader did this already; a caller that
    // builds `q` some other way gets the same.)
    let q = crate::domain::text::clean("q", q)?;
    let q = q.trim();
    if q.chars().count() > 200 {
        return Err(FieldError::new("q", "must be at most 200 characters"));
    }
    let q = collapse_negations(q);
    let q = q.trim();
    Ok((!q.is_empty()).then(|| q.to_string()))
}

/// `q` with each run of negating dashes at the start of a word (`--x`, `- - x`) made
/// one dash when the run is odd and none when it is even. Dashes inside a word
/// (`well-being`) are kept.
fn collapse_negations(q: &str) -> String {
    let chars: Vec<char> = q.chars().collect();
    let mut out = String::with_capacity(q.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || chars[i - 1].is_whitespace();
        if chars[i] != '-' || !starts_word {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut dashes = 0;
        let mut j = i;
        while j < chars.len() && chars[j] == '-' {
            dashes += 1;
            j += 1;
            let next = (j..chars.len()).find(|&k| !chars[k].is_whitespace());
            match next {
                Some(k) if chars[k] == '-' => j = k,
                _ => break,
            }
        }
        if dashes % 2 == 1 {
            out.push('-');
        }
        i = j;
    }
    out
}

/// Path segments that do not parse (a malformed id) name nothing that exists: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::not_found("No resource exists at this path").into())
}

/// The request's id, as set by [`request_id`].
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The id [`request_id`] gave `req`.
pub fn request_id_of(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.0.clone())
}

/// Middleware: gives every request an id (a sane `X-Request-Id` from a proxy is kept),
/// stores it for handlers and audit records, and echoes it on the response so that a
/// caller can quote it and an operator can find the log line.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// Middleware: HEAD is answered wherever GET is (RFC 9110 §9.3.2), with the same status
/// and headers and no body. The request is routed as a GET; the connection knows it was
/// a HEAD and sends no body. Monitors that probe with HEAD see the service as it is.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The security headers every response carries (unless a handler set its own): no
/// content sniffing, no framing, a content security policy that Swagger UI (scripts and
/// styles from this origin, inline styles, data: images) works under and nothing else,
/// and no referrer sent onwards.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
        .add((header::REFERRER_POLICY, "no-referrer"))
}

/// Middleware: while migrations run at start-up, the API answers 503 with
/// `Retry-After` (health checks, docs and metrics still answer).
pub async fn not_while_migrating(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let migrating = req
        .app_data::<web::Data<crate::app::AppState>>()
        .is_some_and(|state| state.readiness.is_migrating());
    if migrating && req.path().starts_with("/api/") {
        let (req, _) = req.into_parts();
        return Ok(ServiceResponse::new(
            req,
            actix_web::ResponseError::error_response(&ApiError::Unavailable),
        ));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

/// Middleware: one log line per request with method, route template, path, status,
/// latency and request id; never bodies, query strings, tokens or personal data. With
/// `SCRUTINY_LOG_FORMAT=json` the same facts become fields of a JSON object.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().to_string();
    // A follow link's token is in its path: the log gets the path without it.
    let path = crate::domain::follow::redact_path(req.path()).into_owned();
    let response = next.call(req).await?;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let request_id = request_id_of(response.request()).unwrap_or_default();
    log::info!(
        target: "scrutiny::request",
        method = method.as_str(), route = route.as_str(), path = path.as_str(), status = status,
        latency_ms = (latency_ms * 1000.0).round() / 1000.0, request_id = request_id.as_str();
        "{method} {path} {status} {latency_ms:.1}ms req={request_id}"
    );
    Ok(response)
}

/// Every documented path with the methods it supports, so that an unsupported method
/// on a real path is a 405 with `Allow`, and only an unknown path is a 404.
#[derive(Debug, Default)]
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    /// Builds the table from the OpenAPI document, which lists every route the app
    /// registers through `utoipa_actix_web`.
    pub fn from_openapi(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let operations = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                for (method, present) in operations {
                    if present {
                        methods.push(method);
                    }
                }
                if methods.contains(&Method::GET) {
                    methods.insert(1, Method::HEAD);
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods `path` supports, or `None` when no route has that path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut allowed: Vec<Method> = Vec::new();
        for (def, methods) in &self.0 {
            if def.is_match(path) {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method.clone());
                    }
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

/// The app's default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allowed) => ApiError::MethodNotAllowed(allowed),
        None => ApiError::not_found("No resource exists at this path"),
    })
}

/// For merge-patch fields: `Some(None)` when the field was given as `null`, `Some(Some(v))`
/// when given a value, and (through `#[serde(default)]`) `None` when absent.
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A merge-patch field that may change but not be removed: `null` is a 422.
pub fn patch_field<T>(field: &str, value: Option<Option<T>>) -> crate::domain::FieldResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(Some(value)) => Ok(Some(value)),
        Some(None) => Err(FieldError::new(field, "cannot be null")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_negating_dashes_collapse_by_parity_and_hyphens_in_words_stay() {
        assert_eq!(collapse_negations(&"-".repeat(33)), "-");
        assert_eq!(collapse_negations(&format!("{}x", "-".repeat(40))), "x");
        assert_eq!(collapse_negations("x - - - y"), "x - y");
        assert_eq!(collapse_negations("-x well-being x---y"), "-x well-being x---y");
        assert_eq!(search_text(&"- ".repeat(60)).unwrap(), None);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: Option<u8>,
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"name":"a"} trailing"#),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn wrong_types_and_unknown_fields_name_the_field() {
        match parse_json::<Body>(br#"{"name":"a","count":"x"}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "count"),
            other => panic!("expected a validation error, got {other:?}"),
        }
        match parse_json::<Body>(br#"{"name":"a","nmae":"b"}"#) {
            Err(ApiError::Validation(errors)) => assert!(errors[0].message.contains("nmae")),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Written,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct WithKind {
        kind: Kind,
    }

    #[test]
    fn a_number_or_an_array_where_an_enum_belongs_names_the_field() {
        // serde_json calls these syntax errors; the JSON is well-formed, so they are the
        // client's data: 422 at the field, like every other wrong type.
        for body in [
            &br#"{"kind": 3}"#[..],
            br#"{"kind": [1]}"#,
            br#"{"kind": true}"#,
            br#"{"kind": null}"#,
        ] {
            match parse_json::<WithKind>(body) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "kind"),
                other => panic!("expected a validation error, got {other:?}"),
            }
        }
        assert!(matches!(
            parse_json::<WithKind>(br#"{"kind": 3"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
