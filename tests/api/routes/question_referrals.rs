//! Referring a question to another organisation, and that organisation's reply.

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

fn refer_path(question: &Value) -> String {
    format!("/api/v1/questions/{}/refer", id(question))
}

fn referral(organisation: &Value) -> Value {
    json!({
        "organisation_id": organisation["id"],
        "reason_code": "operational_matter",
        "reason": "The front counter's opening hours are for the Chief Constable to decide.",
    })
}

/// How many audit records and change-feed events there are for `action`.
async fn recorded(app: &TestApp, action: &str) -> (i64, i64) {
    (
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = '{action}'"
            ))
            .await,
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM events WHERE event_type = '{action}'"
            ))
            .await,
    )
}

async fn force(app: &TestApp) -> Value {
    app.create_organisation("Staffordshire Police", "force").await
}

#[actix_web::test]
async fn a_referred_question_shows_where_and_why_is_public_audited_and_in_the_feed() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app.create_question(json!({})).await;
    let referred = app
        .as_role(Role::Secretariat, None)
        .post(&refer_path(&question))
        .json(&referral(&force))
        .await;
    assert_eq!(referred.status, 200, "{}", referred.text());
    let referred = referred.json();
    assert_eq!(
        (
            referred["status"].clone(),
            referred["referred_to_organisation_id"].clone(),
            referred["referral_reason_code"].clone(),
            referred["referral_reason"].clone(),
            referred["version"].clone(),
        ),
        (
            json!("referred"),
            force["id"].clone(),
            json!("operational_matter"),
            json!("The front counter's opening hours are for the Chief Constable to decide."),
            json!(2),
        )
    );
    assert!(referred["referred_at"].is_string() && referred["published_at"].is_string());
    assert_eq!(recorded(&app, "question.referred").await, (1, 1));
    // Public, like an answered question: read and listed anonymously.
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["referral_reason_code"], "operational_matter");
    let listed = app.anonymous().get("/api/v1/questions?status=referred").await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    // And a question not referred shows nulls.
    let other = app.create_question(json!({})).await;
    for field in [
        "referred_to_organisation_id",
        "referral_reason_code",
        "referral_reason",
        "referred_at",
    ] {
        assert!(other[field].is_null(), "{field}");
    }
}

#[actix_web::test]
async fn the_referral_is_in_the_csv_export() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app.create_public_question().await;
    let referred = app
        .as_admin()
        .post(&refer_path(&question))
        .json(&referral(&force))
        .await;
    assert_eq!(referred.status, 200, "{}", referred.text());
    let response = app
        .anonymous()
        .get("/api/v1/questions")
        .headers(&[("accept", "text/csv")])
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let mut reader = csv::Reader::from_reader(response.body.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][at("status")], "referred");
    assert_eq!(rows[0][at("referred_to_organisation_id")], id(&force));
    assert_eq!(rows[0][at("referral_reason_code")], "operational_matter");
    assert!(!rows[0][at("referred_at")].is_empty());
}

#[actix_web::test]
async fn only_submitted_or_accepted_questions_can_be_referred_and_a_409_writes_nothing() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let answered = app.create_public_question().await;
    let draft = app.create_response(id(&answered), json!({})).await;
    app.publish_response(id(&draft)).await;
    let rejected = app.create_question(json!({})).await;
    let body = json!({"reason_code": "late", "reason": "Late"});
    assert_eq!(
        app.as_admin()
            .post(&refer_path(&rejected).replace("/refer", "/reject"))
            .json(&body)
            .await
            .status,
        200
    );
    let withdrawn = app.create_question(json!({})).await;
    assert_eq!(
        app.as_admin()
            .post(&refer_path(&withdrawn).replace("/refer", "/withdraw"))
            .await
            .status,
        200
    );
    let referred = app.create_question(json!({})).await;
    assert_eq!(
        app.as_admin()
            .post(&refer_path(&referred))
            .json(&referral(&force))
            .await
            .status,
        200
    );
    let before = recorded(&app, "question.referred").await;
    for (question, state) in [
        (&answered, "answered"),
        (&rejected, "rejected"),
        (&withdrawn, "withdrawn"),
        (&referred, "referred"),
    ] {
        let problem = app
            .as_admin()
            .post(&refer_path(question))
            .json(&referral(&force))
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], state, "{problem}");
    }
    assert_eq!(recorded(&app, "question.referred").await, before);
}

#[actix_web::test]
async fn a_bad_referral_is_a_422_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app.create_question(json!({})).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    for (body, field) in [
        (
            json!({"organisation_id": unknown, "reason_code": "outside_remit", "reason": "Council"}),
            "organisation_id",
        ),
        (
            json!({"reason_code": "outside_remit", "reason": "Council"}),
            "organisation_id",
        ),
        (
            json!({"organisation_id": force["id"], "reason_code": "late", "reason": "Council"}),
            "reason_code",
        ),
        (
            json!({"organisation_id": force["id"], "reason": "Council"}),
            "reason_code",
        ),
        (
            json!({"organisation_id": force["id"], "reason_code": "outside_remit", "reason": " "}),
            "reason",
        ),
        (
            json!({"organisation_id": force["id"], "reason_code": "outside_remit", "reason": "x".repeat(2_001)}),
            "reason",
        ),
    ] {
        let problem = app
            .as_admin()
            .post(&refer_path(&question))
            .json(&body)
            .await
            .assert_problem(422);
        let fields: Vec<&Value> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["field"])
            .collect();
        assert_eq!(fields, [&json!(field)], "{body}: {problem}");
    }
    let unchanged = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    assert_eq!(
        (unchanged["status"].clone(), unchanged["version"].clone()),
        (json!("submitted"), json!(1))
    );
    assert_eq!(recorded(&app, "question.referred").await, (0, 0));
}

#[actix_web::test]
async fn only_the_secretariat_and_admins_refer() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app.create_question(json!({})).await;
    app.anonymous()
        .post(&refer_path(&question))
        .json(&referral(&force))
        .await
        .assert_problem(401);
    for role in [
        Role::PanelMember,
        Role::CommissionerOffice,
        Role::Force,
        Role::Integration,
    ] {
        app.as_role(role, None)
            .post(&refer_path(&question))
            .json(&referral(&force))
            .await
            .assert_problem(403);
    }
    assert_eq!(recorded(&app, "question.referred").await, (0, 0));
}

#[actix_web::test]
async fn the_organisations_reply_is_recorded_by_the_secretariat_published_and_the_question_stays_referred() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app.create_public_question().await;
    let referred = app
        .as_admin()
        .post(&refer_path(&question))
        .json(&referral(&force))
        .await;
    assert_eq!(referred.status, 200, "{}", referred.text());
    let reply = json!({
        "kind": "written",
        "body": "The front counter at Leek opens 10:00 to 14:00 on weekdays.",
        "author": {"name": "Staffordshire Police", "position": "Chief Constable's office"},
        "responded_on": "2022-06-20"
    });
    let path = format!("/api/v1/questions/{}/responses", id(&question));
    // The Commissioner's office does not write another organisation's reply.
    app.as_role(Role::CommissionerOffice, None)
        .post(&path)
        .json(&reply)
        .await
        .assert_problem(403);
    let clerk = app.token(Role::Secretariat, None);
    let draft = app.with_token(&clerk).post(&path).json(&reply).await;
    assert_eq!(draft.status, 201, "{}", draft.text());
    let published = app
        .with_token(&clerk)
        .post(&format!("/api/v1/responses/{}/publish", id(&draft.json())))
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let read = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    assert_eq!(read["status"], "referred");
    assert_eq!(read["responses"].as_array().unwrap().len(), 1);
    assert_eq!(
        read["responses"][0]["body"],
        "The front counter at Leek opens 10:00 to 14:00 on weekdays."
    );
    assert_eq!(recorded(&app, "question.answered").await, (0, 0));
}

/// How many hits an anonymous search for "front counter" gives.
async fn found(app: &TestApp) -> usize {
    app.anonymous().get("/api/v1/search?q=front%20counter").await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn anonymous_search_finds_a_referred_question() {
    let app = spawn_app().await;
    let force = force(&app).await;
    let question = app
        .create_question(json!({"title": "Opening hours of the Leek front counter"}))
        .await;
    assert_eq!(found(&app).await, 0);
    let referred = app
        .as_admin()
        .post(&refer_path(&question))
        .json(&referral(&force))
        .await;
    assert_eq!(referred.status, 200, "{}", referred.text());
    assert_eq!(found(&app).await, 1);
}
