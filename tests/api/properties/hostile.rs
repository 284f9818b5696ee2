//! The bad-input catalogue: hostile and broken requests against every operation family,
//! one table. A rejected request answers its documented 4xx (never a 5xx) and writes
//! nothing, not even an audit record; text that only looks like SQL is stored as text.

use actix_web::web;
use serde_json::{json, Value};

use crate::helpers::{field_of_each, path_of, question_body, spawn_app, urlencode, TestApp, TestResponse};

/// Every table a request could write to (rate-limit bookkeeping aside).
const TABLES: &[&str] = &[
    "organisations",
    "users",
    "api_clients",
    "meetings",
    "question_rules",
    "questions",
    "question_follow_tokens",
    "question_recommendations",
    "question_reference_counters",
    "responses",
    "response_versions",
    "response_recommendations",
    "response_actions",
    "reports",
    "recommendations",
    "programmes",
    "programme_reports",
    "actions",
    "action_recommendations",
    "action_updates",
    "idempotency_keys",
    "webhooks",
    "subscriptions",
    "subscription_unsubscribe_tokens",
    "subscription_digest_items",
    "action_overdue_notices",
    "mail_outbox",
];

/// What a row expects.
#[derive(Debug, Clone)]
enum Expect {
    /// A problem document with one of these statuses; nothing written.
    Problem(&'static [u16]),
    /// A 422 problem naming this field (as its path or in its message); nothing written.
    Invalid(&'static str),
    /// A 405 problem with an `Allow` header; nothing written.
    NotAllowed,
    /// Any 4xx, problem document or not (the HTTP layer answers); nothing written.
    ClientError,
    /// RFC 6749's `400 {"error": …}` from the token endpoint; nothing written.
    OAuthError,
    /// Accepted with this status (it may write).
    Accepted(u16),
    /// A failed sign-in (audited, so it may write): RFC 6749's `400 {"error": …}`, or a
    /// 429 problem once the address has failed too often. Rows that claim other client
    /// addresses in headers reach the 429 together: the headers changed nothing.
    FailedSignIn,
    /// Extreme but well-formed input: accepted (2xx, it may write) or refused with a
    /// problem (4xx, nothing written); never a 5xx.
    NoServerError,
}

use Expect::*;

struct Case {
    name: String,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    expect: Expect,
    /// Sent without the admin token (a row about authentication).
    anonymous: bool,
    /// The body sent with chunked transfer encoding, without a `Content-Length`.
    chunked: bool,
}

impl Case {
    fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn raw(
    name: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    expect: Expect,
) -> Case {
    Case {
        name: name.into(),
        method,
        path: path.into(),
        headers: Vec::new(),
        content_type,
        body,
        expect,
        anonymous: false,
        chunked: false,
    }
}

fn json_case(
    name: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    body: Value,
    expect: Expect,
) -> Case {
    raw(
        name,
        method,
        path,
        Some(JSON),
        Some(serde_json::to_vec(&body).unwrap()),
        expect,
    )
}

fn get(name: impl Into<String>, path: impl Into<String>, expect: Expect) -> Case {
    raw(name, "GET", path, None, None, expect)
}

/// A JSON body of `size` bytes: an object with one long string.
fn oversized_json(size: usize) -> Vec<u8> {
    let mut body = br#"{"title":""#.to_vec();
    body.resize(size - 2, b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// Characters no text may hold beyond NUL: Unicode noncharacters, which XML (the Atom
/// feed) cannot carry, from the BMP's end, its U+FDD0 block and the astral planes.
const NONCHARACTERS: &[&str] = &["\u{FFFF}", "\u{FFFE}", "\u{FDD0}", "\u{1FFFF}", "\u{10FFFE}"];

/// For a body with a NUL in it, the same body with a noncharacter in its place, once
/// for each of [`NONCHARACTERS`]: every field that refuses NUL refuses those too.
fn with_noncharacters(body: &Value) -> Vec<(String, Value)> {
    fn replace(value: &Value, by: &str) -> Value {
        match value {
            Value::String(text) => Value::String(text.replace('\u{0}', by)),
            Value::Array(items) => Value::Array(items.iter().map(|v| replace(v, by)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), replace(v, by))).collect()),
            other => other.clone(),
        }
    }
    if !body.to_string().contains("\\u0000") {
        return Vec::new();
    }
    NONCHARACTERS
        .iter()
        .map(|bad| {
            (
                format!("U+{:04X}", u32::from(bad.chars().next().unwrap())),
                replace(body, bad),
            )
        })
        .collect()
}

/// The fixtures the rows refer to.
struct Fixtures {
    organisation: String,
    user: String,
    client: String,
    meeting: String,
    question: String,
    response: String,
    report: String,
    recommendation: String,
    action: String,
    programme: String,
    webhook: String,
    /// The id of the panel meeting above (held 2022-06-16).
    meeting_id: String,
    /// The id of a meeting held by a panel whose rules forbid supplementaries.
    strict_meeting_id: String,
    /// A public question put to the meeting above that has had its one supplementary.
    supplemented: String,
    /// The id of a strategic governance board held 2022-06-16: no question is put there.
    board_meeting_id: String,
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let organisation = app.create_organisation("Hostile Panel", "panel").await;
    // For the rows that spell its name otherwise.
    app.create_organisation("Ynys M\u{F4}n Hostile Panel", "panel").await;
    let user = app
        .create_user("hostile-user", "a long enough password", &["panel_member"])
        .await;
    let client = app.create_client("Hostile client", &["integration"]).await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let question_id = question["id"].as_str().unwrap().to_string();
    let response = app.create_response(&question_id, json!({})).await;
    let report = app.create_report(&organisation, &organisation, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R1", &organisation).await;
    let action = app
        .create_action("H-1", &[&recommendation], &organisation, "2199-01-01")
        .await;
    let programme = app.create_programme(&organisation, &[&report]).await;
    // Inactive, so that no delivery is made while the catalogue runs.
    let webhook = app
        .as_admin()
        .post("/api/v1/webhooks")
        .json(&json!({"url": "https://hooks.council.example/scrutiny", "is_active": false}))
        .await;
    assert_eq!(webhook.status, 201, "{}", webhook.text());
    let strict = app.create_organisation("Strict Hostile Panel", "panel").await;
    let rules = app
        .as_admin()
        .request("PUT", &format!("{}/question-rules", path_of("organisations", &strict)))
        .json(&crate::helpers::question_rules_body(
            json!({"supplementary_questions": false}),
        ))
        .await;
    assert_eq!(rules.status, 200, "{}", rules.text());
    let strict_meeting = app
        .as_admin()
        .post("/api/v1/meetings")
        .json(&json!({"organisation_id": strict["id"], "kind": "panel_meeting", "title": "Strict", "held_on": "2022-06-16"}))
        .await;
    assert_eq!(strict_meeting.status, 201, "{}", strict_meeting.text());
    let supplemented = app.create_public_question().await;
    let supplementary = app
        .as_admin()
        .post(&format!("{}/supplementaries", path_of("questions", &supplemented)))
        .json(&json!({"body": "And the district figures?", "meeting_id": meeting["id"]}))
        .await;
    assert_eq!(supplementary.status, 201, "{}", supplementary.text());
    let board = app.create_meeting("strategic_governance_board", "2022-06-16").await;
    Fixtures {
        board_meeting_id: board["id"].as_str().unwrap().to_string(),
        meeting_id: meeting["id"].as_str().unwrap().to_string(),
        strict_meeting_id: strict_meeting.json()["id"].as_str().unwrap().to_string(),
        supplemented: path_of("questions", &supplemented),
        organisation: path_of("organisations", &organisation),
        user: path_of("users", &user),
        client: path_of("clients", &client),
        meeting: path_of("meetings", &meeting),
        question: path_of("questions", &question),
        response: path_of("responses", &response),
        report: path_of("reports", &report),
        recommendation: path_of("recommendations", &recommendation),
        action: path_of("actions", &action),
        programme: path_of("programmes", &programme),
        webhook: path_of("webhooks", &webhook.json()),
    }
}

/// Every operation that takes a JSON body: (family, method, path).
fn json_operations(f: &Fixtures) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("organisations", "POST", "/api/v1/organisations".into()),
        ("organisations", "PATCH", f.organisation.clone()),
        ("question rules", "PUT", format!("{}/question-rules", f.organisation)),
        ("users", "POST", "/api/v1/users".into()),
        ("users", "PATCH", f.user.clone()),
        ("clients", "POST", "/api/v1/clients".into()),
        ("clients", "PATCH", f.client.clone()),
        ("meetings", "POST", "/api/v1/meetings".into()),
        ("meetings", "PATCH", f.meeting.clone()),
        ("questions", "POST", "/api/v1/questions".into()),
        ("questions", "PATCH", f.question.clone()),
        ("questions", "POST", format!("{}/reject", f.question)),
        ("questions", "POST", format!("{}/refer", f.question)),
        ("questions", "POST", format!("{}/supplementaries", f.question)),
        ("responses", "POST", format!("{}/responses", f.question)),
        ("responses", "PATCH", f.response.clone()),
        ("reports", "POST", "/api/v1/reports".into()),
        ("reports", "PATCH", f.report.clone()),
        ("recommendations", "POST", format!("{}/recommendations", f.report)),
        ("recommendations", "PATCH", f.recommendation.clone()),
        ("programmes", "POST", "/api/v1/programmes".into()),
        ("programmes", "PATCH", f.programme.clone()),
        ("actions", "POST", "/api/v1/actions".into()),
        ("actions", "PATCH", f.action.clone()),
        ("action updates", "POST", format!("{}/updates", f.action)),
        ("webhooks", "POST", "/api/v1/webhooks".into()),
        ("webhooks", "PATCH", f.webhook.clone()),
        ("subscriptions", "POST", "/api/v1/subscriptions".into()),
        ("subscriptions", "POST", "/api/v1/subscriptions/confirm".into()),
        ("auth", "POST", "/api/v1/auth/token".into()),
    ]
}

/// Every collection.
fn lists(f: &Fixtures) -> Vec<String> {
    vec![
        "/api/v1/organisations".into(),
        "/api/v1/users".into(),
        "/api/v1/clients".into(),
        "/api/v1/audit-events".into(),
        "/api/v1/meetings".into(),
        "/api/v1/questions".into(),
        format!("{}/responses", f.question),
        format!("{}/versions", f.response),
        "/api/v1/reports".into(),
        format!("{}/recommendations", f.report),
        "/api/v1/recommendations".into(),
        "/api/v1/programmes".into(),
        "/api/v1/actions".into(),
        format!("{}/updates", f.action),
        "/api/v1/webhooks".into(),
        format!("{}/deliveries", f.webhook),
    ]
}

fn cases(f: &Fixtures) -> Vec<Case> {
    let mut cases = Vec::new();
    let org_id = f.organisation.rsplit('/').next().unwrap().to_string();
    let rec_id = f.recommendation.rsplit('/').next().unwrap().to_string();
    let valid_action = |changes: Value| {
        let mut body = json!({
            "reference": "H-2", "title": "T", "description": "D",
            "recommendation_ids": [rec_id],
            "owner": {"organisation_id": org_id, "post_title": "Head"},
            "success_measure": "S", "starts_on": "2022-06-13", "due_on": "2199-01-01"
        });
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_update = |changes: Value| {
        let mut body = json!({"reported_on": "2022-07-14", "author": {"name": "A", "position": "P"}, "body": "Update"});
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_response = |changes: Value| {
        let mut body = json!({
            "kind": "written", "body": "A response",
            "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
            "responded_on": "2022-06-09"
        });
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_report = |changes: Value| {
        let mut body = json!({
            "title": "Report", "kind": "audit", "publisher_organisation_id": org_id,
            "subject_organisation_id": org_id, "published_on": "2022-04-07"
        });
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_programme = |changes: Value| {
        let mut body = json!({"name": "Programme", "owner": {"organisation_id": org_id, "post_title": "Head"}});
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_recommendation = |changes: Value| {
        let mut body = json!({
            "reference": "R9", "kind": "recommendation", "text": "Do better.",
            "addressed_to_organisation_id": org_id
        });
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_meeting = |changes: Value| {
        let mut body = json!({"organisation_id": org_id, "kind": "other", "title": "Meeting", "held_on": "2022-06-16"});
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_user = |changes: Value| {
        let mut body = json!({"username": "someone", "display_name": "U", "password": "a long enough password", "roles": ["force"]});
        crate::helpers::merge(&mut body, changes);
        body
    };
    let valid_org = |changes: Value| {
        let mut body = json!({"name": "An organisation", "kind": "other"});
        crate::helpers::merge(&mut body, changes);
        body
    };
    let questions_path = f.question.clone();
    let responses_path = format!("{}/responses", f.question);
    let recommendations_path = format!("{}/recommendations", f.report);
    let updates_path = format!("{}/updates", f.action);

    // Oversized bodies, on every family that takes one.
    for (family, method, path) in json_operations(f) {
        cases.push(raw(
            format!("oversized body: {family} {method} {path}"),
            method,
            path.clone(),
            Some(JSON),
            Some(oversized_json(64 * 1024 + 1)),
            Problem(&[413]),
        ));
    }
    cases.push(raw(
        "oversized body: imports",
        "POST",
        "/api/v1/imports",
        Some(TEXT),
        Some(vec![b'x'; 64 * 1024 + 1]),
        Problem(&[413]),
    ));
    let mut header = get("oversized header: 200 KB X-Foo", "/api/v1/organisations", ClientError);
    header.headers.push(("x-foo", "x".repeat(200 * 1024)));
    cases.push(header);

    // Malformed JSON: deeply nested, not UTF-8, empty, and not JSON at all. The token
    // endpoint answers every refusal of its content as an OAuth error (RFC 6749 §5.2).
    for (family, method, path) in json_operations(f) {
        let nested = [vec![b'['; 10_000], vec![b']'; 10_000]].concat();
        cases.push(raw(
            format!("10 000 nested arrays: {family} {method} {path}"),
            method,
            path.clone(),
            Some(JSON),
            Some(nested),
            if family == "auth" {
                OAuthError
            } else {
                Problem(&[400, 422])
            },
        ));
        let nested_in_field = [
            br#"{"title":"#.to_vec(),
            vec![b'['; 10_000],
            vec![b']'; 10_000],
            b"}".to_vec(),
        ]
        .concat();
        cases.push(raw(
            format!("10 000 nested arrays in a field: {family} {method} {path}"),
            method,
            path.clone(),
            Some(JSON),
            Some(nested_in_field),
            // The token endpoint ignores fields it does not know, by RFC 6749 §3.2.
            if family == "auth" {
                OAuthError
            } else {
                Problem(&[400, 422])
            },
        ));
        cases.push(raw(
            format!("invalid UTF-8: {family} {method} {path}"),
            method,
            path.clone(),
            Some(JSON),
            Some(b"{\"\xff\xfe\xc3\x28\":\"x\"}".to_vec()),
            if family == "auth" { OAuthError } else { Problem(&[400]) },
        ));
        cases.push(raw(
            format!("empty body: {family} {method} {path}"),
            method,
            path.clone(),
            Some(JSON),
            Some(Vec::new()),
            if family == "auth" { OAuthError } else { Problem(&[400]) },
        ));
        if family != "auth" {
            // The token endpoint also takes a form, and answers by RFC 6749's rules.
            cases.push(raw(
                format!("text/plain to JSON: {family} {method} {path}"),
                method,
                path.clone(),
                Some("text/plain"),
                Some(br#"{"title":"A"}"#.to_vec()),
                Problem(&[415]),
            ));
        }
    }
    cases.push(raw(
        "invalid UTF-8 in a value: organisations POST",
        "POST",
        "/api/v1/organisations",
        Some(JSON),
        Some(b"{\"name\":\"\xff\xfe\",\"kind\":\"panel\"}".to_vec()),
        Problem(&[400]),
    ));
    cases.push(raw(
        "application/json to imports",
        "POST",
        "/api/v1/imports",
        Some(JSON),
        Some(br#"{"document":"x"}"#.to_vec()),
        Problem(&[415]),
    ));
    cases.push(raw(
        "invalid UTF-8 to imports",
        "POST",
        "/api/v1/imports",
        Some(TEXT),
        Some(b"Question \xff\xfe".to_vec()),
        Problem(&[400]),
    ));
    cases.push(raw(
        "empty body to imports",
        "POST",
        "/api/v1/imports",
        Some(TEXT),
        Some(Vec::new()),
        Problem(&[400, 422]),
    ));

    // Huge arrays.
    let ids: Vec<String> = (0..100_000)
        .map(|i| format!("01937b4e-4f4a-7cc4-a0b5-{i:012}"))
        .collect();
    cases.push(json_case(
        "100 000 recommendation_ids: actions POST",
        "POST",
        "/api/v1/actions",
        valid_action(json!({ "recommendation_ids": ids })),
        Problem(&[413, 422]),
    ));
    cases.push(json_case(
        "100 000 recommendation_ids: questions POST",
        "POST",
        "/api/v1/questions",
        question_body(json!({ "recommendation_ids": ids })),
        Problem(&[413, 422]),
    ));
    let topics: Vec<String> = (0..10_000).map(|i| format!("t{i}")).collect();
    cases.push(json_case(
        "10 000 topics: questions POST",
        "POST",
        "/api/v1/questions",
        question_body(json!({ "topics": topics })),
        Problem(&[413, 422]),
    ));
    let many: Vec<&str> = (0..5_000).map(|_| "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b").collect();
    cases.push(json_case(
        "5 000 recommendation_ids: actions POST",
        "POST",
        "/api/v1/actions",
        valid_action(json!({ "recommendation_ids": many })),
        Problem(&[413, 422]),
    ));

    // Wrong types, naming the field.
    let wrong_types: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"name": 7})),
            "name",
        ),
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"kind": {"a": 1}})),
            "kind",
        ),
        (
            "organisations",
            "PATCH",
            f.organisation.clone(),
            json!({"name": ["A"]}),
            "name",
        ),
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"roles": "admin"})),
            "roles",
        ),
        (
            "users",
            "PATCH",
            f.user.clone(),
            json!({"is_active": "yes"}),
            "is_active",
        ),
        (
            "clients",
            "POST",
            "/api/v1/clients".into(),
            json!({"name": {"x": 1}, "roles": ["integration"]}),
            "name",
        ),
        ("clients", "PATCH", f.client.clone(), json!({"name": 12}), "name"),
        (
            "meetings",
            "POST",
            "/api/v1/meetings".into(),
            valid_meeting(json!({"is_public": "yes"})),
            "is_public",
        ),
        (
            "meetings",
            "PATCH",
            f.meeting.clone(),
            json!({"held_on": 20220616}),
            "held_on",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"asker": ["x"]})),
            "asker",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"title": {"t": 1}})),
            "title",
        ),
        (
            "questions",
            "PATCH",
            questions_path.clone(),
            json!({"topics": "one"}),
            "topics",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/reject"),
            json!({"reason_code": "late", "reason": 42}),
            "reason",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/refer"),
            json!({"organisation_id": 42, "reason_code": "operational_matter", "reason": "For the force"}),
            "organisation_id",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"author": ["x"]})),
            "author",
        ),
        (
            "responses",
            "PATCH",
            f.response.clone(),
            json!({"body": {"b": 1}, "correction_note": "n"}),
            "body",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"published_on": 20220407})),
            "published_on",
        ),
        ("reports", "PATCH", f.report.clone(), json!({"title": ["x"]}), "title"),
        (
            "programmes",
            "POST",
            "/api/v1/programmes".into(),
            valid_programme(json!({"report_ids": "x"})),
            "report_ids",
        ),
        (
            "programmes",
            "PATCH",
            f.programme.clone(),
            json!({"name": ["x"]}),
            "name",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"text": {"t": 1}})),
            "text",
        ),
        (
            "recommendations",
            "PATCH",
            f.recommendation.clone(),
            json!({"text": 5}),
            "text",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"owner": ["x"]})),
            "owner",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"recommendation_ids": "x"})),
            "recommendation_ids",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"programme_id": 42})),
            "programme_id",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"programme_id": ["x"]}),
            "programme_id",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"progress_percent": "fifty"}),
            "progress_percent",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"progress_percent": 1e40}),
            "progress_percent",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"progress_percent": "x"})),
            "progress_percent",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"author": "A"})),
            "author",
        ),
    ];
    for (family, method, path, body, field) in wrong_types {
        cases.push(json_case(
            format!("wrong type for {field}: {family} {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }

    // An action's programme: not an id, the old free-text name, or no programme at all
    // (an organisation's id).
    for (what, programme) in [
        ("not a UUID", json!({"programme_id": "CPIP-1"})),
        ("unknown", json!({"programme_id": org_id})),
        ("a name", json!({"programme": "Child Protection Improvement Programme"})),
    ] {
        let field = if what == "a name" { "programme" } else { "programme_id" };
        cases.push(json_case(
            format!("{what} programme: actions POST"),
            "POST",
            "/api/v1/actions",
            valid_action(programme.clone()),
            Invalid(field),
        ));
        cases.push(json_case(
            format!("{what} programme: actions PATCH"),
            "PATCH",
            f.action.clone(),
            programme,
            Invalid(field),
        ));
    }

    // NUL bytes and over-long strings, naming the field.
    let nul = "a\u{0}b";
    let text_rules: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"name": nul})),
            "name",
        ),
        (
            "organisations",
            "PATCH",
            f.organisation.clone(),
            json!({"name": nul}),
            "name",
        ),
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"name": "x".repeat(201)})),
            "name",
        ),
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"display_name": nul})),
            "display_name",
        ),
        (
            "users",
            "PATCH",
            f.user.clone(),
            json!({"display_name": "x".repeat(201)}),
            "display_name",
        ),
        (
            "clients",
            "POST",
            "/api/v1/clients".into(),
            json!({"name": nul, "roles": ["integration"]}),
            "name",
        ),
        (
            "clients",
            "PATCH",
            f.client.clone(),
            json!({"name": "x".repeat(201)}),
            "name",
        ),
        (
            "meetings",
            "POST",
            "/api/v1/meetings".into(),
            valid_meeting(json!({"title": nul})),
            "title",
        ),
        (
            "meetings",
            "PATCH",
            f.meeting.clone(),
            json!({"title": "x".repeat(301)}),
            "title",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"title": nul})),
            "title",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"title": "x".repeat(301)})),
            "title",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"body": "x".repeat(20_001)})),
            "body",
        ),
        (
            "questions",
            "PATCH",
            questions_path.clone(),
            json!({"body": nul}),
            "body",
        ),
        (
            "questions",
            "PATCH",
            questions_path.clone(),
            json!({"title": "x".repeat(301)}),
            "title",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/reject"),
            json!({"reason_code": "outside_remit", "reason": nul}),
            "reason",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/refer"),
            json!({"organisation_id": uuid::Uuid::now_v7(), "reason_code": "outside_remit", "reason": nul}),
            "reason",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"body": nul})),
            "body",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"body": "x".repeat(20_001)})),
            "body",
        ),
        (
            "responses",
            "PATCH",
            f.response.clone(),
            json!({"body": "x".repeat(20_001), "correction_note": "n"}),
            "body",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"title": nul})),
            "title",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"title": "x".repeat(301)})),
            "title",
        ),
        (
            "reports",
            "PATCH",
            f.report.clone(),
            json!({"summary": "x".repeat(20_001)}),
            "summary",
        ),
        (
            "programmes",
            "POST",
            "/api/v1/programmes".into(),
            valid_programme(json!({"name": nul})),
            "name",
        ),
        (
            "programmes",
            "POST",
            "/api/v1/programmes".into(),
            valid_programme(json!({"name": "x".repeat(201)})),
            "name",
        ),
        (
            "programmes",
            "POST",
            "/api/v1/programmes".into(),
            valid_programme(json!({"report_ids": [org_id]})),
            "report_ids",
        ),
        (
            "programmes",
            "POST",
            "/api/v1/programmes".into(),
            valid_programme(json!({"owner": {"organisation_id": rec_id, "post_title": "Head"}})),
            "owner.organisation_id",
        ),
        (
            "programmes",
            "PATCH",
            f.programme.clone(),
            json!({"description": "x".repeat(20_001)}),
            "description",
        ),
        (
            "programmes",
            "PATCH",
            f.programme.clone(),
            json!({"status": "finished"}),
            "status",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"text": nul})),
            "text",
        ),
        (
            "recommendations",
            "PATCH",
            f.recommendation.clone(),
            json!({"text": "x".repeat(20_001)}),
            "text",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"title": nul})),
            "title",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"title": "x".repeat(301)})),
            "title",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"description": "x".repeat(20_001)}),
            "description",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"body": nul})),
            "body",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"body": "x".repeat(20_001)})),
            "body",
        ),
    ];
    for (family, method, path, body, field) in text_rules {
        for (character, body) in with_noncharacters(&body) {
            cases.push(json_case(
                format!("{character} in {field}: {family} {method}"),
                method,
                path.clone(),
                body,
                Invalid(field),
            ));
        }
        cases.push(json_case(
            format!("NUL or over-long {field}: {family} {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }

    // Unknown enum values, in bodies and filters.
    let enums: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"kind": "constabulary"})),
            "kind",
        ),
        (
            "organisations",
            "PATCH",
            f.organisation.clone(),
            json!({"kind": "constabulary"}),
            "kind",
        ),
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"roles": ["overlord"]})),
            "roles",
        ),
        (
            "clients",
            "POST",
            "/api/v1/clients".into(),
            json!({"name": "C", "roles": ["overlord"]}),
            "roles",
        ),
        (
            "meetings",
            "POST",
            "/api/v1/meetings".into(),
            valid_meeting(json!({"kind": "seance"})),
            "kind",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"kind": "telepathic"})),
            "kind",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"kind": "rumour"})),
            "kind",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"kind": "whim"})),
            "kind",
        ),
        (
            "recommendations",
            "PATCH",
            f.recommendation.clone(),
            json!({"status": "bogus"}),
            "status",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"status": "bogus"}),
            "status",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"status": "bogus"})),
            "status",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/reject"),
            json!({"reason_code": "rude", "reason": "Not for the panel"}),
            "reason_code",
        ),
        (
            "questions",
            "POST",
            format!("{questions_path}/refer"),
            json!({"organisation_id": uuid::Uuid::now_v7(), "reason_code": "late", "reason": "For the force"}),
            "reason_code",
        ),
    ];
    for (family, method, path, body, field) in enums {
        cases.push(json_case(
            format!("unknown enum value for {field}: {family} {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }

    // A rejection's ground is required, and null is no ground.
    for (name, body) in [
        ("missing", json!({"reason": "Not for the panel"})),
        ("null", json!({"reason_code": null, "reason": "Not for the panel"})),
    ] {
        cases.push(json_case(
            format!("{name} reason_code: questions POST"),
            "POST",
            format!("{questions_path}/reject"),
            body,
            Invalid("reason_code"),
        ));
    }
    // A referral needs an organisation that exists, a ground and a reason.
    for (name, body, field) in [
        (
            "missing organisation_id",
            json!({"reason_code": "operational_matter", "reason": "For the force"}),
            "organisation_id",
        ),
        (
            "unknown organisation_id",
            json!({"organisation_id": uuid::Uuid::now_v7(), "reason_code": "operational_matter", "reason": "For the force"}),
            "organisation_id",
        ),
        (
            "null reason_code",
            json!({"organisation_id": uuid::Uuid::now_v7(), "reason_code": null, "reason": "For the force"}),
            "reason_code",
        ),
        (
            "over-long reason",
            json!({"organisation_id": uuid::Uuid::now_v7(), "reason_code": "outside_remit", "reason": "x".repeat(2_001)}),
            "reason",
        ),
    ] {
        cases.push(json_case(
            format!("{name}: questions POST refer"),
            "POST",
            format!("{questions_path}/refer"),
            body,
            Invalid(field),
        ));
    }
    // A verbal response is given at a meeting that exists and was held by then; a written
    // one is not; a follow-up is promised by a verbal answer and due after it.
    let nobody = uuid::Uuid::now_v7().to_string();
    let verbal = |changes: Value| {
        let mut body =
            valid_response(json!({"kind": "verbal", "meeting_id": f.meeting_id, "responded_on": "2022-06-16"}));
        crate::helpers::merge(&mut body, changes);
        body
    };
    let response_id = f.response.rsplit('/').next().unwrap().to_string();
    for (name, method, path, body, field) in [
        (
            "verbal without a meeting",
            "POST",
            responses_path.clone(),
            verbal(json!({"meeting_id": null})),
            "meeting_id",
        ),
        (
            "written with a meeting",
            "POST",
            responses_path.clone(),
            valid_response(json!({"meeting_id": f.meeting_id})),
            "meeting_id",
        ),
        (
            "verbal at an unknown meeting",
            "POST",
            responses_path.clone(),
            verbal(json!({"meeting_id": nobody})),
            "meeting_id",
        ),
        (
            "verbal dated before its meeting",
            "POST",
            responses_path.clone(),
            verbal(json!({"responded_on": "2022-06-15"})),
            "responded_on",
        ),
        (
            "verbal dated after its meeting",
            "POST",
            responses_path.clone(),
            verbal(json!({"responded_on": "2022-06-17"})),
            "responded_on",
        ),
        (
            "verbal at a meeting of another kind",
            "POST",
            responses_path.clone(),
            verbal(json!({"meeting_id": f.board_meeting_id, "responded_on": "2022-06-16"})),
            "meeting_id",
        ),
        (
            "follow-up due before the answer",
            "POST",
            responses_path.clone(),
            verbal(json!({"follow_up_due_on": "2022-06-15"})),
            "follow_up_due_on",
        ),
        (
            "follow-up promised in writing",
            "POST",
            responses_path.clone(),
            valid_response(json!({"follow_up_due_on": "2022-07-01"})),
            "follow_up_due_on",
        ),
        (
            "follow-up date of the wrong type",
            "POST",
            responses_path.clone(),
            verbal(json!({"follow_up_due_on": 20220701})),
            "follow_up_due_on",
        ),
        (
            "meeting id of the wrong type",
            "POST",
            responses_path.clone(),
            verbal(json!({"meeting_id": 42})),
            "meeting_id",
        ),
        (
            "follows up an unknown response",
            "POST",
            responses_path.clone(),
            valid_response(json!({"follows_up_response_id": nobody})),
            "follows_up_response_id",
        ),
        (
            "follows up a response that promised nothing",
            "POST",
            responses_path.clone(),
            valid_response(json!({"follows_up_response_id": response_id})),
            "follows_up_response_id",
        ),
        (
            "a verbal follow-up",
            "POST",
            responses_path.clone(),
            verbal(json!({"follows_up_response_id": response_id})),
            "follows_up_response_id",
        ),
        (
            "a written response given a meeting",
            "PATCH",
            f.response.clone(),
            json!({"meeting_id": f.meeting_id}),
            "meeting_id",
        ),
        (
            "verbal by patch without a meeting",
            "PATCH",
            f.response.clone(),
            json!({"kind": "verbal"}),
            "meeting_id",
        ),
    ] {
        cases.push(json_case(
            format!("{name}: responses {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }
    // A supplementary is asked at a meeting already held, where the panel's rules allow
    // one, and only one.
    let supplementaries_path = format!("{questions_path}/supplementaries");
    for (name, path, body, field) in [
        (
            "empty body",
            supplementaries_path.clone(),
            json!({"body": "", "meeting_id": f.meeting_id}),
            "body",
        ),
        (
            "no meeting",
            supplementaries_path.clone(),
            json!({"body": "And?"}),
            "meeting_id",
        ),
        (
            "unknown meeting",
            supplementaries_path.clone(),
            json!({"body": "And?", "meeting_id": nobody}),
            "meeting_id",
        ),
        (
            "meeting of the wrong type",
            supplementaries_path.clone(),
            json!({"body": "And?", "meeting_id": 42}),
            "meeting_id",
        ),
        (
            "body of the wrong type",
            supplementaries_path.clone(),
            json!({"body": ["And?"], "meeting_id": f.meeting_id}),
            "body",
        ),
        (
            "over-long title",
            supplementaries_path.clone(),
            json!({"body": "And?", "meeting_id": f.meeting_id, "title": "x".repeat(301)}),
            "title",
        ),
        (
            "rules forbid supplementaries",
            supplementaries_path.clone(),
            json!({"body": "And?", "meeting_id": f.strict_meeting_id}),
            "meeting_id",
        ),
        (
            "one supplementary already",
            format!("{}/supplementaries", f.supplemented),
            json!({"body": "And again?", "meeting_id": f.meeting_id}),
            "meeting_id",
        ),
    ] {
        cases.push(json_case(
            format!("{name}: questions POST supplementaries"),
            "POST",
            path,
            body,
            Invalid(field),
        ));
    }
    for (path, filter) in [
        ("/api/v1/organisations".to_string(), "kind"),
        ("/api/v1/users".to_string(), "role"),
        ("/api/v1/clients".to_string(), "role"),
        ("/api/v1/meetings".to_string(), "kind"),
        ("/api/v1/questions".to_string(), "status"),
        ("/api/v1/questions".to_string(), "asker_kind"),
        ("/api/v1/questions".to_string(), "follow_up"),
        (responses_path.clone(), "status"),
        ("/api/v1/reports".to_string(), "kind"),
        (recommendations_path.clone(), "status"),
        ("/api/v1/recommendations".to_string(), "status"),
        ("/api/v1/actions".to_string(), "status"),
    ] {
        cases.push(get(
            format!("unknown {filter} filter: GET {path}"),
            format!("{path}?{filter}=bogus"),
            Invalid(filter),
        ));
    }

    // Mass assignment of fields the service owns.
    let id = "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b";
    let owned: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"id": id})),
            "id",
        ),
        (
            "organisations",
            "POST",
            "/api/v1/organisations".into(),
            valid_org(json!({"version": 7})),
            "version",
        ),
        (
            "organisations",
            "PATCH",
            f.organisation.clone(),
            json!({"created_at": "2020-01-01T00:00:00Z"}),
            "created_at",
        ),
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"id": id})),
            "id",
        ),
        ("users", "PATCH", f.user.clone(), json!({"version": 9}), "version"),
        (
            "clients",
            "POST",
            "/api/v1/clients".into(),
            json!({"name": "C", "roles": ["integration"], "secret": "s"}),
            "secret",
        ),
        (
            "meetings",
            "POST",
            "/api/v1/meetings".into(),
            valid_meeting(json!({"created_at": "2020-01-01T00:00:00Z"})),
            "created_at",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"reference": "Q-1"})),
            "reference",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"status": "accepted"})),
            "status",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"id": id})),
            "id",
        ),
        (
            "questions",
            "PATCH",
            questions_path.clone(),
            json!({"status": "accepted"}),
            "status",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"published_at": "2022-06-09T00:00:00Z"})),
            "published_at",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"status": "published"})),
            "status",
        ),
        (
            "responses",
            "PATCH",
            f.response.clone(),
            json!({"published_at": "2022-06-09T00:00:00Z"}),
            "published_at",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"id": id})),
            "id",
        ),
        ("reports", "PATCH", f.report.clone(), json!({"version": 3}), "version"),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"status": "implemented"})),
            "status",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"created_at": "2020-01-01T00:00:00Z"})),
            "created_at",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"progress_percent": 100})),
            "progress_percent",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"status": "completed"})),
            "status",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"version": 2})),
            "version",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"reference": "H-9"}),
            "reference",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"id": id})),
            "id",
        ),
        (
            "webhooks",
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "https://hooks.council.example/a", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
            "secret",
        ),
        (
            "webhooks",
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "https://hooks.council.example/a", "payload_view": "staff"}),
            "payload_view",
        ),
        (
            "webhooks",
            "PATCH",
            f.webhook.clone(),
            json!({"last_event_id": 0}),
            "last_event_id",
        ),
    ];
    // Webhook targets that are not http(s) URLs a receiver could serve, or that smuggle
    // credentials, fragments or headers. (Private addresses are allowed in the tests'
    // default settings; webhooks.rs checks their refusal with the setting off.)
    for (name, url) in [
        ("javascript: URL", "javascript:alert(1)"),
        ("file: URL", "file:///etc/passwd"),
        ("URL with credentials", "https://admin:secret@hooks.council.example/"),
        ("URL with a fragment", "https://hooks.council.example/#x"),
        ("URL with a NUL", "https://hooks.council.example/\u{0}"),
        ("URL with a CR LF", "https://hooks.council.example/\r\nX-Injected: 1"),
        ("relative URL", "/api/v1/webhooks"),
    ] {
        cases.push(json_case(
            format!("webhook {name}"),
            "POST",
            "/api/v1/webhooks",
            json!({"url": url}),
            Invalid("url"),
        ));
    }
    for types in [
        json!(["*"]),
        json!(["question.*'; DROP TABLE webhooks; --"]),
        json!("question.*"),
        json!([1]),
    ] {
        cases.push(json_case(
            format!("webhook event types {types}"),
            "POST",
            "/api/v1/webhooks",
            json!({"url": "https://hooks.council.example/a", "event_types": types}),
            Invalid("event_types"),
        ));
    }
    cases.push(json_case(
        "webhook with 51 event types",
        "POST",
        "/api/v1/webhooks",
        json!({"url": "https://hooks.council.example/a", "event_types": (0..51).map(|i| format!("question.c{}", "x".repeat(i % 40 + 1))).collect::<Vec<_>>()}),
        Invalid("event_types"),
    ));
    // A panel's rules out of range, each refused by name (the panel is the fixture's).
    let rules_path = format!("{}/question-rules", f.organisation);
    for (changes, field) in [
        (
            json!({"deadline_clear_working_days": 31}),
            "deadline_clear_working_days",
        ),
        (
            json!({"deadline_clear_working_days": -1}),
            "deadline_clear_working_days",
        ),
        (
            json!({"deadline_clear_working_days": 1e10}),
            "deadline_clear_working_days",
        ),
        (json!({"deadline_time": "24:00"}), "deadline_time"),
        (json!({"deadline_time": "12:00:00"}), "deadline_time"),
        (
            json!({"deadline_time": "noon'; DROP TABLE question_rules; --"}),
            "deadline_time",
        ),
        (json!({"max_words": 0}), "max_words"),
        (json!({"max_words": 10001}), "max_words"),
        (
            json!({"max_questions_per_questioner_per_meeting": 0}),
            "max_questions_per_questioner_per_meeting",
        ),
        (
            json!({"max_questions_per_questioner_per_meeting": 51}),
            "max_questions_per_questioner_per_meeting",
        ),
        (json!({"addressees": []}), "addressees"),
        (json!({"addressees": ["the_force"]}), "addressees"),
        (json!({"addressees": "panel"}), "addressees"),
        (json!({"supplementary_questions": "yes"}), "supplementary_questions"),
        (json!({"supplementary_questions": null}), "supplementary_questions"),
    ] {
        cases.push(json_case(
            format!("question rules {changes}"),
            "PUT",
            rules_path.clone(),
            crate::helpers::question_rules_body(changes),
            Invalid(field),
        ));
    }
    cases.push(json_case(
        "question rules with a field missing",
        "PUT",
        rules_path.clone(),
        json!({"deadline_clear_working_days": 3}),
        Invalid("addressees"),
    ));
    // Well-formed JSON of the wrong type where a name from a fixed list belongs: serde
    // calls some of these syntax errors, but they are the client's data (422 naming it).
    for (name, body, field) in [
        (
            "a number for addressed_to",
            question_body(json!({"addressed_to": 3})),
            "addressed_to",
        ),
        (
            "an array for addressed_to",
            question_body(json!({"addressed_to": ["panel"]})),
            "addressed_to",
        ),
        (
            "a number for the asker's kind",
            question_body(json!({"asker": {"display_name": "A", "kind": 7}})),
            "asker.kind",
        ),
    ] {
        cases.push(json_case(name, "POST", "/api/v1/questions", body, Invalid(field)));
    }
    cases.push(json_case(
        "a number for a rejection's reason code",
        "POST",
        format!("{}/reject", f.question),
        json!({"reason_code": 3, "reason": "r"}),
        Invalid("reason_code"),
    ));
    cases.push(json_case(
        "a number for a meeting's kind",
        "POST",
        "/api/v1/meetings",
        json!({"organisation_id": org_id, "kind": 3, "title": "T", "held_on": "2030-01-01"}),
        Invalid("kind"),
    ));
    cases.push(json_case(
        "a question to an addressee that does not exist",
        "POST",
        "/api/v1/questions",
        question_body(json!({"addressed_to": "the_mayor"})),
        Invalid("addressed_to"),
    ));
    cases.push(get(
        "forged delivery status",
        format!("{}/deliveries?status=delivered", f.webhook),
        Invalid("status"),
    ));
    cases.push(raw(
        "redeliver an unknown delivery",
        "POST",
        format!(
            "{}/deliveries/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/redeliver",
            f.webhook
        ),
        None,
        None,
        Problem(&[404]),
    ));
    for (family, method, path, body, field) in owned {
        cases.push(json_case(
            format!("server-owned field {field}: {family} {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }

    // Limits and cursors on every list.
    for list in lists(f) {
        for limit in ["-1", "0", "101", "99999999999999999999", "abc", "1.5"] {
            cases.push(get(
                format!("limit={limit}: GET {list}"),
                format!("{list}?limit={limit}"),
                Invalid("limit"),
            ));
        }
        for cursor in [
            "abc",
            "0~not-a-uuid",
            "' OR 1=1 --",
            "-1~ffffffff-ffff-ffff-ffff-ffffffffffff",
            "~",
        ] {
            cases.push(get(
                format!("forged cursor {cursor:?}: GET {list}"),
                format!("{list}?cursor={}", urlencode(cursor)),
                Invalid("cursor"),
            ));
        }
        let path = list.split('?').next().unwrap_or(&list).to_string();
        let query = list.split_once('?').map_or("", |(_, query)| query).to_string();
        let scope = scrutiny::pagination::list_scope(&path, &query);
        for cursor in [
            "9999999~ffffffff-ffff-ffff-ffff-ffffffffffff",
            "0~00000000-0000-0000-0000-000000000000",
        ] {
            cases.push(get(
                format!("extreme cursor {cursor:?}: GET {list}"),
                format!("{list}?cursor={}", urlencode(&format!("{cursor}~{scope}"))),
                Accepted(200),
            ));
        }
        // A cursor another list gave, or one without its list: refused, never a page
        // of the wrong list.
        let foreign = scrutiny::pagination::list_scope("/api/v1/somewhere-else", "");
        for cursor in [
            format!("0~00000000-0000-0000-0000-000000000000~{foreign}"),
            "0~00000000-0000-0000-0000-000000000000".to_string(),
        ] {
            cases.push(get(
                format!("foreign cursor {cursor:?}: GET {list}"),
                format!("{list}?cursor={}", urlencode(&cursor)),
                Invalid("cursor"),
            ));
        }
    }

    // The CSV export options: a bad value is a 422 on every list, whatever the Accept;
    // a good one is a 422 too where no CSV is asked for (it would change nothing).
    for list in lists(f) {
        for (query, field) in [
            ("bom=yes", "bom"),
            ("bom=", "bom"),
            ("bom=1", "bom"),
            ("bom=TRUE", "bom"),
            ("escape_formulas=on", "escape_formulas"),
            ("escape_formulas=%27%3B--", "escape_formulas"),
            ("escape_formulas=true%00", "escape_formulas"),
        ] {
            cases.push(
                get(
                    format!("export option {query:?} with CSV: GET {list}"),
                    format!("{list}?{query}"),
                    Invalid(field),
                )
                .header("accept", "text/csv"),
            );
        }
        for (query, field) in [("bom=true", "bom"), ("escape_formulas=false", "escape_formulas")] {
            cases.push(get(
                format!("export option {query:?} without CSV: GET {list}"),
                format!("{list}?{query}"),
                Invalid(field),
            ));
        }
    }

    // Feeds validate their filters like the lists do.
    for (path, parameter) in [
        ("/feeds/questions.atom?status=published", "status"),
        ("/feeds/questions.atom?topic=Not%20A%20Slug", "topic"),
        ("/feeds/questions.atom?limit=10", "limit"),
        (
            "/feeds/responses.atom?topic=%27%3B%20DROP%20TABLE%20responses%3B%20--",
            "topic",
        ),
        ("/feeds/responses.atom?question_id=not-a-uuid", "question_id"),
        (
            "/feeds/responses.atom?organisation_id=00000000-0000-0000-0000-000000000000",
            "organisation_id",
        ),
        ("/feeds/actions.atom?status=done", "status"),
        ("/feeds/actions.atom?organisation_id=42", "organisation_id"),
        ("/feeds/actions.atom?topic=policing", "topic"),
    ] {
        cases.push(get(format!("bad feed filter: GET {path}"), path, Invalid(parameter)));
    }

    // SQL in text fields and searches is text.
    for text in ["'; DROP TABLE questions; --", "%' OR '1'='1"] {
        cases.push(get(
            format!("SQL in topic {text:?}: GET /api/v1/questions"),
            format!("/api/v1/questions?topic={}", urlencode(text)),
            Invalid("topic"),
        ));
        for (list, parameter) in [
            ("/api/v1/organisations", "q"),
            ("/api/v1/questions", "q"),
            ("/api/v1/actions", "q"),
        ] {
            cases.push(get(
                format!("SQL in {parameter} {text:?}: GET {list}"),
                format!("{list}?{parameter}={}", urlencode(text)),
                Accepted(200),
            ));
        }
        cases.push(json_case(
            format!("SQL as a question title {text:?}"),
            "POST",
            "/api/v1/questions",
            question_body(json!({ "title": text })),
            Accepted(201),
        ));
        cases.push(json_case(
            format!("SQL as an organisation name {text:?}"),
            "POST",
            "/api/v1/organisations",
            valid_org(json!({ "name": format!("Org {text}") })),
            Accepted(201),
        ));
        cases.push(json_case(
            format!("SQL as an organisation kind {text:?}"),
            "POST",
            "/api/v1/organisations",
            valid_org(json!({ "kind": text })),
            Invalid("kind"),
        ));
    }
    cases.push(get(
        "SQL in a path id",
        format!("/api/v1/questions/{}", urlencode("' OR 1=1 --")),
        Problem(&[404]),
    ));

    // Malformed ids in paths.
    for collection in [
        "organisations",
        "users",
        "clients",
        "meetings",
        "questions",
        "responses",
        "reports",
        "recommendations",
        "actions",
    ] {
        cases.push(get(
            format!("malformed id: GET {collection}"),
            format!("/api/v1/{collection}/not-a-uuid"),
            Problem(&[404]),
        ));
        cases.push(json_case(
            format!("malformed id: PATCH {collection}"),
            "PATCH",
            format!("/api/v1/{collection}/not-a-uuid"),
            json!({"title": "T"}),
            Problem(&[404]),
        ));
    }
    for path in [
        "/api/v1/questions/not-a-uuid/accept",
        "/api/v1/questions/not-a-uuid/responses",
        "/api/v1/responses/not-a-uuid/publish",
        "/api/v1/reports/not-a-uuid/recommendations",
        "/api/v1/actions/not-a-uuid/updates",
        "/api/v1/clients/not-a-uuid/rotate-secret",
        "/api/v1/questions/not-a-uuid/follow-link",
        "/api/v1/questions/00000000-0000-0000-0000-000000000000/follow-link",
    ] {
        cases.push(raw(
            format!("malformed id: POST {path}"),
            "POST",
            path,
            Some(JSON),
            Some(b"{}".to_vec()),
            Problem(&[404]),
        ));
    }

    // Follow links that lead nowhere: the same 404, reading or withdrawing, whoever
    // asks; nothing written.
    let unknown_token = "A".repeat(43);
    let long_token = "A".repeat(4000);
    for token in [
        unknown_token.as_str(),
        "not-a-token",
        "%00",
        "%2e%2e",
        "..%2f..%2fmetrics",
        "'%20OR%201=1--",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D",
        long_token.as_str(),
    ] {
        let path = format!("/api/v1/follow/{token}");
        let name = &token[..token.len().min(40)];
        cases.push(get(format!("follow link {name}"), path.clone(), Problem(&[404])).anonymous());
        cases.push(
            raw(
                format!("withdraw by follow link {name}"),
                "POST",
                format!("{path}/withdraw"),
                None,
                None,
                Problem(&[404]),
            )
            .anonymous(),
        );
    }

    // Following by e-mail: a bad address or target is a 422 naming it, a link that leads
    // nowhere a 404, whoever asks; nothing written (not even a confirmation).
    let action_id = f.action.rsplit('/').next().unwrap().to_string();
    let question_id = f.question.rsplit('/').next().unwrap().to_string();
    for (name, body, field) in [
        (
            "not an address",
            json!({"email": "not-an-address", "action_id": action_id}),
            "email",
        ),
        (
            "an address literal",
            json!({"email": "a@[127.0.0.1]", "action_id": action_id}),
            "email",
        ),
        (
            "localhost",
            json!({"email": "root@localhost", "action_id": action_id}),
            "email",
        ),
        (
            "a header in the address",
            json!({"email": "a@example.org\r\nBcc: b@example.org", "action_id": action_id}),
            "email",
        ),
        (
            "an overlong address",
            json!({"email": format!("{}@example.org", "a".repeat(250)), "action_id": action_id}),
            "email",
        ),
        ("nothing to follow", json!({"email": "a@example.org"}), "question_id"),
        (
            "two things to follow",
            json!({"email": "a@example.org", "action_id": action_id, "question_id": question_id}),
            "action_id",
        ),
        (
            "an unknown action",
            json!({"email": "a@example.org", "action_id": "00000000-0000-0000-0000-000000000000"}),
            "action_id",
        ),
        (
            "a weekly digest",
            json!({"email": "a@example.org", "action_id": action_id, "digest": "weekly"}),
            "digest",
        ),
        (
            "SQL in the address",
            json!({"email": "a'--@example.org'; DROP TABLE subscriptions; --", "action_id": action_id}),
            "email",
        ),
        (
            "a zero-width space in the address",
            json!({"email": "a\u{200B}@example.org", "action_id": action_id}),
            "email",
        ),
        (
            "a right-to-left override in the address",
            json!({"email": "\u{202E}gro.elpmaxe@a", "action_id": action_id}),
            "email",
        ),
        (
            "a quoted local part",
            json!({"email": "\"a b\"@example.org", "action_id": action_id}),
            "email",
        ),
    ] {
        cases.push(
            json_case(
                format!("subscription: {name}"),
                "POST",
                "/api/v1/subscriptions",
                body,
                Invalid(field),
            )
            .anonymous(),
        );
    }
    for token in [
        unknown_token.as_str(),
        "not-a-token",
        "%00",
        "'%20OR%201=1--",
        long_token.as_str(),
    ] {
        let name = &token[..token.len().min(40)];
        cases.push(
            json_case(
                format!("confirm subscription {name}"),
                "POST",
                "/api/v1/subscriptions/confirm",
                json!({"token": token}),
                Problem(&[404]),
            )
            .anonymous(),
        );
        cases.push(
            raw(
                format!("unsubscribe {name}"),
                "POST",
                format!("/api/v1/subscriptions/unsubscribe?token={token}"),
                Some("application/x-www-form-urlencoded"),
                Some(b"List-Unsubscribe=One-Click".to_vec()),
                // A control character in the query is refused before the link is read.
                if token == "%00" {
                    Invalid("token")
                } else {
                    Problem(&[404])
                },
            )
            .anonymous(),
        );
    }
    for query in [
        "",
        "?action_id=not-a-uuid",
        "?colour=blue",
        &format!("?action_id={action_id}&question_id={question_id}"),
    ] {
        cases.push(
            get(
                format!("subscription counts {query}"),
                format!("/api/v1/subscriptions/counts{query}"),
                Problem(&[404, 422]),
            )
            .anonymous(),
        );
    }

    // The forms a link's page sends (and what else may arrive there): a form without its
    // token, or with something else, is a 422; a token that leads nowhere a 404; an
    // oversized form a 413; a media type neither JSON nor a form a 415. The same for a
    // browser (a page, not a problem document). Opening a link's page writes nothing.
    const FORM: &str = "application/x-www-form-urlencoded";
    let confirm = "/api/v1/subscriptions/confirm";
    let unsubscribe = "/api/v1/subscriptions/unsubscribe";
    let oversized_form = [b"token=".to_vec(), vec![b'A'; 64 * 1024]].concat();
    let junk_form = format!("token={}", urlencode("'; DROP TABLE subscriptions; --"));
    for (name, path, content_type, body, expect) in [
        ("confirm form: no token", confirm, FORM, b"".to_vec(), Invalid("token")),
        (
            "confirm form: one-click field only",
            confirm,
            FORM,
            b"List-Unsubscribe=One-Click".to_vec(),
            Invalid("List-Unsubscribe"),
        ),
        (
            "confirm form: an extra field",
            confirm,
            FORM,
            format!("token={}&email=a%40example.org", "A".repeat(43)).into_bytes(),
            Invalid("email"),
        ),
        (
            "confirm form: the token twice",
            confirm,
            FORM,
            b"token=a&token=b".to_vec(),
            Invalid("token"),
        ),
        (
            "confirm form: NUL in the token",
            confirm,
            FORM,
            b"token=%00".to_vec(),
            Invalid("token"),
        ),
        (
            "confirm form: junk token",
            confirm,
            FORM,
            junk_form.clone().into_bytes(),
            Problem(&[404]),
        ),
        (
            "confirm form: unknown token",
            confirm,
            FORM,
            format!("token={}", "A".repeat(43)).into_bytes(),
            Problem(&[404]),
        ),
        (
            "confirm form: not UTF-8",
            confirm,
            FORM,
            b"token=\xff\xfe".to_vec(),
            Problem(&[400, 404]),
        ),
        (
            "confirm form: oversized",
            confirm,
            FORM,
            oversized_form.clone(),
            Problem(&[413]),
        ),
        (
            "confirm: XML",
            confirm,
            "application/xml",
            b"<token>x</token>".to_vec(),
            Problem(&[415]),
        ),
        (
            "unsubscribe form: no token",
            unsubscribe,
            FORM,
            b"List-Unsubscribe=One-Click".to_vec(),
            Invalid("token"),
        ),
        (
            "unsubscribe form: empty",
            unsubscribe,
            FORM,
            b"".to_vec(),
            Invalid("token"),
        ),
        (
            "unsubscribe form: NUL in the token",
            unsubscribe,
            FORM,
            b"token=%00".to_vec(),
            Invalid("token"),
        ),
        (
            "unsubscribe form: a token that is a list",
            unsubscribe,
            FORM,
            b"token=a&token=b".to_vec(),
            Invalid("token"),
        ),
        (
            "unsubscribe form: junk token",
            unsubscribe,
            FORM,
            junk_form.clone().into_bytes(),
            Problem(&[404]),
        ),
        (
            "unsubscribe form: oversized",
            unsubscribe,
            FORM,
            oversized_form.clone(),
            Problem(&[413]),
        ),
        (
            "unsubscribe: text/plain without a query token",
            unsubscribe,
            TEXT,
            b"token=x".to_vec(),
            Problem(&[415]),
        ),
        (
            "unsubscribe JSON: a number for the token",
            unsubscribe,
            JSON,
            br#"{"token": 5}"#.to_vec(),
            Invalid("token"),
        ),
        (
            "unsubscribe JSON: an extra field",
            unsubscribe,
            JSON,
            br#"{"token": "x", "email": "a@example.org"}"#.to_vec(),
            Invalid("email"),
        ),
    ] {
        cases.push(raw(name, "POST", path, Some(content_type), Some(body.clone()), expect).anonymous());
        let mut browser = raw(
            format!("{name}, from a browser"),
            "POST",
            path,
            Some(content_type),
            Some(body),
            ClientError,
        )
        .anonymous();
        browser.headers.push(("accept", "text/html".into()));
        cases.push(browser);
    }
    cases.push(
        raw(
            "unsubscribe: a different token in the query and the form",
            "POST",
            format!("{unsubscribe}?token={}", "A".repeat(43)),
            Some(FORM),
            Some(format!("token={}", "B".repeat(43)).into_bytes()),
            Invalid("token"),
        )
        .anonymous(),
    );
    for query in [
        String::new(),
        "?token=x".into(),
        format!("?token={}", urlencode("\"><script>alert(1)</script>")),
        "?token=%00".into(),
        format!("?token={}", "A".repeat(4000)),
    ] {
        for path in [confirm, unsubscribe] {
            cases.push(
                get(
                    format!("link page {path}{query}"),
                    format!("{path}{query}"),
                    ClientError,
                )
                .anonymous(),
            );
        }
    }
    for path in [confirm, unsubscribe] {
        cases.push(
            get(
                format!("link page {path} with a token no link has"),
                format!("{path}?token={}", "A".repeat(43)),
                Accepted(200),
            )
            .anonymous(),
        );
    }

    // Methods no route has.
    for (method, path) in [
        ("PUT", "/api/v1/organisations".to_string()),
        ("DELETE", f.organisation.clone()),
        ("DELETE", f.user.clone()),
        ("PUT", f.client.clone()),
        ("DELETE", f.meeting.clone()),
        ("DELETE", f.question.clone()),
        ("PUT", f.response.clone()),
        ("DELETE", f.report.clone()),
        ("PUT", f.recommendation.clone()),
        ("DELETE", f.action.clone()),
        ("PATCH", updates_path.clone()),
        ("GET", "/api/v1/imports".to_string()),
        ("DELETE", "/api/v1/actions".to_string()),
    ] {
        cases.push(raw(
            format!("unknown method: {method} {path}"),
            method,
            path,
            None,
            None,
            NotAllowed,
        ));
    }

    // Search text PostgreSQL cannot take (NUL), and control characters the
    // document's pattern refuses.
    for (path, parameter) in [
        ("/api/v1/organisations", "q"),
        ("/api/v1/questions", "q"),
        ("/api/v1/actions", "q"),
        ("/api/v1/audit-events", "actor_id"),
    ] {
        for value in [
            "a\u{0}b",
            "a\nb",
            "\u{1b}[31m",
            "a\u{85}b",
            "a\u{FFFF}b",
            "\u{FDD0}",
            "a\u{10FFFF}",
        ] {
            cases.push(get(
                format!("control character or noncharacter in {parameter} {value:?}: GET {path}"),
                format!("{path}?{parameter}={}", urlencode(value)),
                Invalid(parameter),
            ));
        }
    }

    // Filters that are not what they say.
    for (path, parameter, value) in [
        ("/api/v1/meetings", "organisation_id", "not-a-uuid"),
        ("/api/v1/reports", "publisher_organisation_id", "1"),
        ("/api/v1/users", "organisation_id", "x"),
        ("/api/v1/clients", "organisation_id", "' OR 1=1 --"),
        ("/api/v1/actions", "recommendation_id", "' OR 1=1 --"),
        ("/api/v1/recommendations", "report_id", "abc"),
        ("/api/v1/questions", "meeting_id", "abc"),
        ("/api/v1/actions", "due_before", "2022-13-45"),
        ("/api/v1/meetings", "held_from", "yesterday"),
        ("/api/v1/reports", "published_from", "2022-02-30"),
        ("/api/v1/questions", "asked_from", "0"),
        ("/api/v1/actions", "overdue", "maybe"),
        ("/api/v1/meetings", "is_public", "2"),
        ("/api/v1/users", "is_active", "yes please"),
        ("/api/v1/organisations", "colour", "blue"),
        ("/api/v1/questions", "limit", ""),
        ("/api/v1/audit-events", "resource_type", "' OR 1=1 --"),
        ("/api/v1/audit-events", "resource_type", ""),
        ("/api/v1/audit-events", "resource_id", "abc"),
        ("/api/v1/audit-events", "actor_kind", "robot"),
        ("/api/v1/audit-events", "actor_id", ""),
        ("/api/v1/audit-events", "action", "question accepted"),
        ("/api/v1/audit-events", "occurred_from", "yesterday"),
        ("/api/v1/audit-events", "occurred_to", "2022-02-30T00:00:00Z"),
        ("/api/v1/audit-events", "occurred_from", "2022-06-01"),
    ] {
        cases.push(get(
            format!("bad filter {parameter}={value:?}: GET {path}"),
            format!("{path}?{parameter}={}", urlencode(value)),
            Invalid(parameter),
        ));
    }
    cases.push(raw(
        "dry_run=maybe: imports",
        "POST",
        "/api/v1/imports?dry_run=maybe",
        Some(TEXT),
        Some(b"Question".to_vec()),
        Invalid("dry_run"),
    ));
    // The meeting minutes are imported into: a UUID and a strict ISO date, or a 422
    // naming the parameter, and minutes without a meeting a 422 naming meeting_id.
    let minutes = include_str!("../../fixtures/import/supplementary-verbal-2022-11.txt");
    for (query, parameter) in [
        ("meeting_id=abc", "meeting_id"),
        ("meeting_id=", "meeting_id"),
        ("meeting_id=01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "meeting_id"),
        ("meeting_date=14/11/2022", "meeting_date"),
        ("meeting_date=2022-02-30", "meeting_date"),
        ("meeting_date=%2B262143-12-31", "meeting_date"),
        ("meeting_date=-0001-01-01", "meeting_date"),
        ("meeting_date=2022-11-14T00:00:00Z", "meeting_date"),
        (
            "meeting_date=2022-11-14&meeting_id=01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
            "meeting_date",
        ),
        ("dry_run=true", "meeting_id"),
        ("", "meeting_id"),
    ] {
        cases.push(raw(
            format!("minutes with {query:?}: imports"),
            "POST",
            format!("/api/v1/imports?{query}"),
            Some(TEXT),
            Some(minutes.as_bytes().to_vec()),
            Invalid(parameter),
        ));
    }
    for (path, parameter, value) in [
        ("/api/v1/actions", "due_before", "9999-12-31"),
        ("/api/v1/actions", "due_after", "0001-01-01"),
        ("/api/v1/meetings", "held_from", "+262143-12-31"),
        ("/api/v1/reports", "published_to", "-0001-01-01"),
        ("/api/v1/questions", "asked_to", "9999-12-31"),
        ("/api/v1/audit-events", "occurred_from", "-0001-01-01T00:00:00Z"),
        ("/api/v1/audit-events", "occurred_to", "+262143-12-31T00:00:00Z"),
    ] {
        cases.push(get(
            format!("extreme date {parameter}={value:?}: GET {path}"),
            format!("{path}?{parameter}={}", urlencode(value)),
            Invalid(parameter),
        ));
    }

    // Dates not written YYYY-MM-DD, which chrono alone would guess at: in every kind of
    // body and in every date filter.
    for (path, method, body, field) in [
        (
            "/api/v1/meetings".to_string(),
            "POST",
            valid_meeting(json!({"held_on": "2022-6-16"})),
            "held_on",
        ),
        (f.meeting.clone(), "PATCH", json!({"held_on": "2022-06-1"}), "held_on"),
        (
            responses_path.clone(),
            "POST",
            valid_response(json!({"responded_on": "2022-6-9"})),
            "responded_on",
        ),
        (
            f.response.clone(),
            "PATCH",
            json!({"responded_on": " 2022-06-09"}),
            "responded_on",
        ),
        (
            "/api/v1/actions".to_string(),
            "POST",
            valid_action(json!({"due_on": "2199-1-1"})),
            "due_on",
        ),
        (f.action.clone(), "PATCH", json!({"due_on": "+2199-01-01"}), "due_on"),
        (
            updates_path.clone(),
            "POST",
            valid_update(json!({"reported_on": "2022-7-14"})),
            "reported_on",
        ),
        (
            "/api/v1/reports".to_string(),
            "POST",
            valid_report(json!({"published_on": "2022-4-7"})),
            "published_on",
        ),
        (
            "/api/v1/questions".to_string(),
            "POST",
            crate::helpers::question_body(json!({"asked_on": "2022-5-31"})),
            "asked_on",
        ),
    ] {
        cases.push(json_case(
            format!("loose date {field}: {method} {path}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }
    for (path, parameter) in [
        ("/api/v1/actions", "due_before"),
        ("/api/v1/actions", "due_after"),
        ("/api/v1/meetings", "held_from"),
        ("/api/v1/meetings", "held_to"),
        ("/api/v1/reports", "published_from"),
        ("/api/v1/reports", "published_to"),
        ("/api/v1/questions", "asked_from"),
        ("/api/v1/questions", "asked_to"),
    ] {
        for value in ["2023-1-1", "2023-01-01 ", "20230101"] {
            cases.push(get(
                format!("loose date {parameter}={value:?}: GET {path}"),
                format!("{path}?{parameter}={}", urlencode(value)),
                Invalid(parameter),
            ));
        }
    }

    // Numbers out of range and extreme dates in bodies.
    for (path, method, body, field) in [
        (
            f.action.clone(),
            "PATCH",
            json!({"progress_percent": 2_147_483_648_i64}),
            "progress_percent",
        ),
        (
            f.action.clone(),
            "PATCH",
            json!({"progress_percent": -1}),
            "progress_percent",
        ),
        (
            f.action.clone(),
            "PATCH",
            json!({"progress_percent": 101}),
            "progress_percent",
        ),
        (
            updates_path.clone(),
            "POST",
            valid_update(json!({"progress_percent": 101})),
            "progress_percent",
        ),
        (
            updates_path.clone(),
            "POST",
            valid_update(json!({"progress_percent": -5})),
            "progress_percent",
        ),
        (
            updates_path.clone(),
            "POST",
            valid_update(json!({"reported_on": "2022-02-30"})),
            "reported_on",
        ),
        (
            "/api/v1/meetings".to_string(),
            "POST",
            valid_meeting(json!({"held_on": "16/06/2022"})),
            "held_on",
        ),
    ] {
        cases.push(json_case(
            format!("out of range {field}: {method} {path}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }
    for (path, body, field) in [
        (
            "/api/v1/actions".to_string(),
            valid_action(json!({"starts_on": "0001-01-01", "due_on": "9999-12-31"})),
            "starts_on",
        ),
        (
            "/api/v1/meetings".to_string(),
            valid_meeting(json!({"held_on": "0001-01-01"})),
            "held_on",
        ),
        (
            "/api/v1/meetings".to_string(),
            valid_meeting(json!({"held_on": "+262143-12-31"})),
            "held_on",
        ),
        (
            "/api/v1/reports".to_string(),
            valid_report(json!({"published_on": "9999-12-31"})),
            "published_on",
        ),
        (
            updates_path.clone(),
            valid_update(json!({"reported_on": "0001-01-01"})),
            "reported_on",
        ),
        (
            recommendations_path.clone(),
            valid_recommendation(json!({"reference": "R-far", "due_on": "9999-12-31"})),
            "due_on",
        ),
    ] {
        cases.push(json_case(
            format!("extreme date {field}: POST {path}"),
            "POST",
            path,
            body,
            Invalid(field),
        ));
    }

    // A panel meeting on a date whose bank holidays the calendar does not know (it
    // vouches for 1978 to 2099): no question deadline can be worked out, so it is
    // refused rather than given one that counts holidays as working days.
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/meetings".to_string(),
            valid_meeting(json!({"kind": "panel_meeting", "held_on": "2100-03-04"})),
        ),
        ("PATCH", f.meeting.clone(), json!({"held_on": "2100-01-05"})),
    ] {
        cases.push(json_case(
            format!("panel meeting beyond the bank holiday rules: {method} {path}"),
            method,
            path,
            body,
            Invalid("held_on"),
        ));
    }

    // Huge input an error might repeat: a refusal quotes at most a little of it (every
    // row's problem is checked to stay small) and, under an Idempotency-Key, keeps
    // nothing (the key table is among those that must not change).
    let huge = "f".repeat(60_000);
    let mut unknown_field = serde_json::Map::new();
    unknown_field.insert(huge.clone(), json!(1));
    for (path, anonymous) in [
        ("/api/v1/questions", true),
        ("/api/v1/organisations", false),
        ("/api/v1/actions", false),
        ("/api/v1/webhooks", false),
    ] {
        let mut case = json_case(
            format!("60 KB unknown field name with an Idempotency-Key: POST {path}"),
            "POST",
            path,
            Value::Object(unknown_field.clone()),
            Problem(&[422]),
        );
        case.headers.push(("idempotency-key", format!("huge-{path}")));
        cases.push(if anonymous { case.anonymous() } else { case });
    }
    let mut huge_token_field = unknown_field.clone();
    huge_token_field.insert("grant_type".into(), json!("password"));
    cases.push(
        json_case(
            "60 KB unknown field name: POST /api/v1/auth/token",
            "POST",
            "/api/v1/auth/token",
            Value::Object(huge_token_field),
            OAuthError,
        )
        .anonymous(),
    );
    let mut huge_kind = json_case(
        "60 KB enum value with an Idempotency-Key: POST /api/v1/organisations",
        "POST",
        "/api/v1/organisations",
        json!({"name": "A panel", "kind": huge}),
        Invalid("kind"),
    );
    huge_kind.headers.push(("idempotency-key", "huge-kind".to_string()));
    cases.push(huge_kind);
    for path in [
        format!("/api/v1/organisations?{huge}=1"),
        format!("/api/v1/questions?status={huge}"),
        format!("/api/v1/actions?{}=1", "f".repeat(6_000)),
    ] {
        cases.push(
            raw(
                format!("huge query parameter: GET {}", &path[..30]),
                "GET",
                path,
                None,
                None,
                Problem(&[400, 414, 422, 431]),
            )
            .anonymous(),
        );
    }

    // Text JSON cannot carry, and preconditions and keys that are not tags or keys.
    cases.push(raw(
        "lone surrogate: organisations POST",
        "POST",
        "/api/v1/organisations",
        Some(JSON),
        Some(br#"{"name":"a\ud800b","kind":"panel"}"#.to_vec()),
        Problem(&[400, 422]),
    ));
    for if_match in ["\"999\"", "garbage", "W/\"1\"", "\"11-abc\"", "\"1"] {
        let mut case = json_case(
            format!("If-Match {if_match}: organisations PATCH"),
            "PATCH",
            f.organisation.clone(),
            json!({"name": "Renamed by a stale client"}),
            Problem(&[412]),
        );
        case.headers.push(("if-match", if_match.to_string()));
        cases.push(case);
    }
    for key in ["k".repeat(256), "a key".to_string(), "clé".to_string()] {
        let mut case = json_case(
            format!("Idempotency-Key {:?}: organisations POST", &key[..key.len().min(10)]),
            "POST",
            "/api/v1/organisations",
            valid_org(json!({"name": "Keyed"})),
            Problem(&[400]),
        );
        case.headers.push(("idempotency-key", key));
        cases.push(case);
    }

    // Chunked bodies, with no Content-Length to refuse them by.
    for (method, path) in [
        ("POST", "/api/v1/organisations".to_string()),
        ("PATCH", f.question.clone()),
        ("POST", "/api/v1/actions".to_string()),
    ] {
        cases.push(
            raw(
                format!("oversized chunked body: {method} {path}"),
                method,
                path,
                Some(JSON),
                Some(oversized_json(256 * 1024)),
                Problem(&[413]),
            )
            .chunked(),
        );
    }
    cases.push(
        raw(
            "oversized chunked body: imports",
            "POST",
            "/api/v1/imports",
            Some(TEXT),
            Some(vec![b'x'; 256 * 1024]),
            Problem(&[413]),
        )
        .chunked(),
    );
    cases.push(
        raw(
            "oversized chunked body with an Idempotency-Key: organisations POST",
            "POST",
            "/api/v1/organisations",
            Some(JSON),
            Some(oversized_json(256 * 1024)),
            Problem(&[413]),
        )
        .chunked()
        .header("idempotency-key", "hostile-chunked"),
    );

    // Search: every bad parameter is a 422 naming it; SQL and search operators are text.
    for (query, field) in [
        ("types=question", "q"),
        ("q=", "q"),
        ("q=%20%09", "q"),
        ("q=a%00b", "q"),
        ("q=a%0Ab", "q"),
        ("q=a&types=meetings", "types"),
        ("q=a&types=question%00", "types"),
        ("q=a&types=%27%3B%20DROP%20TABLE%20questions%3B%20--", "types"),
        ("q=a&types=,", "types"),
        ("q=a&types=Question", "types"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=51", "limit"),
        ("q=a&limit=-1", "limit"),
        ("q=a&limit=1e3", "limit"),
        ("q=a&limit=99999999999999999999", "limit"),
        ("q=a&cursor=abc", "cursor"),
        ("q=a&cursor=0~ffffffff-ffff-ffff-ffff-ffffffffffff", "cursor"),
        ("q=a&cursor=NaN~question~ffffffff-ffff-ffff-ffff-ffffffffffff", "cursor"),
        ("q=a&cursor=inf~question~ffffffff-ffff-ffff-ffff-ffffffffffff", "cursor"),
        (
            "q=a&cursor=-0.5~question~ffffffff-ffff-ffff-ffff-ffffffffffff",
            "cursor",
        ),
        ("q=a&cursor=0.5~meeting~ffffffff-ffff-ffff-ffff-ffffffffffff", "cursor"),
        ("q=a&cursor=0.5~question~not-a-uuid", "cursor"),
        ("q=a&cursor=%27%20OR%201%3D1%20--", "cursor"),
        ("q=a&order=rank", "order"),
    ] {
        cases.push(get(
            format!("search {query}"),
            format!("/api/v1/search?{query}"),
            Invalid(field),
        ));
    }
    cases.push(get(
        "search q over 200 characters",
        format!("/api/v1/search?q={}", "x".repeat(201)),
        Invalid("q"),
    ));
    cases.push(get(
        "10 KB search q",
        format!("/api/v1/search?q={}", "x".repeat(10 * 1024)),
        Invalid("q"),
    ));
    for text in [
        "'; DROP TABLE questions; --",
        "%' OR '1'='1",
        "!!! & | <-> :* ()",
        "\"unterminated",
        "-",
        "or or or",
        "a:*B & !c",
    ] {
        cases.push(get(
            format!("search operators and SQL as text {text:?}"),
            format!("/api/v1/search?q={}", urlencode(text)),
            Accepted(200),
        ));
    }
    // Runs of negating dashes: PostgreSQL stacks one NOT per dash and fails past 32
    // ("tsquery stack too small"); anything typed into q is a 200 or a 422, on search,
    // on every list's q, and on CSV exports.
    let dashes = [
        "-".repeat(33),
        format!("{}x", "-".repeat(40)),
        "- ".repeat(60),
        format!("x {} y", "-".repeat(80)),
    ];
    for text in &dashes {
        for path in [
            "/api/v1/search",
            "/api/v1/questions",
            "/api/v1/actions",
            "/api/v1/recommendations",
        ] {
            // An even run negates nothing: on search that leaves no words (422, as for
            // a blank q); a list without q words is simply unfiltered.
            let nothing_left = text.trim() == "- ".repeat(60).trim();
            let expect = if path == "/api/v1/search" && nothing_left {
                Invalid("q")
            } else {
                Accepted(200)
            };
            cases.push(get(
                format!("negation run of {} characters in q on {path}", text.len()),
                format!("{path}?q={}", urlencode(text)),
                expect,
            ));
        }
        cases.push(
            get(
                format!("negation run of {} characters in q on the questions CSV", text.len()),
                format!("/api/v1/questions?q={}", urlencode(text)),
                Accepted(200),
            )
            .header("accept", "text/csv"),
        );
    }
    for cursor in [
        "99999999999999999999.9~action~ffffffff-ffff-ffff-ffff-ffffffffffff",
        "0~response~00000000-0000-0000-0000-000000000000",
    ] {
        cases.push(get(
            format!("extreme search cursor {cursor:?}"),
            format!("/api/v1/search?q=a&cursor={}", urlencode(cursor)),
            Accepted(200),
        ));
    }

    // Long URLs and paths that try to climb out.
    cases.push(get(
        "60 KB query string",
        format!("/api/v1/organisations?q={}", "x".repeat(60 * 1024)),
        NoServerError,
    ));
    cases.push(get(
        "10 KB search",
        format!("/api/v1/questions?q={}", "x".repeat(10 * 1024)),
        Invalid("q"),
    ));
    for path in [
        "/api/v1/questions/%2e%2e",
        "/api/v1/questions/..%2f..%2fmetrics",
        "/api/v1/organisations/%00",
        "/api/v1/organisations/00000000-0000-0000-0000-000000000000",
    ] {
        cases.push(get(format!("path {path}"), path, Problem(&[404])));
    }

    // Hostile callers without the admin token.
    cases.push(
        json_case(
            "anonymous question with a NUL title",
            "POST",
            "/api/v1/questions",
            question_body(json!({"title": "a\u{0}b"})),
            Invalid("title"),
        )
        .anonymous(),
    );
    cases.push(
        json_case(
            "anonymous question setting its status",
            "POST",
            "/api/v1/questions",
            question_body(json!({"status": "accepted"})),
            Invalid("status"),
        )
        .anonymous(),
    );
    cases.push(
        raw(
            "anonymous oversized question",
            "POST",
            "/api/v1/questions",
            Some(JSON),
            Some(oversized_json(64 * 1024 + 1)),
            Problem(&[413]),
        )
        .anonymous(),
    );
    for authorization in [
        "Bearer ' OR 1=1 --".to_string(),
        format!("Bearer {}", "a".repeat(10_000)),
        "Bearer".to_string(),
        "Basic YWRtaW46YWRtaW4=".to_string(),
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.".to_string(),
    ] {
        cases.push(
            json_case(
                format!(
                    "forged Authorization {:?}",
                    &authorization[..authorization.len().min(24)]
                ),
                "POST",
                "/api/v1/organisations",
                valid_org(json!({"name": "Forged"})),
                Problem(&[401]),
            )
            .anonymous()
            .header("authorization", authorization),
        );
    }
    for bad in NONCHARACTERS {
        cases.push(
            json_case(
                format!("anonymous question with {bad:?} in its title"),
                "POST",
                "/api/v1/questions",
                question_body(json!({"title": format!("a{bad}b")})),
                Invalid("title"),
            )
            .anonymous(),
        );
        cases.push(
            json_case(
                format!("anonymous question with {bad:?} in the asker's name"),
                "POST",
                "/api/v1/questions",
                question_body(json!({"asker": {"display_name": format!("A{bad}")}})),
                Invalid("asker"),
            )
            .anonymous(),
        );
        for (grant, content_type, body) in [
            (
                "password grant form",
                "application/x-www-form-urlencoded",
                format!(
                    "grant_type=password&username=hostile-user&password={}",
                    urlencode(&format!("a long enough password{bad}"))
                ),
            ),
            (
                "password grant JSON",
                JSON,
                json!({"grant_type": "password", "username": format!("hostile-user{bad}"), "password": "x"})
                    .to_string(),
            ),
        ] {
            cases.push(
                raw(
                    format!("{bad:?} in the {grant}"),
                    "POST",
                    "/api/v1/auth/token",
                    Some(content_type),
                    Some(body.into_bytes()),
                    OAuthError,
                )
                .anonymous(),
            );
        }
    }
    // One organisation's name in other spellings: letter case by full Unicode case
    // folding, accents composed or combining. The fixtures hold "Ynys Môn Hostile Panel".
    for (spelling, name) in [
        ("combining circumflex", "Ynys Mo\u{302}n Hostile Panel"),
        ("capitals", "YNYS M\u{D4}N HOSTILE PANEL"),
        ("capitals, combining circumflex", "YNYS MO\u{302}N HOSTILE PANEL"),
    ] {
        cases.push(json_case(
            format!("an existing organisation's name with {spelling}: organisations POST"),
            "POST",
            "/api/v1/organisations",
            valid_org(json!({"name": name})),
            Problem(&[409]),
        ));
        cases.push(json_case(
            format!("another organisation renamed to an existing name with {spelling}: organisations PATCH"),
            "PATCH",
            f.organisation.clone(),
            json!({"name": name}),
            Problem(&[409]),
        ));
    }
    cases.push(
        raw(
            "SQL as a username in the password grant",
            "POST",
            "/api/v1/auth/token",
            Some("application/x-www-form-urlencoded"),
            Some(
                format!(
                    "grant_type=password&username={}&password=x",
                    urlencode("'; DROP TABLE users; --")
                )
                .into_bytes(),
            ),
            // A failed sign-in is audited, so this row may write.
            Accepted(400),
        )
        .anonymous(),
    );

    // References to things that do not exist, or twice to the same thing.
    let nobody = "01937b4e-4f4a-7cc4-a0b5-000000000000";
    let action_id = f.action.rsplit('/').next().unwrap().to_string();
    let rec = rec_id.clone();
    let references: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"organisation_id": nobody})),
            "organisation_id",
        ),
        (
            "users",
            "PATCH",
            f.user.clone(),
            json!({"organisation_id": nobody}),
            "organisation_id",
        ),
        (
            "clients",
            "POST",
            "/api/v1/clients".into(),
            json!({"name": "C", "roles": ["integration"], "organisation_id": nobody}),
            "organisation_id",
        ),
        (
            "meetings",
            "POST",
            "/api/v1/meetings".into(),
            valid_meeting(json!({"organisation_id": nobody})),
            "organisation_id",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"meeting_id": nobody})),
            "meeting_id",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"parent_question_id": nobody})),
            "parent_question_id",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"recommendation_ids": [nobody]})),
            "recommendation_ids",
        ),
        (
            "questions",
            "PATCH",
            questions_path.clone(),
            json!({"meeting_id": nobody}),
            "meeting_id",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"recommendation_ids": [nobody]})),
            "recommendation_ids",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"action_ids": [nobody]})),
            "action_ids",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"publisher_organisation_id": nobody})),
            "publisher_organisation_id",
        ),
        (
            "reports",
            "PATCH",
            f.report.clone(),
            json!({"subject_organisation_id": nobody}),
            "subject_organisation_id",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"addressed_to_organisation_id": nobody})),
            "addressed_to_organisation_id",
        ),
        (
            "recommendations",
            "PATCH",
            f.recommendation.clone(),
            json!({"addressed_to_organisation_id": nobody}),
            "addressed_to_organisation_id",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"recommendation_ids": [nobody]})),
            "recommendation_ids",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"recommendation_ids": []})),
            "recommendation_ids",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"owner": {"organisation_id": nobody, "post_title": "Head"}})),
            "owner",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"recommendation_ids": [nobody]}),
            "recommendation_ids",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"owner": {"organisation_id": nobody}}),
            "owner",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"meeting_id": nobody})),
            "meeting_id",
        ),
    ];
    for (family, method, path, body, field) in references {
        cases.push(json_case(
            format!("unknown or repeated reference {field}: {family} {method} {body}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }
    // The id lists are sets: a repeated id is the same link, once.
    for (path, body) in [
        (
            "/api/v1/questions".to_string(),
            question_body(json!({"recommendation_ids": [rec, rec]})),
        ),
        (
            responses_path.clone(),
            valid_response(json!({"action_ids": [action_id, action_id]})),
        ),
        (
            "/api/v1/actions".to_string(),
            valid_action(json!({"reference": "H-dup", "recommendation_ids": [rec, rec]})),
        ),
    ] {
        cases.push(json_case(
            format!("a repeated id: POST {path}"),
            "POST",
            path,
            body,
            Accepted(201),
        ));
    }
    cases.push(json_case(
        "a reference already taken: actions POST",
        "POST",
        "/api/v1/actions",
        valid_action(json!({"reference": "H-1"})),
        Problem(&[409]),
    ));

    // NUL in nested and secondary text fields.
    let nul = "a\u{0}b";
    let nested: Vec<(&str, &'static str, String, Value, &'static str)> = vec![
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"username": nul})),
            "username",
        ),
        (
            "users",
            "POST",
            "/api/v1/users".into(),
            valid_user(json!({"password": format!("a long enough {nul}")})),
            "password",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"asker": {"display_name": nul}})),
            "asker",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"asker_contact": {"email": nul}})),
            "asker_contact",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"asker_contact": {"email": "a@example.org", "phone": nul}})),
            "asker_contact",
        ),
        (
            "questions",
            "POST",
            "/api/v1/questions".into(),
            question_body(json!({"topics": [nul]})),
            "topics",
        ),
        (
            "responses",
            "POST",
            responses_path.clone(),
            valid_response(json!({"author": {"name": nul, "position": "P"}})),
            "author",
        ),
        (
            "responses",
            "PATCH",
            f.response.clone(),
            json!({"body": "B", "correction_note": nul}),
            "correction_note",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"url": "https://example.org/a\u{0}b"})),
            "url",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"url": "javascript:alert(1)"})),
            "url",
        ),
        (
            "reports",
            "POST",
            "/api/v1/reports".into(),
            valid_report(json!({"summary": nul})),
            "summary",
        ),
        (
            "recommendations",
            "POST",
            recommendations_path.clone(),
            valid_recommendation(json!({"reference": nul})),
            "reference",
        ),
        (
            "recommendations",
            "PATCH",
            f.recommendation.clone(),
            json!({"status": "superseded", "status_reason": nul}),
            "status_reason",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"reference": nul})),
            "reference",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"programme_id": nul})),
            "programme_id",
        ),
        (
            "actions",
            "POST",
            "/api/v1/actions".into(),
            valid_action(json!({"owner": {"organisation_id": org_id, "post_title": nul}})),
            "owner",
        ),
        (
            "actions",
            "PATCH",
            f.action.clone(),
            json!({"success_measure": nul}),
            "success_measure",
        ),
        (
            "action updates",
            "POST",
            updates_path.clone(),
            valid_update(json!({"author": {"name": "A", "position": nul}})),
            "author",
        ),
    ];
    for (family, method, path, body, field) in nested {
        for (character, body) in with_noncharacters(&body) {
            cases.push(json_case(
                format!("{character} in {field}: {family} {method}"),
                method,
                path.clone(),
                body,
                Invalid(field),
            ));
        }
        cases.push(json_case(
            format!("NUL in {field}: {family} {method}"),
            method,
            path,
            body,
            Invalid(field),
        ));
    }
    cases.push(json_case(
        "a zero-width space in the questioner's e-mail address: questions POST",
        "POST",
        "/api/v1/questions",
        question_body(json!({"asker_contact": {"email": "a\u{200B}@example.org"}})),
        Invalid("asker_contact"),
    ));
    cases.push(raw(
        "a number too big for any type: organisations POST",
        "POST",
        "/api/v1/organisations",
        Some(JSON),
        Some(br#"{"name":1e400,"kind":"panel"}"#.to_vec()),
        Problem(&[400, 422]),
    ));
    cases.push(raw(
        "a duplicate key: organisations POST",
        "POST",
        "/api/v1/organisations",
        Some(JSON),
        Some(br#"{"name":"A","name":"B","kind":"panel"}"#.to_vec()),
        Problem(&[400, 422]),
    ));

    // JSON that is a document, but not an object.
    for (family, method, path) in json_operations(f) {
        if family == "auth" {
            continue;
        }
        for body in ["null", "[]", "\"text\"", "42", "true"] {
            cases.push(raw(
                format!("a body of {body}: {family} {method} {path}"),
                method,
                path.clone(),
                Some(JSON),
                Some(body.as_bytes().to_vec()),
                Problem(&[400, 422]),
            ));
        }
    }

    // Documents to import that PostgreSQL could not store.
    let published = crate::routes::imports::PUBLISHED;
    for (name, query, text) in [
        (
            "NUL in the question",
            "",
            published.replace("urgently.", "urgently\u{0}."),
        ),
        (
            "NUL in the question, dry run",
            "?dry_run=true",
            published.replace("urgently.", "urgently\u{0}."),
        ),
        (
            "NUL in the response",
            "",
            published.replace("Child Protection Improvement Programme", "Child\u{0}Protection"),
        ),
        ("only NULs", "", "\u{0}".repeat(1_000)),
        (
            "control characters",
            "",
            published.replace("urgently.", "urgently\u{1b}[31m\u{7}."),
        ),
        (
            "a noncharacter in the question",
            "",
            published.replace("urgently.", "urgently\u{FFFF}."),
        ),
        (
            "a noncharacter in the question, dry run",
            "?dry_run=true",
            published.replace("urgently.", "urgently\u{FDD0}."),
        ),
        (
            "a noncharacter in the response",
            "",
            published.replace("Child Protection Improvement Programme", "Child\u{1FFFE}Protection"),
        ),
        ("not a document at all", "", "'; DROP TABLE questions; --".to_string()),
    ] {
        cases.push(raw(
            format!("import: {name}"),
            "POST",
            format!("/api/v1/imports{query}"),
            Some(TEXT),
            Some(text.into_bytes()),
            Problem(&[422]),
        ));
    }

    // Media types that are not JSON, or not media types.
    for content_type in [
        ";;;",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ] {
        for (method, path) in [
            ("POST", "/api/v1/organisations".to_string()),
            ("PATCH", f.action.clone()),
        ] {
            cases.push(raw(
                format!("content type {content_type:?}: {method} {path}"),
                method,
                path,
                Some(content_type),
                Some(br#"{"title":"A"}"#.to_vec()),
                Problem(&[415]),
            ));
        }
    }
    cases.push(raw(
        "no content type: organisations POST",
        "POST",
        "/api/v1/organisations",
        None,
        Some(br#"{"name":"A","kind":"panel"}"#.to_vec()),
        Problem(&[415]),
    ));
    cases.push(raw(
        "text/plain in another charset: imports",
        "POST",
        "/api/v1/imports",
        Some("text/plain; charset=iso-8859-1"),
        Some(b"Question".to_vec()),
        Problem(&[415]),
    ));

    // Improvement plans: what is not a spreadsheet, a spreadsheet without a header, and
    // options that cannot be read. Each imports for real (dry_run=false).
    let plan = format!("{}/import", f.programme);
    let commit = format!("{plan}?dry_run=false");
    for (name, content_type, body, expect) in [
        ("oversized", "text/csv", vec![b'x'; 64 * 1024 + 1], Problem(&[413])),
        ("JSON", JSON, br#"{"plan":[]}"#.to_vec(), Problem(&[415])),
        (
            "an image",
            "application/octet-stream",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            Problem(&[415]),
        ),
        (
            "a ZIP that is no workbook",
            "application/octet-stream",
            b"PK\x03\x04junk".to_vec(),
            Problem(&[415]),
        ),
        (
            "an old .xls",
            "application/vnd.ms-excel",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
            Problem(&[415]),
        ),
        ("NUL bytes", "text/csv", b"Ref,Action\n1,\0\0".to_vec(), Problem(&[415])),
        (
            "no header",
            "text/csv",
            b"Shopping list\neggs,milk\n".to_vec(),
            Invalid("file"),
        ),
        ("empty", "text/csv", Vec::new(), Invalid("file")),
        (
            "SQL for a header",
            "text/csv",
            b"'; DROP TABLE actions; --\n1\n".to_vec(),
            Invalid("file"),
        ),
        (
            "a noncharacter and SQL in its cells",
            "text/csv",
            "Ref,Action,Due\n'; DROP TABLE actions; --,Do \u{FFFF} it,31/03/2023\n1,x,31/03/1066\n"
                .as_bytes()
                .to_vec(),
            Accepted(200),
        ),
    ] {
        cases.push(raw(
            format!("plan import: {name}"),
            "POST",
            commit.clone(),
            Some(content_type),
            Some(body),
            expect,
        ));
    }
    for (query, field) in [
        ("dry_run=maybe", "dry_run"),
        ("mapping=colour:Blue", "mapping"),
        ("mapping=reference", "mapping"),
        ("mapping=owner:Nobody%20here", "mapping"),
        ("statuses=blue:violet", "statuses"),
        ("colour=blue", "colour"),
    ] {
        cases.push(raw(
            format!("plan import: {query}"),
            "POST",
            format!("{plan}?{query}"),
            Some("text/csv"),
            Some(b"Ref,Action,Due\n1,Do it,31/03/2023\n".to_vec()),
            Invalid(field),
        ));
    }

    // CSV exports: paging is refused, filters are checked as for JSON, and an Accept
    // header that cannot be read is JSON, never an error.
    for (name, path, expect) in [
        ("CSV with limit", "/api/v1/questions?limit=5", Invalid("limit")),
        (
            "CSV with a forged cursor",
            &format!("/api/v1/actions?cursor={}", urlencode("' OR 1=1 --")),
            Invalid("cursor"),
        ),
        (
            "CSV with an unknown status",
            "/api/v1/recommendations?status=bogus",
            Invalid("status"),
        ),
        (
            "CSV with an over-long search",
            &format!("/api/v1/organisations?q={}", "a".repeat(201)),
            Invalid("q"),
        ),
        (
            "CSV of users (personal data: JSON only)",
            "/api/v1/users",
            Accepted(200),
        ),
    ] {
        cases.push(get(name, path, expect).header("accept", "text/csv"));
    }
    for accept in [
        "text/csv;q=banana",
        "text/csv;q=-1, */*",
        "*/*;q=NaN, text/csv;q=0",
        "text/csv;;;q=,,",
    ] {
        cases.push(get(format!("odd Accept {accept:?}"), "/api/v1/reports", Accepted(200)).header("accept", accept));
    }

    // Proxy headers from a client (no proxy is trusted here): ignored, never a URL's host
    // and never a new client address; however malformed, never a 5xx. `check` also
    // makes sure no answer mentions `forged.example`.
    let long_host = format!("{}.forged.example", "a".repeat(2000));
    let forwarding: Vec<(&'static str, String)> = vec![
        ("x-forwarded-host", "forged.example".into()),
        (
            "x-forwarded-host",
            "forged.example>; rel=\"prev\", forged.example".into(),
        ),
        ("x-forwarded-host", "user@forged.example:99999/path".into()),
        ("x-forwarded-host", long_host),
        ("x-forwarded-host", String::new()),
        ("x-forwarded-proto", "javascript".into()),
        ("x-forwarded-proto", "https, http, gopher".into()),
        ("forwarded", "for=\"[::1\";host=forged.example;proto=https".into()),
        ("forwarded", "host=forged.example, for=unknown;;;".into()),
        ("x-forwarded-for", "not-an-address".into()),
        ("x-forwarded-for", "999.1.1.1, [::1]:99999, , ,".into()),
        ("x-forwarded-for", "198.51.100.1".repeat(300)),
    ];
    for (name, value) in &forwarding {
        let shown = &value[..value.len().min(40)];
        for path in [
            "/feeds/questions.atom",
            "/feeds/responses.atom",
            "/feeds/actions.atom",
            "/api/v1/organisations?limit=1",
        ] {
            cases.push(get(format!("{name}: {shown:?} on {path}"), path, Accepted(200)).header(name, value.clone()));
        }
        cases.push(
            raw(
                format!("{name}: {shown:?} on a failed sign-in"),
                "POST",
                "/api/v1/auth/token",
                Some("application/x-www-form-urlencoded"),
                Some(b"grant_type=password&username=nobody&password=wrong".to_vec()),
                FailedSignIn,
            )
            .anonymous()
            .header(name, value.clone()),
        );
    }

    // A request id that is not an id is not echoed.
    let mut request_id = get("invalid X-Request-Id", "/api/v1/organisations", Accepted(200));
    request_id.headers.push(("x-request-id", "<script>".into()));
    cases.push(request_id);
    let mut request_id = get("over-long X-Request-Id", "/api/v1/organisations", Accepted(200));
    request_id.headers.push(("x-request-id", "a".repeat(65)));
    cases.push(request_id);

    cases
}

/// Rows in every table a request could write to, and audit records.
async fn snapshot(app: &TestApp) -> (i64, i64) {
    let total = TABLES
        .iter()
        .map(|table| format!("(SELECT count(*) FROM {table})"))
        .collect::<Vec<_>>()
        .join(" + ");
    (
        app.db.count(&format!("SELECT {total} AS n")).await,
        app.db.count("SELECT count(*) AS n FROM audit_events").await,
    )
}

async fn send(app: &TestApp, case: &Case) -> TestResponse {
    let caller = if case.anonymous {
        app.anonymous()
    } else {
        app.as_admin()
    };
    let mut request = caller.awc(case.method, &case.path);
    if let Some(content_type) = case.content_type {
        request = request.insert_header(("content-type", content_type));
    }
    for (name, value) in &case.headers {
        request = request.insert_header((*name, value.as_str()));
    }
    match &case.body {
        Some(body) if case.chunked => {
            let chunks: Vec<Result<web::Bytes, std::io::Error>> = body
                .chunks(8 * 1024)
                .map(|c| Ok(web::Bytes::copy_from_slice(c)))
                .collect();
            let mut response = request
                .send_stream(futures_util::stream::iter(chunks))
                .await
                .expect("sending the request");
            let body = response.body().limit(16 * 1024 * 1024).await.expect("reading the body");
            TestResponse {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                body: body.to_vec(),
            }
        }
        _ => app.send(request, case.body.clone()).await,
    }
}

#[actix_web::test]
async fn hostile_and_broken_requests_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let cases = cases(&f);
    let mut failures = Vec::new();
    for case in &cases {
        let before = snapshot(&app).await;
        let response = send(&app, case).await;
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(case, &response)));
        if let Err(panic) = checked {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(message);
        }
        let may_write = match case.expect {
            Accepted(_) | FailedSignIn => true,
            NoServerError => response.status < 400,
            _ => false,
        };
        if !may_write && snapshot(&app).await != before {
            failures.push(format!("row {:?} wrote something (rows or audit records)", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Text that looked like SQL was stored as text, and every table is still there.
    for table in TABLES.iter().chain(&["audit_events"]) {
        app.db.count(&format!("SELECT count(*) AS n FROM {table}")).await;
    }
    let stored = app
        .db
        .count("SELECT count(*) AS n FROM questions WHERE title = '''; DROP TABLE questions; --'")
        .await;
    assert_eq!(stored, 1, "the SQL-looking title is stored verbatim");
    let found = app
        .anonymous()
        .get(&format!("/api/v1/organisations?q={}", urlencode("%' OR '1'='1")))
        .await
        .json();
    let names: Vec<_> = field_of_each(&found["items"], "name");
    assert_eq!(
        names,
        vec![json!("Org %' OR '1'='1")],
        "a search for SQL matches it literally"
    );
    assert!(cases.len() > 300, "{} rows", cases.len());
}

/// The row's expectations of its response; panics naming the row.
fn check(case: &Case, response: &TestResponse) {
    let name = &case.name;
    let status = response.status;
    let context = || {
        let text = response.text();
        format!("row {name:?}: {status} {}", &text[..text.len().min(400)])
    };
    assert!(status < 500, "{}", context());
    match &case.expect {
        Problem(statuses) => {
            assert!(statuses.contains(&status), "expected {statuses:?}: {}", context());
            assert_problem(response, status, name);
        }
        Invalid(field) => {
            assert_eq!(status, 422, "{}", context());
            let problem = assert_problem(response, 422, name);
            let errors = problem["errors"].as_array();
            assert!(
                errors.is_some_and(|errors| errors.iter().any(|e| {
                    let named = e["field"].as_str().unwrap_or_default();
                    named == *field
                        || named.starts_with(&format!("{field}."))
                        || named.starts_with(&format!("{field}["))
                        || e["message"]
                            .as_str()
                            .unwrap_or_default()
                            .contains(&format!("`{field}`"))
                })),
                "expected the problem to name {field}: {}",
                context()
            );
        }
        NotAllowed => {
            assert_eq!(status, 405, "{}", context());
            assert_problem(response, 405, name);
            assert!(response.header("allow").is_some(), "no Allow header: {}", context());
        }
        OAuthError => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            assert!(
                status == 400 && body["error"].is_string(),
                "expected an OAuth error: {}",
                context()
            );
        }
        ClientError => assert!((400..500).contains(&status), "expected a 4xx: {}", context()),
        Accepted(expected) => assert_eq!(status, *expected, "{}", context()),
        FailedSignIn if status == 429 => {
            assert_problem(response, 429, name);
        }
        FailedSignIn => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            assert!(
                status == 400 && body["error"] == "invalid_grant",
                "expected a failed sign-in: {}",
                context()
            );
        }
        NoServerError if status >= 400 => {
            assert_problem(response, status, name);
        }
        NoServerError => assert!((200..300).contains(&status), "{}", context()),
    }
    assert!(
        status < 400 || response.body.len() <= 8 * 1024,
        "row {name:?}: a refusal of {} bytes: an error must not grow with the input",
        response.body.len()
    );
    let link = response.header("link").unwrap_or_default();
    assert!(
        !response.text().contains("forged.example") && !link.contains("forged.example"),
        "row {name:?}: a host a client forged reached the answer: {link} {}",
        response.text()
    );
    if let Some(id) = response.headers.get("x-request-id") {
        let id = String::from_utf8_lossy(id.as_bytes());
        assert!(
            !id.contains('<') && id.len() <= 64,
            "row {name:?}: a request id that is not an id was echoed: {id}"
        );
    }
}

fn assert_problem(response: &TestResponse, status: u16, name: &str) -> Value {
    let problem: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    assert!(
        response.header("content-type").as_deref() == Some("application/problem+json")
            && problem["status"] == status
            && problem["type"].as_str().is_some_and(|t| t.starts_with("/problems/"))
            && problem["title"].is_string()
            && problem["detail"].is_string(),
        "row {name:?}: not a {status} problem document: {}",
        response.text()
    );
    problem
}
