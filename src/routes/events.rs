//! `/api/v1/events`: the change feed, for systems that mirror what is published.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{responses, ApiError};
use crate::http::caller::Caller;
use crate::http::Query;
use crate::repo::events::{self as repo, EventFilter, EventRow};

/// The most events one page holds.
pub const MAX_EVENTS_PER_PAGE: i64 = 1000;
const DEFAULT_EVENTS_PER_PAGE: i64 = 100;

crate::text_enum!(
    /// The kind of resource an event is about.
    EventResourceType {
        Organisation => "organisation",
        Meeting => "meeting",
        Question => "question",
        Response => "response",
        Report => "report",
        /// An improvement programme.
        Programme => "programme",
        Recommendation => "recommendation",
        Action => "action",
        /// An update posted on an action.
        ActionUpdate => "action_update",
    }
);

/// One committed change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42,
    "type": "response.published",
    "resource_type": "response",
    "resource_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "occurred_at": "2022-06-09T12:00:00Z",
    "snapshot": {"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "status": "published", "version": 2}
}))]
pub struct Event {
    /// The event's position in the feed: strictly increasing, never reused; numbers
    /// may be skipped. Store the last one you processed and pass it as `after`.
    pub id: i64,
    /// What happened: `<resource_type>.<what>`, such as `question.accepted`,
    /// `response.published`, `response.corrected`, `action.updated`,
    /// `action_update.posted`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub resource_type: EventResourceType,
    pub resource_id: Uuid,
    /// When the change was made (its transaction's time).
    pub occurred_at: DateTime<Utc>,
    /// The resource just after the change, as you may see it (the same representation
    /// as its `GET`, never with a questioner's contact details). Null when the change
    /// made it no longer public and you see public records only: remove it from your
    /// mirror.
    #[schema(value_type = Option<Object>)]
    pub snapshot: Option<Box<serde_json::value::RawValue>>,
}

impl TryFrom<EventRow> for Event {
    type Error = ApiError;

    fn try_from(row: EventRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            resource_type: row
                .resource_type
                .parse()
                .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?,
            event_type: row.event_type,
            resource_id: row.resource_id,
            occurred_at: row.occurred_at,
            snapshot: row
                .snapshot
                .map(serde_json::value::RawValue::from_string)
                .transpose()
                .map_err(|e| ApiError::Internal(e.into()))?,
        })
    }
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": 42, "type": "response.published", "resource_type": "response",
        "resource_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "occurred_at": "2022-06-09T12:00:00Z",
        "snapshot": {"id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "status": "published", "version": 2}
    }],
    "next_after": 42
}))]
pub struct EventPage {
    /// Oldest first.
    pub items: Vec<Event>,
    /// Pass this as `after` for the next page: the last event's id, or your `after`
    /// when the page is empty (then poll again later with the same value).
    pub next_after: i64,
}

/// Where to read the feed from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The id of the last event you processed (0, the default, to start at the
    /// beginning).
    #[param(minimum = 0, default = 0)]
    pub after: Option<i64>,
    /// Page size, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// Only events about this kind of resource.
    pub resource_type: Option<EventResourceType>,
}

/// A page of the feed as asked for, checked.
#[derive(Debug)]
pub struct EventRequest {
    /// The position after which the page starts.
    pub after: i64,
    /// At most this many events.
    pub limit: i64,
    pub filter: EventFilter,
}

impl TryFrom<EventQuery> for EventRequest {
    type Error = ApiError;

    fn try_from(query: EventQuery) -> Result<Self, ApiError> {
        let after = query.after.unwrap_or(0);
        if after < 0 {
            return Err(ApiError::invalid("after", "must be 0 or more"));
        }
        let limit = query.limit.unwrap_or(DEFAULT_EVENTS_PER_PAGE);
        if !(1..=MAX_EVENTS_PER_PAGE).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("must be between 1 and {MAX_EVENTS_PER_PAGE}"),
            ));
        }
        Ok(Self {
            after,
            limit,
            filter: EventFilter {
                resource_types: query
                    .resource_type
                    .map(|t| t.as_str().to_string())
                    .into_iter()
                    .collect(),
                event_types: Vec::new(),
            },
        })
    }
}

/// Read the change feed.
///
/// Every committed change to organisations, meetings, questions, responses, reports,
/// recommendations, actions and action updates, oldest first. Anonymous callers and
/// `integration` systems see the events of public records only, with public fields
/// only; staff roles see every event. A record that stops being public (a question
/// withdrawn) gives public callers one last event with a null `snapshot`.
///
/// **The guarantee:** a consumer that stores the last `id` it processed and asks for
/// `after=<that id>` never misses nor repeats an event, however many writes commit at
/// once and in whatever order. Events are written in the same transaction as their
/// change, without a position; positions are given one batch at a time, under a lock,
/// only to events whose transaction and every older one have ended. So no event can
/// appear later with a smaller id than one already served. An event usually appears
/// within a fraction of a second of its commit; a long-running transaction on the
/// database delays the feed, never reorders it.
///
/// A full page carries `Link: <…>; rel="next"`; an empty page means you are up to date.
///
/// Pages of more than 100 events are built a few at a time (two per core of the
/// instance), so that a burst of catch-up reads holds a bounded amount of memory: under
/// such a burst a request waits its turn, up to `SCRUTINY_DB_TIMEOUT_MS`, then is
/// answered 503 with `Retry-After`. Pages of 100 or fewer never wait for one.
#[utoipa::path(
    tag = "events",
    params(EventQuery),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "Events after `after`, oldest first.", body = EventPage,
            headers(("Link" = String, description = "`<url>; rel=\"next\"` when the page is full."))),
        responses::List,
        (status = 400, response = responses::BadRequest),
    )
)]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let EventRequest { after, limit, filter } = query.try_into()?;
    let _turn = if limit > DEFAULT_EVENTS_PER_PAGE {
        Some(state.large_answer().await?)
    } else {
        None
    };
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let rows = repo::list(&mut conn, caller.view(), after, limit, &filter).await?;
    drop(conn);
    let full = rows.len() as i64 == limit;
    let items = rows.into_iter().map(Event::try_from).collect::<Result<Vec<_>, _>>()?;
    let next_after = items.last().map_or(after, |event| event.id);
    let mut response = HttpResponse::Ok();
    if full {
        response.insert_header((
            actix_web::http::header::LINK,
            format!("<{}>; rel=\"next\"", next_url(&req, next_after)),
        ));
    }
    Ok(response.json(EventPage { items, next_after }))
}

/// The request's own URL with `after` replaced.
fn next_url(req: &HttpRequest, after: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "after" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("after", &after.to_string());
    format!("{}?{}", req.path(), query.finish())
}
