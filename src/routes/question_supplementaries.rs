//! `/api/v1/questions/{id}/supplementaries`: a supplementary question asked at a panel
//! meeting after the answer to an original question, recorded by the secretariat.
//!
//! A sub-resource of its original rather than a field on `POST /api/v1/questions`: a
//! supplementary exists only relative to its original, is put in person at the
//! meeting (no deadline, no follow link, no contact details, no rate limit) and is
//! recorded by the secretariat, who alone may; the rules of question creation do not
//! apply to it, and the rules that do (the panel's `supplementary_questions`, one to a
//! question) are about the original. It is answered at the meeting like any question:
//! a `verbal` response on it (`POST /api/v1/questions/{id}/responses`).

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::questions::{detail, QuestionDetail};
use crate::app::AppState;
use crate::domain::auth::View;
use crate::domain::meeting::MeetingId;
use crate::domain::question::{NewSupplementary, QuestionId};
use crate::domain::text::{Body, Name, Title};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError};
use crate::http::caller::{ManageQuestions, Require};
use crate::http::conditional::created;
use crate::http::Json;
use crate::repo::questions as repo;

/// A supplementary question as asked at the meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "body": "Will the Commissioner publish the response times for each district, not only the force average?",
    "meeting_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a70"
}))]
pub struct CreateSupplementaryRequest {
    /// What was asked, as minuted: 1 to 20,000 characters.
    pub body: String,
    /// The meeting it was asked at: the original's when not given (required when the
    /// original names none, and must be the original's when it does). A panel meeting
    /// already held.
    #[serde(default)]
    pub meeting_id: Option<MeetingId>,
    /// The name it is published under, 1 to 200 characters: the original asker's when
    /// not given.
    #[serde(default)]
    pub asker_display_name: Option<String>,
    /// 1 to 300 characters: "Supplementary to <original reference>" when not given.
    #[serde(default)]
    pub title: Option<String>,
}

impl TryFrom<CreateSupplementaryRequest> for NewSupplementary {
    type Error = ApiError;

    fn try_from(request: CreateSupplementaryRequest) -> Result<Self, ApiError> {
        let (body, asker_display_name, title) = (
            Body::parse("body", &request.body),
            request
                .asker_display_name
                .as_deref()
                .map(|n| Name::parse("asker_display_name", n))
                .transpose(),
            request.title.as_deref().map(|t| Title::parse("title", t)).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            body,
            meeting_id: request.meeting_id,
            asker_display_name,
            title,
        })
    }
}

/// Record a supplementary question.
///
/// A supplementary asked at the meeting after the answer to question `id` (the
/// original), recorded by the secretariat: public at once (`accepted`) with the next
/// reference of the meeting's year, dated the meeting's day, put to whom the original
/// was, naming the original as `parent_question_id`; the original lists it in
/// `supplementary_question_ids`. Answer it at the meeting with a `verbal` response
/// (`POST /api/v1/questions/{id}/responses`).
///
/// 409 (with `current_state`) when the original is not public or is itself a
/// supplementary; 422 naming `meeting_id` when the meeting is unknown, not a panel
/// meeting, in the future, not the original's, or when the panel's rules of procedure
/// forbid it: supplementaries only where `supplementary_questions` is true, and one to
/// a question. For `admin` and `secretariat`.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The original question's id.")),
    request_body = CreateSupplementaryRequest,
    responses(
        (status = 201, description = "The supplementary question.", body = QuestionDetail,
            headers(("Location" = String, description = "The supplementary's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
        (status = 404, response = responses::NotFound),
    )
)]
#[post("/questions/{id}/supplementaries")]
pub async fn create_supplementary_question(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    Json(body): Json<CreateSupplementaryRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewSupplementary::try_from(body)?;
    let mut conn = state.conn().await?;
    let record = repo::insert_supplementary(&mut conn, &auth.actor(), *id, &new).await?;
    let location = format!("/api/v1/questions/{}", record.row.id);
    // Never with contact details (a supplementary holds none): as every POST answer.
    let (tag, detail) = detail(&mut conn, record, auth.view().min(View::Staff)).await?;
    Ok(created(location, &tag, &detail))
}
