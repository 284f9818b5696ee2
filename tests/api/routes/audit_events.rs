//! `/api/v1/audit-events`: the audit log, read by admins, filtered, newest first, as
//! JSON pages or CSV, never with contact details.

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{path_of, spawn_app, urlencode};

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().unwrap()
}

#[actix_web::test]
async fn only_admins_read_the_audit_log() {
    let app = spawn_app().await;
    app.anonymous().get("/api/v1/audit-events").await.assert_problem(401);
    for role in [
        Role::Secretariat,
        Role::PanelMember,
        Role::CommissionerOffice,
        Role::Force,
        Role::Integration,
    ] {
        app.as_role(role, None)
            .get("/api/v1/audit-events")
            .await
            .assert_problem(403);
        app.as_role(role, None)
            .get("/api/v1/audit-events")
            .header("accept", "text/csv")
            .await
            .assert_problem(403);
    }
    assert_eq!(app.as_admin().get("/api/v1/audit-events").await.status, 200);
}

#[actix_web::test]
async fn the_log_is_newest_first_filtered_and_paged() {
    let app = spawn_app().await;
    let council = app.create_organisation("Stoke-on-Trent City Council", "council").await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let renamed = app
        .as_admin()
        .patch(&path_of("organisations", &council))
        .json(&json!({"name": "Stoke-on-Trent Council"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
    let question = app.create_question(json!({})).await;

    let all = app.as_admin().get("/api/v1/audit-events?limit=100").await.json();
    let ids: Vec<i64> = items(&all).iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(items(&all)[0]["action"], "question.created");
    assert_eq!(items(&all)[0]["resource_id"], question["id"]);

    // By resource: the council's creation and rename, newest first, with before and after.
    let council_id = council["id"].as_str().unwrap();
    let of_council = app
        .as_admin()
        .get(&format!(
            "/api/v1/audit-events?resource_type=organisation&resource_id={council_id}"
        ))
        .await
        .json();
    let actions: Vec<&Value> = items(&of_council).iter().map(|e| &e["action"]).collect();
    assert_eq!(
        actions,
        [&json!("organisation.updated"), &json!("organisation.created")]
    );
    let update = &items(&of_council)[0];
    assert_eq!(update["before"]["name"], "Stoke-on-Trent City Council");
    assert_eq!(update["after"]["name"], "Stoke-on-Trent Council");
    assert_eq!(items(&of_council)[1]["before"], Value::Null);

    // By action, and by who.
    let created = app
        .as_admin()
        .get("/api/v1/audit-events?action=organisation.created")
        .await
        .json();
    let resources: Vec<&Value> = items(&created).iter().map(|e| &e["resource_id"]).collect();
    assert_eq!(resources, [&force["id"], &council["id"]]);
    let actor = items(&all)[0]["actor"].clone();
    let by_actor = app
        .as_admin()
        .get(&format!(
            "/api/v1/audit-events?actor_kind={}&actor_id={}&limit=100",
            actor["kind"].as_str().unwrap(),
            urlencode(actor["id"].as_str().unwrap())
        ))
        .await
        .json();
    assert_eq!(items(&by_actor).len(), items(&all).len());
    let by_anonymous = app
        .as_admin()
        .get("/api/v1/audit-events?actor_kind=anonymous")
        .await
        .json();
    assert!(items(&by_anonymous).is_empty(), "{by_anonymous}");

    // By time: the range is inclusive; a range before anything is empty.
    let at = items(&of_council)[0]["occurred_at"].as_str().unwrap().to_string();
    let since = app
        .as_admin()
        .get(&format!(
            "/api/v1/audit-events?resource_id={council_id}&occurred_from={}",
            urlencode(&at)
        ))
        .await
        .json();
    assert_eq!(items(&since)[0]["action"], "organisation.updated");
    let until = app
        .as_admin()
        .get(&format!(
            "/api/v1/audit-events?occurred_from=2000-01-01T00:00:00Z&occurred_to={}",
            urlencode("2000-01-02T00:00:00+01:00")
        ))
        .await
        .json();
    assert!(items(&until).is_empty());
    let problem = app
        .as_admin()
        .get("/api/v1/audit-events?occurred_from=2022-06-02T00:00:00Z&occurred_to=2022-06-01T00:00:00Z")
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "occurred_to");

    // Paging: two at a time, every record once, in the same order.
    let mut seen = Vec::new();
    let mut path = "/api/v1/audit-events?limit=2".to_string();
    loop {
        let page = app.as_admin().get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        assert!(items(&page).len() <= 2);
        seen.extend(items(&page).iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit-events?limit=2&cursor={}", urlencode(cursor)),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

#[actix_web::test]
async fn the_log_exports_csv_from_the_same_filters() {
    let app = spawn_app().await;
    let council = app.create_organisation("=HYPERLINK(\"x\") Council", "council").await;
    app.create_organisation("Staffordshire Police", "force").await;
    let response = app
        .as_admin()
        .get("/api/v1/audit-events?resource_type=organisation&escape_formulas=true")
        .header("accept", "text/csv")
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(response.header("content-type").unwrap().starts_with("text/csv"));
    let text = response.text();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "id",
            "occurred_at",
            "actor_kind",
            "actor_id",
            "action",
            "resource_type",
            "resource_id",
            "before",
            "after",
            "request_id"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][6], council["id"].as_str().unwrap(), "newest first");
    assert_eq!(rows[1][4], "organisation.created");
    assert_eq!(rows[1][7], "", "no state before a creation");
    let after: Value = serde_json::from_str(&rows[1][8]).unwrap();
    assert_eq!(
        after["name"], "=HYPERLINK(\"x\") Council",
        "the JSON text holds the state whole"
    );
    let json = app
        .as_admin()
        .get("/api/v1/audit-events?resource_type=organisation")
        .await
        .json();
    let json_ids: Vec<String> = items(&json).iter().map(|e| e["id"].to_string()).collect();
    let csv_ids: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(csv_ids, json_ids, "JSON and CSV list the same records");
    assert_eq!(rows[1][2], items(&json)[1]["actor"]["kind"].as_str().unwrap());
    app.as_admin()
        .get("/api/v1/audit-events?limit=5")
        .header("accept", "text/csv")
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn a_questioners_contact_details_never_appear_in_the_log() {
    let app = spawn_app().await;
    let email = "resident@example.org";
    let question = app.create_question(json!({})).await;
    let changed = app
        .as_admin()
        .patch(&path_of("questions", &question))
        .json(&json!({"asker_contact": {"email": "moved.resident@example.org", "phone": "01632 960123"}}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    // A record written by an older writer that kept the contact details: the reader
    // takes them out too.
    app.db
        .execute(&format!(
            "INSERT INTO audit_events (actor_kind, action, resource_type, resource_id, after) \
             VALUES ('system', 'question.imported', 'question', '{}', \
             '{{\"title\": \"Old\", \"asker_contact\": {{\"email\": \"{email}\"}}}}'::jsonb)",
            question["id"].as_str().unwrap()
        ))
        .await;

    let path = format!(
        "/api/v1/audit-events?resource_type=question&resource_id={}",
        question["id"].as_str().unwrap()
    );
    let json = app.as_admin().get(&path).await;
    assert_eq!(json.status, 200);
    let csv = app.as_admin().get(&path).header("accept", "text/csv").await;
    assert_eq!(csv.status, 200);
    for (form, text) in [("JSON", json.text()), ("CSV", csv.text())] {
        for withheld in [
            email,
            "moved.resident@example.org",
            "01632 960123",
            "01785 000000",
            "\"asker_contact\"",
        ] {
            assert!(!text.contains(withheld), "{form} shows {withheld}: {text}");
        }
    }
    let events = json.json();
    assert_eq!(items(&events).len(), 3);
    assert_eq!(items(&events)[0]["after"], json!({"title": "Old"}));
    assert_eq!(items(&events)[1]["after"]["has_asker_contact"], true);
}
