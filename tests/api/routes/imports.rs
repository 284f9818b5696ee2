//! `POST /api/v1/imports` and `scrutiny import`: published documents in, once each, with
//! an account of what could not be read.

use std::path::{Path, PathBuf};

use scrutiny::domain::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{field_of_each, path_of, spawn_app, TestApp, TestResponse, JWT_SECRET};

/// The real published document (as it reads on this machine: its response date has no
/// page number run into it).
pub const PUBLISHED: &str = include_str!("../../fixtures/import/public-question-2022-05-31.txt");
/// Its content hash, as the parser's own tests pin it.
const PUBLISHED_HASH: &str = "d2fcc449104b682868b3f1568f01465c8f22b4dfe75fd8d722c767d1b2e4f44b";
const TEXT: &str = "text/plain; charset=utf-8";

/// The published document as DOMAIN.md describes the original: "9 June 20222144".
fn with_fused_page_number() -> String {
    let fused = PUBLISHED.replace("Date:\t9 June 2022", "Date:\t9 June 20222144");
    assert_ne!(fused, PUBLISHED, "the fixture's date line has changed");
    fused
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

fn published_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/public-question-2022-05-31.txt")
}

impl TestApp {
    /// Imports `text` as `role`, with `query` (`?dry_run=true`, or empty) and headers.
    async fn import_as(&self, role: Role, query: &str, text: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.as_role(role, None)
            .post(&format!("/api/v1/imports{query}"))
            .body(TEXT, text)
            .headers(headers)
            .await
    }

    /// Imports `text` as the secretariat and asserts that it was created.
    async fn import(&self, text: &str) -> Value {
        let response = self.import_as(Role::Secretariat, "", text, &[]).await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }

    /// How many rows each table an import writes to holds, and the audit log.
    async fn import_rows(&self) -> [i64; 5] {
        let mut counts = [0; 5];
        for (count, table) in counts.iter_mut().zip([
            "questions",
            "responses",
            "response_versions",
            "question_reference_counters",
            "audit_events",
        ]) {
            *count = self.db.count(&format!("SELECT count(*) AS n FROM {table}")).await;
        }
        counts
    }
}

fn warned_fields(result: &Value) -> Vec<Value> {
    field_of_each(&result["warnings"], "field")
}

/// The path of the question an import `result` (or report) says it made or matched.
fn question_of(result: &Value) -> String {
    format!("/api/v1/questions/{}", result["question_id"].as_str().unwrap())
}

#[actix_web::test]
async fn the_published_document_is_imported_field_by_field_and_shown_to_the_public() {
    let app = spawn_app().await;
    let response = app
        .import_as(
            Role::Secretariat,
            "",
            PUBLISHED,
            &[("x-filename", "public-question-2022-05-31.txt")],
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let result = response.json();
    assert_eq!(result["outcome"], "created");
    assert_eq!(result["reference"], "PQ-2022-0001");
    let id = result["question_id"].as_str().unwrap();
    assert_eq!(
        response.header("location").as_deref(),
        Some(format!("/api/v1/questions/{id}").as_str())
    );
    // Only the emphasis in the question was cleaned up.
    assert_eq!(warned_fields(&result), ["questions"]);

    // Answered, so public: an anonymous caller reads it.
    let question = app.anonymous().get(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(question.status, 200, "{}", question.text());
    let question = question.json();
    assert_eq!(question["reference"], "PQ-2022-0001");
    assert_eq!(question["status"], "answered");
    assert_eq!(question["asked_on"], "2022-05-31");
    assert_eq!(
        question["asker"],
        json!({"kind": "member_of_public", "display_name": "A member of the public"})
    );
    assert!(question.get("asker_contact").is_none());
    let title = question["title"].as_str().unwrap();
    assert!(title.starts_with("‘Concerning the HMIC inspection findings"), "{title}");
    assert!(title.ends_with("‘bring the force to account’?’"), "{title}");
    let body = question["body"].as_str().unwrap();
    assert_eq!(body.split("\n\n").count(), 3, "{body}");
    assert!(body.starts_with(title), "the title is the first paragraph");
    assert!(
        body.ends_with("We need visible, concerted action, urgently.’"),
        "{body}"
    );
    assert!(!body.contains('*'), "emphasis markers are not text: {body}");
    assert_eq!(question["topics"], json!([]));
    assert_eq!(question["meeting_id"], Value::Null);
    assert_eq!(question["version"], 1);
    assert!(question["published_at"].is_string());
    assert_eq!(
        question["source"],
        json!({"name": "public-question-2022-05-31.txt", "hash": PUBLISHED_HASH})
    );
    let responses = question["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1);
    let answer = &responses[0];
    assert_eq!(answer["id"], result["response_id"]);
    assert_eq!(answer["status"], "published");
    assert_eq!(answer["kind"], "written");
    assert_eq!(answer["responded_on"], "2022-06-09");
    assert_eq!(
        answer["author"],
        json!({"name": "Ralph Butler", "position": "Interim Joint Chief Executive"})
    );
    assert_eq!(answer["version"], 1);
    let paragraphs: Vec<&str> = answer["body"].as_str().unwrap().split("\n\n").collect();
    assert_eq!(paragraphs.len(), 2);
    assert!(paragraphs[0].starts_with("In response to HMICFRS Inspection Findings"));
    assert!(paragraphs[1].ends_with("against all actions in the Improvement Programme."));

    // The secretariat sees that no contact details are held.
    let staff_view = app.as_admin().get(&format!("/api/v1/questions/{id}")).await.json();
    assert_eq!(staff_view["asker_contact"], Value::Null);
    // Version 1 of the response is its published text.
    let versions = app
        .anonymous()
        .get(&format!("{}/versions", path_of("responses", answer)))
        .await
        .json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 1);
    assert_eq!(versions["items"][0]["version"], 1);
    // Audited as imports, by the caller.
    assert_eq!(
        app.db
            .count(
                "SELECT count(*) AS n FROM audit_events WHERE actor_id LIKE 'test-operator:%' \
                 AND action IN ('question.imported', 'response.imported')"
            )
            .await,
        2
    );
}

#[actix_web::test]
async fn a_page_number_run_into_the_response_date_is_dropped_with_a_warning() {
    let app = spawn_app().await;
    let result = app.import(&with_fused_page_number()).await;
    let warning = result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["field"] == "responded_on")
        .unwrap_or_else(|| panic!("no responded_on warning: {result}"));
    assert!(warning["message"].as_str().unwrap().contains("2144"), "{warning}");
    let question = app.anonymous().get(&question_of(&result)).await.json();
    assert_eq!(question["responses"][0]["responded_on"], "2022-06-09");
    assert_eq!(question["asked_on"], "2022-05-31");
}

#[actix_web::test]
async fn importing_the_same_document_again_creates_nothing() {
    let app = spawn_app().await;
    let first = app.import(PUBLISHED).await;
    let rows = app.import_rows().await;
    let again = app.import_as(Role::Admin, "", PUBLISHED, &[]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    let again = again.json();
    assert_eq!(again["outcome"], "already_imported");
    assert_eq!(again["question_id"], first["question_id"]);
    assert_eq!(again["reference"], "PQ-2022-0001");
    assert!(again.get("response_id").is_none());
    assert_eq!(warned_fields(&again), ["questions"], "the warnings are still reported");
    // The same document saved with Windows line endings is the same document.
    let crlf = app
        .import_as(Role::Secretariat, "", &PUBLISHED.replace('\n', "\r\n"), &[])
        .await;
    assert_eq!(crlf.json()["outcome"], "already_imported");
    assert_eq!(app.import_rows().await, rows);
}

#[actix_web::test]
async fn concurrent_imports_of_one_document_create_it_once_and_waste_no_reference() {
    let app = spawn_app().await;
    let attempts =
        futures_util::future::join_all((0..4).map(|_| app.import_as(Role::Secretariat, "", PUBLISHED, &[]))).await;
    let mut statuses: Vec<u16> = attempts.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 201], "{attempts:?}");
    let ids: Vec<Value> = attempts.iter().map(|r| r.json()["question_id"].clone()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    app.db.assert_rows("questions", 1).await;
    app.db.assert_rows("responses", 1).await;
    // A loser's reference number was given back when it rolled back.
    let next = app.import(&fixture("rural-crime-fused-page-number.txt")).await;
    assert_eq!(next["reference"], "PQ-2022-0002");
}

#[actix_web::test]
async fn a_dry_run_reads_the_document_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.import_rows().await;
    let response = app
        .import_as(Role::Secretariat, "?dry_run=true", &with_fused_page_number(), &[])
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let result = response.json();
    assert_eq!(result["outcome"], "parsed");
    assert!(result.get("question_id").is_none() && result.get("reference").is_none());
    let document = &result["document"];
    assert_eq!(document["asked_on"], "2022-05-31");
    assert_eq!(document["responded_on"], "2022-06-09");
    assert_eq!(document["author_name"], "Ralph Butler");
    assert_eq!(document["author_position"], "Interim Joint Chief Executive");
    assert_eq!(
        document["asker"],
        json!({"kind": "member_of_public", "display_name": null})
    );
    assert_eq!(document["panel_name"], "Police, Fire & Crime Panel");
    assert_eq!(document["questions"].as_array().unwrap().len(), 3);
    assert_eq!(document["title"], document["questions"][0]);
    assert_eq!(document["content_hash"].as_str().unwrap().len(), 64);
    assert!(warned_fields(&result).contains(&json!("responded_on")));
    assert_eq!(app.import_rows().await, before);
    // Nothing remembers it: the real import still creates.
    let real = app
        .import_as(Role::Secretariat, "?dry_run=false", &with_fused_page_number(), &[])
        .await;
    assert_eq!(real.status, 201, "{}", real.text());
}

#[actix_web::test]
async fn texts_that_are_not_documents_are_a_422_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let before = app.import_rows().await;
    for (name, field, reason) in [
        (
            "not-a-document-agenda.txt",
            "document",
            "no 'Commissioner Response' section",
        ),
        ("not-a-document-empty.txt", "document", "the document is empty"),
        (
            "not-a-document-awaiting-response.txt",
            "response_body",
            "no response yet",
        ),
        (
            "not-a-document-no-question-date.txt",
            "asked_on",
            "no 'Question Date' line",
        ),
    ] {
        for query in ["", "?dry_run=true"] {
            let response = app.import_as(Role::Secretariat, query, &fixture(name), &[]).await;
            let problem = response.assert_problem(422);
            let errors = problem["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "{name}: {problem}");
            assert_eq!(errors[0]["field"], field, "{name}: {problem}");
            let message = errors[0]["message"].as_str().unwrap();
            assert!(message.contains(reason), "{name}: {message}");
        }
    }
    // Read but not storable: a response dated in the future is a mistyped year.
    let future = PUBLISHED.replace("9 June 2022", "9 June 2122");
    app.import_as(Role::Secretariat, "", &future, &[])
        .await
        .assert_invalid("responded_on");
    assert_eq!(app.import_rows().await, before);
}

#[actix_web::test]
async fn every_document_of_the_family_is_imported_with_its_own_reference() {
    let app = spawn_app().await;
    let mut references = Vec::new();
    for name in [
        "call-handling-dotted-and-ordinal-dates.txt",
        "commissioners-response-tabs.txt",
        "fire-safety-crlf.txt",
        "markdown-no-asker-fused-numeric-date.txt",
        "named-panel-member.txt",
        "response-dated-before-question.txt",
        "rural-crime-fused-page-number.txt",
        "several-questions.txt",
    ] {
        let result = app.import(&fixture(name)).await;
        let question = app.anonymous().get(&question_of(&result)).await.json();
        assert_eq!(question["status"], "answered", "{name}");
        assert_eq!(question["responses"][0]["status"], "published", "{name}");
        assert!(question["title"].as_str().unwrap().chars().count() <= 300, "{name}");
        references.push(result["reference"].as_str().unwrap().to_string());
    }
    let mut unique = references.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), references.len(), "{references:?}");
    let panel = app
        .anonymous()
        .get("/api/v1/questions?asker_kind=panel_member")
        .await
        .json();
    assert!(
        !panel["items"].as_array().unwrap().is_empty(),
        "the named panel member's question"
    );
}

#[actix_web::test]
async fn the_file_name_is_cleaned_up_and_defaults_to_upload() {
    let app = spawn_app().await;
    let long = format!("{}.txt", "x".repeat(300));
    for (text, header, expected) in [
        (
            fixture("named-panel-member.txt"),
            Some("C:\\Users\\clerk\\question\t7.txt"),
            "question7.txt".to_string(),
        ),
        (fixture("several-questions.txt"), Some(long.as_str()), "x".repeat(200)),
        (fixture("commissioners-response-tabs.txt"), None, "upload".to_string()),
    ] {
        let headers: Vec<(&str, &str)> = header.map(|h| ("x-filename", h)).into_iter().collect();
        let response = app.import_as(Role::Secretariat, "", &text, &headers).await;
        assert_eq!(response.status, 201, "{}", response.text());
        let question = app.anonymous().get(&question_of(&response.json())).await.json();
        assert_eq!(question["source"]["name"], expected);
    }
}

#[actix_web::test]
async fn only_the_secretariat_and_admins_may_import() {
    let app = spawn_app().await;
    let anonymous = app.anonymous().post("/api/v1/imports").body(TEXT, PUBLISHED).await;
    anonymous.assert_problem(401);
    assert!(anonymous.header("www-authenticate").unwrap().starts_with("Bearer"));
    for role in [
        Role::PanelMember,
        Role::CommissionerOffice,
        Role::Force,
        Role::Integration,
    ] {
        app.import_as(role, "", PUBLISHED, &[]).await.assert_problem(403);
        app.import_as(role, "?dry_run=true", PUBLISHED, &[])
            .await
            .assert_problem(403);
    }
    app.db.assert_rows("questions", 0).await;
}

#[actix_web::test]
async fn a_body_that_is_not_utf8_plain_text_is_refused_before_anything_is_read() {
    let app = spawn_app().await;
    let token = app.token(Role::Secretariat, None);
    let post = |content_type: &'static str, body: Vec<u8>, query: &'static str| {
        let token = token.clone();
        let app = &app;
        async move {
            app.with_token(&token)
                .post(&format!("/api/v1/imports{query}"))
                .body(content_type, body)
                .await
        }
    };
    let json_body = serde_json::to_vec(&json!({"text": PUBLISHED})).unwrap();
    post("application/json", json_body, "").await.assert_problem(415);
    post("text/plain; charset=iso-8859-1", PUBLISHED.into(), "")
        .await
        .assert_problem(415);
    post("text/html", PUBLISHED.into(), "").await.assert_problem(415);
    // A Windows-1252 apostrophe (0x92), as a document saved from a word processor has it.
    let mut cp1252 = PUBLISHED.as_bytes().to_vec();
    cp1252.extend_from_slice(b"We don\x92t know.");
    let problem = post("text/plain", cp1252, "").await.assert_problem(400);
    assert!(problem["detail"].as_str().unwrap().contains("UTF-8"), "{problem}");
    let huge = format!("{PUBLISHED}{}", "x".repeat(70_000));
    post(TEXT, huge.into(), "").await.assert_problem(413);
    let problem = post(TEXT, PUBLISHED.into(), "?dry_run=maybe").await.assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "dry_run");
    let problem = post(TEXT, PUBLISHED.into(), "?force=true").await.assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "force");
    // Without a charset, text/plain is taken as UTF-8.
    assert_eq!(post("text/plain", PUBLISHED.into(), "").await.status, 201);
    app.db.assert_rows("questions", 1).await;
}

#[actix_web::test]
async fn one_idempotency_key_cannot_turn_a_dry_run_into_an_import() {
    let app = spawn_app().await;
    // Keys belong to a caller's Authorization header: one token throughout.
    let token = app.token(Role::Secretariat, None);
    let import = |query: &'static str, key: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let path = format!("/api/v1/imports{query}");
            let headers = [("idempotency-key", key)];
            app.with_token(&token)
                .post(&path)
                .body(TEXT, PUBLISHED)
                .headers(&headers)
                .await
        }
    };
    assert_eq!(import("?dry_run=true", "import-once").await.status, 200);
    // The same key for another request (the query differs) is refused, not replayed.
    import("", "import-once").await.assert_problem(422);
    let first = import("", "import-for-real").await;
    let replay = import("", "import-for-real").await;
    assert_eq!((first.status, replay.status), (201, 201), "{}", replay.text());
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    app.db.assert_rows("questions", 1).await;
}

/// Runs `scrutiny import ARGS` against the database at `database_url`.
fn scrutiny_import(database_url: &str, args: &[&Path]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("import")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SCRUTINY_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// A directory of the test's own for documents to import.
fn scratch_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("imports")
        .join(uuid::Uuid::now_v7().simple().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[actix_web::test]
async fn the_cli_imports_the_shared_fixtures_once_and_says_so_the_second_time() {
    let app = spawn_app().await;
    // `scrutiny import ../shared/fixtures/*.txt`, with the repository's copy of the
    // published document (CI's clone may sit anywhere).
    let files: Vec<PathBuf> = vec![published_path()];
    assert!(files.iter().any(|f| f.ends_with("public-question-2022-05-31.txt")));
    let args: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let first = scrutiny_import(&app.db.url, &args);
    assert!(first.status.success(), "{}{}", stdout(&first), stderr(&first));
    let printed = stdout(&first);
    let line = printed
        .lines()
        .find(|l| l.ends_with("public-question-2022-05-31.txt"))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(line.starts_with("created PQ-2022-"), "{printed}");
    assert!(printed.contains("  warning: questions: "), "{printed}");

    let question = app
        .anonymous()
        .get("/api/v1/questions?asked_from=2022-05-31&asked_to=2022-05-31")
        .await
        .json();
    let question = &question["items"][0];
    assert_eq!(question["status"], "answered");
    assert_eq!(question["source"]["name"], "public-question-2022-05-31.txt");
    assert_eq!(question["source"]["hash"], PUBLISHED_HASH);
    let detail = app.anonymous().get(&path_of("questions", question)).await.json();
    assert_eq!(detail["responses"][0]["responded_on"], "2022-06-09");
    assert_eq!(detail["responses"][0]["author"]["name"], "Ralph Butler");
    assert_eq!(
        detail["responses"][0]["author"]["position"],
        "Interim Joint Chief Executive"
    );
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE actor_kind = 'system' AND actor_id = 'cli' AND action = 'question.imported'")
            .await,
        files.len() as i64
    );

    let rows = app.import_rows().await;
    let again = scrutiny_import(&app.db.url, &args);
    assert!(again.status.success(), "{}", stderr(&again));
    let printed = stdout(&again);
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("already imported PQ-2022-") && l.ends_with("public-question-2022-05-31.txt")),
        "{printed}"
    );
    assert!(!printed.contains("created"), "{printed}");
    assert_eq!(app.import_rows().await, rows);
}

#[actix_web::test]
async fn the_cli_warns_about_a_fused_page_number_and_reports_in_json() {
    let app = spawn_app().await;
    let dir = scratch_dir();
    let fused = dir.join("public-question-2022-05-31-original.txt");
    std::fs::write(&fused, with_fused_page_number()).unwrap();
    let output = scrutiny_import(&app.db.url, &[&fused]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.starts_with("created PQ-2022-0001 "), "{printed}");
    let warning = printed
        .lines()
        .find(|l| l.starts_with("  warning: responded_on: "))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(warning.contains("2144"), "{warning}");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["import", "--format", "json"])
        .arg(&fused)
        .env("DATABASE_URL", &app.db.url)
        .env("SCRUTINY_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let reports: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let report = &reports[0];
    assert_eq!(report["file"], fused.display().to_string());
    assert_eq!(report["outcome"], "already_imported");
    assert_eq!(report["reference"], "PQ-2022-0001");
    assert!(report["question_id"].is_string());
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["field"] == "responded_on" && w["message"].as_str().unwrap().contains("2144")));
}

#[actix_web::test]
async fn a_file_that_fails_makes_the_cli_fail_but_the_good_files_are_still_imported() {
    let app = spawn_app().await;
    let dir = scratch_dir();
    let latin1 = dir.join("latin1.txt");
    std::fs::write(&latin1, b"Question(s) Posed:\n\nWe don\x92t know.\n").unwrap();
    let missing = dir.join("missing.txt");
    let agenda = fixture_path("not-a-document-agenda.txt");
    let good = published_path();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["import", "--format", "json"])
        .args([&agenda, &good, &latin1, &missing])
        .env("DATABASE_URL", &app.db.url)
        .env("SCRUTINY_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("3 of 4 file(s) could not be imported"),
        "{}",
        stderr(&output)
    );
    let reports: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let outcomes = field_of_each(&reports, "outcome");
    assert_eq!(outcomes, ["failed", "created", "failed", "failed"]);
    assert_eq!(reports[0]["errors"][0]["field"], "document");
    assert!(reports[0]["reason"].as_str().unwrap().contains("Commissioner Response"));
    assert!(reports[2]["reason"].as_str().unwrap().contains("not UTF-8"));
    assert!(reports[3]["reason"].as_str().unwrap().contains("cannot read it"));
    app.db.assert_rows("questions", 1).await;
    app.db.assert_rows("responses", 1).await;

    // In text, each failure is a line with its reason.
    let output = scrutiny_import(&app.db.url, &[&agenda]);
    assert!(!output.status.success());
    let printed = stdout(&output);
    assert!(
        printed.starts_with(&format!("failed {}: ", agenda.display())),
        "{printed}"
    );
}

#[actix_web::test]
async fn a_cli_dry_run_needs_no_database_and_writes_nothing() {
    let app = spawn_app().await;
    // Were it to look for a database, with no DATABASE_URL it would start a private
    // cluster in its data directory.
    let data_dir = scratch_dir().join("data");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["import", "--dry-run"])
        .arg(published_path())
        .env_remove("DATABASE_URL")
        .env_remove("SCRUTINY_JWT_SECRET")
        .env("SCRUTINY_DATA_DIR", &data_dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!data_dir.exists(), "a dry run looked for a database");
    let printed = stdout(&output);
    assert!(
        printed.starts_with("parsed ")
            && printed.contains(
                "public-question-2022-05-31.txt: asked 2022-05-31, answered 2022-06-09 by Ralph Butler \
                 (Interim Joint Chief Executive)"
            ),
        "{printed}"
    );
    assert!(printed.contains("  warning: questions: "), "{printed}");

    // Not even an unreachable database is noticed; a bad file still fails the run.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["import", "--dry-run", "--format", "json"])
        .arg(published_path())
        .arg(fixture_path("not-a-document-awaiting-response.txt"))
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let reports: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(reports[0]["outcome"], "parsed");
    assert_eq!(reports[0]["document"]["responded_on"], "2022-06-09");
    assert_eq!(reports[1]["outcome"], "failed");
    assert_eq!(reports[1]["errors"][0]["field"], "response_body");

    // With the test database configured, a dry run still writes nothing to it.
    let before = app.import_rows().await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"));
    let output = command
        .args(["import", "--dry-run"])
        .arg(published_path())
        .env("DATABASE_URL", &app.db.url)
        .env("SCRUTINY_JWT_SECRET", JWT_SECRET)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(app.import_rows().await, before);
}

#[actix_web::test]
async fn a_document_with_a_character_no_text_may_hold_is_a_422_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.import_rows().await;
    for (text, field) in [
        (PUBLISHED.replace("urgently.", "urgently\u{FFFF}."), "questions"),
        (
            PUBLISHED.replace("Child Protection Improvement Programme", "Child\u{FDD0}Protection"),
            "response_body",
        ),
        (
            PUBLISHED.replace("Ralph Butler", "Ralph\u{1FFFE} Butler"),
            "author_name",
        ),
    ] {
        for query in ["", "?dry_run=true"] {
            let problem = app
                .import_as(Role::Secretariat, query, &text, &[])
                .await
                .assert_problem(422);
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains("noncharacter")),
                "{field}: {problem}"
            );
        }
    }
    assert_eq!(app.import_rows().await, before);
}

#[actix_web::test]
async fn a_document_is_read_in_nfc_and_recognised_however_its_accents_were_saved() {
    let app = spawn_app().await;
    let precomposed = PUBLISHED.replace("urgently.", "urgently on Ynys M\u{F4}n.");
    let decomposed = PUBLISHED.replace("urgently.", "urgently on Ynys Mo\u{302}n.");
    let created = app.import(&decomposed).await;
    let question = app.as_admin().get(&question_of(&created)).await.json();
    assert!(
        question["body"].as_str().unwrap().contains("Ynys M\u{F4}n"),
        "{question}"
    );
    let again = app.import_as(Role::Secretariat, "", &precomposed, &[]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["outcome"], "already_imported");
}

// Minutes and "Question by / Response by" pages: several questions to one meeting.

/// A panel that takes questions to the Commissioner and the Panel (and supplementaries),
/// its meeting on `held_on`, and one force to pass questions to. Returns the meeting.
async fn minutes_meeting(app: &TestApp, held_on: &str) -> Value {
    let panel = app
        .create_organisation(&format!("Panel {}", uuid::Uuid::now_v7()), "panel")
        .await;
    let panel_id = panel["id"].as_str().unwrap();
    let rules = app
        .as_admin()
        .request("PUT", &format!("/api/v1/organisations/{panel_id}/question-rules"))
        .json(&crate::helpers::question_rules_body(
            json!({"addressees": ["commissioner", "panel"]}),
        ))
        .await;
    assert_eq!(rules.status, 200, "{}", rules.text());
    app.create_organisation(&format!("Force {}", uuid::Uuid::now_v7()), "force")
        .await;
    let meeting = app
        .as_admin()
        .post("/api/v1/meetings")
        .json(&json!({
            "organisation_id": panel_id, "kind": "panel_meeting",
            "title": "Police, Fire and Crime Panel", "held_on": held_on
        }))
        .await;
    assert_eq!(meeting.status, 201, "{}", meeting.text());
    meeting.json()
}

fn outcomes(result: &Value) -> Vec<(String, String)> {
    result["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["outcome"].as_str().unwrap().to_string(),
                q["minutes_outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[actix_web::test]
async fn public_question_time_minutes_become_the_meetings_questions_with_their_outcomes() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2022-11-14").await;
    let meeting_id = meeting["id"].as_str().unwrap();
    let response = app
        .import_as(
            Role::Secretariat,
            &format!("?meeting_id={meeting_id}"),
            &fixture("supplementary-verbal-2022-11.txt"),
            &[("x-filename", "supplementary-verbal-2022-11.txt")],
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let result = response.json();
    assert_eq!(result["kind"], "minutes");
    assert_eq!(result["meeting_id"], meeting["id"]);
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("created", "answered"),
            ("created", "answered"),
            ("created", "answered"),
            ("created", "not_accepted"),
        ])
    );
    assert_eq!(result["summary"]["created"], 4);
    let questions = result["questions"].as_array().unwrap();
    let statuses: Vec<&str> = questions.iter().map(|q| q["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["answered", "answered", "answered", "rejected"]);

    // The first: Mr Achterberg's, answered verbally at the meeting with figures promised
    // in writing within 20 working days of it.
    let first = app.as_admin().get(&question_of(&questions[0])).await.json();
    assert_eq!(first["asker"]["display_name"], "Mr Jon Achterberg");
    assert_eq!(first["meeting_id"], meeting["id"]);
    assert_eq!(first["asked_on"], "2022-11-14");
    assert_eq!(first["addressed_to"], "commissioner");
    assert_eq!(first["source"]["name"], "supplementary-verbal-2022-11.txt");
    assert_eq!(first["source"]["hash"], questions[0]["key"]);
    let answer = &first["responses"][0];
    assert_eq!(answer["kind"], "verbal");
    assert_eq!(answer["meeting_id"], meeting["id"]);
    assert_eq!(answer["follow_up_due_on"], "2022-12-12");
    assert_eq!(questions[0]["follow_up_due_on"], "2022-12-12");
    // The supplementary, linked to it under the same asker.
    let supplementary = app.as_admin().get(&question_of(&questions[1])).await.json();
    assert_eq!(supplementary["parent_question_id"], first["id"]);
    assert_eq!(supplementary["asker"]["display_name"], "Mr Jon Achterberg");
    assert_eq!(questions[1]["supplementary_to"], 1);
    // Put to the Panel, answered by its chair.
    let third = app.as_admin().get(&question_of(&questions[2])).await.json();
    assert_eq!(third["addressed_to"], "panel");
    assert_eq!(third["responses"][0]["author"]["name"], "The Chair");
    // Not accepted, as an individual complaint, and so not public.
    let fourth = app.as_admin().get(&question_of(&questions[3])).await.json();
    assert_eq!(fourth["rejection_reason_code"], "individual_complaint");
    assert_eq!(app.anonymous().get(&question_of(&questions[3])).await.status, 404);
    // Each line number points at the document.
    assert_eq!(questions[0]["lines"]["first"], 9);
    assert!(questions[0]["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["what"] == "follow_up"));
    // The same audit trail as questions put through the API.
    let audited = app
        .db
        .count("SELECT count(*) AS n FROM audit_events WHERE action = 'question.supplementary_recorded'")
        .await;
    assert_eq!(audited, 1);
}

#[actix_web::test]
async fn the_agenda_item_minutes_pass_a_question_to_the_force_and_report_the_action_unread() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2023-03-20").await;
    let response = app
        .import_as(
            Role::Admin,
            "?meeting_date=2023-03-20",
            &fixture("minutes-agenda-item-2023-03.txt"),
            &[],
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let result = response.json();
    assert_eq!(result["meeting_id"], meeting["id"]);
    assert_eq!(
        outcomes(&result),
        pairs(&[
            ("created", "answered"),
            ("created", "referred"),
            ("created", "answered")
        ])
    );
    let referred = app.as_admin().get(&question_of(&result["questions"][1])).await.json();
    assert_eq!(referred["status"], "referred");
    assert_eq!(referred["referral_reason_code"], "operational_matter");
    assert_eq!(result["unread"].as_array().unwrap().len(), 1);
    assert_eq!(result["unread"][0]["lines"]["first"], 27);
    assert_eq!(result["summary"]["unread"], 1);
}

#[actix_web::test]
async fn a_question_by_response_by_page_finds_its_meeting_by_the_date_it_states() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2024-02-09").await;
    let text = fixture("question-by-response-by-2024-02.txt");
    let response = app.import_as(Role::Secretariat, "", &text, &[]).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let result = response.json();
    assert_eq!(result["kind"], "question_by_response_by");
    assert_eq!(result["meeting_id"], meeting["id"]);
    assert_eq!(
        outcomes(&result),
        pairs(&[("created", "answered"), ("created", "answered")])
    );
    let first = &result["questions"][0];
    assert_eq!(first["asker_display_name"], "Ms Dana Okafor");
    assert_eq!(first["addressed_to"], "panel");
    assert_eq!(first["answered_by"], "Councillor Lewis Marsh (Chair)");
    // Guessed: whom it was put to, and that the answer was given at the meeting.
    assert!(first["warnings"].as_array().unwrap().len() >= 2, "{first}");
    // A meeting on another day than the page states is refused.
    let other = minutes_meeting(&app, "2024-02-10").await;
    let other_id = other["id"].as_str().unwrap();
    app.import_as(Role::Secretariat, &format!("?meeting_id={other_id}"), &text, &[])
        .await
        .assert_invalid("meeting_id");
}

#[actix_web::test]
async fn importing_minutes_again_adds_only_the_questions_not_imported_before() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2024-01-18").await;
    let query = format!("?meeting_id={}", meeting["id"].as_str().unwrap());
    let full = fixture("minutes-roman-numbered-2024-01.txt");
    // The minutes as first published, without their last question.
    let (first_part, _) = full.split_once("(iv)").unwrap();
    let first = app.import_as(Role::Secretariat, &query, first_part, &[]).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.json()["summary"]["created"], 3);
    let rows = app.import_rows().await;
    // Again, as they are: nothing new.
    let again = app.import_as(Role::Secretariat, &query, first_part, &[]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["outcome"], "already_imported");
    assert_eq!(app.import_rows().await, rows);
    // Republished with one more question, renumbered and reflowed: only that one.
    let republished = full.replace("(i) ", "1. ").replace("\n\nThe PCC", "\nThe PCC");
    let dry = app
        .import_as(Role::Secretariat, &format!("{query}&dry_run=true"), &republished, &[])
        .await;
    assert_eq!(dry.status, 200, "{}", dry.text());
    assert_eq!(
        outcomes(&dry.json()),
        pairs(&[
            ("already_imported", "answered"),
            ("already_imported", "referred"),
            ("already_imported", "written_reply_promised"),
            ("parsed", "no_outcome"),
        ])
    );
    assert_eq!(app.import_rows().await, rows, "a dry run writes nothing");
    let more = app.import_as(Role::Secretariat, &query, &republished, &[]).await;
    assert_eq!(more.status, 201, "{}", more.text());
    let more = more.json();
    assert_eq!(more["summary"]["created"], 1);
    assert_eq!(more["summary"]["already_imported"], 3);
    assert_eq!(more["questions"][3]["status"], "accepted");
}

#[actix_web::test]
async fn minutes_in_other_words_import_with_a_written_answer_a_deferral_and_a_ruling() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2021-07-15").await;
    let query = format!("?meeting_id={}", meeting["id"].as_str().unwrap());
    for (name, expected) in [
        (
            "minutes-fire-audits-2021-07.txt",
            pairs(&[
                ("created", "answered"),
                ("created", "answered"),
                ("created", "deferred"),
                ("created", "not_accepted"),
            ]),
        ),
        (
            "question-time-markdown-2025-03.txt",
            pairs(&[
                ("created", "answered"),
                ("created", "answered"),
                ("created", "referred"),
            ]),
        ),
    ] {
        let response = app.import_as(Role::Secretariat, &query, &fixture(name), &[]).await;
        assert_eq!(response.status, 201, "{name}: {}", response.text());
        assert_eq!(outcomes(&response.json()), expected, "{name}");
    }
    let written = app
        .as_admin()
        .get(&format!(
            "/api/v1/questions?meeting_id={}&limit=50",
            meeting["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(written.status, 200, "{}", written.text());
}

#[actix_web::test]
async fn minutes_without_a_meeting_or_that_are_no_minutes_are_a_422_and_write_nothing() {
    let app = spawn_app().await;
    minutes_meeting(&app, "2022-11-14").await;
    let before = app.import_rows().await;
    for query in ["", "?dry_run=true"] {
        let problem = app
            .import_as(
                Role::Secretariat,
                query,
                &fixture("supplementary-verbal-2022-11.txt"),
                &[],
            )
            .await
            .assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "meeting_id", "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("meeting_date"),
            "{problem}"
        );
    }
    for (query, field) in [
        ("?meeting_date=2022-11-15", "meeting_date"),
        ("?meeting_id=01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "meeting_id"),
        (
            "?meeting_id=01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b&meeting_date=2022-11-14",
            "meeting_date",
        ),
        ("?meeting_date=14/11/2022", "meeting_date"),
    ] {
        app.import_as(
            Role::Secretariat,
            query,
            &fixture("supplementary-verbal-2022-11.txt"),
            &[],
        )
        .await
        .assert_invalid(field);
    }
    let problem = app
        .import_as(
            Role::Secretariat,
            "?meeting_date=2022-11-14",
            &fixture("not-a-document-press-release.txt"),
            &[],
        )
        .await
        .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "document");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("neither"));
    assert_eq!(app.import_rows().await, before);
}

#[actix_web::test]
async fn minutes_none_of_whose_questions_can_be_stored_are_a_422_naming_each() {
    let app = spawn_app().await;
    // A meeting of a panel that takes questions to the Commissioner only, with no force:
    // the page's first question is put to the Panel, the second cannot be referred.
    let meeting = app.create_meeting("panel_meeting", "2025-03-06").await;
    let query = format!("?meeting_id={}", meeting["id"].as_str().unwrap());
    let text = "Question by Mrs Ann Bell\n\nWhy was the Panel not told?\n\nResponse by the Chair\n\n\
                The Chair said that the Panel had been told in January.\n\n\
                Question by Mr Carl Dean\n\nWhy was the station closed?\n\nResponse by the Chair\n\n\
                The Chair said that the question would be passed to the force.\n";
    let before = app.import_rows().await;
    let problem = app
        .import_as(Role::Secretariat, &query, text, &[])
        .await
        .assert_problem(422);
    let fields = field_of_each(&problem["errors"], "field");
    assert_eq!(fields, [json!("questions[1]"), json!("questions[2]")], "{problem}");
    assert_eq!(app.import_rows().await, before);
}

#[actix_web::test]
async fn the_cli_imports_minutes_into_the_meeting_of_the_date_given_and_reports_each_question() {
    let app = spawn_app().await;
    minutes_meeting(&app, "2022-11-14").await;
    let minutes = fixture_path("supplementary-verbal-2022-11.txt");
    // Without a meeting, even a dry run says what is missing.
    let dry = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["import", "--dry-run"])
        .arg(&minutes)
        .output()
        .unwrap();
    assert!(!dry.status.success());
    assert!(
        stdout(&dry).contains("--meeting-id or --meeting-date"),
        "{}",
        stdout(&dry)
    );
    let date = Path::new("--meeting-date=2022-11-14");
    let first = scrutiny_import(&app.db.url, &[date, &minutes]);
    assert!(first.status.success(), "{}{}", stdout(&first), stderr(&first));
    let printed = stdout(&first);
    assert!(printed.starts_with("created "), "{printed}");
    assert!(printed.contains("4 question(s): 4 created"), "{printed}");
    assert!(printed.contains("not_accepted by A member of the public"), "{printed}");
    let again = scrutiny_import(&app.db.url, &[date, Path::new("--format=json"), &minutes]);
    assert!(again.status.success(), "{}{}", stdout(&again), stderr(&again));
    let report: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(report[0]["outcome"], "already_imported");
    assert_eq!(report[0]["minutes"]["summary"]["already_imported"], 4);
    assert_eq!(
        app.db
            .count("SELECT count(*) AS n FROM audit_events WHERE actor_id = 'cli' AND action = 'question.created'")
            .await,
        3
    );
}

#[actix_web::test]
async fn personal_details_in_imported_text_are_warned_about_in_the_report_not_echoed() {
    let app = spawn_app().await;
    let meeting = minutes_meeting(&app, "2025-03-10").await;
    let meeting_id = meeting["id"].as_str().unwrap();
    let minutes = fixture("question-time-markdown-2025-03.txt").replace(
        "Why has the number of PCSOs in the borough fallen by a third since 2022?",
        "Why has the number of PCSOs in the borough fallen by a third since 2022? Please reply to \
         ben.carter@example.org or 07700 900123.",
    );
    let report = app
        .import_as(
            Role::Secretariat,
            &format!("?meeting_id={meeting_id}&dry_run=true"),
            &minutes,
            &[],
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text());
    let report = report.json();
    let warnings = report["questions"][0]["warnings"].to_string();
    assert!(
        warnings.contains("the question appears to hold an e-mail address and a telephone number"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("example.org") && !warnings.contains("900123"),
        "{warnings}"
    );
    let others = report["questions"][1]["warnings"].to_string();
    assert!(!others.contains("appears to hold"), "{others}");

    // The one-question document: its response naming a resident's postcode.
    let published = PUBLISHED.replacen(
        "Commissioner Response:\n",
        "Commissioner Response:\n\nWe wrote to the resident at ST16 2DH.\n",
        1,
    );
    assert_ne!(published, PUBLISHED);
    let result = app.import_as(Role::Secretariat, "?dry_run=true", &published, &[]).await;
    assert_eq!(result.status, 200, "{}", result.text());
    let result = result.json();
    let spotted: Vec<&Value> = result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains("appears to hold"))
        .collect();
    assert_eq!(spotted.len(), 1, "{result:#}");
    assert_eq!(spotted[0]["field"], "response_body");
    assert!(spotted[0]["message"].as_str().unwrap().contains("a postcode"));
}
