//! The Atom feeds: what the public may read, parsed back as Atom.

use atom_syndication::Feed;
use serde_json::{json, Value};

use crate::helpers::{path_of, spawn_app, spawn_app_with, Settings, TestApp, TestResponse};

/// `GET path` as an anonymous caller, checked to be an Atom feed, and parsed.
async fn get_feed(app: &TestApp, path: &str) -> (TestResponse, Feed) {
    let response = app.anonymous().get(path).await;
    assert_eq!(response.status, 200, "{path}: {}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    let feed = Feed::read_from(&response.body[..]).unwrap_or_else(|e| panic!("not Atom ({e}): {}", response.text()));
    (response, feed)
}

fn ids(feed: &Feed) -> Vec<String> {
    feed.entries().iter().map(|e| e.id().to_string()).collect()
}

fn urn(resource: &serde_json::Value) -> String {
    format!("urn:uuid:{}", resource["id"].as_str().unwrap())
}

async fn load_demo(app: &TestApp) {
    let mut conn = app.db.conn().await;
    assert!(scrutiny::seed::demo(&mut conn).await.unwrap());
}

/// Changes the title of `question` (as admin), which moves it in the feed.
async fn retitle(app: &TestApp, question: &Value, title: &str) {
    let edited = app
        .as_admin()
        .patch(&path_of("questions", question))
        .json(&json!({"title": title}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
}

#[actix_web::test]
async fn the_demo_question_is_in_the_feed_with_its_stable_id_and_links_and_no_contact_details() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let question = app.anonymous().get("/api/v1/questions").await.json()["items"][0].clone();
    let id = question["id"].as_str().unwrap();

    let (response, feed) = get_feed(&app, "/feeds/questions.atom").await;
    assert_eq!(response.header("cache-control").as_deref(), Some("public, max-age=60"));
    assert_eq!(feed.id(), app.url("/feeds/questions.atom"));
    let self_link = feed.links().iter().find(|l| l.rel() == "self").unwrap();
    assert_eq!(self_link.href(), app.url("/feeds/questions.atom"));

    let entry = feed
        .entries()
        .iter()
        .find(|e| e.id() == format!("urn:uuid:{id}"))
        .expect("the demo question is in the feed");
    assert!(entry.title().as_str().contains(question["title"].as_str().unwrap()));
    assert_eq!(
        entry.authors()[0].name(),
        question["asker"]["display_name"].as_str().unwrap()
    );
    assert_eq!(entry.updated().to_rfc3339(), parse(&question["updated_at"]));
    assert_eq!(
        entry.published().map(|p| p.to_rfc3339()),
        Some(parse(&question["published_at"]))
    );
    let body = entry.content().and_then(|c| c.value()).unwrap();
    assert!(body.contains("not effectively safeguarding children"));
    let topics: Vec<&str> = entry.categories().iter().map(|c| c.term()).collect();
    let expected: Vec<&str> = question["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(topics, expected);
    assert_eq!(entry.links().len(), 1, "no text/html link without a template");
    let json_link = &entry.links()[0];
    assert_eq!(
        (json_link.rel(), json_link.mime_type()),
        ("alternate", Some("application/json"))
    );
    assert_eq!(json_link.href(), app.url(&format!("/api/v1/questions/{id}")));
    let followed = app.anonymous().get(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(followed.status, 200);

    // Responses and actions of the story too, and no contact details anywhere.
    let (_, responses) = get_feed(&app, "/feeds/responses.atom").await;
    let response_entry = responses
        .entries()
        .iter()
        .find(|e| e.content().and_then(|c| c.value()).unwrap().contains("clear ownership"))
        .expect("the demo response is in the feed");
    assert!(response_entry.authors()[0].name().contains("Ralph Butler"));
    assert!(response_entry
        .links()
        .iter()
        .any(|l| l.rel() == "related" && l.href() == app.url(&format!("/api/v1/questions/{id}"))));
    let (_, actions) = get_feed(&app, "/feeds/actions.atom").await;
    assert_eq!(actions.entries().len(), 8);
    let content = actions.entries()[0].content().and_then(|c| c.value()).unwrap();
    assert!(content.contains("Due ") && content.contains("Status: "), "{content}");
    for path in ["/feeds/questions.atom", "/feeds/responses.atom", "/feeds/actions.atom"] {
        let xml = app.anonymous().get(path).await.text();
        assert!(!xml.contains("asker_contact") && !xml.contains('@'), "{path}: {xml}");
    }
}

fn parse(value: &serde_json::Value) -> String {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .to_rfc3339()
}

#[actix_web::test]
async fn only_public_questions_and_published_responses_appear_newest_updated_first() {
    let app = spawn_app().await;
    let (_, empty) = get_feed(&app, "/feeds/questions.atom").await;
    assert!(empty.entries().is_empty());
    assert_eq!(empty.updated().to_rfc3339(), "1970-01-01T00:00:00+00:00");

    let submitted = app.create_question(json!({"title": "Still submitted"})).await;
    let first = app.create_public_question().await;
    let second = app.create_public_question().await;
    let draft = app
        .create_response(first["id"].as_str().unwrap(), json!({"body": "A draft"}))
        .await;
    let published = app
        .create_response(second["id"].as_str().unwrap(), json!({"body": "Published"}))
        .await;
    app.publish_response(published["id"].as_str().unwrap()).await;
    // Editing the first question makes it the most recently updated.
    retitle(&app, &first, "Edited last").await;

    let (_, questions) = get_feed(&app, "/feeds/questions.atom").await;
    assert_eq!(ids(&questions), vec![urn(&first), urn(&second)]);
    assert!(!ids(&questions).contains(&urn(&submitted)));
    let updated: Vec<_> = questions.entries().iter().map(|e| *e.updated()).collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(*questions.updated(), updated[0]);
    let text = app.anonymous().get("/feeds/questions.atom").await.text();
    assert!(!text.contains("Still submitted") && !text.contains("resident@example.org") && !text.contains("01785"));

    let (_, responses) = get_feed(&app, "/feeds/responses.atom").await;
    assert_eq!(ids(&responses), vec![urn(&published)]);
    assert!(!ids(&responses).contains(&urn(&draft)));
    let (_, filtered) = get_feed(
        &app,
        &format!("/feeds/responses.atom?question_id={}", first["id"].as_str().unwrap()),
    )
    .await;
    assert!(filtered.entries().is_empty());

    // Filters.
    let (_, accepted) = get_feed(&app, "/feeds/questions.atom?status=answered").await;
    assert_eq!(ids(&accepted), vec![urn(&second)]);
    let (_, private) = get_feed(&app, "/feeds/questions.atom?status=submitted").await;
    assert!(
        private.entries().is_empty(),
        "a filter never reveals what is not public"
    );
    let (_, topic) = get_feed(&app, "/feeds/questions.atom?topic=child-protection").await;
    assert_eq!(topic.entries().len(), 2);
    let (_, other) = get_feed(&app, "/feeds/questions.atom?topic=road-safety").await;
    assert!(other.entries().is_empty());
    let (_, other) = get_feed(&app, "/feeds/responses.atom?topic=road-safety").await;
    assert!(other.entries().is_empty());
    app.anonymous()
        .get("/feeds/questions.atom?status=nonsense")
        .await
        .assert_invalid("status");
    app.anonymous()
        .get("/feeds/actions.atom?colour=red")
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn the_action_feed_filters_by_owner_organisation_and_status() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let (_, action_id) = app.seed_recommendation_and_action().await;
    let action = app
        .anonymous()
        .get(&format!("/api/v1/actions/{action_id}"))
        .await
        .json();
    let owner = action["owner"]["organisation_id"].as_str().unwrap();

    let (_, all) = get_feed(&app, "/feeds/actions.atom").await;
    assert_eq!(all.entries().len(), 9);
    let (_, owned) = get_feed(&app, &format!("/feeds/actions.atom?organisation_id={owner}")).await;
    assert_eq!(ids(&owned), vec![urn(&action)]);
    let entry = &owned.entries()[0];
    assert!(entry.authors()[0].name().starts_with("Inspectorate "));
    assert!(entry.summary().unwrap().as_str().contains("Head of Public Protection"));
    assert!(entry.summary().unwrap().as_str().contains("Due 2022-12-31"));
    let (_, completed) = get_feed(&app, "/feeds/actions.atom?status=completed").await;
    assert!(!completed.entries().is_empty());
    assert!(!ids(&completed).contains(&urn(&action)));
    let (_, planned) = get_feed(
        &app,
        &format!("/feeds/actions.atom?status=planned&organisation_id={owner}"),
    )
    .await;
    assert_eq!(planned.entries().len(), 1);
}

#[actix_web::test]
async fn entries_link_to_the_front_end_only_when_a_template_is_set_and_the_base_url_is_configurable() {
    let app = spawn_app_with(
        Settings::default()
            .with(
                "SCRUTINY_PUBLIC_URL_TEMPLATE",
                "https://panel.example.gov.uk/{type}/{id}",
            )
            .with("SCRUTINY_BASE_URL", "https://api.example.gov.uk/"),
    )
    .await;
    let question = app.create_public_question().await;
    let id = question["id"].as_str().unwrap();
    let (_, feed) = get_feed(&app, "/feeds/questions.atom?topic=child-protection").await;
    assert_eq!(
        feed.id(),
        "https://api.example.gov.uk/feeds/questions.atom?topic=child-protection"
    );
    let links = feed.entries()[0].links();
    let html = links.iter().find(|l| l.mime_type() == Some("text/html")).unwrap();
    assert_eq!(html.rel(), "alternate");
    assert_eq!(html.href(), format!("https://panel.example.gov.uk/questions/{id}"));
    let json = links
        .iter()
        .find(|l| l.mime_type() == Some("application/json"))
        .unwrap();
    assert_eq!(json.href(), format!("https://api.example.gov.uk/api/v1/questions/{id}"));
}

#[actix_web::test]
async fn a_current_copy_is_answered_304_and_a_change_gives_a_new_tag() {
    let app = spawn_app().await;
    let question = app.create_public_question().await;
    let first = app.anonymous().get("/feeds/questions.atom").await;
    let tag = first.header("etag").expect("an ETag");
    let again = app
        .anonymous()
        .get("/feeds/questions.atom")
        .header("if-none-match", &tag)
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(tag.clone()));
    assert_eq!(again.header("cache-control").as_deref(), Some("public, max-age=60"));

    retitle(&app, &question, "A new title").await;
    let changed = app
        .anonymous()
        .get("/feeds/questions.atom")
        .header("if-none-match", &tag)
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag));
    assert!(changed.text().contains("A new title"));
}

/// The XML 1.0 `Char` production, written out here rather than taken from the service,
/// so that the test checks the service's rule against the standard.
fn is_xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[actix_web::test]
async fn text_xml_cannot_carry_never_reaches_the_feed_which_stays_well_formed() {
    let app = spawn_app().await;
    for bad in ["\u{FFFF}", "\u{FFFE}", "\u{FDD0}", "\u{1FFFF}", "\u{10FFFF}"] {
        for field in ["title", "body"] {
            let problem = app
                .anonymous()
                .post("/api/v1/questions")
                .json(&crate::helpers::question_body(
                    json!({field: format!("Safeguarding {bad}children")}),
                ))
                .await
                .assert_problem(422);
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
    }
    // Everything short of that is carried: the replacement character, a byte order
    // mark inside text, characters beyond the BMP, combining accents.
    let question = app
        .create_question(json!({
            "title": "Ynys Mo\u{302}n \u{FFFD} \u{1F6A8} \u{10FFFD}",
            "body": "A\u{FEFF}B \u{E000} \u{D7FF}\ttab\r\nline",
        }))
        .await;
    app.accept_question(&question).await;
    let (response, feed) = get_feed(&app, "/feeds/questions.atom").await;
    let text = std::str::from_utf8(&response.body).expect("the feed is UTF-8");
    assert!(text.chars().all(is_xml_char), "a character XML cannot carry: {text}");
    assert!(
        feed.entries()[0]
            .title()
            .as_str()
            .ends_with(": Ynys M\u{F4}n \u{FFFD} \u{1F6A8} \u{10FFFD}"),
        "{:?}",
        feed.entries()[0].title()
    );
    app.db.assert_rows("questions", 1).await;
}

/// Headers a client could send to pass itself off as the service's public host.
const FORGED: &[(&str, &str)] = &[
    ("x-forwarded-host", "forged.example"),
    ("x-forwarded-proto", "https"),
    ("forwarded", "for=192.0.2.1;host=forged.example;proto=https"),
];

#[actix_web::test]
async fn feed_urls_ignore_forwarded_headers_unless_the_peer_is_a_trusted_proxy() {
    // No proxy trusted (the default): the feed a shared cache keeps shows the real host.
    let app = spawn_app().await;
    app.create_public_question().await;
    let response = app.anonymous().get("/feeds/questions.atom").headers(FORGED).await;
    assert_eq!(response.status, 200);
    assert!(!response.text().contains("forged.example"), "{}", response.text());
    let feed = Feed::read_from(&response.body[..]).unwrap();
    assert_eq!(feed.id(), format!("{}/feeds/questions.atom", app.address));
    let json_link = feed.entries()[0].links()[0].href().to_string();
    assert!(
        json_link.starts_with(&format!("{}/api/v1/questions/", app.address)),
        "{json_link}"
    );

    // Through a trusted proxy its X-Forwarded-Host and -Proto are the public URL;
    // `Forwarded`, which such proxies pass through from the client, still is not.
    let proxied = spawn_app_with(Settings::default().with("SCRUTINY_TRUSTED_PROXIES", "127.0.0.1/32")).await;
    proxied.create_public_question().await;
    let response = proxied
        .anonymous()
        .get("/feeds/questions.atom")
        .headers(&[
            ("x-forwarded-host", "panel.example.gov.uk"),
            ("x-forwarded-proto", "https"),
        ])
        .await;
    let feed = Feed::read_from(&response.body[..]).unwrap();
    assert_eq!(feed.id(), "https://panel.example.gov.uk/feeds/questions.atom");
    let response = proxied
        .anonymous()
        .get("/feeds/questions.atom")
        .header("forwarded", "host=forged.example;proto=https")
        .await;
    assert!(!response.text().contains("forged.example"));
    // A forwarded "host" that is not one is ignored rather than written into URLs.
    for bad in [
        "forged.example>; rel=\"x\"",
        "user@forged.example",
        "forged.example/path",
        "<forged.example>",
    ] {
        let response = proxied
            .anonymous()
            .get("/feeds/questions.atom")
            .header("x-forwarded-host", bad)
            .await;
        assert_eq!(response.status, 200, "{bad}");
        assert!(
            !response.text().contains("forged.example"),
            "{bad}: {}",
            response.text()
        );
    }

    // SCRUTINY_BASE_URL wins over everything, trusted proxy or not.
    let configured = spawn_app_with(
        Settings::default()
            .with("SCRUTINY_TRUSTED_PROXIES", "127.0.0.1/32")
            .with("SCRUTINY_BASE_URL", "https://api.example.gov.uk"),
    )
    .await;
    let response = configured
        .anonymous()
        .get("/feeds/questions.atom")
        .headers(FORGED)
        .await;
    let feed = Feed::read_from(&response.body[..]).unwrap();
    assert_eq!(feed.id(), "https://api.example.gov.uk/feeds/questions.atom");
}
