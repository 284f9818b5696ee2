//! A recommendation's status following its actions (`open`, `in_progress`,
//! `actions_complete`) until someone records a decision: every place that shows the
//! status agrees, and every move is versioned and in the change feed.

use diesel_async::SimpleAsyncConnection as _;
use serde_json::{json, Value};

use crate::helpers::{path_of, spawn_app, TestApp};

/// A force, a report on it, and recommendation R1.
async fn a_recommendation(app: &TestApp) -> (Value, Value, Value) {
    let hmicfrs = app.create_organisation("HMICFRS", "inspectorate").await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    (report, force, r1)
}

async fn status_of(app: &TestApp, recommendation: &Value) -> String {
    app.anonymous()
        .get(&path_of("recommendations", recommendation))
        .await
        .json()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn change_action(app: &TestApp, action: &Value, change: Value) {
    let response = app.as_admin().patch(&path_of("actions", action)).json(&change).await;
    assert_eq!(response.status, 200, "{change}: {}", response.text());
}

#[actix_web::test]
async fn the_status_follows_each_rule_and_every_view_agrees() {
    let app = spawn_app().await;
    let (report, force, r1) = a_recommendation(&app).await;
    assert_eq!(status_of(&app, &r1).await, "open", "no actions");
    let a1 = app.create_action("A-1", &[&r1], &force, "2199-12-31").await;
    let a2 = app.create_action("A-2", &[&r1], &force, "2199-12-31").await;
    assert_eq!(status_of(&app, &r1).await, "open", "actions, none started");

    change_action(&app, &a1, json!({"progress_percent": 10})).await;
    assert_eq!(status_of(&app, &r1).await, "in_progress", "progress above 0 %");
    change_action(&app, &a1, json!({"status": "completed"})).await;
    assert_eq!(status_of(&app, &r1).await, "in_progress", "one of two completed");

    // A progress update moves the action, and the recommendation with it.
    let posted = app
        .as_admin()
        .post(&format!("{}/updates", path_of("actions", &a2)))
        .json(&json!({
            "reported_on": "2022-09-01",
            "author": {"name": "Jo Bloggs", "position": "Head of Public Protection"},
            "body": "Audit finished.",
            "status": "completed",
        }))
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text());
    let current = app.anonymous().get(&path_of("recommendations", &r1)).await.json();
    assert_eq!(current["status"], "actions_complete");
    assert_eq!(current["status_reason"], Value::Null);
    assert_eq!(
        current["version"], 3,
        "open → in_progress → actions_complete, each move a version"
    );

    // The list, its filter, the CSV, the scorecard and the trail say the same.
    let r2 = app.create_recommendation(&report, "R2", &force).await;
    let listed = app
        .anonymous()
        .get(&format!(
            "/api/v1/recommendations?report_id={}&status=actions_complete",
            report["id"].as_str().unwrap()
        ))
        .await
        .json();
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&r1["id"]]);
    let csv = app
        .anonymous()
        .get(&format!(
            "/api/v1/recommendations?report_id={}",
            report["id"].as_str().unwrap()
        ))
        .header("accept", "text/csv")
        .await
        .text();
    let r1_line = csv.lines().find(|l| l.contains(r1["id"].as_str().unwrap())).unwrap();
    let r2_line = csv.lines().find(|l| l.contains(r2["id"].as_str().unwrap())).unwrap();
    assert!(r1_line.contains(",actions_complete,"), "{r1_line}");
    assert!(r2_line.contains(",open,"), "{r2_line}");
    let scorecard = app
        .anonymous()
        .get(&format!("{}/scorecard", path_of("reports", &report)))
        .await
        .json();
    assert_eq!(
        scorecard["recommendations_by_status"]["actions_complete"], 1,
        "{scorecard}"
    );
    assert_eq!(scorecard["recommendations_by_status"]["open"], 1, "{scorecard}");
    let question = app.create_question(json!({"recommendation_ids": [r1["id"]]})).await;
    let trail = app
        .as_admin()
        .get(&format!(
            "/api/v1/questions/{}/accountability",
            question["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(trail["recommendations"][0]["status"], "actions_complete", "{trail}");

    // Each move is in the change feed and the audit log, as its own
    // `recommendation.updated` (the feed's positions are given after commit, so the
    // table is read directly).
    let id1 = r1["id"].as_str().unwrap();
    for status in ["in_progress", "actions_complete"] {
        let events = app
            .db
            .count(&format!(
                "SELECT count(*) AS n FROM events WHERE resource_id = '{id1}' \
                 AND event_type = 'recommendation.updated' AND snapshot->>'status' = '{status}'"
            ))
            .await;
        assert_eq!(events, 1, "{status}");
        let audited = app
            .db
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE resource_id = '{id1}' \
                 AND action = 'recommendation.updated' AND after->>'status' = '{status}'"
            ))
            .await;
        assert_eq!(audited, 1, "{status}");
    }
}

#[actix_web::test]
async fn a_reopened_removed_or_new_action_moves_the_recommendation_back() {
    let app = spawn_app().await;
    let (report, force, r1) = a_recommendation(&app).await;
    let r2 = app.create_recommendation(&report, "R2", &force).await;
    let a1 = app.create_action("A-1", &[&r1], &force, "2199-12-31").await;
    change_action(&app, &a1, json!({"status": "completed"})).await;
    assert_eq!(status_of(&app, &r1).await, "actions_complete");

    change_action(&app, &a1, json!({"status": "in_progress", "progress_percent": 80})).await;
    assert_eq!(status_of(&app, &r1).await, "in_progress", "the action was reopened");
    change_action(&app, &a1, json!({"status": "completed"})).await;
    assert_eq!(status_of(&app, &r1).await, "actions_complete");

    let a2 = app.create_action("A-2", &[&r1], &force, "2199-12-31").await;
    assert_eq!(status_of(&app, &r1).await, "in_progress", "a new action is still to do");
    change_action(&app, &a2, json!({"status": "cancelled"})).await;
    assert_eq!(
        status_of(&app, &r1).await,
        "actions_complete",
        "a cancelled action is not waited for"
    );

    // The action moved to another recommendation: R1 is left with none that counts.
    change_action(&app, &a1, json!({"recommendation_ids": [r2["id"]]})).await;
    assert_eq!(status_of(&app, &r1).await, "open", "no action addresses it any more");
    assert_eq!(status_of(&app, &r2).await, "actions_complete");
}

#[actix_web::test]
async fn decisions_stay_until_changed_and_derived_statuses_are_not_set_by_hand() {
    let app = spawn_app().await;
    let (_, force, r1) = a_recommendation(&app).await;
    let path = path_of("recommendations", &r1);
    let a1 = app.create_action("A-1", &[&r1], &force, "2199-12-31").await;
    for (change, field) in [
        (json!({"status": "in_progress"}), "status"),
        (json!({"status": "actions_complete"}), "status"),
        (json!({"status_reason": "Work has begun"}), "status_reason"),
        (json!({"status": "implemented"}), "status_reason"),
    ] {
        let problem = app.as_admin().patch(&path).json(&change).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{change}: {problem}");
    }
    let problem = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "actions_complete"}))
        .await
        .assert_problem(422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("make it open"),
        "the problem names the status the actions give: {problem}"
    );

    let implemented = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "implemented", "status_reason": "The force reports the review done"}))
        .await;
    assert_eq!(implemented.status, 200, "{}", implemented.text());
    change_action(&app, &a1, json!({"status": "completed"})).await;
    change_action(&app, &a1, json!({"status": "in_progress"})).await;
    assert_eq!(
        status_of(&app, &r1).await,
        "implemented",
        "a decision stays as recorded"
    );

    // Reopening names the status the actions give, then follows them again.
    let problem = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "open"}))
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "status");
    let reopened = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "in_progress"}))
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text());
    assert_eq!(reopened.json()["status_reason"], Value::Null);
    change_action(&app, &a1, json!({"status": "completed"})).await;
    assert_eq!(status_of(&app, &r1).await, "actions_complete");
}

#[actix_web::test]
async fn the_migration_recomputes_the_status_of_existing_rows() {
    let app = spawn_app().await;
    let (report, force, r1) = a_recommendation(&app).await;
    let r2 = app.create_recommendation(&report, "R2", &force).await;
    let r3 = app.create_recommendation(&report, "R3", &force).await;
    let done = app.create_action("A-1", &[&r1], &force, "2199-12-31").await;
    change_action(&app, &done, json!({"status": "completed"})).await;
    let started = app.create_action("A-2", &[&r2], &force, "2199-12-31").await;
    change_action(&app, &started, json!({"progress_percent": 5})).await;
    // As rows written before the status followed the actions: all open, or in progress
    // by hand with a reason; and one decision.
    let (id1, id2, id3) = (
        r1["id"].as_str().unwrap(),
        r2["id"].as_str().unwrap(),
        r3["id"].as_str().unwrap(),
    );
    app.db
        .execute(&format!(
            "UPDATE recommendations SET status = 'open' WHERE id IN ('{id1}', '{id2}')"
        ))
        .await;
    app.db
        .execute(&format!(
            "UPDATE recommendations SET status = 'in_progress', status_reason = 'Started' WHERE id = '{id3}'"
        ))
        .await;
    let before = app.anonymous().get(&path_of("recommendations", &r1)).await.json()["version"].clone();
    let mut conn = app.db.conn().await;
    conn.batch_execute(include_str!(
        "../../../migrations/2026-12-01-300001_recommendation_status_follows_actions/up.sql"
    ))
    .await
    .unwrap();
    assert_eq!(status_of(&app, &r1).await, "actions_complete");
    assert_eq!(status_of(&app, &r2).await, "in_progress");
    let r3 = app.anonymous().get(&path_of("recommendations", &r3)).await.json();
    assert_eq!(
        (r3["status"].as_str(), &r3["status_reason"]),
        (Some("open"), &Value::Null)
    );
    let after = app.anonymous().get(&path_of("recommendations", &r1)).await.json()["version"].clone();
    assert_eq!(
        after.as_i64().unwrap(),
        before.as_i64().unwrap() + 1,
        "the change is a new version"
    );
}
