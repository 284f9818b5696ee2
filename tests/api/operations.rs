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
