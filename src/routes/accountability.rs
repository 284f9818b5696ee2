//! `GET /api/v1/questions/{id}/accountability`: the answer to "what exactly is being
//! done?", in one request, for a person to read: a summary first, then the question, its
//! published responses, every action on it once (owner organisation by name, post, due
//! date, status, whether it is overdue, its latest update, the recommendations it
//! addresses) and the recommendations with their progress.
//!
//! `GET /api/v1/questions/{id}/accountability/nested` is the same trail in its first
//! form, each recommendation carrying its actions (an action addressing several is
//! repeated under each), for clients written against that form.

use std::collections::{HashMap, HashSet};

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::actions::Action;
use super::progress_updates::ProgressUpdate;
use super::questions::Question;
use super::recommendations::Recommendation;
use super::responses::CommissionerResponse;
use crate::app::AppState;
use crate::domain::action::{ActionId, ActionStatus};
use crate::domain::organisation::OrganisationId;
use crate::domain::programme::ProgrammeId;
use crate::domain::progress::{rounded_mean, RecommendationProgress};
use crate::domain::question::QuestionId;
use crate::domain::report::{RecommendationId, RecommendationKind, RecommendationStatus, ReportId};
use crate::error::{responses, ApiError};
use crate::http::caching::Caching;
use crate::http::caller::Caller;
use crate::http::conditional::{ok_unless_same, IfNoneMatch};
use crate::repo::{
    accountability, actions as actions_repo, organisations, questions, recommendations as recommendations_repo,
};

/// An organisation, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedOrganisation {
    pub id: OrganisationId,
    pub name: String,
}

/// A programme, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedProgramme {
    /// As on `GET /api/v1/programmes/{id}`.
    pub id: ProgrammeId,
    pub name: String,
}

/// How many of the trail's actions are in each status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ActionsByStatus {
    pub planned: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub blocked: usize,
    pub cancelled: usize,
}

/// The counts a reader looks for first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountabilitySummary {
    pub recommendations_total: usize,
    /// Distinct actions on the recommendations (and cited by the responses).
    pub actions_total: usize,
    /// The actions counted by status; the counts add up to `actions_total`.
    pub actions_by_status: ActionsByStatus,
    /// The same as `actions_by_status.completed`.
    pub actions_completed: usize,
    /// Due before today (UTC) and neither completed nor cancelled.
    pub actions_overdue: usize,
    /// Actions with no progress update at all.
    pub actions_without_updates: usize,
    /// The average `progress_percent` of the actions that are not cancelled, rounded
    /// half up; 0 when there are none. Percent, 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
    /// The soonest due date, today (UTC) or later, of an action neither completed nor
    /// cancelled; null when none is due from today on (overdue ones are in
    /// `actions_overdue`).
    pub next_due_on: Option<NaiveDate>,
}

impl AccountabilitySummary {
    fn of<'a>(recommendations_total: usize, actions: impl IntoIterator<Item = &'a Action>, today: NaiveDate) -> Self {
        let mut by_status = ActionsByStatus::default();
        let (mut total, mut overdue, mut without_updates) = (0, 0, 0);
        let (mut sum, mut counted) = (0i64, 0i64);
        let mut next_due_on: Option<NaiveDate> = None;
        for action in actions {
            total += 1;
            *match action.status {
                ActionStatus::Planned => &mut by_status.planned,
                ActionStatus::InProgress => &mut by_status.in_progress,
                ActionStatus::Completed => &mut by_status.completed,
                ActionStatus::Blocked => &mut by_status.blocked,
                ActionStatus::Cancelled => &mut by_status.cancelled,
            } += 1;
            overdue += usize::from(action.is_overdue);
            without_updates += usize::from(action.latest_update.is_none());
            if action.status != ActionStatus::Cancelled {
                sum += i64::from(action.progress_percent);
                counted += 1;
            }
            if action.status.is_open() && action.due_on >= today {
                next_due_on = Some(next_due_on.map_or(action.due_on, |d| d.min(action.due_on)));
            }
        }
        Self {
            recommendations_total,
            actions_total: total,
            actions_completed: by_status.completed,
            actions_by_status: by_status,
            actions_overdue: overdue,
            actions_without_updates: without_updates,
            percent_complete: rounded_mean(sum, counted),
            next_due_on,
        }
    }
}

/// A recommendation as an action names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressedRecommendation {
    pub id: RecommendationId,
    /// The report's own reference (`R1`).
    pub reference: String,
    /// What the recommendation says.
    pub text: String,
}

/// Who answers for an action: the organisation by name, and the post.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrailActionOwner {
    pub organisation: NamedOrganisation,
    /// The post, not the person (`Head of Public Protection`).
    pub post_title: String,
}

/// An action on the trail, with the recommendations of the trail it addresses.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrailAction {
    pub id: ActionId,
    /// The programme's own reference (`CPIP-07`).
    pub reference: String,
    pub title: String,
    pub description: String,
    /// The improvement programme it belongs to, by id and name, or null.
    pub programme: Option<NamedProgramme>,
    pub owner: TrailActionOwner,
    /// The recommendations of this trail it addresses, in the order they were made
    /// (empty for an action a response cites that addresses none of them).
    pub addresses: Vec<AddressedRecommendation>,
    /// How everyone will know it worked.
    pub success_measure: String,
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: i32,
    /// Set when, and only when, the status is `completed`.
    pub completed_on: Option<NaiveDate>,
    /// Due before today (UTC) and neither completed nor cancelled.
    pub is_overdue: bool,
    /// The update posted last, or null.
    pub latest_update: Option<ProgressUpdate>,
    /// The action's version, as `GET /api/v1/actions/{id}` shows it.
    pub version: i32,
}

/// A recommendation on the trail, with its progress and the references of its actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrailRecommendation {
    pub id: RecommendationId,
    pub report_id: ReportId,
    /// The report's own reference (`R1`).
    pub reference: String,
    pub kind: RecommendationKind,
    pub text: String,
    pub addressed_to: NamedOrganisation,
    pub due_on: Option<NaiveDate>,
    /// As on `GET /api/v1/recommendations/{id}`: derived from its actions (`open`,
    /// `in_progress`, `actions_complete`) unless a decision was recorded.
    pub status: RecommendationStatus,
    /// Why it has its status: given for a decision (`implemented`, `closed`,
    /// `superseded`), null while the status follows the actions.
    pub status_reason: Option<String>,
    pub progress: RecommendationProgress,
    /// The references of the actions addressing it (each in `actions`), soonest due first.
    pub action_references: Vec<String>,
    pub version: i32,
}

/// The accountability trail of a question, for a person to read.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountabilityTrail {
    pub summary: AccountabilitySummary,
    pub question: Question,
    /// Its published responses, oldest first.
    pub responses: Vec<CommissionerResponse>,
    /// Every action on the recommendations below or cited by the responses, each once,
    /// soonest due first.
    pub actions: Vec<TrailAction>,
    /// The recommendations the question concerns or its responses cite, in the order
    /// they were made.
    pub recommendations: Vec<TrailRecommendation>,
}

/// A recommendation with the actions taken on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountableRecommendation {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    /// Every action addressing it, soonest due first.
    pub actions: Vec<Action>,
}

/// The accountability trail of a question in its nested form: each recommendation with
/// its actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct NestedAccountability {
    pub summary: AccountabilitySummary,
    pub question: Question,
    /// Its published responses, oldest first.
    pub responses: Vec<CommissionerResponse>,
    /// The recommendations the question concerns or its responses cite, each with its
    /// progress and its actions (an action addressing several appears under each).
    pub recommendations: Vec<AccountableRecommendation>,
    /// Actions the responses cite that address none of the recommendations above.
    pub other_actions: Vec<Action>,
}

/// What a trail is made of, read once for either form.
struct Trail {
    question: Question,
    responses: Vec<CommissionerResponse>,
    /// In the order they were made.
    recommendations: Vec<Recommendation>,
    /// Each action once, soonest due first.
    actions: Vec<Action>,
    /// (recommendation, action) links within the trail.
    links: Vec<(RecommendationId, ActionId)>,
    /// The names of the organisations the actions and recommendations refer to.
    organisation_names: HashMap<OrganisationId, String>,
    today: NaiveDate,
}

impl Trail {
    async fn load(caller: &Caller, state: &AppState, id: QuestionId) -> Result<Self, ApiError> {
        let view = caller.view();
        let today = crate::domain::calendar::today();
        let mut conn = state.read_conn(caller.is_signed_in()).await?;
        let record = questions::find(&mut conn, id, view.sees_unpublished()).await?;
        let published = crate::repo::responses::published_for_question(&mut conn, id).await?;
        let published_ids: Vec<_> = published.iter().map(|r| r.row.id).collect();
        let links = accountability::links(&mut conn, id, &published_ids).await?;

        let mut actions: Vec<Action> = Vec::new();
        let mut seen = HashSet::new();
        let all_action_ids = links
            .actions_by_recommendation
            .iter()
            .map(|(_, action)| *action)
            .chain(links.cited_action_ids.iter().copied());
        for action_id in all_action_ids {
            if seen.insert(action_id) {
                let action = actions_repo::find(&mut conn, action_id).await?;
                actions.push(Action::from_record(action, view, today));
            }
        }
        soonest_due_first(&mut actions);
        let mut recommendations: Vec<Recommendation> = Vec::with_capacity(links.recommendation_ids.len());
        for recommendation_id in &links.recommendation_ids {
            recommendations.push(
                recommendations_repo::find(&mut conn, *recommendation_id, today)
                    .await?
                    .into(),
            );
        }
        let mut organisation_ids: Vec<OrganisationId> = actions.iter().map(|a| a.owner.organisation_id).collect();
        organisation_ids.extend(recommendations.iter().map(|r| r.addressed_to_organisation_id));
        organisation_ids.sort_unstable();
        organisation_ids.dedup();
        let organisation_names = organisations::names(&mut conn, &organisation_ids).await?;
        Ok(Self {
            question: Question::render(record, view)?,
            responses: published.into_iter().map(Into::into).collect(),
            recommendations,
            actions,
            links: links.actions_by_recommendation,
            organisation_names,
            today,
        })
    }

    fn summary(&self) -> AccountabilitySummary {
        AccountabilitySummary::of(self.recommendations.len(), &self.actions, self.today)
    }

    fn caching(&self) -> Caching {
        self.question.caching()
    }

    /// The actions addressing recommendation `id`, soonest due first.
    fn actions_of(&self, id: RecommendationId) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(move |a| self.links.iter().any(|(r, x)| *r == id && *x == a.id))
    }

    fn readable(self) -> AccountabilityTrail {
        let named = |id: OrganisationId| NamedOrganisation {
            id,
            // Foreign keys keep every organisation referred to, so each has its name.
            name: self.organisation_names.get(&id).cloned().unwrap_or_default(),
        };
        let summary = self.summary();
        let recommendations = self
            .recommendations
            .iter()
            .map(|r| TrailRecommendation {
                id: r.id,
                report_id: r.report_id,
                reference: r.reference.clone(),
                kind: r.kind,
                text: r.text.clone(),
                addressed_to: named(r.addressed_to_organisation_id),
                due_on: r.due_on,
                status: r.status,
                status_reason: r.status_reason.clone(),
                progress: r.progress,
                action_references: self.actions_of(r.id).map(|a| a.reference.clone()).collect(),
                version: r.version,
            })
            .collect();
        let addresses = |action: ActionId| {
            self.recommendations
                .iter()
                .filter(|r| self.links.contains(&(r.id, action)))
                .map(|r| AddressedRecommendation {
                    id: r.id,
                    reference: r.reference.clone(),
                    text: r.text.clone(),
                })
                .collect()
        };
        let actions = self
            .actions
            .iter()
            .map(|a| TrailAction {
                id: a.id,
                reference: a.reference.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                programme: a.programme_id.map(|id| NamedProgramme {
                    id,
                    name: a.programme_name.clone().unwrap_or_default(),
                }),
                owner: TrailActionOwner {
                    organisation: named(a.owner.organisation_id),
                    post_title: a.owner.post_title.clone(),
                },
                addresses: addresses(a.id),
                success_measure: a.success_measure.clone(),
                starts_on: a.starts_on,
                due_on: a.due_on,
                status: a.status,
                progress_percent: a.progress_percent,
                completed_on: a.completed_on,
                is_overdue: a.is_overdue,
                latest_update: a.latest_update.clone(),
                version: a.version,
            })
            .collect();
        AccountabilityTrail {
            summary,
            question: self.question,
            responses: self.responses,
            actions,
            recommendations,
        }
    }

    fn nested(self) -> NestedAccountability {
        let summary = self.summary();
        let recommendations = self
            .recommendations
            .iter()
            .map(|r| AccountableRecommendation {
                recommendation: r.clone(),
                actions: self.actions_of(r.id).cloned().collect(),
            })
            .collect();
        let placed: HashSet<ActionId> = self.links.iter().map(|(_, a)| *a).collect();
        let other_actions = self
            .actions
            .iter()
            .filter(|a| !placed.contains(&a.id))
            .cloned()
            .collect();
        NestedAccountability {
            summary,
            question: self.question,
            responses: self.responses,
            recommendations,
            other_actions,
        }
    }
}

/// Follow a question to what is being done about it.
///
/// For a person to read, summary first: `summary` (counts of recommendations and of
/// actions by status, overdue actions, `percent_complete`, `next_due_on`), then the
/// question, its published responses, `actions` (every action on the trail once, soonest
/// due first, with its owner organisation by name, the post answering for it, due date,
/// status, `is_overdue`, its latest update, its `programme` by id and name, and the
/// recommendations it `addresses`), and
/// `recommendations` (each with its progress, the organisation it is addressed to by
/// name, and its actions' references). Public for accepted, answered and referred questions; staff
/// see the trail of any question (drafts of responses are never part of it). Sends an
/// `ETag` (a digest of the body); with `If-None-Match` naming it, answers 304.
///
/// Until this form, the trail nested each recommendation's actions under it (an action
/// addressing several recommendations repeated under each); that form is
/// `GET /api/v1/questions/{id}/accountability/nested`.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The accountability trail.", body = AccountabilityTrail,
            headers(
                ("ETag" = String, description = "A digest of this body, for `If-None-Match`."),
                ("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."),
            )),
        responses::Read,
    )
)]
#[get("/questions/{id}/accountability")]
pub async fn get_question_accountability(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let trail = Trail::load(&caller, &state, *id).await?;
    let caching = trail.caching();
    Ok(caching.mark(ok_unless_same(&if_none_match, &trail.readable())))
}

/// Follow a question to what is being done about it, each recommendation with its actions.
///
/// The accountability trail in its first form, for clients written against it: `summary`,
/// the question, its published responses, `recommendations` (each a full recommendation
/// with its `actions`, soonest due first; an action addressing several recommendations
/// appears under each) and `other_actions` (those the responses cite that address none
/// of them). Organisations are ids. Visible to the same callers as
/// `GET /api/v1/questions/{id}/accountability`, which is the form to read.
#[utoipa::path(
    tag = "questions",
    params(("id" = QuestionId, Path, description = "The question's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The accountability trail, nested.", body = NestedAccountability,
            headers(
                ("ETag" = String, description = "A digest of this body, for `If-None-Match`."),
                ("Cache-Control" = String, description = "`private, no-store` when the body carries `asker_contact` (for `secretariat` and `admin`)."),
            )),
        responses::Read,
    )
)]
#[get("/questions/{id}/accountability/nested")]
pub async fn get_nested_question_accountability(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<QuestionId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let trail = Trail::load(&caller, &state, *id).await?;
    let caching = trail.caching();
    Ok(caching.mark(ok_unless_same(&if_none_match, &trail.nested())))
}

/// Sorts `actions` soonest due first, then by reference.
fn soonest_due_first(actions: &mut [Action]) {
    actions.sort_by(|a, b| (a.due_on, &a.reference).cmp(&(b.due_on, &b.reference)));
}
