//! The demo story, browsable end to end by an anonymous caller.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_demo_story_is_browsable_end_to_end_from_the_accountability_trail_as_an_anonymous_caller() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    assert!(
        scrutiny::seed::demo(&mut conn).await.unwrap(),
        "an empty database gets the story"
    );
    assert!(
        !scrutiny::seed::demo(&mut conn).await.unwrap(),
        "a second load changes nothing"
    );

    let questions = app.anonymous().get("/api/v1/questions").await.json();
    let question = &questions["items"][0];
    assert_eq!(question["status"], "answered");
    assert_eq!(question["asked_on"], "2022-05-31");
    assert!(question.get("asker_contact").is_none());
    let id = question["id"].as_str().unwrap();

    let trail = app.public_trail(id, "").await;
    let readable_size = trail.body.len();
    assert!(trail.text().starts_with("{\"summary\":"), "the summary comes first");
    let trail = trail.json();
    assert!(trail["question"]["body"]
        .as_str()
        .unwrap()
        .contains("not effectively safeguarding children"));
    let response = &trail["responses"][0];
    assert_eq!(response["author"]["name"], "Ralph Butler");
    assert_eq!(response["author"]["position"], "Interim Joint Chief Executive");
    assert_eq!(response["responded_on"], "2022-06-09");
    assert!(response["body"]
        .as_str()
        .unwrap()
        .contains("clear ownership and time frames"));

    let recommendations = trail["recommendations"].as_array().unwrap();
    assert_eq!(recommendations.len(), 15);
    assert_eq!(recommendations[0]["reference"], "R1");
    for recommendation in recommendations {
        assert!(recommendation["addressed_to"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()));
    }
    let actions: Vec<&serde_json::Value> = trail["actions"].as_array().unwrap().iter().collect();
    assert_eq!(actions.len(), 8, "each action once");
    let mut links = 0;
    for action in &actions {
        assert!(action["owner"]["post_title"].as_str().is_some_and(|p| !p.is_empty()));
        assert!(action["owner"]["organisation"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()));
        assert!(action["due_on"].is_string() && action["status"].is_string());
        assert_eq!(
            action["programme"]["name"], "Child Protection Improvement Programme",
            "every demo action is in the programme"
        );
        let addresses = action["addresses"].as_array().unwrap();
        assert!(addresses
            .iter()
            .all(|r| r["reference"].is_string() && r["text"].is_string()));
        links += addresses.len();
    }
    assert!(
        actions.iter().any(|a| a["is_overdue"] == true),
        "at least one action is overdue"
    );
    assert!(actions
        .iter()
        .any(|a| a["status"] == "completed" && a["progress_percent"] == 100));
    let with_update = actions
        .iter()
        .find(|a| a["latest_update"].is_object())
        .expect("actions carry their latest update");
    assert!(with_update["latest_update"]["reported_on"].is_string());
    let summary = &trail["summary"];
    assert_eq!(summary["recommendations_total"], 15);
    assert_eq!(summary["actions_total"], 8);
    assert!(summary["actions_overdue"].as_u64().unwrap() >= 1);
    let by_status: u64 = summary["actions_by_status"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_status, 8);
    assert!(summary["percent_complete"].as_u64().is_some_and(|p| p <= 100));

    // The nested form repeats each action under every recommendation it addresses.
    let nested = app.public_trail(id, "/nested").await;
    let nested_size = nested.body.len();
    let nested = nested.json();
    let repeated: usize = nested["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["actions"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        repeated, links,
        "the same links, each action written once instead of {repeated} times"
    );
    eprintln!("demo trail: readable {readable_size} bytes, nested {nested_size} bytes");
    assert!(
        readable_size < nested_size,
        "readable {readable_size} bytes is not smaller than nested {nested_size}"
    );

    // The report's scorecard tells the same story.
    let report_id = recommendations[0]["report_id"].as_str().unwrap();
    let scorecard = app
        .anonymous()
        .get(&format!("/api/v1/reports/{report_id}/scorecard"))
        .await;
    assert_eq!(scorecard.status, 200, "{}", scorecard.text());
    let report = app
        .anonymous()
        .get(&format!("/api/v1/reports/{report_id}"))
        .await
        .json();
    assert_eq!(report["published_on"], "2022-04-07");
    assert_eq!(report["response_due_on"], "2022-06-02");

    // Updates reported at private Strategic Governance Boards do not reveal the meeting
    // to the public; those at public meetings do.
    let updates: Vec<&serde_json::Value> = actions
        .iter()
        .filter_map(|a| a.get("latest_update").filter(|u| u.is_object()))
        .collect();
    assert!(updates.iter().any(|u| u["meeting_id"].is_null()));

    // At the April panel meeting the Commissioner answered a question in person and
    // promised figures in writing; the written follow-up kept the promise, and a
    // supplementary was asked and answered there.
    let provided = app.anonymous().get("/api/v1/questions?follow_up=provided").await.json();
    let kept = &provided["items"][0];
    assert_eq!(provided["items"].as_array().unwrap().len(), 1);
    let kept = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", kept["id"].as_str().unwrap()))
        .await
        .json();
    let responses = kept["responses"].as_array().unwrap();
    let verbal = responses.iter().find(|r| r["kind"] == "verbal").unwrap();
    let written = responses.iter().find(|r| r["kind"] == "written").unwrap();
    assert!(verbal["meeting_id"].is_string());
    assert_eq!(verbal["follow_up_status"], "provided");
    assert_eq!(written["follows_up_response_id"], verbal["id"]);
    let supplementaries = kept["supplementary_question_ids"].as_array().unwrap();
    assert_eq!(supplementaries.len(), 1);
    let supplementary = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", supplementaries[0].as_str().unwrap()))
        .await
        .json();
    assert_eq!(supplementary["parent_question_id"], kept["id"]);
    assert_eq!(supplementary["status"], "answered");
    assert_eq!(supplementary["responses"][0]["kind"], "verbal");
    let overdue = app.anonymous().get("/api/v1/questions?follow_up=overdue").await.json();
    assert!(overdue["items"].as_array().unwrap().is_empty(), "no promise is broken");

    // The panel takes questions to the Panel as well as to the Commissioner, and at the
    // same meeting its chair answered one put to the Panel.
    let meeting = app
        .anonymous()
        .get(&format!("/api/v1/meetings/{}", verbal["meeting_id"].as_str().unwrap()))
        .await
        .json();
    let rules = app
        .anonymous()
        .get(&format!(
            "/api/v1/organisations/{}/question-rules",
            meeting["organisation_id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(rules["addressees"], serde_json::json!(["commissioner", "panel"]));
    let listed = app.anonymous().get("/api/v1/questions?limit=100").await.json();
    let to_panel: Vec<&serde_json::Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["addressed_to"] == "panel")
        .collect();
    assert_eq!(to_panel.len(), 1, "one demo question is put to the Panel");
    let to_panel = app
        .anonymous()
        .get(&format!("/api/v1/questions/{}", to_panel[0]["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(to_panel["status"], "answered");
    assert_eq!(to_panel["meeting_id"], verbal["meeting_id"]);
    let answer = &to_panel["responses"][0];
    assert_eq!(answer["kind"], "verbal");
    assert!(
        answer["author"]["position"].as_str().unwrap().contains("Panel"),
        "{answer}"
    );
}
