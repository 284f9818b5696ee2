//! What a panel meeting puts on the record: answers given there (`verbal` responses,
//! with the meeting), the written follow-ups promised there and whether they came, and
//! supplementary questions asked there.

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{question_rules_body, spawn_app, TestApp};

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

/// A date `days` from today (London and UTC agree on it but for an hour a day; the
/// tests keep well away from the boundary by using whole weeks).
fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// A verbal answer to `question` given at `meeting` on `on`, with `changes` merged in.
fn verbal(meeting: &Value, on: &str, changes: Value) -> Value {
    let mut body = json!({
        "kind": "verbal",
        "body": "The Commissioner said the new triage model is in place and promised the first quarter's figures in writing.",
        "author": {"name": "Ben Adams", "position": "Commissioner"},
        "responded_on": on,
        "meeting_id": meeting["id"],
    });
    crate::helpers::merge(&mut body, changes);
    body
}

fn responses_path(question: &Value) -> String {
    format!("/api/v1/questions/{}/responses", id(question))
}

fn supplementaries_path(question: &Value) -> String {
    format!("/api/v1/questions/{}/supplementaries", id(question))
}

/// Records `body` as the secretariat and publishes it; returns the published response.
async fn record_and_publish(app: &TestApp, role: Role, question: &Value, body: &Value) -> Value {
    let caller = app.as_role(role, None);
    let created = caller.post(&responses_path(question)).json(body).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let published = app
        .as_role(role, None)
        .post(&format!("/api/v1/responses/{}/publish", id(&created.json())))
        .json(&Value::Null)
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    published.json()
}

/// The references of the questions the public sees with `follow_up=<state>`.
async fn listed(app: &TestApp, state: &str) -> Vec<Value> {
    let response = app
        .anonymous()
        .get(&format!("/api/v1/questions?follow_up={state}"))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].clone())
        .collect()
}

#[actix_web::test]
async fn a_promise_made_at_the_meeting_is_overdue_until_the_written_follow_up_is_published() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    // The secretariat records the Commissioner's answer at the meeting, with a promise.
    let promise = record_and_publish(
        &app,
        Role::Secretariat,
        &question,
        &verbal(&meeting, "2022-06-16", json!({"follow_up_due_on": "2022-07-14"})),
    )
    .await;
    assert_eq!(
        (
            promise["kind"].clone(),
            promise["meeting_id"].clone(),
            promise["follow_up_due_on"].clone(),
            promise["follow_up_status"].clone(),
            promise["followed_up_by_response_id"].clone(),
        ),
        (
            json!("verbal"),
            meeting["id"].clone(),
            json!("2022-07-14"),
            json!("overdue"),
            Value::Null
        )
    );
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await;
    assert_eq!(read.json()["status"], "answered");
    assert_eq!(read.json()["responses"][0]["follow_up_status"], "overdue");
    let before = read.header("etag").unwrap();
    // The broken promise is listed, in JSON and in CSV alike.
    assert_eq!(listed(&app, "overdue").await, [question["id"].clone()]);
    assert!(listed(&app, "due").await.is_empty());
    let csv = app
        .anonymous()
        .get("/api/v1/questions?follow_up=overdue")
        .header("accept", "text/csv")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text().contains(id(&question)));
    let csv = app
        .anonymous()
        .get("/api/v1/questions?follow_up=provided")
        .header("accept", "text/csv")
        .await;
    assert!(!csv.text().contains(id(&question)));

    // The Commissioner's office publishes the written follow-up, naming the promise.
    let follow_up = record_and_publish(
        &app,
        Role::CommissionerOffice,
        &question,
        &json!({
            "kind": "written",
            "body": "The first quarter's figures are attached.",
            "author": {"name": "Ben Adams", "position": "Commissioner"},
            "responded_on": "2022-07-20",
            "follows_up_response_id": promise["id"],
        }),
    )
    .await;
    assert_eq!(follow_up["follows_up_response_id"], promise["id"]);
    assert_eq!(follow_up["follow_up_status"], "none");
    let promise = app
        .anonymous()
        .get(&format!("/api/v1/responses/{}", id(&promise)))
        .await
        .json();
    assert_eq!(promise["follow_up_status"], "provided");
    assert_eq!(promise["followed_up_by_response_id"], follow_up["id"]);
    assert!(listed(&app, "overdue").await.is_empty());
    assert_eq!(listed(&app, "provided").await, [question["id"].clone()]);
    let after = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .header("etag")
        .unwrap();
    assert_ne!(before, after);
    // The question's page reads its responses in the statement that loads it: each
    // shows there exactly as its own page shows it.
    let page = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    let shown = page["responses"].as_array().unwrap();
    assert_eq!(shown.len(), 2);
    for response in shown {
        let own = app
            .anonymous()
            .get(&format!("/api/v1/responses/{}", id(response)))
            .await
            .json();
        assert_eq!(response, &own);
    }
    // Audited and in the change feed like every response write.
    app.db.assert_audited("response.created", 2).await;
    app.db.assert_audited("response.published", 2).await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM events WHERE event_type = 'response.published'")
            .await,
        2
    );
}

#[actix_web::test]
async fn a_promise_not_yet_due_is_due_and_a_draft_promise_is_listed_nowhere() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let due = days_from_today(28);
    let promise = record_and_publish(
        &app,
        Role::Secretariat,
        &question,
        &verbal(&meeting, "2022-06-16", json!({"follow_up_due_on": due})),
    )
    .await;
    assert_eq!(promise["follow_up_status"], "due");
    assert_eq!(listed(&app, "due").await, [question["id"].clone()]);
    assert!(listed(&app, "overdue").await.is_empty());
    // A draft's promise is not on the public record yet.
    let other = app.create_public_question().await;
    let draft = app
        .as_role(Role::Secretariat, None)
        .post(&responses_path(&other))
        .json(&verbal(
            &meeting,
            "2022-06-16",
            json!({"follow_up_due_on": "2022-06-30"}),
        ))
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text());
    // A promise exists once the answer that made it is published: until then its
    // status is `none` in every representation, though its due date has passed.
    assert_eq!(draft.json()["follow_up_status"], "none");
    let staff = app.as_role(Role::Secretariat, None);
    let listed_for_staff = staff.get(&responses_path(&other)).await.json();
    assert_eq!(listed_for_staff["items"][0]["follow_up_status"], "none");
    let csv = staff.get(&responses_path(&other)).header("accept", "text/csv").await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    let row = csv.text().lines().nth(1).unwrap().to_string();
    assert!(row.contains(",2022-06-30,none,"), "{row}");
    assert!(!row.contains("overdue"), "{row}");
    assert!(listed(&app, "overdue").await.is_empty());
    let for_staff = staff.get("/api/v1/questions?follow_up=overdue").await.json();
    assert_eq!(for_staff["items"], json!([]));
    // An unknown state is a 422 naming the filter.
    app.anonymous()
        .get("/api/v1/questions?follow_up=broken")
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn a_verbal_answer_needs_a_meeting_already_held_and_a_bad_one_writes_nothing() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let coming = app.create_meeting("panel_meeting", &days_from_today(14)).await;
    let held = app.create_meeting("panel_meeting", "2022-06-16").await;
    let before = app.db.count("SELECT count(*) AS n FROM responses").await;
    let audited = app.db.count("SELECT count(*) AS n FROM audit_events").await;
    for (body, field, words) in [
        (
            verbal(&coming, &days_from_today(14), json!({})),
            "meeting_id",
            "in the future",
        ),
        (
            verbal(&held, "2022-06-15", json!({})),
            "responded_on",
            "day of the meeting",
        ),
        (
            verbal(&held, "2022-06-16", json!({"meeting_id": null})),
            "meeting_id",
            "is required",
        ),
        (
            verbal(&held, "2022-06-16", json!({"follow_up_due_on": "2022-06-01"})),
            "follow_up_due_on",
            "must not be before",
        ),
        (
            verbal(&held, "2022-06-16", json!({"kind": "written"})),
            "meeting_id",
            "only for a verbal response",
        ),
    ] {
        let problem = app
            .as_role(Role::Secretariat, None)
            .post(&responses_path(&question))
            .json(&body)
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM responses").await, before);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM audit_events").await, audited);
}

#[actix_web::test]
async fn recording_a_verbal_answer_needs_a_role_that_records_meetings() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let body = verbal(&meeting, "2022-06-16", json!({}));
    app.anonymous()
        .post(&responses_path(&question))
        .json(&body)
        .await
        .assert_problem(401);
    for role in [Role::PanelMember, Role::Force, Role::Integration] {
        app.as_role(role, None)
            .post(&responses_path(&question))
            .json(&body)
            .await
            .assert_problem(403);
    }
    // The secretariat records the meeting's answers, but a written answer to the
    // Commissioner is the Commissioner's office's to write.
    let written = app
        .as_role(Role::Secretariat, None)
        .post(&responses_path(&question))
        .json(&verbal(
            &meeting,
            "2022-06-16",
            json!({"kind": "written", "meeting_id": null}),
        ))
        .await;
    assert_eq!(written.status, 403, "{}", written.text());
    assert_eq!(app.db.count("SELECT count(*) AS n FROM responses").await, 0);
}

#[actix_web::test]
async fn a_supplementary_asked_at_the_meeting_is_recorded_against_its_original_and_answered_there() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let original = app.create_public_question().await;
    let recorded = app
        .as_role(Role::Secretariat, None)
        .post(&supplementaries_path(&original))
        .json(&json!({
            "body": "Will the district figures be published too?",
            "meeting_id": meeting["id"],
        }))
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let supplementary = recorded.json();
    assert_eq!(
        recorded.header("location").unwrap(),
        format!("/api/v1/questions/{}", id(&supplementary))
    );
    assert_eq!(
        (
            supplementary["status"].clone(),
            supplementary["parent_question_id"].clone(),
            supplementary["meeting_id"].clone(),
            supplementary["asked_on"].clone(),
            supplementary["asker"]["display_name"].clone(),
            supplementary["addressed_to"].clone(),
        ),
        (
            json!("accepted"),
            original["id"].clone(),
            meeting["id"].clone(),
            json!("2022-06-16"),
            original["asker"]["display_name"].clone(),
            original["addressed_to"].clone(),
        )
    );
    assert!(supplementary["title"]
        .as_str()
        .unwrap()
        .starts_with("Supplementary to PQ-"));
    assert!(supplementary.get("asker_contact").is_none());
    app.db.assert_audited("question.supplementary_recorded", 1).await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM events WHERE event_type = 'question.supplementary_recorded'")
            .await,
        1
    );
    // The original lists it, for the public too.
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&original)))
        .await;
    assert_eq!(read.json()["supplementary_question_ids"], json!([supplementary["id"]]));
    // Answered at the meeting.
    record_and_publish(
        &app,
        Role::Secretariat,
        &supplementary,
        &verbal(&meeting, "2022-06-16", json!({})),
    )
    .await;
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&supplementary)))
        .await
        .json();
    assert_eq!(read["status"], "answered");
    assert_eq!(read["responses"][0]["meeting_id"], meeting["id"]);
}

#[actix_web::test]
async fn a_panel_takes_one_supplementary_to_a_question_and_none_where_its_rules_say_so() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let original = app.create_public_question().await;
    let ask = |question: &Value, meeting: &Value| {
        (
            supplementaries_path(question),
            json!({"body": "And the districts?", "meeting_id": meeting["id"]}),
        )
    };
    let (path, body) = ask(&original, &meeting);
    let first = app.as_admin().post(&path).json(&body).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let second = app.as_admin().post(&path).json(&body).await.assert_problem(422);
    assert_eq!(second["errors"][0]["field"], "meeting_id");
    assert!(
        second["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("allow one supplementary question to each question"),
        "{second}"
    );
    // A panel whose rules of procedure take no supplementaries.
    let strict = app.create_organisation("Strict Panel", "panel").await;
    let rules = app
        .as_admin()
        .request("PUT", &format!("/api/v1/organisations/{}/question-rules", id(&strict)))
        .json(&question_rules_body(json!({"supplementary_questions": false})))
        .await;
    assert_eq!(rules.status, 200, "{}", rules.text());
    let strict_meeting = app
        .as_admin()
        .post("/api/v1/meetings")
        .json(&json!({"organisation_id": strict["id"], "kind": "panel_meeting", "title": "Strict", "held_on": "2022-06-16"}))
        .await
        .json();
    let other = app.create_public_question().await;
    let (path, body) = ask(&other, &strict_meeting);
    let refused = app.as_admin().post(&path).json(&body).await.assert_problem(422);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("supplementary_questions is false"),
        "{refused}"
    );
    // A supplementary to a supplementary, or to a question nobody has accepted: 409.
    let (path, body) = ask(&first.json(), &meeting);
    let nested = app.as_admin().post(&path).json(&body).await.assert_problem(409);
    assert_eq!(nested["current_state"], "accepted");
    let submitted = app.create_question(json!({})).await;
    let (path, body) = ask(&submitted, &meeting);
    let unaccepted = app.as_admin().post(&path).json(&body).await.assert_problem(409);
    assert_eq!(unaccepted["current_state"], "submitted");
    // None of the refusals wrote a supplementary.
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM questions WHERE parent_question_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'question.supplementary_recorded'")
            .await,
        1
    );
}

#[actix_web::test]
async fn recording_a_supplementary_is_for_the_secretariat() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let original = app.create_public_question().await;
    let body = json!({"body": "And?", "meeting_id": meeting["id"]});
    app.anonymous()
        .post(&supplementaries_path(&original))
        .json(&body)
        .await
        .assert_problem(401);
    for role in [
        Role::PanelMember,
        Role::CommissionerOffice,
        Role::Force,
        Role::Integration,
    ] {
        app.as_role(role, None)
            .post(&supplementaries_path(&original))
            .json(&body)
            .await
            .assert_problem(403);
    }
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM questions WHERE parent_question_id IS NOT NULL")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_follow_up_is_published_only_after_its_verbal_answer_and_only_once() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let caller = app.as_role(Role::Secretariat, None);
    let draft_promise = caller
        .post(&responses_path(&question))
        .json(&verbal(
            &meeting,
            "2022-06-16",
            json!({"follow_up_due_on": "2022-07-14"}),
        ))
        .await;
    assert_eq!(draft_promise.status, 201, "{}", draft_promise.text());
    let promise = draft_promise.json();
    let follow_up = |on: &str| {
        json!({"kind": "written", "body": "The figures promised at the meeting.",
               "author": {"name": "Ben Adams", "position": "Commissioner"},
               "responded_on": on, "follows_up_response_id": promise["id"]})
    };
    let office = app.as_role(Role::CommissionerOffice, None);
    let first = office
        .post(&responses_path(&question))
        .json(&follow_up("2022-07-01"))
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let publish = |response: &Value| format!("/api/v1/responses/{}/publish", id(response));
    // The verbal answer is still a draft: publishing its follow-up would show the
    // public the id of an unpublished response.
    let early = office.post(&publish(&first.json())).json(&Value::Null).await;
    early.assert_problem(409);
    assert!(early.json()["detail"].as_str().unwrap().contains("not published"));
    let published = caller.post(&publish(&promise)).json(&Value::Null).await;
    assert_eq!(published.status, 200, "{}", published.text());
    let kept = office.post(&publish(&first.json())).json(&Value::Null).await;
    assert_eq!(kept.status, 200, "{}", kept.text());
    // A second follow-up of the same promise is refused when published, and stays a draft.
    let second = office
        .post(&responses_path(&question))
        .json(&follow_up("2022-07-02"))
        .await;
    assert_eq!(second.status, 201, "{}", second.text());
    let again = office.post(&publish(&second.json())).json(&Value::Null).await;
    again.assert_problem(409);
    assert!(again.json()["detail"].as_str().unwrap().contains(id(&first.json())));
    let read = app
        .as_admin()
        .get(&format!("/api/v1/responses/{}", id(&second.json())))
        .await;
    assert_eq!(read.json()["status"], "draft");
}

/// `PATCH`es response `response` with `body` as an admin (who may record any answer).
async fn patch_response(app: &TestApp, response: &Value, body: Value) -> crate::helpers::TestResponse {
    app.as_admin()
        .patch(&format!("/api/v1/responses/{}", id(response)))
        .json(&body)
        .await
}

/// A written follow-up of `promise`, dated `on`.
fn follow_up_of(promise: &Value, on: &str) -> Value {
    json!({"kind": "written", "body": "The figures promised at the meeting.",
           "author": {"name": "Ben Adams", "position": "Commissioner"},
           "responded_on": on, "follows_up_response_id": promise["id"]})
}

#[actix_web::test]
async fn a_kept_promise_freezes_what_it_depends_on_in_the_verbal_answer_that_made_it() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let promise = record_and_publish(
        &app,
        Role::Secretariat,
        &question,
        &verbal(&meeting, "2022-06-16", json!({"follow_up_due_on": "2022-07-14"})),
    )
    .await;
    let follow_up = record_and_publish(
        &app,
        Role::CommissionerOffice,
        &question,
        &follow_up_of(&promise, "2022-07-01"),
    )
    .await;
    let audited = app.db.count("SELECT count(*) AS n FROM audit_events").await;
    let note = json!("Corrected after the minutes were agreed.");
    for change in [
        json!({"follow_up_due_on": null}),
        json!({"follow_up_due_on": "2022-08-01"}),
        json!({"responded_on": "2022-06-17"}),
        json!({"kind": "written", "meeting_id": null, "follow_up_due_on": null}),
    ] {
        let mut body = change.clone();
        body["correction_note"] = note.clone();
        let refused = patch_response(&app, &promise, body).await.assert_problem(409);
        let detail = refused["detail"].as_str().unwrap();
        assert!(detail.contains(id(&follow_up)), "{change}: {detail}");
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM audit_events").await, audited);
    let read = app
        .anonymous()
        .get(&format!("/api/v1/responses/{}", id(&promise)))
        .await
        .json();
    assert_eq!(
        (read["follow_up_status"].clone(), read["version"].clone()),
        (json!("provided"), promise["version"].clone())
    );
    // Its words can still be corrected, and giving a field the value it has changes nothing.
    let corrected = patch_response(
        &app,
        &promise,
        json!({"body": "The Commissioner said the triage model is in place.", "follow_up_due_on": "2022-07-14", "correction_note": note}),
    )
    .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    // Another published response cannot be corrected into keeping the kept promise.
    let other = record_and_publish(
        &app,
        Role::CommissionerOffice,
        &question,
        &json!({"kind": "written", "body": "More figures.",
                "author": {"name": "Ben Adams", "position": "Commissioner"}, "responded_on": "2022-07-02"}),
    )
    .await;
    let twice = app
        .as_role(Role::CommissionerOffice, None)
        .patch(&format!("/api/v1/responses/{}", id(&other)))
        .json(&json!({"follows_up_response_id": promise["id"], "correction_note": "Linked."}))
        .await
        .assert_problem(409);
    assert!(twice["detail"].as_str().unwrap().contains(id(&follow_up)), "{twice}");
}

#[actix_web::test]
async fn a_draft_follow_up_of_a_promise_withdrawn_since_cannot_be_published() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = app.create_public_question().await;
    let promise = record_and_publish(
        &app,
        Role::Secretariat,
        &question,
        &verbal(&meeting, "2022-06-16", json!({"follow_up_due_on": "2022-07-14"})),
    )
    .await;
    let office = app.as_role(Role::CommissionerOffice, None);
    let draft = office
        .post(&responses_path(&question))
        .json(&follow_up_of(&promise, "2022-07-01"))
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text());
    // The promise turns out never to have been made (not kept yet, so it may change).
    let corrected = patch_response(
        &app,
        &promise,
        json!({"follow_up_due_on": null, "correction_note": "No promise was made."}),
    )
    .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    let problem = office
        .post(&format!("/api/v1/responses/{}/publish", id(&draft.json())))
        .json(&Value::Null)
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "follows_up_response_id", "{problem}");
}

#[actix_web::test]
async fn a_verbal_answer_is_given_at_a_meeting_the_question_was_put_at_on_that_meetings_day() {
    let app = spawn_app().await;
    // Asked on 2022-05-31 (the helper's date).
    let question = app.create_public_question().await;
    let put_to = app.create_meeting("panel_meeting", "2022-06-16").await;
    let other = app.create_meeting("panel_meeting", "2022-06-20").await;
    let before_asked = app.create_meeting("panel_meeting", "2022-05-01").await;
    let board = app.create_meeting("strategic_governance_board", "2022-06-16").await;
    let unscheduled = app.create_public_question().await;
    let scheduled = app
        .as_admin()
        .patch(&format!("/api/v1/questions/{}", id(&question)))
        .json(&json!({"meeting_id": put_to["id"]}))
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.text());
    let responses = app.db.count("SELECT count(*) AS n FROM responses").await;
    for (to, body, field, words) in [
        (
            &question,
            verbal(&other, "2022-06-20", json!({})),
            "meeting_id",
            "was put to meeting",
        ),
        (
            &question,
            verbal(&put_to, "2022-06-17", json!({})),
            "responded_on",
            "day of the meeting",
        ),
        (
            &unscheduled,
            verbal(&before_asked, "2022-05-31", json!({})),
            "meeting_id",
            "before question",
        ),
        (
            &unscheduled,
            verbal(&board, "2022-06-16", json!({})),
            "meeting_id",
            "panel_meeting",
        ),
    ] {
        let problem = app
            .as_role(Role::Secretariat, None)
            .post(&responses_path(to))
            .json(&body)
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM responses").await, responses);
    // A question with no meeting is answered at a panel meeting held after it was asked.
    let caller = app.as_role(Role::Secretariat, None);
    let draft = caller
        .post(&responses_path(&unscheduled))
        .json(&verbal(&other, "2022-06-20", json!({})))
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text());
    // A change is checked the same way.
    patch_response(&app, &draft.json(), json!({"responded_on": "2022-06-21"}))
        .await
        .assert_invalid("responded_on");
    patch_response(&app, &draft.json(), json!({"meeting_id": before_asked["id"]}))
        .await
        .assert_invalid("meeting_id");
}

#[actix_web::test]
async fn a_supplementary_is_asked_at_the_meeting_where_its_original_was_put_or_answered() {
    let app = spawn_app().await;
    let original = app.create_public_question().await;
    let last_year = app.create_meeting("panel_meeting", "2021-12-01").await;
    let answered_at = app.create_meeting("panel_meeting", "2022-06-16").await;
    let later = app.create_meeting("panel_meeting", "2022-06-20").await;
    let ask = |meeting: &Value| json!({"body": "And the districts?", "meeting_id": meeting["id"]});
    let early = app
        .as_admin()
        .post(&supplementaries_path(&original))
        .json(&ask(&last_year))
        .await
        .assert_problem(422);
    assert_eq!(early["errors"][0]["field"], "meeting_id");
    assert!(early["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("before question"));
    // Answered at a meeting: the supplementary is asked there, and nowhere else.
    record_and_publish(
        &app,
        Role::Secretariat,
        &original,
        &verbal(&answered_at, "2022-06-16", json!({})),
    )
    .await;
    app.as_admin()
        .post(&supplementaries_path(&original))
        .json(&ask(&later))
        .await
        .assert_invalid("meeting_id");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM questions WHERE parent_question_id IS NOT NULL")
            .await,
        0
    );
    let recorded = app
        .as_admin()
        .post(&supplementaries_path(&original))
        .json(&json!({"body": "And the districts?"}))
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let supplementary = recorded.json();
    assert_eq!(supplementary["meeting_id"], answered_at["id"]);
    assert_eq!(supplementary["asked_on"], "2022-06-16");
    assert!(supplementary["reference"].as_str().unwrap().starts_with("PQ-2022-"));
}
