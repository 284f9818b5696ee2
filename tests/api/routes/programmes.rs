use serde_json::{json, Value};

use crate::helpers::{assert_names_field, assert_readable_where_created, assert_stale_tag_refused, path_of, spawn_app};
use scrutiny::domain::auth::Role;

#[actix_web::test]
async fn a_programme_is_created_read_back_audited_and_published() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let response = app
        .as_admin()
        .post("/api/v1/programmes")
        .json(&json!({
            "name": " Child Protection Improvement Programme ",
            "owner": {"organisation_id": force["id"], "post_title": "Assistant Chief Constable"},
            "report_ids": [report["id"], report["id"]],
            "progress_meeting_kind": "strategic_governance_board",
        }))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    assert_eq!(created["name"], "Child Protection Improvement Programme");
    assert_eq!(created["status"], "active");
    assert_eq!(
        created["report_ids"],
        json!([report["id"]]),
        "a report given twice counts once"
    );
    assert_eq!(created["owner"]["post_title"], "Assistant Chief Constable");
    assert_eq!(created["description"], Value::Null);
    let read = assert_readable_where_created(&app.anonymous(), "programmes", &response).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    app.db.assert_audited("programme.created", 1).await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM events WHERE event_type = 'programme.created' AND resource_type = 'programme'",
            1,
        )
        .await;
}

#[actix_web::test]
async fn the_commissioners_office_manages_programmes_and_the_secretariat_does_not() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let body = json!({"name": "Programme", "owner": {"organisation_id": force["id"], "post_title": "Head"}});
    for (role, status) in [
        (Role::CommissionerOffice, 201),
        (Role::Secretariat, 403),
        (Role::PanelMember, 403),
        (Role::Force, 403),
    ] {
        let response = app.as_role(role, None).post("/api/v1/programmes").json(&body).await;
        assert_eq!(response.status, status, "{role}: {}", response.text());
    }
    app.anonymous()
        .post("/api/v1/programmes")
        .json(&body)
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn an_unknown_owner_or_report_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let nowhere = "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b";
    for (body, field) in [
        (
            json!({"name": "P", "owner": {"organisation_id": nowhere, "post_title": "Head"}}),
            "owner.organisation_id",
        ),
        (
            json!({"name": "P", "owner": {"organisation_id": force["id"], "post_title": "Head"}, "report_ids": [nowhere]}),
            "report_ids",
        ),
    ] {
        let response = app.as_admin().post("/api/v1/programmes").json(&body).await;
        assert_names_field(&response.assert_problem(422), field, &body);
    }
    app.db.assert_rows("programmes", 0).await;
}

#[actix_web::test]
async fn a_patch_changes_the_programme_replaces_its_reports_and_refuses_a_stale_tag() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let first = app.create_report(&force, &force, "2022-04-07").await;
    let second = app.create_report(&force, &force, "2023-01-10").await;
    let programme = app.create_programme(&force, &[&first]).await;
    let path = path_of("programmes", &programme);
    let (applied, _) = assert_stale_tag_refused(
        &app.as_admin(),
        &path,
        "\"1\"",
        json!({"status": "completed", "report_ids": [second["id"]], "progress_meeting_kind": null,
               "owner": {"post_title": "Chief Constable"}}),
        json!({"name": "Lost"}),
    )
    .await;
    let changed = applied.json();
    assert_eq!(changed["status"], "completed");
    assert_eq!(changed["report_ids"], json!([second["id"]]));
    assert_eq!(changed["progress_meeting_kind"], Value::Null);
    assert_eq!(changed["owner"]["post_title"], "Chief Constable");
    assert_eq!(changed["owner"]["organisation_id"], force["id"]);
    assert_eq!(changed["version"], 2);
    app.db.assert_audited("programme.updated", 1).await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM events WHERE event_type = 'programme.updated'",
            1,
        )
        .await;
    let response = app.as_admin().patch(&path).json(&json!({"name": null})).await;
    assert_names_field(&response.assert_problem(422), "name", "null name");
}

#[actix_web::test]
async fn the_list_filters_by_status_report_and_text_and_exports_csv() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let programme = app.create_programme(&force, &[&report]).await;
    let other = app
        .as_admin()
        .post("/api/v1/programmes")
        .json(
            &json!({"name": "Fleet renewal", "description": "New 100% electric cars",
                      "owner": {"organisation_id": force["id"], "post_title": "Head of Fleet"}, "status": "closed"}),
        )
        .await
        .json();
    let ids = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.anonymous().get(&format!("/api/v1/programmes{query}")).await;
            assert_eq!(response.status, 200, "{query}: {}", response.text());
            response.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("").await, vec![programme["id"].clone(), other["id"].clone()]);
    assert_eq!(ids("?status=closed").await, vec![other["id"].clone()]);
    assert_eq!(
        ids(Box::leak(
            format!("?report_id={}", report["id"].as_str().unwrap()).into_boxed_str()
        ))
        .await,
        vec![programme["id"].clone()]
    );
    assert_eq!(ids("?q=CHILD").await, vec![programme["id"].clone()]);
    assert_eq!(
        ids("?q=100%25").await,
        vec![other["id"].clone()],
        "% is a character, not a wildcard"
    );
    app.anonymous()
        .get("/api/v1/programmes?status=finished")
        .await
        .assert_problem(422);
    let csv = app
        .anonymous()
        .get("/api/v1/programmes")
        .header("accept", "text/csv")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(csv.text().starts_with(
        "id,name,description,owner_organisation_id,owner_post_title,report_ids,progress_meeting_kind,status,"
    ));
    assert!(csv.text().contains("Fleet renewal"));
}

#[actix_web::test]
async fn progress_counts_the_programmes_actions_by_status_and_lists_the_overdue_ones() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R1", &force).await;
    let programme = app.create_programme(&force, &[&report]).await;
    // One action created in the programme, one moved into it, one outside it.
    let late = app
        .create_action_in(&programme, "CPIP-01", &[&recommendation], &force, "2022-09-30")
        .await;
    let later = app
        .create_action("CPIP-02", &[&recommendation], &force, "2199-01-01")
        .await;
    let outside = app
        .create_action("X-01", &[&recommendation], &force, "2022-09-30")
        .await;
    let moved = app
        .as_admin()
        .patch(&path_of("actions", &later))
        .json(&json!({"status": "in_progress", "progress_percent": 50, "programme_id": programme["id"]}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let response = app
        .anonymous()
        .get(&format!("{}/progress", path_of("programmes", &programme)))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let progress = response.json();
    assert_eq!(progress["programme_id"], programme["id"]);
    assert_eq!(progress["actions_total"], 2, "{progress}");
    assert_eq!(
        progress["actions_by_status"],
        json!({"planned": 1, "in_progress": 1, "completed": 0, "blocked": 0, "cancelled": 0})
    );
    assert_eq!(progress["actions_overdue"], 1);
    assert_eq!(progress["percent_complete"], 25);
    assert_eq!(progress["overdue_actions"][0]["id"], late["id"]);
    assert_ne!(progress["overdue_actions"][0]["id"], outside["id"]);
    let etag = response.header("etag").unwrap();
    let again = app
        .anonymous()
        .get(&format!("{}/progress", path_of("programmes", &programme)))
        .header("if-none-match", &etag)
        .await;
    assert_eq!(again.status, 304);
    // Taking an action out of the programme takes it out of the progress.
    let out = app
        .as_admin()
        .patch(&path_of("actions", &late))
        .json(&json!({"programme_id": null}))
        .await;
    assert_eq!(out.status, 200, "{}", out.text());
    let progress = app
        .anonymous()
        .get(&format!("{}/progress", path_of("programmes", &programme)))
        .await
        .json();
    assert_eq!(progress["actions_total"], 1, "{progress}");
    assert_eq!(progress["actions_overdue"], 0);
    assert_eq!(progress["percent_complete"], 50);
    app.anonymous()
        .get("/api/v1/programmes/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/progress")
        .await
        .assert_problem(404);
}
