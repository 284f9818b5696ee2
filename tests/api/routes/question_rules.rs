//! Each panel's rules of procedure for public questions, and the questions and meetings
//! that follow them. Dates are chosen for their weekends, bank holidays and clock
//! changes; the calendar's own unit tests count the days one by one.

use serde_json::{json, Value};

use crate::helpers::{question_body, question_rules_body as rules, spawn_app, TestApp};
use scrutiny::domain::auth::Role;

fn rules_path(panel: &Value) -> String {
    format!("/api/v1/organisations/{}/question-rules", panel["id"].as_str().unwrap())
}

/// A panel with `changes` to the default rules, as the secretariat sets them.
async fn panel_with(app: &TestApp, name: &str, changes: Value) -> Value {
    let panel = app.create_organisation(name, "panel").await;
    let set = app
        .as_role(Role::Secretariat, None)
        .request("PUT", &rules_path(&panel))
        .json(&rules(changes))
        .await;
    assert_eq!(set.status, 200, "{}", set.text());
    panel
}

async fn meeting_of(app: &TestApp, panel: &Value, held_on: &str) -> Value {
    let response = app
        .as_admin()
        .post("/api/v1/meetings")
        .json(&json!({
            "organisation_id": panel["id"], "kind": "panel_meeting",
            "title": format!("Panel meeting on {held_on}"), "held_on": held_on
        }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// Submits a question from a member of the public (no token) to `meeting`.
async fn ask(app: &TestApp, meeting: &Value, changes: Value) -> crate::helpers::TestResponse {
    let mut body = question_body(json!({"meeting_id": meeting["id"], "asked_on": null}));
    crate::helpers::merge(&mut body, changes);
    app.anonymous().post("/api/v1/questions").json(&body).await
}

#[actix_web::test]
async fn a_panel_follows_the_defaults_until_it_sets_rules_and_only_a_panel_has_them() {
    let app = spawn_app().await;
    let panel = app.create_organisation("Staffordshire Panel", "panel").await;
    let read = app.anonymous().get(&rules_path(&panel)).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let mut expected = rules(json!({}));
    expected["organisation_id"] = panel["id"].clone();
    expected["updated_at"] = Value::Null;
    expected["version"] = json!(1);
    assert_eq!(read.json(), expected);
    let unchanged = app
        .anonymous()
        .get(&rules_path(&panel))
        .header("if-none-match", "\"1\"")
        .await;
    assert_eq!(unchanged.status, 304);

    let force = app.create_organisation("Staffordshire Police", "force").await;
    let refused = app.anonymous().get(&rules_path(&force)).await.assert_problem(404);
    assert!(refused["detail"].as_str().unwrap().contains("not a panel"), "{refused}");
    app.as_admin()
        .request("PUT", &rules_path(&force))
        .json(&rules(json!({})))
        .await
        .assert_problem(404);
    app.anonymous()
        .get("/api/v1/organisations/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/question-rules")
        .await
        .assert_problem(404);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM question_rules").await, 0);
}

#[actix_web::test]
async fn hampshire_asks_for_fifteen_clear_working_days_and_its_coming_meetings_move_with_the_rules() {
    let app = spawn_app().await;
    let panel = app
        .create_organisation("Hampshire and Isle of Wight Panel", "panel")
        .await;
    // Thursday 13 June 2030, under the defaults: Friday 7 June, midnight BST.
    let coming = meeting_of(&app, &panel, "2030-06-13").await;
    assert_eq!(coming["question_deadline"], "2030-06-07T23:00:00Z");
    let held = meeting_of(&app, &panel, "2022-06-16").await;

    let set = app
        .as_role(Role::Secretariat, None)
        .request("PUT", &rules_path(&panel))
        .json(&rules(
            json!({"deadline_clear_working_days": 15, "max_questions_per_questioner_per_meeting": 2}),
        ))
        .if_match("\"1\"")
        .await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(set.json()["deadline_clear_working_days"], 15);
    assert!(set.json()["updated_at"].is_string());

    // Fifteen working days back from 13 June 2030 skip the weekends and the spring bank
    // holiday (Monday 27 May): the deadline is the end of Tuesday 21 May, BST.
    let moved = app
        .anonymous()
        .get(&crate::helpers::path_of("meetings", &coming))
        .await
        .json();
    assert_eq!(moved["question_deadline"], "2030-05-21T23:00:00Z");
    assert_eq!(moved["version"], 2);
    // A meeting already held keeps the deadline it had.
    let kept = app
        .anonymous()
        .get(&crate::helpers::path_of("meetings", &held))
        .await
        .json();
    assert_eq!(
        (kept["question_deadline"].clone(), kept["version"].clone()),
        (held["question_deadline"].clone(), json!(1))
    );
    // The rules change is audited; the meeting's change is in the feed.
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'question_rules.updated'")
            .await,
        1
    );
    assert_eq!(
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM events WHERE event_type = 'meeting.updated' AND resource_id = '{}'",
                coming["id"].as_str().unwrap()
            ))
            .await,
        1
    );

    // The same rules again change nothing; a stale If-Match changes nothing.
    let again = app
        .as_admin()
        .request("PUT", &rules_path(&panel))
        .json(&rules(
            json!({"deadline_clear_working_days": 15, "max_questions_per_questioner_per_meeting": 2}),
        ))
        .await;
    assert_eq!(again.json()["version"], 2);
    app.as_admin()
        .request("PUT", &rules_path(&panel))
        .json(&rules(json!({})))
        .if_match("\"1\"")
        .await
        .assert_problem(412);
    assert_eq!(app.anonymous().get(&rules_path(&panel)).await.json()["version"], 2);
}

#[actix_web::test]
async fn sussex_takes_questions_by_noon_london_time_either_side_of_the_clock_change() {
    let app = spawn_app().await;
    let panel = panel_with(
        &app,
        "Sussex Police and Crime Panel",
        json!({"deadline_time": "12:00", "addressees": ["commissioner", "panel"]}),
    )
    .await;
    // Thursday 30 March 2023: the deadline is Friday 24 March, before the clocks went
    // forward, so noon is 12:00 UTC; a week later it is 11:00 UTC.
    let before_the_change = meeting_of(&app, &panel, "2023-03-30").await;
    assert_eq!(before_the_change["question_deadline"], "2023-03-24T12:00:00Z");
    let after_the_change = meeting_of(&app, &panel, "2023-04-06").await;
    assert_eq!(after_the_change["question_deadline"], "2023-03-31T11:00:00Z");
    // Both have been held: a question for one is late, and the refusal quotes the rule.
    let late = ask(&app, &before_the_change, json!({})).await.assert_problem(422);
    let message = late["errors"][0]["message"].as_str().unwrap();
    assert_eq!(late["errors"][0]["field"], "meeting_id");
    assert!(
        message.contains("3 clear working days")
            && message.contains("before 12:00 on 2023-03-24 (London time)")
            && message.contains("2023-03-24T12:00:00Z"),
        "{message}"
    );
}

#[actix_web::test]
async fn devon_and_cornwall_refuse_a_question_over_a_hundred_words_quoting_the_rule() {
    let app = spawn_app().await;
    let panel = panel_with(
        &app,
        "Devon and Cornwall Police and Crime Panel",
        json!({"deadline_clear_working_days": 5, "max_words": 100, "supplementary_questions": false}),
    )
    .await;
    let meeting = meeting_of(&app, &panel, "2030-11-14").await;
    let before = app.db.count("SELECT count(*) AS n FROM questions").await;
    let long = vec!["safeguarding"; 131].join(" ");
    let refused = ask(&app, &meeting, json!({"body": long})).await.assert_problem(422);
    assert_eq!(
        refused["errors"],
        json!([{"field": "body", "message": "questions must be no longer than 100 words; this one has 131"}])
    );
    // Every rule broken is named at once, and nothing is written.
    let parent = app.create_public_question().await;
    let refused = ask(
        &app,
        &meeting,
        json!({"body": long, "addressed_to": "panel", "parent_question_id": parent["id"]}),
    )
    .await
    .assert_problem(422);
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["addressed_to", "body", "parent_question_id"]);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM questions").await, before + 1);

    let exactly = vec!["safeguarding"; 100].join(" ");
    let asked = ask(&app, &meeting, json!({"body": exactly})).await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    assert_eq!(asked.json()["addressed_to"], "commissioner");
}

#[actix_web::test]
async fn hampshire_takes_two_questions_per_questioner_for_a_meeting() {
    let app = spawn_app().await;
    let panel = panel_with(
        &app,
        "Hampshire Panel",
        json!({"deadline_clear_working_days": 15, "max_questions_per_questioner_per_meeting": 2}),
    )
    .await;
    let meeting = meeting_of(&app, &panel, "2030-06-13").await;
    let first = ask(&app, &meeting, json!({})).await;
    assert_eq!(first.status, 201, "{}", first.text());
    // The same questioner, whatever the letter case of their address.
    let second = ask(
        &app,
        &meeting,
        json!({"asker_contact": {"email": "Resident@Example.org"}}),
    )
    .await;
    assert_eq!(second.status, 201, "{}", second.text());
    let third = ask(&app, &meeting, json!({})).await.assert_problem(422);
    assert_eq!(third["errors"][0]["field"], "meeting_id");
    assert!(
        third["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("this panel takes up to 2 questions per questioner for each meeting"),
        "{third}"
    );
    // Someone else may ask; a question rejected no longer counts.
    let other = ask(
        &app,
        &meeting,
        json!({"asker_contact": {"email": "neighbour@example.org"}}),
    )
    .await;
    assert_eq!(other.status, 201, "{}", other.text());
    let rejected = app
        .as_admin()
        .post(&format!(
            "/api/v1/questions/{}/reject",
            first.json()["id"].as_str().unwrap()
        ))
        .json(&json!({"reason_code": "individual_complaint", "reason": "About an individual complaint"}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text());
    let again = ask(&app, &meeting, json!({})).await;
    assert_eq!(again.status, 201, "{}", again.text());
}

#[actix_web::test]
async fn a_question_to_the_panel_needs_a_panel_that_takes_them_wherever_it_is_put() {
    let app = spawn_app().await;
    let commissioner_only = app.create_organisation("Commissioner-only Panel", "panel").await;
    let both = panel_with(&app, "Sussex Panel", json!({"addressees": ["commissioner", "panel"]})).await;
    let to_both = meeting_of(&app, &both, "2030-06-13").await;
    let to_commissioner_only = meeting_of(&app, &commissioner_only, "2030-06-13").await;

    let refused = ask(&app, &to_commissioner_only, json!({"addressed_to": "panel"}))
        .await
        .assert_problem(422);
    assert_eq!(
        refused["errors"][0],
        json!({"field": "addressed_to", "message": "this panel takes questions to the commissioner only; this one is addressed to the panel"})
    );
    let asked = ask(&app, &to_both, json!({"addressed_to": "panel"})).await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    assert_eq!(asked.json()["addressed_to"], "panel");

    // Moving it to a meeting of a panel that takes no questions to itself is refused.
    let path = crate::helpers::path_of("questions", &asked.json());
    let moved = app
        .as_admin()
        .patch(&path)
        .json(&json!({"meeting_id": to_commissioner_only["id"]}))
        .await
        .assert_problem(422);
    assert_eq!(moved["errors"][0]["field"], "meeting_id");
    let current = app.as_admin().get(&path).await.json();
    assert_eq!(
        (current["meeting_id"].clone(), current["version"].clone()),
        (to_both["id"].clone(), json!(1))
    );
}

#[actix_web::test]
async fn rules_out_of_range_are_refused_by_name_and_change_nothing() {
    let app = spawn_app().await;
    let panel = app.create_organisation("Panel", "panel").await;
    let refused = app
        .as_admin()
        .request("PUT", &rules_path(&panel))
        .json(&rules(json!({
            "deadline_clear_working_days": 31, "deadline_time": "24:00", "max_words": 0,
            "max_questions_per_questioner_per_meeting": 51, "addressees": []
        })))
        .await
        .assert_problem(422);
    let mut fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "addressees",
            "deadline_clear_working_days",
            "deadline_time",
            "max_questions_per_questioner_per_meeting",
            "max_words"
        ]
    );
    for bad in [json!({"addressees": ["the_force"]}), json!({"deadline_time": "noon"})] {
        let response = app
            .as_admin()
            .request("PUT", &rules_path(&panel))
            .json(&rules(bad.clone()))
            .await;
        assert!([400, 422].contains(&response.status), "{bad}: {}", response.text());
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM question_rules").await, 0);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'question_rules.updated'")
            .await,
        0
    );
}

#[actix_web::test]
async fn only_admin_and_secretariat_set_rules() {
    let app = spawn_app().await;
    let panel = app.create_organisation("Panel", "panel").await;
    app.anonymous()
        .request("PUT", &rules_path(&panel))
        .json(&rules(json!({})))
        .await
        .assert_problem(401);
    for role in [
        Role::PanelMember,
        Role::CommissionerOffice,
        Role::Force,
        Role::Integration,
    ] {
        app.as_role(role, None)
            .request("PUT", &rules_path(&panel))
            .json(&rules(json!({"max_words": 10})))
            .await
            .assert_problem(403);
    }
    assert_eq!(app.db.count("SELECT count(*) AS n FROM question_rules").await, 0);
}

#[actix_web::test]
async fn the_panel_answers_questions_put_to_it_and_the_commissioners_office_those_put_to_the_commissioner() {
    let app = spawn_app().await;
    let panel = panel_with(&app, "Sussex Panel", json!({"addressees": ["commissioner", "panel"]})).await;
    let meeting = meeting_of(&app, &panel, "2030-06-13").await;
    let to_panel = ask(&app, &meeting, json!({"addressed_to": "panel"})).await.json();
    let to_commissioner = ask(
        &app,
        &meeting,
        json!({"asker_contact": {"email": "neighbour@example.org"}}),
    )
    .await
    .json();
    let response_body = json!({
        "kind": "written", "body": "The Panel will ask the Commissioner at its next meeting.",
        "author": {"name": "Councillor Jane Doe", "position": "Chair of the Panel"},
        "responded_on": "2030-06-13"
    });
    let responses_of = |question: &Value| format!("/api/v1/questions/{}/responses", question["id"].as_str().unwrap());
    let before = app.db.count("SELECT count(*) AS n FROM responses").await;

    let refused = app
        .as_role(Role::CommissionerOffice, None)
        .post(&responses_of(&to_panel))
        .json(&response_body)
        .await
        .assert_problem(403);
    assert!(
        refused["detail"].as_str().unwrap().contains("put to the Panel"),
        "{refused}"
    );
    app.as_role(Role::Secretariat, None)
        .post(&responses_of(&to_commissioner))
        .json(&response_body)
        .await
        .assert_problem(403);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM responses").await, before);

    let secretariat = app.token(Role::Secretariat, None);
    let drafted = app
        .with_token(&secretariat)
        .post(&responses_of(&to_panel))
        .json(&response_body)
        .await;
    assert_eq!(drafted.status, 201, "{}", drafted.text());
    let response_path = crate::helpers::path_of("responses", &drafted.json());
    // The Commissioner's office can neither correct nor publish the Panel's answer.
    app.as_role(Role::CommissionerOffice, None)
        .post(&format!("{response_path}/publish"))
        .json(&Value::Null)
        .await
        .assert_problem(403);
    app.as_role(Role::CommissionerOffice, None)
        .patch(&response_path)
        .json(&json!({"body": "Rewritten"}))
        .await
        .assert_problem(403);
    let published = app
        .with_token(&secretariat)
        .post(&format!("{response_path}/publish"))
        .json(&Value::Null)
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let question = app
        .anonymous()
        .get(&crate::helpers::path_of("questions", &to_panel))
        .await
        .json();
    assert_eq!(
        (question["status"].clone(), question["addressed_to"].clone()),
        (json!("answered"), json!("panel"))
    );

    let answered = app
        .as_role(Role::CommissionerOffice, None)
        .post(&responses_of(&to_commissioner))
        .json(&response_body)
        .await;
    assert_eq!(answered.status, 201, "{}", answered.text());
}
