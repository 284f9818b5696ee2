//! Examples for the document: every request and response body gets one, made from its
//! schema where the code names none, and every shared error response shows its problem
//! type.

/// Gives every request and response body an example: where the code names none, one is
/// made from the schema and the examples of the types in it (a page of questions holds
/// the question's example), and every shared error response shows its problem type.
/// The tests check that no body is left without one.
pub(super) fn document_examples(mut spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
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
