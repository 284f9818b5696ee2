//! The OpenAPI document: generated from the handlers' annotations, committed as
//! `openapi/openapi.json`, and checked against the code by a test.

use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

/// The document's fixed parts; paths and schemas are collected from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scrutiny",
        description = "Public accountability as data for a Police, Fire & Crime Panel: public questions \
to the Commissioner, the Commissioner's responses, the recommendations inspectors and the panel make, \
and the actions taken on them with owners, deadlines and progress.\n\n\
Conventions, the same on every resource: JSON in `snake_case`; ids are UUIDv7; instants are RFC 3339 UTC \
and calendar dates `YYYY-MM-DD`. Lists return `{\"items\": [...], \"next_cursor\": ...}` with a `Link: \
rel=\"next\"` header; `limit` is 1 to 100 (default 20). Single resources carry an `ETag`; `PATCH` honours \
`If-Match` (412 when stale) and `GET` honours `If-None-Match` (304). Unknown fields in a body are a 422. \
Text is taken in Unicode NFC (accents composed), lengths counted after; a string holding a character no text \
may hold (NUL and other control characters but tab and line breaks, noncharacters such as U+FFFF, which XML \
and so the Atom feeds cannot carry) is a 422 naming its field, in bodies, query strings and imports alike. \
Every error is an RFC 9457 `application/problem+json` document whose `type` can be fetched for a description. \
Every response carries an `X-Request-Id` (sent by the caller or made up by the service); quote it when reporting a problem.",
        contact(name = "Scrutiny maintainers", url = "https://github.com/scrutiny-project/scrutiny"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Tokens (OAuth 2.0 password and client_credentials grants) and the caller's identity. \
In Swagger UI, press Authorize and sign in with a username and password (oauth2), or paste a token (bearer)."),
        (name = "users", description = "People who sign in, with their roles and organisation. Admins only."),
        (name = "audit", description = "The audit log: every write, who made it and when, with the resource's state before and after; \
never a questioner's contact details, a password or a secret. Admins only."),
        (name = "clients", description = "Systems (panel and council IT) that sign in with client credentials. Admins only."),
        (name = "organisations", description = "The panel, the Commissioner's office, forces, fire services, inspectorates and councils that ask, answer, inspect and act."),
        (name = "meetings", description = "Meetings of the panel (where public questions are put, subject to a deadline three clear working days before), the Commissioner's Strategic Governance Boards and Public Performance Meetings."),
        (name = "questions", description = "Questions to the Commissioner from the public and from panel members: submitted, then accepted (public) or rejected, answered when a response is published, or withdrawn. Contact details are seen by the secretariat only."),
        (name = "imports", description = "The panel's published question-and-response documents, brought in as answered questions \
with published responses: once per document (by the hash of its text), with warnings about whatever had to be guessed or \
cleaned up, and a dry run that only reads. The secretariat's way to migrate a backlog; `scrutiny import FILE...` does \
the same from the command line."),
        (name = "responses", description = "The Commissioner's responses: drafted, published (which answers the question), and corrected in the open with a note, every earlier version staying readable."),
        (name = "reports", description = "Inspections, re-inspections, panel reports and audits: where recommendations come from. \
Each has a response due date (56 days after publication) and a scorecard of its recommendations and overdue actions."),
        (name = "recommendations", description = "What a report asks to be done, to whom, with its status and the progress of the actions addressing it."),
        (name = "actions", description = "What is being done about the recommendations: owner, time frame, success measure, status and progress, \
with an append-only trail of progress updates. Force users move and report on their own organisation's actions."),
        (name = "events", description = "The change feed: every committed change in an order a consumer can follow without missing or repeating one."),
        (name = "webhooks", description = "Push instead of poll: subscribe a URL to event types and every matching change-feed event is posted to it, \
signed as the Standard Webhooks specification says, retried with backoff for 24 hours, with a log of every attempt. \
`admin` manages every subscription; an `integration` system manages its own."),
        (name = "search", description = "Full-text search across questions, responses, recommendations and actions, ranked, with highlighted snippets; it finds what the lists show the caller."),
        (name = "feeds", description = "Atom feeds (RFC 4287) of what the public may read, newest first, for feed readers and \
sites that show what changed."),
        (name = "operations", description = "Health checks and problem type descriptions, for operators and client developers."),
    ),
    servers((url = "/", description = "This service")),
    components(
        schemas(crate::error::Problem, crate::error::FieldError),
        responses(
            crate::error::responses::BadRequest,
            crate::error::responses::Unauthorized,
            crate::error::responses::Forbidden,
            crate::error::responses::NotFound,
            crate::error::responses::Conflict,
            crate::error::responses::PreconditionFailed,
            crate::error::responses::PayloadTooLarge,
            crate::error::responses::UnsupportedMediaType,
            crate::error::responses::ValidationFailed,
            crate::error::responses::TooManyRequests,
            crate::error::responses::Unavailable,
        )
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: the OAuth2 password flow against the token endpoint
/// (`oauth2`, what Swagger UI's Authorize dialog offers first: its fields for a
/// username and password), or a bearer token pasted in (`token`). Swagger UI lists the
/// schemes in the document's order, which is by name: `oauth2` before `token`.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A token from POST /api/v1/auth/token (or an accepted identity provider).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()))],
                "Sign in with a username and password.",
            )),
        );
    }
}

/// The full document, with every route registered by [`crate::routes::configure`].
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    let mut spec = spec;
    document_idempotency_keys(&mut spec);
    document_conditional_requests(&mut spec);
    document_response_headers(&mut spec);
    open_free_form_objects(&mut spec);
    unfill_optional_query_filters(&mut spec);
    document_text_rules(&mut spec);
    document_examples(spec)
}

/// Gives every request and response body an example: where the code names none, one is
/// made from the schema and the examples of the types in it (a page of questions holds
/// the question's example), and every shared error response shows its problem type.
/// The tests check that no body is left without one.
fn document_examples(mut spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{Content, RefOr};
    let document = serde_json::to_value(&spec).expect("the OpenAPI document serialises");
    let schemas = &document["components"]["schemas"];
    let fill = |media_type: &str, content: &mut Content, schema: &serde_json::Value| {
        if content.example.is_none() && content.examples.is_empty() && media_type.contains("json") {
            content.example = example_of(schema, schemas, 0);
        }
    };
    if let Some(components) = spec.components.as_mut() {
        for (name, response) in components.responses.iter_mut() {
            if let RefOr::T(response) = response {
                for content in response.content.values_mut() {
                    let RefOr::T(content) = content else {
                        continue;
                    };
                    if content.example.is_none() {
                        content.example = problem_example(name);
                    }
                }
            }
        }
    }
    for (path, item) in spec.paths.paths.iter_mut() {
        let operations = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("patch", &mut item.patch),
            ("put", &mut item.put),
            ("delete", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let documented = &document["paths"][path.as_str()][method];
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    for (media_type, content) in response.content.iter_mut() {
                        let RefOr::T(content) = content else {
                            continue;
                        };
                        fill(
                            media_type,
                            content,
                            &documented["responses"][status.as_str()]["content"][media_type.as_str()]["schema"],
                        );
                    }
                }
            }
            if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                for (media_type, content) in body.content.iter_mut() {
                    let RefOr::T(content) = content else {
                        continue;
                    };
                    fill(
                        media_type,
                        content,
                        &documented["requestBody"]["content"][media_type]["schema"],
                    );
                }
            }
        }
    }
    spec
}

/// The example of a shared error response (`Unauthorized`, …): its problem type as the
/// service sends it.
fn problem_example(response: &str) -> Option<serde_json::Value> {
    use actix_web::http::StatusCode;
    let (status, detail) = match response {
        "BadRequest" => (
            StatusCode::BAD_REQUEST,
            "The body is not valid JSON: expected value at line 1 column 1",
        ),
        "Unauthorized" => (StatusCode::UNAUTHORIZED, "This operation needs a bearer token"),
        "Forbidden" => (
            StatusCode::FORBIDDEN,
            "This operation needs one of the roles: admin, secretariat",
        ),
        "NotFound" => (
            StatusCode::NOT_FOUND,
            "No question has id 01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
        ),
        "Conflict" => (StatusCode::CONFLICT, "An organisation with this name exists"),
        "PreconditionFailed" => (StatusCode::PRECONDITION_FAILED, "The resource is at version 3, not 2"),
        "PayloadTooLarge" => (StatusCode::PAYLOAD_TOO_LARGE, "The body is larger than 65536 bytes"),
        "UnsupportedMediaType" => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json"),
        "ValidationFailed" => return None, // The Problem schema's own example is a 422.
        "TooManyRequests" => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts; retry after 60 seconds",
        ),
        "Unavailable" => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; retry shortly",
        ),
        _ => return None,
    };
    let kind = crate::error::PROBLEM_TYPES.iter().find(|kind| kind.status == status)?;
    Some(serde_json::json!({
        "type": format!("/problems/{}", kind.slug),
        "title": kind.title,
        "status": status.as_u16(),
        "detail": detail,
    }))
}

/// An example of `schema`: its own, its component's, or one built from its parts.
fn example_of(schema: &serde_json::Value, schemas: &serde_json::Value, depth: usize) -> Option<serde_json::Value> {
    use serde_json::{json, Map, Value};
    if depth > 16 {
        return None;
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(first) = schema
        .get("examples")
        .and_then(|e| e.as_array())
        .and_then(|e| e.first())
    {
        return Some(first.clone());
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next()?;
        return example_of(&schemas[name], schemas, depth + 1);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Some(Value::Object(object)) = example_of(part, schemas, depth + 1) {
                merged.extend(object);
            }
        }
        if let Some(Value::Object(own)) = properties_example(schema, schemas, depth) {
            merged.extend(own);
        }
        return Some(Value::Object(merged));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(choices) = schema.get(key).and_then(Value::as_array) {
            return choices
                .iter()
                .filter(|choice| choice.get("type").and_then(Value::as_str) != Some("null"))
                .find_map(|choice| example_of(choice, schemas, depth + 1));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().find(|v| !v.is_null()).cloned();
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        // Optional and nothing better known: absent.
        Some(Value::Array(kinds)) if kinds.iter().any(|k| k == "null") => return Some(Value::Null),
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).next()?,
        _ if schema.get("properties").is_some() => "object",
        _ => return None,
    };
    match kind {
        "object" => properties_example(schema, schemas, depth).or_else(|| Some(json!({}))),
        "array" => Some(Value::Array(
            example_of(&schema["items"], schemas, depth + 1).into_iter().collect(),
        )),
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Some(json!("2026-01-05T09:00:00Z")),
            Some("date") => Some(json!("2022-06-09")),
            Some("uuid") => Some(json!("01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b")),
            _ if schema.get("pattern").is_some() => None,
            _ => Some(json!("text")),
        },
        "integer" | "number" => Some(json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1))),
        "boolean" => Some(json!(true)),
        _ => None,
    }
}

/// An object of its properties' examples (those that have one), if it has properties.
fn properties_example(
    schema: &serde_json::Value,
    schemas: &serde_json::Value,
    depth: usize,
) -> Option<serde_json::Value> {
    let properties = schema.get("properties")?.as_object()?;
    Some(serde_json::Value::Object(
        properties
            .iter()
            .filter_map(|(name, property)| Some((name.clone(), example_of(property, schemas, depth + 1)?)))
            .collect(),
    ))
}

/// The text rules of `domain::text` (not blank, no control characters), stated once for
/// every bounded string property of every request schema.
fn document_text_rules(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::KnownFormat;
    const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
    const TOPIC: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";
    const URL: &str = "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+[^\\s@]*$";
    // `domain::calendar::PLAUSIBLE_YEARS`: 1900 to 2199.
    const PLAUSIBLE_DATE: &str = "^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$";
    use utoipa::openapi::schema::{Schema, SchemaFormat};
    use utoipa::openapi::RefOr;
    const VISIBLE_TEXT: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*\\S[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
    // Query parameters: text must be free of NUL (PostgreSQL cannot hold it).
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                let utoipa::openapi::RefOr::T(parameter) = parameter else {
                    continue;
                };
                if parameter.parameter_in != utoipa::openapi::path::ParameterIn::Query {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(field))) = parameter.schema.as_mut() else {
                    continue;
                };
                let is_text = matches!(
                    &field.schema_type,
                    utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::Type::String)
                ) && field.format.is_none()
                    && field.enum_values.is_none()
                    && field.pattern.is_none();
                if is_text && parameter.name == "cursor" {
                    field.pattern = Some(crate::pagination::CURSOR_PATTERN.to_string());
                } else if is_text && parameter.name == "topic" {
                    field.pattern = Some(TOPIC.to_string());
                    field.max_length = Some(50);
                } else if is_text {
                    field.pattern = Some(NO_CONTROL_CHARACTERS.to_string());
                }
                if matches!(&field.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                    field.pattern = Some(PLAUSIBLE_DATE.to_string());
                }
            }
        }
    }
    let Some(components) = spec.components.as_mut() else {
        return;
    };
    // Request bodies (the schemas that refuse unknown fields): every free-text field is
    // validated as `domain::text::BoundedText`, so say so.
    use utoipa::openapi::schema::{AdditionalProperties, SchemaType};
    use utoipa::openapi::Type;
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        let is_request = matches!(
            object.additional_properties.as_deref(),
            Some(AdditionalProperties::FreeForm(false))
        );
        for property in object.properties.values_mut() {
            let RefOr::T(Schema::Object(field)) = property else {
                continue;
            };
            let is_string = match &field.schema_type {
                SchemaType::Type(Type::String) => true,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            let is_plain_text = is_string
                && (is_request || field.min_length.is_some())
                && field.pattern.is_none()
                && field.enum_values.is_none()
                && !matches!(field.format, Some(SchemaFormat::KnownFormat(_)))
                && field.format.is_none();
            if is_plain_text {
                field.pattern = Some(VISIBLE_TEXT.to_string());
                field.min_length = Some(field.min_length.unwrap_or(1).max(1));
            }
            if is_request && matches!(&field.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                field.pattern = Some(PLAUSIBLE_DATE.to_string());
            }
        }
        if is_request {
            if let Some(RefOr::T(Schema::Object(url))) = object.properties.get_mut("url") {
                url.pattern = Some(URL.to_string());
            }
            if let Some(RefOr::T(Schema::Array(topics))) = object.properties.get_mut("topics") {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut topics.items {
                    if let RefOr::T(Schema::Object(item)) = item.as_mut() {
                        item.pattern = Some(TOPIC.to_string());
                        item.max_length = Some(50);
                    }
                }
            }
        }
    }
}

/// Every POST honours `Idempotency-Key` (through middleware), so every POST documents it.
fn document_idempotency_keys(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    for item in spec.paths.paths.values_mut() {
        if let Some(operation) = item.post.as_mut() {
            let parameter = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Any unique text (a UUID, say), 1 to 255 visible ASCII characters. A retry with the same \
key and body returns the first response (with `Idempotent-Replayed: true`) and changes nothing; the same key with \
another body is a 422. Keys are kept at least 24 hours.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some("^[!-~]+$")),
                ))
                .build();
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(utoipa::openapi::RefOr::T(parameter));
            // The key itself can be refused: malformed (400), reused with another body
            // (422), or still in use by the first request (409).
            for (status, response) in [("400", "BadRequest"), ("409", "Conflict"), ("422", "ValidationFailed")] {
                match operation.responses.responses.get_mut(status) {
                    None => {
                        operation.responses.responses.insert(
                            status.to_string(),
                            utoipa::openapi::Ref::from_response_name(response).into(),
                        );
                    }
                    Some(utoipa::openapi::RefOr::T(documented)) => {
                        // An operation with its own error format (the OAuth token endpoint)
                        // may also answer with a problem document.
                        documented
                            .content
                            .entry("application/problem+json".to_string())
                            .or_insert_with(|| {
                                utoipa::openapi::ContentBuilder::new()
                                    .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                                    .build()
                                    .into()
                            });
                    }
                    Some(utoipa::openapi::RefOr::Ref(_)) => {}
                }
            }
        }
    }
}

/// The document as committed: pretty-printed JSON with a final newline.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// A response header of type string, as the service sends it.
fn header(description: &str) -> utoipa::openapi::header::Header {
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
        ))
        .description(Some(description))
        .build()
}

/// Every operation, with its method in lower case.
fn operations_mut(
    spec: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &str, &mut utoipa::openapi::path::Operation)> {
    spec.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("patch", &mut item.patch),
            ("put", &mut item.put),
            ("delete", &mut item.delete),
        ]
        .into_iter()
        .filter_map(move |(method, operation)| Some((path.as_str(), method, operation.as_mut()?)))
    })
}

/// Conditional requests, declared wherever they are honoured and typed so that a
/// generated client can leave them out: every `GET` that answers 304 declares
/// `If-None-Match` and sends the `ETag` with its 304; every optional header parameter
/// (`If-Match`, `If-None-Match`, `X-Filename`) is a plain string, never `null` (a
/// generated client that accepts `None` for a header and then sends it crashes).
fn document_conditional_requests(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{Schema, SchemaType};
    use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
    for (_, method, operation) in operations_mut(spec) {
        if method == "get" && operation.responses.responses.contains_key("304") {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            let declared = parameters
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("If-None-Match")));
            if !declared {
                parameters.push(RefOr::T(
                    ParameterBuilder::new()
                        .name("If-None-Match")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(
                            "The `ETag` of the copy the caller holds: when it is current the answer is 304 \
with no body.",
                        ))
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .build(),
                ));
            }
            // A 304 carries the tag, and whatever caching the 200 would have said.
            let cache_control = match operation.responses.responses.get("200") {
                Some(RefOr::T(ok)) => ok.headers.get("Cache-Control").cloned(),
                _ => None,
            };
            if let Some(RefOr::T(current)) = operation.responses.responses.get_mut("304") {
                current
                    .headers
                    .entry("ETag".to_string())
                    .or_insert_with(|| header("The current version: the one the caller holds.").into());
                if let Some(cache_control) = cache_control {
                    current
                        .headers
                        .entry("Cache-Control".to_string())
                        .or_insert(cache_control);
                }
            }
        }
        for parameter in operation.parameters.iter_mut().flatten() {
            let RefOr::T(parameter) = parameter else {
                continue;
            };
            if parameter.parameter_in != ParameterIn::Header || parameter.required == Required::True {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut() {
                if let SchemaType::Array(types) = &object.schema_type {
                    let kept: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                    if let [only] = kept.as_slice() {
                        object.schema_type = SchemaType::Type(only.clone());
                    }
                }
            }
        }
    }
}

/// The headers the service's shared machinery sends, documented on every response that
/// carries them: `Location` on a 201; `Idempotent-Replayed` on a replayed answer to a
/// `POST`, and the `303 See Other` (with `Location`) that answers a retry whose first
/// answer was not kept (`src/idempotency.rs`); `WWW-Authenticate` on a 401;
/// `Retry-After` on a 429 and a 503.
fn document_response_headers(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::RefOr;
    if let Some(components) = spec.components.as_mut() {
        for (name, response) in components.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let (header_name, description) = match name.as_str() {
                "Unauthorized" => (
                    "WWW-Authenticate",
                    "`Bearer realm=\"scrutiny\"`, with `error=\"invalid_token\"` when a token was sent and refused.",
                ),
                "TooManyRequests" | "Unavailable" => ("Retry-After", "Seconds to wait before trying again."),
                _ => continue,
            };
            response
                .headers
                .entry(header_name.to_string())
                .or_insert_with(|| header(description).into());
        }
    }
    for (path, method, operation) in operations_mut(spec) {
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            if status == "201" {
                response
                    .headers
                    .entry("Location".to_string())
                    .or_insert_with(|| header("The URL of what was created.").into());
            }
            if method == "post" && status.starts_with('2') {
                response.headers.entry("Idempotent-Replayed".to_string()).or_insert_with(|| {
                    header("`true` when this is the kept answer to an earlier request with the same `Idempotency-Key`.")
                        .into()
                });
            }
        }
        // A token is never kept and points nowhere: its retry is handled afresh.
        if method == "post" && path != "/api/v1/auth/token" {
            operation
                .responses
                .responses
                .entry("303".to_string())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(
                                "A retry with the same `Idempotency-Key` of a request whose answer was not kept \
(it held a secret, or its instance stopped after the change committed): the result is at `Location`.",
                            )
                            .header("Location", header("Where the result of the first request is."))
                            .header("Idempotent-Replayed", header("`true`."))
                            .build(),
                    )
                });
        }
    }
}

/// Every object schema without declared properties (`Event.snapshot`,
/// `Delivery.payload`) is free-form: say so with `additionalProperties: true`, or some
/// generators type it as an object that may hold nothing (`Record<string, never>`).
fn open_free_form_objects(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType};
    use utoipa::openapi::{RefOr, Type};
    fn open(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else {
            return;
        };
        match schema {
            Schema::Object(object) => {
                let is_object = match &object.schema_type {
                    SchemaType::Type(kind) => *kind == Type::Object,
                    SchemaType::Array(kinds) => kinds.contains(&Type::Object),
                    SchemaType::AnyValue => false,
                };
                if is_object && object.properties.is_empty() && object.additional_properties.is_none() {
                    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
                }
                object.properties.values_mut().for_each(open);
                if let Some(AdditionalProperties::RefOr(inner)) = object.additional_properties.as_deref_mut() {
                    open(inner);
                }
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    open(items);
                }
            }
            Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(open),
            Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(open),
            Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(open),
            _ => {}
        }
    }
    if let Some(components) = spec.components.as_mut() {
        components.schemas.values_mut().for_each(open);
    }
    for (_, _, operation) in operations_mut(spec) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter {
                parameter.schema.iter_mut().for_each(open);
            }
        }
        for response in operation.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                for content in response.content.values_mut() {
                    if let RefOr::T(content) = content {
                        content.schema.iter_mut().for_each(open);
                    }
                }
            }
        }
        if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
            for content in body.content.values_mut() {
                if let RefOr::T(content) = content {
                    content.schema.iter_mut().for_each(open);
                }
            }
        }
    }
}

/// Swagger UI fills a parameter's field with its example on "Try it out": an optional
/// filter with an example (a made-up meeting id) would filter the demo data away and
/// answer an empty list. So no optional query parameter carries one, its own or its
/// schema's: a referenced schema with an example is written out in place without it.
fn unfill_optional_query_filters(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::{RefOr, Required};
    let schemas = spec
        .components
        .as_ref()
        .map(|components| components.schemas.clone())
        .unwrap_or_default();
    for (_, _, operation) in operations_mut(spec) {
        for parameter in operation.parameters.iter_mut().flatten() {
            let RefOr::T(parameter) = parameter else {
                continue;
            };
            if parameter.parameter_in != ParameterIn::Query || parameter.required == Required::True {
                continue;
            }
            // The parameter's own example is private to utoipa: drop it by a round trip.
            if let Ok(mut value) = serde_json::to_value(&*parameter) {
                if let Some(object) = value.as_object_mut() {
                    let had_example = object.remove("example").is_some() | object.remove("examples").is_some();
                    if had_example {
                        if let Ok(plain) = serde_json::from_value(value) {
                            *parameter = plain;
                        }
                    }
                }
            }
            let Some(schema) = parameter.schema.as_mut() else {
                continue;
            };
            if let RefOr::Ref(reference) = schema {
                let name = reference.ref_location.rsplit('/').next().unwrap_or_default();
                if let Some(RefOr::T(Schema::Object(object))) = schemas.get(name) {
                    if !object.examples.is_empty() || has_example(object) {
                        *schema = RefOr::T(Schema::Object(object.clone()));
                    }
                }
            }
            if let RefOr::T(Schema::Object(object)) = schema {
                #[allow(deprecated)]
                {
                    object.example = None;
                }
                object.examples.clear();
            }
        }
    }
}

#[allow(deprecated)]
fn has_example(object: &utoipa::openapi::schema::Object) -> bool {
    object.example.is_some()
}
