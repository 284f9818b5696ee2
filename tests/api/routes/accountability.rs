//! `/api/v1/questions/{id}/accountability`: the trail from a question to what was done.

use crate::helpers::{field_of_each, path_of, spawn_app};

#[actix_web::test]
async fn a_submitted_question_has_no_public_accountability_trail() {
    let app = spawn_app().await;
    let question = app.create_question(serde_json::json!({})).await;
    let path = format!("/api/v1/questions/{}/accountability", question["id"].as_str().unwrap());
    app.anonymous().get(&path).await.assert_problem(404);
    let staff = app
        .as_role(scrutiny::domain::auth::Role::PanelMember, None)
        .get(&path)
        .await;
    assert_eq!(staff.status, 200, "{}", staff.text());
    assert_eq!(staff.json()["summary"]["recommendations_total"], 0);
}

/// A public question concerning two recommendations, with three actions: one addressing
/// both, one overdue, one completed; returns the question's id.
async fn a_trail(app: &crate::helpers::TestApp) -> String {
    let force = app.create_organisation("Avon and Somerset Constabulary", "force").await;
    let inspectorate = app
        .create_organisation("HM Inspectorate of Constabulary", "inspectorate")
        .await;
    let report = app.create_report(&inspectorate, &force, "2022-04-07").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let r2 = app.create_recommendation(&report, "R2", &force).await;
    app.create_action("A-BOTH", &[&r1, &r2], &force, "2199-01-31").await;
    app.create_action("A-LATE", &[&r1], &force, "2022-09-30").await;
    let done = app.create_action("A-DONE", &[&r2], &force, "2199-03-31").await;
    let completed = app
        .as_admin()
        .patch(&path_of("actions", &done))
        .json(&serde_json::json!({"status": "completed"}))
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text());
    let question = app
        .create_question(serde_json::json!({"recommendation_ids": [r1["id"], r2["id"]]}))
        .await;
    app.accept_question(&question).await;
    question["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn the_trail_reads_summary_first_with_each_action_once_and_organisations_by_name() {
    let app = spawn_app().await;
    let id = a_trail(&app).await;
    let response = app.public_trail(&id, "").await;
    assert!(
        response.text().starts_with("{\"summary\":"),
        "the summary comes first: {}",
        &response.text()[..80]
    );
    let trail = response.json();
    let summary = &trail["summary"];
    assert_eq!(summary["recommendations_total"], 2);
    assert_eq!(summary["actions_total"], 3);
    assert_eq!(
        summary["actions_by_status"],
        serde_json::json!({"planned": 2, "in_progress": 0, "completed": 1, "blocked": 0, "cancelled": 0})
    );
    assert_eq!(summary["actions_completed"], 1);
    assert_eq!(summary["actions_overdue"], 1);
    assert_eq!(summary["percent_complete"], 33, "(0 + 0 + 100) / 3, rounded");
    assert_eq!(summary["next_due_on"], "2199-01-31", "the overdue one is not next");

    let actions = trail["actions"].as_array().unwrap();
    let references: Vec<&str> = actions.iter().map(|a| a["reference"].as_str().unwrap()).collect();
    assert_eq!(
        references,
        ["A-LATE", "A-BOTH", "A-DONE"],
        "each once, soonest due first"
    );
    for action in actions {
        assert_eq!(
            action["owner"]["organisation"]["name"],
            "Avon and Somerset Constabulary"
        );
        assert!(action["owner"]["organisation"]["id"].is_string());
        assert_eq!(action["owner"]["post_title"], "Head of Public Protection");
        assert!(action.get("recommendation_ids").is_none());
    }
    let addressed = field_of_each(&actions[1]["addresses"], "reference");
    assert_eq!(addressed, ["R1", "R2"]);
    assert!(actions[1]["addresses"][0]["text"]
        .as_str()
        .unwrap()
        .contains("risk to children"));
    assert_eq!(actions[0]["is_overdue"], true);

    let recommendations = trail["recommendations"].as_array().unwrap();
    assert_eq!(recommendations.len(), 2);
    assert_eq!(
        recommendations[0]["addressed_to"]["name"],
        "Avon and Somerset Constabulary"
    );
    assert_eq!(
        recommendations[0]["action_references"],
        serde_json::json!(["A-LATE", "A-BOTH"])
    );
    assert_eq!(
        recommendations[1]["action_references"],
        serde_json::json!(["A-BOTH", "A-DONE"])
    );
    assert!(
        recommendations[0].get("actions").is_none(),
        "actions are listed once, above"
    );
}

#[actix_web::test]
async fn the_nested_trail_keeps_each_recommendation_with_its_actions() {
    let app = spawn_app().await;
    let id = a_trail(&app).await;
    let response = app.public_trail(&id, "/nested").await;
    let trail = response.json();
    assert_eq!(trail["summary"]["actions_total"], 3);
    let recommendations = trail["recommendations"].as_array().unwrap();
    let under = |i: usize| -> Vec<String> {
        recommendations[i]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["reference"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(under(0), ["A-LATE", "A-BOTH"]);
    assert_eq!(under(1), ["A-BOTH", "A-DONE"]);
    assert!(recommendations[0]["progress"]["actions_total"].is_number());
    assert!(recommendations[0]["actions"][0]["owner"]["organisation_id"].is_string());
    assert_eq!(trail["other_actions"], serde_json::json!([]));

    // The same visibility as the readable form.
    let submitted = app.create_question(serde_json::json!({})).await;
    app.anonymous()
        .get(&format!(
            "/api/v1/questions/{}/accountability/nested",
            submitted["id"].as_str().unwrap()
        ))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn the_trail_and_a_scorecard_answer_304_while_unchanged_and_200_once_anything_moves() {
    let app = spawn_app().await;
    let id = a_trail(&app).await;
    let trail = app
        .anonymous()
        .get(&format!("/api/v1/questions/{id}/accountability"))
        .await;
    let report = trail.json()["recommendations"][0]["report_id"]
        .as_str()
        .unwrap()
        .to_string();
    let paths = [
        format!("/api/v1/questions/{id}/accountability"),
        format!("/api/v1/questions/{id}/accountability/nested"),
        format!("/api/v1/reports/{report}/scorecard"),
    ];
    let mut tags = Vec::new();
    for path in &paths {
        let first = app.anonymous().get(path).await;
        assert_eq!(first.status, 200, "{path}: {}", first.text());
        let tag = first.header("etag").expect("an ETag");
        let again = app.anonymous().get(path).header("if-none-match", &tag).await;
        assert_eq!(again.status, 304, "{path}");
        assert_eq!(again.header("etag").as_deref(), Some(tag.as_str()), "{path}");
        assert!(again.body.is_empty());
        tags.push(tag);
    }
    // An action moves: every view of it changes its tag.
    let action = trail.json()["actions"][0]["id"].as_str().unwrap().to_string();
    let moved = app
        .as_admin()
        .patch(&format!("/api/v1/actions/{action}"))
        .json(&serde_json::json!({"progress_percent": 40, "status": "in_progress"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    for (path, tag) in paths.iter().zip(&tags) {
        let changed = app.anonymous().get(path).header("if-none-match", tag).await;
        assert_eq!(changed.status, 200, "{path}");
        assert_ne!(changed.header("etag").as_deref(), Some(tag.as_str()), "{path}");
    }
}

#[actix_web::test]
async fn the_trail_shows_the_programme_of_each_action_by_id_and_name() {
    let app = spawn_app().await;
    let force = app.create_organisation("Avon and Somerset Constabulary", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let programme = app
        .create_programme_named("Child Protection Improvement Programme", &force)
        .await;
    let inside = app
        .create_action_in(&programme, "CPIP-01", &[&r1], &force, "2199-01-31")
        .await;
    app.create_action("X-01", &[&r1], &force, "2199-03-31").await;
    let question = app
        .create_question(serde_json::json!({"recommendation_ids": [r1["id"]]}))
        .await;
    app.accept_question(&question).await;
    let id = question["id"].as_str().unwrap();

    let trail = app.public_trail(id, "").await.json();
    let actions = trail["actions"].as_array().unwrap();
    assert_eq!(actions[0]["id"], inside["id"]);
    assert_eq!(
        actions[0]["programme"],
        serde_json::json!({"id": programme["id"], "name": "Child Protection Improvement Programme"})
    );
    assert_eq!(actions[1]["programme"], serde_json::Value::Null);

    let nested = app.public_trail(id, "/nested").await.json();
    let under = &nested["recommendations"][0]["actions"];
    assert_eq!(under[0]["programme_id"], programme["id"]);
    assert_eq!(under[0]["programme_name"], "Child Protection Improvement Programme");
    assert_eq!(under[1]["programme_id"], serde_json::Value::Null);
}
