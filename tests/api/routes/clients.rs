//! `/api/v1/clients`: system accounts signing in with client credentials, and secret rotation.

use crate::helpers::{path_of, spawn_app, Request};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

#[actix_web::test]
async fn a_client_signs_in_with_client_credentials_in_the_body_or_basic_auth() {
    let app = spawn_app().await;
    let client = app.create_client("Council website", &["integration"]).await;
    let (id, secret) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    assert!(secret.len() >= 40);

    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let response = app
        .anonymous()
        .post("/api/v1/auth/token")
        .body("application/x-www-form-urlencoded", form)
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let token = response.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.with_token(&token).get("/api/v1/me").await.json()["kind"], "client");

    let basic = STANDARD.encode(format!("{id}:{secret}"));
    let response = app
        .anonymous()
        .post("/api/v1/auth/token")
        .header("authorization", &format!("Basic {basic}"))
        .body("application/x-www-form-urlencoded", "grant_type=client_credentials")
        .await;
    assert_eq!(response.status, 200, "{}", response.text());

    let wrong = app
        .anonymous()
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "nope"}))
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"].clone()),
        (401, json!("invalid_client"))
    );

    // The secret is never shown again.
    let read = app.as_admin().get(&path_of("clients", &client)).await;
    assert!(!read.text().contains(secret) && read.json().get("client_secret").is_none());
}

#[actix_web::test]
async fn rotating_a_client_secret_retires_the_old_one() {
    let app = spawn_app().await;
    let client = app.create_client("Dashboard", &["integration"]).await;
    let (id, old) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    let rotated = app
        .as_admin()
        .post(&format!(
            "/api/v1/clients/{}/rotate-secret",
            client["id"].as_str().unwrap()
        ))
        .json(&json!({}))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let new = rotated.json()["client_secret"].as_str().unwrap().to_string();
    let grant = |secret: String| json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    assert_eq!(
        app.anonymous()
            .post("/api/v1/auth/token")
            .json(&grant(old.to_string()))
            .await
            .status,
        401
    );
    assert_eq!(
        app.anonymous()
            .post("/api/v1/auth/token")
            .json(&grant(new))
            .await
            .status,
        200
    );
}

/// Sends a token request and returns the access token it was granted.
async fn signed_in(request: Request<'_>) -> String {
    let response = request.await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["access_token"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn rotating_a_client_secret_retires_the_tokens_issued_with_the_old_one() {
    let app = spawn_app().await;
    let client = app.create_client("Dashboard", &["integration"]).await;
    let grant = |secret: &str| json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": secret});
    let old_token = signed_in(
        app.anonymous()
            .post("/api/v1/auth/token")
            .json(&grant(client["client_secret"].as_str().unwrap())),
    )
    .await;
    assert_eq!(app.with_token(&old_token).get("/api/v1/me").await.status, 200);

    let rotated = app
        .as_admin()
        .post(&format!("{}/rotate-secret", path_of("clients", &client)))
        .json(&json!({}))
        .await
        .json();
    let refused = app.with_token(&old_token).get("/api/v1/me").await;
    refused.assert_problem(401);
    assert!(refused.header("www-authenticate").unwrap().contains("invalid_token"));

    let new_token = signed_in(
        app.anonymous()
            .post("/api/v1/auth/token")
            .json(&grant(rotated["client_secret"].as_str().unwrap())),
    )
    .await;
    assert_eq!(
        app.with_token(&new_token).get("/api/v1/me").await.status,
        200,
        "a token issued after the rotation works"
    );
}
