use serde_json::{json, Value};

use crate::helpers::{
    assert_fields, assert_names_field, assert_readable_where_created, assert_stale_tag_refused, field_of_each, path_of,
    spawn_app, TestApp,
};
use scrutiny::domain::auth::Role;

/// An inspectorate and a force, the two ends of most reports.
async fn inspectorate_and_force(app: &TestApp) -> (Value, Value) {
    (
        app.create_organisation("HMICFRS", "inspectorate").await,
        app.create_organisation("Staffordshire Police", "force").await,
    )
}

#[actix_web::test]
async fn a_report_is_created_read_back_and_its_response_is_due_56_days_after_publication() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let response = app
        .as_admin()
        .post("/api/v1/reports")
        .json(&json!({
            "title": "  National child protection inspection: Staffordshire Police ",
            "kind": "inspection",
            "publisher_organisation_id": hmicfrs["id"],
            "subject_organisation_id": force["id"],
            "published_on": "2022-04-07",
            "url": "https://www.justiceinspectorates.gov.uk/hmicfrs/publications/",
        }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    assert_eq!(
        created["title"],
        "National child protection inspection: Staffordshire Police"
    );
    assert_eq!(created["response_due_on"], "2022-06-02", "7 April + 56 calendar days");
    assert_eq!(created["summary"], Value::Null);
    assert_eq!(created["version"], 1);
    let read = assert_readable_where_created(&app.anonymous(), "reports", &response).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'report.created' AND after->>'published_on' = '2022-04-07'", 1).await;
}

#[actix_web::test]
async fn secretariat_and_the_commissioners_office_manage_reports_and_panel_members_do_not() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let body = json!({
        "title": "Panel report on child protection", "kind": "panel_report",
        "publisher_organisation_id": hmicfrs["id"], "subject_organisation_id": force["id"],
        "published_on": "2022-07-01",
    });
    for (role, status) in [
        (Role::Secretariat, 201),
        (Role::CommissionerOffice, 201),
        (Role::PanelMember, 403),
        (Role::Force, 403),
    ] {
        let response = app.as_role(role, None).post("/api/v1/reports").json(&body).await;
        assert_eq!(response.status, status, "{role}: {}", response.text());
    }
    app.anonymous()
        .post("/api/v1/reports")
        .json(&body)
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn changing_the_publication_date_moves_the_response_due_date_and_null_removes_the_url() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let path = path_of("reports", &report);
    let response = app
        .as_admin()
        .patch(&path)
        .json(&json!({"url": "https://example.org/r.pdf", "summary": "Fifteen recommendations."}))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let response = app
        .as_admin()
        .patch(&path)
        .json(&json!({"published_on": "2022-10-31", "url": null}))
        .if_match("\"2\"")
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let changed = response.json();
    assert_eq!(
        changed["response_due_on"], "2022-12-26",
        "Boxing Day counts: calendar days"
    );
    assert_eq!(changed["url"], Value::Null);
    assert_eq!(changed["summary"], "Fifteen recommendations.");
    assert_eq!(changed["version"], 3);
    let nulled = app.as_admin().patch(&path).json(&json!({"title": null})).await;
    nulled.assert_invalid("title");
}

#[actix_web::test]
async fn a_stale_if_match_on_a_report_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let path = path_of("reports", &report);
    let (first, second) = (json!({"title": "First"}), json!({"title": "Second"}));
    assert_stale_tag_refused(&app.as_admin(), &path, "\"1\"", first, second).await;
    let current = app.anonymous().get(&path).await.json();
    assert_fields(&current, json!({"title": "First", "version": 2}));
}

#[actix_web::test]
async fn invalid_report_fields_are_a_422_naming_each_and_create_nothing() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let valid = json!({
        "title": "Inspection", "kind": "inspection",
        "publisher_organisation_id": hmicfrs["id"], "subject_organisation_id": force["id"],
        "published_on": "2022-04-07",
    });
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("title", json!("a\u{0}b")), "title"),
        (with("title", json!("x".repeat(301))), "title"),
        (with("title", json!("   ")), "title"),
        (with("kind", json!("inquiry")), "kind"),
        (with("url", json!("javascript:alert(1)")), "url"),
        (with("url", json!("ftp://example.org/report.pdf")), "url"),
        (
            with("url", json!(format!("https://example.org/{}", "a".repeat(2000)))),
            "url",
        ),
        (with("summary", json!("x".repeat(20_001))), "summary"),
        (with("published_on", json!("2022-02-30")), "published_on"),
        (with("published_on", json!("1066-10-14")), "published_on"),
        (
            with("publisher_organisation_id", json!(uuid::Uuid::now_v7())),
            "publisher_organisation_id",
        ),
        (
            with("subject_organisation_id", json!("not-a-uuid")),
            "subject_organisation_id",
        ),
        (with("response_due_on", json!("2022-06-02")), "response_due_on"),
        (with("id", json!(uuid::Uuid::now_v7())), "id"),
        (with("version", json!(3)), "version"),
        (with("colour", json!("blue")), "colour"),
    ];
    for (body, field) in cases {
        let response = app.as_admin().post("/api/v1/reports").json(&body).await;
        let problem = response.assert_problem(422);
        assert_names_field(&problem, field, &body);
    }
    app.db.assert_rows("reports", 0).await;
}

#[actix_web::test]
async fn reports_are_listed_newest_first_in_stable_pages_and_filtered() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let fire = app
        .create_organisation("Staffordshire Fire and Rescue", "fire_service")
        .await;
    let dates = ["2021-03-01", "2022-04-07", "2022-04-07", "2022-04-07", "2023-01-15"];
    let mut created = Vec::new();
    for date in dates {
        created.push(app.create_report(&hmicfrs, &force, date).await);
    }
    let about_fire = app.create_report(&hmicfrs, &fire, "2020-01-01").await;
    // Newest first; on the same date, the later-created first.
    let expected: Vec<Value> = vec![
        created[4]["id"].clone(),
        created[3]["id"].clone(),
        created[2]["id"].clone(),
        created[1]["id"].clone(),
        created[0]["id"].clone(),
        about_fire["id"].clone(),
    ];
    let mut seen = Vec::new();
    let mut path = "/api/v1/reports?limit=2".to_string();
    loop {
        let page = app.anonymous().get(&path).await.json();
        seen.extend(page["items"].as_array().unwrap().iter().map(|r| r["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/reports?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    let ids = |page: Value| -> Vec<Value> { field_of_each(&page["items"], "id") };
    let fire_id = fire["id"].as_str().unwrap();
    assert_eq!(
        ids(app
            .anonymous()
            .get(&format!("/api/v1/reports?subject_organisation_id={fire_id}"))
            .await
            .json()),
        vec![about_fire["id"].clone()]
    );
    let in_2022 = ids(app
        .anonymous()
        .get("/api/v1/reports?published_from=2022-01-01&published_to=2022-12-31")
        .await
        .json());
    assert_eq!(in_2022, expected[1..4]);
    assert!(ids(app.anonymous().get("/api/v1/reports?kind=audit").await.json()).is_empty());
    let hmicfrs_id = hmicfrs["id"].as_str().unwrap();
    assert_eq!(
        ids(app
            .anonymous()
            .get(&format!("/api/v1/reports?publisher_organisation_id={hmicfrs_id}"))
            .await
            .json())
        .len(),
        6
    );
}

#[actix_web::test]
async fn an_unknown_report_is_a_404() {
    let app = spawn_app().await;
    let id = uuid::Uuid::now_v7();
    app.anonymous()
        .get(&format!("/api/v1/reports/{id}"))
        .await
        .assert_problem(404);
    app.anonymous()
        .get(&format!("/api/v1/reports/{id}/scorecard"))
        .await
        .assert_problem(404);
    app.anonymous()
        .get(&format!("/api/v1/reports/{id}/recommendations"))
        .await
        .assert_problem(404);
    app.anonymous()
        .get("/api/v1/reports/not-an-id")
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn the_scorecard_counts_recommendations_by_status_and_lists_overdue_actions() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let r2 = app.create_recommendation(&report, "R2", &force).await;
    let r3 = app.create_recommendation(&report, "R3", &force).await;
    let closed = app
        .as_admin()
        .patch(&path_of("recommendations", &r3))
        .json(&json!({"status": "closed", "status_reason": "Met on re-inspection"}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text());
    // An overdue action addressing two recommendations counts once.
    let late = app.create_action("CPIP-01", &[&r1, &r2], &force, "2022-09-30").await;
    let done = app.create_action("CPIP-02", &[&r1], &force, "2022-08-31").await;
    app.create_action("CPIP-03", &[&r2], &force, "2199-12-31").await;
    let moved = app
        .as_admin()
        .patch(&path_of("actions", &late))
        .json(&json!({"progress_percent": 40}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let completed = app
        .as_admin()
        .patch(&path_of("actions", &done))
        .json(&json!({"status": "completed"}))
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text());

    let response = app
        .anonymous()
        .get(&format!("{}/scorecard", path_of("reports", &report)))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let card = response.json();
    assert_eq!(
        card["recommendations_by_status"],
        json!({"open": 0, "in_progress": 2, "actions_complete": 0, "implemented": 0, "closed": 1, "superseded": 0}),
        "R1 and R2 follow their started actions; R3's decision stays"
    );
    assert_eq!(card["recommendations_total"], 3);
    // R1: (40 + 100) / 2 = 70; R2: (40 + 0) / 2 = 20; R3: no actions, 0.
    assert_eq!(card["percent_complete"], 30);
    assert_eq!(card["actions_total"], 3);
    assert_eq!(card["actions_overdue"], 1);
    let overdue = &card["overdue_actions"][0];
    assert_eq!(overdue["id"], late["id"]);
    assert_eq!(overdue["reference"], "CPIP-01");
    assert_eq!(overdue["owner"]["organisation_id"], force["id"]);
    assert_eq!(overdue["due_on"], "2022-09-30");
    assert!(overdue["days_overdue"].as_i64().unwrap() > 365);
    assert_eq!(card["response_due_on"], "2022-06-02");
    assert_eq!(card["response_overdue"], true, "no response was ever published");
}

#[actix_web::test]
async fn an_empty_reports_scorecard_has_every_status_at_zero() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let report = app.create_report(&hmicfrs, &force, "2199-01-01").await;
    let card = app
        .anonymous()
        .get(&format!("{}/scorecard", path_of("reports", &report)))
        .await
        .json();
    assert_eq!(
        card["recommendations_by_status"],
        json!({"open": 0, "in_progress": 0, "actions_complete": 0, "implemented": 0, "closed": 0, "superseded": 0})
    );
    assert_eq!(
        (card["percent_complete"].clone(), card["actions_total"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(card["overdue_actions"], json!([]));
    assert_eq!(card["response_overdue"], false, "not due until 2199");
}

/// Inserts a question and a response of `status` citing `recommendation`, with SQL:
/// the responses API is not this module's.
async fn respond_citing(app: &TestApp, recommendation: &Value, status: &str) {
    let recommendation = recommendation["id"].as_str().unwrap();
    let (question, response) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let published_at = if status == "published" { "now()" } else { "NULL" };
    let sql = format!(
        "INSERT INTO questions (id, reference, status, asker_kind, asker_display_name, title, body, asked_on) \
         VALUES ('{question}', 'PQ-2022-{}', 'answered', 'member_of_public', 'A member of the public', \
                 'Child protection', 'What exactly is being done?', '2022-05-31');
         INSERT INTO responses (id, question_id, kind, status, body, author_name, author_position, responded_on, published_at) \
         VALUES ('{response}', '{question}', 'written', '{status}', 'A Child Protection Improvement Programme.', \
                 'Ralph Butler', 'Interim Joint Chief Executive', '2022-06-09', {published_at});
         INSERT INTO response_recommendations (response_id, recommendation_id) VALUES ('{response}', '{recommendation}');",
        &question.simple().to_string()[24..]
    );
    let mut conn = app.db.conn().await;
    diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &sql)
        .await
        .unwrap();
}

#[actix_web::test]
async fn the_response_is_overdue_until_a_published_response_cites_a_recommendation() {
    let app = spawn_app().await;
    let (hmicfrs, force) = inspectorate_and_force(&app).await;
    let report = app.create_report(&hmicfrs, &force, "2022-04-07").await;
    let r1 = app.create_recommendation(&report, "R1", &force).await;
    let scorecard = format!("{}/scorecard", path_of("reports", &report));
    assert_eq!(app.anonymous().get(&scorecard).await.json()["response_overdue"], true);
    respond_citing(&app, &r1, "draft").await;
    assert_eq!(
        app.anonymous().get(&scorecard).await.json()["response_overdue"],
        true,
        "a draft is not a response"
    );
    respond_citing(&app, &r1, "published").await;
    assert_eq!(app.anonymous().get(&scorecard).await.json()["response_overdue"], false);
}
