use serde_json::{json, Value};

use crate::helpers::{
    assert_fields, assert_names_field, assert_readable_where_created, assert_stale_tag_refused, path_of, spawn_app,
    TestApp,
};
use scrutiny::domain::auth::Role;

/// The chain an action hangs from: a force, a report about it and one recommendation.
struct Chain {
    force: Value,
    recommendation: Value,
}

async fn chain(app: &TestApp) -> Chain {
    let hmicfrs = app.create_organisation("HMICFRS", "inspectorate").await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R1", &force).await;
    Chain { force, recommendation }
}

fn updates_of(action: &Value) -> String {
    format!("{}/updates", path_of("actions", action))
}

fn update_body(extra: Value) -> Value {
    let mut body = json!({
        "reported_on": "2022-07-14",
        "author": {"name": "Chief Constable", "position": "Chief Constable, Staffordshire Police"},
        "body": "Training for all public protection staff is under way.",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

/// Asserts that a refused request left the action at `path` as it was: it still holds
/// `expected` (read anonymously, as the public sees it), and no update was written.
async fn assert_unchanged(app: &TestApp, path: &str, expected: Value) {
    let current = app.anonymous().get(path).await.json();
    assert_fields(&current, expected);
    app.db.assert_rows("action_updates", 0).await;
}

#[actix_web::test]
async fn an_action_is_created_planned_at_zero_percent_with_its_owner_and_recommendations() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let response = app
        .as_admin()
        .post("/api/v1/actions")
        .json(&app.action_body("CPIP-07", &[&chain.recommendation], &chain.force, "2199-09-30"))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let action = response.json();
    assert_eq!(action["reference"], "CPIP-07");
    assert_eq!(action["status"], "planned");
    assert_eq!(action["progress_percent"], 0);
    assert_eq!(action["completed_on"], Value::Null);
    assert_eq!(action["is_overdue"], false);
    assert_eq!(action["latest_update"], Value::Null);
    assert_eq!(action["recommendation_ids"], json!([chain.recommendation["id"]]));
    assert_eq!(
        action["owner"],
        json!({"organisation_id": chain.force["id"], "post_title": "Head of Public Protection"})
    );
    assert_eq!(action["version"], 1);
    let read = assert_readable_where_created(&app.anonymous(), "actions", &response).await;
    assert_eq!(read.header("etag"), response.header("etag"));
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'action.created' AND jsonb_array_length(after->'recommendation_ids') = 1", 1).await;
}

#[actix_web::test]
async fn an_action_cannot_be_due_before_it_starts() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let body = app.action_body("A-1", &[&chain.recommendation], &chain.force, "2022-06-12");
    app.as_admin()
        .post("/api/v1/actions")
        .json(&body)
        .await
        .assert_invalid("due_on");
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2022-06-13")
        .await;
    let path = path_of("actions", &action);
    app.as_admin()
        .patch(&path)
        .json(&json!({"starts_on": "2022-07-01"}))
        .await
        .assert_invalid("starts_on");
    app.as_admin()
        .patch(&path)
        .json(&json!({"due_on": "2022-06-01"}))
        .await
        .assert_invalid("due_on");
    app.as_admin()
        .patch(&path)
        .json(&json!({"due_on": null}))
        .await
        .assert_invalid("due_on");
    let moved = app
        .as_admin()
        .patch(&path)
        .json(&json!({"starts_on": "2022-07-01", "due_on": "2022-12-31"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(moved.json()["due_on"], "2022-12-31");
}

#[actix_web::test]
async fn a_duplicate_action_reference_is_a_409_and_creates_nothing() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    app.create_action("CPIP-07", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let body = app.action_body("CPIP-07", &[&chain.recommendation], &chain.force, "2199-01-01");
    let problem = app
        .as_admin()
        .post("/api/v1/actions")
        .json(&body)
        .await
        .assert_problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("CPIP-07"));
    app.db.assert_rows("actions", 1).await;
    assert_eq!(
        app.db.count("SELECT count(*) AS n FROM action_recommendations").await,
        1
    );
}

#[actix_web::test]
async fn invalid_action_fields_are_a_422_naming_each_and_create_nothing() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let valid = app.action_body("A-1", &[&chain.recommendation], &chain.force, "2199-01-01");
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("recommendation_ids", json!([])), "recommendation_ids"),
        (
            with("recommendation_ids", json!([uuid::Uuid::now_v7()])),
            "recommendation_ids",
        ),
        (with("reference", json!("x".repeat(51))), "reference"),
        (with("title", json!("nul\u{0}")), "title"),
        (with("title", json!("x".repeat(301))), "title"),
        (with("description", json!("x".repeat(20_001))), "description"),
        (with("programme_id", json!("")), "programme_id"),
        (with("programme_id", json!("CPIP")), "programme_id"),
        (with("programme_id", json!(42)), "programme_id"),
        (with("programme_id", json!(uuid::Uuid::now_v7())), "programme_id"),
        (with("programme_id", chain.force["id"].clone()), "programme_id"),
        (
            with("programme", json!("Child Protection Improvement Programme")),
            "programme",
        ),
        (with("success_measure", json!("\u{7}")), "success_measure"),
        (
            with(
                "owner",
                json!({"organisation_id": uuid::Uuid::now_v7(), "post_title": "Head"}),
            ),
            "owner.organisation_id",
        ),
        (
            with("owner", json!({"organisation_id": chain.force["id"], "post_title": ""})),
            "owner.post_title",
        ),
        (with("owner", json!({"organisation_id": chain.force["id"]})), "owner"),
        (with("due_on", Value::Null), "due_on"),
        (with("due_on", json!("2022-06-31")), "due_on"),
        (with("starts_on", json!("1899-12-31")), "starts_on"),
        (with("status", json!("in_progress")), "status"),
        (with("progress_percent", json!(50)), "progress_percent"),
        (with("is_overdue", json!(false)), "is_overdue"),
        (with("id", json!(uuid::Uuid::now_v7())), "id"),
        (with("created_at", json!("2022-01-01T00:00:00Z")), "created_at"),
    ];
    for (body, field) in cases {
        let response = app.as_admin().post("/api/v1/actions").json(&body).await;
        let problem = response.assert_problem(422);
        assert_names_field(&problem, field, &body);
    }
    app.db.assert_rows("actions", 0).await;
}

/// Creates an action and moves it, legally, into `status`.
async fn action_in(app: &TestApp, chain: &Chain, reference: &str, status: &str) -> Value {
    let action = app
        .create_action(reference, &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    if status == "planned" {
        return action;
    }
    let response = app
        .as_admin()
        .patch(&path_of("actions", &action))
        .json(&json!({"status": status}))
        .await;
    assert_eq!(response.status, 200, "planned → {status}: {}", response.text());
    response.json()
}

#[actix_web::test]
async fn every_action_status_transition_is_allowed_or_refused_as_the_rules_say() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let statuses = ["planned", "in_progress", "completed", "blocked", "cancelled"];
    // Rows: from; columns: to, in the order of `statuses`.
    let allowed = [
        ("planned", [true, true, true, true, true]),
        ("in_progress", [false, true, true, true, true]),
        ("completed", [false, true, true, false, false]),
        ("blocked", [false, true, true, true, true]),
        ("cancelled", [false, false, false, false, true]),
    ];
    let mut n = 0;
    for (from, row) in allowed {
        for (to, legal) in statuses.iter().zip(row) {
            n += 1;
            let action = action_in(&app, &chain, &format!("T-{n}"), from).await;
            let path = path_of("actions", &action);
            let response = app.as_admin().patch(&path).json(&json!({"status": to})).await;
            if legal {
                assert_eq!(response.status, 200, "{from} → {to}: {}", response.text());
                assert_eq!(response.json()["status"], *to);
            } else {
                let problem = response.assert_problem(409);
                assert_eq!(problem["current_state"], from, "{from} → {to}");
                let current = app.anonymous().get(&path).await.json();
                assert_eq!(current["status"], from);
                assert_eq!(current["version"], action["version"], "a refused move changes nothing");
            }
        }
    }
}

#[actix_web::test]
async fn completing_an_action_means_100_percent_and_a_completion_date() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = action_in(&app, &chain, "A-1", "in_progress").await;
    let path = path_of("actions", &action);
    app.as_admin()
        .patch(&path)
        .json(&json!({"status": "completed", "progress_percent": 80}))
        .await
        .assert_invalid("progress_percent");
    app.as_admin()
        .patch(&path)
        .json(&json!({"completed_on": "2022-09-01"}))
        .await
        .assert_invalid("completed_on");

    let today = chrono::Utc::now().date_naive().to_string();
    let done = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "completed"}))
        .await
        .json();
    assert_eq!(
        (done["progress_percent"].clone(), done["completed_on"].clone()),
        (json!(100), json!(today))
    );
    app.as_admin()
        .patch(&path)
        .json(&json!({"progress_percent": 90}))
        .await
        .assert_invalid("progress_percent");
    let reopened = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "in_progress", "progress_percent": 90}))
        .await
        .json();
    assert_eq!(
        (reopened["progress_percent"].clone(), reopened["completed_on"].clone()),
        (json!(90), Value::Null)
    );
    let dated = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "completed", "completed_on": "2022-09-28"}))
        .await
        .json();
    assert_eq!(dated["completed_on"], "2022-09-28");
    assert_eq!(dated["version"], 5);
}

#[actix_web::test]
async fn reaching_100_percent_alone_does_not_complete_an_action() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = action_in(&app, &chain, "A-1", "in_progress").await;
    let moved = app
        .as_admin()
        .patch(&path_of("actions", &action))
        .json(&json!({"progress_percent": 100}))
        .await
        .json();
    assert_eq!(
        (
            moved["status"].clone(),
            moved["progress_percent"].clone(),
            moved["completed_on"].clone()
        ),
        (json!("in_progress"), json!(100), Value::Null)
    );
    for bad in [json!(101), json!(-1), json!(50.5), json!("50")] {
        app.as_admin()
            .patch(&path_of("actions", &action))
            .json(&json!({"progress_percent": bad}))
            .await
            .assert_invalid("progress_percent");
    }
}

#[actix_web::test]
async fn a_force_user_can_move_and_report_on_their_own_organisations_action() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let token = app.token(Role::Force, Some(&chain.force));
    let moved = app
        .with_token(&token)
        .patch(&path_of("actions", &action))
        .json(&json!({"status": "in_progress", "progress_percent": 20}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let posted = app
        .with_token(&token)
        .post(&updates_of(&action))
        .json(&update_body(json!({"progress_percent": 35})))
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text());
    assert_eq!(
        app.anonymous().get(&path_of("actions", &action)).await.json()["progress_percent"],
        35
    );
}

#[actix_web::test]
async fn force_user_cannot_update_another_forces_action() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let other_force = app.create_organisation("West Midlands Police", "force").await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let path = path_of("actions", &action);
    app.as_role(Role::Force, Some(&other_force))
        .patch(&path)
        .json(&json!({"progress_percent": 20}))
        .await
        .assert_problem(403);
    app.as_role(Role::Force, Some(&other_force))
        .post(&updates_of(&action))
        .json(&update_body(json!({})))
        .await
        .assert_problem(403);
    // A force token that names no organisation owns nothing.
    let nobody = app.token(Role::Force, None);
    app.with_token(&nobody)
        .patch(&path)
        .json(&json!({"progress_percent": 20}))
        .await
        .assert_problem(403);
    assert_unchanged(&app, &path, json!({"progress_percent": 0, "version": 1})).await;
}

#[actix_web::test]
async fn force_users_cannot_change_what_an_action_is_or_when_it_is_due() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let token = app.token(Role::Force, Some(&chain.force));
    for change in [
        json!({"due_on": "2199-12-31"}),
        json!({"title": "Something easier"}),
        json!({"owner": {"post_title": "Someone else"}}),
        json!({"progress_percent": 20, "success_measure": "Less"}),
    ] {
        app.with_token(&token)
            .patch(&path_of("actions", &action))
            .json(&change)
            .await
            .assert_problem(403);
    }
    for role in [Role::Secretariat, Role::PanelMember, Role::Integration] {
        let token = app.token(role, None);
        app.with_token(&token)
            .patch(&path_of("actions", &action))
            .json(&json!({"progress_percent": 5}))
            .await
            .assert_problem(403);
    }
    assert_eq!(
        app.anonymous().get(&path_of("actions", &action)).await.json()["version"],
        1
    );
}

#[actix_web::test]
async fn posting_an_update_moves_the_action_atomically_and_bumps_its_version() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let response = app
        .as_admin()
        .post(&updates_of(&action))
        .json(&update_body(json!({"progress_percent": 40, "status": "in_progress"})))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let update = response.json();
    assert_eq!(update["action_id"], action["id"]);
    assert_eq!(update["author"]["name"], "Chief Constable");
    assert_eq!(update["progress_percent"], 40);
    assert_eq!(update["status"], "in_progress");
    assert_eq!(update["version"], 1);
    assert_eq!(response.header("location").unwrap(), updates_of(&action));

    let moved = app.anonymous().get(&path_of("actions", &action)).await.json();
    assert_eq!(moved["status"], "in_progress");
    assert_eq!(moved["progress_percent"], 40);
    assert_eq!(moved["version"], 2);
    assert_eq!(moved["latest_update"], update);

    // Words alone move nothing but still bump the version: latest_update changed.
    let words = app
        .as_admin()
        .post(&updates_of(&action))
        .json(&update_body(json!({})))
        .await;
    assert_eq!(words.status, 201);
    let after = app.anonymous().get(&path_of("actions", &action)).await.json();
    assert_fields(&after, json!({"progress_percent": 40, "version": 3}));
    assert_eq!(after["latest_update"]["id"], words.json()["id"]);
    app.db.assert_audited("action_update.posted", 2).await;
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'action.updated' AND (after->>'version')::int = (before->>'version')::int + 1", 2).await;
}

#[actix_web::test]
async fn an_update_that_completes_an_action_dates_it_by_the_report() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = action_in(&app, &chain, "A-1", "in_progress").await;
    let response = app
        .as_admin()
        .post(&updates_of(&action))
        .json(&update_body(
            json!({"status": "completed", "reported_on": "2022-09-28"}),
        ))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let done = app.anonymous().get(&path_of("actions", &action)).await.json();
    assert_eq!(
        (
            done["status"].clone(),
            done["progress_percent"].clone(),
            done["completed_on"].clone()
        ),
        (json!("completed"), json!(100), json!("2022-09-28"))
    );
    app.as_admin()
        .post(&updates_of(&action))
        .json(&update_body(json!({"status": "completed", "progress_percent": 70})))
        .await
        .assert_invalid("progress_percent");
}

#[actix_web::test]
async fn an_update_with_an_illegal_status_is_a_409_and_records_nothing() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = action_in(&app, &chain, "A-1", "cancelled").await;
    let problem = app
        .as_admin()
        .post(&updates_of(&action))
        .json(&update_body(json!({"status": "in_progress"})))
        .await
        .assert_problem(409);
    assert_eq!(problem["current_state"], "cancelled");
    assert_unchanged(
        &app,
        &path_of("actions", &action),
        json!({"status": "cancelled", "version": 2}),
    )
    .await;
    app.db.assert_audited("action_update.posted", 0).await;
}

#[actix_web::test]
async fn invalid_updates_are_a_422_naming_the_field() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    for (extra, field) in [
        (json!({"meeting_id": uuid::Uuid::now_v7()}), "meeting_id"),
        (json!({"progress_percent": 150}), "progress_percent"),
        (json!({"status": "finished"}), "status"),
        (json!({"body": "a\u{0}b"}), "body"),
        (json!({"body": "x".repeat(20_001)}), "body"),
        (
            json!({"author": {"name": "", "position": "Chief Constable"}}),
            "author.name",
        ),
        (
            json!({"author": {"name": "A", "position": "B", "email": "a@b"}}),
            "author",
        ),
        (json!({"reported_on": "30/09/2022"}), "reported_on"),
        (json!({"id": uuid::Uuid::now_v7()}), "id"),
        (json!({"action_id": uuid::Uuid::now_v7()}), "action_id"),
    ] {
        let problem = app
            .as_admin()
            .post(&updates_of(&action))
            .json(&update_body(extra.clone()))
            .await
            .assert_problem(422);
        assert_names_field(&problem, field, &extra);
    }
    app.db.assert_rows("action_updates", 0).await;
    app.as_admin()
        .post(&format!("/api/v1/actions/{}/updates", uuid::Uuid::now_v7()))
        .json(&update_body(json!({})))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn updates_cannot_be_edited_or_deleted() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    app.as_admin()
        .post(&updates_of(&action))
        .json(&update_body(json!({})))
        .await;
    let admin = app.admin_token.clone();
    for method in ["PATCH", "PUT", "DELETE"] {
        let response = app
            .with_token(&admin)
            .request(method, &updates_of(&action))
            .json(&json!({"body": "Rewritten"}))
            .await;
        response.assert_problem(405);
        assert_eq!(response.header("allow").as_deref(), Some("GET, HEAD, POST"));
    }
    app.with_token(&admin)
        .delete(&path_of("actions", &action))
        .await
        .assert_problem(405);
    assert_eq!(
        app.anonymous().get(&updates_of(&action)).await.json()["items"][0]["body"],
        "Training for all public protection staff is under way."
    );
}

#[actix_web::test]
async fn updates_are_listed_oldest_first_in_pages() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let mut posted = Vec::new();
    for percent in [10, 20, 30] {
        let response = app
            .as_admin()
            .post(&updates_of(&action))
            .json(&update_body(json!({"progress_percent": percent})))
            .await;
        posted.push(response.json()["id"].clone());
    }
    let first = app
        .anonymous()
        .get(&format!("{}?limit=2", updates_of(&action)))
        .await
        .json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .anonymous()
        .get(&format!("{}?limit=2&cursor={cursor}", updates_of(&action)))
        .await
        .json();
    let seen: Vec<Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(seen, posted);
    assert_eq!(second["next_cursor"], Value::Null);
    app.anonymous()
        .get(&format!("/api/v1/actions/{}/updates", uuid::Uuid::now_v7()))
        .await
        .assert_problem(404);
    app.anonymous()
        .get(&format!("{}?limit=101", updates_of(&action)))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn the_public_sees_an_updates_meeting_only_when_the_meeting_is_public() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let (public, private) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let force_id = chain.force["id"].as_str().unwrap();
    let mut conn = app.db.conn().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut conn,
        &format!(
            "INSERT INTO meetings (id, organisation_id, kind, title, held_on, is_public) VALUES \
             ('{public}', '{force_id}', 'public_performance_meeting', 'Public Performance Meeting', '2022-07-14', true), \
             ('{private}', '{force_id}', 'strategic_governance_board', 'Strategic Governance Board', '2022-07-20', false);"
        ),
    )
    .await
    .unwrap();
    for meeting in [public, private] {
        let response = app
            .as_admin()
            .post(&updates_of(&action))
            .json(&update_body(json!({"meeting_id": meeting})))
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        assert_eq!(response.json()["meeting_id"], json!(meeting), "the poster sees it");
    }
    let anonymous = app.anonymous().get(&updates_of(&action)).await.json();
    assert_eq!(anonymous["items"][0]["meeting_id"], json!(public));
    assert_eq!(anonymous["items"][1]["meeting_id"], Value::Null);
    assert_eq!(
        app.anonymous().get(&path_of("actions", &action)).await.json()["latest_update"]["meeting_id"],
        Value::Null
    );
    let staff = app.token(Role::PanelMember, None);
    let seen = app.with_token(&staff).get(&updates_of(&action)).await.json();
    assert_eq!(seen["items"][1]["meeting_id"], json!(private));
}

#[actix_web::test]
async fn actions_past_their_due_date_are_overdue_until_completed_or_cancelled() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let late = app
        .create_action("LATE", &[&chain.recommendation], &chain.force, "2022-09-30")
        .await;
    let done = app
        .create_action("DONE", &[&chain.recommendation], &chain.force, "2022-08-31")
        .await;
    let dropped = app
        .create_action("DROPPED", &[&chain.recommendation], &chain.force, "2022-07-31")
        .await;
    let future = app
        .create_action("FUTURE", &[&chain.recommendation], &chain.force, "2199-12-31")
        .await;
    assert_eq!(late["is_overdue"], true);
    assert_eq!(future["is_overdue"], false);
    app.as_admin()
        .patch(&path_of("actions", &done))
        .json(&json!({"status": "completed"}))
        .await;
    app.as_admin()
        .patch(&path_of("actions", &dropped))
        .json(&json!({"status": "cancelled"}))
        .await;
    let references = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["reference"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        references(app.anonymous().get("/api/v1/actions?overdue=true").await.json()),
        ["LATE"]
    );
    assert_eq!(
        references(app.anonymous().get("/api/v1/actions?overdue=false").await.json()),
        ["DROPPED", "DONE", "FUTURE"],
        "soonest due first"
    );
    assert_eq!(
        app.anonymous().get(&path_of("actions", &done)).await.json()["is_overdue"],
        false
    );
    app.anonymous()
        .get("/api/v1/actions?overdue=maybe")
        .await
        .assert_invalid("overdue");
}

#[actix_web::test]
async fn actions_are_listed_soonest_due_first_and_filtered() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let fire = app
        .create_organisation("Staffordshire Fire and Rescue", "fire_service")
        .await;
    let other_report = app
        .create_report(
            &app.create_organisation("Audit Office", "other").await,
            &fire,
            "2023-01-01",
        )
        .await;
    let r2 = app.create_recommendation(&other_report, "R1", &fire).await;
    let programme = app.create_programme(&chain.force, &[]).await;
    let a = app
        .create_action_in(&programme, "A", &[&chain.recommendation], &chain.force, "2199-03-01")
        .await;
    let b = app
        .create_action_in(
            &programme,
            "B",
            &[&chain.recommendation, &r2],
            &chain.force,
            "2199-01-01",
        )
        .await;
    let c = app.create_action("C", &[&r2], &fire, "2199-01-01").await;
    let d = app.create_action_in(&programme, "D", &[&r2], &fire, "2199-02-01").await;
    app.as_admin()
        .patch(&path_of("actions", &d))
        .json(&json!({"status": "blocked"}))
        .await;
    let references = |path: String| {
        let app = &app;
        async move {
            let response = app.anonymous().get(&path).await;
            assert_eq!(response.status, 200, "{path}: {}", response.text());
            response.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["reference"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Same due date: in the order created.
    assert_eq!(references("/api/v1/actions".into()).await, ["B", "C", "D", "A"]);
    let page = app.anonymous().get("/api/v1/actions?limit=1").await.json();
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        references(format!("/api/v1/actions?limit=2&cursor={cursor}")).await,
        ["C", "D"]
    );
    assert_eq!(references("/api/v1/actions?status=blocked".into()).await, ["D"]);
    let rid = chain.recommendation["id"].as_str().unwrap();
    assert_eq!(
        references(format!("/api/v1/actions?recommendation_id={rid}")).await,
        ["B", "A"]
    );
    let report = other_report["id"].as_str().unwrap();
    assert_eq!(
        references(format!("/api/v1/actions?report_id={report}")).await,
        ["B", "C", "D"]
    );
    let fire_id = fire["id"].as_str().unwrap();
    assert_eq!(
        references(format!("/api/v1/actions?owner_organisation_id={fire_id}")).await,
        ["C", "D"]
    );
    let programme_id = programme["id"].as_str().unwrap();
    assert_eq!(
        references(format!("/api/v1/actions?programme_id={programme_id}")).await,
        ["B", "D", "A"]
    );
    assert_eq!(
        references(format!("/api/v1/actions?programme_id={}", uuid::Uuid::now_v7())).await,
        Vec::<String>::new(),
        "an unknown programme has no actions"
    );
    assert_eq!(
        references("/api/v1/actions?due_after=2199-01-01".into()).await,
        ["D", "A"]
    );
    assert_eq!(
        references("/api/v1/actions?due_before=2199-02-01".into()).await,
        ["B", "C"]
    );
    assert_eq!(
        references(format!(
            "/api/v1/actions?due_before=2199-03-01&owner_organisation_id={fire_id}&status=planned"
        ))
        .await,
        ["C"]
    );
    assert_eq!(b["recommendation_ids"].as_array().unwrap().len(), 2);
    assert_eq!(c["programme_id"], Value::Null);
    assert_eq!(c["programme_name"], Value::Null);
    assert_eq!(a["programme_id"], programme["id"]);
    assert_eq!(a["programme_name"], "Child Protection Improvement Programme");
    assert_eq!(a["due_on"], "2199-03-01");
    // Cursors are opaque but not signed: a malformed one is a 422, and any well-formed
    // one for its list, however far it points, is a position, never a database error.
    for list in ["actions", "reports", "meetings", "questions"] {
        let scope = scrutiny::pagination::list_scope(&format!("/api/v1/{list}"), "");
        for (cursor, status) in [
            ("not-a-cursor".to_string(), 422),
            (format!("12345678~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b~{scope}"), 422),
            (format!("0~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b~{scope}"), 200),
            (format!("9999999~ffffffff-ffff-ffff-ffff-ffffffffffff~{scope}"), 200),
            // Without the list it belongs to, as cursors were once given out.
            ("0~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b".to_string(), 422),
        ] {
            let response = app.anonymous().get(&format!("/api/v1/{list}?cursor={cursor}")).await;
            assert_eq!(response.status, status, "{list} {cursor}: {}", response.text());
        }
    }
}

#[actix_web::test]
async fn a_cursor_is_accepted_only_by_the_list_and_filters_that_gave_it() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    for reference in ["A", "B", "C"] {
        app.create_action(reference, &[&chain.recommendation], &chain.force, "2199-01-01")
            .await;
    }
    let hmicfrs = app.create_organisation("HMICFRS (2)", "inspectorate").await;
    for on in ["2022-01-10", "2022-02-10", "2022-03-10"] {
        app.create_report(&hmicfrs, &chain.force, on).await;
    }
    let first = app.anonymous().get("/api/v1/actions?limit=1").await.json();
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    // The list that gave it pages on with it, whatever the page size.
    let next = app
        .anonymous()
        .get(&format!("/api/v1/actions?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(next.status, 200, "{}", next.text());
    // Another list, or the same list with other filters, refuses it.
    for foreign in [
        format!("/api/v1/reports?cursor={cursor}"),
        format!("/api/v1/meetings?cursor={cursor}"),
        format!("/api/v1/actions?status=planned&cursor={cursor}"),
    ] {
        let problem = app.anonymous().get(&foreign).await.assert_invalid("cursor");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("another list"),
            "{foreign}: {problem}"
        );
    }
    let reports = app.anonymous().get("/api/v1/reports?limit=1").await.json();
    let cursor = reports["next_cursor"].as_str().unwrap();
    app.anonymous()
        .get(&format!("/api/v1/actions?cursor={cursor}"))
        .await
        .assert_invalid("cursor");
    assert_eq!(
        app.anonymous()
            .get(&format!("/api/v1/reports?limit=1&cursor={cursor}"))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_stale_if_match_on_an_action_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let path = path_of("actions", &action);
    let etag = app.anonymous().get(&path).await.header("etag").unwrap();
    let (first, second) = (json!({"progress_percent": 10}), json!({"progress_percent": 20}));
    assert_stale_tag_refused(&app.as_admin(), &path, &etag, first, second).await;
    let admin = app.admin_token.clone();
    app.with_token(&admin)
        .post(&updates_of(&action))
        .json(&update_body(json!({"progress_percent": 30})))
        .header("if-match", etag.as_str())
        .await
        .assert_problem(412);
    assert_unchanged(&app, &path, json!({"progress_percent": 10, "version": 2})).await;
}

#[actix_web::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_action() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let body = app.action_body("A-1", &[&chain.recommendation], &chain.force, "2199-01-01");
    let admin = app.admin_token.clone();
    let (first, retry) = app
        .with_token(&admin)
        .post_twice("/api/v1/actions", "create-A-1-7f3c", &body)
        .await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(retry.status, 201, "a replay, not a 409 for the reference");
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.json(), first.json());
    assert_eq!(retry.header("location"), first.header("location"));
    app.db.assert_rows("actions", 1).await;
    let mut other = body.clone();
    other["title"] = json!("Another title");
    app.with_token(&admin)
        .post("/api/v1/actions")
        .json(&other)
        .header("idempotency-key", "create-A-1-7f3c")
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn changing_an_actions_recommendations_replaces_the_set() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let hmicfrs = app.create_organisation("HMICFRS 2023", "inspectorate").await;
    let report = app.create_report(&hmicfrs, &chain.force, "2023-04-07").await;
    let r2 = app.create_recommendation(&report, "R2", &chain.force).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let path = path_of("actions", &action);
    let changed = app
        .as_admin()
        .patch(&path)
        .json(&json!({"recommendation_ids": [r2["id"], r2["id"]], "programme_id": null}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let changed = changed.json();
    assert_eq!(changed["recommendation_ids"], json!([r2["id"]]));
    assert_eq!(changed["programme_id"], Value::Null);
    app.as_admin()
        .patch(&path)
        .json(&json!({"recommendation_ids": []}))
        .await
        .assert_invalid("recommendation_ids");
    app.as_admin()
        .patch(&path)
        .json(&json!({"owner": {"organisation_id": uuid::Uuid::now_v7()}}))
        .await
        .assert_invalid("owner.organisation_id");
    let owner = app
        .as_admin()
        .patch(&path)
        .json(&json!({"owner": {"post_title": "Detective Superintendent"}}))
        .await
        .json();
    assert_eq!(
        owner["owner"],
        json!({"organisation_id": chain.force["id"], "post_title": "Detective Superintendent"})
    );
    assert_eq!(
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'action.updated' AND after->'recommendation_ids' = '[\"{}\"]'::jsonb",
                r2["id"].as_str().unwrap()
            ))
            .await,
        2
    );
}

#[actix_web::test]
async fn an_action_belongs_to_its_programme_and_is_read_with_its_name() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let programme = app
        .create_programme_named("Child Protection Improvement Programme", &chain.force)
        .await;
    let mut body = app.action_body("CPIP-07", &[&chain.recommendation], &chain.force, "2199-09-30");
    body["programme_id"] = programme["id"].clone();
    let response = app.as_admin().post("/api/v1/actions").json(&body).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let read = assert_readable_where_created(&app.anonymous(), "actions", &response).await;
    assert_fields(
        &read.json(),
        json!({
            "programme_id": programme["id"],
            "programme_name": "Child Protection Improvement Programme",
        }),
    );
    let listed = app.anonymous().get("/api/v1/actions").await.json();
    assert_eq!(
        listed["items"][0]["programme_name"],
        "Child Protection Improvement Programme"
    );
    // The audit log keeps the id; the name is the programme's own.
    app.db
        .assert_count(
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'action.created' \
                 AND after->>'programme_id' = '{}'",
                programme["id"].as_str().unwrap()
            ),
            1,
        )
        .await;

    // Renaming the programme renames it on the action too.
    app.as_admin()
        .patch(&path_of("programmes", &programme))
        .json(&json!({"name": "Safeguarding Children Programme"}))
        .await;
    let action = app.anonymous().get(&path_of("actions", &read.json())).await.json();
    assert_eq!(action["programme_name"], "Safeguarding Children Programme");
}

#[actix_web::test]
async fn a_reference_is_unique_within_its_programme_and_two_programmes_may_share_one() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let r = [&chain.recommendation];
    let cpip = app
        .create_programme_named("Child Protection Improvement Programme", &chain.force)
        .await;
    let custody = app
        .create_programme_named("Custody Improvement Programme", &chain.force)
        .await;
    let in_cpip = app.create_action_in(&cpip, "1.1", &r, &chain.force, "2199-01-01").await;
    let in_custody = app
        .create_action_in(&custody, "1.1", &r, &chain.force, "2199-01-01")
        .await;
    let outside = app.create_action("1.1", &r, &chain.force, "2199-01-01").await;
    assert_eq!(in_cpip["programme_id"], cpip["id"]);
    assert_eq!(in_custody["programme_id"], custody["id"]);
    assert_eq!(outside["programme_id"], Value::Null);

    // A second "1.1" in the same programme, or outside any: a 409 naming the rule.
    let mut again = app.action_body("1.1", &r, &chain.force, "2199-01-01");
    again["programme_id"] = cpip["id"].clone();
    for body in [again, app.action_body("1.1", &r, &chain.force, "2199-01-01")] {
        let problem = app
            .as_admin()
            .post("/api/v1/actions")
            .json(&body)
            .await
            .assert_problem(409);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("1.1"), "{problem}");
        assert!(detail.contains("unique within a programme"), "{problem}");
    }
    app.db.assert_rows("actions", 3).await;
    app.db.assert_audited("action.created", 3).await;

    // Moving an action where its reference is taken: a 409, and nothing changes.
    let refused = [
        (&outside, json!({"programme_id": cpip["id"]})),
        (&in_custody, json!({"programme_id": cpip["id"]})),
        (&in_custody, json!({"programme_id": null})),
    ];
    for (action, patch) in refused {
        let problem = app
            .as_admin()
            .patch(&path_of("actions", action))
            .json(&patch)
            .await
            .assert_problem(409);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("unique within a programme"),
            "{patch}: {problem}"
        );
        let current = app.anonymous().get(&path_of("actions", action)).await.json();
        assert_fields(
            &current,
            json!({"programme_id": action["programme_id"], "version": action["version"]}),
        );
    }
    app.db.assert_audited("action.updated", 0).await;

    // Moving to where the reference is free, and out of any programme.
    let moving = app.create_action_in(&cpip, "1.2", &r, &chain.force, "2199-01-01").await;
    let path = path_of("actions", &moving);
    let moved = app
        .as_admin()
        .patch(&path)
        .json(&json!({"programme_id": custody["id"]}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_fields(
        &moved.json(),
        json!({"programme_id": custody["id"], "programme_name": "Custody Improvement Programme", "version": 2}),
    );
    let out = app.as_admin().patch(&path).json(&json!({"programme_id": null})).await;
    assert_eq!(out.status, 200, "{}", out.text());
    assert_fields(
        &out.json(),
        json!({"programme_id": null, "programme_name": null, "version": 3}),
    );
    // Naming the programme it is in already is no conflict with itself.
    let same = app
        .as_admin()
        .patch(&path_of("actions", &in_cpip))
        .json(&json!({"programme_id": cpip["id"]}))
        .await;
    assert_eq!(same.status, 200, "{}", same.text());
    assert_eq!(same.json()["programme_id"], cpip["id"]);
}

#[actix_web::test]
async fn an_unknown_programme_is_a_422_naming_programme_id_and_nothing_is_written() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let action = app
        .create_action("A-1", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let mut body = app.action_body("A-2", &[&chain.recommendation], &chain.force, "2199-01-01");
    body["programme_id"] = json!(unknown);
    let problem = app
        .as_admin()
        .post("/api/v1/actions")
        .json(&body)
        .await
        .assert_invalid("programme_id");
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains(&unknown),
        "{problem}"
    );
    for value in [json!(unknown), json!("CPIP"), json!(7), json!(["x"])] {
        let patch = json!({"programme_id": value});
        let response = app.as_admin().patch(&path_of("actions", &action)).json(&patch).await;
        let problem = response.assert_problem(422);
        assert_names_field(&problem, "programme_id", &patch);
    }
    app.db.assert_rows("actions", 1).await;
    app.db.assert_audited("action.updated", 0).await;
    assert_unchanged(
        &app,
        &path_of("actions", &action),
        json!({"programme_id": null, "version": 1}),
    )
    .await;
    // In a filter, an id that is not one is a 422; an unknown one lists nothing.
    app.anonymous()
        .get("/api/v1/actions?programme_id=CPIP")
        .await
        .assert_invalid("programme_id");
    let none = app
        .anonymous()
        .get(&format!("/api/v1/actions?programme_id={unknown}"))
        .await;
    assert_eq!(none.status, 200, "{}", none.text());
    assert_eq!(none.json()["items"], json!([]));
}

#[actix_web::test]
async fn the_csv_export_carries_the_programme_id_and_name_and_filters_like_the_json() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let r = [&chain.recommendation];
    let programme = app
        .create_programme_named("Child Protection Improvement Programme", &chain.force)
        .await;
    let inside = app
        .create_action_in(&programme, "CPIP-01", &r, &chain.force, "2199-01-01")
        .await;
    app.create_action("X-01", &r, &chain.force, "2199-01-01").await;
    let csv = app
        .anonymous()
        .get(&format!(
            "/api/v1/actions?programme_id={}",
            programme["id"].as_str().unwrap()
        ))
        .header("accept", "text/csv")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    let text = csv.text();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,reference,title,description,programme_id,programme_name,recommendation_ids,"),
        "{text}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!(
            "{},CPIP-01,Audit of missing-child referrals,Audit every missing-child referral of the last twelve months.,{},Child Protection Improvement Programme,",
            inside["id"].as_str().unwrap(),
            programme["id"].as_str().unwrap()
        )),
        "{text}"
    );
    assert_eq!(lines.next(), None, "only the programme's action: {text}");
    let all = app
        .anonymous()
        .get("/api/v1/actions")
        .header("accept", "text/csv")
        .await
        .text();
    assert!(
        all.lines().any(|line| line.contains(",X-01,") && line.contains(".,,,")),
        "an action in no programme has empty programme cells: {all}"
    );
}

#[actix_web::test]
async fn references_in_one_programme_differ_by_more_than_letter_case() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    let programme = app.create_programme(&chain.force, &[]).await;
    app.create_action_in(&programme, "1.1a", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    let mut body = app.action_body("1.1A", &[&chain.recommendation], &chain.force, "2199-01-01");
    body["programme_id"] = programme["id"].clone();
    let problem = app
        .as_admin()
        .post("/api/v1/actions")
        .json(&body)
        .await
        .assert_problem(409);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("1.1a") && detail.contains("letter case"), "{detail}");
    // Outside any programme too, and moving into a programme where it clashes.
    let loose = app
        .create_action("1.1A", &[&chain.recommendation], &chain.force, "2199-01-01")
        .await;
    app.as_admin()
        .post("/api/v1/actions")
        .json(&app.action_body("1.1a", &[&chain.recommendation], &chain.force, "2199-01-01"))
        .await
        .assert_problem(409);
    app.as_admin()
        .patch(&path_of("actions", &loose))
        .json(&json!({"programme_id": programme["id"]}))
        .await
        .assert_problem(409);
    app.db.assert_rows("actions", 2).await;
    // The database holds the rule too, should two writes race past the check.
    let mut conn = app.db.conn().await;
    let raced = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE actions SET reference = '1.1A' WHERE programme_id = '{}'",
            programme["id"].as_str().unwrap()
        )),
        &mut conn,
    )
    .await;
    assert!(raced.is_ok(), "the same action keeps its own reference: {raced:?}");
    let clash = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE actions SET programme_id = '{}' WHERE id = '{}'",
            programme["id"].as_str().unwrap(),
            loose["id"].as_str().unwrap()
        )),
        &mut conn,
    )
    .await;
    assert!(clash.is_err(), "the unique index refuses a clash ignoring case");
}

#[actix_web::test]
async fn a_programme_that_is_not_active_takes_no_new_actions() {
    let app = spawn_app().await;
    let chain = chain(&app).await;
    for status in ["closed", "completed"] {
        let programme = app
            .create_programme_named(&format!("A {status} programme"), &chain.force)
            .await;
        let closed = app
            .as_admin()
            .patch(&path_of("programmes", &programme))
            .json(&json!({"status": status}))
            .await;
        assert_eq!(closed.status, 200, "{}", closed.text());
        let mut body = app.action_body(
            &format!("{status}-1"),
            &[&chain.recommendation],
            &chain.force,
            "2199-01-01",
        );
        body["programme_id"] = programme["id"].clone();
        let problem = app
            .as_admin()
            .post("/api/v1/actions")
            .json(&body)
            .await
            .assert_problem(409);
        assert_eq!(problem["current_state"], status);
        assert!(problem["detail"].as_str().unwrap().contains(status), "{problem}");
        let outside = app
            .create_action(
                &format!("{status}-2"),
                &[&chain.recommendation],
                &chain.force,
                "2199-01-01",
            )
            .await;
        let moved = app
            .as_admin()
            .patch(&path_of("actions", &outside))
            .json(&json!({"programme_id": programme["id"]}))
            .await
            .assert_problem(409);
        assert_eq!(moved["current_state"], status);
        assert_eq!(
            app.anonymous().get(&path_of("actions", &outside)).await.json()["programme_id"],
            Value::Null
        );
    }
}
