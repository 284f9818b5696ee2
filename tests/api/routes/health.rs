//! `/health/live`, `/health/ready` and `/metrics`.

use crate::helpers::{path_of, spawn_app, Settings};
use serde_json::json;

#[actix_web::test]
async fn liveness_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let live = app.anonymous().get("/health/live").await;
    assert_eq!((live.status, live.json()["status"].clone()), (200, json!("ok")));
    let ready = app.anonymous().get("/health/ready").await;
    assert_eq!(ready.status, 200);
}

#[actix_web::test]
async fn metrics_parse_as_prometheus_text_and_count_requests_by_route_template() {
    let app = spawn_app().await;
    let organisation = app.create_organisation("Panel", "panel").await;
    let path = path_of("organisations", &organisation);
    let labels = [
        ("route", "/api/v1/organisations/{id}"),
        ("status", "200"),
        ("method", "GET"),
    ];
    let before = metric(
        &app.anonymous().get("/metrics").await.text(),
        "scrutiny_http_requests_total",
        &labels,
    );
    for _ in 0..3 {
        assert_eq!(app.anonymous().get(&path).await.status, 200);
    }
    let response = app.anonymous().get("/metrics").await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap().starts_with("text/plain"));
    let text = response.text();
    assert_eq!(metric(&text, "scrutiny_http_requests_total", &labels) - before, 3.0);
    assert!(metric(&text, "scrutiny_http_request_duration_seconds_count", &labels) >= 3.0);
    assert!(metric(&text, "scrutiny_db_pool_connections", &[("pool", "primary")]) >= 1.0);
    assert!(text.contains("scrutiny_build_info"));
    assert!(!text.contains(organisation["id"].as_str().unwrap()), "no ids in labels");
    app.anonymous().get("/no/such/path/12345").await;
    let text = app.anonymous().get("/metrics").await.text();
    assert!(!text.contains("12345") && text.contains("route=\"unmatched\""));
}

#[actix_web::test]
async fn metrics_can_be_protected_by_a_token() {
    let app =
        crate::helpers::spawn_app_with(Settings::default().with("SCRUTINY_METRICS_TOKEN", "metrics-secret")).await;
    app.anonymous().get("/metrics").await.assert_problem(401);
    let response = app
        .anonymous()
        .get("/metrics")
        .header("authorization", "Bearer metrics-secret")
        .await;
    assert_eq!(response.status, 200);
}

#[actix_web::test]
async fn the_instance_reports_unready_while_migrating_and_once_shutdown_begins() {
    let app = spawn_app().await;
    app.readiness.set_migrating(true);
    let ready = app.anonymous().get("/health/ready").await;
    assert_eq!(ready.assert_problem(503)["readiness"], "migrating");
    app.anonymous().get("/api/v1/organisations").await.assert_problem(503);
    assert_eq!(app.anonymous().get("/health/live").await.status, 200);
    app.readiness.set_migrating(false);
    assert_eq!(app.anonymous().get("/health/ready").await.status, 200);
    app.readiness.begin_shutdown();
    let ready = app.anonymous().get("/health/ready").await;
    assert_eq!(ready.assert_problem(503)["readiness"], "shutting_down");
    assert_eq!(ready.header("retry-after").as_deref(), Some("2"));
    assert_eq!(
        app.anonymous().get("/api/v1/organisations").await.status,
        200,
        "in-flight traffic is still served"
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

pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
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
async fn an_invented_method_is_counted_as_other_so_the_metrics_cannot_grow_without_bound() {
    let app = spawn_app().await;
    let size = |text: &str| text.len();
    let before = size(&app.anonymous().get("/metrics").await.text());
    for n in 0..40 {
        let method = format!("XMETHOD{n:02}ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXY");
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let _ = app.client.request(method, app.url("/api/v1/questions")).send().await;
    }
    let text = app.anonymous().get("/metrics").await.text();
    assert!(!text.contains("XMETHOD"), "an invented method became a label");
    assert!(text.contains("method=\"other\""));
    // Forty invented methods add one `other` series per route and status, not forty.
    assert!(
        size(&text) < before + 8 * 1024,
        "the metrics grew by {} bytes",
        size(&text) - before
    );
}
