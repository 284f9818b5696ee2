//! Following by e-mail, against a real SMTP server the test starts (aiosmtpd): double
//! opt-in, confirmation links that work once, one-click unsubscribe (RFC 8058) that
//! deletes the address, one message per change and subscriber, the daily digest, the
//! sweep of unconfirmed subscriptions, the limits, bad input, and no address in any
//! public representation.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{path_of, spawn_app, spawn_app_with, urlencode, MailSink, TestApp};

const BASE: &str = "https://scrutiny.example.gov.uk";

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

async fn app_with_mail(sink: &MailSink) -> TestApp {
    spawn_app_with(sink.settings().with("SCRUTINY_BASE_URL", BASE)).await
}

/// The messages to `email`.
fn to(messages: &[Value], email: &str) -> Vec<Value> {
    messages
        .iter()
        .filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == email))
        .cloned()
        .collect()
}

/// Asks for `email` to follow `field` = `resource`, and expects 202.
async fn subscribe(app: &TestApp, email: &str, field: &str, resource: &Value, digest: &str) {
    let response = app
        .anonymous()
        .post("/api/v1/subscriptions")
        .json(&json!({"email": email, field: resource["id"], "digest": digest}))
        .await;
    assert_eq!(response.status, 202, "{}", response.text());
}

/// The token in `text` after `marker`.
fn token_after(text: &str, marker: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("no {marker} in {text}")) + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The confirmation token in the latest confirmation message to `email`.
async fn confirmation_token(sink: &MailSink, email: &str) -> String {
    confirmation_token_after(sink, email, 0).await
}

/// The confirmation token in the `skip + 1`-th confirmation message to `email`.
async fn confirmation_token_after(sink: &MailSink, email: &str, skip: usize) -> String {
    let started = std::time::Instant::now();
    loop {
        let confirmations: Vec<Value> = to(&sink.messages(), email)
            .into_iter()
            .filter(|m| m["headers"]["subject"].as_str().unwrap().starts_with("Please confirm"))
            .collect();
        if let Some(message) = confirmations.get(skip) {
            return token_after(message["text"].as_str().unwrap(), "subscriptions/confirm?token=");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no confirmation to {email}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn confirm(app: &TestApp, token: &str) -> crate::helpers::TestResponse {
    app.anonymous()
        .post("/api/v1/subscriptions/confirm")
        .json(&json!({"token": token}))
        .await
}

/// Subscribes and confirms.
async fn follow(app: &TestApp, sink: &MailSink, email: &str, field: &str, resource: &Value, digest: &str) {
    let before = to(&sink.messages(), email)
        .iter()
        .filter(|m| m["headers"]["subject"].as_str().unwrap().starts_with("Please confirm"))
        .count();
    subscribe(app, email, field, resource, digest).await;
    let token = confirmation_token_after(sink, email, before).await;
    let response = confirm(app, &token).await;
    assert_eq!(response.status, 200, "{}", response.text());
}

/// Waits until `email` has `n` messages, then a little longer for any extra one.
async fn wait_for_mail_to(sink: &MailSink, email: &str, n: usize) -> Vec<Value> {
    let started = std::time::Instant::now();
    while to(&sink.messages(), email).len() < n {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "expected {n} messages to {email}: {:#?}",
            to(&sink.messages(), email)
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    to(&sink.messages(), email)
}

async fn post_update(app: &TestApp, action: &Value, body: &str) {
    let response = app
        .as_admin()
        .post(&format!("{}/updates", path_of("actions", action)))
        .json(&json!({"reported_on": "2022-07-14", "author": {"name": "A", "position": "P"}, "body": body}))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
}

/// An action on a recommendation of a report, in a programme.
struct Chain {
    report: Value,
    programme: Value,
    action: Value,
}

async fn chain(app: &TestApp) -> Chain {
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let report = app.create_report(&force, &force, "2022-04-07").await;
    let recommendation = app.create_recommendation(&report, "R1", &force).await;
    let programme = app.create_programme(&force, &[&report]).await;
    let action = app
        .create_action_in(&programme, "M-1", &[&recommendation], &force, "2199-01-01")
        .await;
    Chain {
        report,
        programme,
        action,
    }
}

/// The path and query of an absolute URL of the app.
fn local(url: &str) -> String {
    url.trim_start_matches('<')
        .trim_end_matches('>')
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"))
        .to_string()
}

#[actix_web::test]
async fn nothing_but_the_confirmation_is_sent_before_confirming_and_a_link_confirms_once() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    subscribe(&app, "follower@example.org", "action_id", &action, "immediate").await;
    let messages = wait_for_mail_to(&sink, "follower@example.org", 1).await;
    let confirmation = &messages[0];
    assert!(confirmation["headers"]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Please confirm"));
    let text = confirmation["text"].as_str().unwrap();
    assert!(text.contains("M-1") && text.contains("7 days"), "{text}");
    assert!(confirmation["headers"]["list-unsubscribe"]
        .as_str()
        .unwrap()
        .starts_with(&format!("<{BASE}/api/v1/subscriptions/unsubscribe?token=")));
    assert_eq!(
        confirmation["headers"]["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    // Only hashes are stored.
    let token = token_after(text, "subscriptions/confirm?token=");
    assert_eq!(token.len(), 43);
    app.db
        .assert_count(
            &format!(
                "SELECT count(*) AS n FROM subscriptions s WHERE confirmed_at IS NULL AND length(confirm_token_hash) = 64 \
                 AND to_jsonb(s)::text NOT LIKE '%{token}%'"
            ),
            1,
        )
        .await;
    // Changes before confirming: nothing sent.
    post_update(&app, &action, "Audit started.").await;
    let messages = wait_for_mail_to(&sink, "follower@example.org", 1).await;
    assert_eq!(messages.len(), 1, "{messages:#?}");

    let confirmed = confirm(&app, &token).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(
        confirmed.json(),
        json!({"resource_type": "action", "resource_id": action["id"], "digest": "immediate"})
    );
    let replayed = confirm(&app, &token).await;
    let problem = replayed.assert_problem(404);
    let unknown = confirm(&app, &"A".repeat(43)).await.assert_problem(404);
    assert_eq!(problem["detail"], unknown["detail"], "no hint which");

    post_update(&app, &action, "Half the referrals audited.").await;
    let messages = wait_for_mail_to(&sink, "follower@example.org", 2).await;
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let news = &messages[1];
    assert_eq!(news["headers"]["subject"], "New progress update on action M-1");
    let text = news["text"].as_str().unwrap();
    assert!(text.contains("Half the referrals audited."), "{text}");
    let header = news["headers"]["list-unsubscribe"].as_str().unwrap();
    assert!(
        text.contains(header.trim_matches(['<', '>'])),
        "the link is in the body too: {text}"
    );
    assert_eq!(news["headers"]["list-unsubscribe-post"], "List-Unsubscribe=One-Click");
    // Sent messages keep neither the address nor the links' tokens.
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM mail_outbox WHERE subscription_id IS NOT NULL \
             AND (recipient IS NOT NULL OR list_unsubscribe IS NOT NULL OR body_text <> '')",
            0,
        )
        .await;
}

#[actix_web::test]
async fn one_click_unsubscribe_deletes_the_address_and_stops_the_mail() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    follow(&app, &sink, "leaving@example.org", "action_id", &action, "immediate").await;
    post_update(&app, &action, "Started.").await;
    let messages = wait_for_mail_to(&sink, "leaving@example.org", 2).await;
    let url = messages[1]["headers"]["list-unsubscribe"].as_str().unwrap().to_string();
    // What a mail client sends (RFC 8058).
    let response = app
        .anonymous()
        .post(&local(&url))
        .body("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    app.db.assert_rows("subscriptions", 0).await;
    app.db.assert_rows("subscription_unsubscribe_tokens", 0).await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM mail_outbox WHERE recipient = 'leaving@example.org'",
            0,
        )
        .await;
    let again = app
        .anonymous()
        .post(&local(&url))
        .body("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
        .await;
    again.assert_problem(404);
    // The confirmation's link leads nowhere now either.
    let first = messages[0]["headers"]["list-unsubscribe"].as_str().unwrap();
    app.anonymous().post(&local(first)).await.assert_problem(404);

    post_update(&app, &action, "Finished.").await;
    let messages = wait_for_mail_to(&sink, "leaving@example.org", 2).await;
    assert_eq!(messages.len(), 2, "nothing after unsubscribing: {messages:#?}");
}

#[actix_web::test]
async fn each_change_is_told_once_to_each_follower_of_what_it_concerns() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain {
        report,
        programme,
        action,
    } = chain(&app).await;
    let question = app.create_public_question().await;
    follow(
        &app,
        &sink,
        "question@example.org",
        "question_id",
        &question,
        "immediate",
    )
    .await;
    follow(&app, &sink, "action@example.org", "action_id", &action, "immediate").await;
    follow(
        &app,
        &sink,
        "programme@example.org",
        "programme_id",
        &programme,
        "immediate",
    )
    .await;
    follow(&app, &sink, "report@example.org", "report_id", &report, "immediate").await;
    // Following the action and its programme: told once.
    follow(&app, &sink, "both@example.org", "action_id", &action, "immediate").await;
    follow(&app, &sink, "both@example.org", "programme_id", &programme, "immediate").await;

    // A question answered, then its answer corrected.
    let response = app.create_response(id(&question), json!({})).await;
    app.publish_response(id(&response)).await;
    let corrected = app
        .as_admin()
        .patch(&format!("/api/v1/responses/{}", id(&response)))
        .json(&json!({"body": "The programme started in May.", "correction_note": "The month was wrong."}))
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text());
    // An action moved, updated, and (a new due date in the past) overdue.
    let path = path_of("actions", &action);
    let moved = app
        .as_admin()
        .patch(&path)
        .json(&json!({"status": "in_progress"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    post_update(&app, &action, "A third of the referrals audited.").await;
    let overdue = app.as_admin().patch(&path).json(&json!({"due_on": "2023-01-31"})).await;
    assert_eq!(overdue.status, 200, "{}", overdue.text());

    let question_mail = wait_for_mail_to(&sink, "question@example.org", 3).await;
    let subjects: Vec<&str> = question_mail[1..]
        .iter()
        .map(|m| m["headers"]["subject"].as_str().unwrap())
        .collect();
    let reference = question["reference"].as_str().unwrap();
    assert_eq!(
        subjects,
        [
            format!("Question {reference} has been answered"),
            format!("The answer to question {reference} has been corrected"),
        ]
    );
    assert!(question_mail[2]["text"]
        .as_str()
        .unwrap()
        .contains("The month was wrong."));
    for (email, confirmations) in [
        ("action@example.org", 1),
        ("programme@example.org", 1),
        ("report@example.org", 1),
        ("both@example.org", 2),
    ] {
        let mail = wait_for_mail_to(&sink, email, confirmations + 3).await;
        // The overdue notice comes from its own worker: in any order with the others.
        let mut subjects: Vec<&str> = mail[confirmations..]
            .iter()
            .map(|m| m["headers"]["subject"].as_str().unwrap())
            .collect();
        subjects.sort();
        assert_eq!(
            subjects,
            [
                "Action M-1 is now in progress",
                "Action M-1 is overdue",
                "New progress update on action M-1",
            ],
            "{email}: {mail:#?}"
        );
    }
    // The overdue notice is kept per due date: found again, it is not news.
    app.db.assert_rows("action_overdue_notices", 1).await;
    app.as_admin()
        .patch(&path)
        .json(&json!({"title": "Audit of every missing-child referral"}))
        .await;
    let mail = wait_for_mail_to(&sink, "action@example.org", 4).await;
    assert_eq!(mail.len(), 4, "a change of title is not news: {mail:#?}");
    let metrics = app.anonymous().get("/metrics").await.text();
    assert!(
        metrics.contains("scrutiny_mail_messages_total{outcome=\"sent\"}"),
        "{metrics}"
    );
}

#[actix_web::test]
async fn a_daily_subscriber_gets_one_digest_a_day() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    follow(&app, &sink, "daily@example.org", "action_id", &action, "daily").await;
    post_update(&app, &action, "First.").await;
    post_update(&app, &action, "Second.").await;
    let db = &app.db;
    let started = std::time::Instant::now();
    while db.count("SELECT count(*) AS n FROM subscription_digest_items").await < 2 {
        assert!(started.elapsed() < Duration::from_secs(60), "no digest lines");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        to(&sink.messages(), "daily@example.org").len(),
        1,
        "only the confirmation"
    );
    // A day passes (the lines were noted yesterday), and something wakes the worker.
    db.execute("UPDATE subscription_digest_items SET noted_at = noted_at - interval '1 day'")
        .await;
    app.create_organisation("Something else", "other").await;
    let mail = wait_for_mail_to(&sink, "daily@example.org", 2).await;
    assert_eq!(mail.len(), 2, "{mail:#?}");
    let text = mail[1]["text"].as_str().unwrap();
    assert!(mail[1]["headers"]["subject"]
        .as_str()
        .unwrap()
        .starts_with("What changed in action M-1"));
    let first = text.find("New progress update on action M-1").unwrap();
    assert!(
        text[first + 1..].contains("New progress update on action M-1"),
        "two lines: {text}"
    );
    assert!(mail[1]["headers"]["list-unsubscribe"].as_str().is_some());
    db.assert_rows("subscription_digest_items", 0).await;
    db.assert_count(
        "SELECT count(*) AS n FROM subscriptions WHERE last_digest_on IS NOT NULL",
        1,
    )
    .await;
    // More news, noted "yesterday" too: still no second digest today.
    post_update(&app, &action, "Third.").await;
    while db.count("SELECT count(*) AS n FROM subscription_digest_items").await < 1 {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    db.execute("UPDATE subscription_digest_items SET noted_at = noted_at - interval '1 day'")
        .await;
    app.create_organisation("Yet another", "other").await;
    let mail = wait_for_mail_to(&sink, "daily@example.org", 2).await;
    assert_eq!(mail.len(), 2, "one digest a day: {mail:#?}");
    db.assert_rows("subscription_digest_items", 1).await;
}

#[actix_web::test]
async fn unconfirmed_subscriptions_are_swept_after_seven_days_and_their_links_expire() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    follow(&app, &sink, "kept@example.org", "action_id", &action, "immediate").await;
    subscribe(&app, "late@example.org", "action_id", &action, "immediate").await;
    subscribe(&app, "recent@example.org", "action_id", &action, "immediate").await;
    let token = confirmation_token(&sink, "late@example.org").await;
    app.db
        .execute(
            "UPDATE subscriptions SET created_at = now() - interval '8 days' \
             WHERE email IN ('late@example.org', 'kept@example.org')",
        )
        .await;
    confirm(&app, &token).await.assert_problem(404);
    let mut conn = app.db.conn().await;
    let swept = scrutiny::repo::mail::sweep(&mut conn).await.unwrap();
    assert_eq!(swept, 1);
    let left: Vec<String> = {
        let mut left = Vec::new();
        for email in ["kept@example.org", "late@example.org", "recent@example.org"] {
            let n = app
                .db
                .count(&format!(
                    "SELECT count(*) AS n FROM subscriptions WHERE email = '{email}'"
                ))
                .await;
            if n > 0 {
                left.push(email.to_string());
            }
        }
        left
    };
    assert_eq!(left, ["kept@example.org", "recent@example.org"]);
}

#[actix_web::test]
async fn a_flood_of_confirmations_to_one_address_is_refused() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain {
        action,
        programme,
        report,
    } = chain(&app).await;
    for (field, resource) in [
        ("action_id", &action),
        ("programme_id", &programme),
        ("report_id", &report),
    ] {
        subscribe(&app, "victim@example.org", field, resource, "immediate").await;
    }
    // The same address however it is written.
    let refused = app
        .anonymous()
        .post("/api/v1/subscriptions")
        .json(&json!({"email": "Victim@EXAMPLE.org", "action_id": action["id"]}))
        .await;
    refused.assert_problem(429);
    assert!(refused.header("retry-after").is_some());
    let mail = wait_for_mail_to(&sink, "victim@example.org", 3).await;
    assert_eq!(mail.len(), 3);
    // From one client address, other people's addresses run out too.
    let mut statuses = Vec::new();
    for n in 0..20 {
        let response = app
            .anonymous()
            .post("/api/v1/subscriptions")
            .json(&json!({"email": format!("person{n}@example.org"), "action_id": action["id"]}))
            .await;
        statuses.push(response.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 17, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3, "{statuses:?}");
}

#[actix_web::test]
async fn bad_addresses_and_bad_targets_are_refused_and_nothing_is_stored() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, programme, .. } = chain(&app).await;
    let submitted = app.create_question(json!({})).await;
    let long_local = format!("{}@example.org", "a".repeat(65));
    let long = format!("a@{}.example.org", "b".repeat(250));
    let rows: Vec<(Value, &str)> = vec![
        (json!({"email": "not-an-address", "action_id": action["id"]}), "email"),
        (json!({"email": "a@localhost", "action_id": action["id"]}), "email"),
        (json!({"email": "a@[127.0.0.1]", "action_id": action["id"]}), "email"),
        (json!({"email": "a@example", "action_id": action["id"]}), "email"),
        (json!({"email": "", "action_id": action["id"]}), "email"),
        (json!({"email": long_local, "action_id": action["id"]}), "email"),
        (json!({"email": long, "action_id": action["id"]}), "email"),
        (
            json!({"email": "a@example.org\r\nBcc: b@example.org", "action_id": action["id"]}),
            "email",
        ),
        (json!({"email": 42, "action_id": action["id"]}), "email"),
        (json!({"email": "a@example.org"}), "question_id"),
        (
            json!({"email": "a@example.org", "action_id": action["id"], "programme_id": programme["id"]}),
            "programme_id",
        ),
        (
            json!({"email": "a@example.org", "action_id": action["id"], "digest": "weekly"}),
            "digest",
        ),
        (
            json!({"email": "a@example.org", "action_id": "not-a-uuid"}),
            "action_id",
        ),
        (
            json!({"email": "a@example.org", "action_id": action["id"], "name": "x"}),
            "name",
        ),
        // Not public, or not there: the same refusal.
        (
            json!({"email": "a@example.org", "question_id": submitted["id"]}),
            "question_id",
        ),
        (
            json!({"email": "a@example.org", "action_id": "00000000-0000-0000-0000-000000000000"}),
            "action_id",
        ),
        (
            json!({"email": "a@example.org", "report_id": "00000000-0000-0000-0000-000000000000"}),
            "report_id",
        ),
    ];
    let mut details = Vec::new();
    for (body, field) in rows {
        let response = app.anonymous().post("/api/v1/subscriptions").json(&body).await;
        let problem = response.assert_problem(422);
        assert!(problem.to_string().contains(field), "{body}: {problem}");
        if field == "question_id" && body.get("question_id").is_some() {
            details.push(problem["errors"][0]["message"].clone());
        }
    }
    app.db.assert_rows("subscriptions", 0).await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM mail_outbox WHERE subscription_id IS NOT NULL",
            0,
        )
        .await;
    let unknown = app
        .anonymous()
        .post("/api/v1/subscriptions")
        .json(&json!({"email": "a@example.org", "question_id": "00000000-0000-0000-0000-000000000000"}))
        .await
        .assert_problem(422);
    assert_eq!(
        unknown["errors"][0]["message"], details[0],
        "a submitted question is refused as one that does not exist"
    );
    // Links that lead nowhere.
    for token in ["", "short", "%00", &"A".repeat(43), &"A".repeat(4000)] {
        confirm(&app, token).await.assert_problem(404);
        app.anonymous()
            .post(&format!("/api/v1/subscriptions/unsubscribe?token={}", urlencode(token)))
            .await
            .assert_problem(404);
    }
}

#[actix_web::test]
async fn without_mail_nobody_can_subscribe_and_nothing_is_stored() {
    let app = spawn_app().await;
    let Chain { action, .. } = chain(&app).await;
    let response = app
        .anonymous()
        .post("/api/v1/subscriptions")
        .json(&json!({"email": "a@example.org", "action_id": action["id"]}))
        .await;
    let problem = response.assert_problem(503);
    assert_eq!(problem["type"], "/problems/mail-off");
    app.db.assert_rows("subscriptions", 0).await;
    app.db.assert_rows("mail_outbox", 0).await;
}

#[actix_web::test]
async fn addresses_appear_only_in_the_admins_list() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    let email = "private.person@example.org";
    follow(&app, &sink, email, "action_id", &action, "immediate").await;
    subscribe(&app, "unconfirmed@example.org", "action_id", &action, "daily").await;
    post_update(&app, &action, "Progress.").await;
    wait_for_mail_to(&sink, email, 2).await;

    let counts = app
        .anonymous()
        .get(&format!("/api/v1/subscriptions/counts?action_id={}", id(&action)))
        .await;
    assert_eq!(counts.status, 200, "{}", counts.text());
    assert_eq!(
        counts.json(),
        json!({"resource_type": "action", "resource_id": action["id"], "followers": 1, "daily_digest": 0})
    );
    let listed = app
        .as_admin()
        .get(&format!("/api/v1/subscriptions?action_id={}", id(&action)))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert!(listed.header("cache-control").unwrap().contains("no-store"));
    let listed = listed.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(listed.to_string().contains(email));

    let action_path = path_of("actions", &action);
    let public = [
        action_path.clone(),
        format!("{action_path}/updates"),
        "/api/v1/actions".to_string(),
        "/api/v1/events?limit=1000".to_string(),
        "/feeds/actions.atom".to_string(),
        "/api/v1/search?q=referrals".to_string(),
        format!("/api/v1/subscriptions/counts?action_id={}", id(&action)),
    ];
    for path in &public {
        for caller in [
            app.anonymous(),
            app.as_role(scrutiny::domain::auth::Role::Secretariat, None),
        ] {
            let text = caller.get(path).await.text();
            assert!(!text.contains("example.org"), "an address in {path}: {text}");
        }
    }
    let csv = app
        .anonymous()
        .get("/api/v1/actions")
        .header("accept", "text/csv")
        .await
        .text();
    assert!(!csv.contains("example.org"), "{csv}");
    let audit = app.as_admin().get("/api/v1/audit-events?limit=100").await.text();
    assert!(!audit.contains("example.org"), "{audit}");
    for table in ["events", "audit_events", "rate_limit_events"] {
        app.db
            .assert_count(
                &format!("SELECT count(*) AS n FROM {table} t WHERE to_jsonb(t)::text LIKE '%example.org%'"),
                0,
            )
            .await;
    }
    // Other roles see no addresses.
    for role in [
        scrutiny::domain::auth::Role::Secretariat,
        scrutiny::domain::auth::Role::PanelMember,
    ] {
        app.as_role(role, None)
            .get(&format!("/api/v1/subscriptions?action_id={}", id(&action)))
            .await
            .assert_problem(403);
    }
    app.anonymous()
        .get(&format!("/api/v1/subscriptions?action_id={}", id(&action)))
        .await
        .assert_problem(401);
    // Counts of what is not public: as if it did not exist.
    let submitted = app.create_question(json!({})).await;
    app.anonymous()
        .get(&format!("/api/v1/subscriptions/counts?question_id={}", id(&submitted)))
        .await
        .assert_problem(404);
}

/// What a browser sends for a page.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Checks that `response` is one of the link pages, with its headers, and returns its HTML.
fn assert_page(response: &crate::helpers::TestResponse, status: u16) -> String {
    let html = response.text();
    assert_eq!(response.status, status, "{html}");
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(response.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(response.header("x-content-type-options").as_deref(), Some("nosniff"));
    let policy = response.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(
        policy.contains("form-action 'self'") && !policy.contains("script"),
        "{policy}"
    );
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"en-GB\">"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("Staffordshire Police, Fire &amp; Crime Panel"), "{html}");
    html
}

#[actix_web::test]
async fn a_confirmation_link_opens_a_page_that_changes_nothing_and_its_button_confirms_once() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    subscribe(&app, "clicker@example.org", "action_id", &action, "daily").await;
    let messages = wait_for_mail_to(&sink, "clicker@example.org", 1).await;
    let text = messages[0]["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/subscriptions/confirm?token="))
        .unwrap();
    // What the link opens, however often (a mail scanner opens it first): the page, and
    // the subscription still waits.
    for _ in 0..2 {
        let page = app.anonymous().get(&local(link)).header("accept", BROWSER_ACCEPT).await;
        let html = assert_page(&page, 200);
        assert!(html.contains("<form method=\"post\" action=\"confirm\">"), "{html}");
        let token = token_after(text, "subscriptions/confirm?token=");
        assert!(
            html.contains(&format!("<input type=\"hidden\" name=\"token\" value=\"{token}\">")),
            "{html}"
        );
        assert!(html.contains("<button type=\"submit\">"), "{html}");
        app.db
            .assert_count("SELECT count(*) AS n FROM subscriptions WHERE confirmed_at IS NULL", 1)
            .await;
    }
    // A HEAD, or a client that asks for JSON, changes nothing either.
    let head = app.anonymous().request("HEAD", &local(link)).await;
    assert_eq!(head.status, 200);
    let json = app
        .anonymous()
        .get(&local(link))
        .header("accept", "application/json")
        .await;
    assert_page(&json, 200);
    app.db
        .assert_count("SELECT count(*) AS n FROM subscriptions WHERE confirmed_at IS NULL", 1)
        .await;
    // A token that could be a link's gets the same page, whether or not it is one; a
    // malformed or missing one, the page that says the link does not work.
    let unknown = app
        .anonymous()
        .get(&format!("/api/v1/subscriptions/confirm?token={}", "A".repeat(43)))
        .await;
    assert!(assert_page(&unknown, 200).contains("name=\"token\""));
    for query in [
        "",
        "?token=short",
        "?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "?colour=blue",
    ] {
        let page = app
            .anonymous()
            .get(&format!("/api/v1/subscriptions/confirm{query}"))
            .await;
        let html = assert_page(&page, 404);
        assert!(
            html.contains("This link does not work") && !html.contains("<form"),
            "{html}"
        );
        assert!(!html.contains("alert(1)"), "{html}");
    }

    // The button: a form, from a browser.
    let token = token_after(text, "subscriptions/confirm?token=");
    let confirmed = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &token)])
        .await;
    let html = assert_page(&confirmed, 200);
    assert!(html.contains("You are now following action M-1"), "{html}");
    assert!(html.contains("in one message a day"), "{html}");
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM subscriptions WHERE confirmed_at IS NOT NULL",
            1,
        )
        .await;
    // Pressed again (the back button, a second tab): a clear 404 page, the same as for a
    // link that never was.
    let replayed = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &token)])
        .await;
    let replayed = assert_page(&replayed, 404);
    let never = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &"A".repeat(43))])
        .await;
    assert_eq!(assert_page(&never, 404), replayed, "no hint which");
    assert!(replayed.contains("This link does not work"), "{replayed}");
    // A form with something else in it, from a browser: a 422 page.
    let odd = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &token), ("email", "x@example.org")])
        .await;
    assert_page(&odd, 422);
}

#[actix_web::test]
async fn a_form_from_a_program_gets_json_and_the_json_body_still_works() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, programme, .. } = chain(&app).await;
    subscribe(&app, "program@example.org", "action_id", &action, "immediate").await;
    let token = confirmation_token(&sink, "program@example.org").await;
    let confirmed = app
        .anonymous()
        .post("/api/v1/subscriptions/confirm")
        .form(&[("token", &token)])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(
        confirmed.json(),
        json!({"resource_type": "action", "resource_id": action["id"], "digest": "immediate"})
    );
    app.anonymous()
        .post("/api/v1/subscriptions/confirm")
        .form(&[("token", &token)])
        .await
        .assert_problem(404);
    app.anonymous()
        .post("/api/v1/subscriptions/confirm")
        .form(&[])
        .await
        .assert_problem(422);
    app.anonymous()
        .post("/api/v1/subscriptions/confirm")
        .body("text/plain", token.clone())
        .await
        .assert_problem(415);
    // The JSON body, as before.
    subscribe(&app, "program@example.org", "programme_id", &programme, "immediate").await;
    let token = confirmation_token_after(&sink, "program@example.org", 1).await;
    let confirmed = confirm(&app, &token).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM subscriptions WHERE confirmed_at IS NOT NULL",
            2,
        )
        .await;
}

#[actix_web::test]
async fn an_unsubscribe_link_opens_a_page_that_changes_nothing_and_its_button_unsubscribes() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    follow(&app, &sink, "stopping@example.org", "action_id", &action, "immediate").await;
    post_update(&app, &action, "Started.").await;
    let messages = wait_for_mail_to(&sink, "stopping@example.org", 2).await;
    let text = messages[1]["text"].as_str().unwrap();
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/subscriptions/unsubscribe?token="))
        .unwrap();
    let token = token_after(link, "unsubscribe?token=");
    for _ in 0..2 {
        let page = app.anonymous().get(&local(link)).header("accept", BROWSER_ACCEPT).await;
        let html = assert_page(&page, 200);
        assert!(html.contains("<form method=\"post\" action=\"unsubscribe\">"), "{html}");
        assert!(html.contains(&format!("value=\"{token}\"")), "{html}");
        app.db.assert_rows("subscriptions", 1).await;
    }
    let malformed = app.anonymous().get("/api/v1/subscriptions/unsubscribe?token=x").await;
    assert_page(&malformed, 404);

    // The button: the token in a form, no query string.
    let stopped = app
        .anonymous()
        .post("/api/v1/subscriptions/unsubscribe")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &token)])
        .await;
    let html = assert_page(&stopped, 200);
    assert!(html.contains("You will get no more e-mail about action M-1"), "{html}");
    app.db.assert_rows("subscriptions", 0).await;
    app.db.assert_rows("subscription_unsubscribe_tokens", 0).await;
    let again = app
        .anonymous()
        .post("/api/v1/subscriptions/unsubscribe")
        .header("accept", BROWSER_ACCEPT)
        .form(&[("token", &token)])
        .await;
    let html = assert_page(&again, 404);
    assert!(html.contains("This link does not work"), "{html}");
    // What a program sends: the token in a form or JSON, or nowhere.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", format!("token={token}")),
        ("application/json", json!({"token": token}).to_string()),
    ] {
        app.anonymous()
            .post("/api/v1/subscriptions/unsubscribe")
            .body(content_type, body)
            .await
            .assert_problem(404);
    }
    app.anonymous()
        .post("/api/v1/subscriptions/unsubscribe")
        .form(&[("List-Unsubscribe", "One-Click")])
        .await
        .assert_problem(422);
    app.anonymous()
        .post(&format!("/api/v1/subscriptions/unsubscribe?token={token}"))
        .form(&[("token", &"A".repeat(43))])
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn a_form_unsubscribes_a_program_too() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let Chain { action, .. } = chain(&app).await;
    follow(&app, &sink, "form@example.org", "action_id", &action, "immediate").await;
    let messages = wait_for_mail_to(&sink, "form@example.org", 1).await;
    let header = messages[0]["headers"]["list-unsubscribe"].as_str().unwrap();
    let token = token_after(header, "unsubscribe?token=");
    let response = app
        .anonymous()
        .post("/api/v1/subscriptions/unsubscribe")
        .form(&[("token", &token), ("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    app.db.assert_rows("subscriptions", 0).await;
}

#[actix_web::test]
async fn someone_who_follows_after_a_change_is_not_told_of_it_however_late_the_worker_is() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let question = app.create_question(json!({})).await;
    app.accept_question(&question).await;
    follow(&app, &sink, "late@example.org", "question_id", &question, "immediate").await;
    let sql = format!(
        "SELECT coalesce(max(id), 0) AS n FROM events WHERE event_type = 'question.accepted' AND resource_id = '{}'",
        id(&question)
    );
    let started = std::time::Instant::now();
    let accepted = loop {
        match app.db.count(&sql).await {
            0 => {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "the acceptance is never sequenced"
                );
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
            sequenced => break sequenced,
        }
    };
    // The mail worker comes to the acceptance only now, after the follower confirmed:
    // its position is moved back to just before it (as a worker that fell behind is).
    app.db
        .execute(&format!("UPDATE mail_feed SET position = {}", accepted - 1))
        .await;

    // Then an answer: told, and nothing before it.
    let response = app.create_response(id(&question), json!({})).await;
    app.publish_response(id(&response)).await;
    let mail = wait_for_mail_to(&sink, "late@example.org", 2).await;
    let subjects: Vec<&str> = mail.iter().map(|m| m["headers"]["subject"].as_str().unwrap()).collect();
    let reference = question["reference"].as_str().unwrap();
    assert_eq!(subjects.len(), 2, "{subjects:#?}");
    assert!(subjects[0].starts_with("Please confirm"), "{subjects:#?}");
    assert_eq!(subjects[1], format!("Question {reference} has been answered"));
}

#[actix_web::test]
async fn nobody_can_make_the_panel_mail_their_words_or_links_to_an_unconfirmed_address() {
    let sink = MailSink::start();
    let app = app_with_mail(&sink).await;
    let lure = "Your account is suspended, verify at https://panel-verify.evil.example/login now";
    let question = app.create_question(json!({"title": lure})).await;
    app.accept_question(&question).await;
    subscribe(&app, "victim@example.org", "question_id", &question, "immediate").await;
    let token = confirmation_token(&sink, "victim@example.org").await;
    let message = to(&sink.messages(), "victim@example.org").remove(0);
    let reference = question["reference"].as_str().unwrap();
    let subject = message["headers"]["subject"].as_str().unwrap();
    assert!(subject.contains(&format!("question {reference}")), "{subject}");
    for part in [
        subject,
        message["text"].as_str().unwrap(),
        message["html"].as_str().unwrap(),
    ] {
        assert!(!part.contains("suspended") && !part.contains("evil.example"), "{part}");
    }
    let html = message["html"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "<a href=\"{BASE}/api/v1/subscriptions/confirm?token={token}\""
        )),
        "{html}"
    );

    // Once confirmed, news names the question by its title, as the public page does,
    // but a link in it stays text: only the service's own links can be clicked.
    assert_eq!(confirm(&app, &token).await.status, 200);
    let response = app.create_response(id(&question), json!({})).await;
    app.publish_response(id(&response)).await;
    let mail = wait_for_mail_to(&sink, "victim@example.org", 2).await;
    let html = mail[1]["html"].as_str().unwrap();
    assert!(html.contains("panel-verify.evil.example"), "{html}");
    assert!(!html.contains("href=\"https://panel-verify"), "{html}");
    assert!(html.contains(&format!("href=\"{BASE}/")), "{html}");
}
