//! `openapi/openapi.json` is generated from the code; this fails when they drift.

use crate::helpers::{assert_stale_tag_refused, path_of, spawn_app};

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = scrutiny::openapi::spec_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        pretty_assertions::assert_eq!(
            committed,
            generated,
            "openapi/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test openapi` and commit it"
        );
    }
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one() {
    let app = crate::helpers::spawn_app().await;
    let served = app.anonymous().get("/api-docs/openapi.json").await;
    assert_eq!(served.status, 200);
    let generated: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    assert_eq!(served.json(), generated);
    assert!(served.json()["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn every_operation_is_documented_with_a_summary_and_described_responses() {
    let spec: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(operation["operationId"].is_string(), "{name} has no operationId");
            assert!(operation["tags"].is_array(), "{name} has no tag");
            for (status, response) in operation["responses"].as_object().unwrap() {
                let described =
                    response["description"].as_str().is_some_and(|d| !d.is_empty()) || response["$ref"].is_string();
                assert!(described, "{name} {status} has no description");
            }
        }
    }
}

#[test]
fn every_operation_has_a_description_its_security_and_an_example_of_every_body() {
    let spec: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let has_example = |content: &serde_json::Value| {
        content.get("example").is_some()
            || content.get("examples").is_some()
            || content["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .is_some_and(|name| schemas[name].get("example").is_some())
    };
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            if operation["description"].as_str().is_none_or(|d| d.is_empty()) {
                missing.push(format!("{name}: description"));
            }
            if !operation["security"].is_array() {
                missing.push(format!("{name}: security"));
            }
            let bodies = operation["responses"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(status, response)| (status.clone(), response))
                .chain(operation.get("requestBody").map(|body| ("request".to_string(), body)));
            for (status, body) in bodies {
                let body = match body["$ref"].as_str() {
                    Some(reference) => &spec["components"]["responses"][reference.rsplit('/').next().unwrap()],
                    None => body,
                };
                for (media_type, content) in body["content"].as_object().into_iter().flatten() {
                    if !has_example(content) {
                        missing.push(format!("{name} {status} {media_type}: example"));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "missing from the document: {missing:#?}");
}

#[test]
fn enum_values_in_the_document_are_the_wire_names() {
    let spec: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for value in schema["enum"].as_array().into_iter().flatten() {
            let value = value.as_str().unwrap();
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()),
                "{name} documents {value:?}, not a snake_case wire name"
            );
        }
    }
    assert_eq!(
        spec["components"]["schemas"]["Role"]["enum"],
        serde_json::json!([
            "admin",
            "secretariat",
            "panel_member",
            "commissioner_office",
            "force",
            "integration"
        ])
    );
}

#[test]
fn every_referenced_component_is_defined() {
    let text = scrutiny::openapi::spec_json();
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    for reference in text
        .split("\"$ref\": \"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
    {
        let pointer = reference.strip_prefix('#').unwrap();
        assert!(
            spec.pointer(pointer).is_some(),
            "{reference} is referenced but not defined"
        );
    }
}

#[actix_web::test]
async fn the_root_redirects_to_swagger_ui_which_is_served_locally() {
    let app = spawn_app().await;
    let root = app.anonymous().get("/").await;
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location").as_deref(), Some("/swagger-ui/"));
    let ui = app.anonymous().get("/swagger-ui/").await;
    assert_eq!(ui.status, 200);
    assert!(ui.text().contains("swagger"), "{}", ui.text());
    let bundle = app.anonymous().get("/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, 200, "the UI's assets are vendored into the binary");
}

/// Names that client generators keep for their own types: a schema with one of them is
/// shadowed in the generated client (openapi-python-client's `Response` wrapper once
/// overwrote the `Response` model, so `create_response` raised after the server had
/// committed). Matched ignoring case and underscores, as generators fold names. The
/// first line is openapi-python-client's (its classes, and its package's modules
/// `types`, `errors`, `models`, `api`); the rest are openapi-generator's.
const GENERATOR_RESERVED_NAMES: &[&str] = &[
    "Response",
    "Client",
    "AuthenticatedClient",
    "Unset",
    "UNSET",
    "Error",
    "File",
    "Types",
    "Errors",
    "Models",
    "Api",
    "ApiResponse",
    "Configuration",
    "Request",
    "Body",
    "Headers",
];

#[test]
fn no_schema_or_operation_takes_a_name_client_generators_keep_for_their_own_types() {
    let spec: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    let fold = |name: &str| name.replace('_', "").to_lowercase();
    let reserved: Vec<String> = GENERATOR_RESERVED_NAMES.iter().map(|n| fold(n)).collect();
    let schemas = spec["components"]["schemas"].as_object().unwrap().keys();
    let operations = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str());
    let clashes: Vec<&str> = schemas
        .map(String::as_str)
        .chain(operations)
        .filter(|name| reserved.contains(&fold(name)))
        .collect();
    assert!(clashes.is_empty(), "names that generated clients shadow: {clashes:?}");
}

#[test]
fn every_operation_id_is_a_verb_then_the_resource() {
    const VERBS: &[&str] = &[
        "list",
        "get",
        "create",
        "update",
        "delete",
        "accept",
        "reject",
        "withdraw",
        "publish",
        "rotate",
        "issue",
        "search",
        "redeliver",
        "replace",
        "refer",
        "confirm",
        "dismiss",
    ];
    let spec: serde_json::Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap();
            let (verb, resource) = id.split_once('_').unwrap_or((id, ""));
            assert!(
                VERBS.contains(&verb) && !resource.is_empty(),
                "operationId {id} is not <verb>_<resource>"
            );
        }
    }
}

fn document() -> serde_json::Value {
    serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap()
}

/// `schema` resolved when it is a `$ref` to a component.
fn resolved<'a>(spec: &'a serde_json::Value, schema: &'a serde_json::Value) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(reference) => spec.pointer(reference.trim_start_matches('#')).unwrap(),
        None => schema,
    }
}

/// Every schema in the document, with where it is: the components' and every
/// parameter's, header's and body's, and every schema nested in those.
fn every_schema(spec: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    fn nested(at: String, schema: &serde_json::Value, found: &mut Vec<(String, serde_json::Value)>) {
        let Some(object) = schema.as_object() else {
            return;
        };
        found.push((at.clone(), schema.clone()));
        for (name, property) in object
            .get("properties")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
        {
            nested(format!("{at}.{name}"), property, found);
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = object.get(key).filter(|inner| inner.is_object()) {
                nested(format!("{at}[{key}]"), inner, found);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, inner) in object
                .get(key)
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                nested(format!("{at}.{key}[{i}]"), inner, found);
            }
        }
    }
    fn holders(at: String, value: &serde_json::Value, found: &mut Vec<(String, serde_json::Value)>) {
        let Some(object) = value.as_object() else {
            return;
        };
        for (key, inner) in object {
            if key == "schema" {
                nested(format!("{at}.schema"), inner, found);
            } else if key != "example" && key != "examples" {
                holders(format!("{at}.{key}"), inner, found);
            }
        }
        if let Some(items) = value.as_array() {
            for (i, inner) in items.iter().enumerate() {
                holders(format!("{at}[{i}]"), inner, found);
            }
        }
    }
    let mut found = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        nested(name.clone(), schema, &mut found);
    }
    holders("paths".into(), &spec["paths"], &mut found);
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (i, parameter) in operation["parameters"].as_array().into_iter().flatten().enumerate() {
                nested(
                    format!("{method} {path} parameter {i}"),
                    &parameter["schema"],
                    &mut found,
                );
            }
        }
    }
    holders(
        "components.responses".into(),
        &spec["components"]["responses"],
        &mut found,
    );
    found
}

/// Every place in the document that shows an example, with the schema it must fit:
/// media types (request and response bodies), parameters and headers (`example` and
/// `examples` beside a `schema`), and schemas themselves (`example`, `examples`), at any depth.
fn every_example(spec: &serde_json::Value) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    fn beside_a_schema(
        at: String,
        value: &serde_json::Value,
        found: &mut Vec<(String, serde_json::Value, serde_json::Value)>,
    ) {
        if let Some(items) = value.as_array() {
            for (i, inner) in items.iter().enumerate() {
                beside_a_schema(format!("{at}[{i}]"), inner, found);
            }
            return;
        }
        let Some(object) = value.as_object() else {
            return;
        };
        if let Some(schema) = object.get("schema") {
            if let Some(example) = object.get("example") {
                found.push((at.clone(), schema.clone(), example.clone()));
            }
            for (name, example) in object.get("examples").and_then(|e| e.as_object()).into_iter().flatten() {
                found.push((
                    format!("{at} examples.{name}"),
                    schema.clone(),
                    example["value"].clone(),
                ));
            }
        }
        for (key, inner) in object {
            if key != "schema" && key != "example" && key != "examples" {
                beside_a_schema(format!("{at}.{key}"), inner, found);
            }
        }
    }
    let mut found = Vec::new();
    beside_a_schema("paths".into(), &spec["paths"], &mut found);
    beside_a_schema(
        "components.responses".into(),
        &spec["components"]["responses"],
        &mut found,
    );
    for (at, schema) in every_schema(spec) {
        let mut bare = schema.clone();
        let bare_object = bare.as_object_mut().unwrap();
        let example = bare_object.remove("example");
        let examples = bare_object.remove("examples");
        if let Some(example) = example {
            found.push((format!("{at} example"), bare.clone(), example));
        }
        for (i, example) in examples
            .as_ref()
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
            .enumerate()
        {
            found.push((format!("{at} examples[{i}]"), bare.clone(), example.clone()));
        }
    }
    found
}

/// A validator of `schema` (JSON Schema 2020-12, OpenAPI 3.1's dialect, formats
/// asserted), its `$ref`s resolved against the document's components.
fn validator(spec: &serde_json::Value, schema: &serde_json::Value) -> jsonschema::Validator {
    let mut root = schema.clone();
    if let Some(object) = root.as_object_mut() {
        object.insert("components".to_string(), spec["components"].clone());
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{schema} is not a valid schema: {e}"))
}

#[test]
fn every_example_in_the_document_fits_its_schema() {
    let spec = document();
    let examples = every_example(&spec);
    assert!(examples.len() > 100, "only {} examples found", examples.len());
    let mut wrong = Vec::new();
    for (at, schema, example) in &examples {
        let validator = validator(&spec, schema);
        for error in validator.iter_errors(example) {
            wrong.push(format!("{at}: {error} at {}", error.instance_path()));
        }
    }
    assert!(wrong.is_empty(), "examples that do not fit their schema: {wrong:#?}");
}

#[test]
fn the_example_check_catches_a_wrong_example() {
    let mut spec = document();
    spec["components"]["schemas"]["Organisation"]["example"]["kind"] = serde_json::json!("police_force");
    let (_, schema, example) = every_example(&spec)
        .into_iter()
        .find(|(at, _, _)| at == "Organisation example")
        .unwrap();
    assert!(!validator(&spec, &schema).is_valid(&example));
}

#[test]
fn every_csv_example_has_cells_that_fit_the_json_items_fields() {
    let spec = document();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let content = &operation["responses"]["200"]["content"];
            let Some(csv) = content["text/csv"]["example"].as_str() else {
                continue;
            };
            let page = resolved(&spec, &content["application/json"]["schema"]);
            let item_schema = resolved(&spec, &page["properties"]["items"]["items"]);
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let columns: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
            for row in reader.records() {
                let row = row.unwrap();
                for (column, cell) in columns.iter().zip(row.iter()) {
                    let Some(field) = item_schema["properties"].get(column) else {
                        continue;
                    };
                    let field_schema = resolved(&spec, field);
                    let types = match &field_schema["type"] {
                        serde_json::Value::String(kind) => vec![kind.clone()],
                        serde_json::Value::Array(kinds) => {
                            kinds.iter().filter_map(|k| k.as_str().map(str::to_string)).collect()
                        }
                        _ => vec!["string".to_string()],
                    };
                    let value = if cell.is_empty() && validator(&spec, field).is_valid(&serde_json::Value::Null) {
                        serde_json::Value::Null
                    } else if types.iter().any(|t| t == "integer" || t == "number" || t == "boolean") {
                        serde_json::from_str(cell).unwrap_or(serde_json::json!(cell))
                    } else if types.iter().any(|t| t == "array" || t == "object") {
                        continue;
                    } else {
                        serde_json::json!(cell)
                    };
                    checked += 1;
                    if !validator(&spec, field).is_valid(&value) {
                        wrong.push(format!("{method} {path}: column {column} holds {cell:?}"));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} CSV cells checked");
    assert!(
        wrong.is_empty(),
        "CSV examples that the JSON items contradict: {wrong:#?}"
    );
}

#[test]
fn each_feed_example_shows_its_own_feed() {
    let spec = document();
    let mut feeds = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(example) = item["get"]["responses"]["200"]["content"]["application/atom+xml"]["example"].as_str()
        else {
            continue;
        };
        feeds += 1;
        let kind = path.trim_start_matches("/feeds/").trim_end_matches(".atom");
        assert!(
            example.contains(&format!("{path}\" rel=\"self\"")),
            "{path}'s example is another feed: {example}"
        );
        assert!(
            example.contains(&format!("/api/v1/{kind}/")),
            "{path}'s example has no entry linking to /api/v1/{kind}"
        );
    }
    assert_eq!(feeds, 3);
}

#[test]
fn every_oauth_error_example_is_a_code_its_response_names() {
    let spec = document();
    let token = &spec["paths"]["/api/v1/auth/token"]["post"]["responses"];
    for status in ["400", "401"] {
        let response = &token[status];
        let example = &response["content"]["application/json"]["example"];
        let code = example["error"].as_str().unwrap();
        assert!(
            response["description"].as_str().unwrap().contains(&format!("`{code}`")),
            "the token endpoint's {status} shows {code}, which it does not name"
        );
    }
}

#[test]
fn every_free_form_object_says_it_takes_any_property() {
    let spec = document();
    let mut closed = Vec::new();
    for (at, schema) in every_schema(&spec) {
        let is_object = schema["type"] == "object"
            || schema["type"]
                .as_array()
                .is_some_and(|t| t.contains(&serde_json::json!("object")));
        if is_object && schema.get("properties").is_none() && schema.get("additionalProperties").is_none() {
            closed.push(at);
        }
    }
    assert!(
        closed.is_empty(),
        "objects with no properties and no additionalProperties: {closed:?}"
    );
    assert_eq!(
        spec["components"]["schemas"]["Event"]["properties"]["snapshot"]["additionalProperties"],
        true
    );
    assert_eq!(
        spec["components"]["schemas"]["Delivery"]["properties"]["payload"]["additionalProperties"],
        true
    );
}

#[test]
fn conditional_headers_are_declared_wherever_honoured_as_optional_plain_strings() {
    let spec = document();
    let mut wrong = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let responses = &operation["responses"];
            let parameters: Vec<&serde_json::Value> =
                operation["parameters"].as_array().into_iter().flatten().collect();
            let declares = |header: &str| parameters.iter().any(|p| p["in"] == "header" && p["name"] == header);
            let sends_a_tag = responses["200"]["headers"].get("ETag").is_some();
            if method == "get" && sends_a_tag && responses.get("304").is_none() {
                wrong.push(format!("{name}: sends an ETag but documents no 304"));
            }
            if responses.get("304").is_some() {
                if !declares("If-None-Match") {
                    wrong.push(format!("{name}: answers 304 but declares no If-None-Match"));
                }
                if responses["304"]["headers"].get("ETag").is_none() {
                    wrong.push(format!("{name}: its 304 does not document the ETag"));
                }
            }
            if responses.get("412").is_some() != declares("If-Match") {
                wrong.push(format!("{name}: a 412 without If-Match, or If-Match without a 412"));
            }
            for parameter in parameters.iter().filter(|p| p["in"] == "header") {
                let schema = &parameter["schema"];
                if schema["type"] != "string" || schema.get("nullable").is_some() {
                    wrong.push(format!("{name}: header {} is typed {schema}", parameter["name"]));
                }
                if parameter["required"] != false {
                    wrong.push(format!("{name}: header {} is required", parameter["name"]));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_shared_machinerys_headers_are_documented_on_every_response_that_carries_them() {
    let spec = document();
    let components = &spec["components"]["responses"];
    assert!(components["Unauthorized"]["headers"].get("WWW-Authenticate").is_some());
    assert!(components["TooManyRequests"]["headers"].get("Retry-After").is_some());
    assert!(components["Unavailable"]["headers"].get("Retry-After").is_some());
    let mut wrong = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            for (status, response) in operation["responses"].as_object().unwrap() {
                let response = resolved(&spec, response);
                let headers = &response["headers"];
                let mut needs = Vec::new();
                match status.as_str() {
                    "201" => needs.extend(["Location", "Idempotent-Replayed"]),
                    "303" => needs.extend(["Location", "Idempotent-Replayed"]),
                    "401" => needs.push("WWW-Authenticate"),
                    "429" | "503" => needs.push("Retry-After"),
                    status if status.starts_with('2') && method == "post" => needs.push("Idempotent-Replayed"),
                    _ => {}
                }
                if method == "get"
                    && status == "200"
                    && response["content"]["application/json"]["schema"]["$ref"]
                        .as_str()
                        .is_some_and(|r| r.ends_with("Page"))
                {
                    needs.push("Link");
                }
                for header in needs {
                    if headers.get(header).is_none() {
                        wrong.push(format!("{name} {status}: {header}"));
                    }
                }
            }
            if method == "post" && path != "/api/v1/auth/token" && operation["responses"].get("303").is_none() {
                wrong.push(format!("{name}: no 303 for a replay whose answer was not kept"));
            }
        }
    }
    assert!(wrong.is_empty(), "headers sent but not documented: {wrong:#?}");
}

#[test]
fn no_optional_query_filter_comes_filled_in_with_an_example() {
    let spec = document();
    let mut filled = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] != "query" || parameter["required"] == true {
                    continue;
                }
                let schema = resolved(&spec, &parameter["schema"]);
                let has_example = ["example", "examples"]
                    .iter()
                    .any(|key| parameter.get(*key).is_some() || schema.get(*key).is_some());
                if has_example {
                    filled.push(format!("{method} {path} {}", parameter["name"]));
                }
            }
        }
    }
    assert!(
        filled.is_empty(),
        "Swagger UI would fill these in and filter the list: {filled:?}"
    );
}

#[test]
fn the_authorize_dialog_offers_the_username_and_password_first() {
    let text = scrutiny::openapi::spec_json();
    let schemes = &text[text.find("\"securitySchemes\"").unwrap()..];
    let first = schemes.split('"').nth(3).unwrap();
    assert_eq!(first, "oauth2", "Swagger UI shows the schemes in the document's order");
}

#[actix_web::test]
async fn swagger_ui_without_the_slash_redirects_to_it() {
    let app = spawn_app().await;
    let bare = app.anonymous().get("/swagger-ui").await;
    assert!(matches!(bare.status, 301 | 308), "{}", bare.status);
    assert_eq!(bare.header("location").as_deref(), Some("/swagger-ui/"));
}

/// The headers a client may act on; each one a response carries must be documented on
/// that operation's response for that status.
const TRACKED_HEADERS: &[&str] = &[
    "ETag",
    "Location",
    "Link",
    "Cache-Control",
    "Pragma",
    "Retry-After",
    "WWW-Authenticate",
    "Idempotent-Replayed",
    "Content-Disposition",
];

/// The headers `response` to `method path` carries that the document does not mention.
fn undocumented_headers(
    spec: &serde_json::Value,
    method: &str,
    path: &str,
    response: &crate::helpers::TestResponse,
) -> Vec<String> {
    let path = path.split('?').next().unwrap();
    let matches = |template: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
        a.len() == b.len() && a.iter().zip(&b).all(|(t, p)| t == p || t.starts_with('{'))
    };
    let mut templates: Vec<&String> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|t| matches(t))
        .collect();
    templates.sort_by_key(|t| t.matches('{').count());
    let template = templates
        .first()
        .unwrap_or_else(|| panic!("{path} is not in the document"));
    let documented = &spec["paths"][template.as_str()][method]["responses"][response.status.to_string()];
    assert!(
        !documented.is_null(),
        "{method} {template} does not document a {}",
        response.status
    );
    let documented = resolved(spec, documented);
    TRACKED_HEADERS
        .iter()
        .filter(|name| response.header(name).is_some() && documented["headers"].get(**name).is_none())
        .map(|name| format!("{method} {template} {}: {name}", response.status))
        .collect()
}

#[actix_web::test]
async fn every_header_the_service_sends_is_documented_on_its_response() {
    use serde_json::json;
    let app = spawn_app().await;
    let spec = document();
    let mut missing = Vec::new();
    let mut check = |method: &str, path: &str, response: &crate::helpers::TestResponse| {
        missing.extend(undocumented_headers(&spec, method, path, response));
    };
    // Creations, a replay, reads, a 304, a change, a stale change, lists, CSV.
    let body = json!({"name": "Headers Police", "kind": "force"});
    let (created, replayed) = app
        .as_admin()
        .post_twice("/api/v1/organisations", "headers-1", &body)
        .await;
    check("post", "/api/v1/organisations", &created);
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    check("post", "/api/v1/organisations", &replayed);
    app.create_organisation("Second Police", "force").await;
    let path = format!("/api/v1/organisations/{}", created.json()["id"].as_str().unwrap());
    let read = app.anonymous().get(&path).await;
    check("get", &path, &read);
    let tag = read.header("etag").unwrap();
    let current = app.anonymous().get(&path).header("if-none-match", &tag).await;
    assert_eq!(current.status, 304);
    check("get", &path, &current);
    let (first, second) = (json!({"name": "Renamed Police"}), json!({"name": "Again Police"}));
    let (changed, stale) = assert_stale_tag_refused(&app.as_admin(), &path, &tag, first, second).await;
    check("patch", &path, &changed);
    check("patch", &path, &stale);
    let page = app.anonymous().get("/api/v1/organisations?limit=1").await;
    assert!(page.header("link").is_some());
    check("get", "/api/v1/organisations", &page);
    let csv = app
        .anonymous()
        .get("/api/v1/organisations")
        .header("accept", "text/csv")
        .await;
    check("get", "/api/v1/organisations", &csv);
    // Accounts and systems: answers that hold a secret (no-store), and their replay (303).
    let user = app.as_admin().post("/api/v1/users").json(&json!({"username": "headers", "display_name": "Headers", "password": crate::helpers::PASSWORD, "roles": ["secretariat"]})).await;
    check("post", "/api/v1/users", &user);
    let client_body = json!({"name": "Council website", "roles": ["integration"]});
    let (client, again) = app
        .as_admin()
        .post_twice("/api/v1/clients", "headers-2", &client_body)
        .await;
    check("post", "/api/v1/clients", &client);
    assert_eq!(again.status, 303);
    check("post", "/api/v1/clients", &again);
    let client_path = format!("{}/rotate-secret", path_of("clients", &client.json()));
    let rotated = app.as_admin().post(&client_path).await;
    check("post", &client_path, &rotated);
    // Signing in, refused and accepted; no token, and a bad one.
    let token = app.password_grant("headers", crate::helpers::PASSWORD).await;
    assert_eq!(token.status, 200);
    check("post", "/api/v1/auth/token", &token);
    let refused = app.password_grant("headers", "wrong password entirely").await;
    check("post", "/api/v1/auth/token", &refused);
    let bad_client = app
        .anonymous()
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "nothing"),
        ])
        .await;
    assert_eq!(bad_client.status, 401);
    check("post", "/api/v1/auth/token", &bad_client);
    let anonymous = app.anonymous().get("/api/v1/users").await;
    assert_eq!(anonymous.status, 401);
    check("get", "/api/v1/users", &anonymous);
    let invalid = app.with_token("not-a-token").get("/api/v1/users").await;
    check("get", "/api/v1/users", &invalid);
    // Questions (private answers), a response, a feed and its 304.
    let question = app.create_public_question().await;
    let question_path = path_of("questions", &question);
    let read = app.as_admin().get(&question_path).await;
    check("get", &question_path, &read);
    let current = app
        .as_admin()
        .get(&question_path)
        .header("if-none-match", &read.header("etag").unwrap())
        .await;
    assert_eq!(current.status, 304);
    check("get", &question_path, &current);
    let responses_path = format!("{question_path}/responses");
    let draft = app.as_admin().post(&responses_path).json(&json!({"kind": "written", "body": "The answer.", "author": {"name": "Jane Doe", "position": "Chief Executive"}, "responded_on": "2022-06-09"})).await;
    assert_eq!(draft.status, 201, "{}", draft.text());
    check("post", &responses_path, &draft);
    let feed = app.anonymous().get("/feeds/questions.atom").await;
    check("get", "/feeds/questions.atom", &feed);
    let current = app
        .anonymous()
        .get("/feeds/questions.atom")
        .header("if-none-match", &feed.header("etag").unwrap())
        .await;
    check("get", "/feeds/questions.atom", &current);
    let published = app
        .as_admin()
        .post(&format!(
            "/api/v1/responses/{}/publish",
            draft.json()["id"].as_str().unwrap()
        ))
        .json(&serde_json::Value::Null)
        .await;
    check("post", "/api/v1/responses/{id}/publish", &published);
    // A subscription (its secret shown once) and its new secret; an action's update.
    let webhook = app
        .as_admin()
        .post("/api/v1/webhooks")
        .json(&json!({"url": "https://council.example/hook", "event_types": ["question.*"]}))
        .await;
    assert_eq!(webhook.status, 201, "{}", webhook.text());
    check("post", "/api/v1/webhooks", &webhook);
    let rotate = format!("{}/rotate-secret", path_of("webhooks", &webhook.json()));
    let rotated = app.as_admin().post(&rotate).await;
    check("post", &rotate, &rotated);
    let (_, action) = app.seed_recommendation_and_action().await;
    let updates = format!("/api/v1/actions/{action}/updates");
    let update = app.as_admin().post(&updates).json(&json!({"reported_on": "2022-07-14", "author": {"name": "Chief Constable", "position": "Chief Constable"}, "body": "Under way."})).await;
    assert_eq!(update.status, 201, "{}", update.text());
    check("post", &updates, &update);
    let action_path = format!("/api/v1/actions/{action}");
    let read = app.anonymous().get(&action_path).await;
    check("get", &action_path, &read);
    assert!(missing.is_empty(), "sent but not documented: {missing:#?}");
}
