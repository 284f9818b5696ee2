//! The HTTP contract shared by every resource, exercised through organisations:
//! every error is a problem document, and bad input changes nothing.

use serde_json::json;

use crate::helpers::{
    assert_names_field, assert_search_text_rules, path_of, question_body, spawn_app, spawn_app_with, Request, Settings,
    TestApp,
};

#[actix_web::test]
async fn malformed_json_is_a_400_problem_and_creates_nothing() {
    let app = spawn_app().await;
    for body in [
        &b"{\"name\": "[..],
        b"not json",
        br#"{"name":"A","kind":"panel"} {}"#,
        b"",
    ] {
        let response = app
            .as_admin()
            .post("/api/v1/organisations")
            .body("application/json", body.to_vec())
            .await;
        response.assert_problem(400);
    }
    app.db.assert_rows("organisations", 0).await;
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = spawn_app().await;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let body = br#"{"name":"A","kind":"panel"}"#.to_vec();
        let request = app.as_admin().post("/api/v1/organisations");
        let response = match content_type {
            Some(content_type) => request.body(content_type, body),
            None => request.untyped_body(body),
        }
        .await;
        response.assert_problem(415);
    }
    app.db.assert_rows("organisations", 0).await;
}

#[actix_web::test]
async fn a_body_over_the_limit_is_a_413() {
    let app = spawn_app_with(Settings::default().with("SCRUTINY_BODY_LIMIT", "2048")).await;
    let response = app
        .as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "x".repeat(4000), "kind": "panel"}))
        .await;
    response.assert_problem(413);
    let response = app
        .as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "x".repeat(100), "kind": "panel"}))
        .await;
    assert_eq!(response.status, 201, "a body under the limit is accepted");
}

#[actix_web::test]
async fn invalid_values_are_a_422_naming_each_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"name": "", "kind": "panel"}), "name"),
        (json!({"name": "   ", "kind": "panel"}), "name"),
        (json!({"name": "a\u{0}b", "kind": "panel"}), "name"),
        (json!({"name": "x".repeat(201), "kind": "panel"}), "name"),
        (json!({"name": "A", "kind": "constabulary"}), "kind"),
        (json!({"name": 7, "kind": "panel"}), "name"),
        (json!({"name": "A"}), "body"),
        (json!({"name": "A", "kind": "panel", "colour": "blue"}), "colour"),
        (
            json!({"name": "A", "kind": "panel", "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"}),
            "id",
        ),
        (json!({"name": "A", "kind": "panel", "version": 9}), "version"),
        (json!(["A", "panel"]), "body"),
    ];
    for (body, field) in cases {
        let response = app.as_admin().post("/api/v1/organisations").json(&body).await;
        let problem = response.assert_problem(422);
        assert_names_field(&problem, field, &body);
    }
    app.db.assert_rows("organisations", 0).await;
}

#[actix_web::test]
async fn a_client_cannot_set_server_owned_fields() {
    let app = spawn_app().await;
    let response = app
        .as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "A", "kind": "panel", "created_at": "2020-01-01T00:00:00Z"}))
        .await;
    let problem = response.assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "created_at");
    assert_eq!(
        problem["errors"][0]["message"],
        "is set by the service and cannot be given"
    );
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = spawn_app().await;
    app.anonymous().get("/api/v1/nothing-here").await.assert_problem(404);
    app.anonymous().get("/api/v2/organisations").await.assert_problem(404);
}

#[actix_web::test]
async fn a_malformed_or_unknown_id_is_a_404_problem() {
    let app = spawn_app().await;
    app.anonymous()
        .get("/api/v1/organisations/not-a-uuid")
        .await
        .assert_problem(404);
    app.anonymous()
        .get("/api/v1/organisations/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b")
        .await
        .assert_problem(404);
    let response = app
        .as_admin()
        .patch("/api/v1/organisations/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b")
        .json(&json!({"name": "B"}))
        .await;
    response.assert_problem(404);
}

#[actix_web::test]
async fn an_unsupported_method_is_a_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .send(app.client.delete(app.url("/api/v1/organisations")), None)
        .await;
    response.assert_problem(405);
    assert_eq!(response.header("allow").as_deref(), Some("GET, HEAD, POST"));
    let organisation = app.create_organisation("Panel", "panel").await;
    let path = path_of("organisations", &organisation);
    let response = app.send(app.client.put(app.url(&path)), Some(b"{}".to_vec())).await;
    response.assert_problem(405);
    assert_eq!(response.header("allow").as_deref(), Some("GET, HEAD, PATCH"));
}

#[actix_web::test]
async fn a_duplicate_name_ignoring_case_is_a_409_in_the_apis_words_and_creates_nothing() {
    let app = spawn_app().await;
    for (created, (name, kind, other_spelling)) in [
        ("Staffordshire Police", "force", "STAFFORDSHIRE POLICE"),
        ("Ynys Môn Council", "council", "ynys môn council"),
    ]
    .into_iter()
    .enumerate()
    {
        app.create_organisation(name, kind).await;
        let again = app
            .as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": other_spelling, "kind": kind}))
            .await;
        // The conflict is named as the API would, not as a database constraint.
        let detail = again.assert_problem(409)["detail"].as_str().unwrap().to_string();
        assert!(
            detail.contains("organisation with this name"),
            "{other_spelling}: {detail}"
        );
        assert!(
            !detail.contains("_key") && !detail.contains("organisations_"),
            "{other_spelling}: {detail}"
        );
        app.db.assert_rows("organisations", created as i64 + 1).await;
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_a_sane_one_is_kept() {
    let app = spawn_app().await;
    let response = app.anonymous().get("/api/v1/organisations").await;
    assert!(response.header("x-request-id").is_some_and(|id| id.len() >= 32));
    let response = app
        .anonymous()
        .get("/api/v1/nothing")
        .header("x-request-id", "abc-123")
        .await;
    assert_eq!(response.header("x-request-id").as_deref(), Some("abc-123"));
    let response = app
        .anonymous()
        .get("/api/v1/organisations")
        .header("x-request-id", "bad id\"<>")
        .await;
    assert_ne!(response.header("x-request-id").as_deref(), Some("bad id\"<>"));
}

#[actix_web::test]
async fn a_problem_type_can_be_looked_up() {
    let app = spawn_app().await;
    let problem = app.anonymous().get("/api/v1/nothing").await.json();
    let description = app.anonymous().get(problem["type"].as_str().unwrap()).await;
    assert_eq!(description.status, 200);
    assert_eq!(description.json()["status"], 404);
    app.anonymous()
        .get("/problems/no-such-problem")
        .await
        .assert_problem(404);
}

/// Creating the panel `name` as admin under the idempotency key `key`: the request the
/// idempotency tests send, retry and misuse.
fn create_panel_as_admin<'a>(app: &'a TestApp, key: &str, name: &str) -> Request<'a> {
    app.as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": name, "kind": "panel"}))
        .header("idempotency-key", key)
}

#[actix_web::test]
async fn a_retry_with_the_same_idempotency_key_replays_the_first_response_and_creates_nothing() {
    let app = spawn_app().await;
    let post = |key: &'static str, name: &'static str| create_panel_as_admin(&app, key, name);
    let first = post("key-1", "The Panel").await;
    assert_eq!(first.status, 201);
    let retry = post("key-1", "The Panel").await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.json(), first.json());
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    app.db.assert_rows("organisations", 1).await;
    app.db.assert_audited("organisation.created", 1).await;

    let misuse = post("key-1", "Another Panel").await;
    misuse.assert_invalid("Idempotency-Key");
    let other_key = post("key-2", "Another Panel").await;
    assert_eq!(other_key.status, 201);
    app.db.assert_rows("organisations", 2).await;

    // The same key from another caller is that caller's own.
    let token = app.token(scrutiny::domain::auth::Role::Secretariat, None);
    let theirs = app
        .with_token(&token)
        .post("/api/v1/organisations")
        .json(&json!({"name": "Third Panel", "kind": "panel"}))
        .header("idempotency-key", "key-1")
        .await;
    assert_eq!(theirs.status, 201);
}

#[actix_web::test]
async fn a_refused_request_keeps_nothing_under_its_idempotency_key_and_a_malformed_key_is_refused() {
    let app = spawn_app().await;
    let post = |key: &'static str, name: &'static str| create_panel_as_admin(&app, key, name);
    post("bad-request", "").await.assert_problem(422);
    app.db.assert_rows("idempotency_keys", 0).await;
    // The retry is handled afresh (the refusal again, not a replay of it) ...
    let retry = post("bad-request", "").await;
    retry.assert_problem(422);
    assert_eq!(retry.header("idempotent-replayed"), None);
    // ... and the corrected request may use the same key.
    assert_eq!(post("bad-request", "The Panel").await.status, 201);
    let long: &'static str = Box::leak("k".repeat(300).into_boxed_str());
    post(long, "Another Panel").await.assert_problem(400);
}

#[actix_web::test]
async fn an_error_repeats_little_of_a_huge_input_and_stores_none_of_it() {
    let app = spawn_app().await;
    let name = "f".repeat(60_000);
    let mut body = serde_json::Map::new();
    body.insert(name.clone(), json!(1));
    let refusals = [
        app.anonymous()
            .post("/api/v1/questions")
            .json(&serde_json::Value::Object(body))
            .header("idempotency-key", "huge-field")
            .await,
        app.as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": "The Panel", "kind": name}))
            .header("idempotency-key", "huge-value")
            .await,
        app.anonymous().get(&format!("/api/v1/organisations?{name}=1")).await,
    ];
    for refused in refusals {
        refused.assert_problem(422);
        assert!(refused.text().len() < 2_000, "{} bytes", refused.text().len());
        assert!(
            refused.text().contains(&format!("{}…", "f".repeat(40))),
            "{}",
            refused.text()
        );
    }
    app.db.assert_rows("idempotency_keys", 0).await;
}

#[actix_web::test]
async fn each_caller_keeps_a_bounded_number_of_idempotency_keys_oldest_forgotten_first() {
    let app = spawn_app().await;
    // 150 answered keys of this test's address, the oldest first.
    app.db
        .execute(
            "INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, caller, created_at)
             SELECT 'anonymous:127.0.0.1 POST /api/v1/questions', 'old-' || i, 'h', 201, '', 'anonymous:127.0.0.1',
                    now() - interval '1 hour' + i * interval '1 second'
               FROM generate_series(1, 150) AS i",
        )
        .await;
    let submitted = app
        .anonymous()
        .post("/api/v1/questions")
        .json(&question_body(json!({})))
        .header("idempotency-key", "new")
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.text());
    let kept = "SELECT count(*) AS n FROM idempotency_keys WHERE caller = 'anonymous:127.0.0.1'";
    assert_eq!(app.db.count(kept).await, 100, "the oldest keys are forgotten");
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM idempotency_keys WHERE key IN ('new', 'old-150')")
            .await,
        2,
        "the newest are kept"
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'old-1'")
            .await,
        0,
        "the oldest is forgotten"
    );
}

#[actix_web::test]
async fn an_answer_carrying_a_secret_is_never_stored_and_its_retry_is_sent_to_the_resource() {
    let app = spawn_app().await;
    let create = || {
        app.as_admin()
            .post("/api/v1/clients")
            .json(&json!({"name": "Dashboard", "roles": ["integration"]}))
            .header("idempotency-key", "client-1")
    };
    let created = create().await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.header("cache-control").as_deref(), Some("no-store"));
    let secret = created.json()["client_secret"].as_str().unwrap().to_string();
    assert_eq!(
        app.db
            .count(&format!(
                "SELECT count(*) AS n FROM idempotency_keys WHERE response_body IS NOT NULL OR position('{secret}' in response_headers::text) > 0"
            ))
            .await,
        0,
        "the secret is not kept"
    );
    let retry = create().await;
    assert_eq!(retry.status, 303, "{}", retry.text());
    assert_eq!(retry.header("location"), created.header("location"));
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert!(!retry.text().contains(&secret));
    app.db.assert_rows("api_clients", 1).await;
}

#[actix_web::test]
async fn a_refused_request_does_not_keep_its_idempotency_key() {
    let app = spawn_app().await;
    let force = app.token(scrutiny::domain::auth::Role::Force, None);
    let post = |token: Option<String>, name: &'static str| {
        app.with_optional_token(token.as_deref())
            .post("/api/v1/organisations")
            .json(&json!({"name": name, "kind": "panel"}))
            .header("idempotency-key", "refused-key")
    };
    // Without a token, and with a token lacking the role: refused, whatever the body,
    // and never "already used with a different request".
    post(None, "First").await.assert_problem(401);
    post(None, "Second").await.assert_problem(401);
    post(Some(force.clone()), "First").await.assert_problem(403);
    post(Some(force), "Second").await.assert_problem(403);
    app.db.assert_rows("idempotency_keys", 0).await;
    // The key is still free for the request that is allowed.
    let created = post(Some(app.admin_token.clone()), "Second").await;
    assert_eq!(created.status, 201, "{}", created.text());
}

#[actix_web::test]
async fn nul_characters_in_query_text_are_a_422_not_a_database_error() {
    let app = spawn_app().await;
    let response = app.anonymous().get("/api/v1/organisations?q=a%00b").await;
    response.assert_invalid("q");
}

#[actix_web::test]
async fn search_text_over_200_characters_is_a_422_on_every_list_with_q() {
    let app = spawn_app().await;
    for list in ["/api/v1/organisations", "/api/v1/questions"] {
        assert_search_text_rules(&app.anonymous(), list).await;
    }
}

#[actix_web::test]
async fn cors_answers_preflights_and_exposes_headers_for_configured_origins() {
    let app =
        spawn_app_with(Settings::default().with("SCRUTINY_CORS_ORIGINS", format!("{ORIGIN}, https://panel.example")))
            .await;
    let preflight = app
        .anonymous()
        .request("OPTIONS", "/api/v1/questions")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, idempotency-key, if-match",
        )
        .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text());
    assert_eq!(preflight.header("access-control-allow-origin").as_deref(), Some(ORIGIN));
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
        "if-none-match",
    ] {
        assert!(allowed.contains(name), "{name} not in {allowed}");
    }
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PATCH"));

    let response = app.anonymous().get("/api/v1/questions").header("origin", ORIGIN).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("access-control-allow-origin").as_deref(), Some(ORIGIN));
    let exposed = response
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in ["etag", "link", "location", "retry-after"] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
    // Errors carry the headers too, so a browser can read the problem.
    let missing = app
        .anonymous()
        .get("/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b")
        .header("origin", ORIGIN)
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("access-control-allow-origin").as_deref(), Some(ORIGIN));

    // Another origin: served (CORS is not authentication), but without CORS headers, so
    // a browser withholds the answer from the page; its preflight is refused.
    let response = app
        .anonymous()
        .get("/api/v1/questions")
        .header("origin", "https://evil.example")
        .await;
    assert_eq!(response.status, 200);
    assert!(response.header("access-control-allow-origin").is_none());
    let preflight = app
        .anonymous()
        .request("OPTIONS", "/api/v1/questions")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .await;
    assert!(preflight.status >= 400, "{}", preflight.status);
    assert!(preflight.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = spawn_app().await;
    let response = app.anonymous().get("/api/v1/questions").header("origin", ORIGIN).await;
    assert_eq!(response.status, 200);
    assert!(response
        .headers
        .keys()
        .all(|name| !name.as_str().starts_with("access-control-")));
    let preflight = app
        .anonymous()
        .request("OPTIONS", "/api/v1/questions")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .await;
    assert_eq!(preflight.status, 405);
    assert!(preflight.header("access-control-allow-origin").is_none());
}

const ORIGIN: &str = "https://council.example";

#[actix_web::test]
async fn head_is_answered_wherever_get_is_with_the_same_status_and_headers_and_no_body() {
    let app = spawn_app().await;
    let organisation = app.create_organisation("Staffordshire Police", "force").await;
    let one = path_of("organisations", &organisation);
    for path in [
        "/health/live",
        "/api/v1/organisations",
        one.as_str(),
        "/no/such/path",
        "/api-docs/openapi.json",
        "/swagger-ui/",
        "/feeds/questions.atom",
    ] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let mut head = app
            .client
            .request(awc::http::Method::HEAD, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_ne!(head.status().as_u16(), 405, "HEAD {path}");
        for name in ["content-type", "etag"] {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "{name} of HEAD {path}"
            );
        }
        assert!(head.body().await.unwrap().is_empty(), "HEAD {path} sent a body");
    }
}

#[actix_web::test]
async fn every_response_carries_the_security_headers_swagger_ui_included() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/organisations",
        "/swagger-ui/",
        "/no/such/path",
        "/api-docs/openapi.json",
    ] {
        let response = app.anonymous().get(path).await;
        assert_eq!(
            response.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(response.header("x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert!(
            response
                .header("content-security-policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn link_urls_take_a_forwarded_host_only_from_a_trusted_proxy_and_the_base_url_wins() {
    async fn next_link(app: &crate::helpers::TestApp, headers: &[(&str, &str)]) -> String {
        let response = app
            .anonymous()
            .get("/api/v1/organisations?limit=1")
            .headers(headers)
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.header("link").expect("a next link")
    }
    let forwarded = [
        ("x-forwarded-host", "forged.example"),
        ("x-forwarded-proto", "https"),
        ("forwarded", "host=forged.example;proto=https"),
    ];
    let app = spawn_app().await;
    for name in ["First Council", "Second Council"] {
        app.create_organisation(name, "council").await;
    }
    let link = next_link(&app, &forwarded).await;
    assert!(
        link.starts_with(&format!("<{}/api/v1/organisations?limit=1&cursor=", app.address)),
        "{link}"
    );

    let proxied = spawn_app_with(Settings::default().with("SCRUTINY_TRUSTED_PROXIES", "127.0.0.0/8")).await;
    for name in ["First Council", "Second Council"] {
        proxied.create_organisation(name, "council").await;
    }
    let link = next_link(
        &proxied,
        &[
            ("x-forwarded-host", "api.example.gov.uk"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert!(
        link.starts_with("<https://api.example.gov.uk/api/v1/organisations?limit=1&cursor="),
        "{link}"
    );
    // Not a host: ignored, never written into the header.
    let link = next_link(&proxied, &[("x-forwarded-host", "forged.example>; rel=\"prev\"")]).await;
    assert!(link.starts_with(&format!("<{}/", proxied.address)), "{link}");

    let configured = spawn_app_with(
        Settings::default()
            .with("SCRUTINY_TRUSTED_PROXIES", "127.0.0.0/8")
            .with("SCRUTINY_BASE_URL", "https://scrutiny.example.gov.uk"),
    )
    .await;
    for name in ["First Council", "Second Council"] {
        configured.create_organisation(name, "council").await;
    }
    let link = next_link(&configured, &forwarded).await;
    assert!(
        link.starts_with("<https://scrutiny.example.gov.uk/api/v1/organisations?limit=1&cursor="),
        "{link}"
    );
}
