//! Full-text search: `GET /api/v1/search` and the `q` filter of the lists.

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_queries_refused, assert_search_text_rules, field_of_each, spawn_app, urlencode, TestApp};

async fn search(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    let response = app
        .with_optional_token(token)
        .get(&format!("/api/v1/search?{query}"))
        .await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    response.json()
}

fn ids(page: &Value) -> Vec<Value> {
    field_of_each(&page["items"], "id")
}

async fn public_question(app: &TestApp, title: &str, body: &str) -> Value {
    let question = app.create_question(json!({"title": title, "body": body})).await;
    app.accept_question(&question).await
}

#[actix_web::test]
async fn the_demo_question_is_found_by_safeguarding_children_with_a_highlighted_snippet() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    assert!(scrutiny::seed::demo(&mut conn).await.unwrap());

    let page = search(&app, "q=safeguarding%20children", None).await;
    let hits = page["items"].as_array().unwrap();
    let question = hits
        .iter()
        .find(|hit| hit["type"] == "question")
        .unwrap_or_else(|| panic!("no question in {page}"));
    assert_eq!(
        question["title"],
        "HMIC child protection findings: what exactly is the Commissioner doing?"
    );
    let snippet = question["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("<mark>safeguarding</mark> <mark>children</mark>"),
        "{snippet}"
    );
    assert!(!snippet.contains('\u{E000}'), "{snippet}");
    let rank = question["rank"].as_f64().unwrap();
    assert!(rank > 0.0 && rank < 1.0, "{rank}");
    let ranks: Vec<f64> = hits.iter().map(|hit| hit["rank"].as_f64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "best first: {ranks:?}");

    // Every hit can be followed to its resource, anonymously.
    for hit in hits {
        let collection = format!("{}s", hit["type"].as_str().unwrap());
        let path = format!("/api/v1/{collection}/{}", hit["id"].as_str().unwrap());
        assert_eq!(app.anonymous().get(&path).await.status, 200, "{path}");
    }

    // Paging through one hit at a time gives the same hits in the same order.
    let all = search(&app, "q=children&limit=50", None).await;
    assert!(all["items"].as_array().unwrap().len() >= 3, "{all}");
    let mut paged = Vec::new();
    let mut query = "q=children&limit=1".to_string();
    loop {
        let response = app.anonymous().get(&format!("/api/v1/search?{query}")).await;
        let page = response.json();
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(response.header("link").unwrap().contains("cursor="));
                query = format!("q=children&limit=1&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(paged, ids(&all));
}

#[actix_web::test]
async fn a_title_match_outranks_a_body_only_match() {
    let app = spawn_app().await;
    let body_only = public_question(&app, "Rural policing", "What about the custody suite in Leek?").await;
    let title = public_question(&app, "Custody suite closures", "When will the decision be made?").await;
    let page = search(&app, "q=custody", None).await;
    assert_eq!(ids(&page), vec![title["id"].clone(), body_only["id"].clone()]);
    let ranks: Vec<f64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rank"].as_f64().unwrap())
        .collect();
    assert!(ranks[0] > ranks[1], "{ranks:?}");
}

#[actix_web::test]
async fn websearch_syntax_quotes_phrases_and_excludes_words() {
    let app = spawn_app().await;
    let phrase = public_question(&app, "Response times", "Are officers given clear ownership of cases?").await;
    let scattered = public_question(&app, "Ownership", "Is it clear who owns the estate?").await;
    let mut both = ids(&search(&app, "q=clear%20ownership", None).await);
    both.sort_by_key(|id| id.to_string());
    let mut expected = vec![phrase["id"].clone(), scattered["id"].clone()];
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(both, expected);
    assert_eq!(
        ids(&search(&app, &format!("q={}", urlencode("\"clear ownership\"")), None).await),
        vec![phrase["id"].clone()]
    );
    assert_eq!(
        ids(&search(&app, &format!("q={}", urlencode("ownership -estate")), None).await),
        vec![phrase["id"].clone()]
    );
    assert_eq!(
        ids(&search(&app, &format!("q={}", urlencode("estate or officers")), None).await).len(),
        2
    );
    // Text that is only stop words or punctuation finds nothing, and is not an error.
    assert_eq!(ids(&search(&app, "q=the", None).await), Vec::<Value>::new());
    assert_eq!(
        ids(&search(&app, &format!("q={}", urlencode("%' OR 1=1 --")), None).await).len(),
        0
    );
}

#[actix_web::test]
async fn search_finds_what_the_lists_show_the_caller() {
    let app = spawn_app().await;
    let submitted = app
        .create_question(json!({"title": "Speed cameras on the A34", "body": "Where are they?", "asker_contact": {"email": "hidden-person@example.org"}}))
        .await;
    let public = public_question(&app, "Speed limits in villages", "Who sets them?").await;
    let draft = app
        .create_response(
            public["id"].as_str().unwrap(),
            json!({"body": "Speed enforcement is a draft matter."}),
        )
        .await;

    let anonymous = ids(&search(&app, "q=speed", None).await);
    assert_eq!(anonymous, vec![public["id"].clone()]);
    let integration = app.token(Role::Integration, None);
    assert_eq!(ids(&search(&app, "q=speed", Some(&integration)).await), anonymous);

    let member = app.token(Role::PanelMember, None);
    let staff = ids(&search(&app, "q=speed", Some(&member)).await);
    assert_eq!(staff.len(), 3, "{staff:?}");
    assert!(staff.contains(&submitted["id"]) && staff.contains(&draft["id"]));

    // Contact details are never searched.
    let admin = app.token(Role::Admin, None);
    assert_eq!(ids(&search(&app, "q=hidden-person", Some(&admin)).await).len(), 0);

    // Once published, the response is public, under its question's title.
    app.publish_response(draft["id"].as_str().unwrap()).await;
    let page = search(&app, "q=enforcement", None).await;
    assert_eq!(ids(&page), vec![draft["id"].clone()]);
    assert_eq!(page["items"][0]["type"], "response");
    assert!(page["items"][0]["title"]
        .as_str()
        .unwrap()
        .ends_with(": Speed limits in villages"));
}

#[actix_web::test]
async fn types_limit_the_kinds_of_record() {
    let app = spawn_app().await;
    let (recommendation, action) = app.seed_recommendation_and_action().await;
    let question = public_question(&app, "Safeguarding training", "Are officers trained in safeguarding?").await;
    let all = ids(&search(&app, "q=safeguarding", None).await);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        ids(&search(&app, "q=safeguarding&types=recommendation", None).await),
        vec![json!(recommendation)]
    );
    assert_eq!(
        ids(&search(&app, "q=safeguarding&types=question,response", None).await),
        vec![question["id"].clone()]
    );
    let page = search(&app, "q=training&types=action", None).await;
    assert_eq!(ids(&page), vec![json!(action)]);
    assert_eq!(page["items"][0]["title"], "Train officers");
}

#[actix_web::test]
async fn bad_search_parameters_are_422s_naming_the_parameter() {
    let app = spawn_app().await;
    assert_queries_refused(
        &app.anonymous(),
        "/api/v1/search",
        &[
            ("", "q"),
            ("q=", "q"),
            ("q=%20%20", "q"),
            (&format!("q={}", "a".repeat(201)) as &str, "q"),
            ("q=a%00b", "q"),
            ("q=a&types=meeting", "types"),
            ("q=a&types=question,", "types"),
            ("q=a&types=", "types"),
            ("q=a&limit=0", "limit"),
            ("q=a&limit=51", "limit"),
            ("q=a&limit=ten", "limit"),
            ("q=a&cursor=nonsense", "cursor"),
            ("q=a&cursor=0.5~meeting~01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "cursor"),
            ("q=a&sort=rank", "sort"),
        ],
    )
    .await;
    assert_eq!(
        app.anonymous()
            .get(&format!("/api/v1/search?q={}", "a".repeat(200)))
            .await
            .status,
        200
    );
    assert_eq!(app.anonymous().get("/api/v1/search?q=a&limit=50").await.status, 200);
}

#[actix_web::test]
async fn q_on_the_lists_is_a_web_search_that_keeps_the_order_and_the_paging() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin, None);
    let a = public_question(
        &app,
        "Protecting children in custody",
        "How many children were held overnight?",
    )
    .await;
    let b = public_question(
        &app,
        "Child protection",
        "What is being done to protect a child at risk?",
    )
    .await;
    public_question(&app, "Roads", "Potholes on the A50").await;
    let list = |query: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.with_token(&admin)
                .get(&format!("/api/v1/questions?{query}"))
                .await
                .json()
        }
    };
    // Stemming: `protect` finds `protecting` and `protection` (but not a substring of a
    // word: the English stemmer leaves `children` alone, so `child` would not find it);
    // both asked on the same day, so newest id first.
    let mut expected = vec![a["id"].clone(), b["id"].clone()];
    expected.sort_by_key(|id| std::cmp::Reverse(id.to_string()));
    assert_eq!(ids(&list("q=protect".into()).await), expected);
    assert_eq!(
        ids(&list(format!("q={}", urlencode("protect -custody"))).await),
        vec![b["id"].clone()]
    );
    let first = list("q=protect&limit=1".into()).await;
    let next = list(format!(
        "q=protect&limit=1&cursor={}",
        first["next_cursor"].as_str().unwrap()
    ))
    .await;
    assert_eq!([ids(&first), ids(&next)].concat(), expected);
    assert!(next["next_cursor"].is_null());

    // The other lists take `q` too.
    let response = app
        .create_response(
            a["id"].as_str().unwrap(),
            json!({"body": "Overnight detention is rare."}),
        )
        .await;
    let responses = app
        .with_token(&admin)
        .get(&format!(
            "/api/v1/questions/{}/responses?q=detention",
            a["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(ids(&responses), vec![response["id"].clone()]);
    let (recommendation, action) = app.seed_recommendation_and_action().await;
    assert_eq!(
        ids(&app
            .anonymous()
            .get("/api/v1/recommendations?q=safeguarding")
            .await
            .json()),
        vec![json!(recommendation)]
    );
    assert_eq!(
        ids(&app.anonymous().get("/api/v1/recommendations?q=potholes").await.json()).len(),
        0
    );
    assert_eq!(
        ids(&app.anonymous().get("/api/v1/actions?q=trained").await.json()),
        vec![json!(action)]
    );
    assert_eq!(
        ids(&app.anonymous().get("/api/v1/actions?q=potholes").await.json()).len(),
        0
    );

    // The same rules for the text as everywhere: at most 200 characters, no NUL.
    let responses = format!("/api/v1/questions/{}/responses", a["id"].as_str().unwrap());
    for list in [
        "/api/v1/questions",
        "/api/v1/recommendations",
        "/api/v1/actions",
        responses.as_str(),
    ] {
        assert_search_text_rules(&app.anonymous(), list).await;
    }
}

#[actix_web::test]
async fn precomposed_and_decomposed_spellings_find_each_other() {
    let app = spawn_app().await;
    let decomposed = public_question(&app, "Policing on Ynys Mo\u{302}n", "Rural crime on the island").await;
    let precomposed = public_question(&app, "Patrols in Caerg\u{175}rle", "Rural patrols").await;
    for (q, expected) in [
        ("M\u{F4}n", &decomposed),
        ("Mo\u{302}n", &decomposed),
        ("Caerg\u{175}rle", &precomposed),
        ("Caergw\u{302}rle", &precomposed),
    ] {
        let found = search(&app, &format!("q={}", urlencode(q)), None).await;
        assert_eq!(ids(&found), vec![expected["id"].clone()], "search {q:?}");
        let listed = app
            .anonymous()
            .get(&format!("/api/v1/questions?q={}", urlencode(q)))
            .await
            .json();
        assert_eq!(listed["items"][0]["id"], expected["id"], "list {q:?}");
    }
}
