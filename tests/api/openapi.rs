//! `openapi/openapi.json` is generated from the code; this fails when they drift.

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
    let served = app.get("/api-docs/openapi.json").await;
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
