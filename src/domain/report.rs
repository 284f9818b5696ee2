//! Reports and the recommendations they make.

crate::typed_id!(
    /// The id of a report.
    ReportId
);

crate::typed_id!(
    /// The id of a recommendation.
    RecommendationId
);

crate::text_enum!(
    /// Where a report comes from.
    ReportKind {
        /// An inspection (HMICFRS).
        Inspection => "inspection",
        /// A re-inspection following an earlier inspection.
        Reinspection => "reinspection",
        /// A report of the panel itself.
        PanelReport => "panel_report",
        /// An audit.
        Audit => "audit",
        Other => "other",
    }
);

crate::text_enum!(
    /// What sort of finding.
    RecommendationKind {
        Recommendation => "recommendation",
        /// HMICFRS: a serious or critical shortcoming.
        CauseOfConcern => "cause_of_concern",
        /// HMICFRS: a practice that should improve.
        AreaForImprovement => "area_for_improvement",
    }
);

crate::text_enum!(
    /// Where a recommendation stands.
    RecommendationStatus {
        Open => "open",
        InProgress => "in_progress",
        /// The force says it is done; awaiting confirmation.
        Implemented => "implemented",
        /// Confirmed done, or closed by the inspectorate.
        Closed => "closed",
        /// Replaced by a later recommendation.
        Superseded => "superseded",
    }
);

impl RecommendationStatus {
    /// Whether a recommendation in this state may move to `next`. Closed and superseded
    /// are final; an implemented recommendation can be reopened (in progress) when the
    /// evidence does not hold up.
    pub fn can_become(self, next: RecommendationStatus) -> bool {
        use RecommendationStatus::*;
        self != next
            && match self {
                Open | InProgress => true,
                Implemented => matches!(next, InProgress | Closed | Superseded),
                Closed | Superseded => false,
            }
    }
}
