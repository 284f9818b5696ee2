//! `openapi/openapi.json` is generated from the code; this fails when they drift.

use crate::helpers::spawn_app;

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
/// committed). Matched ignoring case and underscores, as generators fold names.
const GENERATOR_RESERVED_NAMES: &[&str] = &[
    "Response",
    "Client",
    "AuthenticatedClient",
    "Errors",
    "Types",
    "Unset",
    "File",
    "Api",
    "ApiResponse",
    "Configuration",
    "Error",
    "Request",
    "Body",
    "Headers",
    "Models",
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
