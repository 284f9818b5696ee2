//! Meetings, and the public question deadline they carry.

use serde_json::json;

use crate::helpers::{
    assert_fields, assert_first_error_says, assert_names_field, assert_stale_tag_refused, path_of, spawn_app,
};
use scrutiny::domain::auth::Role;

#[actix_web::test]
async fn a_panel_meeting_on_16_june_2022_has_its_question_deadline_at_midnight_london_time_on_10_june() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    assert_eq!(meeting["question_deadline"], "2022-06-10T23:00:00Z");
    assert_eq!(meeting["is_public"], true);
    assert_eq!(meeting["version"], 1);
    let read = app.anonymous().get(&path_of("meetings", &meeting)).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), meeting);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
}

#[actix_web::test]
async fn only_panel_meetings_have_a_question_deadline() {
    let app = spawn_app().await;
    for kind in ["strategic_governance_board", "public_performance_meeting", "other"] {
        let meeting = app.create_meeting(kind, "2022-06-16").await;
        assert!(meeting["question_deadline"].is_null(), "{kind}: {meeting}");
    }
}

#[actix_web::test]
async fn moving_a_meeting_moves_its_deadline_and_a_stale_if_match_changes_nothing() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let path = path_of("meetings", &meeting);
    let (first, second) = (json!({"held_on": "2024-01-08"}), json!({"title": "Renamed"}));
    let (moved, _) = assert_stale_tag_refused(&app.as_admin(), &path, "\"1\"", first, second).await;
    assert_eq!(moved.json()["question_deadline"], "2024-01-03T00:00:00Z");
    assert_eq!(moved.header("etag").as_deref(), Some("\"2\""));
    let current = app.anonymous().get(&path).await.json();
    assert_fields(&current, json!({"version": 2, "held_on": "2024-01-08"}));
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'meeting.updated' AND before->>'held_on' = '2022-06-16'", 1).await;
}

#[actix_web::test]
async fn a_meeting_that_is_not_public_does_not_exist_for_anonymous_and_integration_callers() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("strategic_governance_board", "2022-06-20").await;
    let path = path_of("meetings", &meeting);
    assert_eq!(
        app.as_admin()
            .patch(&path)
            .json(&json!({"is_public": false}))
            .await
            .status,
        200
    );
    app.anonymous().get(&path).await.assert_problem(404);
    app.as_role(Role::Integration, None)
        .get(&path)
        .await
        .assert_problem(404);
    let listed = app.anonymous().get("/api/v1/meetings").await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let hidden = app.anonymous().get("/api/v1/meetings?is_public=false").await.json();
    assert_eq!(hidden["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.as_role(Role::PanelMember, None).get(&path).await.status, 200);
    let staff_list = app
        .as_role(Role::PanelMember, None)
        .get("/api/v1/meetings")
        .await
        .json();
    assert_eq!(staff_list["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn meetings_are_listed_by_date_then_id_and_paged_by_keyset() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for held_on in ["2022-09-01", "2022-06-16", "2022-06-16", "2023-01-12", "2022-06-16"] {
        let meeting = app.create_meeting("panel_meeting", held_on).await;
        expected.push((held_on.to_string(), meeting["id"].as_str().unwrap().to_string()));
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut path = "/api/v1/meetings?limit=2".to_string();
    loop {
        let response = app.anonymous().get(&path).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let page = response.json();
        for item in page["items"].as_array().unwrap() {
            seen.push((
                item["held_on"].as_str().unwrap().to_string(),
                item["id"].as_str().unwrap().to_string(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/meetings?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);
}

#[actix_web::test]
async fn the_meeting_list_filters_by_organisation_kind_and_dates() {
    let app = spawn_app().await;
    let june = app.create_meeting("panel_meeting", "2022-06-16").await;
    app.create_meeting("strategic_governance_board", "2022-07-05").await;
    app.create_meeting("panel_meeting", "2022-09-15").await;
    let count = |page: serde_json::Value| page["items"].as_array().unwrap().len();
    assert_eq!(
        count(app.anonymous().get("/api/v1/meetings?kind=panel_meeting").await.json()),
        2
    );
    assert_eq!(
        count(
            app.anonymous()
                .get("/api/v1/meetings?held_from=2022-07-01&held_to=2022-07-31")
                .await
                .json()
        ),
        1
    );
    let by_organisation = app
        .anonymous()
        .get(&format!(
            "/api/v1/meetings?organisation_id={}",
            june["organisation_id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(by_organisation["items"][0]["id"], june["id"]);
}

#[actix_web::test]
async fn a_meeting_needs_an_existing_organisation_a_title_and_a_plausible_date() {
    let app = spawn_app().await;
    let organisation = app.create_organisation("Panel", "panel").await;
    let valid = json!({"organisation_id": organisation["id"], "kind": "panel_meeting", "title": "June", "held_on": "2022-06-16"});
    let cases = [
        (
            json!({"organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
            "organisation_id",
        ),
        (json!({"title": "  "}), "title"),
        (json!({"title": "a\u{0}b"}), "title"),
        (json!({"held_on": "1999-12-31"}), "held_on"),
        (json!({"held_on": "2022-02-30"}), "held_on"),
        (json!({"kind": "panel"}), "kind"),
        (
            json!({"question_deadline": "2022-06-10T23:00:00Z"}),
            "question_deadline",
        ),
        (json!({"version": 3}), "version"),
    ];
    for (change, field) in cases {
        let mut body = valid.clone();
        crate::helpers::merge(&mut body, change.clone());
        let problem = app
            .as_admin()
            .post("/api/v1/meetings")
            .json(&body)
            .await
            .assert_problem(422);
        assert_names_field(&problem, field, &change);
    }
    app.db.assert_rows("meetings", 0).await;
}

#[actix_web::test]
async fn dates_the_database_cannot_store_are_a_422_not_a_500() {
    let app = spawn_app().await;
    // A cursor whose date key is year -100000 (forged: base64 of `v1:<uuid>:-100000-01-01`).
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "v1:01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b:-100000-01-01",
    );
    for (path, parameter) in [
        ("/api/v1/meetings?held_from=-100000-01-01".to_string(), "held_from"),
        ("/api/v1/meetings?held_to=0000-01-01".to_string(), "held_to"),
        ("/api/v1/questions?asked_from=-100000-01-01".to_string(), "asked_from"),
        ("/api/v1/questions?asked_to=-4713-01-01".to_string(), "asked_to"),
        (format!("/api/v1/meetings?cursor={forged}"), "cursor"),
        (format!("/api/v1/questions?cursor={forged}"), "cursor"),
    ] {
        let problem = app.anonymous().get(&path).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], parameter, "{path}: {problem}");
    }
}

#[actix_web::test]
async fn good_friday_and_easter_monday_are_not_working_days_in_any_year_the_rules_cover() {
    // The shipped table used to end in 2030 and start in 2018: outside it, Easter was
    // counted as working days (2031-04-17 had the deadline 11 April, Good Friday).
    let app = spawn_app().await;
    for (held_on, deadline) in [
        ("2031-04-17", "2031-04-09T23:00:00Z"),
        ("2012-04-12", "2012-04-04T23:00:00Z"),
        ("2035-03-29", "2035-03-22T00:00:00Z"),
        ("2040-04-05", "2040-03-28T23:00:00Z"),
        ("2099-04-16", "2099-04-08T23:00:00Z"),
    ] {
        let meeting = app.create_meeting("panel_meeting", held_on).await;
        assert_eq!(meeting["question_deadline"], deadline, "{held_on}");
    }
}

#[actix_web::test]
async fn a_panel_meeting_whose_deadline_the_bank_holiday_rules_cannot_vouch_for_is_a_422_naming_held_on() {
    let app = spawn_app().await;
    let organisation = app.create_organisation("Panel", "panel").await;
    let refused = app
        .as_admin()
        .post("/api/v1/meetings")
        .json(&json!({"organisation_id": organisation["id"], "kind": "panel_meeting", "title": "Far", "held_on": "2100-03-04"}))
        .await
        .assert_invalid("held_on");
    assert_first_error_says(&refused, "1978 to 2099");
    // Other meetings take no questions, so have no deadline to work out; but a change
    // may not make a panel meeting of one held after 2099, nor move a panel meeting there.
    for (kind, held_on, change) in [
        ("other", "2100-03-04", json!({"kind": "panel_meeting"})),
        ("panel_meeting", "2099-12-30", json!({"held_on": "2100-01-04"})),
    ] {
        let path = path_of("meetings", &app.create_meeting(kind, held_on).await);
        app.as_admin()
            .patch(&path)
            .json(&change)
            .await
            .assert_invalid("held_on");
        assert_eq!(app.anonymous().get(&path).await.json()["version"], 1, "{change}");
    }
    app.db.assert_audited("meeting.updated", 0).await;
}

#[actix_web::test]
async fn a_panel_meeting_stored_beyond_the_rules_is_read_without_a_deadline_and_takes_no_questions() {
    // Stored before such meetings were refused: reading it is never a 500, and a
    // question for it is a 422 rather than a deadline that ignores bank holidays.
    let app = spawn_app().await;
    let meeting = app.create_meeting("other", "2100-03-04").await;
    let id = meeting["id"].as_str().unwrap();
    let mut conn = app.db.conn().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut conn,
        &format!("UPDATE meetings SET kind = 'panel_meeting' WHERE id = '{id}'"),
    )
    .await
    .unwrap();
    let read = app.anonymous().get(&format!("/api/v1/meetings/{id}")).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert!(read.json()["question_deadline"].is_null());
    let listed = app.anonymous().get("/api/v1/meetings").await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let csv = app
        .anonymous()
        .get("/api/v1/meetings")
        .header("accept", "text/csv")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    let problem = app
        .anonymous()
        .post("/api/v1/questions")
        .json(&crate::helpers::question_body(
            json!({"meeting_id": id, "asked_on": null}),
        ))
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "meeting_id", "{problem}");
    app.db.assert_rows("questions", 0).await;
}

#[actix_web::test]
async fn a_meeting_with_answers_recorded_at_it_keeps_its_date_kind_and_organisation() {
    let app = spawn_app().await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let path = format!("/api/v1/meetings/{}", meeting["id"].as_str().unwrap());
    // Nothing recorded yet: it may move.
    let moved = app
        .as_admin()
        .patch(&path)
        .json(&json!({"held_on": "2022-06-17"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let question = app.create_public_question().await;
    app.create_response(
        question["id"].as_str().unwrap(),
        json!({"kind": "verbal", "meeting_id": meeting["id"], "responded_on": "2022-06-17"}),
    )
    .await;
    let other = app.create_organisation("Another Panel", "panel").await;
    for change in [
        json!({"held_on": "2022-06-20"}),
        json!({"kind": "other"}),
        json!({"organisation_id": other["id"]}),
    ] {
        let refused = app.as_admin().patch(&path).json(&change).await.assert_problem(409);
        assert!(
            refused["detail"].as_str().unwrap().contains("verbal answer"),
            "{refused}"
        );
    }
    assert_eq!(app.anonymous().get(&path).await.json()["held_on"], "2022-06-17");
    // Its title is no part of that record.
    let renamed = app.as_admin().patch(&path).json(&json!({"title": "Panel"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text());
}
