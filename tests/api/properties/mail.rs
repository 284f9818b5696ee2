//! E-mail notifications, against a real SMTP server the test starts (aiosmtpd): the
//! questioner's message for each outcome of their question, one message per change
//! however many instances share the database and whatever restarts, every message
//! delivered after the relay was down, nothing queued while mail is off, and no address
//! kept once a message is sent.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{spawn_app_on, spawn_app_with, MailSink, Settings, TestApp, TestDb};

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

/// A question asked by `email`.
async fn asked_by(app: &TestApp, email: &str) -> Value {
    app.create_question(json!({"asker_contact": {"email": email}})).await
}

/// The messages to `email`.
fn to<'a>(messages: &'a [Value], email: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == email))
        .collect()
}

fn assert_well_formed(message: &Value) {
    let headers = &message["headers"];
    assert!(
        headers["from"].as_str().unwrap().ends_with("<panel@example.gov.uk>"),
        "{message:#}"
    );
    assert!(headers["message-id"].as_str().unwrap().ends_with("@example.gov.uk>"));
    assert!(headers["content-type"]
        .as_str()
        .unwrap()
        .starts_with("multipart/alternative"));
    let (text, html) = (message["text"].as_str().unwrap(), message["html"].as_str().unwrap());
    assert!(!text.is_empty() && html.contains("<p>"), "{message:#}");
    // No tracking: no images, no scripts, no rewritten links.
    assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
    assert!(text.contains("Staffordshire Police, Fire & Crime Panel"), "{text}");
    assert!(html.contains("Staffordshire Police, Fire &amp; Crime Panel"), "{html}");
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting until {what}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn the_questioner_is_told_when_their_question_is_accepted_rejected_referred_or_answered() {
    let sink = MailSink::start();
    let app = spawn_app_with(sink.settings().with(
        "SCRUTINY_PUBLIC_URL_TEMPLATE",
        "https://panel.example.gov.uk/{type}/{id}",
    ))
    .await;
    let accepted = asked_by(&app, "accepted@example.org").await;
    app.accept_question(&accepted).await;
    let rejected = asked_by(&app, "rejected@example.org").await;
    let response = app
        .as_admin()
        .post(&format!("/api/v1/questions/{}/reject", id(&rejected)))
        .json(&json!({"reason_code": "operational_matter", "reason": "It is a matter for the Chief Constable & his officers."}))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let referred = asked_by(&app, "referred@example.org").await;
    let response = app
        .as_admin()
        .post(&format!("/api/v1/questions/{}/refer", id(&referred)))
        .json(&json!({
            "organisation_id": force["id"],
            "reason_code": "operational_matter",
            "reason": "The front counter's opening hours are for the force to decide."
        }))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let answered = asked_by(&app, "answered@example.org").await;
    app.accept_question(&answered).await;
    let draft = app.create_response(id(&answered), json!({})).await;
    app.publish_response(id(&draft)).await;
    // A question without an address, and a change nobody is told of.
    let anonymous = app.create_question(json!({"asker_contact": null})).await;
    app.accept_question(&anonymous).await;

    let messages = sink.wait_for(5).await;
    for message in &messages {
        assert_well_formed(message);
    }

    let accepted_mail = to(&messages, "accepted@example.org");
    assert_eq!(accepted_mail.len(), 1, "{messages:#?}");
    let reference = accepted["reference"].as_str().unwrap();
    assert_eq!(
        accepted_mail[0]["headers"]["subject"],
        format!("Your question {reference} has been accepted")
    );
    let text = accepted_mail[0]["text"].as_str().unwrap();
    assert!(text.contains(accepted["title"].as_str().unwrap()), "{text}");
    let link = format!("https://panel.example.gov.uk/questions/{}", id(&accepted));
    assert!(text.contains(&link), "{text}");
    assert!(accepted_mail[0]["html"]
        .as_str()
        .unwrap()
        .contains(&format!("<a href=\"{link}\">")));

    let rejected_mail = to(&messages, "rejected@example.org");
    assert_eq!(rejected_mail.len(), 1, "{messages:#?}");
    assert!(rejected_mail[0]["headers"]["subject"]
        .as_str()
        .unwrap()
        .contains("has not been accepted"));
    let text = rejected_mail[0]["text"].as_str().unwrap();
    assert!(
        text.contains("It is a matter for the Chief Constable & his officers."),
        "{text}"
    );
    assert!(
        !text.contains("https://"),
        "a rejected question has no public page: {text}"
    );
    assert!(rejected_mail[0]["html"]
        .as_str()
        .unwrap()
        .contains("Chief Constable &amp; his officers"));

    let referred_mail = to(&messages, "referred@example.org");
    assert_eq!(referred_mail.len(), 1, "{messages:#?}");
    assert_eq!(
        referred_mail[0]["headers"]["subject"],
        format!(
            "Your question {} has been referred to Staffordshire Police",
            referred["reference"].as_str().unwrap()
        )
    );
    assert!(referred_mail[0]["text"]
        .as_str()
        .unwrap()
        .contains("opening hours are for the force"));

    let answered_mail = to(&messages, "answered@example.org");
    let subjects: Vec<&str> = answered_mail
        .iter()
        .map(|m| m["headers"]["subject"].as_str().unwrap())
        .collect();
    let reference = answered["reference"].as_str().unwrap();
    assert_eq!(
        subjects,
        [
            format!("Your question {reference} has been accepted"),
            format!("Your question {reference} has been answered")
        ]
    );
    assert_eq!(
        messages.len(),
        5,
        "nothing for a question without an address: {messages:#?}"
    );

    // Sent messages keep no address; none was ever in the feed or the audit log. The
    // relay has each message a moment before its sender records it as sent.
    let db = &app.db;
    wait_until("every message is recorded as sent, without its address", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent' AND recipient IS NULL")
            .await
            == 5
    })
    .await;
    app.db
        .assert_count("SELECT count(*) AS n FROM mail_outbox WHERE recipient IS NOT NULL", 0)
        .await;
    for table in ["events", "audit_events"] {
        app.db
            .assert_count(
                &format!("SELECT count(*) AS n FROM {table} t WHERE to_jsonb(t)::text LIKE '%@example.org%'"),
                0,
            )
            .await;
    }
    let metrics = app.anonymous().get("/metrics").await.text();
    assert!(
        metrics.contains("scrutiny_mail_messages_total{outcome=\"queued\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("scrutiny_mail_messages_total{outcome=\"sent\"} 5"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn the_questioner_is_told_when_the_written_follow_up_promised_at_the_meeting_is_published() {
    let sink = MailSink::start();
    let app = spawn_app_with(sink.settings().with(
        "SCRUTINY_PUBLIC_URL_TEMPLATE",
        "https://panel.example.gov.uk/{type}/{id}",
    ))
    .await;
    let meeting = app.create_meeting("panel_meeting", "2022-06-16").await;
    let question = asked_by(&app, "promised@example.org").await;
    app.accept_question(&question).await;
    // Answered at the meeting, with figures promised in writing.
    let verbal = app
        .create_response(
            id(&question),
            json!({"kind": "verbal", "meeting_id": meeting["id"], "responded_on": "2022-06-16",
                   "follow_up_due_on": "2022-07-14"}),
        )
        .await;
    app.publish_response(id(&verbal)).await;
    // Another written response, not the one promised: nobody is told of it.
    let other = app
        .create_response(id(&question), json!({"responded_on": "2022-06-20"}))
        .await;
    app.publish_response(id(&other)).await;
    let written = app
        .create_response(
            id(&question),
            json!({"responded_on": "2022-07-01", "follows_up_response_id": verbal["id"]}),
        )
        .await;
    app.publish_response(id(&written)).await;

    let messages = sink.wait_for(3).await;
    for message in &messages {
        assert_well_formed(message);
    }
    let reference = question["reference"].as_str().unwrap();
    let subjects: Vec<&str> = messages
        .iter()
        .map(|m| m["headers"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            format!("Your question {reference} has been accepted"),
            format!("Your question {reference} has been answered"),
            format!("The written follow-up to your question {reference} has been published"),
        ],
        "{messages:#?}"
    );
    let text = messages[2]["text"].as_str().unwrap();
    assert!(text.contains(question["title"].as_str().unwrap()), "{text}");
    let link = format!("https://panel.example.gov.uk/questions/{}", id(&question));
    assert!(text.contains(&link), "the link is to the question: {text}");
    assert_eq!(to(&messages, "promised@example.org").len(), 3);
}

#[actix_web::test]
async fn two_instances_and_a_restart_send_each_message_exactly_once() {
    let sink = MailSink::start();
    let db = TestDb::new().await;
    let first = spawn_app_on(TestDb::reuse(&db), None, sink.settings()).await;
    let second = spawn_app_on(TestDb::reuse(&db), None, sink.settings()).await;
    let mut questions = Vec::new();
    for n in 0..12 {
        let app = if n % 2 == 0 { &first } else { &second };
        questions.push(asked_by(app, &format!("asker{n}@example.org")).await);
    }
    for (n, question) in questions.iter().enumerate().take(6) {
        let app = if n % 2 == 0 { &first } else { &second };
        app.accept_question(question).await;
    }
    // One instance goes away once those are sent (one stopped mid-send leaves its
    // claimed messages to the lease, two minutes), the rest are accepted, and another
    // instance comes up.
    sink.wait_for(6).await;
    // Sent means recorded as sent too: the relay may have a message a moment before
    // its sender records it (stopped in that moment, the lease would send it again).
    wait_until("the first six are recorded as sent", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'")
            .await
            == 6
    })
    .await;
    drop(second);
    for question in &questions[6..9] {
        first.accept_question(question).await;
    }
    let third = spawn_app_on(TestDb::reuse(&db), None, sink.settings()).await;
    for question in &questions[9..] {
        third.accept_question(question).await;
    }
    sink.wait_for(12).await;
    // Time for a second copy to arrive, if any were going to.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let messages = sink.messages();
    let mut recipients: Vec<String> = messages
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    recipients.sort();
    let mut expected: Vec<String> = (0..12).map(|n| format!("asker{n}@example.org")).collect();
    expected.sort();
    assert_eq!(recipients, expected, "each questioner once");
    let mut ids: Vec<&str> = messages
        .iter()
        .map(|m| m["headers"]["message-id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    // The relay has all twelve; each sender records its last as sent just after.
    wait_until("every message is recorded as sent", async || {
        first
            .db
            .count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'")
            .await
            == 12
    })
    .await;
    first
        .db
        .assert_count("SELECT coalesce(sum(attempts), 0)::bigint AS n FROM mail_outbox", 12)
        .await;
    drop((first, third));
    drop(db);
}

#[actix_web::test]
async fn messages_queued_while_the_relay_is_down_are_all_delivered_when_it_returns() {
    let mut sink = MailSink::start();
    sink.stop();
    let app = spawn_app_with(sink.settings().with("SCRUTINY_MAIL_RETRY_BASE_MS", "100")).await;
    for n in 0..3 {
        let question = asked_by(&app, &format!("patient{n}@example.org")).await;
        app.accept_question(&question).await;
    }
    let db = &app.db;
    wait_until("every message has failed once", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending' AND last_error IS NOT NULL")
            .await
            == 3
    })
    .await;
    assert!(sink.messages().is_empty());
    sink.restart();
    let messages = sink.wait_for(3).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 3, "{messages:#?}");
    wait_until("every message is recorded as sent", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'sent'")
            .await
            == 3
    })
    .await;
    let metrics = app.anonymous().get("/metrics").await.text();
    assert!(
        metrics.contains("scrutiny_mail_messages_total{outcome=\"retrying\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("scrutiny_mail_messages_total{outcome=\"sent\"} 3"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn nothing_is_queued_while_mail_is_off() {
    let app = spawn_app_with(Settings::default()).await;
    let question = asked_by(&app, "nobody@example.org").await;
    app.accept_question(&question).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    app.db.assert_rows("mail_outbox", 0).await;
}

/// The `scrutiny` binary serving the API as an operator runs it, logging at debug level
/// (its own messages and every library's) into a file of the test's own, stdout and
/// stderr alike; killed when dropped.
struct LoggedServer {
    child: std::process::Child,
    log: std::path::PathBuf,
    dir: std::path::PathBuf,
    address: String,
}

impl LoggedServer {
    /// Starts `scrutiny serve` on `db` with `env` on top of what the test apps use, in a
    /// directory of its own (so no developer's `.env` is read), and waits until it serves.
    fn start(db: &TestDb, env: &[(&'static str, String)]) -> Self {
        use std::process::{Command, Stdio};
        let dir = std::env::temp_dir().join(format!("scrutiny-log-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("scrutiny.log");
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_scrutiny"));
        command.arg("serve").current_dir(&dir).stdin(Stdio::null());
        for (name, _) in std::env::vars() {
            if name.starts_with("SCRUTINY_") || name.starts_with("DATABASE_") || name.starts_with("RUST_LOG") {
                command.env_remove(&name);
            }
        }
        command
            .env("DATABASE_URL", &db.url)
            .env("SCRUTINY_ADDR", "127.0.0.1:0")
            .env("SCRUTINY_DB_POOL_SIZE", "4")
            .env("SCRUTINY_WORKERS", "1")
            .env("SCRUTINY_JWT_SECRET", crate::helpers::JWT_SECRET)
            .env("RUST_LOG", "debug");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("the scrutiny binary");
        let mut server = LoggedServer {
            child,
            log,
            dir,
            address: String::new(),
        };
        let started = Instant::now();
        server.address = loop {
            let text = server.text();
            if let Some(at) = text.find("serving on http://") {
                let rest = &text[at + "serving on ".len()..];
                break rest[..rest
                    .find('/')
                    .map(|slash| slash + 2 + rest[slash + 2..].find('/').unwrap())
                    .unwrap()]
                    .to_string();
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("scrutiny serve exited ({status}): {text}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "not serving: {text}");
            std::thread::sleep(Duration::from_millis(50));
        };
        server
    }

    /// Everything logged so far.
    fn text(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The ways `text` could show `address`: as written, in any case, its local part alone,
/// and as the list of bytes a `{:?}` of its bytes prints (`[97, 64, …]`), which is how
/// a library's debug log shows a query's parameters.
fn shows(text: &str, address: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let local = address.split('@').next().unwrap();
    let bytes = |s: &str| format!("{:?}", s.as_bytes()).trim_matches(['[', ']']).to_string();
    if lower.contains(&address.to_lowercase()) {
        Some("the address")
    } else if lower.contains(&local.to_lowercase()) {
        Some("its local part")
    } else if text.contains(&bytes(address)) || text.contains(&bytes(local)) {
        Some("its bytes")
    } else {
        None
    }
}

#[actix_web::test]
async fn no_address_is_ever_logged_even_at_debug_level() {
    let mut sink = MailSink::start();
    const BASE: &str = "https://scrutiny.example.gov.uk";
    // The app the test's helpers drive is the binary: the in-process app on the same
    // database only lends them its client and token (it sends no mail).
    let mut app = spawn_app_with(Settings::default()).await;
    let mut env = sink.settings().env;
    env.push(("SCRUTINY_BASE_URL", BASE.into()));
    env.push(("SCRUTINY_MAIL_RETRY_BASE_MS", "100".into()));
    let server = LoggedServer::start(&app.db, &env);
    app.address = server.address.clone();
    let (asker, follower, refused) = (
        "asker.private@example.org",
        "follower.private@example.org",
        "refused.private@example.org",
    );
    let messages_to = |sink: &MailSink, email: &str| {
        sink.messages()
            .into_iter()
            .filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == email))
            .collect::<Vec<_>>()
    };
    async fn wait_for_mail(sink: &MailSink, n: usize, count: impl Fn(&MailSink) -> usize) {
        let started = Instant::now();
        while count(sink) < n {
            assert!(started.elapsed() < Duration::from_secs(60), "no message");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // A questioner with an address, told their question was accepted.
    let question = asked_by(&app, asker).await;
    app.accept_question(&question).await;
    wait_for_mail(&sink, 1, |sink| messages_to(sink, asker).len()).await;

    // A follower: subscribes, opens the link's page, confirms with its button, is told
    // of a change, and of another while the relay is down (retried), then unsubscribes.
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R1", &force).await;
    let action = app.create_action("M-1", &[&recommendation], &force, "2199-01-01").await;
    let follow = |email: &'static str| {
        let app = &app;
        let action = &action;
        async move {
            let response = app
                .anonymous()
                .post("/api/v1/subscriptions")
                .json(&json!({"email": email, "action_id": action["id"]}))
                .await;
            assert_eq!(response.status, 202, "{}", response.text());
        }
    };
    follow(follower).await;
    wait_for_mail(&sink, 1, |sink| messages_to(sink, follower).len()).await;
    let text = messages_to(&sink, follower)[0]["text"].as_str().unwrap().to_string();
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/subscriptions/confirm?token="))
        .unwrap()
        .strip_prefix(BASE)
        .unwrap()
        .to_string();
    let page = app.anonymous().get(&link).header("accept", "text/html").await;
    assert_eq!(page.status, 200);
    let token = link.split("token=").nth(1).unwrap();
    let confirmed = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .header("accept", "text/html")
        .form(&[("token", token)])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let update = json!({"reported_on": "2022-07-14", "author": {"name": "A", "position": "P"}, "body": "Started."});
    let updates = format!("{}/updates", crate::helpers::path_of("actions", &action));
    assert_eq!(app.as_admin().post(&updates).json(&update).await.status, 201);
    wait_for_mail(&sink, 2, |sink| messages_to(sink, follower).len()).await;
    sink.stop();
    assert_eq!(app.as_admin().post(&updates).json(&update).await.status, 201);
    let db = &app.db;
    wait_until("a message has failed while the relay is down", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'pending' AND last_error IS NOT NULL")
            .await
            > 0
    })
    .await;
    sink.restart();
    wait_for_mail(&sink, 3, |sink| messages_to(sink, follower).len()).await;
    let unsubscribe = messages_to(&sink, follower)[2]["headers"]["list-unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .strip_prefix(BASE)
        .unwrap()
        .to_string();
    let stopped = app
        .anonymous()
        .post(&unsubscribe)
        .body("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
        .await;
    assert_eq!(stopped.status, 204, "{}", stopped.text());

    // An address the relay refuses for good (quoting it in its answer).
    follow(refused).await;
    wait_until("the refused message is given up", async || {
        db.count("SELECT count(*) AS n FROM mail_outbox WHERE status = 'failed'")
            .await
            > 0
    })
    .await;

    // The log holds what happened, at debug level, and no address in any form.
    let log = server.text();
    assert!(log.contains("DEBUG scrutiny::mail"), "logging at debug level: {log}");
    assert!(log.contains("to be tried again"), "the retry is logged: {log}");
    assert!(log.contains("POST /api/v1/subscriptions/confirm 200"), "{log}");
    assert!(log.contains("given up"), "the refused message is logged: {log}");
    for address in [asker, follower, refused] {
        if let Some(what) = shows(&log, address) {
            let line = log
                .lines()
                .find(|line| shows(line, address).is_some())
                .unwrap_or_default();
            panic!("{what} of {address} is in the log: {line}");
        }
    }
    // Nor in what the outbox keeps of the failure.
    db.assert_count(
        "SELECT count(*) AS n FROM mail_outbox WHERE last_error ILIKE '%private%'",
        0,
    )
    .await;
}
