//! Faults and scale-out: the database lost in the middle of a stream of writes, and two
//! instances sharing one database.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    assert_consecutive_references, database_addr, path_of, question_body, spawn_app, spawn_app_on, Proxy, Request,
    Settings, TestApp, TestDb,
};

#[actix_web::test]
async fn a_stream_of_writes_through_a_database_outage_loses_nothing_that_was_acknowledged() {
    let db = TestDb::new().await;
    let proxy = Proxy::start(database_addr(&db.url)).await;
    let app = spawn_app_on(db, Some(proxy.addr), Settings::default()).await;
    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    let mut restored_at = None;
    let mut recovered_after = None;
    for i in 0..60 {
        if i == 20 {
            proxy.cut();
        }
        if i == 40 {
            proxy.restore();
            restored_at = Some(Instant::now());
        }
        let name = format!("Organisation {i}");
        let started = Instant::now();
        let response = app
            .as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": name, "kind": "other"}))
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "request {i} hung for {:?}",
            started.elapsed()
        );
        match response.status {
            201 => {
                acknowledged.push(name);
                if let (Some(restored), None) = (restored_at, recovered_after) {
                    recovered_after = Some(restored.elapsed());
                }
            }
            503 => {
                response.assert_problem(503);
                assert_eq!(response.header("retry-after").as_deref(), Some("2"));
                unavailable += 1;
                if restored_at.is_some() {
                    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                }
            }
            other => panic!("request {i}: unexpected {other}: {}", response.text()),
        }
    }
    assert!(
        unavailable >= 20,
        "every write while the database was away was refused ({unavailable})"
    );
    let recovered_after = recovered_after.expect("writes succeed again once the database is back");
    assert!(
        recovered_after < Duration::from_secs(5),
        "recovered after {recovered_after:?}"
    );
    for name in &acknowledged {
        let count = app
            .db
            .count(&format!(
                "SELECT count(*) AS n FROM organisations WHERE name = '{name}'"
            ))
            .await;
        assert_eq!(count, 1, "{name} was acknowledged with 201 but is not stored");
    }
    assert!(acknowledged.len() >= 20);
}

#[actix_web::test]
async fn an_idempotency_key_is_honoured_by_another_instance_sharing_the_database() {
    let first = spawn_app().await;
    let second = spawn_app_on(TestDb::reuse(&first.db), None, Settings::default()).await;
    let body = json!({"name": "The Panel", "kind": "panel"});
    async fn send(app: &crate::helpers::TestApp, body: &serde_json::Value) -> crate::helpers::TestResponse {
        app.as_admin()
            .post("/api/v1/organisations")
            .json(body)
            .header("idempotency-key", "shared-key-1")
            .await
    }
    let created = send(&first, &body).await;
    assert_eq!(created.status, 201);
    let replayed = send(&second, &body).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replayed.json(), created.json());
    first.db.assert_rows("organisations", 1).await;
}

#[actix_web::test]
async fn the_anonymous_submission_limit_holds_across_instances() {
    let first = spawn_app().await;
    let second = spawn_app_on(TestDb::reuse(&first.db), None, Settings::default()).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { &first } else { &second };
        let body = question_body(json!({"title": format!("Question {i}")}));
        statuses.push(app.anonymous().post("/api/v1/questions").json(&body).await.status);
    }
    let created = statuses.iter().filter(|s| **s == 201).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((created, limited), (5, 3), "{statuses:?}");
    first.db.assert_rows("questions", 5).await;
}

#[actix_web::test]
async fn concurrent_creates_on_two_instances_get_distinct_consecutive_references() {
    let first = spawn_app().await;
    let second = spawn_app_on(TestDb::reuse(&first.db), None, Settings::default()).await;
    let bodies: Vec<serde_json::Value> = (0..10)
        .map(|i| question_body(json!({"title": format!("Question {i}"), "asked_on": "2024-03-01"})))
        .collect();
    let mut requests = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let app = if i % 2 == 0 { &first } else { &second };
        requests.push(app.as_admin().post("/api/v1/questions").json(body).send());
    }
    let created = futures_util::future::join_all(requests).await;
    assert_consecutive_references(&created, 2024);
}

#[actix_web::test]
async fn a_lost_database_gives_503_with_retry_after_and_the_service_recovers_by_itself() {
    let db = TestDb::new().await;
    let proxy = Proxy::start(database_addr(&db.url)).await;
    let app = spawn_app_on(db, Some(proxy.addr), Settings::default()).await;
    let created = app.create_organisation("Before the outage", "panel").await;

    proxy.cut();
    for path in ["/health/ready", "/api/v1/organisations"] {
        let started = Instant::now();
        let response = app.anonymous().get(path).await;
        let problem = response.assert_problem(503);
        assert_eq!(response.header("retry-after").as_deref(), Some("2"), "{problem}");
        if path == "/health/ready" {
            assert_eq!(problem["primary"], "unreachable");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "requests do not hang while the database is away"
        );
    }
    let response = app
        .as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "During the outage", "kind": "panel"}))
        .await;
    response.assert_problem(503);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = app.anonymous().get("/health/ready").await;
        if response.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not recover: {}",
            response.text()
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let response = app.anonymous().get(&path_of("organisations", &created)).await;
    assert_eq!(response.status, 200);
    app.create_organisation("After the outage", "panel").await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM organisations WHERE name = 'During the outage'",
            0,
        )
        .await;
}

/// Sends the head of a POST with `Content-Length: 64`, then one byte of the body every
/// 400 ms, and returns the status line the service answers with (or an empty string).
async fn trickle_a_body(address: &str, extra_header: &str) -> (String, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/questions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{extra_header}Content-Length: 64\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    for _ in 0..60 {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(400), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buffer[..n]);
                break;
            }
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer).to_string();
    (answer.lines().next().unwrap_or_default().to_string(), started.elapsed())
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_refused_with_408_once_the_body_timeout_passes() {
    let app = crate::helpers::spawn_app_with(Settings::default().with("SCRUTINY_BODY_TIMEOUT_SECS", "1")).await;
    // Through the JSON extractor, and through the idempotency middleware, which reads
    // the body first.
    for extra in ["", "Idempotency-Key: trickle-1\r\n"] {
        let (status, took) = trickle_a_body(&app.address, extra).await;
        assert!(status.contains(" 408 "), "expected 408 with {extra:?}, got {status:?}");
        assert!(took < Duration::from_secs(5), "the connection was held {took:?}");
    }
    // The service still answers.
    assert_eq!(app.anonymous().get("/health/live").await.status, 200);
}

/// Makes `key` look as it would had the instance handling it died `while` it was at
/// that point: in flight, with a lease that has run out (or not, `lease_left`).
async fn stage_a_death(app: &crate::helpers::TestApp, key: &str, lease_left: &str, committed: bool) {
    let touched = app
        .db
        .execute(&format!(
            "UPDATE idempotency_keys
                SET response_status = NULL, response_headers = NULL, response_body = NULL,
                    lease_expires_at = now() + interval '{lease_left}'
                    {}
              WHERE key = '{key}'",
            if committed {
                ""
            } else {
                ", result_type = NULL, result_id = NULL"
            }
        ))
        .await;
    assert_eq!(touched, 1);
}

/// The request the lease tests retry: creating "The Panel" (as admin) under `key`.
fn create_the_panel_once<'a>(app: &'a TestApp, key: &str) -> Request<'a> {
    app.as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "The Panel", "kind": "panel"}))
        .header("idempotency-key", key)
}

#[actix_web::test]
async fn after_an_instance_dies_a_retry_finds_the_committed_change_instead_of_a_409() {
    let app = spawn_app().await;
    let post = || create_the_panel_once(&app, "died-after-commit");
    let created = post().await;
    assert_eq!(created.status, 201);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM idempotency_keys WHERE result_type = 'organisation' AND result_id IS NOT NULL")
            .await,
        1,
        "the change marked its key in its own transaction"
    );

    // Died after the change committed, before its answer was kept; lease still running.
    stage_a_death(&app, "died-after-commit", "20 seconds", true).await;
    post().await.assert_problem(409);
    // Once the lease has run out, the retry is sent to the committed result.
    stage_a_death(&app, "died-after-commit", "-1 second", true).await;
    let retry = post().await;
    assert_eq!(retry.status, 303, "{}", retry.text());
    assert_eq!(retry.header("location"), created.header("location"));
    app.db.assert_rows("organisations", 1).await;
}

#[actix_web::test]
async fn after_an_instance_dies_before_committing_a_retry_runs_the_request_once() {
    let app = spawn_app().await;
    let post = || create_the_panel_once(&app, "died-before-commit");
    assert_eq!(post().await.status, 201);
    // Stage: the change never committed, and the instance died with its lease.
    app.db.execute("DELETE FROM organisations").await;
    stage_a_death(&app, "died-before-commit", "-1 second", false).await;

    let retry = post().await;
    assert_eq!(retry.status, 201, "{}", retry.text());
    assert_eq!(retry.header("idempotent-replayed"), None, "run again, not replayed");
    app.db.assert_rows("organisations", 1).await;
    // And from then on it is replayed like any other.
    let again = post().await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    app.db.assert_rows("organisations", 1).await;
}
