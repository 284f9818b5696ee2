//! `Accept: text/csv` on the collections: what each exports, to whom, and its limits.

use scrutiny::domain::auth::Role;
use serde_json::json;

use crate::helpers::{
    assert_first_error_says, field_of_each, spawn_app, spawn_app_with, Settings, TestApp, TestResponse,
};

const CSV: &[(&str, &str)] = &[("accept", "text/csv")];

const QUESTION_COLUMNS: &[&str] = &[
    "id",
    "reference",
    "status",
    "asker_kind",
    "asker_display_name",
    "title",
    "body",
    "topics",
    "asked_on",
    "meeting_id",
    "parent_question_id",
    "addressed_to",
    "recommendation_ids",
    "rejection_reason",
    "rejection_reason_code",
    "referred_to_organisation_id",
    "referral_reason_code",
    "referral_reason",
    "referred_at",
    "published_at",
    "source_name",
    "source_hash",
    "created_at",
    "updated_at",
    "version",
];

/// The header and rows of a CSV response, after checking it is one.
#[track_caller]
fn parse(response: &TestResponse, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = response.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{name}-")) && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(response.body.ends_with(b"\r\n"), "RFC 4180 lines end with CRLF");
    let mut reader = csv::Reader::from_reader(response.body.as_slice());
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

async fn csv_get(app: &TestApp, path: &str, token: Option<&str>) -> TestResponse {
    app.with_optional_token(token).get(path).headers(CSV).await
}

#[actix_web::test]
async fn a_question_export_round_trips_with_filters_visibility_and_no_contact_details() {
    let app = spawn_app().await;
    let awkward = "Two things, \"exactly\":\nfirst, the plan;\r\nsecond, its owner.";
    let public = app
        .create_question(json!({"body": awkward, "topics": ["child-protection", "policing"]}))
        .await;
    app.accept_question(&public).await;
    let submitted = app.create_question(json!({"title": "Still submitted"})).await;
    let other_topic = app.create_question(json!({"topics": ["finance"]})).await;
    app.accept_question(&other_topic).await;

    // Anonymous: public questions only, with the filter applied.
    let response = csv_get(&app, "/api/v1/questions?topic=child-protection", None).await;
    let (header, rows) = parse(&response, "questions");
    assert_eq!(header, QUESTION_COLUMNS);
    assert_eq!(rows.len(), 1, "{}", response.text());
    let row = &rows[0];
    assert_eq!(row[column(&header, "id")], public["id"].as_str().unwrap());
    assert_eq!(
        row[column(&header, "body")],
        awkward,
        "commas, quotes and newlines survive"
    );
    assert_eq!(row[column(&header, "topics")], "child-protection;policing");
    assert_eq!(row[column(&header, "asker_kind")], "member_of_public");
    assert_eq!(row[column(&header, "asker_display_name")], "A member of the public");
    assert_eq!(row[column(&header, "status")], "accepted");
    assert_eq!(row[column(&header, "meeting_id")], "", "null is an empty field");
    assert_eq!(response.header("vary").as_deref(), Some("Accept, Authorization"));

    // Admin: the submitted question too, but contact details still never.
    let admin = app.token(Role::Admin, None);
    let json = app.with_token(&admin).get("/api/v1/questions").await.json();
    assert!(
        json.to_string().contains("resident@example.org"),
        "admins see contacts in JSON"
    );
    let response = csv_get(&app, "/api/v1/questions", Some(&admin)).await;
    let (header, rows) = parse(&response, "questions");
    assert_eq!(header, QUESTION_COLUMNS);
    assert_eq!(rows.len(), 3);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(ids.contains(&submitted["id"].as_str().unwrap()));
    let text = response.text();
    for personal in ["resident@example.org", "01785", "asker_contact", "email", "phone"] {
        assert!(!text.contains(personal), "{personal} leaked: {text}");
    }
    // The same order as the JSON list.
    let json_ids = field_of_each(&json["items"], "id");
    assert_eq!(ids, json_ids);
}

#[actix_web::test]
async fn an_export_holds_every_matching_row_not_one_page() {
    let app = spawn_app().await;
    // More than two of the export's own pages of 500.
    app.db
        .count(
            "WITH inserted AS (INSERT INTO organisations (id, name, name_key, kind) \
             SELECT gen_random_uuid(), 'Council ' || n, 'council ' || n, 'council' FROM generate_series(1, 1203) AS n RETURNING 1) \
             SELECT count(*) AS n FROM inserted",
        )
        .await;
    app.create_organisation("Inspectorate, \"national\"", "inspectorate")
        .await;
    let total = app.db.count("SELECT count(*) AS n FROM organisations").await as usize;

    let (header, rows) = parse(&csv_get(&app, "/api/v1/organisations", None).await, "organisations");
    assert_eq!(header, ["id", "name", "kind", "created_at", "updated_at", "version"]);
    assert_eq!(rows.len(), total);
    let mut ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "no row twice");

    let (_, rows) = parse(
        &csv_get(&app, "/api/v1/organisations?kind=council", None).await,
        "organisations",
    );
    assert_eq!(rows.len(), 1203);
    let (_, rows) = parse(
        &csv_get(&app, "/api/v1/organisations?kind=inspectorate", None).await,
        "organisations",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "Inspectorate, \"national\"");
}

#[actix_web::test]
async fn paging_parameters_are_refused_with_csv() {
    let app = spawn_app().await;
    for query in ["limit=5", "cursor=0~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"] {
        let problem = csv_get(&app, &format!("/api/v1/organisations?{query}"), None)
            .await
            .assert_problem(422);
        let field = query.split('=').next().unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // JSON is unchanged: paging as before.
    let response = app.anonymous().get("/api/v1/organisations?limit=5").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("vary").as_deref(),
        Some("Accept, Authorization"),
        "caches key JSON pages on Accept too, and on who asks"
    );
    assert!(response.header("content-type").unwrap().starts_with("application/json"));
}

#[actix_web::test]
async fn an_export_over_the_cap_is_refused_before_any_row() {
    let app = spawn_app_with(Settings::default().with("SCRUTINY_CSV_MAX_ROWS", "3")).await;
    for name in ["Alpha", "Beta", "Gamma", "Delta"] {
        app.create_organisation(&format!("{name} council"), "council").await;
    }
    let problem = csv_get(&app, "/api/v1/organisations", None).await.assert_problem(422);
    assert_first_error_says(&problem, "more than 3 rows");
    // Narrower filters fit.
    let (_, rows) = parse(
        &csv_get(&app, "/api/v1/organisations?q=ta%20council", None).await,
        "organisations",
    );
    assert_eq!(rows.len(), 2);
}

#[actix_web::test]
async fn every_public_collection_exports_csv_and_personal_ones_do_not() {
    let app = spawn_app().await;
    let (recommendation, action) = app.seed_recommendation_and_action().await;
    let question = app.create_public_question().await;
    let question_id = question["id"].as_str().unwrap();
    let response = app.create_response(question_id, json!({})).await;
    app.publish_response(response["id"].as_str().unwrap()).await;
    app.create_meeting("panel_meeting", "2022-06-06").await;
    let update = app
        .as_admin().post(&format!("/api/v1/actions/{action}/updates")).json(&json!({"reported_on": "2022-07-01", "author": {"name": "Sam Jones", "position": "Head of Public Protection"},
                    "body": "Half done, on time.", "progress_percent": 50}))
        .await;
    assert_eq!(update.status, 201, "{}", update.text());

    let responses_path = format!("/api/v1/questions/{question_id}/responses");
    let updates_path = format!("/api/v1/actions/{action}/updates");
    for (path, name, first_id) in [
        ("/api/v1/organisations", "organisations", None),
        ("/api/v1/meetings", "meetings", None),
        ("/api/v1/questions", "questions", Some(question_id.to_string())),
        (
            responses_path.as_str(),
            "responses",
            Some(response["id"].as_str().unwrap().to_string()),
        ),
        ("/api/v1/reports", "reports", None),
        (
            "/api/v1/recommendations",
            "recommendations",
            Some(recommendation.clone()),
        ),
        ("/api/v1/actions", "actions", Some(action.clone())),
        (
            updates_path.as_str(),
            "action-updates",
            Some(update.json()["id"].as_str().unwrap().to_string()),
        ),
    ] {
        let (header, rows) = parse(&csv_get(&app, path, None).await, name);
        assert_eq!(header[0], "id", "{path}");
        assert!(!rows.is_empty(), "{path}");
        assert!(
            rows[0].iter().all(|field| !field.starts_with('{')),
            "{path}: nothing left nested"
        );
        if let Some(id) = first_id {
            assert!(rows.iter().any(|row| row[0] == id), "{path}");
        }
    }
    let (header, rows) = parse(&csv_get(&app, "/api/v1/recommendations", None).await, "recommendations");
    assert_eq!(rows[0][column(&header, "progress_actions_total")], "0");
    column(&header, "progress_percent_complete");
    let (header, rows) = parse(&csv_get(&app, "/api/v1/actions", None).await, "actions");
    column(&header, "recommendation_ids");
    assert_eq!(rows[0][column(&header, "latest_update_progress_percent")], "50");
    column(&header, "owner_organisation_id");

    // Unknown action: 404 before anything is sent.
    csv_get(
        &app,
        "/api/v1/actions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/updates",
        None,
    )
    .await
    .assert_problem(404);
    // Personal data is never exported: these lists stay JSON.
    let admin = app.token(Role::Admin, None);
    for path in ["/api/v1/users", "/api/v1/clients"] {
        let response = csv_get(&app, path, Some(&admin)).await;
        assert_eq!(response.status, 200, "{path}");
        assert!(
            response.header("content-type").unwrap().starts_with("application/json"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn json_stays_the_default_unless_csv_is_preferred() {
    let app = spawn_app().await;
    for (accept, csv) in [
        ("*/*", false),
        ("application/json", false),
        ("text/csv;q=0.4, application/json", false),
        ("text/csv, application/json;q=0.9", true),
    ] {
        let response = app.anonymous().get("/api/v1/reports").header("accept", accept).await;
        assert_eq!(response.status, 200, "{accept}");
        let content_type = response.header("content-type").unwrap();
        assert_eq!(content_type.starts_with("text/csv"), csv, "{accept}: {content_type}");
    }
}

/// What a spreadsheet sees as a UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

#[actix_web::test]
async fn a_byte_order_mark_starts_an_export_only_when_asked() {
    let app = spawn_app().await;
    let (_, action) = app.seed_recommendation_and_action().await;
    let question = app.create_public_question().await;
    let question_id = question["id"].as_str().unwrap();
    let responses_path = format!("/api/v1/questions/{question_id}/responses");
    let updates_path = format!("/api/v1/actions/{action}/updates");
    for path in [
        "/api/v1/organisations",
        "/api/v1/meetings",
        "/api/v1/questions",
        responses_path.as_str(),
        "/api/v1/reports",
        "/api/v1/recommendations",
        "/api/v1/actions",
        updates_path.as_str(),
    ] {
        let plain = csv_get(&app, path, None).await;
        assert_eq!(plain.status, 200, "{path}: {}", plain.text());
        assert!(!plain.body.starts_with(BOM), "{path}: no mark unless asked");
        let off = csv_get(&app, &format!("{path}?bom=false"), None).await;
        assert_eq!(off.body, plain.body, "{path}: bom=false is the default");
        let marked = csv_get(&app, &format!("{path}?bom=true"), None).await;
        assert_eq!(marked.status, 200, "{path}: {}", marked.text());
        assert_eq!(
            marked.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(marked.body.starts_with(BOM), "{path}: the mark comes first");
        assert_eq!(
            &marked.body[BOM.len()..],
            plain.body.as_slice(),
            "{path}: and nothing else changes"
        );
    }
}

#[actix_web::test]
async fn formula_cells_are_neutralised_unless_verbatim_is_asked_for_and_the_rest_is_unchanged() {
    let app = spawn_app().await;
    let title = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    let body = "@SUM(1+1)*cmd|' /C calc'!A0";
    let question = app.create_question(json!({"title": title, "body": body})).await;
    app.accept_question(&question).await;
    let plain_question = app.create_question(json!({"title": "A plain title = fine"})).await;
    app.accept_question(&plain_question).await;

    let escaped = csv_get(&app, "/api/v1/questions", None).await;
    let (header, escaped_rows) = parse(&escaped, "questions");
    let verbatim = csv_get(&app, "/api/v1/questions?escape_formulas=false", None).await;
    let (verbatim_header, plain_rows) = parse(&verbatim, "questions");
    assert_eq!(verbatim_header, header);
    assert_eq!(escaped_rows.len(), plain_rows.len());
    let (title_at, body_at) = (column(&header, "title"), column(&header, "body"));
    let row_of = |rows: &[Vec<String>], id: &serde_json::Value| {
        rows.iter().find(|r| r[0] == id.as_str().unwrap()).cloned().unwrap()
    };
    let (plain, neutral) = (
        row_of(&plain_rows, &question["id"]),
        row_of(&escaped_rows, &question["id"]),
    );
    assert_eq!(neutral[title_at], format!("'{title}"), "escaped by default");
    assert_eq!(neutral[body_at], format!("'{body}"));
    assert_eq!(plain[title_at], title, "verbatim when asked");
    assert_eq!(plain[body_at], body);
    for (i, (a, b)) in plain.iter().zip(&neutral).enumerate() {
        if i != title_at && i != body_at {
            assert_eq!(a, b, "{} is unchanged", header[i]);
        }
    }
    assert_eq!(
        row_of(&plain_rows, &plain_question["id"]),
        row_of(&escaped_rows, &plain_question["id"]),
        "a row with no formula-like cell is the same"
    );
    let explicit = csv_get(&app, "/api/v1/questions?escape_formulas=true", None).await;
    assert_eq!(explicit.body, escaped.body, "true is the default");

    // Every collection: an organisation named like a formula, in the organisations export.
    let sneaky = app.create_organisation("-2+3+cmd|' /C calc'!A0", "other").await;
    let (header, rows) = parse(
        &csv_get(&app, "/api/v1/organisations?bom=true", None).await,
        "organisations",
    );
    let name = rows
        .iter()
        .find(|r| r[0] == sneaky["id"].as_str().unwrap())
        .map(|r| r[column(&header, "name")].clone());
    assert_eq!(name.as_deref(), Some("'-2+3+cmd|' /C calc'!A0"));
}

#[actix_web::test]
async fn export_options_without_csv_are_refused_not_ignored() {
    let app = spawn_app().await;
    let problem = app
        .anonymous()
        .get("/api/v1/reports?bom=true&escape_formulas=true")
        .await
        .assert_problem(422);
    let fields = field_of_each(&problem["errors"], "field");
    assert_eq!(fields, ["bom", "escape_formulas"]);
    let admin = app.token(Role::Admin, None);
    let problem = csv_get(&app, "/api/v1/users?bom=true", Some(&admin))
        .await
        .assert_problem(422);
    assert_eq!(
        problem["errors"][0]["field"], "bom",
        "a JSON-only list has nothing to mark"
    );
}
