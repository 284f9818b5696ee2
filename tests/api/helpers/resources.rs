//! What tests start from, made through the API as admin and each step asserted: users
//! (and signing in as one), meetings, questions and their responses, organisations, and
//! the accountability chain (reports, recommendations, actions) with its public trail.

use serde_json::Value;

use super::{path_of, TestApp, TestResponse};

/// Creating and moving resources, each asserting that the API took the request.
impl TestApp {
    /// POSTs `body` to `path` as admin, asserts the `status` of the answer, and returns its
    /// JSON: the step each `create_*` helper here takes.
    async fn admin_post(&self, path: &str, body: &Value, status: u16) -> Value {
        let response = self.as_admin().post(path).json(body).await;
        assert_eq!(response.status, status, "POST {path}: {}", response.text());
        response.json()
    }

    /// Creates a user through the API (as admin) and returns it.
    pub async fn create_user(&self, username: &str, password: &str, roles: &[&str]) -> Value {
        self.admin_post(
            "/api/v1/users",
            &serde_json::json!({"username": username, "display_name": username, "password": password, "roles": roles}),
            201,
        )
        .await
    }

    /// Signs in as `username` with the password grant: an anonymous, form-encoded
    /// `POST /api/v1/auth/token`, as RFC 6749 has it.
    pub async fn password_grant(&self, username: &str, password: &str) -> TestResponse {
        self.anonymous()
            .post("/api/v1/auth/token")
            .form(&[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
            ])
            .await
    }

    /// Signs in as `username` with the password grant and returns the access token, for
    /// `app.with_token(&token)`; the token request is [`TestApp::password_grant`].
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let response = self.password_grant(username, password).await;
        assert_eq!(response.status, 200, "signing in as {username}: {}", response.text());
        response.json()["access_token"].as_str().unwrap().to_string()
    }

    /// The accountability trail of question `id` as the public reads it (no token):
    /// `form` is `""` for `/accountability`, `"/nested"` for `/accountability/nested`.
    /// Asserts a 200 and returns the answer, for its body and headers.
    pub async fn public_trail(&self, id: &str, form: &str) -> TestResponse {
        let response = self
            .anonymous()
            .get(&format!("/api/v1/questions/{id}/accountability{form}"))
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        response
    }

    /// Creates a meeting (as admin), held by an organisation of its own, and returns it.
    pub async fn create_meeting(&self, kind: &str, held_on: &str) -> Value {
        let organisation = self
            .create_organisation(&format!("Host {}", uuid::Uuid::now_v7()), "panel")
            .await;
        self.admin_post(
            "/api/v1/meetings",
            &serde_json::json!({
                "organisation_id": organisation["id"], "kind": kind,
                "title": format!("A {kind} on {held_on}"), "held_on": held_on
            }),
            201,
        )
        .await
    }

    /// Creates a question (as admin) from a public question's fields, with `changes`
    /// merged in (a `null` removes a field), and returns it.
    pub async fn create_question(&self, changes: Value) -> Value {
        self.admin_post("/api/v1/questions", &question_body(changes), 201).await
    }

    /// Creates a question and accepts it, so that it is public.
    pub async fn create_public_question(&self) -> Value {
        let question = self.create_question(serde_json::json!({})).await;
        self.accept_question(&question).await
    }

    /// Accepts `question` (as admin), making it public, and returns it.
    pub async fn accept_question(&self, question: &Value) -> Value {
        self.admin_post(&format!("{}/accept", path_of("questions", question)), &Value::Null, 200)
            .await
    }

    /// Creates an API client `name` with `roles` (as admin) and returns it, its
    /// `client_id` and its one-time `client_secret` included.
    pub async fn create_client(&self, name: &str, roles: &[&str]) -> Value {
        self.admin_post(
            "/api/v1/clients",
            &serde_json::json!({"name": name, "roles": roles}),
            201,
        )
        .await
    }

    /// Drafts a response (as admin) to question `question_id`, with `changes` merged
    /// into a valid body, and returns it.
    pub async fn create_response(&self, question_id: &str, changes: Value) -> Value {
        let mut body = serde_json::json!({
            "kind": "written",
            "body": "The force has initiated a Child Protection Improvement Programme.",
            "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
            "responded_on": "2022-06-09"
        });
        merge(&mut body, changes);
        self.admin_post(&format!("/api/v1/questions/{question_id}/responses"), &body, 201)
            .await
    }

    /// Publishes response `id` (as admin) and returns it.
    pub async fn publish_response(&self, id: &str) -> Value {
        self.admin_post(&format!("/api/v1/responses/{id}/publish"), &Value::Null, 200)
            .await
    }

    /// Puts a report with one recommendation and one action addressing it straight into
    /// the database (their API belongs to another area), and returns the
    /// recommendation's and the action's ids.
    pub async fn seed_recommendation_and_action(&self) -> (String, String) {
        let organisation = self
            .create_organisation(&format!("Inspectorate {}", uuid::Uuid::now_v7()), "inspectorate")
            .await;
        let org = organisation["id"].as_str().unwrap();
        let (report, recommendation, action) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let mut conn = self.db.conn().await;
        for sql in [
            format!(
                "INSERT INTO reports (id, title, kind, publisher_organisation_id, subject_organisation_id, published_on) \
                 VALUES ('{report}', 'National child protection inspection', 'inspection', '{org}', '{org}', '2022-01-10')"
            ),
            format!(
                "INSERT INTO recommendations (id, report_id, reference, kind, text, addressed_to_organisation_id) \
                 VALUES ('{recommendation}', '{report}', 'R1', 'recommendation', 'Improve safeguarding', '{org}')"
            ),
            format!(
                "INSERT INTO actions (id, reference, title, description, owner_organisation_id, owner_post_title, \
                 success_measure, starts_on, due_on) VALUES ('{action}', 'A-{action}', 'Train officers', 'Training', \
                 '{org}', 'Head of Public Protection', 'All officers trained', '2022-06-01', '2022-12-31')"
            ),
        ] {
            diesel_async::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn)
                .await
                .unwrap();
        }
        (recommendation.to_string(), action.to_string())
    }

    /// Creates an organisation through the API and returns it.
    pub async fn create_organisation(&self, name: &str, kind: &str) -> Value {
        self.admin_post(
            "/api/v1/organisations",
            &serde_json::json!({"name": name, "kind": kind}),
            201,
        )
        .await
    }
}

/// A whole body for `PUT /api/v1/organisations/{id}/question-rules`: the defaults with
/// `changes` laid over them. Unlike [`merge`], a null here is a value ("no limit").
pub fn question_rules_body(changes: Value) -> Value {
    let mut body = serde_json::json!({
        "deadline_clear_working_days": 3, "deadline_time": null, "max_words": null,
        "max_questions_per_questioner_per_meeting": null, "addressees": ["commissioner"],
        "supplementary_questions": true
    });
    if let (Some(body), Value::Object(changes)) = (body.as_object_mut(), changes) {
        body.extend(changes);
    }
    body
}

/// A valid body for `POST /api/v1/questions`, from a member of the public, with
/// `changes` merged in (a `null` removes a field).
pub fn question_body(changes: Value) -> Value {
    let mut body = serde_json::json!({
        "asker": {"display_name": "A member of the public"},
        "asker_contact": {"email": "resident@example.org", "phone": "01785 000000"},
        "title": "Safeguarding children after the HMIC inspection",
        "body": "What exactly is the PFCC doing about this to bring the force to account?",
        "topics": ["child-protection"],
        "asked_on": "2022-05-31"
    });
    merge(&mut body, changes);
    body
}

/// Merges `changes` into the object `target`, one level deep: a `null` removes a field.
pub fn merge(target: &mut Value, changes: Value) {
    if let (Some(target), Value::Object(changes)) = (target.as_object_mut(), changes) {
        for (key, value) in changes {
            if value.is_null() {
                target.remove(&key);
            } else {
                target.insert(key, value);
            }
        }
    }
}

/// The accountability chain, built through the API as admin: reports, their
/// recommendations, actions on them, and tokens for the people who work on them.
impl TestApp {
    /// Creates an inspection report published on `published_on` by `publisher` about
    /// `subject`, and returns it.
    pub async fn create_report(&self, publisher: &Value, subject: &Value, published_on: &str) -> Value {
        self.admin_post(
            "/api/v1/reports",
            &serde_json::json!({
                "title": "National child protection inspection",
                "kind": "inspection",
                "publisher_organisation_id": publisher["id"],
                "subject_organisation_id": subject["id"],
                "published_on": published_on,
            }),
            201,
        )
        .await
    }

    /// Creates a programme owned by `owner`, responding to `reports`, and returns it.
    pub async fn create_programme(&self, owner: &Value, reports: &[&Value]) -> Value {
        self.admin_post(
            "/api/v1/programmes",
            &serde_json::json!({
                "name": "Child Protection Improvement Programme",
                "owner": {"organisation_id": owner["id"], "post_title": "Assistant Chief Constable"},
                "report_ids": reports.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
                "progress_meeting_kind": "strategic_governance_board",
            }),
            201,
        )
        .await
    }

    /// Creates a programme called `name`, owned by `owner`, responding to no report.
    pub async fn create_programme_named(&self, name: &str, owner: &Value) -> Value {
        self.admin_post(
            "/api/v1/programmes",
            &serde_json::json!({
                "name": name,
                "owner": {"organisation_id": owner["id"], "post_title": "Assistant Chief Constable"},
            }),
            201,
        )
        .await
    }

    /// Adds recommendation `reference` to `report`, addressed to `addressed_to`.
    pub async fn create_recommendation(&self, report: &Value, reference: &str, addressed_to: &Value) -> Value {
        self.admin_post(
            &format!("/api/v1/reports/{}/recommendations", report["id"].as_str().unwrap()),
            &serde_json::json!({
                "reference": reference,
                "kind": "recommendation",
                "text": "The force should review how it identifies risk to children.",
                "addressed_to_organisation_id": addressed_to["id"],
            }),
            201,
        )
        .await
    }

    /// A valid body for a new action `reference` on `recommendations`, owned by `owner`.
    pub fn action_body(&self, reference: &str, recommendations: &[&Value], owner: &Value, due_on: &str) -> Value {
        serde_json::json!({
            "reference": reference,
            "title": "Audit of missing-child referrals",
            "description": "Audit every missing-child referral of the last twelve months.",
            "recommendation_ids": recommendations.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
            "owner": {"organisation_id": owner["id"], "post_title": "Head of Public Protection"},
            "success_measure": "Every referral audited.",
            "starts_on": "2022-06-13",
            "due_on": due_on,
        })
    }

    /// Creates an action (starting 2022-06-13) and returns it.
    pub async fn create_action(
        &self,
        reference: &str,
        recommendations: &[&Value],
        owner: &Value,
        due_on: &str,
    ) -> Value {
        self.admin_post(
            "/api/v1/actions",
            &self.action_body(reference, recommendations, owner, due_on),
            201,
        )
        .await
    }

    /// Creates an action (starting 2022-06-13) in `programme` and returns it.
    pub async fn create_action_in(
        &self,
        programme: &Value,
        reference: &str,
        recommendations: &[&Value],
        owner: &Value,
        due_on: &str,
    ) -> Value {
        let mut body = self.action_body(reference, recommendations, owner, due_on);
        body["programme_id"] = programme["id"].clone();
        self.admin_post("/api/v1/actions", &body, 201).await
    }
}
