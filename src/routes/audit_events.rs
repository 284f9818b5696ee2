//! `/api/v1/audit-events`: the audit log, read. Every successful write records who did
//! what to which resource, when, with its state before and after; admins read it here,
//! filtered, newest first, as JSON pages or CSV. Contact details and secrets never
//! appear (see [`crate::repo::audit_log::redacted`]).

use actix_web::{get, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::DbConn;
use crate::domain::calendar::plausible_date;
use crate::domain::CollectFields;
use crate::error::{responses, ApiError, FieldError};
use crate::http::caching::Caching;
use crate::http::caller::{ManageAccounts, Require};
use crate::http::listing::{ExportParams, Listing, PageParams, Paged};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::audit_log::{self as repo, AuditEventRow, AuditFilter};

/// One recorded write.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042,
    "occurred_at": "2022-06-09T12:00:00Z",
    "actor": {"kind": "user", "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a01"},
    "action": "question.accepted",
    "resource_type": "question",
    "resource_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "before": {"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "status": "submitted", "has_asker_contact": true, "version": 1},
    "after": {"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "status": "accepted", "has_asker_contact": true, "version": 2},
    "request_id": "0b7c9f1e-2d4a-4c4e-9a51-3f0e8d6c2b17"
}))]
pub struct AuditEvent {
    /// Its position in the log: increasing in the order writes were recorded.
    pub id: i64,
    /// When the write's transaction ran.
    pub occurred_at: DateTime<Utc>,
    pub actor: AuditActor,
    /// What was done: `<resource_type>.<what>` (`question.accepted`,
    /// `recommendation.updated`, `auth.login_failed`).
    pub action: String,
    /// `question`, `response`, `recommendation`, `action`, `user`, `client`, …
    pub resource_type: String,
    /// None for a write about no one resource (a sign-in to an account that does not
    /// exist).
    pub resource_id: Option<Uuid>,
    /// The resource's stored state before the write (null for a creation), as the log
    /// keeps it: a question's contact details never, only `has_asker_contact`; no
    /// password, secret or hash.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// Its state after the write (null for a deletion), kept as `before` is; for a note
    /// such as a sign-in, its detail (`{"name": …}`).
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The `X-Request-Id` of the request that made the write, to match it with logs.
    pub request_id: Option<String>,
}

/// Who made a write.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    pub kind: ActorKind,
    /// The user's or client's id; null for anonymous and system writes.
    pub id: Option<String>,
}

crate::text_enum!(
    /// What kind of caller made a write.
    ActorKind {
        /// Someone without a token (a public question).
        Anonymous => "anonymous",
        /// A person signed in with a password.
        User => "user",
        /// A system signed in with client credentials.
        Client => "client",
        /// A caller vouched for by a trusted proxy.
        External => "external",
        /// The service itself (the demo data, a command-line import).
        System => "system",
    }
);

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = ApiError;

    fn try_from(row: AuditEventRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            occurred_at: row.occurred_at,
            actor: AuditActor {
                kind: row
                    .actor_kind
                    .parse()
                    .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?,
                id: row.actor_id,
            },
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            before: row.before,
            after: row.after,
            request_id: row.request_id,
        })
    }
}

crate::page_type!(AuditEventPage, AuditEvent);

/// Filters for the audit log; each given one must match.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditEventQuery {
    /// Only writes to this kind of resource (`question`, `user`, …): lower-case letters
    /// and `_`, at most 50.
    #[param(pattern = "^[a-z_]{1,50}$", example = "question")]
    pub resource_type: Option<String>,
    /// Only writes to the resource with this id.
    pub resource_id: Option<Uuid>,
    /// Only writes by this kind of caller.
    pub actor_kind: Option<ActorKind>,
    /// Only writes by the user or client with this id (1 to 200 characters).
    #[param(min_length = 1, max_length = 200)]
    pub actor_id: Option<String>,
    /// Only this action (`question.accepted`): lower-case letters, `_` and `.`, at most
    /// 100.
    #[param(pattern = "^[a-z_.]{1,100}$", example = "question.accepted")]
    pub action: Option<String>,
    /// Only writes recorded at or after this instant (RFC 3339, such as
    /// `2022-06-01T00:00:00Z`; encode a `+` offset as `%2B`).
    pub occurred_from: Option<DateTime<Utc>>,
    /// Only writes recorded at or before this instant (RFC 3339); not before
    /// `occurred_from`.
    pub occurred_to: Option<DateTime<Utc>>,
}

/// `value` when it is 1 to `max` characters each of which `allowed` admits.
fn word(
    field: &str,
    value: Option<String>,
    max: usize,
    allowed: fn(char) -> bool,
    what: &str,
) -> Result<Option<String>, FieldError> {
    match value {
        Some(v) if v.is_empty() || v.chars().count() > max || !v.chars().all(allowed) => {
            Err(FieldError::new(field, format!("must be 1 to {max} {what}")))
        }
        other => Ok(other),
    }
}

/// An instant whose date is one the service can store and compare.
fn instant(field: &str, value: Option<DateTime<Utc>>) -> Result<Option<DateTime<Utc>>, FieldError> {
    value
        .map(|at| plausible_date(field, at.date_naive()).map(|_| at))
        .transpose()
}

impl TryFrom<AuditEventQuery> for AuditFilter {
    type Error = ApiError;

    fn try_from(query: AuditEventQuery) -> Result<Self, ApiError> {
        let (resource_type, actor_id, action, occurred_from, occurred_to) = (
            word(
                "resource_type",
                query.resource_type,
                50,
                |c| c.is_ascii_lowercase() || c == '_',
                "lower-case letters or _",
            ),
            word("actor_id", query.actor_id, 200, |c| !c.is_control(), "characters"),
            word(
                "action",
                query.action,
                100,
                |c| c.is_ascii_lowercase() || c == '_' || c == '.',
                "lower-case letters, _ or .",
            ),
            instant("occurred_from", query.occurred_from),
            instant("occurred_to", query.occurred_to),
        )
            .collect_fields()?;
        if let (Some(from), Some(to)) = (occurred_from, occurred_to) {
            if to < from {
                return Err(ApiError::invalid("occurred_to", "must not be before occurred_from"));
            }
        }
        Ok(Self {
            resource_type,
            resource_id: query.resource_id,
            actor_kind: query.actor_kind.map(ActorKind::as_str),
            actor_id,
            action,
            occurred_from,
            occurred_to,
        })
    }
}

/// List the audit log.
///
/// Every recorded write, newest first, paged with `cursor`; with `Accept: text/csv`,
/// every matching record as CSV, `before` and `after` as JSON text. Filter by resource
/// (`resource_type`, `resource_id`), by who (`actor_kind`, `actor_id`), by `action` and
/// by when (`occurred_from`, `occurred_to`). A questioner's contact details, passwords,
/// secrets and their hashes never appear. For `admin` only: 401 without a token, 403
/// for every other role.
#[utoipa::path(
    tag = "audit",
    params(AuditEventQuery, PageParams, ExportParams),
    security(("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of audit records, newest first, or with `Accept: text/csv` all that match, as CSV.",
            content((AuditEventPage = "application/json"), (String = "text/csv", example = json!(AUDIT_EVENTS_CSV_EXAMPLE))),
            headers(("Content-Disposition" = String, description = "With `text/csv`: `attachment; filename=\"<collection>-<date>.csv\"`."), ("Link" = String, description = "`<url>; rel=\"next\"` when another page follows."))),
        responses::List,
        (status = 403, response = responses::Forbidden),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    auth: Require<ManageAccounts>,
    Paged(query, page): Paged<AuditEventQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = AuditFilter::try_from(query)?;
    // One query for both forms; CSV cells cannot hold objects, so its listing writes
    // `before` and `after` as JSON text.
    if page.wants_csv() {
        return page.respond(auth.caller(), AuditEventRecords(filter)).await;
    }
    page.respond(auth.caller(), AuditEvents(filter)).await
}

const AUDIT_EVENTS_CSV_EXAMPLE: &str = concat!(
    "id,occurred_at,actor_kind,actor_id,action,resource_type,resource_id,before,after,request_id\r\n",
    "1042,2022-06-09T12:00:00Z,user,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a01,question.accepted,question,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b,\"{\"\"status\"\":\"\"submitted\"\",\"\"version\"\":1}\",\"{\"\"status\"\":\"\"accepted\"\",\"\"version\"\":2}\",0b7c9f1e-2d4a-4c4e-9a51-3f0e8d6c2b17\r\n",
);

/// The audit log as JSON pages.
pub struct AuditEvents(AuditFilter);

impl Listing for AuditEvents {
    type Item = AuditEvent;
    const COLUMNS: &'static [&'static str] = AUDIT_COLUMNS;
    const NAME: &'static str = "audit-events";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<AuditEvent>, Option<Cursor>), ApiError> {
        let (rows, next) = repo::list(conn, &self.0, &page).await?;
        let items = rows.into_iter().map(AuditEvent::try_from).collect::<Result<_, _>>()?;
        Ok((items, next))
    }
    /// Who did what, by account and sign-in name, is personal data: no cache keeps it.
    fn caching(&self) -> Caching {
        Caching::Personal
    }
}

const AUDIT_COLUMNS: &[&str] = &[
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "resource_type",
    "resource_id",
    "before",
    "after",
    "request_id",
];

/// The audit log as CSV, from the same query as [`AuditEvents`].
pub struct AuditEventRecords(AuditFilter);

impl Listing for AuditEventRecords {
    type Item = serde_json::Value;
    const COLUMNS: &'static [&'static str] = AUDIT_COLUMNS;
    const NAME: &'static str = "audit-events";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<serde_json::Value>, Option<Cursor>), ApiError> {
        let (events, next) = AuditEvents(self.0.clone()).page(conn, page).await?;
        let lines = events
            .into_iter()
            .map(|event| {
                let mut line = serde_json::to_value(&event).map_err(|e| ApiError::Internal(e.into()))?;
                for state in ["before", "after"] {
                    if let Some(value) = line.get_mut(state) {
                        if !value.is_null() {
                            *value = serde_json::Value::String(value.to_string());
                        }
                    }
                }
                Ok(line)
            })
            .collect::<Result<_, ApiError>>()?;
        Ok((lines, next))
    }
}
