//! `POST /api/v1/programmes/{id}/import`: improvement plans from CSV and XLSX.

use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, TestResponse};
use scrutiny::domain::auth::Role;

const PLAN_CSV: &str = include_str!("../../fixtures/plans/improvement-plan-2022.csv");
const PLAN_XLSX: &[u8] = include_bytes!("../../fixtures/plans/improvement-plan-2022.xlsx");
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A force, a report with recommendations R1–R5 and R9, and a programme answering it.
async fn programme(app: &TestApp) -> Value {
    let force = app.create_organisation("Staffordshire Police", "force").await;
    let inspectorate = app.create_organisation("HMICFRS", "inspectorate").await;
    let report = app.create_report(&inspectorate, &force, "2022-04-07").await;
    for reference in ["R1", "R2", "R3", "R4", "R5", "R9"] {
        app.create_recommendation(&report, reference, &force).await;
    }
    app.create_programme(&force, &[&report]).await
}

async fn import(app: &TestApp, programme: &Value, query: &str, content_type: &str, body: &[u8]) -> TestResponse {
    app.as_admin()
        .post(&format!(
            "/api/v1/programmes/{}/import{query}",
            programme["id"].as_str().unwrap()
        ))
        .header("x-filename", "plan")
        .body(content_type, body.to_vec())
        .await
}

/// Imports (not a dry run) and returns the report, which must be a 200.
async fn commit(app: &TestApp, programme: &Value, content_type: &str, body: &[u8]) -> Value {
    let response = import(app, programme, "?dry_run=false", content_type, body).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

fn outcomes(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["outcome"].as_str().unwrap().to_string())
        .collect()
}

fn row<'a>(report: &'a Value, reference: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["recognised"]["reference"] == reference)
        .unwrap_or_else(|| panic!("no row {reference} in {report:#}"))
}

/// How many rows the tables an import writes to hold, together.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "actions",
        "action_recommendations",
        "action_updates",
        "audit_events",
        "events",
    ] {
        counts.push(app.db.count(&format!("SELECT count(*) AS n FROM {table}")).await);
    }
    counts
}

async fn action(app: &TestApp, id: &Value) -> Value {
    let response = app
        .anonymous()
        .get(&format!("/api/v1/actions/{}", id.as_str().unwrap()))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

async fn updates_of(app: &TestApp, id: &Value) -> Vec<Value> {
    let response = app
        .anonymous()
        .get(&format!("/api/v1/actions/{}/updates?limit=100", id.as_str().unwrap()))
        .await;
    response.json()["items"].as_array().unwrap().clone()
}

/// What both published fixtures must come to: every row an action, as the plan says.
async fn assert_fixture_imported(app: &TestApp, report: &Value, first_row: u64) {
    assert_eq!(
        report["counts"],
        json!({"rows": 7, "created": 7, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 0}),
        "{report:#}"
    );
    let rows: Vec<u64> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, (first_row..first_row + 7).collect::<Vec<_>>());
    let expected = [
        ("1.1", "completed", 100, "2022-09-30", 1),
        ("1.2", "in_progress", 60, "2022-12-31", 1),
        ("2.1", "in_progress", 40, "2023-03-31", 1),
        ("2.2", "blocked", 10, "2023-03-31", 2),
        ("3.1", "in_progress", 80, "2022-10-31", 1),
        ("4.1", "completed", 100, "2022-08-31", 1),
        ("5.1", "in_progress", 50, "2022-11-30", 1),
    ];
    for (reference, status, percent, due_on, recommendations) in expected {
        let row = row(report, reference);
        assert_eq!(row["recognised"]["due_on"], due_on, "{reference}");
        let action = action(app, &row["action_id"]).await;
        assert_eq!(action["reference"], reference);
        assert_eq!(action["status"], status, "{reference}");
        assert_eq!(action["progress_percent"], percent, "{reference}");
        assert_eq!(action["due_on"], due_on, "{reference}");
        assert_eq!(
            action["recommendation_ids"].as_array().unwrap().len(),
            recommendations,
            "{reference}"
        );
        assert_eq!(action["programme_id"], report["programme_id"]);
        let updates = updates_of(app, &row["action_id"]).await;
        assert_eq!(
            updates.len(),
            1,
            "{reference}: one update brings it to where the plan says"
        );
    }
    let escalation = action(app, &row(report, "2.2")["action_id"]).await;
    assert_eq!(
        escalation["owner"]["post_title"],
        "Detective Superintendent Public Protection"
    );
    assert_eq!(escalation["starts_on"], "2022-09-01");
    let update = &updates_of(app, &row(report, "2.2")["action_id"]).await[0];
    assert_eq!(
        update["body"],
        "Delayed: partner resourcing. Revised date to be set at next SGB."
    );
    let quarter = &row(report, "2.2")["conversions"];
    assert!(
        quarter.to_string().contains("quarter 4 of the financial year 2022/23"),
        "{quarter}"
    );
    let month = &row(report, "2.1")["conversions"];
    assert!(month.to_string().contains("Mar-23"), "{month}");
    // 5.1 has no commentary: its update says where its standing came from.
    let silent = &updates_of(app, &row(report, "5.1")["action_id"]).await[0];
    assert!(
        silent["body"].as_str().unwrap().contains("improvement plan"),
        "{silent}"
    );
}

#[actix_web::test]
async fn the_published_csv_plan_imports_with_every_row_accounted_for() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let report = commit(&app, &programme, "text/csv", PLAN_CSV.as_bytes()).await;
    assert_eq!(report["format"], "csv");
    assert_eq!(report["header_row"], 1);
    assert_eq!(report["dry_run"], false);
    assert_fixture_imported(&app, &report, 2).await;
    app.db.assert_audited("action.created", 7).await;
}

#[actix_web::test]
async fn the_published_xlsx_plan_imports_below_its_title_rows_with_its_merged_reference() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    // Sent as octet-stream: the content, not the type, says it is XLSX.
    let report = commit(&app, &programme, "application/octet-stream", PLAN_XLSX).await;
    assert_eq!(report["format"], "xlsx");
    assert_eq!(report["sheet"], "Action plan");
    assert_eq!(report["header_row"], 4);
    assert_fixture_imported(&app, &report, 5).await;
    let merged = row(&report, "1.2");
    assert_eq!(merged["recognised"]["recommendation_refs"], json!(["R1"]));
    assert!(
        merged["conversions"].to_string().contains("merged with B5"),
        "{merged:#}"
    );
    assert!(merged["conversions"].to_string().contains("fraction 0.6"), "{merged:#}");
    let serial = row(&report, "1.1");
    assert!(serial["conversions"].to_string().contains("44834"), "{serial:#}");
}

#[actix_web::test]
async fn a_dry_run_is_the_default_and_writes_nothing() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let before = written(&app).await;
    let response = import(&app, &programme, "", "text/csv", PLAN_CSV.as_bytes()).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["counts"]["created"], 7);
    assert_eq!(row(&report, "2.2")["recognised"]["status"], "blocked");
    assert_eq!(row(&report, "2.2")["action_id"], Value::Null);
    let xlsx = import(&app, &programme, "?dry_run=true", XLSX_TYPE, PLAN_XLSX).await;
    assert_eq!(xlsx.json()["counts"]["created"], 7, "{}", xlsx.text());
    assert_eq!(written(&app).await, before, "a dry run writes nothing");
}

#[actix_web::test]
async fn re_importing_posts_one_update_for_a_changed_row_and_nothing_for_an_unchanged_plan() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let first = commit(&app, &programme, "text/csv", PLAN_CSV.as_bytes()).await;
    let before = written(&app).await;
    let again = commit(&app, &programme, "text/csv", PLAN_CSV.as_bytes()).await;
    assert_eq!(outcomes(&again), vec!["unchanged"; 7]);
    assert_eq!(written(&app).await, before, "an unchanged plan writes nothing");

    let moved = PLAN_CSV.replace(
        "Green,60%,\"Prompt built and in user testing.\"",
        "Amber,70%,\"Prompt in user testing; two defects to fix.\"",
    );
    assert_ne!(moved, PLAN_CSV);
    let report = commit(&app, &programme, "text/csv", moved.as_bytes()).await;
    assert_eq!(report["counts"]["updated"], 1, "{report:#}");
    assert_eq!(report["counts"]["unchanged"], 6);
    let id = &row(&first, "1.2")["action_id"];
    assert_eq!(row(&report, "1.2")["action_id"], *id);
    let updates = updates_of(&app, id).await;
    assert_eq!(updates.len(), 2, "exactly one more update");
    assert_eq!(updates[1]["body"], "Prompt in user testing; two defects to fix.");
    assert_eq!(updates[1]["progress_percent"], 70);
    assert_eq!(action(&app, id).await["progress_percent"], 70);

    // The references match ignoring case; a due date moved in the plan is reported,
    // not written.
    let recased = moved
        .replace("2.1,R2,", "2.1,r2,")
        .replace("13/06/2022,Mar-23", "13/06/2022,Jun-23");
    let report = commit(&app, &programme, "text/csv", recased.as_bytes()).await;
    assert_eq!(outcomes(&report), vec!["unchanged"; 7]);
    assert!(row(&report, "2.1")["warnings"]
        .to_string()
        .contains("not changed by an import"));
    assert_eq!(
        action(&app, &row(&first, "2.1")["action_id"]).await["due_on"],
        "2023-03-31"
    );
}

/// An XLSX workbook written by `build` on its first worksheet.
fn xlsx(build: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    build(sheet);
    workbook.save_to_buffer().unwrap()
}

#[actix_web::test]
async fn another_layout_with_synonyms_merged_references_and_every_date_and_percentage_form_imports() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let percent = Format::new().set_num_format("0%");
    let file = xlsx(|s| {
        s.write_string(0, 0, "Force Improvement Plan 2023").unwrap();
        s.write_string(1, 0, "Version 3, as at 1 April 2023").unwrap();
        let headings = [
            "Action No.",
            "Rec Ref",
            "Description",
            "Lead",
            "Start",
            "Deadline",
            "Status",
            "Progress",
            "Commentary",
            "Success criteria",
            "Notes for the board (not imported)",
        ];
        for (c, heading) in headings.iter().enumerate() {
            s.write_string(3, c as u16, *heading).unwrap();
        }
        let rows: [[&str; 10]; 6] = [
            [
                "A1",
                "",
                "Train staff",
                "Head of Training",
                "",
                "31/03/2023",
                "On track",
                "60%",
                "Going well",
                "All trained",
            ],
            [
                "A2",
                "",
                "Audit referrals",
                "Head of Audit",
                "01/02/2023",
                "31 October 2023",
                "Complete",
                "",
                "Done",
                "Audited",
            ],
            [
                "A3",
                "R2",
                "Write a policy",
                "Head of Policy",
                "01/02/2023",
                "Mar-24",
                "Not started",
                "0",
                "",
                "Published",
            ],
            ["Theme 2: partnership", "", "", "", "", "", "", "", "", ""],
            [
                "A4",
                "",
                "Agree a protocol",
                "Head of Partnerships",
                "01/02/2023",
                "Q4 2023/24",
                "Amber",
                "",
                "",
                "",
            ],
            [
                "A5",
                "R3",
                "Check supervision",
                "Head of Crime",
                "01/02/2023",
                "",
                "Green",
                "60",
                "",
                "Checked",
            ],
        ];
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    s.write_string(4 + r as u32, c as u16, *text).unwrap();
                }
            }
        }
        // A1 and A2 under one merged reference cell.
        s.merge_range(4, 1, 5, 1, "R1; R2", &Format::new()).unwrap();
        // A date cell (a serial with a date format) and a plain serial number.
        s.write_number_with_format(4, 4, 45000.0, &date).unwrap();
        s.write_number(9, 5, 45382.0).unwrap();
        // Percentages kept as fractions, as Excel keeps "100%" and "60%".
        s.write_number_with_format(5, 7, 1.0, &percent).unwrap();
        s.write_number_with_format(8, 7, 0.6, &percent).unwrap();
    });
    let report = commit(&app, &programme, XLSX_TYPE, &file).await;
    assert_eq!(report["header_row"], 4);
    assert_eq!(
        report["counts"],
        json!({"rows": 6, "created": 5, "updated": 0, "unchanged": 0, "failed": 0, "skipped": 1}),
        "{report:#}"
    );
    assert_eq!(outcomes(&report)[3], "skipped", "the theme heading is not an action");
    let expected = [
        ("A1", "2023-03-15", "2023-03-31", "in_progress", 60, 2),
        ("A2", "2023-02-01", "2023-10-31", "completed", 100, 2),
        ("A3", "2023-02-01", "2024-03-31", "planned", 0, 1),
        ("A4", "2023-02-01", "2024-03-31", "in_progress", 60, 1),
        ("A5", "2023-02-01", "2024-03-31", "in_progress", 60, 1),
    ];
    for (reference, starts_on, due_on, status, progress, recommendations) in expected {
        let row = row(&report, reference);
        let action = action(&app, &row["action_id"]).await;
        assert_eq!(
            (
                &action["starts_on"],
                &action["due_on"],
                &action["status"],
                &action["progress_percent"]
            ),
            (&json!(starts_on), &json!(due_on), &json!(status), &json!(progress)),
            "{reference}: {row:#}"
        );
        assert_eq!(
            action["recommendation_ids"].as_array().unwrap().len(),
            recommendations,
            "{reference}"
        );
    }
    let lead = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["header"] == "Lead")
        .unwrap();
    assert_eq!((&lead["column"], &lead["field"]), (&json!("D"), &json!("owner")));
    let notes = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "K")
        .unwrap();
    assert_eq!(notes["field"], Value::Null, "a heading no synonym names is not read");
    assert!(
        row(&report, "A4")["warnings"]
            .to_string()
            .contains("same as row 7 above"),
        "{report:#}"
    );
    assert!(row(&report, "A5")["conversions"].to_string().contains("45382"));
    assert_eq!(
        updates_of(&app, &row(&report, "A3")["action_id"]).await.len(),
        0,
        "planned at 0 %: no update"
    );
    // A4 has no measure of success: it is said so, and the report says the default.
    assert!(row(&report, "A4")["warnings"]
        .to_string()
        .contains("measure of success"));
}

#[actix_web::test]
async fn a_row_that_cannot_be_imported_is_reported_with_its_reason_and_the_others_go_in() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let file = xlsx(|s| {
        for (c, heading) in [
            "Ref",
            "Recommendation",
            "Action",
            "Owner",
            "Start date",
            "Due date",
            "RAG",
            "% complete",
        ]
        .iter()
        .enumerate()
        {
            s.write_string(0, c as u16, *heading).unwrap();
        }
        let rows: [[&str; 8]; 5] = [
            ["B1", "R1", "Fine", "Head", "01/02/2023", "31/03/2023", "Green", "50%"],
            [
                "B2",
                "R77",
                "Unknown recommendation",
                "Head",
                "01/02/2023",
                "31/03/2023",
                "Green",
                "50%",
            ],
            [
                "B3",
                "R1",
                "Out of range",
                "Head",
                "01/02/2023",
                "31/03/2150",
                "Green",
                "50%",
            ],
            ["B4", "R1", "Formula", "Head", "01/02/2023", "", "Green", "50%"],
            [
                "B5",
                "R1",
                "Colour unknown",
                "Head",
                "01/02/2023",
                "31/03/2023",
                "Purple",
                "150%",
            ],
        ];
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    s.write_string(1 + r as u32, c as u16, *text).unwrap();
                }
            }
        }
        // Saved without its result, as a program that does not calculate writes it.
        s.set_formula_result_default("");
        s.write_formula(4, 5, Formula::new("=E5+30")).unwrap();
    });
    let report = commit(&app, &programme, XLSX_TYPE, &file).await;
    assert_eq!(
        outcomes(&report),
        vec!["created", "failed", "failed", "failed", "failed"],
        "{report:#}"
    );
    let errors = |reference: &str| row(&report, reference)["errors"].to_string();
    assert!(errors("B2").contains("no recommendation R77"), "{}", errors("B2"));
    assert!(errors("B3").contains("outside"), "{}", errors("B3"));
    assert!(errors("B4").contains("formula =E5+30"), "{}", errors("B4"));
    assert!(
        errors("B5").contains("Purple") && errors("B5").contains("150%"),
        "{}",
        errors("B5")
    );
    assert_eq!(row(&report, "B3")["row"], 4);
    app.db.assert_count("SELECT count(*) AS n FROM actions", 1).await;

    // The status table can be told what purple means.
    let response = import(&app, &programme, "?statuses=purple:blocked", XLSX_TYPE, &file).await;
    assert!(
        !response.json()["rows"][4]["errors"].to_string().contains("Purple"),
        "{}",
        response.text()
    );
}

#[actix_web::test]
async fn a_file_without_a_usable_header_or_that_is_no_spreadsheet_is_refused_and_nothing_written() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let before = written(&app).await;
    let problem = import(
        &app,
        &programme,
        "?dry_run=false",
        "text/csv",
        b"Shopping list\neggs,milk\n",
    )
    .await
    .assert_problem(422);
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Shopping list"));
    for (content_type, body) in [
        ("application/octet-stream", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
        ("application/octet-stream", b"PK\x03\x04 not really a workbook".to_vec()),
        (XLSX_TYPE, vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]),
        ("application/json", br#"{"plan": []}"#.to_vec()),
    ] {
        import(&app, &programme, "?dry_run=false", content_type, &body)
            .await
            .assert_problem(415);
    }
    import(&app, &programme, "?dry_run=false", "text/csv", b"")
        .await
        .assert_problem(422);
    // A few kilobytes can name the sheet's last row and last column: the reader reads
    // the cells the file holds, and refuses one beyond the rows and columns a plan may
    // have (a workbook spanning the whole sheet once took the service down).
    for (row, column) in [(1_048_575, 0), (1, 16_383), (10_000, 0)] {
        let far = xlsx(|s| {
            for (c, heading) in ["Ref", "Action", "Target Date", "% Complete", "RAG"].iter().enumerate() {
                s.write_string(0, c as u16, *heading).unwrap();
            }
            s.write_string(row, column, "x").unwrap();
        });
        let problem = import(&app, &programme, "", XLSX_TYPE, &far).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
        assert!(problem.to_string().contains("at most 10000 rows"), "{problem}");
    }
    let mapping = import(
        &app,
        &programme,
        "?mapping=colour:Blue",
        "text/csv",
        PLAN_CSV.as_bytes(),
    )
    .await
    .assert_problem(422);
    assert_eq!(mapping["errors"][0]["field"], "mapping");
    let absent = import(
        &app,
        &programme,
        "?mapping=owner:Nobody",
        "text/csv",
        PLAN_CSV.as_bytes(),
    )
    .await
    .assert_problem(422);
    assert!(absent["detail"].as_str().unwrap().contains("Nobody") || absent.to_string().contains("Nobody"));
    import(
        &app,
        &programme,
        "?statuses=blue:violet",
        "text/csv",
        PLAN_CSV.as_bytes(),
    )
    .await
    .assert_problem(422);
    import(&app, &programme, "?colour=blue", "text/csv", PLAN_CSV.as_bytes())
        .await
        .assert_problem(422);
    let big = format!("{PLAN_CSV}{}", "x".repeat(70 * 1024));
    import(&app, &programme, "?dry_run=false", "text/csv", big.as_bytes())
        .await
        .assert_problem(413);
    let nowhere = json!({"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b"});
    import(&app, &nowhere, "?dry_run=false", "text/csv", PLAN_CSV.as_bytes())
        .await
        .assert_problem(404);
    assert_eq!(written(&app).await, before);
}

#[actix_web::test]
async fn a_mapping_names_headings_the_synonyms_do_not_know() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let csv = "Item code,Finding,What,Who,When by,State\nC1,R4,Do the thing,Head of Crime,30/06/2023,Green\n";
    import(&app, &programme, "", "text/csv", csv.as_bytes())
        .await
        .assert_problem(422);
    let mapping = "reference:Item code;recommendation:Finding;action:What;owner:Who;due_date:When by;status:State";
    let response = import(
        &app,
        &programme,
        &format!("?dry_run=false&mapping={}", crate::helpers::urlencode(mapping)),
        "text/csv",
        csv.as_bytes(),
    )
    .await;
    let report = response.json();
    assert_eq!(outcomes(&report), vec!["created"], "{report:#}");
    assert_eq!(report["columns"][0]["matched_by"], "mapping");
}

#[actix_web::test]
async fn those_who_record_and_move_actions_import_plans_and_others_may_not() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let path = format!("/api/v1/programmes/{}/import", programme["id"].as_str().unwrap());
    // An import records actions and posts progress on them: the secretariat, which may
    // do neither by hand, may not do it by spreadsheet either.
    for (role, status) in [
        (Role::Secretariat, 403),
        (Role::CommissionerOffice, 200),
        (Role::Force, 403),
        (Role::PanelMember, 403),
        (Role::Integration, 403),
    ] {
        let response = app
            .as_role(role, None)
            .post(&path)
            .body("text/csv", PLAN_CSV.as_bytes().to_vec())
            .await;
        assert_eq!(response.status, status, "{role}: {}", response.text());
    }
    app.anonymous()
        .post(&path)
        .body("text/csv", PLAN_CSV.as_bytes().to_vec())
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn a_formula_planted_in_a_plan_reaches_the_public_export_as_text() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let planted = "=HYPERLINK(\"http://evil.example\",\"Details\")";
    let plan = format!(
        "Ref,Recommendation,Action,Action Owner,Target Date,RAG,% Complete\n\
         9.1,R1,\"{}\",Head of Contact Management,31/03/2023,Green,50%\n",
        planted.replace('"', "\"\"")
    );
    let report = commit(&app, &programme, "text/csv", plan.as_bytes()).await;
    assert_eq!(report["counts"]["created"], 1, "{report:#}");

    let export = app
        .anonymous()
        .get(&format!(
            "/api/v1/actions?programme_id={}",
            programme["id"].as_str().unwrap()
        ))
        .header("accept", "text/csv")
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let mut reader = csv::Reader::from_reader(export.body.as_slice());
    let title_at = reader.headers().unwrap().iter().position(|h| h == "title").unwrap();
    let titles: Vec<String> = reader.records().map(|r| r.unwrap()[title_at].to_string()).collect();
    assert_eq!(titles, [format!("'{planted}")], "a spreadsheet shows it, never runs it");
}

#[actix_web::test]
async fn a_plan_cell_holding_someones_contact_details_is_warned_about_before_it_is_published() {
    let app = spawn_app().await;
    let programme = programme(&app).await;
    let plan = PLAN_CSV.replace(
        "\"Prompt built and in user testing.\"",
        "\"Prompt built; complainant (jo@example.org, 01785 232385) updated.\"",
    );
    assert_ne!(plan, PLAN_CSV, "the fixture's update for 1.2 has changed");
    let response = import(&app, &programme, "", "text/csv", plan.as_bytes()).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    let warnings = &row(&report, "1.2")["warnings"];
    let spotted: Vec<&Value> = warnings
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains("appears to hold"))
        .collect();
    assert_eq!(spotted.len(), 1, "{warnings:#}");
    assert_eq!(spotted[0]["field"], "update");
    assert!(!spotted[0]["message"].as_str().unwrap().contains("example.org"));
    for other in ["1.1", "2.1", "2.2"] {
        assert!(
            !row(&report, other)["warnings"].to_string().contains("appears to hold"),
            "{other}: the published plan holds no personal details"
        );
    }
}
