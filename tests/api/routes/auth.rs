//! Signing in (`/api/v1/auth/token`), `/api/v1/me`, forged tokens and external identity providers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, Settings, JWT_SECRET, PASSWORD};

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
    let whoami = app
        .with_token(body["access_token"].as_str().unwrap())
        .get("/api/v1/me")
        .await;
    assert_eq!(whoami.status, 200);
    assert_eq!(
        whoami.json()["subject"],
        format!("user:{}", user["id"].as_str().unwrap())
    );
    assert_eq!(whoami.json()["roles"], json!(["secretariat"]));

    // The same grant as JSON, with the username in another case.
    let response = app
        .anonymous()
        .post("/api/v1/auth/token")
        .json(&json!({"grant_type": "password", "username": "CLERK", "password": PASSWORD}))
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
    app.db.assert_audited("auth.login_failed", 2).await;
}

#[actix_web::test]
async fn malformed_token_requests_get_oauth_errors() {
    let app = spawn_app().await;
    for (body, error) in [
        (json!({"username": "a"}), "invalid_request"),
        (json!({"grant_type": "implicit"}), "unsupported_grant_type"),
    ] {
        let answer = app.anonymous().post("/api/v1/auth/token").json(&body).await;
        assert_eq!(
            (answer.status, answer.json()["error"].clone()),
            (400, json!(error)),
            "{body}"
        );
    }
    let text = app
        .anonymous()
        .post("/api/v1/auth/token")
        .body("text/plain", "grant_type=password")
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
    assert_eq!(
        app.with_token(&valid).get("/api/v1/me").await.status,
        200,
        "the untampered token is accepted"
    );
    for (what, token) in cases {
        let response = app.with_token(&token).get("/api/v1/me").await;
        assert_eq!(response.status, 401, "{what}: {}", response.text());
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"scrutiny\", error=\"invalid_token\""),
            "{what}"
        );
        // An invalid token is refused even where anonymous callers are welcome.
        assert_eq!(
            app.with_token(&token).get("/api/v1/organisations").await.status,
            401,
            "{what}"
        );
    }
    let basic = app
        .anonymous()
        .get("/api/v1/me")
        .header("authorization", "Basic YTpi")
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
    let whoami = app.with_token(&token).get("/api/v1/me").await;
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
    app.with_token(&wrong_kid).get("/api/v1/me").await.assert_problem(401);

    // Algorithm confusion: an HS256 token keyed with the provider's public key.
    use rsa::pkcs8::EncodePublicKey;
    let public_pem = signing
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    let mut confused = idp_claims(json!(["admin"]));
    confused["iss"] = json!("scrutiny");
    confused["aud"] = json!("scrutiny-api");
    app.with_token(&sign_hs256(&confused, public_pem.as_bytes()))
        .get("/api/v1/me")
        .await
        .assert_problem(401);

    let mut foreign = idp_claims(json!(["admin"]));
    foreign["iss"] = json!("https://evil.example.test");
    header.kid = Some("current".into());
    app.with_token(&jsonwebtoken::encode(&header, &foreign, &rsa_encoding_key(&signing)).unwrap())
        .get("/api/v1/me")
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
    let whoami = app.with_token(&token).get("/api/v1/me").await;
    assert_eq!(whoami.status, 200, "{}", whoami.text());
    assert_eq!(whoami.json()["roles"], json!(["panel_member", "force"]));
    let rs = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &idp_claims(json!(["admin"])),
        &rsa_encoding_key(&rsa_key()),
    )
    .unwrap();
    app.with_token(&rs).get("/api/v1/me").await.assert_problem(401);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scrutiny-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[actix_web::test]
async fn a_burst_of_sign_ins_beyond_the_hashing_gate_is_refused_at_once_with_429() {
    let app = spawn_app_with(
        Settings::default()
            .with("SCRUTINY_HASHING_CONCURRENCY", "1")
            .with("SCRUTINY_HASHING_QUEUE", "1"),
    )
    .await;
    // Unknown usernames, each from an address of its own: every one costs a hash (a
    // dummy one), and none waits for another's rate-limit count (attempts from one
    // address are counted one at a time, which on a loaded machine spaced them out so
    // that each hash was done before the next arrived and the gate never filled).
    let attempts = (0..24).map(|n| {
        let app = &app;
        async move {
            let source = format!("127.0.3.{}", n + 1);
            password_grant_answer(app, &source, None, &format!("nobody-{n}"), "wrong password here").await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let busy: Vec<_> = answers.iter().filter(|(status, _)| *status == 429).collect();
    let checked = answers.iter().filter(|(status, _)| *status == 400).count();
    assert_eq!(
        busy.len() + checked,
        answers.len(),
        "only 400s and 429s, never a 5xx: {answers:?}"
    );
    assert!(!busy.is_empty(), "24 hashes at once with room for two went through");
    assert!(checked >= 2, "the gate let none through");
    for (_, retry_after) in busy {
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    // Once the burst is over, signing in works again.
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    assert_eq!(app.password_grant("clerk", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn a_token_marking_an_extension_critical_is_refused_though_its_signature_verifies() {
    let app = spawn_app().await;
    let sign = |crit: Option<Vec<String>>| {
        let mut header = Header::new(Algorithm::HS256);
        header.crit = crit;
        jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap()
    };
    assert_eq!(app.with_token(&sign(None)).get("/api/v1/me").await.status, 200);
    let critical = app
        .with_token(&sign(Some(vec!["x-policy".into()])))
        .get("/api/v1/me")
        .await;
    critical.assert_problem(401);
    assert!(critical.json()["detail"].as_str().unwrap().contains("x-policy"));
}

/// A password grant sent from the loopback address `source` (the service sees it as the
/// client's address); returns the status.
async fn password_grant_from(app: &crate::helpers::TestApp, source: &str, username: &str, password: &str) -> u16 {
    password_grant_via(app, source, None, username, password).await
}

/// [`password_grant_from`], with an `X-Forwarded-For` header when given.
async fn password_grant_via(
    app: &crate::helpers::TestApp,
    source: &str,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> u16 {
    password_grant_answer(app, source, forwarded_for, username, password)
        .await
        .0
}

/// [`password_grant_via`], returning the status and the `Retry-After` header.
async fn password_grant_answer(
    app: &crate::helpers::TestApp,
    source: &str,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> (u16, Option<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let target: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(target).await.unwrap();
    let body = format!(
        "grant_type=password&username={}&password={}",
        crate::helpers::urlencode(username),
        crate::helpers::urlencode(password)
    );
    let forwarded = forwarded_for.map_or(String::new(), |value| format!("X-Forwarded-For: {value}\r\n"));
    let request = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {target}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         {forwarded}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    let retry_after = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("retry-after")
            .then(|| value.trim().to_string())
    });
    (status, retry_after)
}

/// Sends five wrong guesses at `clerk`'s password from `peer`, the `i`-th claiming
/// `X-Forwarded-For: forwarded(i)`, each a 400, then the right password claiming `last`:
/// asserts that the limit counted all six as one client's (the last is a 429).
async fn assert_guesses_throttled_as_one_client(
    app: &crate::helpers::TestApp,
    peer: &str,
    forwarded: impl Fn(u8) -> String,
    last: &str,
) {
    for i in 0..5 {
        let claimed = forwarded(i);
        let status = password_grant_via(app, peer, Some(&claimed), "clerk", "wrong password here").await;
        assert_eq!(status, 400, "guess {i} from {peer} as {claimed}");
    }
    assert_eq!(password_grant_via(app, peer, Some(last), "clerk", PASSWORD).await, 429);
}

#[actix_web::test]
async fn guesses_from_another_address_never_lock_the_owner_out() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    for _ in 0..5 {
        assert_eq!(
            password_grant_from(&app, "127.0.0.2", "clerk", "wrong password here").await,
            400
        );
    }
    // The guesser is throttled, from its own address, even with the right password...
    assert_eq!(password_grant_from(&app, "127.0.0.2", "clerk", PASSWORD).await, 429);
    // ...and the owner, from theirs, signs in.
    assert_eq!(password_grant_from(&app, "127.0.0.3", "clerk", PASSWORD).await, 200);
}

#[actix_web::test]
async fn a_forged_x_forwarded_for_does_not_escape_the_per_address_limit() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    // No proxy is trusted: a new "client address" on every guess is just a header.
    assert_guesses_throttled_as_one_client(&app, "127.0.0.2", |i| format!("198.51.100.{i}"), "198.51.100.99").await;
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_cannot_claim_another() {
    let app = spawn_app_with(Settings::default().with("SCRUTINY_TRUSTED_PROXIES", "127.0.0.1")).await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    // The proxy (127.0.0.1) appends the address it saw; what the guesser wrote to the
    // left of it proves nothing.
    assert_guesses_throttled_as_one_client(
        &app,
        "127.0.0.1",
        |i| format!("192.0.2.{i}, 198.51.100.7"),
        "192.0.2.200, 198.51.100.7",
    )
    .await;
    // Another client behind the same proxy is not throttled by the guesser.
    assert_eq!(
        password_grant_via(&app, "127.0.0.1", Some("198.51.100.8"), "clerk", PASSWORD).await,
        200
    );
    // A peer that is not the proxy is its own address, whatever it sends.
    assert_guesses_throttled_as_one_client(&app, "127.0.0.2", |i| format!("198.51.100.{}", 20 + i), "198.51.100.8")
        .await;
}

#[actix_web::test]
async fn parallel_guesses_for_one_account_get_exactly_the_allowed_number_of_checks() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let guesses = (0..40).map(|_| app.password_grant("clerk", "wrong password here"));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|a| a.status == 400).count();
    let throttled = answers.iter().filter(|a| a.status == 429).count();
    assert_eq!(
        (checked, throttled),
        (5, 35),
        "5 checks from one address, the rest refused"
    );
}

#[actix_web::test]
async fn a_token_is_never_stored_or_replayed_under_an_idempotency_key() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let sign_in = || {
        app.anonymous()
            .post("/api/v1/auth/token")
            .header("idempotency-key", "sign-in-1")
            .form(&[
                ("grant_type", "password"),
                ("username", "clerk"),
                ("password", PASSWORD),
            ])
    };
    let first = sign_in().await;
    let second = sign_in().await;
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(second.header("idempotent-replayed"), None, "the token was replayed");
    assert_ne!(first.json()["access_token"], second.json()["access_token"]);
    assert_eq!(second.header("cache-control").as_deref(), Some("no-store"));
    let stored = app
        .db
        .count("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'sign-in-1'")
        .await;
    assert_eq!(stored, 0, "the answer carrying a token was stored");
}

#[actix_web::test]
async fn every_refusal_of_the_token_requests_content_is_an_oauth_error() {
    let app = spawn_app().await;
    let form = "application/x-www-form-urlencoded";
    for (content_type, body) in [
        (
            form,
            "grant_type=password&grant_type=client_credentials&username=a&password=b",
        ),
        (form, "grant_type=password&username=a%00b&password=x"),
        (form, "grant_type=client_credentials&client_id=cli%00x&client_secret=x"),
        (
            "application/json",
            r#"{"grant_type":"password","username":"a","username":"b","password":"x"}"#,
        ),
        ("application/json", r#"{"grant_type":"password","#),
        (
            "application/json",
            "{\"grant_type\":\"password\",\"username\":\"a\\u0000\",\"password\":\"x\"}",
        ),
    ] {
        let answer = app
            .anonymous()
            .post("/api/v1/auth/token")
            .body(content_type, body)
            .await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text());
        assert_eq!(answer.json()["error"], "invalid_request", "{body}");
        assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    }
}

#[actix_web::test]
async fn a_password_is_one_password_however_its_accents_are_typed() {
    let app = spawn_app().await;
    app.create_user(
        "cafe-owner",
        "cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e",
        &["force"],
    )
    .await;
    let signed_in = app
        .password_grant("cafe-owner", "caf\u{E9} cr\u{E8}me br\u{FB}l\u{E9}e")
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text());
}

#[actix_web::test]
async fn a_noncharacter_in_a_token_request_is_invalid_request_and_nothing_is_recorded() {
    let app = spawn_app().await;
    app.create_user("clerk", PASSWORD, &["secretariat"]).await;
    let audited = app.db.count("SELECT count(*) AS n FROM audit_events").await;
    for (username, password) in [("clerk\u{FFFF}", PASSWORD), ("clerk", "correct horse \u{FDD0}")] {
        let response = app.password_grant(username, password).await;
        assert_eq!(response.status, 400, "{}", response.text());
        assert_eq!(response.json()["error"], "invalid_request");
    }
    let basic = base64::engine::general_purpose::STANDARD.encode("client\u{FFFE}:secret");
    let response = app
        .anonymous()
        .post("/api/v1/auth/token")
        .headers(&[("authorization", &format!("Basic {basic}"))])
        .form(&[("grant_type", "client_credentials")])
        .await;
    assert_eq!(response.status, 400, "{}", response.text());
    assert_eq!(response.json()["error"], "invalid_request");
    app.db.assert_rows("audit_events", audited).await;
    app.db.assert_rows("rate_limit_events", 0).await;
}
