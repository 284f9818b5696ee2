//! `/api/v1/questions/{id}/accountability`: the trail from a question to what was done.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_submitted_question_has_no_public_accountability_trail() {
    let app = spawn_app().await;
    let question = app.create_question(serde_json::json!({})).await;
    let path = format!("/api/v1/questions/{}/accountability", question["id"].as_str().unwrap());
    app.anonymous().get(&path).await.assert_problem(404);
    let staff = app
        .as_role(scrutiny::domain::auth::Role::PanelMember, None)
        .get(&path)
        .await;
    assert_eq!(staff.status, 200, "{}", staff.text());
    assert_eq!(staff.json()["summary"]["recommendations_total"], 0);
}
