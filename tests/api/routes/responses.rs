//! Responses: drafts, publication (which answers the question), corrections, versions.

use serde_json::{json, Value};

use crate::helpers::{assert_fields, assert_names_field, assert_stale_tag_refused, field_of_each, spawn_app};
use scrutiny::domain::auth::Role;

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

#[actix_web::test]
async fn a_draft_is_seen_by_staff_only_and_not_embedded_in_its_question() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let office = app.token(Role::CommissionerOffice, None);
    let body = json!({
        "kind": "written", "body": "A draft answer.",
        "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
        "responded_on": "2022-06-09"
    });
    let created = app
        .with_token(&office)
        .post(&format!("/api/v1/questions/{}/responses", id(&question)))
        .json(&body)
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

    let integration = app.token(Role::Integration, None);
    for token in [None, Some(integration.as_str())] {
        app.with_optional_token(token).get(&path).await.assert_problem(404);
        app.with_optional_token(token)
            .get(&format!("{path}/versions"))
            .await
            .assert_problem(404);
        let listed = app
            .with_optional_token(token)
            .get(&format!("/api/v1/questions/{}/responses", id(&question)))
            .await
            .json();
        assert_eq!(listed["items"], json!([]));
    }
    let member = app.token(Role::PanelMember, None);
    assert_eq!(app.with_token(&member).get(&path).await.status, 200);
    let listed = app
        .with_token(&member)
        .get(&format!("/api/v1/questions/{}/responses", id(&question)))
        .await
        .json();
    assert_eq!(listed["items"][0]["id"], draft["id"]);
    let versions = app.with_token(&member).get(&format!("{path}/versions")).await.json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);
    assert_eq!(versions["items"][0]["version"], 1);
    let read = app
        .with_token(&member)
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await;
    assert_eq!(read.json()["responses"], json!([]));
}

#[actix_web::test]
async fn publishing_a_response_answers_its_question_in_the_same_change() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    assert_eq!(question["status"], "submitted");
    let draft = app.create_response(id(&question), json!({})).await;
    let office = app.token(Role::CommissionerOffice, None);
    let published = app
        .with_token(&office)
        .post(&format!("/api/v1/responses/{}/publish", id(&draft)))
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let published = published.json();
    assert_fields(&published, json!({"status": "published", "version": 2}));
    assert!(published["published_at"].is_string());

    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await;
    assert_eq!(read.status, 200, "the answered question is public: {}", read.text());
    let answered = read.json();
    assert_eq!(answered["status"], "answered");
    assert!(answered["published_at"].is_string());
    assert_eq!(answered["responses"][0]["id"], draft["id"]);
    assert_eq!(answered["responses"][0]["status"], "published");
    assert_eq!(
        app.anonymous()
            .get(&format!("/api/v1/responses/{}", id(&draft)))
            .await
            .status,
        200
    );
    for action in ["response.published", "question.answered"] {
        app.db.assert_audited(action, 1).await;
    }
    let again = app
        .as_admin()
        .post(&format!("/api/v1/responses/{}/publish", id(&draft)))
        .json(&Value::Null)
        .await
        .assert_problem(409);
    assert_eq!(again["current_state"], "published");

    // A second response to an answered question leaves the question answered.
    let meeting = app.create_meeting("panel_meeting", "2022-06-09").await;
    let second = app
        .create_response(id(&question), json!({"kind": "verbal", "meeting_id": meeting["id"]}))
        .await;
    app.publish_response(id(&second)).await;
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    assert_eq!(read["status"], "answered");
    assert_eq!(read["responses"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_response_to_a_rejected_or_withdrawn_question_cannot_be_published_and_nothing_changes() {
    let app = spawn_app().await;
    for (transition, body, state) in [
        (
            "reject",
            json!({"reason_code": "operational_matter", "reason": "Operational"}),
            "rejected",
        ),
        ("withdraw", Value::Null, "withdrawn"),
    ] {
        let question = app.create_question(json!({})).await;
        let draft = app.create_response(id(&question), json!({})).await;
        let path = format!("/api/v1/questions/{}", id(&question));
        assert_eq!(
            app.as_admin()
                .post(&format!("{path}/{transition}"))
                .json(&body)
                .await
                .status,
            200
        );
        let problem = app
            .as_admin()
            .post(&format!("/api/v1/responses/{}/publish", id(&draft)))
            .json(&Value::Null)
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], state);
        let response = app
            .as_admin()
            .get(&format!("/api/v1/responses/{}", id(&draft)))
            .await
            .json();
        assert_fields(&response, json!({"status": "draft", "version": 1}));
        let question = app.as_admin().get(&path).await.json();
        assert_eq!(question["status"], state);
        let problem = app
            .as_admin().post(&format!("{path}/responses")).json(&json!({"kind": "written", "body": "B", "author": {"name": "N", "position": "P"}, "responded_on": "2022-06-09"}))
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], state, "no new drafts either");
    }
    app.db
        .assert_count("SELECT count(*) AS n FROM response_versions WHERE was_published", 0)
        .await;
}

#[actix_web::test]
async fn a_draft_is_edited_plainly_and_every_edit_is_a_version() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    let edited = app
        .as_admin()
        .patch(&path)
        .json(&json!({"body": "A better draft.", "author": {"name": "R. Butler"}}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let edited = edited.json();
    assert_fields(&edited, json!({"body": "A better draft.", "version": 2}));
    assert_eq!(
        edited["author"],
        json!({"name": "R. Butler", "position": "Interim Joint Chief Executive"})
    );
    app.as_admin()
        .patch(&path)
        .json(&json!({"body": "X", "correction_note": "Not a correction"}))
        .await
        .assert_invalid("correction_note");
    let versions = app.as_admin().get(&format!("{path}/versions")).await.json();
    let bodies: Vec<Value> = field_of_each(&versions["items"], "body");
    assert_eq!(
        bodies,
        vec![
            json!("The force has initiated a Child Protection Improvement Programme."),
            json!("A better draft.")
        ]
    );
    app.db.assert_audited("response.updated", 1).await;
}

#[actix_web::test]
async fn a_published_response_is_corrected_only_with_a_note_and_every_version_stays_readable() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    app.publish_response(id(&draft)).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    let question_path = format!("/api/v1/questions/{}", id(&question));
    let question_etag = app.anonymous().get(&question_path).await.header("etag").unwrap();

    app.as_admin()
        .patch(&path)
        .json(&json!({"body": "Rewritten quietly."}))
        .await
        .assert_invalid("correction_note");
    let empty = app
        .as_admin()
        .patch(&path)
        .json(&json!({"correction_note": "Nothing changed"}))
        .await
        .assert_problem(422);
    assert!(empty["detail"].as_str().unwrap().contains("change"), "{empty}");
    assert_eq!(
        app.anonymous().get(&path).await.json()["version"],
        2,
        "refused changes change nothing"
    );

    let corrected = app
        .as_admin().patch(&path).json(&json!({"body": "The force has initiated a Child Protection Improvement Plan.", "correction_note": "The plan's name was wrong."})).if_match("\"2\"")
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    assert_eq!(corrected.json()["version"], 3);
    assert_eq!(corrected.json()["status"], "published");

    let versions = app.anonymous().get(&format!("{path}/versions")).await;
    assert_eq!(versions.status, 200, "the published history of a response is public");
    let items = versions.json()["items"].as_array().unwrap().clone();
    assert_eq!(
        items.iter().map(|v| v["version"].clone()).collect::<Vec<_>>(),
        vec![json!(2), json!(3)],
        "the public sees the publication and the correction, not the draft"
    );
    assert!(items
        .iter()
        .all(|v| v["was_published"] == true && v.get("recorded_by").is_none()));
    assert_eq!(
        items[0]["body"],
        "The force has initiated a Child Protection Improvement Programme."
    );
    assert_eq!(items[1]["correction_note"], "The plan's name was wrong.");
    let staff = app.as_admin().get(&format!("{path}/versions")).await.json();
    let items = staff["items"].as_array().unwrap().clone();
    assert_eq!(
        items.iter().map(|v| v["was_published"].clone()).collect::<Vec<_>>(),
        vec![json!(false), json!(true), json!(true)]
    );
    assert!(items[2]["recorded_by"].as_str().unwrap().starts_with("external:"));
    app.db.assert_audited("response.corrected", 1).await;

    // The question embeds the corrected text, and its ETag moved with it.
    let cached = app
        .anonymous()
        .get(&question_path)
        .header("if-none-match", question_etag.as_str())
        .await;
    assert_eq!(cached.status, 200, "a correction is not hidden behind a 304");
    assert_ne!(cached.header("etag").unwrap(), question_etag);
    assert_eq!(
        cached.json()["responses"][0]["body"],
        "The force has initiated a Child Protection Improvement Plan."
    );
    let current = cached.header("etag").unwrap();
    let not_modified = app
        .anonymous()
        .get(&question_path)
        .header("if-none-match", current.as_str())
        .await;
    assert_eq!(not_modified.status, 304);
    // The question's ETag works for If-Match too.
    let (first, second) = (json!({"topics": ["policing"]}), json!({"topics": ["fire"]}));
    assert_stale_tag_refused(&app.as_admin(), &question_path, &current, first, second).await;
}

#[actix_web::test]
async fn a_stale_if_match_on_a_response_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app.create_response(id(&question), json!({})).await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    let (first, second) = (json!({"body": "Second"}), json!({"body": "Third"}));
    assert_stale_tag_refused(&app.as_admin(), &path, "\"1\"", first, second).await;
    app.as_admin()
        .post(&format!("{path}/publish"))
        .header("if-match", "\"1\"")
        .await
        .assert_problem(412);
    let current = app.as_admin().get(&path).await.json();
    assert_eq!(
        (
            current["body"].clone(),
            current["status"].clone(),
            current["version"].clone()
        ),
        (json!("Second"), json!("draft"), json!(2))
    );
    let question = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&question)))
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
            .as_admin()
            .post(&format!("/api/v1/questions/{}/responses", id(&question)))
            .json(&body)
            .await
            .assert_invalid(field);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains(unknown));
        app.as_admin()
            .patch(&format!("/api/v1/responses/{}", id(&draft)))
            .json(&changes)
            .await
            .assert_invalid(field);
    }
    let cleared = app
        .as_admin()
        .patch(&format!("/api/v1/responses/{}", id(&draft)))
        .json(&json!({"action_ids": []}))
        .await
        .json();
    assert_eq!(cleared["action_ids"], json!([]));
    assert_eq!(cleared["recommendation_ids"], json!([recommendation]));

    // Published, it shows on its question's page (read in one statement with the
    // question) exactly as on its own, citations and all.
    let cited = app
        .as_admin()
        .patch(&format!("/api/v1/responses/{}", id(&draft)))
        .json(&json!({"action_ids": [action]}))
        .await;
    assert_eq!(cited.status, 200, "{}", cited.text());
    let published = app
        .as_admin()
        .post(&format!("/api/v1/responses/{}/publish", id(&draft)))
        .json(&Value::Null)
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let page = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    let own = app
        .as_admin()
        .get(&format!("/api/v1/responses/{}", id(&draft)))
        .await
        .json();
    assert_eq!(page["responses"], json!([own]));
    assert_eq!(own["recommendation_ids"], json!([recommendation]));
    assert_eq!(own["action_ids"], json!([action]));
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
        let problem = app.as_admin().post(&path).json(&body).await.assert_problem(422);
        assert_names_field(&problem, field, &changes);
    }
    app.db.assert_rows("responses", 0).await;
    app.as_admin()
        .post("/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/responses")
        .json(&valid)
        .await
        .assert_problem(404);
    let draft = app.create_response(id(&question), json!({})).await;
    app.as_admin()
        .patch(&format!("/api/v1/responses/{}", id(&draft)))
        .json(&json!({"status": "published"}))
        .await
        .assert_invalid("status");
    for role in [Role::Secretariat, Role::PanelMember, Role::Force] {
        app.as_role(role, None)
            .post(&path)
            .json(&valid)
            .await
            .assert_problem(403);
    }
}

#[actix_web::test]
async fn the_public_never_sees_the_drafts_before_publication_nor_who_recorded_a_version() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let draft = app
        .create_response(id(&question), json!({"body": "Internal draft: do not publish."}))
        .await;
    let path = format!("/api/v1/responses/{}", id(&draft));
    for body in [
        "Second draft, still private.",
        "The force has a Child Protection Improvement Plan.",
    ] {
        let edited = app.as_admin().patch(&path).json(&json!({"body": body})).await;
        assert_eq!(edited.status, 200, "{}", edited.text());
    }
    app.publish_response(id(&draft)).await;
    let user = app
        .create_user("clerk", crate::helpers::PASSWORD, &["commissioner_office"])
        .await;
    let token = app.sign_in("clerk", crate::helpers::PASSWORD).await;
    let corrected = app
        .with_token(&token)
        .patch(&path)
        .json(
            &json!({"body": "The force has a Child Protection Improvement Programme.", "correction_note": "Its name."}),
        )
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    let user_id = user["id"].as_str().unwrap();

    for caller in [app.anonymous(), app.as_role(Role::Integration, None)] {
        // One version a page, so that the cursor is checked as well.
        let mut seen = Vec::new();
        let mut url = format!("{path}/versions?limit=1");
        loop {
            let page = caller.get(&url).await;
            assert_eq!(page.status, 200, "{}", page.text());
            let text = page.text();
            assert!(!text.contains("draft") && !text.contains(user_id), "{text}");
            assert!(!text.contains("recorded_by"), "{text}");
            let page = page.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|v| v["version"].clone()));
            match page["next_cursor"].as_str() {
                Some(cursor) => url = format!("{path}/versions?limit=1&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, vec![json!(4), json!(5)]);
    }
    let staff = app
        .as_role(Role::PanelMember, None)
        .get(&format!("{path}/versions"))
        .await
        .json();
    let items = staff["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["body"], "Internal draft: do not publish.");
    assert_eq!(items[4]["recorded_by"], format!("user:{user_id}"));
}
