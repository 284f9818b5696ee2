//! `/api/v1/responses` (and `/api/v1/questions/{id}/responses`): the Commissioner's
//! responses, drafted, published and, when need be, corrected in the open.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::action::ActionId;
use crate::domain::auth::View;
use crate::domain::calendar::london_today;
use crate::domain::meeting::{parse_held_on, MeetingId};
use crate::domain::question::{
    check_response_shape, parse_citations, FollowUpStatus, NewResponse, Note, QuestionId, ResponseChanges, ResponseId,
    ResponseKind, ResponseStatus,
};
use crate::domain::report::RecommendationId;
use crate::domain::text::{Body, Name};
use crate::domain::{CollectFields, FieldResult};
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, Require, WriteResponses};
use crate::http::conditional::{created, ok, ok_unless_current, ETag, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::responses::{self as repo, ResponseFilter, ResponseRecord};

/// Who wrote a response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub name: String,
    /// Their post, such as "Interim Joint Chief Executive".
    pub position: String,
}

/// A response to a question.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5e",
    "question_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "kind": "written",
    "status": "published",
    "body": "In response to HMICFRS Inspection Findings, the force has initiated a Child Protection Improvement Programme…",
    "author": {"name": "Ralph Butler", "position": "Interim Joint Chief Executive"},
    "responded_on": "2022-06-09",
    "recommendation_ids": [],
    "action_ids": [],
    "meeting_id": null,
    "follow_up_due_on": null,
    "follow_up_status": "none",
    "follows_up_response_id": null,
    "followed_up_by_response_id": null,
    "published_at": "2022-06-09T12:00:00Z",
    "created_at": "2022-06-08T09:00:00Z",
    "updated_at": "2022-06-09T12:00:00Z",
    "version": 2
}))]
pub struct CommissionerResponse {
    pub id: ResponseId,
    pub question_id: QuestionId,
    /// `written`, or `verbal`: given at a meeting (`meeting_id`) and recorded by the
    /// secretariat.
    pub kind: ResponseKind,
    /// `draft` (staff only) → `published` (public).
    pub status: ResponseStatus,
    pub body: String,
    pub author: Author,
    pub responded_on: NaiveDate,
    /// Recommendations the response cites.
    pub recommendation_ids: Vec<RecommendationId>,
    /// Actions the response cites.
    pub action_ids: Vec<ActionId>,
    /// The meeting a verbal response was given at; null for a written one (and for a
    /// verbal one recorded before meetings were kept with them).
    pub meeting_id: Option<MeetingId>,
    /// When the written follow-up this verbal answer promised is due (the answerer
    /// undertook to reply in writing); null when nothing was promised.
    pub follow_up_due_on: Option<NaiveDate>,
    /// Read-only: `none` (nothing promised), `due`, `overdue` (due before today,
    /// London, and no written follow-up published) or `provided`.
    pub follow_up_status: FollowUpStatus,
    /// For a written response: the verbal response whose promised follow-up it is.
    pub follows_up_response_id: Option<ResponseId>,
    /// Read-only, for a verbal response: the published written response that provided
    /// the follow-up it promised.
    pub followed_up_by_response_id: Option<ResponseId>,
    /// When it was published; null for a draft.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change; every version stays readable at
    /// `GET /api/v1/responses/{id}/versions`.
    pub version: i32,
}

impl From<ResponseRecord> for CommissionerResponse {
    fn from(record: ResponseRecord) -> Self {
        let follow_up_status = record.follow_up_status(london_today());
        let row = record.row;
        Self {
            id: row.id,
            question_id: row.question_id,
            kind: row.kind,
            status: row.status,
            body: row.body,
            author: Author {
                name: row.author_name,
                position: row.author_position,
            },
            responded_on: row.responded_on,
            recommendation_ids: record.recommendation_ids,
            action_ids: record.action_ids,
            meeting_id: row.meeting_id,
            follow_up_due_on: row.follow_up_due_on,
            follow_up_status,
            follows_up_response_id: row.follows_up_response_id,
            followed_up_by_response_id: record.followed_up_by,
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

impl CommissionerResponse {
    /// Its `ETag`: the version and a fingerprint, since `follow_up_status` changes
    /// with the date and with another response's publication (see
    /// [`ETag::of_representation`]).
    pub fn etag(&self) -> ETag {
        ETag::of_representation(self.version, self)
    }
}

crate::page_type!(CommissionerResponsePage, CommissionerResponse);

/// Filters for a question's responses.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResponseQuery {
    /// Only responses in this state. Anonymous and `integration` callers only ever see
    /// published ones.
    pub status: Option<ResponseStatus>,
    /// Only responses whose text is matching this web search (see `GET /api/v1/search`: words after
    /// English stemming, `"phrases"`, `-excluded` words, `or`; whole words, not parts of
    /// words); at most 200 characters. Every match is listed, in the list's usual order.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// The filters as given; whether drafts are included follows from the caller, not the
/// query (see [`ResponseFilter::include_drafts`]).
impl TryFrom<ResponseQuery> for ResponseFilter {
    type Error = ApiError;

    fn try_from(query: ResponseQuery) -> Result<Self, ApiError> {
        let (text,) = (query.q.as_deref().map(search_text).transpose(),).collect_fields()?;
        Ok(Self {
            status: query.status,
            text: text.flatten(),
            include_drafts: false,
        })
    }
}

/// Who wrote a response, in a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorRequest {
    /// 1 to 200 characters.
    pub name: String,
    /// 1 to 200 characters.
    pub position: String,
}

/// A new (draft) response: written, or given at a meeting (`verbal`, with the
/// meeting and any written follow-up promised there).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "verbal",
    "body": "The Commissioner said the force's new triage model is in place and promised figures for the first quarter in writing.",
    "author": {"name": "Ben Adams", "position": "Commissioner"},
    "responded_on": "2024-03-14",
    "meeting_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70",
    "follow_up_due_on": "2024-04-11"
}))]
pub struct CreateResponseRequest {
    /// `written`, or `verbal` (given at a meeting: needs `meeting_id`).
    pub kind: ResponseKind,
    /// 1 to 20,000 characters.
    pub body: String,
    pub author: AuthorRequest,
    /// Not before the question was asked.
    pub responded_on: NaiveDate,
    /// Recommendations cited; each must exist; an id given twice counts once.
    #[serde(default)]
    pub recommendation_ids: Vec<RecommendationId>,
    /// Actions cited; each must exist; an id given twice counts once.
    #[serde(default)]
    pub action_ids: Vec<ActionId>,
    /// Required for a `verbal` response, refused for a `written` one (422): the
    /// meeting the answer was given at. It must exist, be held on or before
    /// `responded_on`, and not be in the future.
    #[serde(default)]
    pub meeting_id: Option<MeetingId>,
    /// Only for a `verbal` response: the answerer promised a written follow-up, due
    /// on this date (on or after `responded_on`).
    #[serde(default)]
    pub follow_up_due_on: Option<NaiveDate>,
    /// Only for a `written` response: the verbal response to the same question whose
    /// promised follow-up this is. Once this response is published, that promise is
    /// `provided`.
    #[serde(default)]
    pub follows_up_response_id: Option<ResponseId>,
}

/// Changes to who wrote a response (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorPatch {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub position: Option<Option<String>>,
}

/// Changes to a response (JSON merge patch): absent fields stay as they are. A change
/// to a published response is a correction: it must carry `correction_note`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "body": "In response to HMICFRS Inspection Findings, the force has initiated a Child Protection Improvement Programme…",
    "correction_note": "The programme's name was given wrongly."
}))]
pub struct UpdateResponseRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = ResponseKind, required = false)]
    pub kind: Option<Option<ResponseKind>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = AuthorPatch, required = false)]
    pub author: Option<Option<AuthorPatch>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub responded_on: Option<Option<NaiveDate>>,
    /// Replaces the list.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<RecommendationId>, required = false)]
    pub recommendation_ids: Option<Option<Vec<RecommendationId>>>,
    /// Replaces the list.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<ActionId>, required = false)]
    pub action_ids: Option<Option<Vec<ActionId>>>,
    /// The meeting a verbal response was given at; `null` removes it (as a change to
    /// `kind: written` must).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<MeetingId>, required = false, nullable)]
    pub meeting_id: Option<Option<MeetingId>>,
    /// When the promised written follow-up is due; `null` withdraws the undertaking.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<NaiveDate>, required = false, nullable)]
    pub follow_up_due_on: Option<Option<NaiveDate>>,
    /// The verbal response this written one follows up; `null` unlinks it.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<ResponseId>, required = false, nullable)]
    pub follows_up_response_id: Option<Option<ResponseId>>,
    /// Required for a published response, refused for a draft: why it is corrected,
    /// 1 to 2,000 characters. Kept with the new version, for everyone to read.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub correction_note: Option<Option<String>>,
}

/// A response date: within the years a meeting may be held in (this keeps out typos).
fn parse_responded_on(date: NaiveDate) -> FieldResult<NaiveDate> {
    parse_held_on("responded_on", date)
}

/// A merge-patch field that may change but not be removed (`null` is a 422), parsed
/// with `parse` when given.
fn patch_parsed<T, U>(
    field: &str,
    value: Option<Option<T>>,
    parse: impl FnOnce(T) -> FieldResult<U>,
) -> FieldResult<Option<U>> {
    patch_field(field, value)?.map(parse).transpose()
}

impl TryFrom<CreateResponseRequest> for NewResponse {
    type Error = ApiError;

    fn try_from(body: CreateResponseRequest) -> Result<Self, ApiError> {
        let (text, author_name, author_position, responded_on, recommendation_ids, action_ids, follow_up_due_on) = (
            Body::parse("body", &body.body),
            Name::parse("author.name", &body.author.name),
            Name::parse("author.position", &body.author.position),
            parse_responded_on(body.responded_on),
            parse_citations("recommendation_ids", &body.recommendation_ids),
            parse_citations("action_ids", &body.action_ids),
            body.follow_up_due_on
                .map(|d| parse_held_on("follow_up_due_on", d))
                .transpose(),
        )
            .collect_fields()?;
        let errors = check_response_shape(
            body.kind,
            body.meeting_id.is_some(),
            responded_on,
            follow_up_due_on,
            body.follows_up_response_id.is_some(),
        );
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(Self {
            kind: body.kind,
            body: text,
            author_name,
            author_position,
            responded_on,
            recommendation_ids,
            action_ids,
            meeting_id: body.meeting_id,
            follow_up_due_on,
            follows_up_response_id: body.follows_up_response_id,
        })
    }
}

impl TryFrom<UpdateResponseRequest> for ResponseChanges {
    type Error = ApiError;

    fn try_from(body: UpdateResponseRequest) -> Result<Self, ApiError> {
        let (author_name, author_position) = match patch_field("author", body.author) {
            Ok(Some(author)) => (
                patch_parsed("author.name", author.name, |n| Name::parse("author.name", n)),
                patch_parsed("author.position", author.position, |p| {
                    Name::parse("author.position", p)
                }),
            ),
            Ok(None) => (Ok(None), Ok(None)),
            Err(error) => (Err(error), Ok(None)),
        };
        let (kind, text, author_name, author_position, responded_on, recommendation_ids, action_ids, correction_note) =
            (
                patch_field("kind", body.kind),
                patch_parsed("body", body.body, |b| Body::parse("body", b)),
                author_name,
                author_position,
                patch_parsed("responded_on", body.responded_on, parse_responded_on),
                patch_parsed("recommendation_ids", body.recommendation_ids, |r| {
                    parse_citations("recommendation_ids", &r)
                }),
                patch_parsed("action_ids", body.action_ids, |a| parse_citations("action_ids", &a)),
                patch_parsed("correction_note", body.correction_note, |n| {
                    Note::parse("correction_note", n)
                }),
            )
                .collect_fields()?;
        let follow_up_due_on = match body.follow_up_due_on {
            Some(Some(date)) => Some(Some(
                parse_held_on("follow_up_due_on", date).map_err(|e| ApiError::validation(vec![e]))?,
            )),
            other => other,
        };
        Ok(Self {
            kind,
            body: text,
            author_name,
            author_position,
            responded_on,
            recommendation_ids,
            action_ids,
            meeting_id: body.meeting_id,
            follow_up_due_on,
            follows_up_response_id: body.follows_up_response_id,
            correction_note,
        })
    }
}

impl Publishable for ResponseRecord {
    fn is_public(&self) -> bool {
        self.row.status == ResponseStatus::Published
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&CommissionerResponse::from(self.clone()))
    }
}

/// Draft a response to a question.
///
/// The response starts as a `draft`, seen only by staff, with version 1 in its history.
/// The question must be neither rejected nor withdrawn (409). For `admin`; `commissioner_office`
/// for a question put to the Commissioner, `secretariat` for one put to the Panel
/// (403 otherwise); the `secretariat` also records `verbal` answers given at a meeting
/// to any question.
///
/// A `verbal` response names the meeting it was given at (`meeting_id`, which must
/// exist, be held on or before `responded_on` and not in the future) and, where the
/// answerer promised more, `follow_up_due_on`. The written follow-up is a `written`
/// response naming the verbal one in `follows_up_response_id`: once published, the
/// promise is `provided`. Otherwise, 422 naming the field.
#[utoipa::path(
    tag = "responses",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    request_body = CreateResponseRequest,
    responses(
        (status = 201, description = "The draft was created.", body = CommissionerResponse,
            headers(("Location" = String, description = "The new response's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
        (status = 404, response = responses::NotFound),
    )
)]
#[post("/questions/{id}/responses")]
pub async fn create_response(
    auth: Require<WriteResponses>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    Json(body): Json<CreateResponseRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewResponse::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::insert(&mut conn, &auth.actor(), *id, &new, &auth.answers_for()).await?;
    let response = CommissionerResponse::from(record);
    Ok(created(
        format!("/api/v1/responses/{}", response.id),
        &response.etag(),
        &response,
    ))
}

/// List a question's responses.
///
/// Oldest first, paged with `cursor`. Anonymous and `integration` callers see the
/// published responses of public questions only (404 for a question that is not
/// public); staff see drafts too.
#[utoipa::path(
    tag = "responses",
    params(("id" = QuestionId, Path, description = "The question's id."), ResponseQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of responses, or with `Accept: text/csv` all that match, as CSV.",
            content((CommissionerResponsePage = "application/json"), (String = "text/csv", example = json!(RESPONSES_CSV_EXAMPLE)))),
        responses::ListWithin,
    )
)]
#[get("/questions/{id}/responses")]
pub async fn list_responses(
    caller: Caller,
    id: web::Path<QuestionId>,
    Paged(query, page): Paged<ResponseQuery>,
) -> Result<HttpResponse, ApiError> {
    let responses = Responses {
        question_id: *id,
        filter: ResponseFilter {
            include_drafts: caller.view().sees_unpublished(),
            ..query.try_into()?
        },
    };
    page.respond(&caller, responses).await
}

/// Get a response.
///
/// A draft is not found by anonymous and `integration` callers. Sends an `ETag`; with
/// `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "responses",
    params(("id" = ResponseId, Path, description = "The response's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The response.", body = CommissionerResponse,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/responses/{id}")]
pub async fn get_response(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<ResponseId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let record = repo::find(&mut conn, *id, caller.view().sees_unpublished()).await?;
    let response = CommissionerResponse::from(record);
    Ok(ok_unless_current(&if_none_match, &response.etag(), &response))
}

/// Change or correct a response.
///
/// JSON merge patch: only the fields given change. On a draft this is a plain edit. A
/// published response is never silently rewritten: a change to it is a correction,
/// which must carry `correction_note` (422 without one) and change at least one
/// field. Either way the response's version goes up and the new version joins its
/// history, where every earlier version stays readable. Send `If-Match` with the
/// `ETag` you read (412 if it changed since). For `admin`; `commissioner_office`
/// for a question put to the Commissioner, `secretariat` for one put to the Panel
/// (403 otherwise).
#[utoipa::path(
    tag = "responses",
    params(("id" = ResponseId, Path, description = "The response's id.")),
    request_body = UpdateResponseRequest,
    responses(
        (status = 200, description = "The response as changed.", body = CommissionerResponse),
        (status = 409, response = responses::Conflict),
        responses::Update,
    )
)]
#[patch("/responses/{id}")]
pub async fn update_response(
    auth: Require<WriteResponses>,
    state: web::Data<AppState>,
    id: web::Path<ResponseId>,
    if_match: IfMatch,
    Json(body): Json<UpdateResponseRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = ResponseChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes, &auth.answers_for()).await?;
    let response = CommissionerResponse::from(record);
    Ok(ok(&response.etag(), &response))
}

/// Publish a response.
///
/// `draft` → `published`: the response becomes public, and in the same transaction
/// its question becomes `answered` (and public) if it was `submitted` or `accepted`.
/// A response that is already published, or whose question is rejected or withdrawn,
/// is a 409 with `current_state` (the response's or the question's). Honours
/// `If-Match`. For `admin`; `commissioner_office`
/// for a question put to the Commissioner, `secretariat` for one put to the Panel
/// (403 otherwise).
#[utoipa::path(
    tag = "responses",
    params(("id" = ResponseId, Path, description = "The response's id.")),
    responses(
        (status = 200, description = "The response, published.", body = CommissionerResponse),
        responses::Transition,
    )
)]
#[post("/responses/{id}/publish")]
pub async fn publish_response(
    auth: Require<WriteResponses>,
    state: web::Data<AppState>,
    id: web::Path<ResponseId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let (record, _question) = repo::publish(&mut conn, &auth.actor(), *id, &if_match, &auth.answers_for()).await?;
    let response = CommissionerResponse::from(record);
    Ok(ok(&response.etag(), &response))
}

const RESPONSES_CSV_EXAMPLE: &str = concat!(
    "id,question_id,kind,status,body,author_name,author_position,responded_on,recommendation_ids,action_ids,meeting_id,follow_up_due_on,follow_up_status,follows_up_response_id,followed_up_by_response_id,published_at,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a60,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b,written,published,\"All actions are specific and have clear ownership and time frames.\",Ben Adams,Commissioner,2022-06-09,,,,,none,,,2022-06-09T12:00:00Z,2022-06-08T12:00:00Z,2022-06-09T12:00:00Z,2\r\n",
);

/// A question's responses, as JSON pages or CSV.
pub struct Responses {
    question_id: QuestionId,
    filter: ResponseFilter,
}

impl Listing for Responses {
    type Item = CommissionerResponse;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "question_id",
        "kind",
        "status",
        "body",
        "author_name",
        "author_position",
        "responded_on",
        "recommendation_ids",
        "action_ids",
        "meeting_id",
        "follow_up_due_on",
        "follow_up_status",
        "follows_up_response_id",
        "followed_up_by_response_id",
        "published_at",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "responses";

    async fn page(
        &self,
        conn: &mut DbConn,
        page: PageRequest,
    ) -> Result<(Vec<CommissionerResponse>, Option<Cursor>), ApiError> {
        Ok(converted(
            repo::list_for_question(conn, self.question_id, &self.filter, &page).await?,
        ))
    }
}
