use serde_json::{json, Value};

use crate::helpers::{
    assert_fields, assert_readable_where_created, assert_stale_tag_refused, field_of_each, path_of, spawn_app, TestApp,
};

/// A force and an inspection report about it.
async fn report_on_a_force(app: &TestApp) -> (Value, Value) {
    let hmicfrs = app.create_organisation("HMICFRS", "inspectorate").await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    (report, force)
}

fn recommendations_of(report: &Value) -> String {
    format!("{}/recommendations", path_of("reports", report))
}

#[actix_web::test]
async fn a_recommendation_is_added_to_a_report_and_starts_open_with_no_progress() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let response = app
        .as_admin()
        .post(&recommendations_of(&report))
        .json(&json!({
            "reference": " R1 ",
            "kind": "cause_of_concern",
            "text": "The force is not effectively safeguarding children.",
            "addressed_to_organisation_id": force["id"],
            "due_on": "2022-10-07",
        }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    assert_eq!(created["reference"], "R1");
    assert_eq!(created["report_id"], report["id"]);
    assert_eq!(created["status"], "open");
    assert_eq!(created["status_reason"], Value::Null);
    assert_eq!(
        created["progress"],
        json!({"actions_total": 0, "actions_completed": 0, "actions_overdue": 0, "percent_complete": 0})
    );
    let read = assert_readable_where_created(&app.anonymous(), "recommendations", &response).await;
    assert_eq!(read.header("etag"), response.header("etag"));
    assert!(read.header("etag").unwrap().starts_with("\"1-"));
}

#[actix_web::test]
async fn a_duplicate_reference_within_a_report_is_a_409_but_another_report_may_reuse_it() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    app.create_recommendation(&report, "R1", &force).await;
    let body = json!({
        "reference": "R1", "kind": "recommendation", "text": "Again.",
        "addressed_to_organisation_id": force["id"],
    });
    let problem = app
        .as_admin()
        .post(&recommendations_of(&report))
        .json(&body)
        .await
        .assert_problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("R1"), "{problem}");
    let other = app
        .create_report(
            &app.create_organisation("Audit Office", "other").await,
            &force,
            "2023-01-01",
        )
        .await;
    assert_eq!(
        app.as_admin()
            .post(&recommendations_of(&other))
            .json(&body)
            .await
            .status,
        201
    );
    app.db.assert_rows("recommendations", 2).await;
}

#[actix_web::test]
async fn adding_to_a_missing_report_is_a_404_and_to_a_missing_organisation_a_422() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let body = json!({
        "reference": "R1", "kind": "recommendation", "text": "T.",
        "addressed_to_organisation_id": force["id"],
    });
    app.as_admin()
        .post(&format!("/api/v1/reports/{}/recommendations", uuid::Uuid::now_v7()))
        .json(&body)
        .await
        .assert_problem(404);
    let mut unknown = body.clone();
    unknown["addressed_to_organisation_id"] = json!(uuid::Uuid::now_v7());
    app.as_admin()
        .post(&recommendations_of(&report))
        .json(&unknown)
        .await
        .assert_invalid("addressed_to_organisation_id");
    for (field, value) in [
        ("reference", json!("R\n1")),
        ("reference", json!("R".repeat(51))),
        ("text", json!("nul \u{0} inside")),
        ("text", json!("x".repeat(20_001))),
        ("kind", json!("suggestion")),
        ("due_on", json!("someday")),
        ("status", json!("closed")),
        ("progress", json!({})),
    ] {
        let mut invalid = body.clone();
        invalid[field] = value;
        let problem = app
            .as_admin()
            .post(&recommendations_of(&report))
            .json(&invalid)
            .await
            .assert_problem(422);
        assert!(
            problem["errors"][0]["field"] == field || problem["errors"][0]["message"].as_str().unwrap().contains(field),
            "{field}: {problem}"
        );
    }
    app.db.assert_rows("recommendations", 0).await;
}

#[actix_web::test]
async fn recommendation_progress_is_derived_from_its_actions() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let done = app.create_action("A-1", &[&r1], &force, "2022-08-31").await;
    let late = app.create_action("A-2", &[&r1], &force, "2022-09-30").await;
    let dropped = app.create_action("A-3", &[&r1], &force, "2022-07-31").await;
    let future = app.create_action("A-4", &[&r1], &force, "2199-12-31").await;
    for (action, change) in [
        (&done, json!({"status": "completed"})),
        (&late, json!({"status": "in_progress", "progress_percent": 45})),
        (&dropped, json!({"status": "cancelled", "progress_percent": 90})),
        (&future, json!({"progress_percent": 10})),
    ] {
        let response = app.as_admin().patch(&path_of("actions", action)).json(&change).await;
        assert_eq!(response.status, 200, "{}", response.text());
    }
    let progress = app.anonymous().get(&path_of("recommendations", &r1)).await.json()["progress"].clone();
    // (100 + 45 + 10) / 3 = 51.67: the cancelled action's 90 % does not count.
    assert_eq!(
        progress,
        json!({"actions_total": 4, "actions_completed": 1, "actions_overdue": 1, "percent_complete": 52})
    );
    let listed = app
        .anonymous()
        .get(&format!("{}?status=in_progress", recommendations_of(&report)))
        .await
        .json();
    assert_eq!(listed["items"][0]["progress"], progress);
}

#[actix_web::test]
async fn the_etag_changes_when_progress_changes_although_the_version_does_not() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let action = app.create_action("A-1", &[&r1], &force, "2199-12-31").await;
    // Started, so that the status (in progress) stays while the progress moves.
    app.as_admin()
        .patch(&path_of("actions", &action))
        .json(&json!({"progress_percent": 10}))
        .await;
    let path = path_of("recommendations", &r1);
    let etag = app.anonymous().get(&path).await.header("etag").unwrap();
    let cached = app.anonymous().get(&path).header("if-none-match", etag.as_str()).await;
    assert_eq!(cached.status, 304);
    app.as_admin()
        .patch(&path_of("actions", &action))
        .json(&json!({"progress_percent": 30}))
        .await;
    let fresh = app.anonymous().get(&path).header("if-none-match", etag.as_str()).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.json()["progress"]["percent_complete"], 30);
    assert_eq!(fresh.json()["version"], 2, "one version, for the move to in_progress");
    // The version is what If-Match protects: the progress is not the client's to edit.
    let token = app.admin_token.clone();
    let edited = app
        .with_token(&token)
        .patch(&path)
        .json(&json!({"text": "Reworded."}))
        .header("if-match", etag.as_str())
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
}

#[actix_web::test]
async fn a_recommendation_status_change_must_be_legal() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let path = path_of("recommendations", &r1);
    // Its status follows its (no) actions, open, until a decision is recorded.
    for (change, status) in [
        (json!({"status": "in_progress"}), 422),
        (
            json!({"status": "implemented", "status_reason": "Evidence submitted"}),
            200,
        ),
        (json!({"status": "in_progress"}), 422),
        (json!({"status": "open"}), 200),
        (
            json!({"status": "implemented", "status_reason": "Evidence submitted again"}),
            200,
        ),
        (
            json!({"status": "superseded", "status_reason": "Replaced by R1 of the 2023 re-inspection"}),
            200,
        ),
        (json!({"status": "open"}), 409),
        (json!({"status": "closed", "status_reason": "x"}), 409),
    ] {
        let response = app.as_admin().patch(&path).json(&change).await;
        assert_eq!(response.status, status, "{change}: {}", response.text());
        if status == 409 {
            let problem = response.assert_problem(409);
            assert!(["implemented", "superseded"].contains(&problem["current_state"].as_str().unwrap()));
        }
    }
    let current = app.anonymous().get(&path).await.json();
    assert_eq!(current["status"], "superseded");
    assert_eq!(current["status_reason"], "Replaced by R1 of the 2023 re-inspection");
    assert_eq!(current["version"], 5, "refused changes change nothing");
}

#[actix_web::test]
async fn closing_or_superseding_a_recommendation_needs_a_reason() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let path = path_of("recommendations", &r1);
    for change in [
        json!({"status": "closed"}),
        json!({"status": "superseded", "status_reason": null}),
        json!({"status": "closed", "status_reason": "   "}),
    ] {
        let problem = app.as_admin().patch(&path).json(&change).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "status_reason", "{change}: {problem}");
    }
    let closed = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "closed", "status_reason": "Confirmed by HMICFRS"}))
        .await;
    assert_eq!(closed.status, 200);
    app.as_admin()
        .patch(&path)
        .json(&json!({"status_reason": null}))
        .await
        .assert_invalid("status_reason");
    assert_eq!(
        app.anonymous().get(&path).await.json()["status_reason"],
        "Confirmed by HMICFRS"
    );
}

#[actix_web::test]
async fn a_stale_if_match_on_a_recommendation_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let path = path_of("recommendations", &r1);
    let (first, second) = (json!({"text": "First"}), json!({"status": "in_progress"}));
    assert_stale_tag_refused(&app.as_admin(), &path, "\"1\"", first, second).await;
    let current = app.anonymous().get(&path).await.json();
    assert_fields(&current, json!({"status": "open", "version": 2}));
    app.as_admin()
        .patch(&path)
        .json(&json!({"reference": "R9"}))
        .await
        .assert_invalid("reference");
}

#[actix_web::test]
async fn recommendations_are_listed_in_the_order_added_and_filtered() {
    let app = spawn_app().await;
    let (report, force) = report_on_a_force(&app).await;
    let council = app.create_organisation("Stoke-on-Trent City Council", "council").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let r2 = app.create_recommendation(&report, "R2", &council).await;
    let r3 = app.create_recommendation(&report, "R3", &force).await;
    let other = app.create_report(&council, &force, "2023-02-01").await;
    let elsewhere = app.create_recommendation(&other, "R1", &force).await;
    // R2 in progress, as its started action makes it.
    let started = app.create_action("A-1", &[&r2], &council, "2199-12-31").await;
    app.as_admin()
        .patch(&path_of("actions", &started))
        .json(&json!({"progress_percent": 10}))
        .await;
    let ids = |page: Value| -> Vec<Value> { field_of_each(&page["items"], "id") };

    let first = app
        .anonymous()
        .get(&format!("{}?limit=2", recommendations_of(&report)))
        .await;
    let page = first.json();
    assert_eq!(ids(page.clone()), vec![r1["id"].clone(), r2["id"].clone()]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .anonymous()
        .get(&format!("{}?limit=2&cursor={cursor}", recommendations_of(&report)))
        .await
        .json();
    assert_eq!(ids(rest), vec![r3["id"].clone()]);

    assert_eq!(
        ids(app.anonymous().get("/api/v1/recommendations").await.json()).len(),
        4
    );
    let report_id = report["id"].as_str().unwrap();
    assert_eq!(
        ids(app
            .anonymous()
            .get(&format!("/api/v1/recommendations?report_id={report_id}&status=open"))
            .await
            .json()),
        vec![r1["id"].clone(), r3["id"].clone()]
    );
    let council_id = council["id"].as_str().unwrap();
    assert_eq!(
        ids(app
            .anonymous()
            .get(&format!(
                "/api/v1/recommendations?addressed_to_organisation_id={council_id}"
            ))
            .await
            .json()),
        vec![r2["id"].clone()]
    );
    assert_eq!(
        ids(app
            .anonymous()
            .get(&format!("{}?kind=recommendation", recommendations_of(&other)))
            .await
            .json()),
        vec![elsewhere["id"].clone()]
    );
    assert!(ids(app
        .anonymous()
        .get("/api/v1/recommendations?kind=area_for_improvement")
        .await
        .json())
    .is_empty());
    app.anonymous()
        .get(&format!("{}?report_id={report_id}", recommendations_of(&report)))
        .await
        .assert_problem(422);
}
