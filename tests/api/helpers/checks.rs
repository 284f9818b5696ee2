//! Checks that many tests make in the same words: a problem naming a field, a list
//! refusing bad query parameters, a resource holding given values, a table holding a
//! given number of rows.

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

/// Sends two PATCHes by `caller` to `path`, both with `If-Match: tag`: asserts that
/// `first` is applied (a 200) and that `second`, whose tag the first made stale, is a
/// 412 problem (a lost update is refused, never applied). Returns the answer to `first`.
pub async fn assert_stale_tag_refused(
    caller: &Caller<'_>,
    path: &str,
    tag: &str,
    first: Value,
    second: Value,
) -> TestResponse {
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
    applied
}

impl TestDb {
    /// Asserts that the query `sql` (one bigint column named `n`, as for
    /// [`TestDb::count`]) counts `expected`, naming the query when it does not.
    pub async fn assert_count(&self, sql: &str, expected: i64) {
        assert_eq!(self.count(sql).await, expected, "{sql}");
    }

    /// Asserts that `expected` audit events record `action` (`question.accepted`).
    pub async fn assert_audited(&self, action: &str, expected: i64) {
        let sql = format!("SELECT count(*) AS n FROM audit_events WHERE action = '{action}'");
        self.assert_count(&sql, expected).await;
    }
}
