//! Progress summaries: how far a set of actions has got (counts by outcome, overdue,
//! percent complete), for a recommendation today and for anything else that groups
//! actions later. It depends on actions and on nothing that depends on it.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::action::{is_overdue, ActionStatus};

/// How far the actions on a recommendation have got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecommendationProgress {
    /// Every action addressing the recommendation, cancelled ones included.
    pub actions_total: i64,
    pub actions_completed: i64,
    /// Past their due date and neither completed nor cancelled.
    pub actions_overdue: i64,
    /// The average `progress_percent` of its actions that are not cancelled, rounded;
    /// 0 when there are none.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: i32,
}

impl RecommendationProgress {
    /// The progress of a recommendation with these actions (status, progress, due date)
    /// on `today`.
    pub fn of(actions: impl IntoIterator<Item = (ActionStatus, i32, NaiveDate)>, today: NaiveDate) -> Self {
        let mut progress = Self::default();
        let (mut sum, mut counted) = (0i64, 0i64);
        for (status, percent, due_on) in actions {
            progress.actions_total += 1;
            if status == ActionStatus::Completed {
                progress.actions_completed += 1;
            }
            if is_overdue(status, due_on, today) {
                progress.actions_overdue += 1;
            }
            if status != ActionStatus::Cancelled {
                sum += i64::from(percent);
                counted += 1;
            }
        }
        progress.percent_complete = rounded_mean(sum, counted);
        progress
    }
}

/// The mean of `count` whole percentages summing to `sum`, rounded half up; 0 for none.
pub fn rounded_mean(sum: i64, count: i64) -> i32 {
    if count <= 0 {
        return 0;
    }
    i32::try_from((2 * sum + count) / (2 * count)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn progress_averages_the_actions_that_are_not_cancelled() {
        let today = date("2022-10-01");
        let progress = RecommendationProgress::of(
            [
                (ActionStatus::Completed, 100, date("2022-09-01")),
                (ActionStatus::InProgress, 50, date("2022-09-30")),
                (ActionStatus::Planned, 25, date("2022-12-31")),
                (ActionStatus::Cancelled, 0, date("2022-01-01")),
            ],
            today,
        );
        assert_eq!(
            progress,
            RecommendationProgress {
                actions_total: 4,
                actions_completed: 1,
                actions_overdue: 1,
                percent_complete: 58,
            }
        );
        assert_eq!(RecommendationProgress::of([], today).percent_complete, 0);
    }

    #[test]
    fn means_round_half_up() {
        assert_eq!(rounded_mean(1, 2), 1);
        assert_eq!(rounded_mean(100 + 33, 2), 67);
        assert_eq!(rounded_mean(0, 0), 0);
    }
}
