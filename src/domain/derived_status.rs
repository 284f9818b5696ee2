//! A recommendation's status as its actions make it: the part of the status nobody
//! records by hand, so that a recommendation whose every action is done says so.

use super::action::ActionStatus;
use super::report::RecommendationStatus;

/// The status the actions addressing a recommendation give it, from each action's
/// status and `progress_percent`:
///
/// - `actions_complete` when every action that is not cancelled is completed (and at
///   least one is);
/// - `in_progress` when any action that is not cancelled has started: it is no longer
///   `planned`, or its progress is above 0 %;
/// - `open` otherwise: no actions, only cancelled ones (nothing is being done), or every
///   action still planned at 0 %.
pub fn derived_status(actions: impl IntoIterator<Item = (ActionStatus, i32)>) -> RecommendationStatus {
    let (mut counted, mut completed, mut started) = (0usize, 0usize, false);
    for (status, percent) in actions {
        if status == ActionStatus::Cancelled {
            continue;
        }
        counted += 1;
        if status == ActionStatus::Completed {
            completed += 1;
        }
        started |= status != ActionStatus::Planned || percent > 0;
    }
    if counted > 0 && completed == counted {
        RecommendationStatus::ActionsComplete
    } else if started {
        RecommendationStatus::InProgress
    } else {
        RecommendationStatus::Open
    }
}

/// The status a recommendation stored as `current` should have with these actions: a
/// decision (`implemented`, `closed`, `superseded`) stays as recorded; a derived status
/// follows the actions.
pub fn following(
    current: RecommendationStatus,
    actions: impl IntoIterator<Item = (ActionStatus, i32)>,
) -> RecommendationStatus {
    if current.is_derived() {
        derived_status(actions)
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;
    use RecommendationStatus as R;

    #[test]
    fn no_actions_or_none_started_is_open() {
        assert_eq!(derived_status([]), R::Open);
        assert_eq!(derived_status([(Planned, 0), (Planned, 0)]), R::Open);
        assert_eq!(derived_status([(Cancelled, 0), (Cancelled, 40)]), R::Open);
    }

    #[test]
    fn any_action_started_is_in_progress() {
        assert_eq!(derived_status([(Planned, 0), (InProgress, 0)]), R::InProgress);
        assert_eq!(
            derived_status([(Planned, 10)]),
            R::InProgress,
            "progress above 0 % is a start"
        );
        assert_eq!(derived_status([(Blocked, 0)]), R::InProgress);
        assert_eq!(derived_status([(Completed, 100), (Planned, 0)]), R::InProgress);
    }

    #[test]
    fn every_action_completed_is_actions_complete() {
        assert_eq!(derived_status([(Completed, 100)]), R::ActionsComplete);
        assert_eq!(
            derived_status([(Completed, 100), (Cancelled, 0), (Completed, 100)]),
            R::ActionsComplete,
            "a cancelled action is not waited for"
        );
    }

    #[test]
    fn decisions_stay_as_recorded() {
        for decision in [R::Implemented, R::Closed, R::Superseded] {
            assert_eq!(following(decision, [(Completed, 100)]), decision);
            assert_eq!(following(decision, []), decision);
        }
        assert_eq!(following(R::ActionsComplete, [(InProgress, 60)]), R::InProgress);
        assert_eq!(following(R::InProgress, []), R::Open);
    }
}
