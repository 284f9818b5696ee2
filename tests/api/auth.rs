//! Signing in, tokens, forged tokens, external identity providers, and secrets.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, Settings, TestApp, JWT_SECRET};

const PASSWORD: &str = "correct horse battery staple";

async fn me(app: &TestApp, token: &str) -> crate::helpers::TestResponse {
    app.call("GET", "/api/v1/me", Some(token), None).await
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims as the service would issue them, to be tampered with.
fn claims() -> serde_json::Value {
    json!({
        "sub": "forger", "roles": ["admin"], "iss": "scrutiny", "aud": "scrutiny-api",
        "iat": now(), "nbf": now(), "exp": now() + 600, "jti": "x"
    })
}

fn sign_hs256(claims: &serde_json::Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[actix_web::test]
async fn a_user_signs_in_with_the_password_grant_and_the_token_works() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let response = app.password_grant("clerk", PASSWORD).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("cache-control").as_deref(), Some("no-store"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let whoami = me(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(whoami.status, 200);
    assert_eq!(
        whoami.json()["subject"],
        format!("user:{}", user["id"].as_str().unwrap())
    );
    assert_eq!(whoami.json()["roles"], json!(["secretariat"]));

    // The same grant as JSON, with the username in another case.
    let response = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "password", "username": "CLERK", "password": PASSWORD})),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let wrong = app.password_grant("clerk", "not the password at all").await;
    let unknown = app.password_grant("nobody-here", PASSWORD).await;
    assert_eq!((wrong.status, unknown.status), (400, 400));
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.login_failed'")
            .await,
        2
    );
}

#[actix_web::test]
async fn malformed_token_requests_get_oauth_errors() {
    let app = spawn_app().await;
    let missing = app
        .call("POST", "/api/v1/auth/token", None, Some(&json!({"username": "a"})))
        .await;
    assert_eq!(
        (missing.status, missing.json()["error"].clone()),
        (400, json!("invalid_request"))
    );
    let grant = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "implicit"})),
        )
        .await;
    assert_eq!(
        (grant.status, grant.json()["error"].clone()),
        (400, json!("unsupported_grant_type"))
    );
    let text = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/token"))
                .insert_header(("content-type", "text/plain")),
            Some(b"grant_type=password".to_vec()),
        )
        .await;
    text.assert_problem(415);
}

#[actix_web::test]
async fn repeated_failures_for_one_account_are_throttled_with_429() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    for _ in 0..5 {
        assert_eq!(app.password_grant("clerk", "wrong password here").await.status, 400);
    }
    let throttled = app.password_grant("clerk", PASSWORD).await;
    throttled.assert_problem(429);
    let retry_after: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // Another account is not affected by this one's failures.
    app.create_user("other", PASSWORD, &["secretariat"]).await;
    assert_eq!(app.password_grant("other", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn throttling_holds_across_instances_sharing_the_database() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let second = crate::helpers::spawn_app_on(crate::helpers::TestDb::reuse(&app.db), None, Settings::default()).await;
    for i in 0..5 {
        let instance = if i % 2 == 0 { &app } else { &second };
        assert_eq!(
            instance.password_grant("clerk", "wrong password here").await.status,
            400
        );
    }
    second.password_grant("clerk", PASSWORD).await.assert_problem(429);
    app.password_grant("clerk", PASSWORD).await.assert_problem(429);
}

#[actix_web::test]
async fn a_client_signs_in_with_client_credentials_in_the_body_or_basic_auth() {
    let app = spawn_app().await;
    let created = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "Council website", "roles": ["integration"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let client = created.json();
    let (id, secret) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    assert!(secret.len() >= 40);

    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let response = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/token"))
                .insert_header(("content-type", "application/x-www-form-urlencoded")),
            Some(form.into_bytes()),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let token = response.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &token).await.json()["kind"], "client");

    let basic = STANDARD.encode(format!("{id}:{secret}"));
    let response = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/token"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .insert_header(("authorization", format!("Basic {basic}"))),
            Some(b"grant_type=client_credentials".to_vec()),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());

    let wrong = app
        .call(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "nope"})),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.json()["error"].clone()),
        (401, json!("invalid_client"))
    );

    // The secret is never shown again.
    let read = app
        .send(
            app.as_admin(
                app.client
                    .get(app.url(&format!("/api/v1/clients/{}", client["id"].as_str().unwrap()))),
            ),
            None,
        )
        .await;
    assert!(!read.text().contains(secret) && read.json().get("client_secret").is_none());
}

#[actix_web::test]
async fn rotating_a_client_secret_retires_the_old_one() {
    let app = spawn_app().await;
    let client = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "Dashboard", "roles": ["integration"]}),
        )
        .await
        .json();
    let (id, old) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    let rotated = app
        .post_json(
            &format!("/api/v1/clients/{}/rotate-secret", client["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let new = rotated.json()["client_secret"].as_str().unwrap().to_string();
    let grant = |secret: String| json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    assert_eq!(
        app.call("POST", "/api/v1/auth/token", None, Some(&grant(old.to_string())))
            .await
            .status,
        401
    );
    assert_eq!(
        app.call("POST", "/api/v1/auth/token", None, Some(&grant(new)))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn deactivating_a_user_revokes_their_tokens_at_once() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.password_grant("clerk", PASSWORD).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(me(&app, &token).await.status, 200);
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    assert_eq!(
        app.patch_json(&path, &json!({"is_active": false}), None).await.status,
        200
    );
    let refused = me(&app, &token).await;
    refused.assert_problem(401);
    assert!(refused.header("www-authenticate").unwrap().contains("invalid_token"));
    assert_eq!(
        app.password_grant("clerk", PASSWORD).await.status,
        400,
        "a deactivated user cannot sign in"
    );
}

#[actix_web::test]
async fn a_role_change_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let token = app.password_grant("clerk", PASSWORD).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let create = json!({"name": "New Council", "kind": "council"});
    assert_eq!(
        app.call("POST", "/api/v1/organisations", Some(&token), Some(&create))
            .await
            .status,
        201
    );
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    app.patch_json(&path, &json!({"roles": ["panel_member"]}), None).await;
    let create = json!({"name": "Newer Council", "kind": "council"});
    app.call("POST", "/api/v1/organisations", Some(&token), Some(&create))
        .await
        .assert_problem(403);
}

#[actix_web::test]
async fn forged_and_broken_tokens_are_each_refused_with_401() {
    let app = spawn_app().await;
    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    let mut expired = claims();
    expired["exp"] = json!(now() - 120);
    expired["iat"] = json!(now() - 4000);
    expired["nbf"] = json!(now() - 4000);
    let mut not_yet = claims();
    not_yet["nbf"] = json!(now() + 300);
    let mut wrong_issuer = claims();
    wrong_issuer["iss"] = json!("someone-else");
    let mut wrong_audience = claims();
    wrong_audience["aud"] = json!("another-api");
    let mut no_expiry = claims();
    no_expiry.as_object_mut().unwrap().remove("exp");
    let valid = sign_hs256(&claims(), JWT_SECRET.as_bytes());
    let mut tampered = valid.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let cases = [
        ("alg none", format!("{header_none}.{payload}.")),
        (
            "another key",
            sign_hs256(&claims(), b"another-secret-another-secret-another-secret"),
        ),
        ("tampered signature", tampered),
        ("expired beyond the leeway", sign_hs256(&expired, JWT_SECRET.as_bytes())),
        ("not valid yet", sign_hs256(&not_yet, JWT_SECRET.as_bytes())),
        ("wrong issuer", sign_hs256(&wrong_issuer, JWT_SECRET.as_bytes())),
        ("wrong audience", sign_hs256(&wrong_audience, JWT_SECRET.as_bytes())),
        ("no expiry", sign_hs256(&no_expiry, JWT_SECRET.as_bytes())),
        ("malformed", "not.a.jwt".to_string()),
        ("oversized", format!("{}.{}.x", "a".repeat(5000), "b".repeat(5000))),
        ("RS256 with no external issuer configured", {
            let key = rsa_key();
            jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(), &rsa_encoding_key(&key)).unwrap()
        }),
    ];
    assert_eq!(me(&app, &valid).await.status, 200, "the untampered token is accepted");
    for (what, token) in cases {
        let response = me(&app, &token).await;
        assert_eq!(response.status, 401, "{what}: {}", response.text());
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"scrutiny\", error=\"invalid_token\""),
            "{what}"
        );
        // An invalid token is refused even where anonymous callers are welcome.
        assert_eq!(
            app.call("GET", "/api/v1/organisations", Some(&token), None)
                .await
                .status,
            401,
            "{what}"
        );
    }
    let basic = app
        .send(
            app.client
                .get(app.url("/api/v1/me"))
                .insert_header(("authorization", "Basic YTpi")),
            None,
        )
        .await;
    basic.assert_problem(401);
}

fn rsa_key() -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap()
}

fn rsa_encoding_key(key: &rsa::RsaPrivateKey) -> EncodingKey {
    use rsa::pkcs8::EncodePrivateKey;
    EncodingKey::from_rsa_pem(key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().as_bytes()).unwrap()
}

fn idp_claims(roles: serde_json::Value) -> serde_json::Value {
    json!({
        "sub": "alice@idp", "groups": roles, "iss": "https://idp.example.test", "aud": "scrutiny",
        "iat": now(), "nbf": now(), "exp": now() + 600
    })
}

fn external_settings(keys_file: &std::path::Path) -> Settings {
    Settings::default()
        .with("SCRUTINY_EXTERNAL_JWT_KEYS", keys_file.to_string_lossy().to_string())
        .with("SCRUTINY_EXTERNAL_JWT_ISSUER", "https://idp.example.test")
        .with("SCRUTINY_EXTERNAL_JWT_AUDIENCE", "scrutiny")
        .with("SCRUTINY_EXTERNAL_JWT_ROLES_CLAIM", "groups")
}

#[actix_web::test]
async fn rs256_tokens_from_a_jwks_configured_issuer_are_accepted_by_kid() {
    use rsa::traits::PublicKeyParts;
    let (signing, other) = (rsa_key(), rsa_key());
    let jwk = |key: &rsa::RsaPrivateKey, kid: &str| {
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
               "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be())})
    };
    let dir = tempdir();
    let file = dir.join("jwks.json");
    std::fs::write(
        &file,
        json!({"keys": [jwk(&other, "old"), jwk(&signing, "current")]}).to_string(),
    )
    .unwrap();
    let app = spawn_app_with(external_settings(&file)).await;

    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("current".into());
    let token = jsonwebtoken::encode(
        &header,
        &idp_claims(json!(["secretariat", "it-helpdesk"])),
        &rsa_encoding_key(&signing),
    )
    .unwrap();
    let whoami = me(&app, &token).await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    assert_eq!(
        whoami.json()["roles"],
        json!(["secretariat"]),
        "unknown role names are ignored"
    );
    assert_eq!(whoami.json()["subject"], "external:alice@idp");

    // The kid names a key that did not sign it.
    header.kid = Some("old".into());
    let wrong_kid = jsonwebtoken::encode(&header, &idp_claims(json!(["admin"])), &rsa_encoding_key(&signing)).unwrap();
    me(&app, &wrong_kid).await.assert_problem(401);

    // Algorithm confusion: an HS256 token keyed with the provider's public key.
    use rsa::pkcs8::EncodePublicKey;
    let public_pem = signing
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    let mut confused = idp_claims(json!(["admin"]));
    confused["iss"] = json!("scrutiny");
    confused["aud"] = json!("scrutiny-api");
    me(&app, &sign_hs256(&confused, public_pem.as_bytes()))
        .await
        .assert_problem(401);

    let mut foreign = idp_claims(json!(["admin"]));
    foreign["iss"] = json!("https://evil.example.test");
    header.kid = Some("current".into());
    me(
        &app,
        &jsonwebtoken::encode(&header, &foreign, &rsa_encoding_key(&signing)).unwrap(),
    )
    .await
    .assert_problem(401);
}

#[actix_web::test]
async fn es256_tokens_from_a_pem_configured_issuer_are_accepted() {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let dir = tempdir();
    let file = dir.join("idp.pem");
    std::fs::write(
        &file,
        key.public_key().to_public_key_pem(p256::pkcs8::LineEnding::LF).unwrap(),
    )
    .unwrap();
    let app = spawn_app_with(external_settings(&file)).await;
    let encoding = EncodingKey::from_ec_pem(key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap().as_bytes()).unwrap();
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &idp_claims(json!("panel_member force")),
        &encoding,
    )
    .unwrap();
    let whoami = me(&app, &token).await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    assert_eq!(whoami.json()["roles"], json!(["panel_member", "force"]));
    let rs = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &idp_claims(json!(["admin"])),
        &rsa_encoding_key(&rsa_key()),
    )
    .unwrap();
    me(&app, &rs).await.assert_problem(401);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scrutiny-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[actix_web::test]
async fn passwords_and_secrets_never_appear_in_responses_or_the_audit_log() {
    let app = spawn_app().await;
    let user = app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    assert!(!user.to_string().contains(PASSWORD) && user.get("password_hash").is_none());
    app.password_grant("clerk", PASSWORD).await;
    app.password_grant("clerk", "a wrong password").await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    app.patch_json(&path, &json!({"password": "another long password"}), None)
        .await;
    let client = app
        .post_json("/api/v1/clients", &json!({"name": "Feed", "roles": ["integration"]}))
        .await
        .json();
    let secret = client["client_secret"].as_str().unwrap();
    let users = app
        .send(app.as_admin(app.client.get(app.url("/api/v1/users"))), None)
        .await
        .text();
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
        .post_json(
            "/api/v1/users",
            &json!({"username": "x", "display_name": "", "password": "short", "roles": []}),
        )
        .await;
    let problem = response.assert_problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "display_name", "password", "roles"]);
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "clerk", "display_name": "C", "password": PASSWORD, "roles": ["admin"],
                    "organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
        )
        .await;
    assert_eq!(response.assert_problem(422)["errors"][0]["field"], "organisation_id");
    app.create_user("clerk", PASSWORD, &["admin"]).await;
    let duplicate = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "Clerk", "display_name": "C", "password": PASSWORD, "roles": ["admin"]}),
        )
        .await;
    duplicate.assert_problem(409);
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
    let whoami = me(&app, token.trim()).await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    assert_eq!(whoami.json()["roles"], json!(["secretariat", "panel_member"]));
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.token_issued'")
            .await,
        1
    );

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
        app.call("POST", "/api/v1/auth/token", None, Some(&grant)).await.status,
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
