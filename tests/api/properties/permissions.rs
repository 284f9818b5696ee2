//! The permission matrix: every operation in the OpenAPI document × anonymous and each
//! role → the expected outcome. A route added without a row here fails the test.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use scrutiny::domain::auth::Role;

/// What a caller gets from an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// 2xx.
    Ok,
    /// 401 with `WWW-Authenticate: Bearer`.
    Unauthenticated,
    /// 403.
    Forbidden,
    /// Anything but 401 and 403 (the operation does its own authentication).
    NotGated,
}

use Outcome::*;

/// Callers in column order: anonymous, admin, secretariat, panel_member,
/// commissioner_office, force, integration.
const CALLERS: [Option<Role>; 7] = [
    None,
    Some(Role::Admin),
    Some(Role::Secretariat),
    Some(Role::PanelMember),
    Some(Role::CommissionerOffice),
    Some(Role::Force),
    Some(Role::Integration),
];

const PUBLIC: [Outcome; 7] = [Ok, Ok, Ok, Ok, Ok, Ok, Ok];
const SIGNED_IN: [Outcome; 7] = [Unauthenticated, Ok, Ok, Ok, Ok, Ok, Ok];
const ADMIN_ONLY: [Outcome; 7] = [
    Unauthenticated,
    Ok,
    Forbidden,
    Forbidden,
    Forbidden,
    Forbidden,
    Forbidden,
];
const ADMIN_OR_SECRETARIAT: [Outcome; 7] = [Unauthenticated, Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden];
const ADMIN_OR_COMMISSIONER_OFFICE: [Outcome; 7] =
    [Unauthenticated, Ok, Forbidden, Forbidden, Ok, Forbidden, Forbidden];
/// The public asks without a token, panel members as themselves, the secretariat on
/// someone's behalf.
const QUESTION_ASKERS: [Outcome; 7] = [Ok, Ok, Ok, Ok, Forbidden, Forbidden, Forbidden];
const REPORT_MANAGERS: [Outcome; 7] = [Unauthenticated, Ok, Ok, Forbidden, Ok, Forbidden, Forbidden];
/// `force` users may move and report on their own organisation's actions only; the
/// matrix's force token names no organisation, so it owns nothing (see actions.rs for
/// both sides of the ownership rule).
/// `admin` manages every webhook; `integration` systems their own (the matrix's webhook
/// is the integration token's own).
const WEBHOOK_MANAGERS: [Outcome; 7] = [Unauthenticated, Ok, Forbidden, Forbidden, Forbidden, Forbidden, Ok];
const ACTION_EDITORS: [Outcome; 7] = [Unauthenticated, Ok, Forbidden, Forbidden, Ok, Forbidden, Forbidden];

/// The table: method, path template, outcome per caller.
const MATRIX: &[(&str, &str, [Outcome; 7])] = &[
    ("get", "/health/live", PUBLIC),
    ("get", "/health/ready", PUBLIC),
    ("get", "/metrics", PUBLIC),
    ("get", "/feeds/questions.atom", PUBLIC),
    ("get", "/feeds/responses.atom", PUBLIC),
    ("get", "/feeds/actions.atom", PUBLIC),
    ("get", "/problems/{slug}", PUBLIC),
    ("post", "/api/v1/auth/token", [NotGated; 7]),
    ("get", "/api/v1/me", SIGNED_IN),
    ("get", "/api/v1/users", ADMIN_ONLY),
    ("post", "/api/v1/users", ADMIN_ONLY),
    ("get", "/api/v1/users/{id}", ADMIN_ONLY),
    ("patch", "/api/v1/users/{id}", ADMIN_ONLY),
    ("get", "/api/v1/clients", ADMIN_ONLY),
    ("post", "/api/v1/clients", ADMIN_ONLY),
    ("get", "/api/v1/clients/{id}", ADMIN_ONLY),
    ("patch", "/api/v1/clients/{id}", ADMIN_ONLY),
    ("post", "/api/v1/clients/{id}/rotate-secret", ADMIN_ONLY),
    ("get", "/api/v1/audit-events", ADMIN_ONLY),
    ("get", "/api/v1/organisations", PUBLIC),
    ("post", "/api/v1/organisations", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/organisations/{id}", PUBLIC),
    ("patch", "/api/v1/organisations/{id}", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/organisations/{id}/question-rules", PUBLIC),
    ("put", "/api/v1/organisations/{id}/question-rules", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/meetings", PUBLIC),
    ("post", "/api/v1/meetings", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/meetings/{id}", PUBLIC),
    ("patch", "/api/v1/meetings/{id}", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/questions", PUBLIC),
    ("post", "/api/v1/questions", QUESTION_ASKERS),
    ("get", "/api/v1/questions/{id}", PUBLIC),
    ("patch", "/api/v1/questions/{id}", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/questions/{id}/accept", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/questions/{id}/reject", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/questions/{id}/refer", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/questions/{id}/supplementaries", ADMIN_OR_SECRETARIAT),
    // A panel member may withdraw only a question they asked themselves, which this
    // one is not (questions.rs covers the asker).
    ("post", "/api/v1/questions/{id}/withdraw", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/questions/{id}/follow-link", ADMIN_OR_SECRETARIAT),
    // The follow link is the credential: whoever holds it, with or without a token.
    ("get", "/api/v1/follow/{token}", PUBLIC),
    ("post", "/api/v1/follow/{token}/withdraw", PUBLIC),
    // Anyone may follow by e-mail; the matrix's app sends no mail, so a request is a
    // 503 (`mail-off`) whoever asks, and the links it would send lead nowhere (404).
    // routes/subscriptions.rs covers them with mail on.
    ("post", "/api/v1/subscriptions", [NotGated; 7]),
    ("post", "/api/v1/subscriptions/confirm", [NotGated; 7]),
    ("post", "/api/v1/subscriptions/unsubscribe", [NotGated; 7]),
    // A link's page: for whoever opens it, token or none.
    ("get", "/api/v1/subscriptions/confirm", PUBLIC),
    ("get", "/api/v1/subscriptions/unsubscribe", PUBLIC),
    ("get", "/api/v1/subscriptions/counts", PUBLIC),
    // Addresses: admins only.
    ("get", "/api/v1/subscriptions", ADMIN_ONLY),
    ("post", "/api/v1/imports", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/imports/pending", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/imports/pending/{id}/confirm", ADMIN_OR_SECRETARIAT),
    ("post", "/api/v1/imports/pending/{id}/dismiss", ADMIN_OR_SECRETARIAT),
    ("get", "/api/v1/questions/{id}/responses", PUBLIC),
    ("get", "/api/v1/questions/{id}/accountability", PUBLIC),
    ("get", "/api/v1/questions/{id}/accountability/nested", PUBLIC),
    ("post", "/api/v1/questions/{id}/responses", ADMIN_OR_COMMISSIONER_OFFICE),
    ("get", "/api/v1/responses/{id}", PUBLIC),
    ("patch", "/api/v1/responses/{id}", ADMIN_OR_COMMISSIONER_OFFICE),
    ("post", "/api/v1/responses/{id}/publish", ADMIN_OR_COMMISSIONER_OFFICE),
    ("get", "/api/v1/responses/{id}/versions", PUBLIC),
    ("get", "/api/v1/reports", PUBLIC),
    ("post", "/api/v1/reports", REPORT_MANAGERS),
    ("get", "/api/v1/reports/{id}", PUBLIC),
    ("patch", "/api/v1/reports/{id}", REPORT_MANAGERS),
    ("get", "/api/v1/reports/{id}/scorecard", PUBLIC),
    ("get", "/api/v1/reports/{id}/recommendations", PUBLIC),
    ("get", "/api/v1/programmes", PUBLIC),
    ("post", "/api/v1/programmes", ADMIN_OR_COMMISSIONER_OFFICE),
    ("get", "/api/v1/programmes/{id}", PUBLIC),
    ("patch", "/api/v1/programmes/{id}", ADMIN_OR_COMMISSIONER_OFFICE),
    ("get", "/api/v1/programmes/{id}/progress", PUBLIC),
    ("post", "/api/v1/programmes/{id}/import", ADMIN_OR_COMMISSIONER_OFFICE),
    ("post", "/api/v1/reports/{id}/recommendations", REPORT_MANAGERS),
    ("get", "/api/v1/recommendations", PUBLIC),
    ("get", "/api/v1/recommendations/{id}", PUBLIC),
    ("patch", "/api/v1/recommendations/{id}", REPORT_MANAGERS),
    ("get", "/api/v1/actions", PUBLIC),
    ("post", "/api/v1/actions", ADMIN_OR_COMMISSIONER_OFFICE),
    ("get", "/api/v1/actions/{id}", PUBLIC),
    ("patch", "/api/v1/actions/{id}", ACTION_EDITORS),
    ("get", "/api/v1/actions/{id}/updates", PUBLIC),
    ("get", "/api/v1/events", PUBLIC),
    ("post", "/api/v1/actions/{id}/updates", ACTION_EDITORS),
    ("get", "/api/v1/search", PUBLIC),
    ("get", "/api/v1/webhooks", WEBHOOK_MANAGERS),
    ("post", "/api/v1/webhooks", WEBHOOK_MANAGERS),
    ("get", "/api/v1/webhooks/{id}", WEBHOOK_MANAGERS),
    ("patch", "/api/v1/webhooks/{id}", WEBHOOK_MANAGERS),
    ("delete", "/api/v1/webhooks/{id}", WEBHOOK_MANAGERS),
    ("post", "/api/v1/webhooks/{id}/rotate-secret", WEBHOOK_MANAGERS),
    ("get", "/api/v1/webhooks/{id}/deliveries", WEBHOOK_MANAGERS),
    (
        "post",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        WEBHOOK_MANAGERS,
    ),
];

/// Operations whose body is a document, not JSON: `body_for` gives it as a JSON string,
/// sent as `text/plain`.
const TEXT_BODIES: &[(&str, &str)] = &[("post", "/api/v1/imports"), ("post", "/api/v1/programmes/{id}/import")];

/// Transitions succeed only once per resource: each call gets a new one, created (as
/// admin) in the state the transition starts from.
const FRESH: &[(&str, &str)] = &[
    ("post", "/api/v1/questions/{id}/accept"),
    ("post", "/api/v1/questions/{id}/reject"),
    ("post", "/api/v1/questions/{id}/refer"),
    ("post", "/api/v1/questions/{id}/withdraw"),
    ("post", "/api/v1/follow/{token}/withdraw"),
    ("post", "/api/v1/responses/{id}/publish"),
    ("delete", "/api/v1/webhooks/{id}"),
    ("post", "/api/v1/imports/pending/{id}/confirm"),
    ("post", "/api/v1/imports/pending/{id}/dismiss"),
];

#[test]
fn the_matrix_has_exactly_one_row_per_documented_operation() {
    let spec: Value = serde_json::from_str(&scrutiny::openapi::spec_json()).unwrap();
    let documented: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let tabled: BTreeSet<(String, String)> = MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(tabled.len(), MATRIX.len(), "a row is repeated");
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the permission matrix: {missing:?}"
    );
    assert!(stale.is_empty(), "rows for operations that do not exist: {stale:?}");
}

#[actix_web::test]
async fn every_operation_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    // The integration token's own webhook, made first so that the writes below give it
    // deliveries (to a port nothing listens on: they stay pending).
    let integration = app.token(Role::Integration, None);
    let webhook = app
        .with_token(&integration)
        .post("/api/v1/webhooks")
        .json(&json!({"url": "http://127.0.0.1:1/matrix", "event_types": ["organisation.*"]}))
        .await
        .json();
    let organisation = app.create_organisation("Matrix Panel", "panel").await;
    let user = app
        .create_user("matrix-user", "a long enough password", &["panel_member"])
        .await;
    let client = app.create_client("Matrix client", &["integration"]).await;
    // Public resources, so that every role (anonymous included) can read them.
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let question_id = question["id"].as_str().unwrap().to_string();
    let followed = app.create_question(json!({})).await;
    let follow_token = followed["follow_token"].as_str().unwrap().to_string();
    let response = app.create_response(&question_id, json!({})).await;
    app.publish_response(response["id"].as_str().unwrap()).await;
    let report = app.create_report(&organisation, &organisation, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R0", &organisation).await;
    let action = app
        .create_action("M-0", &[&recommendation], &organisation, "2199-01-01")
        .await;
    let programme = app.create_programme(&organisation, &[&report]).await;
    let delivery = wait_for_a_delivery(&app, &webhook).await;
    let fixtures = Fixtures {
        organisation: organisation.clone(),
        recommendation: recommendation.clone(),
        programme: programme.clone(),
        meeting: meeting.clone(),
    };
    let mut counter = 0;
    for (method, template, outcomes) in MATRIX {
        for (caller, expected) in CALLERS.iter().zip(outcomes) {
            counter += 1;
            let fresh = FRESH.contains(&(*method, *template));
            let id = match template.split('/').nth(3) {
                Some("users") => user["id"].as_str().unwrap().to_string(),
                Some("clients") => client["id"].as_str().unwrap().to_string(),
                Some("meetings") => meeting["id"].as_str().unwrap().to_string(),
                Some("imports") => pending_import(&app, &meeting, counter).await,
                // A question takes one supplementary: each call gets a public original.
                Some("questions") if template.ends_with("/supplementaries") => {
                    app.create_public_question().await["id"].as_str().unwrap().to_string()
                }
                Some("questions") if fresh => app.create_question(json!({})).await["id"].as_str().unwrap().to_string(),
                Some("questions") => question_id.clone(),
                Some("responses") if fresh => app.create_response(&question_id, json!({})).await["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                Some("responses") => response["id"].as_str().unwrap().to_string(),
                Some("reports") => report["id"].as_str().unwrap().to_string(),
                Some("programmes") => programme["id"].as_str().unwrap().to_string(),
                Some("recommendations") => recommendation["id"].as_str().unwrap().to_string(),
                Some("actions") => action["id"].as_str().unwrap().to_string(),
                Some("webhooks") if fresh => app
                    .with_token(&integration)
                    .post("/api/v1/webhooks")
                    .json(&json!({"url": "http://127.0.0.1:1/matrix", "is_active": false}))
                    .await
                    .json()["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                Some("webhooks") => webhook["id"].as_str().unwrap().to_string(),
                _ => organisation["id"].as_str().unwrap().to_string(),
            };
            let token = match template.contains("{token}") {
                true if fresh => app.create_question(json!({})).await["follow_token"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                _ => follow_token.clone(),
            };
            let path = template
                .replace("{id}", &id)
                .replace("{token}", &token)
                .replace("{slug}", "not-found")
                .replace("{delivery_id}", &delivery);
            // Search needs something to look for; subscriptions, what is followed.
            let path = if *template == "/api/v1/search" {
                format!("{path}?q=children")
            } else if *method == "get"
                && ["/api/v1/subscriptions/confirm", "/api/v1/subscriptions/unsubscribe"].contains(template)
            {
                format!("{path}?token={}", "A".repeat(43))
            } else if template.starts_with("/api/v1/subscriptions") && *method == "get" {
                format!("{path}?action_id={}", action["id"].as_str().unwrap())
            } else if *template == "/api/v1/subscriptions/unsubscribe" {
                format!("{path}?token={}", "A".repeat(43))
            } else {
                path
            };
            let body = body_for(method, template, counter, &fixtures);
            let token = caller.map(|role| app.token(role, None));
            let response = match &body {
                Some(Value::String(text)) if TEXT_BODIES.contains(&(*method, *template)) => {
                    let (method, content_type) = (method.to_uppercase(), "text/plain; charset=utf-8");
                    app.with_optional_token(token.as_deref())
                        .request(&method, &path)
                        .body(content_type, text.as_str())
                        .await
                }
                _ => {
                    app.with_optional_token(token.as_deref())
                        .request(&method.to_uppercase(), &path)
                        .optional_json(body.as_ref())
                        .await
                }
            };
            let who = caller.map_or("anonymous", |r| r.as_str());
            let context = format!("{method} {path} as {who}: {} {}", response.status, response.text());
            check_caching(method, &path, &response, &context);
            match expected {
                Ok => assert!((200..300).contains(&response.status), "expected 2xx: {context}"),
                Unauthenticated => {
                    response.assert_problem(401);
                    assert!(
                        response.header("www-authenticate").unwrap().starts_with("Bearer"),
                        "{context}"
                    );
                }
                Forbidden => {
                    response.assert_problem(403);
                }
                NotGated => assert!(![401, 403].contains(&response.status), "{context}"),
            }
        }
    }
}

/// The caching rules (`src/http/caching.rs`), for every operation and caller: an answer
/// that carries contact details is `private, no-store`; an answer to a POST never
/// carries them (the idempotency middleware keeps it for replays, and keeps no
/// no-store answer); every other answer to a GET under `/api/` says
/// `Vary: Authorization`.
fn check_caching(method: &str, path: &str, response: &crate::helpers::TestResponse, context: &str) {
    let cache_control = response.header("cache-control").unwrap_or_default();
    let no_store = cache_control.contains("no-store");
    if response.text().contains("asker_contact") {
        assert!(
            cache_control.contains("private") && no_store,
            "contact details without `private, no-store`: {context}"
        );
        assert_ne!(method, "post", "contact details in an answer to a POST: {context}");
    }
    if method == "get" && path.starts_with("/api/") && !no_store {
        let vary = response.header("vary").unwrap_or_default();
        assert!(vary.contains("Authorization"), "no `Vary: Authorization`: {context}");
    }
}

/// The id of the first delivery the worker makes for `webhook`.
async fn wait_for_a_delivery(app: &crate::helpers::TestApp, webhook: &Value) -> String {
    let path = format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().unwrap());
    for _ in 0..200 {
        let page = app.as_admin().get(&path).await.json();
        if let Some(id) = page["items"][0]["id"].as_str() {
            return id.to_string();
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the webhook got no delivery");
}

/// What the bodies of the matrix's requests refer to.
struct Fixtures {
    organisation: Value,
    recommendation: Value,
    programme: Value,
    meeting: Value,
}

/// A valid body for the operation, unique per call where uniqueness matters.
fn body_for(method: &str, template: &str, n: usize, fixtures: &Fixtures) -> Option<Value> {
    let organisation = &fixtures.organisation["id"];
    match (method, template) {
        ("post", "/api/v1/organisations") => Some(json!({"name": format!("Organisation {n}"), "kind": "other"})),
        ("patch", "/api/v1/organisations/{id}") => Some(json!({"name": format!("Matrix Panel {n}")})),
        ("put", "/api/v1/organisations/{id}/question-rules") => Some(json!({
            "deadline_clear_working_days": n % 31, "deadline_time": null, "max_words": null,
            "max_questions_per_questioner_per_meeting": null, "addressees": ["commissioner"],
            "supplementary_questions": true
        })),
        ("post", "/api/v1/users") => Some(json!({
            "username": format!("user-{n}"), "display_name": "U", "password": "a long enough password", "roles": ["force"]
        })),
        ("patch", "/api/v1/users/{id}") => Some(json!({"display_name": format!("User {n}")})),
        ("post", "/api/v1/clients") => Some(json!({"name": format!("Client {n}"), "roles": ["integration"]})),
        ("patch", "/api/v1/clients/{id}") => Some(json!({"name": format!("Client {n}")})),
        ("post", "/api/v1/meetings") => Some(json!({
            "organisation_id": organisation, "kind": "other", "title": format!("Meeting {n}"), "held_on": "2022-06-16"
        })),
        ("patch", "/api/v1/meetings/{id}") => Some(json!({"title": format!("Matrix meeting {n}")})),
        ("post", "/api/v1/questions") => Some(crate::helpers::question_body(
            json!({"title": format!("Matrix question {n}")}),
        )),
        ("patch", "/api/v1/questions/{id}") => Some(json!({"title": format!("Matrix question {n}")})),
        ("post", "/api/v1/questions/{id}/reject") => {
            Some(json!({"reason_code": "outside_remit", "reason": "Not for the panel"}))
        }
        ("post", "/api/v1/questions/{id}/refer") => Some(json!({
            "organisation_id": organisation, "reason_code": "operational_matter", "reason": "For the force"
        })),
        ("post", "/api/v1/questions/{id}/supplementaries") => Some(json!({
            "body": format!("Supplementary {n}"), "meeting_id": fixtures.meeting["id"]
        })),
        ("post", "/api/v1/questions/{id}/responses") => Some(json!({
            "kind": "written", "body": format!("Response {n}"),
            "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
            "responded_on": "2022-06-09"
        })),
        ("patch", "/api/v1/responses/{id}") => Some(json!({
            "body": format!("Corrected {n}"), "correction_note": "A correction"
        })),
        ("post", "/api/v1/reports") => Some(json!({
            "title": format!("Report {n}"), "kind": "audit", "publisher_organisation_id": organisation,
            "subject_organisation_id": organisation, "published_on": "2022-04-07"
        })),
        ("patch", "/api/v1/reports/{id}") => Some(json!({"title": format!("Report {n}")})),
        ("post", "/api/v1/reports/{id}/recommendations") => Some(json!({
            "reference": format!("R{n}"), "kind": "recommendation", "text": "Do better.",
            "addressed_to_organisation_id": organisation
        })),
        ("patch", "/api/v1/recommendations/{id}") => Some(json!({"text": format!("Do better {n}.")})),
        ("post", "/api/v1/programmes") => Some(json!({
            "name": format!("Programme {n}"), "owner": {"organisation_id": organisation, "post_title": "Head"}
        })),
        ("patch", "/api/v1/programmes/{id}") => Some(json!({"name": format!("Programme {n}")})),
        ("post", "/api/v1/actions") => Some(json!({
            "reference": format!("M-{n}"), "title": "T", "description": "D",
            "programme_id": fixtures.programme["id"],
            "recommendation_ids": [fixtures.recommendation["id"]],
            "owner": {"organisation_id": organisation, "post_title": "Head"},
            "success_measure": "S", "starts_on": "2022-06-13", "due_on": "2199-01-01"
        })),
        ("patch", "/api/v1/actions/{id}") => Some(json!({"progress_percent": n % 100})),
        ("post", "/api/v1/actions/{id}/updates") => Some(json!({
            "reported_on": "2022-07-14", "author": {"name": "A", "position": "P"}, "body": format!("Update {n}")
        })),
        // A document of its own per call, so that each one is created, not recognised.
        ("post", "/api/v1/imports") => Some(Value::String(
            crate::routes::imports::PUBLISHED.replace("urgently.", &format!("urgently (matrix {n}).")),
        )),
        // A plan of one row (a dry run, the default: it writes nothing).
        ("post", "/api/v1/programmes/{id}/import") => Some(Value::String(format!(
            "Ref,Action,Due date\nM-{n},Matrix action,31/03/2023\n"
        ))),
        ("post", "/api/v1/webhooks") => {
            Some(json!({"url": format!("http://127.0.0.1:1/hook-{n}"), "is_active": false}))
        }
        ("patch", "/api/v1/webhooks/{id}") => Some(json!({"description": format!("Matrix webhook {n}")})),
        ("post", "/api/v1/subscriptions") => Some(json!({
            "email": format!("follower{n}@example.org"), "report_id": fixtures.programme["report_ids"][0]
        })),
        ("post", "/api/v1/subscriptions/confirm") => Some(json!({"token": "A".repeat(43)})),
        ("post", "/api/v1/auth/token") => {
            Some(json!({"grant_type": "password", "username": "nobody", "password": "x"}))
        }
        _ => None,
    }
}

/// A dry run stored for confirmation at `meeting` (as the ModernGov sync stores one),
/// of minutes with one question to the Commissioner, its words made unique by `n`.
async fn pending_import(app: &crate::helpers::TestApp, meeting: &Value, n: usize) -> String {
    let id = uuid::Uuid::now_v7();
    let document = format!(
        "6.1 A member of the public asked the following question:-\n\n\"What is being done about speeding on \
         Matrix Road, section {n}?\"\n\n6.2 The Commissioner replied that speed checks on Matrix Road had been increased."
    );
    app.db
        .execute(&format!(
            "INSERT INTO pending_imports (id, meeting_id, origin, source_name, agenda_item_title, document, \
             document_hash, report) VALUES ('{id}', '{}', 'moderngov', 'Matrix {n}', 'Public Questions', '{document}', \
             'matrix-{n}', '{{}}')",
            meeting["id"].as_str().unwrap()
        ))
        .await;
    id.to_string()
}
