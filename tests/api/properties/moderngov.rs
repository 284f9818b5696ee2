//! The scheduled ModernGov sync, against a stub ModernGov on loopback that answers in
//! the web service's shape (text encoded twice, HTML inside agenda items): meetings
//! created, moved and left alone; a bad answer writing nothing and counted; instances
//! sharing a database taking turns; and the public questions item of a held meeting's
//! agenda stored once as a dry run, which the secretariat confirms.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use scrutiny::domain::auth::Role;
use serde_json::json;

use crate::helpers::{spawn_app_on, Settings, TestApp, TestDb};

#[path = "../../support/moderngov_stub.rs"]
mod stub;
use stub::{agenda_xml, meetings_xml, Item, Meetings, StubModernGov};

/// Minutes of a public questions item, in HTML, written for these tests.
const QUESTIONS_HTML: &str = "<p><strong>Public Questions</strong></p>\
<p>6.1&nbsp; A member of the public asked the following question:-</p>\
<p>&quot;Why are the 101 call waiting times for Ward &amp; District longer than last year, and what is being done?&quot;</p>\
<p>6.2&nbsp; The Commissioner replied that call handlers had been recruited in the spring and that waiting times were reported to the Panel each quarter.</p>\
<p>6.3&nbsp; A member of the public asked the following question:-</p>\
<p>&quot;Will the Panel look at the closure of O'Brien Street station&rsquo;s front counter?&quot;</p>\
<p>6.4&nbsp; The Chair replied that the Panel would consider it at its next meeting.</p>";

fn today() -> NaiveDate {
    scrutiny::domain::calendar::london_today()
}

async fn panel_db() -> TestDb {
    let db = TestDb::new().await;
    db.execute(
        "INSERT INTO organisations (id, name, kind, name_key) VALUES \
         ('01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c', 'Test Police, Fire & Crime Panel', 'panel', 'test police, fire & crime panel')",
    )
    .await;
    db
}

fn settings(stub: &StubModernGov, extra: &[(&'static str, &str)]) -> Settings {
    let mut settings = Settings::default()
        .with("SCRUTINY_MODERNGOV_URL", stub.url.clone())
        .with("SCRUTINY_MODERNGOV_COMMITTEE_ID", "153")
        .with("SCRUTINY_MODERNGOV_SYNC_INTERVAL", "1")
        .with("SCRUTINY_MODERNGOV_TIMEOUT_SECS", "2");
    for (name, value) in extra {
        settings = settings.with(name, *value);
    }
    settings
}

/// Waits (up to 20 s) until `done` says so, polling every 100 ms.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < Duration::from_secs(20), "waited 20 s for {what}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The value of a metric line starting with `series` (0 when absent).
async fn metric(app: &TestApp, series: &str) -> f64 {
    let text = app.anonymous().get("/metrics").await.text();
    text.lines()
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

async fn finished_runs(db: &TestDb) -> i64 {
    db.count("SELECT count(*) AS n FROM moderngov_sync_state WHERE last_finished_at IS NOT NULL")
        .await
}

async fn last_finished(db: &TestDb) -> String {
    #[derive(diesel::QueryableByName)]
    struct At {
        #[diesel(sql_type = diesel::sql_types::Text)]
        at: String,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = db.conn().await;
    let rows: Vec<At> = diesel::sql_query(
        "SELECT coalesce(last_finished_at::text, '') || ' ' || coalesce(last_outcome, '') || ' ' || coalesce(last_error, '') AS at \
         FROM moderngov_sync_state",
    )
    .load(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.at).collect::<Vec<_>>().join("\n")
}

/// Waits for a run to finish after now.
async fn next_run(db: &TestDb) -> String {
    let before = last_finished(db).await;
    // Finished: the lease's row can exist (taken by a run still going) with no finish yet.
    eventually("the next run", || async {
        let now = last_finished(db).await;
        now != before && !now.starts_with(' ')
    })
    .await;
    last_finished(db).await
}

#[actix_web::test]
async fn the_scheduled_sync_creates_and_moves_meetings_and_changes_nothing_when_nothing_changed() {
    let stub = StubModernGov::start();
    let (soon, later) = (today() + Days::new(40), today() + Days::new(70));
    stub.meetings(Meetings::Xml(meetings_xml(&[
        (4567, soon, "Confirmed"),
        (4568, later, "Cancelled"),
    ])));
    let app = spawn_app_on(panel_db().await, None, settings(&stub, &[])).await;
    let db = &app.db;
    eventually("the meetings", || async {
        db.count("SELECT count(*) AS n FROM meetings WHERE moderngov_meeting_id IS NOT NULL")
            .await
            == 2
    })
    .await;
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM meetings WHERE moderngov_meeting_id = 4568 AND cancelled AND question_deadline IS NULL"
        )
        .await,
        1
    );
    assert!(stub.requests()[0].contains(&format!(
        "GetMeetings?lCommitteeId=153&sFromDate={}&sToDate={}",
        (today() - chrono::Months::new(12)).format("%d/%m/%Y"),
        (today() + chrono::Months::new(12)).format("%d/%m/%Y"),
    )));

    // Moved a week on in ModernGov: moved here, with the deadline of its new date.
    let moved = soon + Days::new(7);
    stub.meetings(Meetings::Xml(meetings_xml(&[
        (4567, moved, "Confirmed"),
        (4568, later, "Cancelled"),
    ])));
    eventually("the move", || async {
        db.count(&format!(
            "SELECT count(*) AS n FROM meetings WHERE moderngov_meeting_id = 4567 AND held_on = '{moved}' AND version = 2"
        ))
        .await
            == 1
    })
    .await;
    // Further runs with the same answer change nothing.
    next_run(db).await;
    next_run(db).await;
    assert_eq!(
        db.count("SELECT count(*) AS n FROM audit_events WHERE resource_type = 'meeting'")
            .await,
        3
    );
    assert_eq!(db.count("SELECT max(version)::bigint AS n FROM meetings").await, 2);
    assert!(metric(&app, "scrutiny_moderngov_sync_runs_total{outcome=\"succeeded\"}").await >= 3.0);
    assert_eq!(
        metric(&app, "scrutiny_moderngov_meetings_total{outcome=\"created\"}").await,
        1.0
    );
    assert_eq!(
        metric(&app, "scrutiny_moderngov_meetings_total{outcome=\"updated\"}").await,
        1.0
    );
    assert!(metric(&app, "scrutiny_moderngov_last_success_timestamp_seconds").await > 0.0);
    assert_eq!(
        metric(&app, "scrutiny_moderngov_sync_runs_total{outcome=\"failed\"}").await,
        0.0
    );
}

#[actix_web::test]
async fn an_html_answer_or_a_timeout_writes_nothing_and_is_counted_as_a_failure() {
    let stub = StubModernGov::start();
    stub.meetings(Meetings::Html);
    let app = spawn_app_on(
        panel_db().await,
        None,
        settings(&stub, &[("SCRUTINY_MODERNGOV_TIMEOUT_SECS", "1")]),
    )
    .await;
    let db = &app.db;
    let state = next_run(db).await;
    assert!(state.contains("failed") && state.contains("HTML page"), "{state}");
    assert!(metric(&app, "scrutiny_moderngov_sync_runs_total{outcome=\"failed\"}").await >= 1.0);

    stub.meetings(Meetings::Hang);
    let state = next_run(db).await;
    let state = if state.contains("did not answer") {
        state
    } else {
        next_run(db).await
    };
    assert!(
        state.contains("failed") && state.contains("did not answer within 1 seconds"),
        "{state}"
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM meetings").await, 0);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM audit_events WHERE resource_type = 'meeting'")
            .await,
        0
    );
    assert_eq!(
        metric(&app, "scrutiny_moderngov_sync_runs_total{outcome=\"succeeded\"}").await,
        0.0
    );

    // Retried next interval: once ModernGov answers, the meetings come.
    stub.meetings(Meetings::Xml(meetings_xml(&[(
        77,
        today() + Days::new(30),
        "Confirmed",
    )])));
    eventually("the meeting after the outage", || async {
        db.count("SELECT count(*) AS n FROM meetings").await == 1
    })
    .await;
}

#[actix_web::test]
async fn instances_sharing_a_database_sync_one_at_a_time() {
    let stub = StubModernGov::start();
    stub.meetings(Meetings::Xml(meetings_xml(&[(
        9,
        today() + Days::new(30),
        "Confirmed",
    )])));
    stub.state.lock().unwrap().delay = Duration::from_millis(600);
    let first = spawn_app_on(panel_db().await, None, settings(&stub, &[])).await;
    let second = spawn_app_on(TestDb::reuse(&first.db), None, settings(&stub, &[])).await;
    eventually("several runs", || async { stub.requests().len() >= 4 }).await;
    assert_eq!(stub.state.lock().unwrap().most_in_flight, 1, "{:?}", stub.requests());
    assert_eq!(first.db.count("SELECT count(*) AS n FROM meetings").await, 1);
    let runs = metric(&first, "scrutiny_moderngov_sync_runs_total{outcome=\"succeeded\"}").await
        + metric(&second, "scrutiny_moderngov_sync_runs_total{outcome=\"succeeded\"}").await;
    assert!(runs >= 3.0, "{runs}");
    assert_eq!(finished_runs(&first.db).await, 1);
}

#[actix_web::test]
async fn a_held_meetings_public_questions_become_one_dry_run_for_the_secretariat_to_confirm() {
    let stub = StubModernGov::start();
    let (held, cancelled, no_item, pdf_only, coming) = (
        today() - Days::new(10),
        today() - Days::new(20),
        today() - Days::new(30),
        today() - Days::new(40),
        today() + Days::new(20),
    );
    stub.meetings(Meetings::Xml(meetings_xml(&[
        (100, held, "Confirmed"),
        (101, cancelled, "Cancelled"),
        (102, no_item, "Confirmed"),
        (103, pdf_only, "Confirmed"),
        (104, coming, "Confirmed"),
    ])));
    let apologies = Item {
        title: "Apologies for Absence",
        minutes_html: "<p>Apologies were received from Cllr Moss.</p>",
        document: None,
    };
    stub.agenda(
        100,
        agenda_xml(&[
            apologies,
            Item {
                title: "Questions from Members of the Public",
                minutes_html: QUESTIONS_HTML,
                document: None,
            },
        ]),
    );
    for id in [101, 104] {
        stub.agenda(
            id,
            agenda_xml(&[Item {
                title: "Public Questions",
                minutes_html: QUESTIONS_HTML,
                document: None,
            }]),
        );
    }
    stub.agenda(
        102,
        agenda_xml(&[Item {
            title: "Minutes",
            minutes_html: "<p>Agreed.</p>",
            document: None,
        }]),
    );
    stub.agenda(
        103,
        agenda_xml(&[Item {
            title: "Public Question Time",
            minutes_html: "",
            document: Some("Questions and answers"),
        }]),
    );
    let app = spawn_app_on(
        panel_db().await,
        None,
        settings(&stub, &[("SCRUTINY_MODERNGOV_AGENDAS", "true")]),
    )
    .await;
    let db = &app.db;
    eventually("the dry run", || async {
        db.count("SELECT count(*) AS n FROM pending_imports").await == 1
    })
    .await;
    // Later runs find the same text for the same meeting: nothing more is stored.
    next_run(db).await;
    next_run(db).await;
    assert_eq!(db.count("SELECT count(*) AS n FROM pending_imports").await, 1);
    let fetched: Vec<String> = stub
        .requests()
        .into_iter()
        .filter(|r| r.contains("GetMeeting?"))
        .collect();
    for id in [100, 102, 103] {
        assert!(
            fetched.iter().any(|r| r.contains(&format!("lMeetingId={id} "))),
            "{id}: {fetched:?}"
        );
    }
    for id in [101, 104] {
        assert!(
            !fetched.iter().any(|r| r.contains(&format!("lMeetingId={id} "))),
            "{id}: {fetched:?}"
        );
    }
    assert_eq!(
        metric(&app, "scrutiny_moderngov_agenda_items_total{outcome=\"queued\"}").await,
        1.0
    );
    assert!(
        metric(
            &app,
            "scrutiny_moderngov_agenda_items_total{outcome=\"already_queued\"}"
        )
        .await
            >= 2.0
    );
    assert!(metric(&app, "scrutiny_moderngov_agenda_items_total{outcome=\"document_only\"}").await >= 1.0);

    // The secretariat sees it, attached to the meeting, and its text decoded.
    let page = app
        .as_role(Role::Secretariat, None)
        .get("/api/v1/imports/pending?status=pending")
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let pending = &items[0];
    let meeting_id = db_meeting_id(&app, 100).await;
    assert_eq!(pending["meeting_id"], json!(meeting_id));
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["moderngov_meeting_id"], 100);
    assert_eq!(pending["agenda_item_title"], "Questions from Members of the Public");
    let document = pending["document"].as_str().unwrap();
    assert!(
        document.contains("Ward & District") && document.contains("O'Brien Street station\u{2019}s"),
        "{document}"
    );
    assert!(!document.contains("&amp;") && !document.contains('<'), "{document}");
    assert_eq!(pending["report"]["outcome"], "parsed");
    assert_eq!(pending["report"]["summary"]["questions"], 2, "{}", pending["report"]);
    assert_eq!(pending["report"]["meeting_id"], json!(meeting_id));
    assert_eq!(db.count("SELECT count(*) AS n FROM questions").await, 0);

    // Only the secretariat and admins.
    let list = "/api/v1/imports/pending";
    let id = pending["id"].as_str().unwrap();
    let confirm = format!("/api/v1/imports/pending/{id}/confirm");
    assert_eq!(app.anonymous().get(list).await.status, 401);
    assert_eq!(app.as_role(Role::PanelMember, None).get(list).await.status, 403);
    assert_eq!(app.anonymous().post(&confirm).await.status, 401);
    assert_eq!(app.as_role(Role::Force, None).post(&confirm).await.status, 403);
    assert_eq!(app.db.count("SELECT count(*) AS n FROM questions").await, 0);

    // Confirmed: the questions are imported into the meeting; once only.
    let panel = "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c";
    let rules = app
        .as_admin()
        .request("PUT", &format!("/api/v1/organisations/{panel}/question-rules"))
        .json(&crate::helpers::question_rules_body(
            json!({"addressees": ["commissioner", "panel"]}),
        ))
        .await;
    assert_eq!(rules.status, 200, "{}", rules.text());
    let confirmed = app.as_role(Role::Secretariat, None).post(&confirm).await;
    assert_eq!(confirmed.status, 201, "{}", confirmed.text());
    let body = confirmed.json();
    assert_eq!(body["pending_import"]["status"], "confirmed");
    assert_eq!(body["result"]["summary"]["created"], 2, "{body}");
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) AS n FROM questions WHERE meeting_id = '{meeting_id}'"
        ))
        .await,
        2
    );
    let again = app.as_role(Role::Secretariat, None).post(&confirm).await;
    assert_eq!(again.status, 409, "{}", again.text());
    let dismissed = app
        .as_admin()
        .post(&format!("/api/v1/imports/pending/{id}/dismiss"))
        .await;
    assert_eq!(dismissed.status, 409, "{}", dismissed.text());
    assert_eq!(
        app.as_admin()
            .post(&format!("/api/v1/imports/pending/{}/confirm", uuid::Uuid::now_v7()))
            .await
            .status,
        404
    );
    // Still stored once, confirmed, after more runs.
    next_run(db).await;
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pending_imports WHERE status = 'confirmed'")
            .await,
        1
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM pending_imports").await, 1);
}

async fn db_meeting_id(app: &TestApp, moderngov_id: i64) -> String {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = app.db.conn().await;
    let row: Id = diesel::sql_query(format!(
        "SELECT id::text AS id FROM meetings WHERE moderngov_meeting_id = {moderngov_id}"
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    row.id
}

#[actix_web::test]
async fn a_dismissed_dry_run_is_not_stored_again() {
    let stub = StubModernGov::start();
    stub.meetings(Meetings::Xml(meetings_xml(&[(5, today() - Days::new(3), "Confirmed")])));
    stub.agenda(
        5,
        agenda_xml(&[Item {
            title: "Public Questions",
            minutes_html: QUESTIONS_HTML,
            document: None,
        }]),
    );
    let app = spawn_app_on(
        panel_db().await,
        None,
        settings(&stub, &[("SCRUTINY_MODERNGOV_AGENDAS", "true")]),
    )
    .await;
    let db = &app.db;
    eventually("the dry run", || async {
        db.count("SELECT count(*) AS n FROM pending_imports").await == 1
    })
    .await;
    let page = app.as_admin().get("/api/v1/imports/pending").await.json();
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let dismissed = app
        .as_role(Role::Secretariat, None)
        .post(&format!("/api/v1/imports/pending/{id}/dismiss"))
        .await;
    assert_eq!(dismissed.status, 200, "{}", dismissed.text());
    assert_eq!(dismissed.json()["status"], "dismissed");
    next_run(db).await;
    next_run(db).await;
    assert_eq!(db.count("SELECT count(*) AS n FROM pending_imports").await, 1);
    let pending = app
        .as_admin()
        .get("/api/v1/imports/pending?status=pending")
        .await
        .json();
    assert_eq!(pending["items"], json!([]));
    assert_eq!(db.count("SELECT count(*) AS n FROM questions").await, 0);
}
