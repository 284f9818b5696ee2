//! `/api/v1/organisations/{id}/question-rules`: a panel's rules of procedure for public
//! questions (see [`crate::domain::question_rules`]).

use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::organisation::OrganisationId;
use crate::domain::question_rules::{Addressee, QuestionRules};
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageQuestionRules, Require};
use crate::http::conditional::{ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::Json;
use crate::repo::question_rules::{self as repo, PanelRules};

/// A panel's rules for public questions. A panel that has never set its rules has the
/// defaults shown in the example below (version 1, `updated_at` null): three clear
/// working days, by the end of the deadline day, no limits, questions to the
/// Commissioner, supplementary questions taken.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "deadline_clear_working_days": 3,
    "deadline_time": null,
    "max_words": null,
    "max_questions_per_questioner_per_meeting": null,
    "addressees": ["commissioner"],
    "supplementary_questions": true,
    "updated_at": null,
    "version": 1
}))]
#[schema(as = QuestionRules)]
pub struct QuestionRulesBody {
    /// The panel.
    pub organisation_id: OrganisationId,
    /// Working days (England and Wales: no weekends, no bank holidays) that must lie
    /// wholly between the deadline day and the meeting, 0 to 30.
    pub deadline_clear_working_days: i32,
    /// The time (`HH:MM`, London time) on the deadline day before which questions must
    /// arrive; null for "by the end of the day".
    #[schema(example = "12:00", pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub deadline_time: Option<String>,
    /// The most words a question's `body` may have; null for no limit. A word is a run
    /// of characters between spaces holding at least one letter or digit.
    pub max_words: Option<i32>,
    /// The most questions one questioner may have standing (not rejected or withdrawn)
    /// for one meeting; null for no limit.
    pub max_questions_per_questioner_per_meeting: Option<i32>,
    /// Whom the panel takes questions to.
    pub addressees: Vec<Addressee>,
    /// Whether a question may be supplementary to an earlier one.
    pub supplementary_questions: bool,
    /// When the panel last changed its rules; null while it follows the defaults.
    pub updated_at: Option<DateTime<Utc>>,
    /// Increases by one on every change (the defaults are version 1); the `ETag`
    /// carries it.
    pub version: i32,
}

impl From<PanelRules> for QuestionRulesBody {
    fn from(stored: PanelRules) -> Self {
        let rules = stored.rules;
        Self {
            organisation_id: stored.organisation_id,
            deadline_clear_working_days: rules.deadline_clear_working_days,
            deadline_time: rules.deadline_time.map(|t| t.format("%H:%M").to_string()),
            max_words: rules.max_words,
            max_questions_per_questioner_per_meeting: rules.max_questions_per_questioner_per_meeting,
            addressees: rules.addressees,
            supplementary_questions: rules.supplementary_questions,
            updated_at: stored.updated_at,
            version: stored.version,
        }
    }
}

/// A panel's rules, whole: every field is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "deadline_clear_working_days": 15,
    "deadline_time": "12:00",
    "max_words": 100,
    "max_questions_per_questioner_per_meeting": 2,
    "addressees": ["commissioner", "panel"],
    "supplementary_questions": true
}))]
pub struct ReplaceQuestionRulesRequest {
    /// 0 to 30.
    #[schema(minimum = 0, maximum = 30)]
    pub deadline_clear_working_days: i32,
    /// `HH:MM` (24-hour, London time), or null for the end of the deadline day.
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub deadline_time: Option<String>,
    /// 1 to 10,000, or null for no limit.
    #[schema(minimum = 1, maximum = 10000)]
    pub max_words: Option<i32>,
    /// 1 to 50, or null for no limit.
    #[schema(minimum = 1, maximum = 50)]
    pub max_questions_per_questioner_per_meeting: Option<i32>,
    /// At least one of `commissioner` and `panel`; a repeat counts once.
    #[schema(min_items = 1)]
    pub addressees: Vec<Addressee>,
    pub supplementary_questions: bool,
}

impl TryFrom<ReplaceQuestionRulesRequest> for QuestionRules {
    type Error = ApiError;

    fn try_from(body: ReplaceQuestionRulesRequest) -> Result<Self, ApiError> {
        QuestionRules::new(
            body.deadline_clear_working_days,
            body.deadline_time.as_deref(),
            body.max_words,
            body.max_questions_per_questioner_per_meeting,
            &body.addressees,
            body.supplementary_questions,
        )
        .map_err(ApiError::validation)
    }
}

/// Get a panel's rules for public questions.
///
/// Public: the rules a questioner must keep. 404 for an organisation that is not a
/// panel. Sends an `ETag`; with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The panel's organisation id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The panel's rules.", body = QuestionRulesBody,
            headers(("ETag" = String, description = "Their version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/organisations/{id}/question-rules")]
pub async fn get_question_rules(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let rules = repo::find(&mut conn, *id).await?;
    Ok(ok_unless_current(
        &if_none_match,
        rules.version,
        &QuestionRulesBody::from(rules),
    ))
}

/// Set a panel's rules for public questions.
///
/// Replaces the rules whole. Every panel meeting still to come (held today or later)
/// takes the question deadline the new rules give it, as a change to that meeting
/// (`meeting.updated` in the change feed); a meeting already held keeps its deadline.
/// Questions already submitted are not judged again. Send `If-Match` with the `ETag`
/// you read (412 if the rules changed since). For `admin` and `secretariat`; audited.
#[utoipa::path(
    tag = "organisations",
    params(("id" = OrganisationId, Path, description = "The panel's organisation id.")),
    request_body = ReplaceQuestionRulesRequest,
    responses(
        (status = 200, description = "The panel's rules as they now are.", body = QuestionRulesBody),
        responses::Update,
    )
)]
#[put("/organisations/{id}/question-rules")]
pub async fn replace_question_rules(
    auth: Require<ManageQuestionRules>,
    state: web::Data<AppState>,
    id: web::Path<OrganisationId>,
    if_match: IfMatch,
    Json(body): Json<ReplaceQuestionRulesRequest>,
) -> Result<HttpResponse, ApiError> {
    let rules = QuestionRules::try_from(body)?;
    let mut conn = state.conn().await?;
    let stored = crate::repo::meetings::apply_question_rules(&mut conn, &auth.actor(), *id, &if_match, &rules).await?;
    Ok(ok(stored.version, &QuestionRulesBody::from(stored)))
}
