//! Atom feeds (RFC 4287) of what the public may read: `/feeds/questions.atom`,
//! `/feeds/responses.atom` and `/feeds/actions.atom`, for feed readers and for sites
//! that want to show "what changed" without polling the JSON lists.
//!
//! Each feed shows exactly what an anonymous caller of the matching list sees (the same
//! repository queries, with the public view), the [`FEED_LIMIT`] most recently updated
//! first, and never contact details. Entry ids are `urn:uuid:<resource id>`, so that a
//! reader recognises an entry again when the resource changes.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::IntoParams;

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::ActionStatus;
use crate::domain::organisation::OrganisationId;
use crate::domain::question::{QuestionId, QuestionStatus, Topic};
use crate::domain::CollectFields;
use crate::error::ApiError;
use crate::http::conditional::{ETag, IfNoneMatch};
use crate::http::Query;
use crate::repo::actions::{self as actions_repo, ActionFilter, ActionRecord};
use crate::repo::organisations as organisations_repo;
use crate::repo::questions::{self as questions_repo, QuestionFilter, QuestionRecord};
use crate::repo::responses::{self as responses_repo, QuestionSummary, ResponseRecord};

/// The most entries a feed holds: the most recently updated ones.
pub const FEED_LIMIT: i64 = 50;

/// The media type of every feed.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";

/// How long a cache may keep a feed, in seconds.
const MAX_AGE_SECS: u32 = 60;

/// The `updated` of a feed with no entries: a fixed time, so that its `ETag` is stable.
const EMPTY_FEED_UPDATED: &str = "1970-01-01T00:00:00Z";

/// What each feed looks like, for the document (a test checks that each shows its own feed).
const QUESTIONS_EXAMPLE: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Scrutiny: public questions</title><id>https://api.example.gov.uk/feeds/questions.atom</id><updated>2022-06-09T12:00:00+00:00</updated><link href="https://api.example.gov.uk/feeds/questions.atom" rel="self" type="application/atom+xml"/><link href="https://api.example.gov.uk/api/v1/questions" rel="alternate" type="application/json"/><entry><title>PQ-2022-0007: Safeguarding children after the HMIC inspection</title><id>urn:uuid:01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b</id><updated>2022-06-09T12:00:00+00:00</updated><author><name>A member of the public</name></author><category term="child-protection"/><link href="https://api.example.gov.uk/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b" rel="alternate" type="application/json"/><link href="https://panel.example.gov.uk/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b" rel="alternate" type="text/html"/><published>2022-06-01T10:00:00+00:00</published><summary>answered; asked on 2022-05-31</summary><content type="text">What exactly is the PFCC doing about this to bring the force to account?</content></entry></feed>"#;
const RESPONSES_EXAMPLE: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Scrutiny: published responses</title><id>https://api.example.gov.uk/feeds/responses.atom</id><updated>2022-06-09T12:00:00+00:00</updated><link href="https://api.example.gov.uk/feeds/responses.atom" rel="self" type="application/atom+xml"/><link href="https://api.example.gov.uk/api/v1/responses" rel="alternate" type="application/json"/><entry><title>Response to PQ-2022-0007: Safeguarding children after the HMIC inspection</title><id>urn:uuid:01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60</id><updated>2022-06-09T12:00:00+00:00</updated><author><name>Jane Doe (Chief Executive, Office of the Commissioner)</name></author><category term="child-protection"/><link href="https://api.example.gov.uk/api/v1/responses/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60" rel="alternate" type="application/json"/><link href="https://panel.example.gov.uk/responses/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60" rel="alternate" type="text/html"/><link href="https://api.example.gov.uk/api/v1/questions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b" rel="related" type="application/json"/><published>2022-06-09T12:00:00+00:00</published><summary>written response of 2022-06-09</summary><content type="text">The Commissioner holds the Chief Constable to account through the Strategic Governance Board, where progress on each recommendation is reviewed.</content></entry></feed>"#;
const ACTIONS_EXAMPLE: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Scrutiny: actions</title><id>https://api.example.gov.uk/feeds/actions.atom</id><updated>2022-06-09T12:00:00+00:00</updated><link href="https://api.example.gov.uk/feeds/actions.atom" rel="self" type="application/atom+xml"/><link href="https://api.example.gov.uk/api/v1/actions" rel="alternate" type="application/json"/><entry><title>ACT-2022-0003: Review the child protection referral process</title><id>urn:uuid:01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70</id><updated>2022-06-09T12:00:00+00:00</updated><author><name>Staffordshire Police</name></author><link href="https://api.example.gov.uk/api/v1/actions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70" rel="alternate" type="application/json"/><link href="https://panel.example.gov.uk/actions/01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70" rel="alternate" type="text/html"/><summary>Owner: Head of Public Protection, Staffordshire Police. Due 2022-12-31. Status: in_progress (40 %).</summary><content type="text">Audit every referral from the last year and retrain the referral desk.

Owner: Head of Public Protection, Staffordshire Police. Due 2022-12-31. Status: in_progress (40 %).</content></entry></feed>"#;

/// Filters for the question feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuestionFeedQuery {
    /// Only questions in this state (only `accepted`, `answered` and `referred` ones are public, so
    /// any other state gives an empty feed).
    pub status: Option<QuestionStatus>,
    /// Only questions with this topic.
    pub topic: Option<String>,
}

/// Filters for the response feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResponseFeedQuery {
    /// Only responses to questions with this topic.
    pub topic: Option<String>,
    /// Only responses to this question.
    pub question_id: Option<QuestionId>,
}

/// Filters for the action feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionFeedQuery {
    /// Only actions in this status.
    pub status: Option<ActionStatus>,
    /// Only actions this organisation owns.
    pub organisation_id: Option<OrganisationId>,
}

/// Where a feed's links point: the service's public URL and the front end's pages.
struct Links<'a> {
    base: String,
    template: Option<&'a str>,
}

impl<'a> Links<'a> {
    fn new(req: &HttpRequest, state: &'a AppState) -> Self {
        Self {
            base: crate::http::absolute_url(req, ""),
            template: state.config.public_url_template.as_deref(),
        }
    }

    /// The links of the entry for resource `id` in collection `kind`: its JSON at the
    /// API and, when a template is configured, its page on the front end.
    fn entry(&self, kind: &str, id: impl std::fmt::Display) -> Vec<Link> {
        let id = id.to_string();
        let mut links = vec![link(
            format!("{}/api/v1/{kind}/{id}", self.base),
            "alternate",
            "application/json",
        )];
        if let Some(template) = self.template {
            links.push(link(
                template.replace("{type}", kind).replace("{id}", &id),
                "alternate",
                "text/html",
            ));
        }
        links
    }
}

fn link(href: String, rel: &str, mime_type: &str) -> Link {
    Link {
        href,
        rel: rel.to_string(),
        mime_type: Some(mime_type.to_string()),
        ..Link::default()
    }
}

fn person(name: String) -> Person {
    Person {
        name,
        ..Person::default()
    }
}

fn category(term: String) -> Category {
    Category {
        term,
        ..Category::default()
    }
}

fn text_content(value: String) -> Content {
    Content {
        value: Some(value),
        content_type: Some("text".to_string()),
        ..Content::default()
    }
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

/// The whole feed as a response: `ETag` over its bytes, 304 when the caller's copy is
/// current, and `Cache-Control` either way.
fn respond(
    req: &HttpRequest,
    links: &Links<'_>,
    if_none_match: &IfNoneMatch,
    kind: &str,
    title: &str,
    entries: Vec<Entry>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let self_url = match req.query_string() {
        "" => format!("{}{path}", links.base),
        query => format!("{}{path}?{query}", links.base),
    };
    let updated = entries
        .iter()
        .map(|entry| entry.updated)
        .max()
        .map_or_else(|| DateTime::parse_from_rfc3339(EMPTY_FEED_UPDATED), Ok)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let feed = Feed {
        title: Text::plain(title),
        id: self_url.clone(),
        updated,
        links: vec![
            link(self_url, "self", "application/atom+xml"),
            link(format!("{}/api/v1/{kind}", links.base), "alternate", "application/json"),
        ],
        entries,
        ..Feed::default()
    };
    let body = feed
        .write_to(Vec::new())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the feed could not be written: {e}")))?;
    let tag = ETag::of_bytes(&body);
    let cache_control = format!("public, max-age={MAX_AGE_SECS}");
    if if_none_match.is_current(&tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag.as_str()))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(ATOM)
        .insert_header((header::ETAG, tag.as_str()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .body(body))
}

/// What every feed answers: the feed (`example`) with its `ETag` and `Cache-Control`
/// (200), 304 when the caller's copy is current, 422 for a bad filter, 503.
fn feed_responses(example: &str) -> BTreeMap<String, RefOr<Response>> {
    let text = || ObjectBuilder::new().schema_type(Type::String).build();
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(text()))
            .description(Some(description))
            .build()
    };
    let feed = ResponseBuilder::new()
        .description("The feed.")
        .header("ETag", header("A tag over the feed's bytes."))
        .header("Cache-Control", header("`public, max-age=60`."))
        .content(
            "application/atom+xml",
            ContentBuilder::new()
                .schema(Some(text()))
                .example(Some(serde_json::Value::from(example)))
                .build(),
        )
        .build();
    let current = ResponseBuilder::new()
        .description("The caller's copy (`If-None-Match`) is current.")
        .header("ETag", header("The feed's tag: the one the caller holds."))
        .header("Cache-Control", header("`public, max-age=60`."))
        .build();
    BTreeMap::from([
        ("200".to_string(), RefOr::T(feed)),
        ("304".to_string(), RefOr::T(current)),
        (
            "422".to_string(),
            RefOr::Ref(Ref::from_response_name("ValidationFailed")),
        ),
        ("503".to_string(), RefOr::Ref(Ref::from_response_name("Unavailable"))),
    ])
}

/// The responses of each feed, with its own example.
macro_rules! feed_responses {
    ($($name:ident => $example:expr),* $(,)?) => {$(
        struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                feed_responses($example)
            }
        }
    )*};
}

feed_responses!(
    QuestionFeedResponses => QUESTIONS_EXAMPLE,
    ResponseFeedResponses => RESPONSES_EXAMPLE,
    ActionFeedResponses => ACTIONS_EXAMPLE,
);

fn topic(topic: Option<&str>) -> Result<Option<Topic>, ApiError> {
    let (topic,) = (topic.map(|t| Topic::parse("topic", t)).transpose(),).collect_fields()?;
    Ok(topic)
}

/// One of the feeds: the records it shows, and how each is an entry.
trait AtomFeed {
    /// The collection (`questions`): the feed's `alternate` link and its entries'.
    const KIND: &'static str;
    const TITLE: &'static str;
    type Record;

    /// The [`FEED_LIMIT`] most recently updated records under the feed's filters, as an
    /// anonymous caller sees them.
    async fn latest(&self, conn: &mut DbConn) -> Result<Vec<Self::Record>, ApiError>;

    /// A record as its entry.
    fn entry(links: &Links<'_>, record: Self::Record) -> Entry;
}

/// Reads `feed`'s records (from the replica when there is one) and answers with the
/// feed (see [`respond`]).
async fn serve<F: AtomFeed>(
    req: &HttpRequest,
    state: &AppState,
    if_none_match: &IfNoneMatch,
    feed: F,
) -> Result<HttpResponse, ApiError> {
    let records = {
        let mut conn = state.read_conn(false).await?;
        feed.latest(&mut conn).await?
    };
    let links = Links::new(req, state);
    let entries = records.into_iter().map(|record| F::entry(&links, record)).collect();
    respond(req, &links, if_none_match, F::KIND, F::TITLE, entries)
}

impl TryFrom<QuestionFeedQuery> for QuestionFilter {
    type Error = ApiError;

    fn try_from(query: QuestionFeedQuery) -> Result<Self, ApiError> {
        Ok(Self {
            status: query.status,
            public_only: true,
            topic: topic(query.topic.as_deref())?,
            ..QuestionFilter::default()
        })
    }
}

/// The question feed.
struct QuestionsFeed(QuestionFilter);

impl AtomFeed for QuestionsFeed {
    const KIND: &'static str = "questions";
    const TITLE: &'static str = "Scrutiny: public questions";
    type Record = QuestionRecord;

    async fn latest(&self, conn: &mut DbConn) -> Result<Vec<QuestionRecord>, ApiError> {
        questions_repo::latest_updated(conn, &self.0, FEED_LIMIT).await
    }

    fn entry(links: &Links<'_>, record: QuestionRecord) -> Entry {
        let row = record.row;
        Entry {
            title: Text::plain(format!("{}: {}", row.reference, row.title)),
            id: format!("urn:uuid:{}", row.id),
            updated: fixed(row.updated_at),
            published: row.published_at.map(fixed),
            authors: vec![person(row.asker_display_name)],
            categories: row.topics.into_iter().map(category).collect(),
            links: links.entry(Self::KIND, row.id),
            summary: Some(Text::plain(format!("{}; asked on {}", row.status, row.asked_on))),
            content: Some(text_content(row.body)),
            ..Entry::default()
        }
    }
}

/// The response feed: published responses, to questions on `topic` or to `question_id`.
struct ResponsesFeed {
    topic: Option<Topic>,
    question_id: Option<QuestionId>,
}

impl TryFrom<ResponseFeedQuery> for ResponsesFeed {
    type Error = ApiError;

    fn try_from(query: ResponseFeedQuery) -> Result<Self, ApiError> {
        Ok(Self {
            topic: topic(query.topic.as_deref())?,
            question_id: query.question_id,
        })
    }
}

impl AtomFeed for ResponsesFeed {
    const KIND: &'static str = "responses";
    const TITLE: &'static str = "Scrutiny: published responses";
    type Record = (ResponseRecord, QuestionSummary);

    async fn latest(&self, conn: &mut DbConn) -> Result<Vec<Self::Record>, ApiError> {
        responses_repo::latest_published(conn, self.topic.as_ref(), self.question_id, FEED_LIMIT).await
    }

    fn entry(links: &Links<'_>, (record, question): Self::Record) -> Entry {
        let row = record.row;
        let mut entry_links = links.entry(Self::KIND, row.id);
        entry_links.push(link(
            format!("{}/api/v1/questions/{}", links.base, row.question_id),
            "related",
            "application/json",
        ));
        Entry {
            title: Text::plain(format!("Response to {}: {}", question.reference, question.title)),
            id: format!("urn:uuid:{}", row.id),
            updated: fixed(row.updated_at),
            published: row.published_at.map(fixed),
            authors: vec![person(format!("{} ({})", row.author_name, row.author_position))],
            categories: question.topics.into_iter().map(category).collect(),
            links: entry_links,
            summary: Some(Text::plain(format!("{} response of {}", row.kind, row.responded_on))),
            content: Some(text_content(row.body)),
            ..Entry::default()
        }
    }
}

impl From<ActionFeedQuery> for ActionFilter {
    fn from(query: ActionFeedQuery) -> Self {
        Self {
            status: query.status,
            owner_organisation_id: query.organisation_id,
            ..ActionFilter::default()
        }
    }
}

/// The action feed.
struct ActionsFeed(ActionFilter);

impl AtomFeed for ActionsFeed {
    const KIND: &'static str = "actions";
    const TITLE: &'static str = "Scrutiny: actions";
    /// An action and the name of the organisation that owns it.
    type Record = (ActionRecord, String);

    async fn latest(&self, conn: &mut DbConn) -> Result<Vec<Self::Record>, ApiError> {
        let today = crate::domain::calendar::today();
        let records = actions_repo::latest_updated(conn, &self.0, FEED_LIMIT, today).await?;
        let mut organisations = HashMap::new();
        let mut named = Vec::with_capacity(records.len());
        for record in records {
            let id = record.row.owner_organisation_id;
            if let std::collections::hash_map::Entry::Vacant(vacant) = organisations.entry(id) {
                vacant.insert(organisations_repo::find(conn, id).await?.name);
            }
            let organisation = organisations.get(&id).cloned().unwrap_or_default();
            named.push((record, organisation));
        }
        Ok(named)
    }

    fn entry(links: &Links<'_>, (record, organisation): Self::Record) -> Entry {
        let row = record.row;
        let summary = format!(
            "Owner: {}, {organisation}. Due {}. Status: {} ({} %).",
            row.owner_post_title, row.due_on, row.status, row.progress_percent
        );
        Entry {
            title: Text::plain(format!("{}: {}", row.reference, row.title)),
            id: format!("urn:uuid:{}", row.id),
            updated: fixed(row.updated_at),
            authors: vec![person(organisation)],
            links: links.entry(Self::KIND, row.id),
            content: Some(text_content(format!("{}\n\n{summary}", row.description))),
            summary: Some(Text::plain(summary)),
            ..Entry::default()
        }
    }
}

/// Public questions as an Atom feed.
///
/// The 50 most recently updated `accepted`, `answered` and `referred` questions (what an anonymous
/// caller of `GET /api/v1/questions` sees), newest first. Each entry's id is
/// `urn:uuid:<question id>`; its author is the name the question is published under,
/// its categories are its topics, and it links to the question's JSON (and to its page
/// on the front end when `SCRUTINY_PUBLIC_URL_TEMPLATE` is set). Never contact details.
#[utoipa::path(
    tag = "feeds",
    params(QuestionFeedQuery),
    security(()),
    responses(QuestionFeedResponses)
)]
#[get("/feeds/questions.atom")]
pub async fn get_questions_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    if_none_match: IfNoneMatch,
    Query(query): Query<QuestionFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, &if_none_match, QuestionsFeed(query.try_into()?)).await
}

/// Published responses as an Atom feed.
///
/// The 50 most recently updated published responses to public questions, newest first.
/// Each entry's id is `urn:uuid:<response id>`; its author is the person who responded
/// (with their position), its categories are its question's topics, and it links to the
/// response's JSON (and to its page on the front end when `SCRUTINY_PUBLIC_URL_TEMPLATE`
/// is set) and, as `related`, to its question's JSON. Drafts never appear.
#[utoipa::path(
    tag = "feeds",
    params(ResponseFeedQuery),
    security(()),
    responses(ResponseFeedResponses)
)]
#[get("/feeds/responses.atom")]
pub async fn get_responses_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    if_none_match: IfNoneMatch,
    Query(query): Query<ResponseFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, &if_none_match, ResponsesFeed::try_from(query)?).await
}

/// Actions as an Atom feed.
///
/// The 50 most recently updated actions (all of them are public), newest first. Each
/// entry's id is `urn:uuid:<action id>`; its author is the owning organisation, its
/// content the description with the owner, due date, status and progress, and it links
/// to the action's JSON (and to its page on the front end when
/// `SCRUTINY_PUBLIC_URL_TEMPLATE` is set).
#[utoipa::path(
    tag = "feeds",
    params(ActionFeedQuery),
    security(()),
    responses(ActionFeedResponses)
)]
#[get("/feeds/actions.atom")]
pub async fn get_actions_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    if_none_match: IfNoneMatch,
    Query(query): Query<ActionFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, &if_none_match, ActionsFeed(query.into())).await
}
