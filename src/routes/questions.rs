//! `/api/v1/questions`: public and panel questions to the Commissioner, and the
//! secretariat's decisions on them.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::question_requests::{CreateQuestionRequest, UpdateQuestionRequest};
use super::responses::CommissionerResponse;
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::{Role, Subject, UserId, View};
use crate::domain::calendar::london_today;
use crate::domain::follow::{follow_path, FollowToken};
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::OrganisationId;
use crate::domain::question::{
    AskerContact, AskerKind, FollowUpFilter, FollowUpStatus, NewQuestion, QuestionChanges, QuestionId, QuestionStatus,
    ReferralCode, RejectionCode, Topic,
};
use crate::domain::question_rules::Addressee;
use crate::domain::report::RecommendationId;
use crate::domain::{storable_date, CollectFields};
use crate::error::{responses, ApiError};
use crate::http::caching::Caching;
use crate::http::caller::{Caller, ManageQuestions, Require};
use crate::http::conditional::{created, ok, ok_unless_current, ETag, IfMatch, IfNoneMatch};
use crate::http::listing::{ExportParams, Listing, PageParams, Paged};
use crate::http::{search_text, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::follow_links;
use crate::repo::questions::{self as repo, QuestionFilter, QuestionRecord, Submission};
use crate::repo::rate_limits::ANONYMOUS_QUESTIONS_PER_ADDRESS;
use crate::repo::responses::{self as responses_repo, ResponseRecord};

/// Who asked a question.
#[derive(Debug, Serialize, ToSchema)]
pub struct Asker {
    pub kind: AskerKind,
    /// The name the question is published under.
    pub display_name: String,
}

/// Where an imported question came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionSource {
    /// The imported file's name.
    pub name: Option<String>,
    /// The SHA-256 of its text (hex), which makes a repeated import recognisable.
    pub hash: String,
}

/// A question to the Commissioner.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "reference": "PQ-2022-0007",
    "status": "answered",
    "asker": {"kind": "member_of_public", "display_name": "A member of the public"},
    "title": "Safeguarding children after the HMIC inspection",
    "body": "What exactly is the PFCC doing about this to bring the force to account?",
    "topics": ["child-protection"],
    "asked_on": "2022-05-31",
    "meeting_id": null,
    "parent_question_id": null,
    "addressed_to": "commissioner",
    "recommendation_ids": [],
    "rejection_reason": null,
    "rejection_reason_code": null,
    "referred_to_organisation_id": null,
    "referral_reason_code": null,
    "referral_reason": null,
    "referred_at": null,
    "published_at": "2022-06-01T10:00:00Z",
    "source": null,
    "created_at": "2022-05-31T18:00:00Z",
    "updated_at": "2022-06-09T12:00:00Z",
    "version": 3
}))]
pub struct Question {
    pub id: QuestionId,
    /// The human reference, `PQ-<year asked>-<number>`, assigned in order within each year.
    pub reference: String,
    /// `submitted` → `accepted` → `answered`; `submitted` → `rejected`;
    /// `submitted`/`accepted` → `referred` or `withdrawn`. Only `accepted`, `answered`
    /// and `referred` are public.
    pub status: QuestionStatus,
    pub asker: Asker,
    /// How to reach the questioner: personal data, present only for `secretariat` and
    /// `admin` (null when none is held) and absent for everyone else. An answer that
    /// carries it is `Cache-Control: private, no-store`. Answers to `POST` (asking,
    /// accepting, rejecting, withdrawing) never carry it, so that the answer the
    /// `Idempotency-Key` replay keeps holds no personal data: read the question to see
    /// it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<AskerContact>, nullable)]
    pub asker_contact: Option<Option<AskerContact>>,
    pub title: String,
    pub body: String,
    pub topics: Vec<String>,
    /// The day it was asked; its year is the reference's.
    pub asked_on: NaiveDate,
    /// The panel meeting it is put to.
    pub meeting_id: Option<MeetingId>,
    /// The question this one is supplementary to.
    pub parent_question_id: Option<QuestionId>,
    /// Whom it is put to: the Commissioner, whose office answers, or the Panel, whose
    /// chair answers.
    pub addressed_to: Addressee,
    /// The recommendations it concerns.
    pub recommendation_ids: Vec<RecommendationId>,
    /// Why it was rejected, when it was, in the secretariat's words.
    pub rejection_reason: Option<String>,
    /// The documented ground it was rejected on, when it was; null for a question
    /// rejected before grounds were recorded.
    pub rejection_reason_code: Option<RejectionCode>,
    /// The organisation it was referred to (the force, the fire service, the council),
    /// when it was referred; null otherwise.
    pub referred_to_organisation_id: Option<OrganisationId>,
    /// The documented ground it was referred on, when it was; null otherwise.
    pub referral_reason_code: Option<ReferralCode>,
    /// Why it was referred, in the secretariat's words, when it was; null otherwise.
    pub referral_reason: Option<String>,
    /// When it was referred; null otherwise.
    pub referred_at: Option<DateTime<Utc>>,
    /// When it first became public (accepted, answered or referred).
    pub published_at: Option<DateTime<Utc>>,
    /// For questions imported from a published document; null otherwise.
    pub source: Option<QuestionSource>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change.
    pub version: i32,
}

impl Question {
    /// Whether caches may keep an answer carrying this question: not when it shows
    /// contact details.
    pub fn caching(&self) -> Caching {
        Caching::personal_if(self.asker_contact.is_some())
    }

    /// The question as a caller with `view` may see it.
    pub fn render(record: QuestionRecord, view: View) -> Result<Self, ApiError> {
        let asker_contact = if view.sees_contact_details() {
            Some(record.row.contact()?)
        } else {
            None
        };
        let row = record.row;
        Ok(Self {
            id: row.id,
            reference: row.reference,
            status: row.status,
            asker: Asker {
                kind: row.asker_kind,
                display_name: row.asker_display_name,
            },
            asker_contact,
            title: row.title,
            body: row.body,
            topics: row.topics,
            asked_on: row.asked_on,
            meeting_id: row.meeting_id,
            parent_question_id: row.parent_question_id,
            addressed_to: row.addressed_to,
            recommendation_ids: record.recommendation_ids,
            rejection_reason: row.rejection_reason,
            rejection_reason_code: row.rejection_reason_code,
            referred_to_organisation_id: row.referred_to_organisation_id,
            referral_reason_code: row.referral_reason_code,
            referral_reason: row.referral_reason,
            referred_at: row.referred_at,
            published_at: row.published_at,
            source: row.source_hash.map(|hash| QuestionSource {
                name: row.source_name,
                hash,
            }),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

/// A question with its published responses.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDetail {
    #[serde(flatten)]
    pub question: Question,
    /// Its published responses, oldest first (drafts are listed, for staff, at
    /// `GET /api/v1/questions/{id}/responses`).
    pub responses: Vec<CommissionerResponse>,
    /// The supplementary questions asked to it at its meeting, in the order they were
    /// recorded (each names this one as `parent_question_id`): the public ones, or all
    /// for staff.
    pub supplementary_question_ids: Vec<QuestionId>,
}

impl QuestionDetail {
    /// Whether caches may keep an answer carrying it (see [`Question::caching`]).
    pub fn caching(&self) -> Caching {
        self.question.caching()
    }
}

crate::page_type!(QuestionPage, Question);

/// Filters for the question list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuestionQuery {
    /// Only questions in this state. Anonymous and `integration` callers only ever see
    /// `accepted`, `answered` and `referred` ones.
    pub status: Option<QuestionStatus>,
    /// Only questions from this kind of asker.
    pub asker_kind: Option<AskerKind>,
    /// Only questions with this topic.
    pub topic: Option<String>,
    /// Only questions put to this meeting.
    pub meeting_id: Option<MeetingId>,
    /// Only questions concerning this recommendation.
    pub recommendation_id: Option<RecommendationId>,
    /// Only questions asked on or after this date.
    pub asked_from: Option<NaiveDate>,
    /// Only questions asked on or before this date.
    pub asked_to: Option<NaiveDate>,
    /// Only questions whose title or body is matching this web search (see `GET /api/v1/search`: words after
    /// English stemming, `"phrases"`, `-excluded` words, `or`; whole words, not parts of
    /// words); at most 200 characters. Every match is listed, in the list's usual order.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only questions answered verbally at a meeting with a written follow-up promised
    /// that is `due` (not yet due), `overdue` (due before today, London, and no written
    /// follow-up published: a broken promise) or `provided`. Only published answers
    /// count.
    pub follow_up: Option<FollowUpFilter>,
}

/// The filters as the query gives them; `public_only` is the caller's to set.
impl TryFrom<QuestionQuery> for QuestionFilter {
    type Error = ApiError;

    fn try_from(query: QuestionQuery) -> Result<Self, ApiError> {
        let (topic, text, asked_from, asked_to) = (
            query.topic.as_deref().map(|t| Topic::parse("topic", t)).transpose(),
            query.q.as_deref().map(search_text).transpose(),
            query.asked_from.map(|d| storable_date("asked_from", d)).transpose(),
            query.asked_to.map(|d| storable_date("asked_to", d)).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            status: query.status,
            public_only: false,
            asker_kind: query.asker_kind,
            topic,
            meeting_id: query.meeting_id,
            recommendation_id: query.recommendation_id,
            asked_from,
            asked_to,
            text: text.flatten(),
            follow_up: query.follow_up.map(|state| (state, london_today())),
        })
    }
}

/// The kind of question the caller may ask: anonymous callers ask as the public,
/// panel members as panel members, and the secretariat records either. Everyone else
/// is refused.
fn asker_kind_for(caller: &Caller, requested: Option<AskerKind>) -> Result<AskerKind, ApiError> {
    let Some(principal) = &caller.principal else {
        return match requested {
            None | Some(AskerKind::MemberOfPublic) => Ok(AskerKind::MemberOfPublic),
            Some(AskerKind::PanelMember) => Err(ApiError::unauthorized(
                "A panel_member question needs a panel member's bearer token",
            )),
        };
    };
    if principal.has_any(&[Role::Admin, Role::Secretariat]) {
        return Ok(requested.unwrap_or(AskerKind::MemberOfPublic));
    }
    if principal.has_any(&[Role::PanelMember]) {
        return match requested {
            None | Some(AskerKind::PanelMember) => Ok(AskerKind::PanelMember),
            Some(AskerKind::MemberOfPublic) => Err(ApiError::forbidden(
                "A panel member asks panel_member questions; the secretariat records questions from the public",
            )),
        };
    }
    Err(ApiError::forbidden(
        "Questions are asked by the public (without a token), panel members, or the secretariat on their behalf",
    ))
}

/// The panel member's own account, when a panel member asks for themselves: the one
/// who may later withdraw the question.
fn asker_user_for(caller: &Caller, asker_kind: AskerKind) -> Option<UserId> {
    match caller.principal.as_ref().map(|p| &p.subject) {
        Some(Subject::User(id))
            if asker_kind == AskerKind::PanelMember && !caller.has_any(&[Role::Admin, Role::Secretariat]) =>
        {
            Some(*id)
        }
        _ => None,
    }
}

/// The question as `GET /questions/{id}` shows it, with its entity tag.
pub(super) async fn detail(
    conn: &mut crate::db::DbConn,
    record: QuestionRecord,
    view: View,
) -> Result<(ETag, QuestionDetail), ApiError> {
    let supplementary_question_ids = repo::supplementaries_of(conn, record.row.id, view.sees_unpublished()).await?;
    let published = responses_repo::published_for_question(conn, record.row.id).await?;
    detail_of(record, supplementary_question_ids, published, view)
}

/// [`detail`] of a question whose supplementaries (those `view` may see) and published
/// responses have been read.
fn detail_of(
    record: QuestionRecord,
    supplementary_question_ids: Vec<QuestionId>,
    published: Vec<ResponseRecord>,
    view: View,
) -> Result<(ETag, QuestionDetail), ApiError> {
    let sum: i64 = published.iter().map(|r| i64::from(r.row.version)).sum();
    let responses: Vec<CommissionerResponse> = published.into_iter().map(Into::into).collect();
    let overdue = responses
        .iter()
        .filter(|r| r.follow_up_status == FollowUpStatus::Overdue)
        .count();
    let embedded = repo::embedded_count(sum, supplementary_question_ids.len(), overdue);
    let tag = ETag::of_versions(record.row.version, embedded);
    Ok((
        tag,
        QuestionDetail {
            question: Question::render(record, view)?,
            responses,
            supplementary_question_ids,
        },
    ))
}

impl Publishable for QuestionRecord {
    fn is_public(&self) -> bool {
        self.row.status.is_public()
    }

    fn represent(&self, view: crate::domain::auth::View) -> Result<serde_json::Value, ApiError> {
        to_json(&Question::render(self.clone(), view.min(View::Staff))?)
    }
}

/// List questions.
///
/// Most recently asked first (by `asked_on`, then id), paged with `cursor`. Anonymous
/// and `integration` callers see `accepted`, `answered` and `referred` questions only; staff see
/// all; only `secretariat` and `admin` see contact details.
#[utoipa::path(
    tag = "questions",
    params(QuestionQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of questions, or with `Accept: text/csv` all that match, as CSV (never with contact details).",
            content((QuestionPage = "application/json"), (String = "text/csv", example = json!(QUESTIONS_CSV_EXAMPLE))),
            headers(("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."))),
        responses::List,
    )
)]
#[get("/questions")]
pub async fn list_questions(
    caller: Caller,
    Paged(query, page): Paged<QuestionQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = caller.view();
    let filter = QuestionFilter {
        public_only: !view.sees_unpublished(),
        ..QuestionFilter::try_from(query)?
    };
    page.respond(&caller, Questions { filter, view }).await
}

/// Ask a question.
///
/// Without a token, a member of the public asks (and must give `asker_contact.email`);
/// at most 5 such questions an hour are taken from one address (429 with `Retry-After`
/// beyond that). A `panel_member` asks a panel question as themselves; `secretariat` and
/// `admin` record a question of either kind on someone's behalf. Other roles: 403.
///
/// The question is `submitted`, with the next reference of its year, and is not public
/// until the secretariat accepts it: until then, its URL answers 404 to anonymous
/// callers. The answer carries the question's private follow link (`follow_url`,
/// `follow_token`), shown this once: whoever holds it can follow the question in every
/// state at `GET /api/v1/follow/{token}` and withdraw it there. The answer is
/// `Cache-Control: no-store`, so a retry with the same `Idempotency-Key` gets `303 See
/// Other` to the question rather than the token again. A question for a meeting must be in time: after the meeting's
/// `question_deadline` it is a 422 that says when the deadline was.
#[utoipa::path(
    tag = "questions",
    request_body = CreateQuestionRequest,
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 201, description = "The question was received, with its private follow link (this once).", body = SubmittedQuestion,
            headers(("Location" = String, description = "The new question's URL."), ("ETag" = String, description = "Its version."),
                ("Cache-Control" = String, description = "`no-store`: the follow token is shown this once."))),
        responses::Create,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/questions")]
pub async fn create_question(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Json(body): Json<CreateQuestionRequest>,
) -> Result<HttpResponse, ApiError> {
    let asker_kind = asker_kind_for(&caller, body.asker.kind)?;
    let new = NewQuestion {
        asker_kind,
        asker_user_id: asker_user_for(&caller, asker_kind),
        ..NewQuestion::try_from(body)?
    };
    let anonymous = caller.principal.is_none();
    if anonymous && new.asker_contact.is_none() {
        return Err(ApiError::invalid(
            "asker_contact.email",
            "is required for a question sent without a token, so that the secretariat can reply",
        ));
    }
    let view = caller.view();
    let submission = Submission {
        submitted_at: Some(Utc::now()),
        sees_unpublished: view.sees_unpublished(),
        rate_limit: anonymous.then(|| {
            let address = crate::http::proxy::client_address(&req);
            (ANONYMOUS_QUESTIONS_PER_ADDRESS, address)
        }),
    };
    let mut conn = state.conn().await?;
    let (record, token) = follow_links::submit(&mut conn, &caller.actor(), &new, &submission).await?;
    let location = format!("/api/v1/questions/{}", record.row.id);
    // Never with contact details. It shows the follow token this once, so it is
    // `no-store`: the Idempotency-Key store keeps only its status and headers, and a
    // retry is sent to the question (303), never given the token again.
    let (tag, question) = detail(&mut conn, record, view.min(View::Staff)).await?;
    let body = SubmittedQuestion {
        question,
        link: FollowLink::new(&state, &token),
    };
    Ok(Caching::Secret.mark(created(location, &tag, &body)))
}

/// Get a question, with its published responses.
///
/// A question that is not `accepted` or `answered` is not found by anonymous and
/// `integration` callers. Contact details are shown to `secretariat` and `admin` only.
/// Sends an `ETag`, which also changes when a response is published or corrected;
/// with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The question.", body = QuestionDetail,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."), ("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."))),
        responses::Read,
    )
)]
#[get("/questions/{id}")]
pub async fn get_question(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let view = caller.view();
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let page = repo::find_page(&mut conn, *id, view.sees_unpublished()).await?;
    let published = responses_repo::from_page(page.published_responses)?;
    let (tag, detail) = detail_of(page.record, page.supplementary_question_ids, published, view)?;
    Ok(detail.caching().mark(ok_unless_current(&if_none_match, &tag, &detail)))
}

/// Change a question.
///
/// JSON merge patch: only the fields given change; `status` and `reference` cannot be
/// set (422). `meeting_id` must name a panel meeting held on or after the day the
/// question was asked (422), and cannot change once the question has been put at its
/// meeting (it is a supplementary, has one, was answered there or in writing, or its
/// meeting has been held: 409 saying which). Send `If-Match` with the `ETag` you read (412 if it changed since). For
/// `admin` and `secretariat`.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    request_body = UpdateQuestionRequest,
    responses(
        (status = 200, description = "The question as changed.", body = QuestionDetail,
            headers(("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."))),
        (status = 409, response = responses::Conflict),
        responses::Update,
    )
)]
#[patch("/questions/{id}")]
pub async fn update_question(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_match: IfMatch,
    Json(body): Json<UpdateQuestionRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = QuestionChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes).await?;
    let (tag, detail) = detail(&mut conn, record, auth.view()).await?;
    Ok(detail.caching().mark(ok(&tag, &detail)))
}

const QUESTIONS_CSV_EXAMPLE: &str = concat!(
    "id,reference,status,asker_kind,asker_display_name,title,body,topics,asked_on,meeting_id,parent_question_id,addressed_to,recommendation_ids,rejection_reason,rejection_reason_code,referred_to_organisation_id,referral_reason_code,referral_reason,referred_at,published_at,source_name,source_hash,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b,PQ-2022-0007,answered,member_of_public,A member of the public,Safeguarding children after the HMIC inspection,\"What exactly is the PFCC doing about this, to bring the force to account?\",child-protection,2022-05-31,,,commissioner,,,,,,,,2022-06-01T10:00:00Z,,,2022-05-31T18:00:00Z,2022-06-09T12:00:00Z,3\r\n",
);

/// The question list, as JSON pages or CSV (whose columns leave contact details out,
/// whoever asks).
pub struct Questions {
    filter: QuestionFilter,
    view: View,
}

impl Listing for Questions {
    type Item = Question;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "reference",
        "status",
        "asker_kind",
        "asker_display_name",
        "title",
        "body",
        "topics",
        "asked_on",
        "meeting_id",
        "parent_question_id",
        "addressed_to",
        "recommendation_ids",
        "rejection_reason",
        "rejection_reason_code",
        "referred_to_organisation_id",
        "referral_reason_code",
        "referral_reason",
        "referred_at",
        "published_at",
        "source_name",
        "source_hash",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "questions";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Question>, Option<Cursor>), ApiError> {
        let (records, next) = repo::list(conn, &self.filter, &page).await?;
        let items = records
            .into_iter()
            .map(|record| Question::render(record, self.view))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, next))
    }

    fn caching(&self) -> Caching {
        Caching::personal_if(self.view.sees_contact_details())
    }
}

/// A question's private follow link, shown once: to whoever asked it, and to the
/// secretariat when it replaces the link.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowLink {
    /// Where to follow the question: absolute under `SCRUTINY_BASE_URL` when that is
    /// set, otherwise the path (`/api/v1/follow/{token}`).
    #[schema(example = "https://scrutiny.example.gov.uk/api/v1/follow/q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB")]
    pub follow_url: String,
    /// The link's token: 43 base64url characters (256 random bits). Only its hash is
    /// kept, so it cannot be shown again; if it is lost, the secretariat can issue a
    /// new link (`POST /api/v1/questions/{id}/follow-link`).
    #[schema(example = "q3Z8xV0m2bK7tR4yW1nE6sJ9cH5uL0aPdG2fT8kM3oB")]
    pub follow_token: String,
}

impl FollowLink {
    /// The link for `token`, as this service publishes it.
    pub fn new(state: &AppState, token: &FollowToken) -> Self {
        let path = follow_path(token);
        Self {
            follow_url: match state.config.base_url.as_deref() {
                Some(base) => format!("{base}{path}"),
                None => path,
            },
            follow_token: token.as_str().to_string(),
        }
    }
}

/// The answer to `POST /api/v1/questions`: the question and its private follow link.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedQuestion {
    #[serde(flatten)]
    pub question: QuestionDetail,
    #[serde(flatten)]
    pub link: FollowLink,
}
