//! Webhooks: subscriptions, Standard Webhooks signatures checked with the reference
//! library, retries after the receiver was down, giving up and redelivering, delivery
//! after a restart, exactly one sender across instances, a slow receiver holding up no
//! one else, and private targets refused.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

use crate::helpers::{path_of, spawn_app, spawn_app_on, spawn_app_with, Settings, TestApp, TestDb};
use scrutiny::domain::auth::Role;

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_string()
    }
}

/// A webhook receiver on loopback that records what it gets (as it arrives) and answers
/// `status` after `delay_ms`.
struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start() -> Self {
        Self::start_on(0).await
    }

    async fn start_on(port: u16) -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(204));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (log, answer, delay) = (received.clone(), status.clone(), delay_ms.clone());
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let (log, answer, delay) = (log.clone(), answer.clone(), delay.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (log, answer, delay) = (log.clone(), answer.clone(), delay.clone());
                async move {
                    let mut headers = http::HeaderMap::new();
                    for (name, value) in req.headers() {
                        headers.insert(
                            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                        );
                    }
                    log.lock().unwrap().push(Received {
                        headers,
                        body: body.to_vec(),
                    });
                    let delay = delay.load(Ordering::SeqCst);
                    if delay > 0 {
                        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
                    }
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap())
                        .finish()
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            port,
            received,
            status,
            delay_ms,
            server: handle,
        }
    }

    /// A port nothing listens on (yet): a receiver that is down.
    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}/hooks/scrutiny")
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived, and returns them all. The bound is
    /// generous: one subscription's deliveries go one at a time, and on a loaded two-core
    /// machine forty of them have taken over 20 s; it bounds a hang, not speed.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the receiver got {} of {n} deliveries",
                received.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl TestApp {
    /// Subscribes `url` to `event_types` with `token`, and returns the answer (with its secret).
    async fn create_webhook(&self, token: &str, url: &str, event_types: &[&str]) -> Value {
        let response = self
            .with_token(token)
            .post("/api/v1/webhooks")
            .json(&json!({"url": url, "event_types": event_types}))
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }

    async fn deliveries(&self, webhook: &Value) -> Vec<Value> {
        let path = format!(
            "/api/v1/webhooks/{}/deliveries?limit=100",
            webhook["id"].as_str().unwrap()
        );
        let response = self.as_admin().get(&path).await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()["items"].as_array().unwrap().clone()
    }

    /// Waits until the webhook's deliveries satisfy `done`, and returns them.
    async fn wait_for_deliveries(&self, webhook: &Value, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let deliveries = self.deliveries(webhook).await;
            if done(&deliveries) {
                return deliveries;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "deliveries never got there: {deliveries:#?}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn verifier(webhook: &Value) -> standardwebhooks::Webhook {
    standardwebhooks::Webhook::new(webhook["secret"].as_str().unwrap()).unwrap()
}

#[actix_web::test]
async fn deliveries_are_signed_as_standard_webhooks_and_carry_the_feed_event() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let admin = app.token(Role::Admin, None);
    let webhook = app
        .create_webhook(&admin, &Receiver::url(receiver.port), &["question.*"])
        .await;
    assert!(webhook["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(webhook["payload_view"], "staff");
    // An organisation is not a question: not delivered. The question's creation and its
    // acceptance are.
    app.create_organisation("Somewhere Council", "council").await;
    let question = app.create_public_question().await;

    let mut received = receiver.wait_for(2).await;
    // Deliveries may arrive in any order; the feed position orders them.
    received.sort_by_key(|m| m.json()["data"]["id"].as_i64());
    let verifier = verifier(&webhook);
    let mut types = Vec::new();
    for message in &received {
        verifier
            .verify(&message.body, &message.headers)
            .expect("the reference implementation accepts the signature");
        assert_eq!(message.header("content-type"), "application/json");
        let body = message.json();
        assert_eq!(body["data"]["resource_id"], question["id"]);
        assert_eq!(body["type"], body["data"]["type"]);
        types.push(body["type"].as_str().unwrap().to_string());
    }
    assert_eq!(types, ["question.created", "question.accepted"]);
    // A tampered body does not verify.
    let mut tampered = received[0].body.clone();
    tampered.push(b' ');
    assert!(verifier.verify(&tampered, &received[0].headers).is_err());

    // The payload's data is the feed's event, exactly.
    let feed = app
        .anonymous()
        .get("/api/v1/events?resource_type=question")
        .await
        .json();
    let accepted = received[1].json();
    let from_feed = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["id"] == accepted["data"]["id"])
        .unwrap()
        .clone();
    assert_eq!(accepted["data"], from_feed);

    let deliveries = app
        .wait_for_deliveries(&webhook, |d| {
            d.len() == 2 && d.iter().all(|d| d["status"] == "succeeded")
        })
        .await;
    for delivery in &deliveries {
        assert_eq!(delivery["attempt_count"], 1);
        assert_eq!(delivery["attempts"][0]["status_code"], 204);
        assert!(delivery["next_attempt_at"].is_null());
        let message = received
            .iter()
            .find(|m| m.header("webhook-id") == delivery["id"].as_str().unwrap())
            .expect("webhook-id is the delivery's id");
        assert_eq!(message.json(), delivery["payload"]);
    }
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn a_receiver_that_was_down_gets_the_delivery_on_a_retry_with_the_same_id() {
    let app = spawn_app_with(Settings::default().with("SCRUTINY_WEBHOOK_RETRY_BASE_MS", "200")).await;
    let port = Receiver::free_port();
    let webhook = app
        .create_webhook(&app.admin_token, &Receiver::url(port), &["organisation.created"])
        .await;
    app.create_organisation("Somewhere Council", "council").await;
    let failing = app
        .wait_for_deliveries(&webhook, |d| {
            d.len() == 1 && d[0]["attempts"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(failing[0]["status"], "pending");
    assert!(failing[0]["attempts"][0]["status_code"].is_null());
    assert!(!failing[0]["attempts"][0]["error"].as_str().unwrap().is_empty());
    assert!(failing[0]["next_attempt_at"].is_string());

    let receiver = Receiver::start_on(port).await;
    let received = receiver.wait_for(1).await;
    verifier(&webhook)
        .verify(&received[0].body, &received[0].headers)
        .unwrap();
    assert_eq!(received[0].header("webhook-id"), failing[0]["id"].as_str().unwrap());
    let delivered = app
        .wait_for_deliveries(&webhook, |d| d[0]["status"] == "succeeded")
        .await;
    let attempts = delivered[0]["attempts"].as_array().unwrap();
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert_eq!(attempts.last().unwrap()["status_code"], 204);
    assert!(attempts[..attempts.len() - 1]
        .iter()
        .all(|a| a["status_code"].is_null()));
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn a_delivery_gives_up_after_its_retry_window_and_can_be_redelivered() {
    let app = spawn_app_with(
        Settings::default()
            .with("SCRUTINY_WEBHOOK_RETRY_BASE_MS", "100")
            .with("SCRUTINY_WEBHOOK_RETRY_WINDOW_SECS", "1"),
    )
    .await;
    let receiver = Receiver::start().await;
    receiver.status.store(503, Ordering::SeqCst);
    let webhook = app
        .create_webhook(&app.admin_token, &Receiver::url(receiver.port), &["organisation.*"])
        .await;
    app.create_organisation("Somewhere Council", "council").await;
    let failed = app
        .wait_for_deliveries(&webhook, |d| d.len() == 1 && d[0]["status"] == "failed")
        .await;
    let attempts = failed[0]["attempts"].as_array().unwrap();
    assert!(attempts.len() >= 2, "retried before giving up: {attempts:?}");
    assert!(attempts.iter().all(|a| a["status_code"] == 503));
    assert_eq!(failed[0]["last_error"], "the receiver answered 503");
    let failed_path = format!(
        "/api/v1/webhooks/{}/deliveries?status=failed",
        webhook["id"].as_str().unwrap()
    );
    let failed_filter = app.as_admin().get(&failed_path).await.json();
    assert_eq!(failed_filter["items"].as_array().unwrap().len(), 1);

    receiver.status.store(200, Ordering::SeqCst);
    let before = receiver.received().len();
    let redelivered = app
        .as_admin()
        .post(&format!(
            "/api/v1/webhooks/{}/deliveries/{}/redeliver",
            webhook["id"].as_str().unwrap(),
            failed[0]["id"].as_str().unwrap()
        ))
        .json(&Value::Null)
        .await;
    assert_eq!(redelivered.status, 202, "{}", redelivered.text());
    assert_eq!(redelivered.json()["status"], "pending");
    let received = receiver.wait_for(before + 1).await;
    assert_eq!(
        received.last().unwrap().header("webhook-id"),
        failed[0]["id"].as_str().unwrap()
    );
    app.wait_for_deliveries(&webhook, |d| d[0]["status"] == "succeeded")
        .await;
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn deliveries_survive_a_restart_of_the_service() {
    let first = spawn_app().await;
    let port = Receiver::free_port();
    let webhook = first
        .create_webhook(&first.admin_token, &Receiver::url(port), &["organisation.created"])
        .await;
    first.create_organisation("Before The Restart", "council").await;
    // The receiver is down: the delivery exists and has failed once when the service stops.
    first
        .wait_for_deliveries(&webhook, |d| {
            d.len() == 1 && d[0]["attempts"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    first.server.stop(true).await;

    let receiver = Receiver::start_on(port).await;
    let second = spawn_app_on(
        TestDb::reuse(&first.db),
        None,
        Settings::default().with("SCRUTINY_WEBHOOK_RETRY_BASE_MS", "100"),
    )
    .await;
    // The first attempt's backoff (5 s by default, half of it fixed) was set by the
    // first instance; the second honours it, then delivers.
    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].json()["data"]["snapshot"]["name"], "Before The Restart");
    second
        .wait_for_deliveries(&webhook, |d| d[0]["status"] == "succeeded")
        .await;
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn two_instances_sharing_the_database_send_each_delivery_exactly_once() {
    let first = spawn_app().await;
    let second = spawn_app_on(TestDb::reuse(&first.db), None, Settings::default()).await;
    let receiver = Receiver::start().await;
    let _webhook = first
        .create_webhook(
            &first.admin_token,
            &Receiver::url(receiver.port),
            &["organisation.created"],
        )
        .await;
    const WRITES: usize = 40;
    let writes = (0..WRITES).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        async move { app.create_organisation(&format!("Council {i}"), "council").await }
    });
    futures_util::future::join_all(writes).await;
    receiver.wait_for(WRITES).await;
    // Give a duplicate, if there were one, time to arrive.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let received = receiver.received();
    let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
    for message in &received {
        *per_id.entry(message.header("webhook-id")).or_default() += 1;
    }
    assert_eq!(received.len(), WRITES, "{per_id:?}");
    assert!(per_id.values().all(|n| *n == 1), "{per_id:?}");
    let mut names: Vec<String> = received
        .iter()
        .map(|m| m.json()["data"]["snapshot"]["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), WRITES);
    assert_eq!(
        first.db.count("SELECT count(*) AS n FROM webhook_deliveries").await,
        WRITES as i64
    );
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn a_slow_receiver_holds_up_only_its_own_deliveries() {
    // The slow receiver answers after 30 s and the service waits 25 s for it: far longer
    // than the bounds below, so the test cannot pass by the slow send ending in time.
    let app = spawn_app_with(Settings::default().with("SCRUTINY_WEBHOOK_TIMEOUT_MS", "25000")).await;
    let slow = Receiver::start().await;
    slow.delay_ms.store(30_000, Ordering::SeqCst);
    let fast = Receiver::start().await;
    for receiver in [&slow, &fast] {
        app.create_webhook(
            &app.admin_token,
            &Receiver::url(receiver.port),
            &["organisation.created"],
        )
        .await;
    }
    app.create_organisation("First Council", "council").await;
    // Both get the first event; the slow one is now stuck answering it.
    slow.wait_for(1).await;
    fast.wait_for(1).await;

    let started = Instant::now();
    for name in ["Second Council", "Third Council", "Fourth Council"] {
        app.create_organisation(name, "council").await;
    }
    let received = fast.wait_for(4).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(10),
        "the fast receiver waited {waited:?} for deliveries the slow one held up"
    );
    // One subscription's deliveries go one at a time, in feed order.
    let positions: Vec<i64> = received
        .iter()
        .map(|m| m.json()["data"]["id"].as_i64().unwrap())
        .collect();
    assert!(positions.is_sorted(), "{positions:?}");
    let names: Vec<String> = received
        .iter()
        .map(|m| m.json()["data"]["snapshot"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["First Council", "Second Council", "Third Council", "Fourth Council"]
    );
    // The slow receiver still has only its first delivery: the others wait their turn
    // rather than piling onto a receiver that has not answered.
    assert_eq!(slow.received().len(), 1);
    fast.server.stop(false).await;
    slow.server.stop(false).await;
}

#[actix_web::test]
async fn the_number_of_sends_at_once_is_bounded_by_the_concurrency_setting() {
    // With one slot, a slow receiver does hold up the rest: the bound is real, and is
    // what SCRUTINY_WEBHOOK_CONCURRENCY sizes.
    let app = spawn_app_with(
        Settings::default()
            .with("SCRUTINY_WEBHOOK_TIMEOUT_MS", "3000")
            .with("SCRUTINY_WEBHOOK_CONCURRENCY", "1"),
    )
    .await;
    let slow = Receiver::start().await;
    slow.delay_ms.store(30_000, Ordering::SeqCst);
    let slow_hook = app
        .create_webhook(&app.admin_token, &Receiver::url(slow.port), &["organisation.created"])
        .await;
    app.create_organisation("First Council", "council").await;
    slow.wait_for(1).await;
    let fast = Receiver::start().await;
    app.create_webhook(&app.admin_token, &Receiver::url(fast.port), &["organisation.created"])
        .await;
    app.create_organisation("Second Council", "council").await;
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        fast.received().is_empty(),
        "the one slot was taken, yet a second send went"
    );
    // When the slow send times out, its slot goes to the waiting delivery.
    fast.wait_for(1).await;
    app.wait_for_deliveries(&slow_hook, |d| {
        d.iter()
            .any(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty()))
    })
    .await;
    fast.server.stop(false).await;
    slow.server.stop(false).await;
}

#[actix_web::test]
async fn an_integration_system_manages_its_own_webhooks_and_receives_public_events_only() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let integration = app.token(Role::Integration, None);
    let mine = app
        .create_webhook(&integration, &Receiver::url(receiver.port), &["question.*"])
        .await;
    assert_eq!(mine["payload_view"], "public");
    let theirs = app
        .create_webhook(&app.admin_token, "http://127.0.0.1:1/other", &[])
        .await;
    // The integration system sees its own only; the admin sees both.
    let listed = app.with_token(&integration).get("/api/v1/webhooks").await.json();
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|w| &w["id"]).collect();
    assert_eq!(ids, [&mine["id"]]);
    assert!(
        listed["items"][0].get("secret").is_none(),
        "the secret is shown once only"
    );
    let path = path_of("webhooks", &theirs);
    app.with_token(&integration).get(&path).await.assert_problem(404);
    app.with_token(&integration).delete(&path).await.assert_problem(404);
    let all = app.as_admin().get("/api/v1/webhooks").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    // A submitted question is not public: only its acceptance reaches the integration
    // system, with the public representation (no contact details).
    let question = app.create_public_question().await;
    let received = receiver.wait_for(1).await;
    actix_web::rt::time::sleep(Duration::from_millis(800)).await;
    let received_now = receiver.received();
    assert_eq!(
        received_now.len(),
        1,
        "{:?}",
        received_now.iter().map(Received::json).collect::<Vec<_>>()
    );
    let body = received[0].json();
    assert_eq!(body["type"], "question.accepted");
    assert_eq!(body["data"]["snapshot"]["id"], question["id"]);
    assert!(body["data"]["snapshot"]
        .get("asker")
        .is_none_or(|a| a.get("email").is_none()));
    assert!(!String::from_utf8_lossy(&received[0].body).contains("resident@example.org"));

    // Paused, it receives nothing; its secret rotates; deleted, it is gone.
    let mine_path = path_of("webhooks", &mine);
    let paused = app
        .with_token(&integration)
        .patch(&mine_path)
        .json(&json!({"is_active": false}))
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text());
    assert_eq!(paused.json()["version"], 2);
    let rotated = app
        .with_token(&integration)
        .post(&format!("{mine_path}/rotate-secret"))
        .await;
    assert_eq!(rotated.status, 200);
    assert_ne!(rotated.json()["secret"], mine["secret"]);
    let deleted = app.with_token(&integration).delete(&mine_path).await;
    assert_eq!(deleted.status, 204);
    app.with_token(&integration).get(&mine_path).await.assert_problem(404);
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn bad_subscriptions_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with(Settings::default().with("SCRUTINY_WEBHOOK_ALLOW_PRIVATE", "false")).await;
    for (body, field) in [
        (json!({"url": "http://127.0.0.1:8080/hook"}), "url"),
        (json!({"url": "http://169.254.169.254/latest/meta-data"}), "url"),
        (json!({"url": "http://localhost/hook"}), "url"),
        (json!({"url": "http://[::1]/hook"}), "url"),
        // IPv6 forms that carry a private IPv4 address inside.
        (json!({"url": "http://[2002:a00:1::1]/hook"}), "url"),
        (
            json!({"url": "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook"}),
            "url",
        ),
        (json!({"url": "http://[::ffff:0:a9fe:a9fe]/hook"}), "url"),
        (json!({"url": "ftp://council.example/hook"}), "url"),
        (json!({"url": "https://user:pass@council.example/hook"}), "url"),
        (
            json!({"url": "https://council.example/hook", "event_types": ["user.created"]}),
            "event_types[0]",
        ),
        (
            json!({"url": "https://council.example/hook", "event_types": ["question.*", "question.*"]}),
            "event_types[1]",
        ),
        (
            json!({"url": "https://council.example/hook", "description": ""}),
            "description",
        ),
    ] {
        let problem = app
            .as_admin()
            .post("/api/v1/webhooks")
            .json(&body)
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let unknown = app
        .as_admin()
        .post("/api/v1/webhooks")
        .json(&json!({"url": "https://council.example/hook", "secret": "mine"}))
        .await;
    unknown.assert_problem(422);
    app.db.assert_rows("webhooks", 0).await;

    let created = app
        .as_admin()
        .post("/api/v1/webhooks")
        .json(&json!({"url": "https://hooks.council.example/scrutiny", "is_active": false}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let path = created.header("location").unwrap();
    let refused = app
        .as_admin()
        .patch(&path)
        .json(&json!({"url": "http://10.0.0.5/", "description": "", "event_types": ["nothing"]}))
        .await;
    // Every invalid field is named at once.
    let fields: Vec<Value> = refused.assert_problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, [json!("url"), json!("description"), json!("event_types[0]")]);
    let stale = app
        .as_admin()
        .patch(&path)
        .body("application/json", r#"{"description": "x"}"#)
        .header("if-match", "\"999\"")
        .await;
    stale.assert_problem(412);
    let unchanged = app.as_admin().get(&path).await.json();
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["url"], "https://hooks.council.example/scrutiny");
}
