//! Responses: drafts, publication (which answers the question), corrections, versions.

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use scrutiny::domain::auth::Role;

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

#[actix_web::test]
async fn a_draft_is_seen_by_staff_only_and_not_embedded_in_its_question() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let office = app.token(&[Role::CommissionerOffice]);
    let body = json!({
        "kind": "written", "body": "A draft answer.",
        "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
        "responded_on": "2022-06-09"
    });
    let created = app
        .call(
            "POST",
            &format!("/api/v1/questions/{}/responses", id(&question)),
            Some(&office),
            Some(&body),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let draft = created.json();
    assert_eq!(
        (
            draft["status"].clone(),
            draft["version"].clone(),
            draft["question_id"].clone()
        ),
        (json!("draft"), json!(1), question["id"].clone())
    );
    assert_eq!(draft["author"]["position"], "Interim Joint Chief Executive");
    assert!(draft["published_at"].is_null());
    let path = format!("/api/v1/responses/{}", id(&draft));
    assert_eq!(created.header("location").as_deref(), Some(path.as_str()));

    let integration = app.token(&[Role::Integration]);
    for token in [None, Some(integration.as_str())] {
        app.call("GET", &path, token, None).await.assert_problem(404);
        app.call("GET", &format!("{path}/versions"), token, None)
            .await
            .assert_problem(404);
        let listed = app
            .call(
                "GET",
                &format!("/api/v1/questions/{}/responses", id(&question)),
                token,
                None,
            )
            .await
            .json();
        assert_eq!(listed["items"], json!([]));
    }
    let member = app.token(&[Role::PanelMember]);
    assert_eq!(app.call("GET", &path, Some(&member), None).await.status, 200);
    let listed = app
        .call(
            "GET",
            &format!("/api/v1/questions/{}/responses", id(&question)),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(listed["items"][0]["id"], draft["id"]);
    let versions = app
        .call("GET", &format!("{path}/versions"), Some(&member), None)
        .await
        .json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);
    assert_eq!(versions["items"][0]["version"], 1);
    let read = app
        .call(
            "GET",
            &format!("/api/v1/questions/{}", id(&question)),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(read.json()["responses"], json!([]));
}

#[actix_web::test]
async fn publishing_a_response_answers_its_question_in_the_same_change() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    assert_eq!(question["status"], "submitted");
    let draft = app.create_response(id(&question), json!({})).await;
    let office = app.token(&[Role::CommissionerOffice]);
    let published = app
        .call(
            "POST",
            &format!("/api/v1/responses/{}/publish", id(&draft)),
            Some(&office),
            None,
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let published = published.json();
    assert_eq!(
        (published["status"].clone(), published["version"].clone()),
        (json!("published"), json!(2))
    );
    assert!(published["published_at"].is_string());

    let read = app.get(&format!("/api/v1/questions/{}", id(&question))).await;
    assert_eq!(read.status, 200, "the answered question is public: {}", read.text());
    let answered = read.json();
    assert_eq!(answered["status"], "answered");
    assert!(answered["published_at"].is_string());
    assert_eq!(answered["responses"][0]["id"], draft["id"]);
    assert_eq!(answered["responses"][0]["status"], "published");
    assert_eq!(app.get(&format!("/api/v1/responses/{}", id(&draft))).await.status, 200);
    for action in ["response.published", "question.answered"] {
        assert_eq!(
            app.db
                .count(&format!(
                    "SELECT count(*) AS n FROM audit_events WHERE action = '{action}'"
                ))
                .await,
            1,
            "{action}"
        );
    }
    let again = app
        .post_json(&format!("/api/v1/responses/{}/publish", id(&draft)), &Value::Null)
        .await
        .assert_problem(409);
    assert_eq!(again["current_state"], "published");

    // A second response to an answered question leaves the question answered.
    let second = app.create_response(id(&question), json!({"kind": "verbal"})).await;
    app.publish_response(id(&second)).await;
    let read = app.get(&format!("/api/v1/questions/{}", id(&question))).await.json();
    assert_eq!(read["status"], "answered");
    assert_eq!(read["responses"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_response_to_a_rejected_or_withdrawn_question_cannot_be_published_and_nothing_changes() {
    let app = spawn_app().await;
    for (transition, body, state) in [
        ("reject", json!({"reason": "Operational"}), "rejected"),
        ("withdraw", Value::Null, "withdrawn"),
    ] {
        let question = app.create_question(json!({})).await;
        let draft = app.create_response(id(&question), json!({})).await;
        let path = format!("/api/v1/questions/{}", id(&question));
        assert_eq!(app.post_json(&format!("{path}/{transition}"), &body).await.status, 200);
        let problem = app
            .post_json(&format!("/api/v1/responses/{}/publish", id(&draft)), &Value::Null)
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], state);
        let response = app
            .call(
                "GET",
                &format!("/api/v1/responses/{}", id(&draft)),
                Some(&app.admin_token),
                None,
            )
            .await
            .json();
        assert_eq!(
            (response["status"].clone(), response["version"].clone()),
            (json!("draft"), json!(1))
        );
        let question = app.call("GET", &path, Some(&app.admin_token), None).await.json();
        assert_eq!(question["status"], state);
        let problem = app
            .post_json(
                &format!("{path}/responses"),
                &json!({"kind": "written", "body": "B", "author": {"name": "N", "position": "P"}, "responded_on": "2022-06-09"}),
            )
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], state, "no new drafts either");
    }
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM response_versions WHERE was_published")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_draft_is_edited_plainly_and_every_edit_is_a_version() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    let edited = app
        .patch_json(
            &path,
            &json!({"body": "A better draft.", "author": {"name": "R. Butler"}}),
            None,
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let edited = edited.json();
    assert_eq!(
        (edited["body"].clone(), edited["version"].clone()),
        (json!("A better draft."), json!(2))
    );
    assert_eq!(
        edited["author"],
        json!({"name": "R. Butler", "position": "Interim Joint Chief Executive"})
    );
    let problem = app
        .patch_json(
            &path,
            &json!({"body": "X", "correction_note": "Not a correction"}),
            None,
        )
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "correction_note");
    let versions = app
        .call("GET", &format!("{path}/versions"), Some(&app.admin_token), None)
        .await
        .json();
    let bodies: Vec<Value> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["body"].clone())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!("The force has initiated a Child Protection Improvement Programme."),
            json!("A better draft.")
        ]
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'response.updated'")
            .await,
        1
    );
}

#[actix_web::test]
async fn a_published_response_is_corrected_only_with_a_note_and_every_version_stays_readable() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    app.publish_response(id(&draft)).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    let question_path = format!("/api/v1/questions/{}", id(&question));
    let question_etag = app.get(&question_path).await.header("etag").unwrap();

    let silent = app
        .patch_json(&path, &json!({"body": "Rewritten quietly."}), None)
        .await
        .assert_problem(422);
    assert_eq!(silent["errors"][0]["field"], "correction_note");
    let empty = app
        .patch_json(&path, &json!({"correction_note": "Nothing changed"}), None)
        .await
        .assert_problem(422);
    assert!(empty["detail"].as_str().unwrap().contains("change"), "{empty}");
    assert_eq!(
        app.get(&path).await.json()["version"],
        2,
        "refused changes change nothing"
    );

    let corrected = app
        .patch_json(
            &path,
            &json!({"body": "The force has initiated a Child Protection Improvement Plan.", "correction_note": "The plan's name was wrong."}),
            Some("\"2\""),
        )
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    assert_eq!(corrected.json()["version"], 3);
    assert_eq!(corrected.json()["status"], "published");

    let versions = app.get(&format!("{path}/versions")).await;
    assert_eq!(versions.status, 200, "the history of a published response is public");
    let items = versions.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items.iter().map(|v| v["version"].clone()).collect::<Vec<_>>(),
        vec![json!(1), json!(2), json!(3)]
    );
    assert_eq!(
        items.iter().map(|v| v["was_published"].clone()).collect::<Vec<_>>(),
        vec![json!(false), json!(true), json!(true)]
    );
    assert_eq!(
        items[1]["body"],
        "The force has initiated a Child Protection Improvement Programme."
    );
    assert_eq!(items[2]["correction_note"], "The plan's name was wrong.");
    assert!(items[2]["recorded_by"].as_str().unwrap().starts_with("external:"));
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'response.corrected'")
            .await,
        1
    );

    // The question embeds the corrected text, and its ETag moved with it.
    let cached = app
        .call_with(
            "GET",
            &question_path,
            None,
            None,
            &[("if-none-match", question_etag.as_str())],
        )
        .await;
    assert_eq!(cached.status, 200, "a correction is not hidden behind a 304");
    assert_ne!(cached.header("etag").unwrap(), question_etag);
    assert_eq!(
        cached.json()["responses"][0]["body"],
        "The force has initiated a Child Protection Improvement Plan."
    );
    let current = cached.header("etag").unwrap();
    let not_modified = app
        .call_with(
            "GET",
            &question_path,
            None,
            None,
            &[("if-none-match", current.as_str())],
        )
        .await;
    assert_eq!(not_modified.status, 304);
    // The question's ETag works for If-Match too.
    let patched = app
        .patch_json(&question_path, &json!({"topics": ["policing"]}), Some(&current))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    app.patch_json(&question_path, &json!({"topics": ["fire"]}), Some(&current))
        .await
        .assert_problem(412);
}

#[actix_web::test]
async fn a_stale_if_match_on_a_response_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    app.patch_json(&path, &json!({"body": "Second"}), Some("\"1\"")).await;
    app.patch_json(&path, &json!({"body": "Third"}), Some("\"1\""))
        .await
        .assert_problem(412);
    app.call_with(
        "POST",
        &format!("{path}/publish"),
        Some(&app.admin_token),
        None,
        &[("if-match", "\"1\"")],
    )
    .await
    .assert_problem(412);
    let current = app.call("GET", &path, Some(&app.admin_token), None).await.json();
    assert_eq!(
        (
            current["body"].clone(),
            current["status"].clone(),
            current["version"].clone()
        ),
        (json!("Second"), json!("draft"), json!(2))
    );
    let question = app
        .call(
            "GET",
            &format!("/api/v1/questions/{}", id(&question)),
            Some(&app.admin_token),
            None,
        )
        .await
        .json();
    assert_eq!(question["status"], "submitted");
}

#[actix_web::test]
async fn a_response_cites_existing_recommendations_and_actions_only() {
    let app = spawn_app().await;
    let (recommendation, action) = app.seed_recommendation_and_action().await;
    let question = app.create_question(json!({})).await;
    let draft = app
        .create_response(
            id(&question),
            json!({"recommendation_ids": [recommendation], "action_ids": [action, action]}),
        )
        .await;
    assert_eq!(draft["recommendation_ids"], json!([recommendation]));
    assert_eq!(draft["action_ids"], json!([action]));
    let unknown = "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b";
    for (field, changes) in [
        (
            "recommendation_ids",
            json!({"recommendation_ids": [recommendation, unknown]}),
        ),
        ("action_ids", json!({"action_ids": [unknown]})),
    ] {
        let mut body = json!({
            "kind": "written", "body": "B", "author": {"name": "N", "position": "P"}, "responded_on": "2022-06-09"
        });
        crate::helpers::merge(&mut body, changes.clone());
        let problem = app
            .post_json(&format!("/api/v1/questions/{}/responses", id(&question)), &body)
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains(unknown));
        let problem = app
            .patch_json(&format!("/api/v1/responses/{}", id(&draft)), &changes, None)
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let cleared = app
        .patch_json(
            &format!("/api/v1/responses/{}", id(&draft)),
            &json!({"action_ids": []}),
            None,
        )
        .await
        .json();
    assert_eq!(cleared["action_ids"], json!([]));
    assert_eq!(cleared["recommendation_ids"], json!([recommendation]));
}

#[actix_web::test]
async fn invalid_response_fields_are_a_422() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let path = format!("/api/v1/questions/{}/responses", id(&question));
    let valid = json!({
        "kind": "written", "body": "B", "author": {"name": "N", "position": "P"}, "responded_on": "2022-06-09"
    });
    for (changes, field) in [
        (json!({"responded_on": "2022-05-30"}), "responded_on"),
        (json!({"responded_on": "2222-01-01"}), "responded_on"),
        (json!({"kind": "sung"}), "kind"),
        (json!({"body": "a\u{0}b"}), "body"),
        (json!({"body": "x".repeat(20_001)}), "body"),
        (json!({"author": {"name": "", "position": "P"}}), "author.name"),
        (json!({"author": {"name": "N"}}), "author"),
        (json!({"status": "published"}), "status"),
        (json!({"published_at": "2022-06-09T00:00:00Z"}), "published_at"),
        (json!({"correction_note": "No"}), "correction_note"),
    ] {
        let mut body = valid.clone();
        crate::helpers::merge(&mut body, changes.clone());
        let problem = app.post_json(&path, &body).await.assert_problem(422);
        let errors = problem["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field || e["message"].as_str().unwrap().contains(field)),
            "{changes} should name {field}: {problem}"
        );
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM responses").await, 0);
    app.post_json(
        "/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/responses",
        &valid,
    )
    .await
    .assert_problem(404);
    let draft = app.create_response(id(&question), json!({})).await;
    let problem = app
        .patch_json(
            &format!("/api/v1/responses/{}", id(&draft)),
            &json!({"status": "published"}),
            None,
        )
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "status");
    for role in [Role::Secretariat, Role::PanelMember, Role::Force] {
        let token = app.token(&[role]);
        app.call("POST", &path, Some(&token), Some(&valid))
            .await
            .assert_problem(403);
    }
}
