//! Health, docs, and behaviour while the database is away.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{database_addr, spawn_app, spawn_app_on, Proxy, Settings, TestDb};

#[actix_web::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let live = app.get("/health/live").await;
    assert_eq!((live.status, live.json()["status"].clone()), (200, json!("ok")));
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, 200);
}

#[actix_web::test]
async fn the_root_redirects_to_swagger_ui_which_is_served_locally() {
    let app = spawn_app().await;
    let root = app.get("/").await;
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location").as_deref(), Some("/swagger-ui/"));
    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status, 200);
    assert!(ui.text().contains("swagger"), "{}", ui.text());
    let bundle = app.get("/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, 200, "the UI's assets are vendored into the binary");
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
        let response = app.get(path).await;
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
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "During the outage", "kind": "panel"}),
        )
        .await;
    response.assert_problem(503);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = app.get("/health/ready").await;
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
    let response = app
        .get(&format!("/api/v1/organisations/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(response.status, 200);
    app.create_organisation("After the outage", "panel").await;
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM organisations WHERE name = 'During the outage'")
            .await,
        0
    );
}

/// One sample of the Prometheus text exposition format.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the text format by its grammar: `# HELP`/`# TYPE` comments, and samples
/// `name{label="value",…} value` with `\\`, `\"` and `\n` escapes in label values.
/// Panics on anything else.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let kind = comment.split(' ').next().unwrap();
            assert!(
                ["HELP", "TYPE", "EOF", "UNIT"].contains(&kind) || comment == "EOF",
                "bad comment: {line}"
            );
            continue;
        }
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value: {line}"));
        let name = &line[..name_end];
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(char::is_numeric),
            "bad metric name: {line}"
        );
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(after) = rest.strip_prefix('{') {
            let mut chars = after.char_indices().peekable();
            let consumed;
            loop {
                let (start, c) = chars.next().unwrap_or_else(|| panic!("unterminated labels: {line}"));
                if c == '}' {
                    consumed = start + 1;
                    break;
                }
                if c == ',' {
                    continue;
                }
                let key_start = start;
                let mut key_end = start;
                for (i, c) in chars.by_ref() {
                    if c == '=' {
                        key_end = i;
                        break;
                    }
                }
                let key = after[key_start..key_end].to_string();
                assert_eq!(
                    chars.next().map(|(_, c)| c),
                    Some('"'),
                    "label value must be quoted: {line}"
                );
                let mut value = String::new();
                loop {
                    match chars.next().unwrap_or_else(|| panic!("unterminated value: {line}")) {
                        (_, '\\') => match chars.next().map(|(_, c)| c) {
                            Some('n') => value.push('\n'),
                            Some(c) => value.push(c),
                            None => panic!("dangling escape: {line}"),
                        },
                        (_, '"') => break,
                        (_, c) => value.push(c),
                    }
                }
                labels.push((key, value));
            }
            rest = &after[consumed..];
        }
        let value = rest.trim().split(' ').next().unwrap();
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    parse_exposition(text)
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
        .sum()
}

#[actix_web::test]
async fn metrics_parse_as_prometheus_text_and_count_requests_by_route_template() {
    let app = spawn_app().await;
    let organisation = app.create_organisation("Panel", "panel").await;
    let path = format!("/api/v1/organisations/{}", organisation["id"].as_str().unwrap());
    let labels = [
        ("route", "/api/v1/organisations/{id}"),
        ("status", "200"),
        ("method", "GET"),
    ];
    let before = metric(
        &app.get("/metrics").await.text(),
        "scrutiny_http_requests_total",
        &labels,
    );
    for _ in 0..3 {
        assert_eq!(app.get(&path).await.status, 200);
    }
    let response = app.get("/metrics").await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap().starts_with("text/plain"));
    let text = response.text();
    assert_eq!(metric(&text, "scrutiny_http_requests_total", &labels) - before, 3.0);
    assert!(metric(&text, "scrutiny_http_request_duration_seconds_count", &labels) >= 3.0);
    assert!(metric(&text, "scrutiny_db_pool_connections", &[("pool", "primary")]) >= 1.0);
    assert!(text.contains("scrutiny_build_info"));
    assert!(!text.contains(organisation["id"].as_str().unwrap()), "no ids in labels");
    app.get("/no/such/path/12345").await;
    let text = app.get("/metrics").await.text();
    assert!(!text.contains("12345") && text.contains("route=\"unmatched\""));
}

#[actix_web::test]
async fn metrics_can_be_protected_by_a_token() {
    let app =
        crate::helpers::spawn_app_with(Settings::default().with("SCRUTINY_METRICS_TOKEN", "metrics-secret")).await;
    app.get("/metrics").await.assert_problem(401);
    let response = app
        .send(
            app.client
                .get(app.url("/metrics"))
                .insert_header(("authorization", "Bearer metrics-secret")),
            None,
        )
        .await;
    assert_eq!(response.status, 200);
}

#[actix_web::test]
async fn anonymous_reads_use_the_replica_and_signed_in_callers_the_primary() {
    let replica = TestDb::new().await;
    let app = crate::helpers::spawn_app_with(Settings::default().with("DATABASE_READ_URL", replica.url.clone())).await;
    app.create_organisation("On the primary", "panel").await;
    let mut conn = replica.conn().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO organisations (id, name, kind) VALUES ('01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b', 'Only on the replica', 'other')",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let anonymous = app.get("/api/v1/organisations").await.json();
    assert_eq!(anonymous["items"][0]["name"], "Only on the replica");
    let signed_in = app
        .send(app.as_admin(app.client.get(app.url("/api/v1/organisations"))), None)
        .await
        .json();
    assert_eq!(
        signed_in["items"][0]["name"], "On the primary",
        "writers read their own writes"
    );
    let ready = app.get("/health/ready").await.json();
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
        let response = app.get("/api/v1/organisations").await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json()["items"][0]["name"], "On the primary");
    }
    let text = app.get("/metrics").await.text();
    assert!(metric(&text, "scrutiny_db_replica_fallbacks_total", &[]) >= 3.0);
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, 200, "a dead replica does not make the instance unready");
    assert_eq!(ready.json()["replica"], "unreachable");
}

#[actix_web::test]
async fn the_instance_reports_unready_while_migrating_and_once_shutdown_begins() {
    let app = spawn_app().await;
    app.readiness.set_migrating(true);
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.assert_problem(503)["readiness"], "migrating");
    app.get("/api/v1/organisations").await.assert_problem(503);
    assert_eq!(app.get("/health/live").await.status, 200);
    app.readiness.set_migrating(false);
    assert_eq!(app.get("/health/ready").await.status, 200);
    app.readiness.begin_shutdown();
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.assert_problem(503)["readiness"], "shutting_down");
    assert_eq!(ready.header("retry-after").as_deref(), Some("2"));
    assert_eq!(
        app.get("/api/v1/organisations").await.status,
        200,
        "in-flight traffic is still served"
    );
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
