//! Actions taken on recommendations, and their progress updates.

use chrono::NaiveDate;

use super::auth::{Principal, Role};
use super::meeting::MeetingId;
use super::organisation::OrganisationId;
pub use super::organisation::Owner;
use super::programme::ProgrammeId;
use super::report::RecommendationId;
use super::text::{Body, Name, Reference, Title};
use super::FieldResult;
use crate::error::{ApiError, FieldError};

crate::typed_id!(
    /// The id of an action.
    ActionId
);

crate::typed_id!(
    /// The id of an action update.
    ProgressUpdateId
);

crate::text_enum!(
    /// Where an action stands.
    ActionStatus {
        Planned => "planned",
        InProgress => "in_progress",
        /// Done: progress is 100 % and `completed_on` is set.
        Completed => "completed",
        /// Stuck; the update that blocked it should say why.
        Blocked => "blocked",
        /// Will not be done.
        Cancelled => "cancelled",
    }
);

impl ActionStatus {
    /// Whether an action in this state may move to `next`. A completed action may be
    /// reopened (a mistake is corrected by a later update); a cancelled one is final.
    pub fn can_become(self, next: ActionStatus) -> bool {
        use ActionStatus::*;
        self == next
            || match self {
                Planned | InProgress | Blocked => next != Planned || self == Planned,
                Completed => next == InProgress,
                Cancelled => false,
            }
    }

    /// Whether an action in this state still counts against its due date.
    pub fn is_open(self) -> bool {
        !matches!(self, ActionStatus::Completed | ActionStatus::Cancelled)
    }
}

/// Whether an action is overdue on `today`: due before today and neither completed nor
/// cancelled.
pub fn is_overdue(status: ActionStatus, due_on: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    status.is_open() && due_on < today
}

/// A progress percentage, 0 to 100, as the field named `field`.
pub fn percent(field: &str, value: i32) -> FieldResult<i32> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(field, "must be from 0 to 100"))
    }
}

/// When an action runs: it cannot be due before it starts ("clear time frames").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub starts_on: NaiveDate,
    pub due_on: NaiveDate,
}

impl Schedule {
    /// The schedule, or an error naming `blame` (the field the client changed) when
    /// `due_on` precedes `starts_on`.
    pub fn new(starts_on: NaiveDate, due_on: NaiveDate, blame: &str) -> FieldResult<Self> {
        if due_on < starts_on {
            return Err(FieldError::new(
                blame,
                format!("the action cannot be due ({due_on}) before it starts ({starts_on})"),
            ));
        }
        Ok(Self { starts_on, due_on })
    }
}

/// Where an action stands: status, progress and, once completed, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionProgress {
    pub status: ActionStatus,
    pub progress_percent: i32,
    pub completed_on: Option<NaiveDate>,
}

/// A requested move of an action (a `PATCH` or a posted update); `None` keeps a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressChange {
    pub status: Option<ActionStatus>,
    /// Already checked to be 0 to 100 ([`percent`]).
    pub progress_percent: Option<i32>,
    pub completed_on: Option<NaiveDate>,
}

impl ProgressChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl ActionProgress {
    /// The action's standing after `change`. The status must be allowed to move
    /// ([`ActionStatus::can_become`]; 409 naming the current state otherwise).
    /// Completed means 100 % with a completion date: `completed_on` when given, the
    /// date already recorded when it stays completed, `completion_date` otherwise (today
    /// for a `PATCH`, the update's `reported_on` for an update). Leaving completed
    /// clears the date. Reaching 100 % alone does not complete an action: someone has to
    /// say it is done.
    pub fn apply(self, change: ProgressChange, completion_date: NaiveDate) -> Result<Self, ApiError> {
        let status = change.status.unwrap_or(self.status);
        if !self.status.can_become(status) {
            return Err(ApiError::illegal_transition(
                format!("An action that is {} cannot become {status}", self.status),
                self.status.as_str(),
            ));
        }
        if status == ActionStatus::Completed {
            if change.progress_percent.is_some_and(|p| p != 100) {
                return Err(ApiError::invalid(
                    "progress_percent",
                    "must be 100 when the action is completed (reopen it as in_progress to lower it)",
                ));
            }
            let kept = (self.status == ActionStatus::Completed)
                .then_some(self.completed_on)
                .flatten();
            return Ok(Self {
                status,
                progress_percent: 100,
                completed_on: Some(change.completed_on.or(kept).unwrap_or(completion_date)),
            });
        }
        if change.completed_on.is_some() {
            return Err(ApiError::invalid(
                "completed_on",
                "can be given only when the action is completed",
            ));
        }
        Ok(Self {
            status,
            progress_percent: change.progress_percent.unwrap_or(self.progress_percent),
            completed_on: None,
        })
    }
}

/// A valid new action. It starts `planned` at 0 %.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub reference: Reference,
    pub title: Title,
    pub description: Body,
    /// The programme it belongs to, if any; its `reference` is unique within it.
    pub programme_id: Option<ProgrammeId>,
    /// At least one, without repeats.
    pub recommendation_ids: Vec<RecommendationId>,
    pub owner: Owner,
    pub success_measure: Body,
    pub schedule: Schedule,
}

/// A valid set of changes to an action; `None` leaves a field as it is. Dates and
/// progress are checked against the stored action when it is loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionChanges {
    pub title: Option<Title>,
    pub description: Option<Body>,
    /// `Some(Some(id))` moves the action into programme `id`, `Some(None)` takes it out
    /// of its programme.
    pub programme_id: Option<Option<ProgrammeId>>,
    /// Replaces the set; at least one, without repeats.
    pub recommendation_ids: Option<Vec<RecommendationId>>,
    pub owner_organisation_id: Option<OrganisationId>,
    pub owner_post_title: Option<Name>,
    pub success_measure: Option<Body>,
    pub starts_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub progress: ProgressChange,
}

impl super::Changes for ActionChanges {}

impl ActionChanges {
    /// Whether the changes go beyond moving the action (status, progress, completion):
    /// what only those who manage actions may do, not the owner's staff.
    pub fn changes_more_than_progress(&self) -> bool {
        let progress_only = Self {
            progress: self.progress,
            ..Self::default()
        };
        *self != progress_only
    }

    /// Whether `principal` may make these changes to an action that `owner` owns, checked
    /// on the action right after it is loaded (403 otherwise): `admin` and
    /// `commissioner_office` may change anything; `force` users only move (status,
    /// progress, completion) the actions their own organisation owns.
    pub fn allowed_for(&self, principal: &Principal, owner: OrganisationId) -> Result<(), ApiError> {
        may_move(principal, owner)?;
        if self.changes_more_than_progress() && !principal.has_any(&[Role::Admin, Role::CommissionerOffice]) {
            return Err(ApiError::forbidden(
                "force users may change only status, progress_percent and completed_on; \
                 ask the Commissioner's office to change anything else",
            ));
        }
        Ok(())
    }
}

/// 403 unless `principal` may move an action that `owner` owns
/// ([`Principal::may_move_action_of`]).
pub fn may_move(principal: &Principal, owner: OrganisationId) -> Result<(), ApiError> {
    if !principal.may_move_action_of(owner) {
        return Err(ApiError::forbidden(
            "Only admin, commissioner_office and force users of the owning organisation may change this action",
        ));
    }
    Ok(())
}

/// A valid new progress update on an action.
#[derive(Debug, Clone)]
pub struct NewProgressUpdate {
    pub reported_on: NaiveDate,
    pub author_name: Name,
    pub author_position: Name,
    pub body: Body,
    pub progress_percent: Option<i32>,
    pub status: Option<ActionStatus>,
    pub meeting_id: Option<MeetingId>,
}

impl NewProgressUpdate {
    /// Whether `principal` may post this update on an action that `owner` owns, checked
    /// on the action right after it is loaded (403 otherwise): `admin`,
    /// `commissioner_office`, and `force` users of the owning organisation.
    pub fn allowed_for(&self, principal: &Principal, owner: OrganisationId) -> Result<(), ApiError> {
        may_move(principal, owner)
    }
}

/// The recommendation ids of a request, at least one and at most 100, repeats dropped.
pub fn recommendation_ids(field: &str, ids: &[RecommendationId]) -> FieldResult<Vec<RecommendationId>> {
    let mut unique: Vec<RecommendationId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    match unique.len() {
        0 => Err(FieldError::new(field, "must name at least one recommendation")),
        1..=100 => Ok(unique),
        _ => Err(FieldError::new(field, "must name at most 100 recommendations")),
    }
}

#[cfg(test)]
mod tests {
    use super::ActionStatus::*;
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn cancelled_is_final_and_completed_can_only_be_reopened() {
        assert!(!Cancelled.can_become(InProgress));
        assert!(Completed.can_become(InProgress) && !Completed.can_become(Blocked));
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn standing(status: ActionStatus, progress_percent: i32) -> ActionProgress {
        ActionProgress {
            status,
            progress_percent,
            completed_on: (status == Completed).then(|| date("2022-09-01")),
        }
    }

    /// What marking `from` completed on `today`, giving no date, leaves.
    fn completed(from: ActionProgress, today: NaiveDate) -> ActionProgress {
        let change = ProgressChange {
            status: Some(Completed),
            ..Default::default()
        };
        from.apply(change, today).unwrap()
    }

    #[test]
    fn completing_an_action_sets_100_percent_and_the_completion_date() {
        let today = date("2022-10-03");
        let done = completed(standing(InProgress, 60), today);
        assert_eq!((done.progress_percent, done.completed_on), (100, Some(today)));
        let given = standing(InProgress, 60)
            .apply(
                ProgressChange {
                    status: Some(Completed),
                    completed_on: Some(date("2022-09-30")),
                    ..Default::default()
                },
                today,
            )
            .unwrap();
        assert_eq!(given.completed_on, Some(date("2022-09-30")));
    }

    #[test]
    fn reaching_100_percent_alone_does_not_complete_an_action() {
        let moved = standing(InProgress, 60)
            .apply(
                ProgressChange {
                    progress_percent: Some(100),
                    ..Default::default()
                },
                date("2022-10-03"),
            )
            .unwrap();
        assert_eq!((moved.status, moved.progress_percent), (InProgress, 100));
    }

    #[test]
    fn a_completed_action_keeps_100_percent_until_it_is_reopened() {
        let today = date("2022-10-03");
        let lowered = standing(Completed, 100).apply(
            ProgressChange {
                progress_percent: Some(90),
                ..Default::default()
            },
            today,
        );
        assert!(matches!(lowered, Err(ApiError::Validation(_))));
        let reopened = standing(Completed, 100)
            .apply(
                ProgressChange {
                    status: Some(InProgress),
                    progress_percent: Some(90),
                    ..Default::default()
                },
                today,
            )
            .unwrap();
        assert_eq!(reopened, standing(InProgress, 90));
        let again = completed(standing(Completed, 100), today);
        assert_eq!(again.completed_on, Some(date("2022-09-01")), "the first date stays");
    }

    #[test]
    fn an_illegal_move_names_the_current_state() {
        match standing(Cancelled, 10).apply(
            ProgressChange {
                status: Some(InProgress),
                ..Default::default()
            },
            date("2022-10-03"),
        ) {
            Err(ApiError::Conflict { current_state, .. }) => assert_eq!(current_state.as_deref(), Some("cancelled")),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_completion_date_needs_a_completed_action() {
        let result = standing(InProgress, 10).apply(
            ProgressChange {
                completed_on: Some(date("2022-10-01")),
                ..Default::default()
            },
            date("2022-10-03"),
        );
        assert!(matches!(result, Err(ApiError::Validation(errors)) if errors[0].field == "completed_on"));
    }

    #[test]
    fn an_action_cannot_be_due_before_it_starts() {
        assert!(Schedule::new(date("2022-06-01"), date("2022-06-01"), "due_on").is_ok());
        assert_eq!(
            Schedule::new(date("2022-06-02"), date("2022-06-01"), "due_on")
                .unwrap_err()
                .field,
            "due_on"
        );
    }

    #[test]
    fn recommendation_ids_drop_repeats_and_need_at_least_one() {
        let id = RecommendationId::generate();
        assert_eq!(recommendation_ids("ids", &[id, id]).unwrap(), vec![id]);
        assert!(recommendation_ids("ids", &[]).is_err());
    }

    #[test]
    fn an_action_is_overdue_only_after_its_due_date_while_open() {
        let due = NaiveDate::from_ymd_opt(2022, 9, 30).unwrap();
        let next_day = due.succ_opt().unwrap();
        assert!(!is_overdue(InProgress, due, due));
        assert!(is_overdue(InProgress, due, next_day));
        assert!(!is_overdue(Completed, due, next_day));
        assert!(!is_overdue(Cancelled, due, next_day));
    }
}
