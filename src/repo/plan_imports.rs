//! Improvement plans into a programme: each row of a plan read by
//! [`crate::import::plan`] matched to the programme's actions (by reference, ignoring
//! letter case) and to the recommendations of the reports it responds to, then
//! written through the actions repository, so that the rules, audit records, events
//! and derived recommendation statuses of every other action write apply.
//!
//! One transaction per row: a row that cannot be imported is reported with its reason
//! and costs only itself. A new reference creates an action (and, when the plan says
//! it has moved beyond `planned` at 0 %, a progress update saying so); a known one
//! whose status or percentage differs gets a progress update, never a silent
//! overwrite; one that matches changes nothing, so importing the same plan twice does
//! nothing the second time.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::Serialize;

use super::actions::{self, ActionRow};
use super::programmes::{self, ProgrammeRecord};
use crate::db::schema::{action_recommendations, action_updates, actions as actions_table, recommendations};
use crate::db::DbConn;
use crate::domain::action::{
    ActionId, ActionProgress, ActionStatus, NewAction, NewProgressUpdate, Owner, ProgressChange, ProgressUpdateId,
    Schedule,
};
use crate::domain::auth::Actor;
use crate::domain::programme::ProgrammeId;
use crate::domain::report::RecommendationId;
use crate::domain::text::{Body, Name, Reference, Title};
use crate::domain::version::IfMatch;
use crate::error::ApiError;
use crate::import::plan::{reference_key, Note, PlanRow};

/// The text an action's success measure is given when the plan has none.
pub const NO_SUCCESS_MEASURE: &str = "Not stated in the improvement plan.";

/// What an import did (or, in a dry run, would do) with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// A new action (with a progress update when the plan has it under way).
    Created,
    /// A progress update on the existing action: its status or percentage changed.
    Updated,
    /// The existing action already stands as the row says: nothing written.
    Unchanged,
    /// The row cannot be imported: `errors` say why; nothing written for it.
    Failed,
    /// Not an action (blank, a section heading).
    Skipped,
}

/// What happened to one row.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub outcome: RowOutcome,
    pub action_id: Option<ActionId>,
    pub progress_update_id: Option<ProgressUpdateId>,
    pub recommendation_ids: Vec<RecommendationId>,
    /// Notes added while matching (a default taken, a difference not applied).
    pub warnings: Vec<Note>,
    pub errors: Vec<Note>,
}

impl RowResult {
    fn new(outcome: RowOutcome) -> Self {
        Self {
            outcome,
            action_id: None,
            progress_update_id: None,
            recommendation_ids: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// A recommendation the programme's reports make.
#[derive(Debug, Clone)]
struct KnownRecommendation {
    id: RecommendationId,
    reference: String,
}

/// What rows are matched against: the programme and the recommendations of its
/// reports.
#[derive(Debug, Clone)]
pub struct Target {
    pub programme: ProgrammeRecord,
    recommendations: Vec<KnownRecommendation>,
}

/// The programme (404 when there is none) and its reports' recommendations.
pub async fn target(conn: &mut DbConn, programme_id: ProgrammeId) -> Result<Target, ApiError> {
    let programme = programmes::find(conn, programme_id).await?;
    let recommendations: Vec<(RecommendationId, String)> = if programme.report_ids.is_empty() {
        Vec::new()
    } else {
        recommendations::table
            .filter(recommendations::report_id.eq_any(&programme.report_ids))
            .order(recommendations::id)
            .select((recommendations::id, recommendations::reference))
            .load(conn)
            .await?
    };
    Ok(Target {
        programme,
        recommendations: recommendations
            .into_iter()
            .map(|(id, reference)| KnownRecommendation { id, reference })
            .collect(),
    })
}

impl Target {
    /// The recommendation a plan's reference names: the same reference ignoring case,
    /// spaces and punctuation (`r 1` is `R1`), or a bare number or `Rec 1` /
    /// `Recommendation 1` for `R1`, with a note. The error is the reason.
    fn resolve(&self, reference: &str) -> Result<(RecommendationId, Option<String>), String> {
        let key = reference_key(reference);
        let exact: Vec<&KnownRecommendation> = self
            .recommendations
            .iter()
            .filter(|r| reference_key(&r.reference) == key)
            .collect();
        match exact.as_slice() {
            [one] => return Ok((one.id, None)),
            [_, _, ..] => {
                return Err(format!(
                    "{reference} names a recommendation in more than one of the programme's reports"
                ))
            }
            [] => {}
        }
        let digits = key
            .strip_prefix("RECOMMENDATION")
            .or_else(|| key.strip_prefix("REC"))
            .unwrap_or(&key);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let wanted = format!("R{digits}");
            let loose: Vec<&KnownRecommendation> = self
                .recommendations
                .iter()
                .filter(|r| reference_key(&r.reference) == wanted)
                .collect();
            if let [one] = loose.as_slice() {
                return Ok((one.id, Some(format!("read '{reference}' as {}", one.reference))));
            }
        }
        Err(if self.programme.report_ids.is_empty() {
            format!("{reference}: the programme responds to no report, so it has no recommendations to name")
        } else {
            let mut known: Vec<&str> = self.recommendations.iter().map(|r| r.reference.as_str()).collect();
            known.sort_unstable();
            format!(
                "no recommendation {reference} in the programme's reports (they have {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        })
    }
}

/// An existing action of the programme, as re-import compares it.
#[derive(Debug, Clone)]
struct Existing {
    row: ActionRow,
    recommendation_ids: Vec<RecommendationId>,
}

/// The programme's action with `reference` ignoring letter case: none, one, or an
/// error when two differ only in case.
async fn find_existing(
    conn: &mut DbConn,
    programme: ProgrammeId,
    reference: &str,
) -> Result<Result<Option<Existing>, String>, ApiError> {
    let rows: Vec<ActionRow> = actions_table::table
        .filter(actions_table::programme_id.eq(programme))
        .filter(actions_table::reference.ilike(super::escape_like(reference)))
        .select(ActionRow::as_select())
        .load(conn)
        .await?;
    let rows: Vec<ActionRow> = rows
        .into_iter()
        .filter(|r| r.reference.to_lowercase() == reference.to_lowercase())
        .collect();
    if rows.len() > 1 {
        return Ok(Err(format!(
            "the programme has {} actions whose references differ from {reference} only in letter case",
            rows.len()
        )));
    }
    let Some(row) = rows.into_iter().next() else {
        return Ok(Ok(None));
    };
    let recommendation_ids = action_recommendations::table
        .filter(action_recommendations::action_id.eq(row.id))
        .select(action_recommendations::recommendation_id)
        .order(action_recommendations::recommendation_id)
        .load(conn)
        .await?;
    Ok(Ok(Some(Existing {
        row,
        recommendation_ids,
    })))
}

/// Who imports, and what they may do to an existing action.
#[derive(Clone, Copy)]
pub struct Importer<'a> {
    pub actor: &'a Actor,
    /// 403 unless the importer may post progress on this action (the rule of
    /// `POST /actions/{id}/updates`, decided by the caller, who knows the principal).
    pub may_post_progress: &'a (dyn Fn(&ActionRow) -> Result<(), ApiError> + Send + Sync),
}

impl std::fmt::Debug for Importer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer")
            .field("actor", self.actor)
            .finish_non_exhaustive()
    }
}

/// How an import is made.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub importer: Importer<'a>,
    /// Work out and report what would happen, and write nothing.
    pub dry_run: bool,
    /// The day progress is reported on (today in London).
    pub today: NaiveDate,
    /// The file's name, for the progress updates' text.
    pub source_name: &'a str,
}

/// Imports one row: in a transaction of its own, unless a dry run.
pub async fn import_row(
    conn: &mut DbConn,
    run: &Run<'_>,
    target: &Target,
    row: &PlanRow,
) -> Result<RowResult, ApiError> {
    if let Some(reason) = &row.skipped {
        let mut result = RowResult::new(RowOutcome::Skipped);
        result.warnings.push(Note::new("row", reason.clone()));
        return Ok(result);
    }
    if !row.errors.is_empty() {
        let mut result = RowResult::new(RowOutcome::Failed);
        result.errors = row.errors.clone();
        return Ok(result);
    }
    if run.dry_run {
        return decide(conn, run, target, row).await.map(|(result, _)| result);
    }
    let outcome = conn
        .transaction(async |conn| {
            let (mut result, write) = decide(conn, run, target, row).await?;
            match write {
                Write::Nothing => {}
                Write::Create(new, update) => {
                    let record = actions::insert(conn, run.importer.actor, &new).await?;
                    result.action_id = Some(record.row.id);
                    if let Some(update) = update {
                        let posted = actions::post_update(
                            conn,
                            run.importer.actor,
                            record.row.id,
                            &IfMatch::none(),
                            run.importer.may_post_progress,
                            &update,
                        )
                        .await?;
                        result.progress_update_id = Some(posted.row.id);
                    }
                }
                Write::Update(id, update) => {
                    let posted = actions::post_update(
                        conn,
                        run.importer.actor,
                        id,
                        &IfMatch::none(),
                        run.importer.may_post_progress,
                        &update,
                    )
                    .await?;
                    result.progress_update_id = Some(posted.row.id);
                }
            }
            Ok::<_, ApiError>(result)
        })
        .await;
    match outcome {
        Ok(result) => Ok(result),
        // A rule of the action repository refused the row: report it, go on.
        Err(ApiError::Validation(errors)) => Ok(failed(
            errors.into_iter().map(|e| Note::new(e.field, e.message)).collect(),
        )),
        Err(ApiError::Conflict { detail, .. }) => Ok(failed(vec![Note::new("row", detail)])),
        // The action was removed while its row was being read.
        Err(ApiError::NotFound(detail)) => Ok(failed(vec![Note::new("reference", detail)])),
        Err(other) => Err(other),
    }
}

fn failed(errors: Vec<Note>) -> RowResult {
    let mut result = RowResult::new(RowOutcome::Failed);
    result.errors = errors;
    result
}

/// What a row's import writes.
enum Write {
    Nothing,
    Create(NewAction, Option<NewProgressUpdate>),
    Update(ActionId, NewProgressUpdate),
}

/// Works out what a row means for the programme, reading only.
async fn decide(
    conn: &mut DbConn,
    run: &Run<'_>,
    target: &Target,
    row: &PlanRow,
) -> Result<(RowResult, Write), ApiError> {
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let Some(reference) = row.reference.as_deref() else {
        return Ok((failed(vec![Note::new("reference", "no reference")]), Write::Nothing));
    };
    let mut recommendation_ids = Vec::new();
    for plan_ref in &row.recommendation_refs {
        match target.resolve(plan_ref) {
            Ok((id, note)) => {
                if let Some(note) = note {
                    warnings.push(Note::new("recommendation", note));
                }
                if !recommendation_ids.contains(&id) {
                    recommendation_ids.push(id);
                }
            }
            Err(reason) => errors.push(Note::new("recommendation", reason)),
        }
    }
    let existing = match find_existing(conn, target.programme.row.id, reference).await? {
        Ok(existing) => existing,
        Err(reason) => {
            errors.push(Note::new("reference", reason));
            None
        }
    };
    if !errors.is_empty() {
        return Ok((failed(errors), Write::Nothing));
    }
    let (mut result, write) = match existing {
        Some(existing) => match progress_of(run, row, &existing, &recommendation_ids, &mut warnings) {
            Ok(Some(update)) => {
                let mut result = RowResult::new(RowOutcome::Updated);
                result.action_id = Some(existing.row.id);
                (result, Write::Update(existing.row.id, update))
            }
            Ok(None) => {
                let mut result = RowResult::new(RowOutcome::Unchanged);
                result.action_id = Some(existing.row.id);
                (result, Write::Nothing)
            }
            Err(errors) => return Ok((failed(errors), Write::Nothing)),
        },
        None => match new_action(run, target, row, reference, &recommendation_ids, &mut warnings) {
            Ok((new, update)) => (RowResult::new(RowOutcome::Created), Write::Create(new, update)),
            Err(errors) => return Ok((failed(errors), Write::Nothing)),
        },
    };
    result.recommendation_ids = recommendation_ids;
    result.warnings = warnings;
    Ok((result, write))
}

/// The progress update a re-imported row makes on its action: none when its status
/// and percentage are as the action stands. What else differs (dates, owner, words,
/// recommendations) is reported, not changed: a `PATCH` changes those.
fn progress_of(
    run: &Run<'_>,
    row: &PlanRow,
    existing: &Existing,
    recommendation_ids_in_plan: &[RecommendationId],
    warnings: &mut Vec<Note>,
) -> Result<Option<NewProgressUpdate>, Vec<Note>> {
    let action = &existing.row;
    let differs = |field: &str, plan: String, stored: String, warnings: &mut Vec<Note>| {
        if plan != stored {
            warnings.push(Note::new(
                field,
                format!(
                    "the plan says {plan} but action {} has {stored}: not changed by an import (change it with PATCH \
                     /api/v1/actions/{})",
                    action.reference, action.id
                ),
            ));
        }
    };
    if let Some(due) = row.due_on {
        differs("due_date", due.to_string(), action.due_on.to_string(), warnings);
    }
    if let Some(start) = row.starts_on {
        differs("start_date", start.to_string(), action.starts_on.to_string(), warnings);
    }
    if let Some(owner) = &row.owner {
        differs(
            "owner",
            format!("'{owner}'"),
            format!("'{}'", action.owner_post_title),
            warnings,
        );
    }
    if !recommendation_ids_in_plan.is_empty() {
        let mut plan = recommendation_ids_in_plan.to_vec();
        plan.sort();
        if plan != existing.recommendation_ids {
            warnings.push(Note::new(
                "recommendation",
                format!(
                    "the plan names other recommendations than action {} answers: not changed by an import",
                    action.reference
                ),
            ));
        }
    }
    if let Some(text) = &row.action {
        if text.trim() != action.description.trim() {
            warnings.push(Note::new(
                "action",
                format!(
                    "the plan's wording differs from action {}'s description: not changed by an import",
                    action.reference
                ),
            ));
        }
    }
    let status = row.status.filter(|s| *s != action.status);
    let percent = row.progress_percent.filter(|p| *p != action.progress_percent);
    // "Completed" carries 100 %; a plan that says so adds nothing to an action already there.
    let percent = percent.filter(|p| !(status == Some(ActionStatus::Completed) && *p == 100));
    let change = ProgressChange {
        status,
        progress_percent: percent,
        completed_on: None,
    };
    if change.is_empty() {
        return Ok(None);
    }
    let standing = ActionProgress {
        status: action.status,
        progress_percent: action.progress_percent,
        completed_on: action.completed_on,
    };
    standing.apply(change, run.today).map_err(refusal)?;
    update_for(run, row, &action.owner_post_title, status, percent).map(Some)
}

/// A progress update with the plan's "latest update" text (or, when the row has none,
/// a sentence saying where the new standing comes from).
fn update_for(
    run: &Run<'_>,
    row: &PlanRow,
    owner_post: &str,
    status: Option<ActionStatus>,
    percent: Option<i32>,
) -> Result<NewProgressUpdate, Vec<Note>> {
    let body = match &row.update {
        Some(text) => text.clone(),
        None => {
            let mut parts = Vec::new();
            if let Some(status) = status {
                parts.push(format!("status {status}"));
            }
            if let Some(percent) = percent {
                parts.push(format!("{percent} % complete"));
            }
            format!(
                "As reported in the improvement plan ({}, row {}): {}. The plan gives no commentary.",
                run.source_name,
                row.row,
                parts.join(", ")
            )
        }
    };
    let author = row.owner.as_deref().unwrap_or(owner_post);
    let (author_name, author_position, body) = (
        Name::parse("owner", author),
        Name::parse("owner", "Action owner, in the improvement plan"),
        Body::parse("update", &body),
    );
    let mut errors = Vec::new();
    let author_name = author_name.map_err(|e| errors.push(Note::new(e.field, e.message))).ok();
    let author_position = author_position
        .map_err(|e| errors.push(Note::new(e.field, e.message)))
        .ok();
    let body = body.map_err(|e| errors.push(Note::new(e.field, e.message))).ok();
    match (author_name, author_position, body) {
        (Some(author_name), Some(author_position), Some(body)) => Ok(NewProgressUpdate {
            reported_on: run.today,
            author_name,
            author_position,
            body,
            progress_percent: percent,
            status,
            meeting_id: None,
        }),
        _ => Err(errors),
    }
}

fn refusal(error: ApiError) -> Vec<Note> {
    match error {
        ApiError::Validation(errors) => errors.into_iter().map(|e| Note::new(e.field, e.message)).collect(),
        ApiError::Conflict { detail, .. } => vec![Note::new("status", detail)],
        other => vec![Note::new("row", other.to_string())],
    }
}

/// A new action from a row, and the progress update that brings it to where the plan
/// says it stands (none when that is `planned` at 0 %).
fn new_action(
    run: &Run<'_>,
    target: &Target,
    row: &PlanRow,
    reference: &str,
    recommendation_ids: &[RecommendationId],
    warnings: &mut Vec<Note>,
) -> Result<(NewAction, Option<NewProgressUpdate>), Vec<Note>> {
    let mut errors = Vec::new();
    let programme = &target.programme.row;
    let mut note_err = |field: &str, message: String| errors.push(Note::new(field, message));
    let reference = Reference::parse("reference", reference)
        .map_err(|e| note_err("reference", e.message))
        .ok();
    let text = row.action.clone();
    if text.is_none() {
        note_err(
            "action",
            "no action text: a new action needs to say what is to be done".into(),
        );
    }
    let title = text.as_deref().and_then(|t| {
        Title::parse("action", crate::import::title_from(t))
            .map_err(|e| note_err("action", e.message))
            .ok()
    });
    let description = text
        .as_deref()
        .and_then(|t| Body::parse("action", t).map_err(|e| note_err("action", e.message)).ok());
    if recommendation_ids.is_empty() {
        note_err(
            "recommendation",
            "no recommendation reference: a new action must answer at least one of the programme's recommendations"
                .into(),
        );
    }
    let post = match &row.owner {
        Some(owner) => owner.clone(),
        None => {
            warnings.push(Note::new(
                "owner",
                format!(
                    "no owner given: the programme's owner, {}, is taken",
                    programme.owner_post_title
                ),
            ));
            programme.owner_post_title.clone()
        }
    };
    let post_title = Name::parse("owner", &post)
        .map_err(|e| note_err("owner", e.message))
        .ok();
    let success_measure = match &row.success_measure {
        Some(text) => Body::parse("success_measure", text)
            .map_err(|e| note_err("success_measure", e.message))
            .ok(),
        None => {
            warnings.push(Note::new(
                "success_measure",
                format!("no measure of success given: the action's says \"{NO_SUCCESS_MEASURE}\""),
            ));
            Body::parse("success_measure", NO_SUCCESS_MEASURE).ok()
        }
    };
    let schedule = match row.due_on {
        None => {
            note_err(
                "due_date",
                "no due date: a new action needs one (\"clear time frames\")".into(),
            );
            None
        }
        Some(due) => {
            let start = match row.starts_on {
                Some(start) => start,
                None => {
                    let start = run.today.min(due);
                    warnings.push(Note::new(
                        "start_date",
                        format!("no start date given: the action starts on {start}, the day of the import (or its due date, if earlier)"),
                    ));
                    start
                }
            };
            Schedule::new(start, due, "due_date")
                .map_err(|e| note_err("due_date", e.message))
                .ok()
        }
    };
    let status = row.status.filter(|s| *s != ActionStatus::Planned);
    let percent = row.progress_percent.filter(|p| *p != 0);
    let percent = percent.filter(|p| !(status == Some(ActionStatus::Completed) && *p == 100));
    let update = if status.is_some() || percent.is_some() {
        let change = ProgressChange {
            status,
            progress_percent: percent,
            completed_on: None,
        };
        let planned = ActionProgress {
            status: ActionStatus::Planned,
            progress_percent: 0,
            completed_on: None,
        };
        match planned.apply(change, run.today) {
            Ok(_) => match update_for(run, row, &post, status, percent) {
                Ok(update) => Some(update),
                Err(more) => {
                    errors.extend(more);
                    None
                }
            },
            Err(error) => {
                errors.extend(refusal(error));
                None
            }
        }
    } else {
        None
    };
    match (reference, title, description, post_title, success_measure, schedule) {
        (Some(reference), Some(title), Some(description), Some(post_title), Some(success_measure), Some(schedule))
            if errors.is_empty() =>
        {
            Ok((
                NewAction {
                    reference,
                    title,
                    description,
                    programme_id: Some(programme.id),
                    recommendation_ids: recommendation_ids.to_vec(),
                    owner: Owner {
                        organisation_id: programme.owner_organisation_id,
                        post_title,
                    },
                    success_measure,
                    schedule,
                },
                update,
            ))
        }
        _ => Err(errors),
    }
}

/// How many progress updates action `id` has: for tests and reports.
pub async fn update_count(conn: &mut DbConn, id: ActionId) -> Result<i64, ApiError> {
    Ok(action_updates::table
        .filter(action_updates::action_id.eq(id))
        .count()
        .get_result(conn)
        .await?)
}
