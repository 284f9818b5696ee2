//! `GET /api/v1/questions/{id}/accountability`: the question, its published responses,
//! the recommendations it concerns or they cite, and every action on them with owner,
//! due date, status, whether it is overdue and its latest update. The answer to "what
//! exactly is being done?", in one request.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::actions::Action;
use super::questions::Question;
use super::recommendations::Recommendation;
use super::responses::CommissionerResponse;
use crate::app::AppState;
use crate::domain::action::{ActionId, ActionStatus};
use crate::domain::question::QuestionId;
use crate::error::{responses, ApiError};

use crate::http::caller::Caller;
use crate::repo::{accountability, actions as actions_repo, questions, recommendations as recommendations_repo};

/// A recommendation with the actions taken on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountableRecommendation {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    /// Every action addressing it, soonest due first.
    pub actions: Vec<Action>,
}

/// The counts a reader looks for first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountabilitySummary {
    pub recommendations_total: usize,
    /// Distinct actions on the recommendations (and cited by the responses).
    pub actions_total: usize,
    pub actions_completed: usize,
    /// Due before today (UTC) and neither completed nor cancelled.
    pub actions_overdue: usize,
    /// Actions with no progress update at all.
    pub actions_without_updates: usize,
}

/// The accountability trail of a question.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accountability {
    pub question: Question,
    /// Its published responses, oldest first.
    pub responses: Vec<CommissionerResponse>,
    /// The recommendations the question concerns or its responses cite, each with its
    /// progress and its actions.
    pub recommendations: Vec<AccountableRecommendation>,
    /// Actions the responses cite that address none of the recommendations above.
    pub other_actions: Vec<Action>,
    pub summary: AccountabilitySummary,
}

/// Follow a question to what is being done about it.
///
/// The question, its published responses, the recommendations it concerns or they
/// cite (each with `progress`), and every action on them: owner, due date, status,
/// `is_overdue` and `latest_update`. Public for accepted and answered questions; staff
/// see the trail of any question (drafts of responses are never part of it).
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The accountability trail.", body = Accountability,
            headers(("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."))),
        responses::Read,
    )
)]
#[get("/questions/{id}/accountability")]
pub async fn get_question_accountability(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, ApiError> {
    let view = caller.view();
    let today = crate::domain::calendar::today();
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let record = questions::find(&mut conn, *id, view.sees_unpublished()).await?;
    let published = crate::repo::responses::published_for_question(&mut conn, *id).await?;
    let published_ids: Vec<_> = published.iter().map(|r| r.row.id).collect();
    let links = accountability::links(&mut conn, *id, &published_ids).await?;

    let mut actions: HashMap<ActionId, Action> = HashMap::new();
    let all_action_ids = links
        .actions_by_recommendation
        .iter()
        .map(|(_, action)| *action)
        .chain(links.cited_action_ids.iter().copied());
    for action_id in all_action_ids {
        if let std::collections::hash_map::Entry::Vacant(slot) = actions.entry(action_id) {
            let action = actions_repo::find(&mut conn, action_id).await?;
            slot.insert(Action::from_record(action, view, today));
        }
    }
    let summary = AccountabilitySummary {
        recommendations_total: links.recommendation_ids.len(),
        actions_total: actions.len(),
        actions_completed: actions.values().filter(|a| a.status == ActionStatus::Completed).count(),
        actions_overdue: actions.values().filter(|a| a.is_overdue).count(),
        actions_without_updates: actions.values().filter(|a| a.latest_update.is_none()).count(),
    };

    let mut recommendations = Vec::with_capacity(links.recommendation_ids.len());
    let mut placed = std::collections::HashSet::new();
    for recommendation_id in &links.recommendation_ids {
        let record = recommendations_repo::find(&mut conn, *recommendation_id, today).await?;
        let mut its_actions: Vec<Action> = links
            .actions_by_recommendation
            .iter()
            .filter(|(r, _)| r == recommendation_id)
            .filter_map(|(_, a)| {
                placed.insert(*a);
                actions.get(a).cloned()
            })
            .collect();
        soonest_due_first(&mut its_actions);
        recommendations.push(AccountableRecommendation {
            recommendation: record.into(),
            actions: its_actions,
        });
    }
    let mut other_actions: Vec<Action> = links
        .cited_action_ids
        .iter()
        .filter(|a| !placed.contains(*a))
        .filter_map(|a| actions.remove(a))
        .collect();
    soonest_due_first(&mut other_actions);

    let question = Question::render(record, view)?;
    let caching = question.caching();
    Ok(caching.mark(HttpResponse::Ok().json(Accountability {
        question,
        responses: published.into_iter().map(Into::into).collect(),
        recommendations,
        other_actions,
        summary,
    })))
}

/// Sorts `actions` soonest due first, then by reference.
fn soonest_due_first(actions: &mut [Action]) {
    actions.sort_by(|a, b| (a.due_on, &a.reference).cmp(&(b.due_on, &b.reference)));
}
