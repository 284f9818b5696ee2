//! `/api/v1/questions/{id}/accept`, `/reject`, `/refer` and `/withdraw`: the
//! secretariat's decisions on a question, and the asker's withdrawal.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::questions::{detail, QuestionDetail};
use crate::app::AppState;
use crate::domain::auth::View;
use crate::domain::organisation::OrganisationId;
use crate::domain::question::{
    Grounds, Note, Permit, QuestionId, QuestionStatus, Referral, ReferralCode, Rejection, RejectionCode,
};
use crate::domain::CollectFields;
use crate::error::{responses, ApiError, FieldError};
use crate::http::caller::{ManageQuestions, Require, Requirement, WithdrawQuestions};
use crate::http::conditional::{ok, IfMatch};
use crate::http::Json;
use crate::repo::questions as repo;

/// Why a question is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reason_code": "operational_matter",
    "reason": "The question concerns an operational matter for the Chief Constable.",
}))]
pub struct RejectQuestionRequest {
    /// The documented ground (required; a missing, null or unknown code is a 422
    /// naming `reason_code`).
    // An Option so that a missing code is a field error naming `reason_code`, like every
    // other rule broken, rather than serde's "missing field" against the whole body.
    #[schema(required = true, value_type = RejectionCode)]
    pub reason_code: Option<RejectionCode>,
    /// 1 to 2,000 characters; published to nobody but staff.
    pub reason: String,
}

impl TryFrom<RejectQuestionRequest> for Rejection {
    type Error = ApiError;

    fn try_from(body: RejectQuestionRequest) -> Result<Self, ApiError> {
        let code = body.reason_code.ok_or_else(|| {
            let codes: Vec<&str> = RejectionCode::ALL.iter().map(|code| code.as_str()).collect();
            FieldError::new("reason_code", format!("is required: one of {}", codes.join(", ")))
        });
        let (code, reason) = (code, Note::parse("reason", &body.reason)).collect_fields()?;
        Ok(Rejection { code, reason })
    }
}

/// Where a question is referred, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organisation_id": "01937b4e-0000-7000-8000-000000000002",
    "reason_code": "operational_matter",
    "reason": "The front counter's opening hours are for the Chief Constable to decide.",
}))]
pub struct ReferQuestionRequest {
    /// The organisation the question is passed to (the force, the fire service, the
    /// council): required, and it must exist (a 422 naming `organisation_id` otherwise).
    // Options so that a missing value is a field error naming the field, like every
    // other rule broken, rather than serde's "missing field" against the whole body.
    #[schema(required = true, value_type = OrganisationId)]
    pub organisation_id: Option<OrganisationId>,
    /// The documented ground (required; a missing, null or unknown code is a 422
    /// naming `reason_code`).
    #[schema(required = true, value_type = ReferralCode)]
    pub reason_code: Option<ReferralCode>,
    /// 1 to 2,000 characters; public, like the question.
    pub reason: String,
}

impl TryFrom<ReferQuestionRequest> for Referral {
    type Error = ApiError;

    fn try_from(body: ReferQuestionRequest) -> Result<Self, ApiError> {
        let organisation_id = body
            .organisation_id
            .ok_or_else(|| FieldError::new("organisation_id", "is required: the id of an organisation"));
        let code = body.reason_code.ok_or_else(|| {
            let codes: Vec<&str> = ReferralCode::ALL.iter().map(|code| code.as_str()).collect();
            FieldError::new("reason_code", format!("is required: one of {}", codes.join(", ")))
        });
        let (organisation_id, code, reason) =
            (organisation_id, code, Note::parse("reason", &body.reason)).collect_fields()?;
        Ok(Referral {
            organisation_id,
            code,
            reason,
        })
    }
}

/// Moves question `id` to the state `to` names (with the grounds, if any, and under
/// its permit), and answers with the question as changed and its new `ETag`.
async fn answer<R: Requirement>(
    state: &web::Data<AppState>,
    auth: &Require<R>,
    id: QuestionId,
    if_match: &IfMatch,
    (to, grounds, permit): (QuestionStatus, Option<Grounds<'_>>, Permit),
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    let record = repo::transition(&mut conn, &auth.actor(), id, if_match, to, grounds, permit).await?;
    // Never with contact details: this answer is kept for Idempotency-Key replays.
    let (tag, detail) = detail(&mut conn, record, auth.view().min(View::Staff)).await?;
    Ok(ok(&tag, &detail))
}

/// Accept a question.
///
/// `submitted` → `accepted`: the question becomes public (and gets its
/// `published_at`). Honours `If-Match`. For `admin` and `secretariat`; any other state
/// is a 409 with `current_state`.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "The question, accepted.", body = QuestionDetail),
        responses::Transition,
    )
)]
#[post("/questions/{id}/accept")]
pub async fn accept_question(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let to = (QuestionStatus::Accepted, None, Permit::Any);
    answer(&state, &auth, *id, &if_match, to).await
}

/// Reject a question.
///
/// `submitted` → `rejected`, with the documented ground (`reason_code`) and the
/// secretariat's own words (`reason`), both required and both shown on the question
/// (`rejection_reason_code`, `rejection_reason`). The question stays private.
/// Honours `If-Match`. For `admin` and `secretariat`; any other state is a 409 with
/// `current_state`.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    request_body = RejectQuestionRequest,
    responses(
        (status = 200, description = "The question, rejected.", body = QuestionDetail),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/questions/{id}/reject")]
pub async fn reject_question(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_match: IfMatch,
    Json(body): Json<RejectQuestionRequest>,
) -> Result<HttpResponse, ApiError> {
    let rejection = Rejection::try_from(body)?;
    let to = (
        QuestionStatus::Rejected,
        Some(Grounds::Rejection(&rejection)),
        Permit::Any,
    );
    answer(&state, &auth, *id, &if_match, to).await
}

/// Refer a question to another organisation.
///
/// `submitted` or `accepted` → `referred`: the question is operational or belongs
/// elsewhere, so it is passed to another organisation (the force, the fire service, the
/// council) to reply to directly. The organisation (`organisation_id`, which must
/// exist), the documented ground (`reason_code`) and the secretariat's own words
/// (`reason`, 1 to 2,000 characters) are all required and are shown on the question
/// (`referred_to_organisation_id`, `referral_reason_code`, `referral_reason`, with
/// `referred_at`). A referred question is public, and stays referred: the
/// organisation's written reply, recorded by the secretariat as a response and
/// published, is shown with it without making it `answered`. Audited and in the
/// change feed as `question.referred`. Honours `If-Match`. For `admin` and
/// `secretariat`; any other state is a 409 with `current_state`, and nothing is written.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    request_body = ReferQuestionRequest,
    responses(
        (status = 200, description = "The question, referred.", body = QuestionDetail),
        responses::Update,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/questions/{id}/refer")]
pub async fn refer_question(
    auth: Require<ManageQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_match: IfMatch,
    Json(body): Json<ReferQuestionRequest>,
) -> Result<HttpResponse, ApiError> {
    let referral = Referral::try_from(body)?;
    let to = (
        QuestionStatus::Referred,
        Some(Grounds::Referral(&referral)),
        Permit::Any,
    );
    answer(&state, &auth, *id, &if_match, to).await
}

/// Withdraw a question.
///
/// `submitted` or `accepted` → `withdrawn`: the question is no longer public. For
/// `admin` and `secretariat`, and for the panel member who asked it (any other panel
/// member: 403). Honours `If-Match`; any other state is a 409 with `current_state`, and
/// so is a question already put at a meeting (its meeting held, answered there, a
/// supplementary asked to it): what happened there stays on the record.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    responses(
        (status = 200, description = "The question, withdrawn.", body = QuestionDetail),
        responses::Transition,
    )
)]
#[post("/questions/{id}/withdraw")]
pub async fn withdraw_question(
    auth: Require<WithdrawQuestions>,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let to = (QuestionStatus::Withdrawn, None, Permit::to_withdraw(&auth.principal));
    answer(&state, &auth, *id, &if_match, to).await
}
