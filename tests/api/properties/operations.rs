//! Operating the service: read replicas, logs and shutdown, and the command line.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{spawn_app, Settings, TestDb, JWT_SECRET, PASSWORD};

#[actix_web::test]
async fn anonymous_reads_use_the_replica_and_signed_in_callers_the_primary() {
    let replica = TestDb::new().await;
    let app = crate::helpers::spawn_app_with(Settings::default().with("DATABASE_READ_URL", replica.url.clone())).await;
    app.create_organisation("On the primary", "panel").await;
    let mut conn = replica.conn().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO organisations (id, name, name_key, kind) VALUES ('01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b', 'Only on the replica', 'only on the replica', 'other')",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let anonymous = app.anonymous().get("/api/v1/organisations").await.json();
    assert_eq!(anonymous["items"][0]["name"], "Only on the replica");
    let signed_in = app.as_admin().get("/api/v1/organisations").await.json();
    assert_eq!(
        signed_in["items"][0]["name"], "On the primary",
        "writers read their own writes"
    );
    let ready = app.anonymous().get("/health/ready").await.json();
    assert_eq!(
        (ready["primary"].clone(), ready["replica"].clone()),
        (json!("ok"), json!("ok"))
    );
}

#[actix_web::test]
async fn reads_fall_back_to_the_primary_when_the_replica_is_unreachable() {
    let app = crate::helpers::spawn_app_with(
        Settings::default().with("DATABASE_READ_URL", "postgres://postgres@127.0.0.1:1/nowhere"),
    )
    .await;
    app.create_organisation("On the primary", "panel").await;
    for _ in 0..3 {
        let response = app.anonymous().get("/api/v1/organisations").await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json()["items"][0]["name"], "On the primary");
    }
    let text = app.anonymous().get("/metrics").await.text();
    assert!(crate::routes::health::metric(&text, "scrutiny_db_replica_fallbacks_total", &[]) >= 3.0);
    let ready = app.anonymous().get("/health/ready").await;
    assert_eq!(ready.status, 200, "a dead replica does not make the instance unready");
    assert_eq!(ready.json()["replica"], "unreachable");
}

#[actix_web::test]
async fn the_service_logs_one_json_object_per_line_and_stops_cleanly_on_sigterm() {
    let db = TestDb::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("SCRUTINY_ADDR", format!("127.0.0.1:{port}"))
        .env("SCRUTINY_JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("SCRUTINY_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = awc::Client::default();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(format!("{url}/health/ready")).send().await {
            if response.status() == 200 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the service did not become ready");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let response = client
        .get(format!("{url}/api/v1/organisations?q=secret-query"))
        .insert_header(("x-request-id", "log-test-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["request_id"] == "log-test-1")
        .unwrap_or_else(|| panic!("no request line in {stderr}"));
    assert_eq!(request["route"], "/api/v1/organisations");
    assert_eq!(request["status"], 200);
    assert!(request["latency_ms"].is_number() && request["time"].is_string() && request["level"] == "INFO");
    assert!(!stderr.contains("secret-query"), "query strings are never logged");
    assert!(lines.iter().any(|l| l["message"] == "stopped"));
}

#[actix_web::test]
async fn the_cli_issues_tokens_and_creates_accounts_against_the_same_database() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
            .args(args)
            .env("DATABASE_URL", &app.db.url)
            .env("SCRUTINY_JWT_SECRET", JWT_SECRET)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let token = run(&[
        "issue-token",
        "--subject",
        "ops",
        "--role",
        "secretariat",
        "--role",
        "panel_member",
        "--ttl",
        "120",
    ]);
    let whoami = app.with_token(token.trim()).get("/api/v1/me").await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    assert_eq!(whoami.json()["roles"], json!(["secretariat", "panel_member"]));
    app.db.assert_audited("auth.token_issued", 1).await;

    let created: serde_json::Value = serde_json::from_str(&run(&[
        "create-client",
        "--name",
        "Agenda system",
        "--role",
        "integration",
    ]))
    .unwrap();
    let grant = json!({"grant_type": "client_credentials", "client_id": created["client_id"], "client_secret": created["client_secret"]});
    assert_eq!(
        app.anonymous().post("/api/v1/auth/token").json(&grant).await.status,
        200
    );

    run(&[
        "create-user",
        "--username",
        "chair",
        "--password",
        PASSWORD,
        "--role",
        "panel_member",
    ]);
    assert_eq!(app.password_grant("chair", PASSWORD).await.status, 200);
}
