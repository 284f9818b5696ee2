//! `/api/v1/follow/{token}`: a question's private follow link, for whoever holds it
//! (the questioner), and `/api/v1/questions/{id}/follow-link` for the secretariat to
//! replace it.
//!
//! The link is the only credential: it shows that one question whatever its state,
//! never contact details, and lets its holder withdraw the question while that is
//! allowed. Every token that does not lead to a question (never issued, revoked,
//! malformed) gets the same 404, so the answer never says which. The token is in the
//! path, so the access log and the `Idempotency-Key` store see the path with it
//! redacted (see [`crate::domain::follow::redact_path`]).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::meetings::Meeting;
use super::questions::{detail, FollowLink, QuestionDetail};
use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::{Actor, View};
use crate::domain::follow::FollowToken;
use crate::domain::question::{QuestionId, QuestionStatus};
use crate::error::{responses, ApiError};
use crate::http::caching::Caching;
use crate::http::caller::{Caller, ManageQuestions, Require};
use crate::http::conditional::{ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::repo::follow_links;
use crate::repo::meetings as meetings_repo;
use crate::repo::questions::{self as questions_repo, QuestionRecord};
use crate::repo::rate_limits::{self, FOLLOW_LINK_REQUESTS_PER_ADDRESS};

/// Who the audit log says withdrew a question through its follow link: the
/// questioner, by the link they hold, and nothing that identifies them.
pub const FOLLOW_LINK_ACTOR: &str = "questioner via follow link";

/// A question as the holder of its follow link sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedQuestion {
    /// The question in whatever state it is (`submitted`, `accepted`, `rejected` with
    /// its reason and `rejection_reason_code`, `answered` with its published responses,
    /// `withdrawn`), never with contact details.
    #[serde(flatten)]
    pub question: QuestionDetail,
    /// The meeting it is put to, when it is put to a public one.
    pub meeting: Option<Meeting>,
    /// Whether the holder may still withdraw it (`POST /api/v1/follow/{token}/withdraw`):
    /// while it is `submitted` or `accepted` and has not been put at a meeting (its
    /// meeting held, a verbal answer or a supplementary recorded there).
    pub can_withdraw: bool,
}

/// The question `record` as its follow link shows it, with its entity tag.
async fn followed(
    conn: &mut DbConn,
    record: QuestionRecord,
) -> Result<(crate::http::conditional::ETag, FollowedQuestion), ApiError> {
    let meeting = match record.row.meeting_id {
        Some(id) => meetings_repo::find(conn, id, false).await.ok().map(Meeting::from),
        None => None,
    };
    let can_withdraw = record.row.status.can_become(QuestionStatus::Withdrawn)
        && questions_repo::put_at_meeting(conn, &record.row).await?.is_none();
    // The public view: never contact details, whatever token (if any) came with it.
    let (tag, question) = detail(conn, record, View::Public).await?;
    Ok((
        tag,
        FollowedQuestion {
            question,
            meeting,
            can_withdraw,
        },
    ))
}

/// Follow a question by its private link.
///
/// Shows the one question the link leads to, whatever its state, with its published
/// responses and the public meeting it is put to; never contact details. No token is
/// needed: the link is the credential. An unknown, revoked or malformed link is a 404
/// with the same body every time. At most 60 requests by follow link (reading and
/// withdrawing together) in ten minutes from one client address: then 429 with
/// `Retry-After`. Sends an `ETag` (with `If-None-Match` naming it,
/// 304), and `Cache-Control: private, no-store`.
#[utoipa::path(
    tag = "follow",
    params(("token" = String, Path, description = "The follow link's token.")),
    security(()),
    responses(
        (status = 200, description = "The question.", body = FollowedQuestion,
            headers(("ETag" = String, description = "Its version, for `If-Match` on withdrawing."), ("Cache-Control" = String, description = "`private, no-store`."))),
        (status = 429, response = responses::TooManyRequests),
        responses::Read,
    )
)]
#[get("/follow/{token}")]
pub async fn get_followed_question(
    _caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let token = FollowToken::parse(&token);
    let mut conn = state.conn().await?;
    limit(&mut conn, &req).await?;
    let id = follow_links::question_for(&mut conn, token.as_ref()).await?;
    let record = questions_repo::find(&mut conn, id, true).await?;
    let (tag, body) = followed(&mut conn, record).await?;
    Ok(Caching::Personal.mark(ok_unless_current(&if_none_match, &tag, &body)))
}

/// Withdraw a question by its private link.
///
/// `submitted` or `accepted` → `withdrawn`, as the questioner: the audit log records
/// it as by an anonymous caller, `questioner via follow link`, and the change feed as
/// any withdrawal. Any other state is a 409 with `current_state`, and so is a question
/// already put at a meeting (its meeting held, answered there, a supplementary asked
/// to it), whose record stays public. Honours `If-Match`
/// with the link's `ETag`. An unknown, revoked or malformed link is the same 404 as
/// for reading it; requests count against the same limit per client address (429).
#[utoipa::path(
    tag = "follow",
    params(("token" = String, Path, description = "The follow link's token.")),
    security(()),
    responses(
        (status = 200, description = "The question, withdrawn.", body = FollowedQuestion,
            headers(("Cache-Control" = String, description = "`private, no-store`."))),
        (status = 429, response = responses::TooManyRequests),
        responses::Transition,
    )
)]
#[post("/follow/{token}/withdraw")]
pub async fn withdraw_followed_question(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let token = FollowToken::parse(&token);
    let actor = Actor {
        kind: "anonymous",
        id: Some(FOLLOW_LINK_ACTOR.to_string()),
        ..caller.actor()
    };
    let mut conn = state.conn().await?;
    limit(&mut conn, &req).await?;
    let record = follow_links::withdraw(&mut conn, &actor, token.as_ref(), &if_match).await?;
    let (tag, body) = followed(&mut conn, record).await?;
    Ok(Caching::Personal.mark(ok(&tag, &body)))
}

/// Counts a request by follow link against its client address's allowance: 429 with
/// `Retry-After` once the address has made 60 in ten minutes, before the link is looked
/// at (so a refused guess learns nothing).
async fn limit(conn: &mut DbConn, req: &HttpRequest) -> Result<(), ApiError> {
    let address = crate::http::proxy::client_address(req);
    rate_limits::count(conn, &FOLLOW_LINK_REQUESTS_PER_ADDRESS, &address).await
}

/// Replace a question's follow link.
///
/// Revokes every link to the question (they answer 404 from now on) and issues a new
/// one, shown in this answer only (`Cache-Control: no-store`; a retry with the same
/// `Idempotency-Key` is handled afresh, so it issues another and revokes this one).
/// Recorded in the audit log as `question.follow_link_replaced`, without the token.
/// For `admin` and `secretariat`.
#[utoipa::path(
    tag = "follow",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "The new link, this once.", body = FollowLink,
            headers(("Cache-Control" = String, description = "`no-store`: the token is shown this once."))),
        responses::ReadProtected,
    )
)]
#[post("/questions/{id}/follow-link")]
pub async fn replace_follow_link(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let token = follow_links::replace(&mut conn, &auth.actor(), *id).await?;
    Ok(Caching::Secret.mark(HttpResponse::Ok().json(FollowLink::new(&state, &token))))
}
