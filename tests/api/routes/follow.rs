//! Private follow links: what a questioner sees of their question by its link, in each
//! state; withdrawing by it; the secretariat replacing it; and the token kept nowhere
//! in clear.

use serde_json::{json, Value};

use crate::helpers::{question_body, spawn_app, TestApp};

async fn ask(app: &TestApp) -> Value {
    let response = app
        .anonymous()
        .post("/api/v1/questions")
        .json(&question_body(json!({})))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    assert_eq!(response.header("cache-control").as_deref(), Some("no-store"));
    response.json()
}

fn token(submitted: &Value) -> &str {
    submitted["follow_token"].as_str().unwrap()
}

fn follow_path(token: &str) -> String {
    format!("/api/v1/follow/{token}")
}

async fn follow(app: &TestApp, token: &str) -> Value {
    let response = app.anonymous().get(&follow_path(token)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("cache-control").as_deref(), Some("private, no-store"));
    let question = response.json();
    assert!(question.get("asker_contact").is_none(), "{question}");
    let text = question.to_string();
    assert!(
        !text.contains("resident@example.org") && !text.contains("01785"),
        "no contact details: {text}"
    );
    question
}

#[actix_web::test]
async fn asking_answers_with_a_private_follow_link_that_shows_the_submitted_question() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let token = token(&submitted);
    assert_eq!(token.len(), 43);
    assert!(token
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    assert_eq!(submitted["follow_url"], follow_path(token));
    assert_eq!(submitted["reference"], "PQ-2022-0001");
    let followed = follow(&app, token).await;
    assert_eq!(followed["id"], submitted["id"]);
    assert_eq!(followed["status"], "submitted");
    assert_eq!(followed["can_withdraw"], true);
    assert!(followed["meeting"].is_null());
    // The question itself stays private to anyone without the link.
    let path = format!("/api/v1/questions/{}", submitted["id"].as_str().unwrap());
    assert_eq!(app.anonymous().get(&path).await.status, 404);
}

#[actix_web::test]
async fn signed_in_submitters_get_a_link_too_and_a_second_link_is_different() {
    let app = spawn_app().await;
    let first = app.create_question(json!({})).await;
    let second = app.create_question(json!({})).await;
    assert_ne!(token(&first), token(&second));
    assert_eq!(follow(&app, token(&second)).await["id"], second["id"]);
}

#[actix_web::test]
async fn the_link_shows_an_accepted_question_with_its_meeting_and_an_answered_one_with_its_response() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let id = submitted["id"].as_str().unwrap();
    let meeting = app.create_meeting("panel_meeting", "2099-06-16").await;
    let patched = app
        .as_admin()
        .patch(&format!("/api/v1/questions/{id}"))
        .json(&json!({"meeting_id": meeting["id"]}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    app.accept_question(&submitted).await;
    let accepted = follow(&app, token(&submitted)).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["meeting"]["id"], meeting["id"]);
    assert_eq!(accepted["meeting"]["held_on"], "2099-06-16");
    assert_eq!(accepted["can_withdraw"], true);

    let response = app.create_response(id, json!({})).await;
    app.publish_response(response["id"].as_str().unwrap()).await;
    let answered = follow(&app, token(&submitted)).await;
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["can_withdraw"], false);
    assert_eq!(answered["responses"][0]["id"], response["id"]);
}

#[actix_web::test]
async fn the_link_shows_a_rejected_question_with_its_reason_and_ground() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let rejected = app
        .as_admin()
        .post(&format!(
            "/api/v1/questions/{}/reject",
            submitted["id"].as_str().unwrap()
        ))
        .json(&json!({"reason_code": "operational_matter", "reason": "For the Chief Constable."}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text());
    let followed = follow(&app, token(&submitted)).await;
    assert_eq!(followed["status"], "rejected");
    assert_eq!(followed["rejection_reason_code"], "operational_matter");
    assert_eq!(followed["rejection_reason"], "For the Chief Constable.");
    assert_eq!(followed["can_withdraw"], false);
}

#[actix_web::test]
async fn the_link_shows_a_referred_question_with_where_and_why_and_it_can_no_longer_be_withdrawn() {
    let app = spawn_app().await;
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let submitted = ask(&app).await;
    let referred = app
        .as_admin()
        .post(&format!(
            "/api/v1/questions/{}/refer",
            submitted["id"].as_str().unwrap()
        ))
        .json(&json!({
            "organisation_id": force["id"],
            "reason_code": "operational_matter",
            "reason": "Passed to the force for a direct reply.",
        }))
        .await;
    assert_eq!(referred.status, 200, "{}", referred.text());
    let followed = follow(&app, token(&submitted)).await;
    assert_eq!(followed["status"], "referred");
    assert_eq!(followed["referred_to_organisation_id"], force["id"]);
    assert_eq!(followed["referral_reason_code"], "operational_matter");
    assert_eq!(followed["referral_reason"], "Passed to the force for a direct reply.");
    assert_eq!(followed["can_withdraw"], false);
    let path = format!("{}/withdraw", follow_path(token(&submitted)));
    let refused = app.anonymous().post(&path).await;
    assert_eq!(refused.assert_problem(409)["current_state"], "referred");
}

#[actix_web::test]
async fn the_questioner_withdraws_by_the_link_once_and_then_gets_409() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let path = format!("{}/withdraw", follow_path(token(&submitted)));
    let withdrawn = app.anonymous().post(&path).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    assert_eq!(withdrawn.json()["can_withdraw"], false);
    assert_eq!(follow(&app, token(&submitted)).await["status"], "withdrawn");
    let again = app.anonymous().post(&path).await;
    assert_eq!(again.assert_problem(409)["current_state"], "withdrawn");

    // Audited as the questioner by their link, with nothing that identifies them, and
    // in the change feed as any withdrawal.
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'question.withdrawn' \
             AND actor_kind = 'anonymous' AND actor_id = 'questioner via follow link'",
            1,
        )
        .await;
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM events WHERE event_type = 'question.withdrawn'",
            1,
        )
        .await;
}

#[actix_web::test]
async fn a_stale_if_match_on_withdrawing_by_the_link_is_412() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let path = format!("{}/withdraw", follow_path(token(&submitted)));
    let stale = app.anonymous().post(&path).if_match("\"999\"").await;
    stale.assert_problem(412);
    assert_eq!(follow(&app, token(&submitted)).await["status"], "submitted");
}

#[actix_web::test]
async fn unknown_malformed_and_revoked_links_get_the_same_404() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let old = token(&submitted).to_string();
    let replaced = app
        .as_admin()
        .post(&format!(
            "/api/v1/questions/{}/follow-link",
            submitted["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    assert_eq!(replaced.header("cache-control").as_deref(), Some("no-store"));
    let new = replaced.json()["follow_token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(follow(&app, &new).await["id"], submitted["id"]);

    let unknown = "A".repeat(43);
    let mut bodies = Vec::new();
    for token in [old.as_str(), unknown.as_str(), "not-a-token", "%00", &"A".repeat(500)] {
        let read = app.anonymous().get(&follow_path(token)).await;
        assert_eq!(read.status, 404, "{token}: {}", read.text());
        bodies.push(read.text());
        let withdraw = app.anonymous().post(&format!("{}/withdraw", follow_path(token))).await;
        assert_eq!(withdraw.status, 404, "{token}: {}", withdraw.text());
        bodies.push(withdraw.text());
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "{bodies:#?}");
    app.db.assert_audited("question.follow_link_replaced", 1).await;
    assert_eq!(
        follow(&app, &new).await["status"],
        "submitted",
        "a refused withdrawal changed nothing"
    );
}

#[actix_web::test]
async fn replacing_the_link_of_no_question_is_404() {
    let app = spawn_app().await;
    let response = app
        .as_admin()
        .post("/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b/follow-link")
        .await;
    response.assert_problem(404);
    app.db.assert_rows("question_follow_tokens", 0).await;
}

#[actix_web::test]
async fn the_token_is_kept_only_as_its_hash_and_nowhere_else() {
    let app = spawn_app().await;
    let response = app
        .anonymous()
        .post("/api/v1/questions")
        .header("Idempotency-Key", "follow-once")
        .json(&question_body(json!({})))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let submitted = response.json();
    let token = token(&submitted).to_string();
    app.anonymous()
        .post(&format!("{}/withdraw", follow_path(&token)))
        .header("Idempotency-Key", "withdraw-once")
        .await;
    let replaced = app
        .as_admin()
        .post(&format!(
            "/api/v1/questions/{}/follow-link",
            submitted["id"].as_str().unwrap()
        ))
        .await;
    let new = replaced.json()["follow_token"].as_str().unwrap().to_string();

    app.db.assert_rows("question_follow_tokens", 2).await;
    for token in [&token, &new] {
        for (table, column) in [
            ("question_follow_tokens", "t::text"),
            ("audit_events", "t::text"),
            ("events", "t::text"),
            ("idempotency_keys", "t::text"),
            ("questions", "t::text"),
        ] {
            app.db
                .assert_count(
                    &format!("SELECT count(*) AS n FROM {table} t WHERE {column} LIKE '%{token}%'"),
                    0,
                )
                .await;
        }
        app.db
            .assert_count(
                &format!(
                    "SELECT count(*) AS n FROM idempotency_keys \
                     WHERE convert_from(coalesce(response_body, ''), 'UTF8') LIKE '%{token}%'"
                ),
                0,
            )
            .await;
    }
    // The replay of the submission is pointed at the question, without the token.
    let replay = app
        .anonymous()
        .post("/api/v1/questions")
        .header("Idempotency-Key", "follow-once")
        .json(&question_body(json!({})))
        .await;
    assert_eq!(replay.status, 303, "{}", replay.text());
    assert!(!replay.text().contains(&token));
    app.db.assert_rows("questions", 1).await;
}

#[test]
fn the_access_log_redacts_follow_tokens() {
    use scrutiny::domain::follow::redact_path;
    let path = "/api/v1/follow/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ/withdraw";
    assert_eq!(redact_path(path), "/api/v1/follow/{token}/withdraw");
}

#[actix_web::test]
async fn follow_links_are_rate_limited_per_client_address_reading_and_withdrawing_alike() {
    let app = spawn_app().await;
    let submitted = ask(&app).await;
    let token = token(&submitted);
    for n in 0..59 {
        // Guesses count as much as the real link.
        let path = if n % 2 == 0 {
            follow_path(token)
        } else {
            follow_path("guessed-guessed-guessed-guessed-guessed-gue")
        };
        let status = app.anonymous().get(&path).await.status;
        assert!(status == 200 || status == 404, "{n}: {status}");
    }
    let withdrawn = app.anonymous().post(&format!("{}/withdraw", follow_path(token))).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
    for path in [follow_path(token), format!("{}/withdraw", follow_path(token))] {
        let refused = if path.ends_with("withdraw") {
            app.anonymous().post(&path).await
        } else {
            app.anonymous().get(&path).await
        };
        refused.assert_problem(429);
        let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=600).contains(&retry_after), "{retry_after}");
    }
}

#[actix_web::test]
async fn a_question_put_at_a_meeting_already_held_can_no_longer_be_withdrawn_by_anyone() {
    let app = spawn_app().await;
    let held = app.create_meeting("panel_meeting", "2022-06-16").await;
    let coming = app
        .create_meeting(
            "panel_meeting",
            &(chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string(),
        )
        .await;
    // Accepted for a meeting still to come: the questioner may still withdraw it.
    let for_later = ask(&app).await;
    app.accept_question(&for_later).await;
    let path = format!("/api/v1/questions/{}", for_later["id"].as_str().unwrap());
    let scheduled = app
        .as_admin()
        .patch(&path)
        .json(&json!({"meeting_id": coming["id"]}))
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.text());
    assert_eq!(follow(&app, token(&for_later)).await["can_withdraw"], true);

    // Put at a meeting already held, with a supplementary asked there.
    let submitted = ask(&app).await;
    let question = app.accept_question(&submitted).await;
    let path = format!("/api/v1/questions/{}", question["id"].as_str().unwrap());
    let scheduled = app
        .as_admin()
        .patch(&path)
        .json(&json!({"meeting_id": held["id"]}))
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.text());
    let supplementary = app
        .as_admin()
        .post(&format!("{path}/supplementaries"))
        .json(&json!({"body": "And the districts?"}))
        .await;
    assert_eq!(supplementary.status, 201, "{}", supplementary.text());
    assert_eq!(follow(&app, token(&submitted)).await["can_withdraw"], false);
    let by_link = app
        .anonymous()
        .post(&format!("{}/withdraw", follow_path(token(&submitted))))
        .await
        .assert_problem(409);
    assert_eq!(by_link["current_state"], "accepted");
    assert!(
        by_link["detail"].as_str().unwrap().contains("supplementary"),
        "{by_link}"
    );
    let by_staff = app
        .as_admin()
        .post(&format!("{path}/withdraw"))
        .await
        .assert_problem(409);
    assert_eq!(by_staff["current_state"], "accepted");
    // The supplementary's own withdrawal is refused too: it was asked at the meeting.
    let supplementary_path = format!(
        "/api/v1/questions/{}/withdraw",
        supplementary.json()["id"].as_str().unwrap()
    );
    app.as_admin().post(&supplementary_path).await.assert_problem(409);
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'question.withdrawn'",
            0,
        )
        .await;
    // The original and its supplementary stay public together.
    assert_eq!(app.anonymous().get(&path).await.json()["status"], "accepted");

    // Only put at a held meeting (nothing recorded there): refused as well.
    let plain = ask(&app).await;
    let accepted = app.accept_question(&plain).await;
    let path = format!("/api/v1/questions/{}", accepted["id"].as_str().unwrap());
    let scheduled = app
        .as_admin()
        .patch(&path)
        .json(&json!({"meeting_id": held["id"]}))
        .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.text());
    let refused = app
        .anonymous()
        .post(&format!("{}/withdraw", follow_path(token(&plain))))
        .await
        .assert_problem(409);
    assert!(refused["detail"].as_str().unwrap().contains("2022-06-16"), "{refused}");
}
