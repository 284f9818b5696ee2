//! Meetings: where questions are put and progress is reported.

crate::typed_id!(
    /// The id of a meeting.
    MeetingId
);

crate::text_enum!(
    /// What sort of meeting.
    MeetingKind {
        /// A meeting of the Police, Fire & Crime Panel, where public questions are put.
        PanelMeeting => "panel_meeting",
        /// The Commissioner's monthly Strategic Governance Board.
        StrategicGovernanceBoard => "strategic_governance_board",
        /// A Public Performance Meeting (held three times a year).
        PublicPerformanceMeeting => "public_performance_meeting",
        /// Anything else.
        Other => "other",
    }
);
