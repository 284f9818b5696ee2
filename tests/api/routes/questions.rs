//! Questions: asking, references, deadlines, visibility, contact details, transitions.

use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::helpers::{
    assert_consecutive_references, assert_fields, assert_first_error_says, assert_names_field, field_of_each,
    question_body, spawn_app, TestApp,
};
use scrutiny::domain::auth::Role;
use scrutiny::domain::calendar::Calendar;

const PASSWORD: &str = "correct horse battery staple";

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

fn question_path(question: &Value) -> String {
    format!("/api/v1/questions/{}", id(question))
}

async fn ask_anonymously(app: &TestApp, changes: Value) -> crate::helpers::TestResponse {
    app.anonymous()
        .post("/api/v1/questions")
        .json(&question_body(changes))
        .await
}

async fn user_token(app: &TestApp, username: &str, roles: &[&str]) -> (Value, String) {
    let user = app.create_user(username, PASSWORD, roles).await;
    let token = app.sign_in(username, PASSWORD).await;
    (user, token)
}

#[actix_web::test]
async fn a_member_of_the_public_asks_without_a_token_and_gets_a_submitted_question_with_a_reference() {
    let app = spawn_app().await;
    let response = ask_anonymously(&app, json!({})).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let question = response.json();
    assert_eq!(question["reference"], "PQ-2022-0001");
    assert_eq!(question["status"], "submitted");
    assert_eq!(
        question["asker"],
        json!({"kind": "member_of_public", "display_name": "A member of the public"})
    );
    assert_eq!(question["topics"], json!(["child-protection"]));
    assert_eq!(question["responses"], json!([]));
    assert!(question["published_at"].is_null() && question["source"].is_null());
    assert!(
        question.get("asker_contact").is_none(),
        "the asker is not shown contact details: {question}"
    );
    assert_eq!(
        response.header("location").unwrap(),
        format!("/api/v1/questions/{}", id(&question))
    );
    assert_eq!(response.header("etag").as_deref(), Some("\"1\""));
}

#[actix_web::test]
async fn asked_on_defaults_to_today_and_may_not_be_in_the_future() {
    let app = spawn_app().await;
    let question = app.create_question(json!({"asked_on": null})).await;
    let today = Utc::now().date_naive();
    assert_eq!(question["asked_on"], today.to_string());
    assert!(question["reference"]
        .as_str()
        .unwrap()
        .starts_with(&format!("PQ-{}-", today.format("%Y"))));
    let future = (today + Days::new(2)).to_string();
    app.as_admin()
        .post("/api/v1/questions")
        .json(&question_body(json!({"asked_on": future})))
        .await
        .assert_invalid("asked_on");
}

#[actix_web::test]
async fn references_are_numbered_in_order_within_the_year_asked() {
    let app = spawn_app().await;
    let references: Vec<Value> = ["2022-05-31", "2022-06-01", "2023-01-04", "2022-12-31", "2023-02-01"]
        .iter()
        .map(|asked_on| json!({"asked_on": asked_on}))
        .collect();
    let mut got = Vec::new();
    for changes in references {
        got.push(app.create_question(changes).await["reference"].clone());
    }
    assert_eq!(
        got,
        vec![
            json!("PQ-2022-0001"),
            json!("PQ-2022-0002"),
            json!("PQ-2023-0001"),
            json!("PQ-2022-0003"),
            json!("PQ-2023-0002")
        ]
    );
}

#[actix_web::test]
async fn concurrent_submissions_get_distinct_consecutive_references() {
    let app = spawn_app().await;
    let bodies: Vec<Value> = (0..8)
        .map(|i| question_body(json!({"title": format!("Question {i}")})))
        .collect();
    let submissions = bodies
        .iter()
        .map(|body| app.as_admin().post("/api/v1/questions").json(body).send());
    let responses = futures_util::future::join_all(submissions).await;
    assert_consecutive_references(&responses, 2022);
}

#[actix_web::test]
async fn anonymous_questions_are_rate_limited_per_address_with_retry_after() {
    let app = spawn_app().await;
    // A refused submission is not counted against the limit.
    ask_anonymously(&app, json!({"title": ""})).await.assert_problem(422);
    for i in 0..5 {
        let response = ask_anonymously(&app, json!({"title": format!("Question {i}")})).await;
        assert_eq!(response.status, 201, "{}", response.text());
    }
    let limited = ask_anonymously(&app, json!({"title": "One too many"})).await;
    limited.assert_problem(429);
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    // Claiming to be someone else through a proxy header changes nothing: no proxy is
    // trusted, so the address is the connection's.
    for forged in ["198.51.100.1", "198.51.100.2, 203.0.113.5"] {
        app.anonymous()
            .post("/api/v1/questions")
            .header("x-forwarded-for", forged)
            .json(&question_body(json!({"title": "From elsewhere, allegedly"})))
            .await
            .assert_problem(429);
    }
    app.db.assert_rows("questions", 5).await;
    // Signed-in callers are not limited by the anonymous limit.
    assert_eq!(
        app.as_admin()
            .post("/api/v1/questions")
            .json(&question_body(json!({})))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn an_idempotency_key_replays_an_anonymous_submission_without_a_second_question() {
    let app = spawn_app().await;
    let body = question_body(json!({}));
    let (first, retry) = app
        .anonymous()
        .post_twice("/api/v1/questions", "question-1", &body)
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    // The answer shows the follow token once (no-store), so the retry is sent to the
    // question rather than given the token again.
    assert_eq!(retry.status, 303, "{}", retry.text());
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.header("location"), first.header("location"));
    app.db.assert_rows("questions", 1).await;
    assert_eq!(
        app.db.count("SELECT count(*) AS n FROM rate_limit_events").await,
        1,
        "a replay is not another submission"
    );
}

#[actix_web::test]
async fn an_anonymous_question_needs_a_valid_e_mail_address() {
    let app = spawn_app().await;
    let problem = ask_anonymously(&app, json!({"asker_contact": null}))
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "asker_contact.email");
    for email in [
        "resident",
        "resident@example",
        "a b@example.org",
        "resident@example.org\u{0}",
    ] {
        let problem = ask_anonymously(&app, json!({"asker_contact": {"email": email}}))
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "asker_contact.email", "{email:?}");
    }
    // Staff may record a question from someone who left no e-mail address.
    app.create_question(json!({"asker_contact": null})).await;
}

#[actix_web::test]
async fn invalid_unknown_and_server_owned_fields_are_a_422_and_create_nothing() {
    let app = spawn_app().await;
    let cases = [
        (json!({"title": "a\u{0}b"}), "title"),
        (json!({"title": "x".repeat(301)}), "title"),
        (json!({"body": "x".repeat(20_001)}), "body"),
        (json!({"body": " "}), "body"),
        (json!({"topics": ["Child Protection"]}), "topics[0]"),
        (
            json!({"topics": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "topics",
        ),
        (json!({"asker": {"display_name": ""}}), "asker.display_name"),
        (
            json!({"asker": {"display_name": "A", "email": "x@example.org"}}),
            "asker.email",
        ),
        (json!({"asked_on": "1999-12-31"}), "asked_on"),
        (json!({"asked_on": "31/05/2022"}), "asked_on"),
        (json!({"colour": "blue"}), "colour"),
        (json!({"status": "accepted"}), "status"),
        (json!({"reference": "PQ-2022-0099"}), "reference"),
        (json!({"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}), "id"),
        (json!({"published_at": "2022-06-01T00:00:00Z"}), "published_at"),
        (
            json!({"recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"]}),
            "recommendation_ids",
        ),
        (
            json!({"parent_question_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
            "parent_question_id",
        ),
        (
            json!({"meeting_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
            "meeting_id",
        ),
    ];
    for (changes, field) in cases {
        let problem = app
            .as_admin()
            .post("/api/v1/questions")
            .json(&question_body(changes.clone()))
            .await
            .assert_problem(422);
        assert_names_field(&problem, field, &changes);
    }
    app.db.assert_rows("questions", 0).await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM question_reference_counters")
            .await,
        0,
        "a refused question uses up no reference"
    );
}

#[actix_web::test]
async fn existing_recommendations_are_recorded_with_the_question() {
    let app = spawn_app().await;
    let (recommendation, _) = app.seed_recommendation_and_action().await;
    let question = app
        .create_question(json!({"recommendation_ids": [recommendation, recommendation]}))
        .await;
    assert_eq!(question["recommendation_ids"], json!([recommendation]));
    let listed = app
        .as_admin()
        .get(&format!("/api/v1/questions?recommendation_id={recommendation}"))
        .await
        .json();
    assert_eq!(listed["items"][0]["id"], question["id"]);
}

#[actix_web::test]
async fn who_may_ask_what_kind_of_question() {
    let app = spawn_app().await;
    let body = question_body(json!({}));
    for role in [Role::CommissionerOffice, Role::Force, Role::Integration] {
        let token = app.token(role, None);
        app.with_token(&token)
            .post("/api/v1/questions")
            .json(&body)
            .await
            .assert_problem(403);
    }
    let panel_question = question_body(json!({"asker": {"kind": "panel_member", "display_name": "Cllr Smith"}}));
    ask_anonymously(&app, panel_question.clone()).await.assert_problem(401);
    let public_question = question_body(json!({"asker": {"kind": "member_of_public", "display_name": "A"}}));
    app.as_role(Role::PanelMember, None)
        .post("/api/v1/questions")
        .json(&public_question)
        .await
        .assert_problem(403);
    let asked = app
        .as_role(Role::PanelMember, None)
        .post("/api/v1/questions")
        .json(&body)
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    assert_eq!(asked.json()["asker"]["kind"], "panel_member");
    let recorded = app
        .as_role(Role::Secretariat, None)
        .post("/api/v1/questions")
        .json(&panel_question)
        .await;
    assert_eq!(recorded.json()["asker"]["kind"], "panel_member");
    app.db.assert_rows("questions", 2).await;
}

#[actix_web::test]
async fn a_question_for_a_meeting_whose_deadline_has_passed_is_refused_with_the_deadline() {
    let app = spawn_app().await;
    let calendar = Calendar::england_and_wales();
    let today = Utc::now().date_naive();
    for held_on in [today - Days::new(7), today + Days::new(1), today + Days::new(3)] {
        let meeting = app.create_meeting("panel_meeting", &held_on.to_string()).await;
        let deadline = calendar.question_deadline(held_on).unwrap();
        let instant = calendar
            .question_deadline_instant(held_on)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let problem = ask_anonymously(&app, json!({"meeting_id": meeting["id"], "asked_on": null}))
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "meeting_id");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&deadline.to_string()) && message.contains(&instant),
            "{held_on}: {message}"
        );
    }
    let in_time = app
        .create_meeting("panel_meeting", &(today + Days::new(30)).to_string())
        .await;
    let response = ask_anonymously(&app, json!({"meeting_id": in_time["id"], "asked_on": null})).await;
    assert_eq!(response.status, 201, "{}", response.text());
    assert_eq!(response.json()["meeting_id"], in_time["id"]);
}

#[actix_web::test]
async fn only_a_panel_meeting_takes_questions_and_the_public_cannot_name_a_private_one() {
    let app = spawn_app().await;
    let later = (Utc::now().date_naive() + Days::new(40)).to_string();
    let board = app.create_meeting("strategic_governance_board", &later).await;
    let problem = app
        .as_admin()
        .post("/api/v1/questions")
        .json(&question_body(json!({"meeting_id": board["id"]})))
        .await
        .assert_problem(422);
    assert_first_error_says(&problem, "panel_meeting");

    let private = app.create_meeting("panel_meeting", &later).await;
    app.as_admin()
        .patch(&format!("/api/v1/meetings/{}", id(&private)))
        .json(&json!({"is_public": false}))
        .await;
    let problem = ask_anonymously(&app, json!({"meeting_id": private["id"]}))
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "meeting_id");
    let question = app.create_question(json!({"meeting_id": private["id"]})).await;
    assert_eq!(question["meeting_id"], private["id"]);
}

#[actix_web::test]
async fn a_submitted_question_is_hidden_from_anonymous_and_integration_callers() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    app.anonymous().get(&path).await.assert_problem(404);
    let integration = app.token(Role::Integration, None);
    app.with_token(&integration).get(&path).await.assert_problem(404);
    for who in [None, Some(integration.as_str())] {
        let listed = app.with_optional_token(who).get("/api/v1/questions").await.json();
        assert_eq!(listed["items"], json!([]));
        let asked_for = app
            .with_optional_token(who)
            .get("/api/v1/questions?status=submitted")
            .await;
        assert_eq!(asked_for.json()["items"], json!([]));
    }
    for role in [Role::PanelMember, Role::CommissionerOffice, Role::Force] {
        let token = app.token(role, None);
        let read = app.with_token(&token).get(&path).await;
        assert_eq!(read.status, 200, "{role}");
        assert!(
            read.json().get("asker_contact").is_none(),
            "{role} sees no contact details"
        );
        assert!(!read.text().contains("resident@example.org"));
    }
}

#[actix_web::test]
async fn only_the_secretariat_and_admins_see_contact_details() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let path = question_path(&question);
    for role in [Role::Secretariat, Role::Admin] {
        let token = app.token(role, None);
        let read = app.with_token(&token).get(&path).await.json();
        assert_eq!(
            read["asker_contact"],
            json!({"email": "resident@example.org", "phone": "01785 000000"}),
            "{role}"
        );
        let listed = app.with_token(&token).get("/api/v1/questions").await.json();
        assert_eq!(listed["items"][0]["asker_contact"]["email"], "resident@example.org");
    }
    for token in [
        None,
        Some(app.token(Role::PanelMember, None)),
        Some(app.token(Role::Integration, None)),
    ] {
        let read = app.with_optional_token(token.as_deref()).get(&path).await;
        assert_eq!(read.status, 200);
        assert!(read.json().get("asker_contact").is_none());
        let listed = app.with_optional_token(token.as_deref()).get("/api/v1/questions").await;
        assert_eq!(listed.json()["items"].as_array().unwrap().len(), 1);
        assert!(!listed.text().contains("resident@example.org") && !listed.text().contains("01785"));
    }
}

#[actix_web::test]
async fn contact_details_never_reach_the_audit_log() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    let changed = app
        .as_admin()
        .patch(&path)
        .json(&json!({"asker_contact": {"email": "new-address@example.org", "address": "1 High Street"}}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(
        changed.json()["asker_contact"],
        json!({"email": "new-address@example.org", "phone": "01785 000000", "address": "1 High Street"})
    );
    app.as_admin().post(&format!("{path}/accept")).json(&Value::Null).await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM audit_events WHERE resource_type = 'question'",
            3,
        )
        .await;
    assert_eq!(
        app.db
            .count(
                "SELECT count(*) AS n FROM audit_events WHERE coalesce(before::text, '') || coalesce(after::text, '') \
                 ~ '(example\\.org|01785|High Street)'"
            )
            .await,
        0
    );
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'question.updated' AND after->>'has_asker_contact' = 'true'", 1).await;
}

#[actix_web::test]
async fn contact_details_are_merged_by_a_patch_and_can_be_forgotten() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    let no_phone = app
        .as_admin()
        .patch(&path)
        .json(&json!({"asker_contact": {"phone": null}}))
        .await;
    assert_eq!(
        no_phone.json()["asker_contact"],
        json!({"email": "resident@example.org"})
    );
    app.as_admin()
        .patch(&path)
        .json(&json!({"asker_contact": {"email": null}}))
        .await
        .assert_invalid("asker_contact.email");
    let forgotten = app.as_admin().patch(&path).json(&json!({"asker_contact": null})).await;
    assert!(forgotten.json()["asker_contact"].is_null());
    app.db
        .assert_count("SELECT count(*) AS n FROM questions WHERE asker_contact IS NULL", 1)
        .await;
    app.as_admin()
        .patch(&path)
        .json(&json!({"asker_contact": {"phone": "01785 111111"}}))
        .await
        .assert_invalid("asker_contact.email");
}

#[actix_web::test]
async fn accepting_makes_a_question_public_and_accepting_again_is_a_409_with_its_state() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    let accepted = app.as_admin().post(&format!("{path}/accept")).json(&Value::Null).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    let accepted = accepted.json();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["version"], 2);
    assert!(accepted["published_at"].is_string());
    assert_eq!(app.anonymous().get(&path).await.status, 200, "public now");
    let again = app
        .as_admin()
        .post(&format!("{path}/accept"))
        .json(&Value::Null)
        .await
        .assert_problem(409);
    assert_eq!(again["current_state"], "accepted");
    let reject = app
        .as_admin()
        .post(&format!("{path}/reject"))
        .json(&json!({"reason_code": "late", "reason": "Too late"}))
        .await
        .assert_problem(409);
    assert_eq!(reject["current_state"], "accepted");
    app.db.assert_audited("question.accepted", 1).await;
}

#[actix_web::test]
async fn rejecting_needs_a_ground_and_a_reason_and_keeps_the_question_private() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    app.as_admin()
        .post(&format!("{path}/reject"))
        .json(&json!({}))
        .await
        .assert_problem(422);
    app.as_admin()
        .post(&format!("{path}/reject"))
        .json(&json!({"reason_code": "operational_matter", "reason": " "}))
        .await
        .assert_invalid("reason");
    let rejected = app
        .as_admin()
        .post(&format!("{path}/reject"))
        .json(&json!({"reason_code": "operational_matter", "reason": "An operational matter"}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text());
    let rejected = rejected.json();
    assert_eq!(
        (
            rejected["status"].clone(),
            rejected["rejection_reason_code"].clone(),
            rejected["rejection_reason"].clone()
        ),
        (
            json!("rejected"),
            json!("operational_matter"),
            json!("An operational matter")
        )
    );
    assert!(rejected["published_at"].is_null());
    app.anonymous().get(&path).await.assert_problem(404);
    for transition in ["accept", "withdraw"] {
        let problem = app
            .as_admin()
            .post(&format!("{path}/{transition}"))
            .json(&Value::Null)
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], "rejected", "{transition}");
    }
}

#[actix_web::test]
async fn the_secretariat_withdraws_a_submitted_or_accepted_question_once() {
    let app = spawn_app().await;
    let clerk = app.token(Role::Secretariat, None);
    for question in [app.create_question(json!({})).await, app.create_public_question().await] {
        let path = format!("{}/withdraw", question_path(&question));
        let withdrawn = app.with_token(&clerk).post(&path).await;
        assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
        assert_eq!(withdrawn.json()["status"], "withdrawn");
        let again = app.with_token(&clerk).post(&path).await.assert_problem(409);
        assert_eq!(again["current_state"], "withdrawn");
        app.anonymous().get(&question_path(&question)).await.assert_problem(404);
    }
}

#[actix_web::test]
async fn a_panel_member_may_withdraw_their_own_question_but_not_anothers() {
    let app = spawn_app().await;
    let (asker, asker_token) = user_token(&app, "cllr-smith", &["panel_member"]).await;
    let (_, other_token) = user_token(&app, "cllr-jones", &["panel_member"]).await;
    let body = question_body(json!({"asker": {"display_name": "Cllr Smith"}, "asker_contact": null}));
    let asked = app.with_token(&asker_token).post("/api/v1/questions").json(&body).await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    let question = asked.json();
    assert_eq!(
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM questions WHERE asker_user_id = '{}'",
                id(&asker)
            ))
            .await,
        1
    );
    let path = format!("{}/withdraw", question_path(&question));
    app.with_token(&other_token).post(&path).await.assert_problem(403);
    app.with_token(&app.token(Role::PanelMember, None))
        .post(&path)
        .await
        .assert_problem(403);
    app.with_token(&app.token(Role::Force, None))
        .post(&path)
        .await
        .assert_problem(403);
    let withdrawn = app.with_token(&asker_token).post(&path).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
    assert_eq!(withdrawn.json()["status"], "withdrawn");
}

#[actix_web::test]
async fn a_stale_if_match_on_a_transition_or_patch_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    let token = app.admin_token.clone();
    let etag = app.with_token(&token).get(&path).await.header("etag").unwrap();
    let patched = app
        .as_admin()
        .patch(&path)
        .json(&json!({"title": "A better title"}))
        .if_match(&etag)
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    let stale = [("if-match", etag.as_str())];
    app.with_token(&token)
        .post(&format!("{path}/accept"))
        .headers(&stale)
        .await
        .assert_problem(412);
    app.as_admin()
        .patch(&path)
        .json(&json!({"title": "Overwritten"}))
        .if_match(&etag)
        .await
        .assert_problem(412);
    let current = app.with_token(&token).get(&path).await.json();
    assert_eq!(
        (
            current["status"].clone(),
            current["title"].clone(),
            current["version"].clone()
        ),
        (json!("submitted"), json!("A better title"), json!(2))
    );
    let fresh = [("if-match", "\"2\"")];
    let accepted = app
        .with_token(&token)
        .post(&format!("{path}/accept"))
        .headers(&fresh)
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
}

#[actix_web::test]
async fn a_patch_changes_the_fields_given_but_never_status_or_reference() {
    let app = spawn_app().await;
    let (recommendation, _) = app.seed_recommendation_and_action().await;
    let later = (Utc::now().date_naive() + Days::new(40)).to_string();
    let meeting = app.create_meeting("panel_meeting", &later).await;
    let question = app.create_question(json!({})).await;
    let path = question_path(&question);
    let changed = app
        .as_admin().patch(&path).json(&json!({"topics": ["policing", "child-protection"], "meeting_id": meeting["id"], "recommendation_ids": [recommendation]}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let changed = changed.json();
    assert_eq!(changed["topics"], json!(["policing", "child-protection"]));
    assert_eq!(changed["meeting_id"], meeting["id"]);
    assert_eq!(changed["recommendation_ids"], json!([recommendation]));
    assert_eq!(changed["title"], question["title"]);
    let off_agenda = app
        .as_admin()
        .patch(&path)
        .json(&json!({"meeting_id": null}))
        .await
        .json();
    assert!(off_agenda["meeting_id"].is_null());
    for (body, field) in [
        (json!({"status": "accepted"}), "status"),
        (json!({"reference": "PQ-1999-0001"}), "reference"),
        (json!({"version": 7}), "version"),
        (json!({"asked_on": "2022-01-01"}), "asked_on"),
        (json!({"title": null}), "title"),
        (json!({"title": "x".repeat(301)}), "title"),
        (json!({"body": "a\u{0}"}), "body"),
        (
            json!({"recommendation_ids": ["01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"]}),
            "recommendation_ids",
        ),
    ] {
        let problem = app.as_admin().patch(&path).json(&body).await.assert_problem(422);
        assert_names_field(&problem, field, &body);
    }
    let current = app.as_admin().get(&path).await.json();
    assert_fields(&current, json!({"status": "submitted", "version": 3}));
    let member = app.token(Role::PanelMember, None);
    app.with_token(&member)
        .patch(&path)
        .json(&json!({"title": "Mine"}))
        .await
        .assert_problem(403);
}

#[actix_web::test]
async fn the_list_is_newest_first_and_filters_by_status_topic_kind_dates_and_text() {
    let app = spawn_app().await;
    let old = app
        .create_question(
            json!({"asked_on": "2021-03-01", "title": "Rural crime in 100% of villages", "topics": ["rural-crime"]}),
        )
        .await;
    let middle = app.create_public_question().await;
    let new = app
        .create_question(json!({"asked_on": "2022-09-01", "body": "About FIRE safety", "topics": ["fire"], "asker": {"kind": "panel_member", "display_name": "Cllr"}}))
        .await;
    let admin = app.admin_token.clone();
    let ids = |page: Value| -> Vec<Value> { field_of_each(&page["items"], "id") };
    let list = |query: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.with_token(&admin)
                .get(&format!("/api/v1/questions?{query}"))
                .await
                .json()
        }
    };
    assert_eq!(
        ids(list("").await),
        vec![new["id"].clone(), middle["id"].clone(), old["id"].clone()]
    );
    assert_eq!(ids(list("status=accepted").await), vec![middle["id"].clone()]);
    assert_eq!(ids(list("topic=rural-crime").await), vec![old["id"].clone()]);
    assert_eq!(ids(list("asker_kind=panel_member").await), vec![new["id"].clone()]);
    assert_eq!(
        ids(list("asked_from=2022-01-01&asked_to=2022-06-30").await),
        vec![middle["id"].clone()]
    );
    assert_eq!(ids(list("q=fire").await), vec![new["id"].clone()]);
    assert_eq!(
        ids(list("q=100%25").await),
        vec![old["id"].clone()],
        "% is not a wildcard"
    );
    // `q` is a full-text search of words: punctuation alone is no word, so it finds
    // nothing (and never everything, as an unescaped LIKE wildcard would).
    assert_eq!(ids(list("q=%25").await), Vec::<Value>::new());

    let mut paged = Vec::new();
    let mut path = "/api/v1/questions?limit=1".to_string();
    loop {
        let page = app.with_token(&admin).get(&path).await.json();
        paged.extend(ids(page.clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/questions?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, ids(list("").await));
}

#[actix_web::test]
async fn a_supplementary_question_names_its_parent() {
    let app = spawn_app().await;
    let parent = app.create_public_question().await;
    let private_parent = app.create_question(json!({})).await;
    let response = ask_anonymously(&app, json!({"parent_question_id": parent["id"]})).await;
    assert_eq!(response.status, 201, "{}", response.text());
    assert_eq!(response.json()["parent_question_id"], parent["id"]);
    let problem = ask_anonymously(&app, json!({"parent_question_id": private_parent["id"]}))
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "parent_question_id");
}

#[actix_web::test]
async fn a_noncharacter_in_a_question_is_a_422_naming_the_field_from_staff_or_the_public() {
    let app = spawn_app().await;
    for (field, changes) in [
        ("title", json!({"title": "Safeguarding\u{FFFF}"})),
        ("title", json!({"title": "\u{FFFE}Safeguarding"})),
        ("body", json!({"body": "What exactly\u{FDD0}?"})),
        ("asker.display_name", json!({"asker": {"display_name": "A\u{1FFFF}"}})),
        (
            "asker_contact.email",
            json!({"asker_contact": {"email": "a\u{FFFF}@example.org"}}),
        ),
    ] {
        for caller in [app.as_admin(), app.anonymous()] {
            let problem = caller
                .post("/api/v1/questions")
                .json(&question_body(changes.clone()))
                .await
                .assert_problem(422);
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
            assert_first_error_says(&problem, "noncharacter");
        }
    }
    app.db.assert_rows("questions", 0).await;
}

#[actix_web::test]
async fn question_text_is_stored_in_nfc_and_its_length_counted_after() {
    let app = spawn_app().await;
    // 300 characters once composed, 400 as sent.
    let title = "e\u{301}".repeat(100) + &"x".repeat(200);
    let created = app
        .create_question(json!({"title": title, "body": "Ynys Mo\u{302}n", "asker": {"display_name": "Sio\u{302}n"}}))
        .await;
    assert_eq!(created["title"], "\u{E9}".repeat(100) + &"x".repeat(200));
    assert_eq!(created["body"], "Ynys M\u{F4}n");
    assert_eq!(created["asker"]["display_name"], "Si\u{F4}n");
}

/// Whether a response may be stored by no cache.
fn no_store(response: &crate::helpers::TestResponse) -> bool {
    response
        .header("cache-control")
        .is_some_and(|value| value.contains("private") && value.contains("no-store"))
}

#[actix_web::test]
async fn answers_carrying_contact_details_are_private_no_store_and_the_others_vary_by_caller() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let path = question_path(&question);
    let reads = [
        path.clone(),
        "/api/v1/questions".to_string(),
        "/api/v1/questions?status=accepted&limit=1".to_string(),
        format!("{path}/accountability"),
    ];
    for role in [Role::Secretariat, Role::Admin] {
        let token = app.token(role, None);
        for read_path in &reads {
            let read = app.with_token(&token).get(read_path).await;
            assert_eq!(read.status, 200, "{read_path}: {}", read.text());
            assert!(read.text().contains("resident@example.org"), "{read_path}");
            assert!(
                no_store(&read),
                "{role} {read_path}: {:?}",
                read.header("cache-control")
            );
        }
        // A conditional read that finds the copy current says the same.
        let etag = app.with_token(&token).get(&path).await.header("etag").unwrap();
        let not_modified = app.with_token(&token).get(&path).header("if-none-match", &etag).await;
        assert_eq!(not_modified.status, 304);
        assert!(no_store(&not_modified), "{role}: 304");
        // As does the answer to a change.
        let changed = app
            .with_token(&token)
            .patch(&path)
            .json(&json!({"title": format!("Retitled by {role}")}))
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text());
        assert!(changed.text().contains("resident@example.org"));
        assert!(no_store(&changed), "{role}: PATCH");
    }
    // Whoever sees no contact details gets the usual caching, keyed on the caller.
    for token in [
        None,
        Some(app.token(Role::PanelMember, None)),
        Some(app.token(Role::Integration, None)),
    ] {
        for read_path in &reads {
            let read = app.with_optional_token(token.as_deref()).get(read_path).await;
            assert_eq!(read.status, 200, "{read_path}");
            assert!(!read.text().contains("asker_contact"), "{read_path}");
            assert!(!no_store(&read), "{read_path}: {:?}", read.header("cache-control"));
            let vary = read.header("vary").unwrap_or_default();
            assert!(vary.contains("Authorization"), "{read_path}: Vary {vary:?}");
        }
    }
    // The list's other Vary (it is a CSV export too) is kept beside it.
    let listed = app.anonymous().get("/api/v1/questions").await;
    assert_eq!(listed.header("vary").as_deref(), Some("Accept, Authorization"));
    // CSV exports never carry contact details, so keep their caching.
    let csv = app
        .as_admin()
        .get("/api/v1/questions")
        .header("accept", "text/csv")
        .await;
    assert_eq!(csv.status, 200);
    assert!(!csv.text().contains("resident@example.org") && !no_store(&csv));
}

#[actix_web::test]
async fn answers_to_posts_carry_no_contact_details_so_an_idempotent_retry_replays_and_creates_nothing() {
    // The idempotency middleware keeps no answer marked no-store; an answer to a POST
    // never carries contact details, so it needs no such mark and is kept for replays.
    let app = spawn_app().await;
    let secretariat = app.token(Role::Secretariat, None);
    let ask = || {
        app.with_token(&secretariat)
            .post("/api/v1/questions")
            .header("idempotency-key", "ask-once-with-contact-details")
            .json(&question_body(json!({})))
    };
    let first = ask().await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert!(first.json().get("asker_contact").is_none(), "{}", first.text());
    assert!(!first.text().contains("resident@example.org"));
    // The answer to asking shows the follow token once (no-store): a retry is sent to
    // the question (303), and creates nothing.
    let replayed = ask().await;
    assert_eq!(replayed.status, 303, "{}", replayed.text());
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replayed.header("location"), first.header("location"));
    app.db.assert_rows("questions", 1).await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM idempotency_keys WHERE convert_from(response_body, 'UTF8') LIKE '%resident@example.org%'")
            .await,
        0,
        "no stored answer holds contact details"
    );
    // The contact details were kept, for whoever may read them.
    let read = app.with_token(&secretariat).get(&question_path(&first.json())).await;
    assert_eq!(read.json()["asker_contact"]["email"], "resident@example.org");
    // Transitions are POSTs too: accepting answers without them, and replays.
    let accept = || {
        app.with_token(&secretariat)
            .post(&format!("{}/accept", question_path(&first.json())))
            .header("idempotency-key", "accept-once")
            .json(&Value::Null)
    };
    let accepted = accept().await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert!(accepted.json().get("asker_contact").is_none());
    let again = accept().await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
}

#[actix_web::test]
async fn a_question_put_or_answered_at_a_meeting_keeps_its_meeting() {
    let app = spawn_app().await;
    let held = app.create_meeting("panel_meeting", "2022-06-16").await;
    let coming = app
        .create_meeting("panel_meeting", &(Utc::now().date_naive() + Days::new(60)).to_string())
        .await;
    let before_asked = app.create_meeting("panel_meeting", "2022-05-01").await;
    let patch = |question: &Value, meeting: &Value| {
        app.as_admin()
            .patch(&question_path(question))
            .json(&json!({"meeting_id": meeting.get("id").cloned().unwrap_or(Value::Null)}))
    };
    // Not yet put: it may be scheduled, moved, and taken off the agenda.
    let free = app.create_public_question().await;
    assert_eq!(patch(&free, &coming).await.status, 200);
    assert_eq!(patch(&free, &json!({})).await.status, 200);
    // But never to a meeting held before it was asked.
    patch(&free, &before_asked).await.assert_invalid("meeting_id");

    // Put at a meeting already held.
    let put = app.create_public_question().await;
    assert_eq!(patch(&put, &held).await.status, 200);
    // A supplementary asked at a meeting.
    let original = app.create_public_question().await;
    let supplementary = app
        .as_admin()
        .post(&format!("{}/supplementaries", question_path(&original)))
        .json(&json!({"body": "And the districts?", "meeting_id": held["id"]}))
        .await;
    assert_eq!(supplementary.status, 201, "{}", supplementary.text());
    let supplementary = supplementary.json();
    // Answered at a meeting (a draft verbal answer is enough).
    let answered = app.create_public_question().await;
    app.create_response(
        id(&answered),
        json!({"kind": "verbal", "meeting_id": held["id"], "responded_on": "2022-06-16"}),
    )
    .await;
    // Answered in writing.
    let written = app.create_public_question().await;
    let response = app.create_response(id(&written), json!({})).await;
    app.publish_response(id(&response)).await;

    let versions = app.db.count("SELECT sum(version) AS n FROM questions").await;
    let nowhere = json!({});
    for (question, words, moves) in [
        (&put, "2022-06-16", vec![&coming, &nowhere]),
        (&supplementary, "supplementary", vec![&coming, &nowhere]),
        (&original, "supplementary", vec![&coming]),
        (&answered, "verbal response", vec![&coming]),
        (&written, "published response", vec![&coming]),
    ] {
        for to in moves {
            let refused = patch(question, to).await.assert_problem(409);
            let detail = refused["detail"].as_str().unwrap();
            assert!(detail.contains(words), "{detail}");
        }
    }
    assert_eq!(app.db.count("SELECT sum(version) AS n FROM questions").await, versions);
    // Naming the meeting it has is no move.
    assert_eq!(patch(&put, &held).await.status, 200);
}
