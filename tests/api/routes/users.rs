//! `/api/v1/users`: accounts, their roles and deactivation, and what never leaks from them.

use crate::helpers::{field_of_each, path_of, spawn_app, PASSWORD};
use serde_json::json;

#[actix_web::test]
async fn deactivating_a_user_revokes_their_tokens_at_once() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.sign_in("clerk", PASSWORD).await;
    assert_eq!(app.with_token(&token).get("/api/v1/me").await.status, 200);
    let path = path_of("users", &user);
    assert_eq!(
        app.as_admin()
            .patch(&path)
            .json(&json!({"is_active": false}))
            .await
            .status,
        200
    );
    let refused = app.with_token(&token).get("/api/v1/me").await;
    refused.assert_problem(401);
    assert!(refused.header("www-authenticate").unwrap().contains("invalid_token"));
    assert_eq!(
        app.password_grant("clerk", PASSWORD).await.status,
        400,
        "a deactivated user cannot sign in"
    );
}

#[actix_web::test]
async fn a_new_password_retires_every_token_issued_before_it() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let sign_in = |password: &'static str| {
        let app = &app;
        async move { app.sign_in("clerk", password).await }
    };
    let before = sign_in(PASSWORD).await;
    assert_eq!(app.with_token(&before).get("/api/v1/me").await.status, 200);

    let path = path_of("users", &user);
    let new_password = "a different long passphrase";
    let changed = app
        .as_admin()
        .patch(&path)
        .json(&json!({"password": new_password}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let refused = app.with_token(&before).get("/api/v1/me").await;
    refused.assert_problem(401);
    assert!(refused.header("www-authenticate").unwrap().contains("invalid_token"));

    let after = sign_in(new_password).await;
    assert_eq!(
        app.with_token(&after).get("/api/v1/me").await.status,
        200,
        "a token issued after the change works"
    );
    // A change that is not of credentials leaves tokens alone.
    let renamed = app
        .as_admin()
        .patch(&path)
        .json(&json!({"display_name": "Clerk to the Panel"}))
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(app.with_token(&after).get("/api/v1/me").await.status, 200);
}

#[actix_web::test]
async fn reactivating_a_user_does_not_revive_the_tokens_issued_before_deactivation() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.sign_in("clerk", PASSWORD).await;
    let path = path_of("users", &user);
    for active in [false, true] {
        let changed = app.as_admin().patch(&path).json(&json!({"is_active": active})).await;
        assert_eq!(changed.status, 200, "{}", changed.text());
    }
    app.with_token(&token).get("/api/v1/me").await.assert_problem(401);
    assert_eq!(app.password_grant("clerk", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.sign_in("clerk", PASSWORD).await;
    let create = json!({"name": "New Council", "kind": "council"});
    assert_eq!(
        app.with_token(&token)
            .post("/api/v1/organisations")
            .json(&create)
            .await
            .status,
        201
    );
    let path = path_of("users", &user);
    app.as_admin()
        .patch(&path)
        .json(&json!({"roles": ["panel_member"]}))
        .await;
    let create = json!({"name": "Newer Council", "kind": "council"});
    app.with_token(&token)
        .post("/api/v1/organisations")
        .json(&create)
        .await
        .assert_problem(403);
}

#[actix_web::test]
async fn passwords_and_secrets_never_appear_in_responses_or_the_audit_log() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    assert!(!user.to_string().contains(PASSWORD) && user.get("password_hash").is_none());
    app.password_grant("clerk", PASSWORD).await;
    app.password_grant("clerk", "a wrong password").await;
    let path = path_of("users", &user);
    app.as_admin()
        .patch(&path)
        .json(&json!({"password": "another long password"}))
        .await;
    let client = app.create_client("Feed", &["integration"]).await;
    let secret = client["client_secret"].as_str().unwrap();
    let users = app.as_admin().get("/api/v1/users").await.text();
    assert!(!users.contains("argon2") && !users.contains(PASSWORD));
    for needle in [PASSWORD, "a wrong password", "another long password", secret, "$argon2"] {
        let sql = format!(
            "SELECT count(*) AS n FROM audit_events WHERE coalesce(before::text, '') || coalesce(after::text, '') LIKE '%{}%'",
            needle.replace('\'', "''")
        );
        assert_eq!(app.db.count(&sql).await, 0, "{needle} leaked into the audit log");
    }
    assert!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'user.updated'")
            .await
            >= 1
    );
}

#[actix_web::test]
async fn user_validation_rejects_weak_passwords_bad_usernames_and_unknown_organisations() {
    let app = spawn_app().await;
    let response = app
        .as_admin()
        .post("/api/v1/users")
        .json(&json!({"username": "x", "display_name": "", "password": "short", "roles": []}))
        .await;
    let problem = response.assert_problem(422);
    let fields = field_of_each(&problem["errors"], "field");
    assert_eq!(fields, ["username", "display_name", "password", "roles"]);
    let response = app
        .as_admin()
        .post("/api/v1/users")
        .json(
            &json!({"username": "clerk", "display_name": "C", "password": PASSWORD, "roles": ["admin"],
                    "organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
        )
        .await;
    response.assert_invalid("organisation_id");
    app.create_user("clerk", PASSWORD, &["admin"]).await;
    let duplicate = app
        .as_admin()
        .post("/api/v1/users")
        .json(&json!({"username": "Clerk", "display_name": "C", "password": PASSWORD, "roles": ["admin"]}))
        .await;
    duplicate.assert_problem(409);
}

#[actix_web::test]
async fn a_deactivated_user_replaying_an_idempotency_key_gets_401_not_the_stored_answer() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.sign_in("clerk", PASSWORD).await;
    let ask = || {
        app.with_token(&token)
            .post("/api/v1/questions")
            .header("idempotency-key", "replay-after-deactivation")
            .json(&crate::helpers::question_body(json!({})))
    };
    let first = ask().await;
    assert_eq!(first.status, 201, "{}", first.text());
    let replayed = ask().await;
    // Asking answers no-store (it shows the follow token once): the replay is a 303.
    assert_eq!(replayed.status, 303, "while active, a retry is a replay");
    assert_eq!(replayed.header("idempotent-replayed").as_deref(), Some("true"));
    let path = path_of("users", &user);
    app.as_admin().patch(&path).json(&json!({"is_active": false})).await;
    let refused = ask().await;
    refused.assert_problem(401);
    assert!(!refused.text().contains("asker_contact"), "the stored answer leaked");
}
