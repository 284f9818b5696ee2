//! Private follow links to questions: only the SHA-256 of each token is stored
//! (`question_follow_tokens`), and a replaced link is revoked, not deleted.
//!
//! A token never reaches the audit log or the change feed: issuing one with a new
//! question is part of `question.created`, and replacing one records
//! `question.follow_link_replaced` with how many links were revoked, nothing more.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use super::changelog;
use super::questions::{self, Permit, QuestionRecord, Submission};
use crate::db::schema::question_follow_tokens;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::follow::FollowToken;
use crate::domain::question::{NewQuestion, QuestionId, QuestionStatus};
use crate::domain::version::IfMatch;
use crate::error::ApiError;

/// The one answer for a token that does not lead to a question, whatever the reason
/// (never issued, revoked, malformed): it must not hint which.
pub fn no_such_link() -> ApiError {
    ApiError::not_found("No question follows this link")
}

#[derive(Insertable)]
#[diesel(table_name = question_follow_tokens)]
struct NewFollowTokenRow<'a> {
    id: Uuid,
    question_id: QuestionId,
    token_hash: &'a str,
}

/// Issues a new link to question `id` inside the caller's transaction.
async fn issue(conn: &mut DbConn, id: QuestionId) -> Result<FollowToken, ApiError> {
    let token = FollowToken::generate().map_err(ApiError::Internal)?;
    diesel::insert_into(question_follow_tokens::table)
        .values(NewFollowTokenRow {
            id: Uuid::now_v7(),
            question_id: id,
            token_hash: &token.hash(),
        })
        .execute(conn)
        .await?;
    Ok(token)
}

/// Creates a question (see [`questions::insert`]) with its follow link, in one
/// transaction: the question is never stored without its link.
pub async fn submit(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewQuestion,
    submission: &Submission,
) -> Result<(QuestionRecord, FollowToken), ApiError> {
    conn.transaction(async |conn| {
        let record = questions::insert(conn, actor, new, submission).await?;
        let token = issue(conn, record.row.id).await?;
        Ok((record, token))
    })
    .await
}

/// The question a live (unrevoked) link leads to; [`no_such_link`] otherwise.
pub async fn question_for(conn: &mut DbConn, token: Option<&FollowToken>) -> Result<QuestionId, ApiError> {
    let Some(token) = token else {
        return Err(no_such_link());
    };
    question_follow_tokens::table
        .filter(question_follow_tokens::token_hash.eq(token.hash()))
        .filter(question_follow_tokens::revoked_at.is_null())
        .select(question_follow_tokens::question_id)
        .first::<QuestionId>(conn)
        .await
        .optional()?
        .ok_or_else(no_such_link)
}

/// Withdraws the question a live link leads to, as its questioner: the same rule as
/// any withdrawal (`submitted` or `accepted` only, 409 otherwise), honouring `If-Match`,
/// recorded as `question.withdrawn` by `actor`.
pub async fn withdraw(
    conn: &mut DbConn,
    actor: &Actor,
    token: Option<&FollowToken>,
    if_match: &IfMatch,
) -> Result<QuestionRecord, ApiError> {
    conn.transaction(async |conn| {
        let id = question_for(conn, token).await?;
        questions::transition(conn, actor, id, if_match, QuestionStatus::Withdrawn, None, Permit::Any).await
    })
    .await
}

/// Revokes every live link to question `id` and issues a new one, recorded as
/// `question.follow_link_replaced` (with the number revoked, never a token or hash).
/// 404 when there is no such question.
pub async fn replace(conn: &mut DbConn, actor: &Actor, id: QuestionId) -> Result<FollowToken, ApiError> {
    conn.transaction(async |conn| {
        let record = questions::lock_record(conn, id).await?;
        let revoked = diesel::update(
            question_follow_tokens::table
                .filter(question_follow_tokens::question_id.eq(id))
                .filter(question_follow_tokens::revoked_at.is_null()),
        )
        .set(question_follow_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
        .await?;
        let token = issue(conn, id).await?;
        changelog::note(
            conn,
            actor,
            "question.follow_link_replaced",
            "question",
            Some(record.row.id.0),
            Some(&serde_json::json!({ "links_revoked": revoked })),
        )
        .await?;
        Ok(token)
    })
    .await
}
