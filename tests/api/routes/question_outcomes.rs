//! A question's outcomes beyond accepting it: rejection on a documented ground.

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const CODES: &[&str] = &[
    "operational_matter",
    "individual_complaint",
    "defamatory_or_vexatious",
    "outside_remit",
    "late",
    "over_the_limit",
];

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

fn reject_path(question: &Value) -> String {
    format!("/api/v1/questions/{}/reject", id(question))
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

#[actix_web::test]
async fn every_documented_ground_is_stored_shown_audited_and_in_the_feed() {
    let app = spawn_app().await;
    for code in CODES {
        let question = app.create_question(json!({})).await;
        let rejected = app
            .as_admin()
            .post(&reject_path(&question))
            .json(&json!({"reason_code": code, "reason": "Explained to the questioner by letter"}))
            .await;
        assert_eq!(rejected.status, 200, "{code}: {}", rejected.text());
        let rejected = rejected.json();
        assert_eq!(
            (
                rejected["status"].clone(),
                rejected["rejection_reason_code"].clone(),
                rejected["rejection_reason"].clone()
            ),
            (
                json!("rejected"),
                json!(code),
                json!("Explained to the questioner by letter")
            )
        );
        let read = app
            .as_admin()
            .get(&format!("/api/v1/questions/{}", id(&question)))
            .await;
        assert_eq!(read.json()["rejection_reason_code"], *code);
        for (table, column) in [("audit_events", "after->>"), ("events", "snapshot->>")] {
            let kind = if table == "events" { "event_type" } else { "action" };
            assert_eq!(
                app.db
                    .count(&format!(
                        "SELECT count(*) AS n FROM {table} WHERE {kind} = 'question.rejected' \
                         AND {column}'id' = '{}' AND {column}'rejection_reason_code' = '{code}'",
                        id(&question)
                    ))
                    .await,
                1,
                "{table} for {code}"
            );
        }
    }
}

#[actix_web::test]
async fn the_ground_is_a_csv_column_and_null_for_questions_not_rejected() {
    let app = spawn_app().await;
    let rejected = app.create_question(json!({})).await;
    let kept = app.create_question(json!({})).await;
    let answer = app
        .as_admin()
        .post(&reject_path(&rejected))
        .json(&json!({"reason_code": "late", "reason": "Arrived after the deadline"}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let response = app
        .as_admin()
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
    let row_of = |question: &Value| rows.iter().find(|row| row[at("id")] == id(question)).unwrap().clone();
    assert_eq!(row_of(&rejected)[at("rejection_reason_code")], "late");
    assert_eq!(row_of(&rejected)[at("rejection_reason")], "Arrived after the deadline");
    assert_eq!(row_of(&kept)[at("rejection_reason_code")], "");
    let kept = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&kept)))
        .await
        .json();
    assert!(kept["rejection_reason_code"].is_null());
}

#[actix_web::test]
async fn a_missing_null_or_unknown_ground_is_a_422_naming_reason_code_and_nothing_is_written() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    for body in [
        json!({"reason": "Not for the panel"}),
        json!({"reason_code": null, "reason": "Not for the panel"}),
        json!({"reason_code": "rude", "reason": "Not for the panel"}),
        json!({"reason_code": "Late", "reason": "Not for the panel"}),
    ] {
        let problem = app
            .as_admin()
            .post(&reject_path(&question))
            .json(&body)
            .await
            .assert_problem(422);
        let fields: Vec<&Value> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["field"])
            .collect();
        assert_eq!(fields, [&json!("reason_code")], "{body}: {problem}");
    }
    // Both fields wrong: both named in one answer.
    let problem = app
        .as_admin()
        .post(&reject_path(&question))
        .json(&json!({"reason": " "}))
        .await
        .assert_problem(422);
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["reason", "reason_code"]);
    let unchanged = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    assert_eq!(
        (unchanged["status"].clone(), unchanged["version"].clone()),
        (json!("submitted"), json!(1))
    );
    assert_eq!(recorded(&app, "question.rejected").await, (0, 0));
}

#[actix_web::test]
async fn only_the_secretariat_and_admins_reject_and_a_refusal_writes_nothing() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    let body = json!({"reason_code": "outside_remit", "reason": "A matter for the council"});
    app.anonymous()
        .post(&reject_path(&question))
        .json(&body)
        .await
        .assert_problem(401);
    for role in [Role::PanelMember, Role::CommissionerOffice, Role::Force] {
        app.as_role(role, None)
            .post(&reject_path(&question))
            .json(&body)
            .await
            .assert_problem(403);
    }
    assert_eq!(recorded(&app, "question.rejected").await, (0, 0));
    let clerk = app.token(Role::Secretariat, None);
    let rejected = app.with_token(&clerk).post(&reject_path(&question)).json(&body).await;
    assert_eq!(rejected.status, 200, "{}", rejected.text());
    assert_eq!(recorded(&app, "question.rejected").await, (1, 1));
}

#[actix_web::test]
async fn a_question_rejected_before_grounds_were_recorded_keeps_a_null_code() {
    let app = spawn_app().await;
    let question = app.create_question(json!({})).await;
    // As the migration leaves one: rejected, with a reason and no code.
    app.db
        .execute(&format!(
            "UPDATE questions SET status = 'rejected', rejection_reason = 'Operational' WHERE id = '{}'",
            id(&question)
        ))
        .await;
    let read = app
        .as_admin()
        .get(&format!("/api/v1/questions/{}", id(&question)))
        .await
        .json();
    assert_eq!(
        (
            read["status"].clone(),
            read["rejection_reason"].clone(),
            read["rejection_reason_code"].clone()
        ),
        (json!("rejected"), json!("Operational"), Value::Null)
    );
    // And the database refuses a code on a question that is not rejected.
    let mut conn = app.db.conn().await;
    let refused = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE questions SET status = 'submitted', rejection_reason_code = 'late' WHERE id = '{}'",
            id(&question)
        )),
        &mut conn,
    )
    .await;
    assert!(refused.is_err(), "a code only on a rejected question");
}
