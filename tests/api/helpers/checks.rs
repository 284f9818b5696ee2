//! Checks that many tests make in the same words, each with a failure message naming
//! what failed: a 422 naming a field, a list refusing bad query parameters, a resource
//! readable where it was created or holding given values, a stale `If-Match` refused,
//! a table holding a given number of rows.

use std::fmt::Display;

use serde_json::Value;

use super::{Caller, TestDb, TestResponse};

/// Asserts that the 422 `problem` names `field` among its `errors`: as an error's
/// `field`, as the start of a nested one (`owner` for `owner.organisation_id`,
/// `recommendation_ids` for `recommendation_ids[0]`), or in an error's message. `row`
/// (the case being tried) starts the failure message.
#[track_caller]
pub fn assert_names_field(problem: &Value, field: &str, row: impl Display) {
    let errors = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{row}: no errors in {problem}"));
    let names = |error: &Value| {
        let named = error["field"].as_str().unwrap_or_default();
        named == field
            || named
                .strip_prefix(field)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
            || error["message"].as_str().unwrap_or_default().contains(field)
    };
    assert!(errors.iter().any(names), "{row} should name {field}: {problem}");
}

/// Asserts that the message of the first error in `problem` says `words` (why a value
/// was refused: `"noncharacter"`, `"more than 3 rows"`).
#[track_caller]
pub fn assert_first_error_says(problem: &Value, words: &str) {
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(words),
        "the first error should say {words:?}: {problem}"
    );
}

/// Asserts that `created`, the 201 answer to a POST to `collection`
/// (`"organisations"`), gives the new resource's path as its `Location`, and that
/// reading it there (as `reader`) is a 200 answering the same resource. Returns that
/// read, for its headers.
pub async fn assert_readable_where_created(
    reader: &Caller<'_>,
    collection: &str,
    created: &TestResponse,
) -> TestResponse {
    let resource = created.json();
    let location = created.header("location").expect("a 201 says where the resource is");
    assert_eq!(location, super::path_of(collection, &resource));
    let read = reader.get(&location).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json(), resource);
    read
}

/// Asserts that `resource` holds every field of the object `expected` with the same
/// value (fields not in `expected` are not looked at), naming the first that differs.
#[track_caller]
pub fn assert_fields(resource: &Value, expected: Value) {
    for (field, value) in expected.as_object().expect("the expected fields are an object") {
        assert_eq!(&resource[field], value, "{field} of {resource}");
    }
}

/// Asserts that each `(query, parameter)` sent by `caller` to the list at `path`
/// (`path?query`) is a 422 whose first error names `parameter`: a bad filter, page size
/// or cursor is refused, never answered with an empty or unfiltered list.
pub async fn assert_queries_refused(caller: &Caller<'_>, path: &str, rows: &[(&str, &str)]) {
    for (query, parameter) in rows {
        let problem = caller.get(&format!("{path}?{query}")).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], *parameter, "{path}?{query}: {problem}");
    }
}

impl TestResponse {
    /// Asserts that the request was refused as invalid: a 422 problem whose first error
    /// names `field` (`"due_on"`, `"asker_contact.email"`). Returns the problem.
    #[track_caller]
    pub fn assert_invalid(&self, field: &str) -> Value {
        let problem = self.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        problem
    }
}

/// Asserts the rules for the search text `q` on the list at `path`, sent by `caller`:
/// 200 characters are taken (a 200); 201, or a NUL character, is a 422 naming `q`.
pub async fn assert_search_text_rules(caller: &Caller<'_>, path: &str) {
    for bad in ["a".repeat(201), "a%00b".to_string()] {
        let problem = caller.get(&format!("{path}?q={bad}")).await.assert_problem(422);
        assert_eq!(problem["errors"][0]["field"], "q", "{path}?q={bad}: {problem}");
    }
    let longest = caller.get(&format!("{path}?q={}", "a".repeat(200))).await;
    assert_eq!(longest.status, 200, "{path}: {}", longest.text());
}

/// Sends two PATCHes by `caller` to `path`, both with `If-Match: tag`: asserts that
/// `first` is applied (a 200) and that `second`, whose tag the first made stale, is a
/// 412 problem (a lost update is refused, never applied). Returns both answers.
pub async fn assert_stale_tag_refused(
    caller: &Caller<'_>,
    path: &str,
    tag: &str,
    first: Value,
    second: Value,
) -> (TestResponse, TestResponse) {
    let applied = caller.patch(path).json(&first).if_match(tag).await;
    assert_eq!(applied.status, 200, "{first} with If-Match {tag}: {}", applied.text());
    let refused = caller.patch(path).json(&second).if_match(tag).await;
    assert_eq!(
        refused.status,
        412,
        "{second} with the stale If-Match {tag}: {}",
        refused.text()
    );
    refused.assert_problem(412);
    (applied, refused)
}

/// Asserts that `created` (answers to question submissions made at once) are all 201s
/// whose references are exactly `PQ-{year}-0001` to `PQ-{year}-{count}`, each once: no
/// reference is skipped or given twice, in whatever order the submissions ran.
#[track_caller]
pub fn assert_consecutive_references(created: &[TestResponse], year: i32) {
    let mut references: Vec<String> = created
        .iter()
        .map(|response| {
            assert_eq!(response.status, 201, "{}", response.text());
            response.json()["reference"].as_str().unwrap().to_string()
        })
        .collect();
    references.sort();
    let expected: Vec<String> = (1..=created.len()).map(|n| format!("PQ-{year}-{n:04}")).collect();
    assert_eq!(references, expected);
}

impl TestDb {
    /// Asserts that the query `sql` (one bigint column named `n`, as for
    /// [`TestDb::count`]) counts `expected`, naming the query when it does not.
    pub async fn assert_count(&self, sql: &str, expected: i64) {
        assert_eq!(self.count(sql).await, expected, "{sql}");
    }

    /// Asserts that `table` holds `expected` rows (`0` where a refused request must
    /// have written nothing).
    pub async fn assert_rows(&self, table: &str, expected: i64) {
        self.assert_count(&format!("SELECT count(*) AS n FROM {table}"), expected)
            .await;
    }

    /// Asserts that `expected` audit events record `action` (`question.accepted`).
    pub async fn assert_audited(&self, action: &str, expected: i64) {
        let sql = format!("SELECT count(*) AS n FROM audit_events WHERE action = '{action}'");
        self.assert_count(&sql, expected).await;
    }
}
