//! The change feed: visibility, the public tombstone, and the guarantee that a consumer
//! following `after` never misses nor repeats an event while writes commit out of order.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, RunQueryDsl};
use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_queries_refused, spawn_app, spawn_app_on, Settings, TestApp, TestDb};

/// Reads the feed from `after` until `want` returns true or 10 s pass.
async fn drain_until(app: &TestApp, token: Option<&str>, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let response = app
            .with_optional_token(token)
            .get(&format!("/api/v1/events?after={after}&limit=50"))
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        let page = response.json();
        let items = page["items"].as_array().unwrap().clone();
        after = page["next_after"].as_i64().unwrap();
        let empty = items.is_empty();
        seen.extend(items);
        if want(&seen) || Instant::now() > deadline {
            return seen;
        }
        if empty {
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn of_type<'a>(events: &'a [Value], event_type: &str, id: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["type"] == event_type && e["resource_id"] == id)
        .collect()
}

#[actix_web::test]
async fn public_callers_see_public_events_only_and_a_tombstone_when_a_record_stops_being_public() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let id = question["id"].as_str().unwrap().to_string();
    let withdrawn = app
        .as_admin()
        .post(&format!("/api/v1/questions/{id}/withdraw"))
        .json(&Value::Null)
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());

    let staff = app.token(Role::PanelMember, None);
    let all = drain_until(&app, Some(&staff), |seen| {
        !of_type(seen, "question.withdrawn", &id).is_empty()
    })
    .await;
    assert_eq!(of_type(&all, "question.created", &id).len(), 1);
    assert_eq!(of_type(&all, "question.accepted", &id).len(), 1);
    let withdrawn = of_type(&all, "question.withdrawn", &id)[0];
    assert_eq!(withdrawn["snapshot"]["status"], "withdrawn");
    assert_eq!(withdrawn["resource_type"], "question");

    let public = drain_until(&app, None, |seen| !of_type(seen, "question.withdrawn", &id).is_empty()).await;
    assert!(
        of_type(&public, "question.created", &id).is_empty(),
        "a submitted question is not public"
    );
    let accepted = of_type(&public, "question.accepted", &id)[0];
    assert_eq!(accepted["snapshot"]["status"], "accepted");
    assert_eq!(accepted["snapshot"]["title"], question["title"]);
    assert!(accepted["snapshot"].get("asker_contact").is_none());
    let tombstone = of_type(&public, "question.withdrawn", &id)[0];
    assert!(tombstone["snapshot"].is_null(), "{tombstone}");

    // Contact details are never in the feed, even for those who may see them.
    let admin = drain_until(&app, Some(&app.admin_token), |seen| seen.len() >= all.len()).await;
    let text = serde_json::to_string(&admin).unwrap();
    assert!(!text.contains("asker_contact"), "{text}");
}

#[actix_web::test]
async fn publishing_a_response_gives_events_for_the_response_and_its_question_in_order() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let question_id = question["id"].as_str().unwrap().to_string();
    let response = app.create_response(&question_id, json!({})).await;
    let response_id = response["id"].as_str().unwrap().to_string();
    app.publish_response(&response_id).await;

    let public = drain_until(&app, None, |seen| {
        !of_type(seen, "response.published", &response_id).is_empty()
    })
    .await;
    assert!(
        of_type(&public, "response.created", &response_id).is_empty(),
        "a draft is not public"
    );
    let answered = of_type(&public, "question.answered", &question_id)[0];
    let published = of_type(&public, "response.published", &response_id)[0];
    assert_eq!(published["snapshot"]["status"], "published");
    assert_eq!(answered["snapshot"]["status"], "answered");
    let ids: Vec<i64> = public.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // Filtering by resource type.
    let only = app
        .anonymous()
        .get("/api/v1/events?resource_type=response&limit=1000")
        .await
        .json();
    let items = only["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["resource_type"] == "response"));
}

#[actix_web::test]
async fn a_later_transaction_that_commits_first_waits_for_the_earlier_one() {
    let app = spawn_app().await;
    // An "earlier" writer: a transaction that has written its event and not committed.
    let mut early = app.db.conn().await;
    let (release, hold) = tokio::sync::oneshot::channel::<()>();
    let (written, is_written) = tokio::sync::oneshot::channel::<()>();
    let writer = actix_web::rt::spawn(async move {
        early
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                diesel::sql_query(
                    "INSERT INTO events (event_type, resource_type, resource_id, public, snapshot, public_snapshot)
                     VALUES ('organisation.created', 'organisation', '01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b', true, '{}', '{}')",
                )
                .execute(conn)
                .await?;
                written.send(()).unwrap();
                let _ = hold.await;
                Ok(())
            })
            .await
            .unwrap();
    });
    is_written.await.unwrap();

    // A later writer commits first, through the API.
    let later = app.create_organisation("Later Writer", "council").await;
    let later_id = later["id"].as_str().unwrap().to_string();
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
    let page = app.anonymous().get("/api/v1/events?limit=1000").await.json();
    assert!(
        page["items"].as_array().unwrap().is_empty(),
        "nothing may be served while an older transaction is open: {page}"
    );

    release.send(()).unwrap();
    writer.await.unwrap();
    let events = drain_until(&app, None, |seen| seen.len() >= 2).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["resource_id"], "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b");
    assert_eq!(events[1]["resource_id"], later_id.as_str());
    assert!(events[0]["id"].as_i64() < events[1]["id"].as_i64());
}

#[actix_web::test]
async fn a_consumer_sees_every_event_of_concurrent_writers_on_two_instances_exactly_once_in_order() {
    let app = spawn_app().await;
    // A second instance on the same database: two sequencers, two sets of writers.
    let second = spawn_app_on(TestDb::reuse(&app.db), None, Settings::default()).await;
    let instances = [app.address.clone(), second.address.clone()];
    const WRITERS: usize = 6;
    const EACH: usize = 15;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let address = instances[w % 2].clone();
            let token = app.admin_token.clone();
            actix_web::rt::spawn(async move {
                let client = awc::Client::default();
                for n in 0..EACH {
                    let response = client
                        .post(format!("{address}/api/v1/organisations"))
                        .bearer_auth(&token)
                        .send_json(&json!({"name": format!("Writer {w} body {n}"), "kind": "council"}))
                        .await
                        .unwrap();
                    assert_eq!(response.status().as_u16(), 201);
                }
            })
        })
        .collect();

    // The consumer polls while the writers run, with small pages.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after = 0;
    let mut ids = Vec::new();
    let mut resources = Vec::new();
    let mut polls = 0;
    while resources.len() < WRITERS * EACH && Instant::now() < deadline {
        polls += 1;
        let reader = if polls % 2 == 0 { &app } else { &second };
        let page = reader
            .anonymous()
            .get(&format!("/api/v1/events?after={after}&limit=7"))
            .await
            .json();
        let items = page["items"].as_array().unwrap();
        for event in items {
            ids.push(event["id"].as_i64().unwrap());
            resources.push(event["resource_id"].as_str().unwrap().to_string());
        }
        after = page["next_after"].as_i64().unwrap();
        if items.is_empty() {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(resources.len(), WRITERS * EACH, "every event arrives");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids strictly increase: {ids:?}");
    let distinct: HashSet<_> = resources.iter().collect();
    assert_eq!(distinct.len(), resources.len(), "no event is repeated");
    let stored = app
        .db
        .count("SELECT count(*) AS n FROM organisations WHERE name LIKE 'Writer %'")
        .await;
    assert_eq!(stored as usize, resources.len());
    // Nothing more arrives later.
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let rest = app
        .anonymous()
        .get(&format!("/api/v1/events?after={after}"))
        .await
        .json();
    assert_eq!(rest["items"], json!([]));
}

#[actix_web::test]
async fn the_feed_refuses_bad_positions_and_page_sizes() {
    let app = spawn_app().await;
    // Every bad parameter is a 422 naming it, as on every other list (the query
    // extractor answers them all); a 400 here would be a regression.
    assert_queries_refused(
        &app.anonymous(),
        "/api/v1/events",
        &[
            ("after=-1", "after"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("after=x", "after"),
            ("resource_type=user", "resource_type"),
            ("since=3", "since"),
        ],
    )
    .await;
    let full = app.anonymous().get("/api/v1/events?limit=1").await;
    assert_eq!(full.status, 200);
}

#[actix_web::test]
async fn large_pages_in_a_burst_are_built_in_turn_and_every_one_is_answered_whole() {
    // Pages of more than 100 events wait for one of a few turns; a turn that was not
    // given back would show here as a 503 once the turns ran out.
    let app = spawn_app_on(
        TestDb::new().await,
        None,
        Settings::default()
            .with("SCRUTINY_DB_POOL_SIZE", "16")
            .with("SCRUTINY_DB_TIMEOUT_MS", "10000"),
    )
    .await;
    diesel::sql_query(
        "INSERT INTO events (event_type, resource_type, resource_id, public, snapshot, public_snapshot)
         SELECT 'organisation.created', 'organisation', gen_random_uuid(), true, '{}', jsonb_build_object('n', n)
         FROM generate_series(1, 250) AS n",
    )
    .execute(&mut app.db.conn().await)
    .await
    .unwrap();
    let expected = drain_until(&app, None, |seen| seen.len() >= 250).await;
    assert_eq!(expected.len(), 250);
    let burst = 3 * scrutiny::app::large_answers_at_once();
    for _round in 0..2 {
        let pages = futures_util::future::join_all((0..burst).map(|i| {
            let app = &app;
            async move {
                let limit = if i % 4 == 0 { 100 } else { 1000 };
                (
                    limit,
                    app.anonymous().get(&format!("/api/v1/events?limit={limit}")).await,
                )
            }
        }))
        .await;
        for (limit, page) in pages {
            assert_eq!(page.status, 200, "{}", page.text());
            let items = page.json()["items"].as_array().unwrap().clone();
            assert_eq!(items.len(), limit.min(250), "a page of {limit}");
            assert_eq!(
                items[..],
                expected[..items.len()],
                "a page of {limit} is the feed's start"
            );
        }
    }
}
