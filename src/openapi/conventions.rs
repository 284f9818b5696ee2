//! The conventions every operation of a kind follows, declared once for the whole
//! document: who may call it, `If-Match` and `If-None-Match`, `Idempotency-Key`, and
//! the headers the shared machinery sends.

/// An operation needs a token, sent either way (`oauth2` or `token`), unless it says
/// otherwise: a public one declares `security((), ("oauth2" = []), ("token" = []))` (a
/// token is optional, and must be valid when sent), an open one `security(())`.
pub(super) fn document_security_requirements(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    for (_, _, operation) in operations_mut(spec) {
        operation.security.get_or_insert_with(|| {
            ["oauth2", "token"]
                .into_iter()
                .map(|scheme| SecurityRequirement::new(scheme, Vec::<String>::new()))
                .collect()
        });
    }
}

/// Every operation that answers 412 honours `If-Match`: it declares the header (unless
/// it words the header its own way, as a deletion does) and its 200 carries the new
/// `ETag`, so that the next change can name it. Declared here, before the
/// `Idempotency-Key`, so that it follows the operation's own parameters.
pub(super) fn document_preconditions(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for (_, _, operation) in operations_mut(spec) {
        if !operation.responses.responses.contains_key("412") {
            continue;
        }
        declare_header(
            operation.parameters.get_or_insert_with(Vec::new),
            "If-Match",
            "The `ETag` the change is based on.",
        );
        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
            ok.headers
                .entry("ETag".to_string())
                .or_insert_with(|| header("Its new version.").into());
        }
    }
}

/// Declares the optional header `name` (a string) with `description`, unless
/// `parameters` declares it already (in any letter case) in words of its own.
fn declare_header(
    parameters: &mut Vec<utoipa::openapi::RefOr<utoipa::openapi::path::Parameter>>,
    name: &str,
    description: &str,
) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
    if parameters
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case(name)))
    {
        return;
    }
    parameters.push(RefOr::T(
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build(),
    ));
}

/// Every POST honours `Idempotency-Key` (through middleware), so every POST documents it.
pub(super) fn document_idempotency_keys(spec: &mut utoipa::openapi::OpenApi) {
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
pub(super) fn operations_mut(
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
/// generated client can leave them out: every `GET` whose 200 carries an `ETag` answers
/// 304 to an `If-None-Match` naming it, declares `If-None-Match` and sends the `ETag`
/// with its 304; every optional header parameter
/// (`If-Match`, `If-None-Match`, `X-Filename`) is a plain string, never `null` (a
/// generated client that accepts `None` for a header and then sends it crashes).
pub(super) fn document_conditional_requests(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::schema::{Schema, SchemaType};
    use utoipa::openapi::{RefOr, Required, Type};
    for (_, method, operation) in operations_mut(spec) {
        let tagged = matches!(
            operation.responses.responses.get("200"),
            Some(RefOr::T(ok)) if ok.headers.contains_key("ETag")
        );
        if method == "get" && tagged {
            operation
                .responses
                .responses
                .entry("304".to_string())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("The caller's copy (`If-None-Match`) is current.")
                            .build(),
                    )
                });
        }
        if method == "get" && operation.responses.responses.contains_key("304") {
            declare_header(
                operation.parameters.get_or_insert_with(Vec::new),
                "If-None-Match",
                "The `ETag` of the copy the caller holds: when it is current the answer is 304 with no body.",
            );
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
/// carries them: `Link` on a page of a list and `Content-Disposition` on a list's CSV
/// form (`crate::http::listing`); `Location` on a 201; `Idempotent-Replayed` on a replayed answer to a
/// `POST`, and the `303 See Other` (with `Location`) that answers a retry whose first
/// answer was not kept (`src/idempotency.rs`); `WWW-Authenticate` on a 401;
/// `Retry-After` on a 429 and a 503.
pub(super) fn document_response_headers(spec: &mut utoipa::openapi::OpenApi) {
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
    // A page is a schema with a `next_cursor` (`crate::page_type!`).
    let pages: Vec<String> = spec
        .components
        .iter()
        .flat_map(|components| components.schemas.iter())
        .filter(|(_, schema)| {
            matches!(schema, RefOr::T(utoipa::openapi::schema::Schema::Object(object))
                if object.properties.contains_key("next_cursor"))
        })
        .map(|(name, _)| utoipa::openapi::Ref::from_schema_name(name.as_str()).ref_location)
        .collect();
    for (path, method, operation) in operations_mut(spec) {
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let is_page = matches!(
                response.content.get("application/json"),
                Some(RefOr::T(content)) if matches!(
                    &content.schema,
                    Some(RefOr::Ref(schema)) if pages.contains(&schema.ref_location)
                )
            );
            if status == "200" && is_page {
                response
                    .headers
                    .entry("Link".to_string())
                    .or_insert_with(|| header("`<url>; rel=\"next\"` when another page follows.").into());
            }
            if status == "200" && response.content.contains_key("text/csv") {
                response
                    .headers
                    .entry("Content-Disposition".to_string())
                    .or_insert_with(|| {
                        header("With `text/csv`: `attachment; filename=\"<collection>-<date>.csv\"`.").into()
                    });
            }
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
