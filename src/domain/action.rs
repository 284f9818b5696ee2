//! Actions taken on recommendations, and their progress updates.

crate::typed_id!(
    /// The id of an action.
    ActionId
);

crate::typed_id!(
    /// The id of an action update.
    ActionUpdateId
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
