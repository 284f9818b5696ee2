use serde_json::json;

use crate::helpers::{
    assert_fields, assert_first_error_says, assert_readable_where_created, assert_stale_tag_refused, field_of_each,
    path_of, spawn_app,
};

#[actix_web::test]
async fn an_organisation_is_created_read_back_and_located() {
    let app = spawn_app().await;
    let response = app
        .as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "  Staffordshire Police ", "kind": "force"}))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let created = response.json();
    assert_eq!(created["name"], "Staffordshire Police");
    assert_eq!(created["kind"], "force");
    assert_eq!(created["version"], 1);
    let read = assert_readable_where_created(&app.anonymous(), "organisations", &response).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
}

#[actix_web::test]
async fn every_write_leaves_an_audit_record_with_before_and_after() {
    let app = spawn_app().await;
    let created = app.create_organisation("Panel", "panel").await;
    let path = path_of("organisations", &created);
    assert_eq!(
        app.as_admin()
            .patch(&path)
            .json(&json!({"name": "The Panel"}))
            .await
            .status,
        200
    );
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'organisation.created' AND before IS NULL AND after->>'name' = 'Panel'", 1).await;
    app.db.assert_count("SELECT count(*) AS n FROM audit_events WHERE action = 'organisation.updated' AND before->>'name' = 'Panel' AND after->>'name' = 'The Panel' AND request_id IS NOT NULL", 1).await;
}

#[actix_web::test]
async fn a_patch_changes_only_the_fields_given_and_bumps_the_version() {
    let app = spawn_app().await;
    let created = app.create_organisation("Stoke Council", "other").await;
    let path = path_of("organisations", &created);
    let response = app.as_admin().patch(&path).json(&json!({"kind": "council"})).await;
    assert_eq!(response.status, 200);
    let changed = response.json();
    assert_eq!(
        (changed["name"].clone(), changed["kind"].clone()),
        (json!("Stoke Council"), json!("council"))
    );
    assert_eq!(changed["version"], 2);
    assert_eq!(response.header("etag").as_deref(), Some("\"2\""));
    let nulled = app.as_admin().patch(&path).json(&json!({"name": null})).await;
    nulled.assert_invalid("name");
}

#[actix_web::test]
async fn a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let created = app.create_organisation("Panel", "panel").await;
    let path = path_of("organisations", &created);
    let (first, second) = (json!({"name": "Panel A"}), json!({"name": "Panel B"}));
    assert_stale_tag_refused(&app.as_admin(), &path, "\"1\"", first, second).await;
    let current = app.anonymous().get(&path).await.json();
    assert_fields(&current, json!({"name": "Panel A", "version": 2}));
    let third = app
        .as_admin()
        .patch(&path)
        .json(&json!({"name": "Panel C"}))
        .if_match("\"2\"")
        .await;
    assert_eq!(third.status, 200);
}

#[actix_web::test]
async fn if_none_match_with_the_current_etag_is_a_304() {
    let app = spawn_app().await;
    let created = app.create_organisation("Panel", "panel").await;
    let path = path_of("organisations", &created);
    let etag = app.anonymous().get(&path).await.header("etag").unwrap();
    let cached = app.anonymous().get(&path).header("if-none-match", &etag).await;
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    app.as_admin().patch(&path).json(&json!({"name": "Renamed"})).await;
    let stale = app.anonymous().get(&path).header("if-none-match", &etag).await;
    assert_eq!(stale.status, 200);
}

#[actix_web::test]
async fn pages_are_stable_while_rows_are_inserted() {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for i in 0..7 {
        expected.push(app.create_organisation(&format!("Organisation {i}"), "other").await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/organisations?limit=3".to_string();
    let mut inserted = 0;
    loop {
        let response = app.anonymous().get(&path).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let page = response.json();
        assert!(page["items"].as_array().unwrap().len() <= 3);
        seen.extend(page["items"].as_array().unwrap().iter().map(|o| o["id"].clone()));
        // A writer inserts between every page fetch.
        let id = app.create_organisation(&format!("Inserted {inserted}"), "other").await["id"].clone();
        expected.push(id);
        inserted += 1;
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = response.header("link").expect("a Link header mirrors next_cursor");
                assert!(
                    link.ends_with("rel=\"next\"") && link.contains(cursor) && link.contains("limit=3"),
                    "{link}"
                );
                path = format!("/api/v1/organisations?limit=3&cursor={cursor}");
            }
            None => {
                assert!(response.header("link").is_none());
                break;
            }
        }
        assert!(inserted < 50, "paging never ended");
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no row is repeated");
    assert_eq!(seen[..7], expected[..7], "every row that existed is seen, in order");
}

#[actix_web::test]
async fn the_list_filters_by_kind_and_name() {
    let app = spawn_app().await;
    app.create_organisation("Staffordshire Police", "force").await;
    app.create_organisation("West Midlands Police", "force").await;
    app.create_organisation("Staffordshire Panel", "panel").await;
    app.create_organisation("100% Council_", "council").await;
    let names = |query: &'static str| {
        let app = &app;
        async move {
            let page = app
                .anonymous()
                .get(&format!("/api/v1/organisations?{query}"))
                .await
                .json();
            field_of_each(&page["items"], "name")
        }
    };
    assert_eq!(names("kind=force").await.len(), 2);
    assert_eq!(names("q=staffordshire").await.len(), 2);
    assert_eq!(names("q=stafford&kind=panel").await[0], "Staffordshire Panel");
    assert_eq!(names("q=%25").await.len(), 1, "LIKE wildcards in q match literally");
}

/// "Ynys Môn" with a precomposed ô, and with o and a combining circumflex.
const MON_NFC: &str = "Cyngor Sir Ynys M\u{F4}n";
const MON_NFD: &str = "Cyngor Sir Ynys Mo\u{302}n";

#[actix_web::test]
async fn one_name_spelt_precomposed_or_decomposed_is_one_organisation() {
    let app = spawn_app().await;
    for (first, second) in [(MON_NFC, MON_NFD), (MON_NFD, MON_NFC)] {
        let app = if first == MON_NFC { &app } else { &spawn_app().await };
        let created = app.create_organisation(first, "council").await;
        assert_eq!(created["name"], MON_NFC, "stored in NFC");
        let again = app
            .as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": second, "kind": "council"}))
            .await;
        let problem = again.assert_problem(409);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("organisation with this name already exists"),
            "{problem}"
        );
        app.db.assert_rows("organisations", 1).await;
    }
}

#[actix_web::test]
async fn names_are_unique_by_full_unicode_case_folding() {
    let app = spawn_app().await;
    for (name, other_spelling) in [
        ("Gwasanaeth T\u{175}r Panel", "GWASANAETH T\u{174}R PANEL"),
        ("Stra\u{DF}e Panel", "STRASSE PANEL"),
        (
            "\u{3A3}\u{399}\u{3A3}\u{3A5}\u{3A6}\u{39F}\u{3A3}",
            "\u{3C3}\u{3B9}\u{3C3}\u{3C5}\u{3C6}\u{3BF}\u{3C2}",
        ),
    ] {
        let created = app.create_organisation(name, "other").await;
        let again = app
            .as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": other_spelling, "kind": "other"}))
            .await;
        again.assert_problem(409);
        // A rename into another's name is refused the same way.
        let other = app.create_organisation(&format!("{name} 2"), "other").await;
        app.as_admin()
            .patch(&path_of("organisations", &other))
            .json(&json!({"name": other_spelling}))
            .await
            .assert_problem(409);
        assert_eq!(created["name"], name);
    }
}

#[actix_web::test]
async fn the_name_filter_finds_a_name_however_its_accents_were_typed() {
    let app = spawn_app().await;
    let stored_decomposed = app.create_organisation(MON_NFD, "council").await;
    for q in ["Mo\u{302}n", "M\u{F4}n"] {
        let page = app
            .anonymous()
            .get(&format!("/api/v1/organisations?q={}", crate::helpers::urlencode(q)))
            .await;
        assert_eq!(page.status, 200, "{}", page.text());
        assert_eq!(page.json()["items"][0]["id"], stored_decomposed["id"], "{q:?}");
    }
}

#[actix_web::test]
async fn migrating_brings_keys_that_lower_got_wrong_up_to_date_and_never_fails_on_a_clash() {
    let app = spawn_app().await;
    // As the migration that added the key left existing rows: lower(name).
    app.db
        .count(
            "WITH inserted AS (INSERT INTO organisations (id, name, name_key, kind) VALUES \
             (gen_random_uuid(), 'Stra\u{DF}e Council', lower('Stra\u{DF}e Council'), 'council'), \
             (gen_random_uuid(), 'STRASSE COUNCIL', lower('STRASSE COUNCIL'), 'council'), \
             (gen_random_uuid(), 'Gro\u{DF}e Panel', lower('Gro\u{DF}e Panel'), 'panel') RETURNING 1) \
             SELECT count(*) AS n FROM inserted",
        )
        .await;
    scrutiny::db::migrate(&app.db.url).await.unwrap();
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM organisations WHERE name_key = 'grosse panel'",
            1,
        )
        .await;
    // The clash is left for a person to resolve; the other keeps lower()'s key.
    app.db
        .assert_count(
            "SELECT count(*) AS n FROM organisations WHERE name_key = 'strasse council'",
            1,
        )
        .await;
    app.as_admin()
        .post("/api/v1/organisations")
        .json(&json!({"name": "GROSSE PANEL", "kind": "panel"}))
        .await
        .assert_problem(409);
}

#[actix_web::test]
async fn a_noncharacter_in_a_name_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    for bad in ["\u{FFFF}", "\u{FFFE}", "\u{FDD0}", "\u{10FFFF}"] {
        let problem = app
            .as_admin()
            .post("/api/v1/organisations")
            .json(&json!({"name": format!("Panel{bad}"), "kind": "panel"}))
            .await
            .assert_invalid("name");
        assert_first_error_says(&problem, "noncharacter");
    }
    app.db.assert_rows("organisations", 0).await;
}
