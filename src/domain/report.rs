//! Reports and the recommendations they make.

use chrono::NaiveDate;

use super::organisation::OrganisationId;
use super::text::{Body, HttpUrl, Reference, Title};
use crate::error::ApiError;

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

impl RecommendationStatus {
    /// Closing or superseding a recommendation must say why (who confirmed it, what
    /// replaced it): the public record would otherwise just stop.
    pub fn needs_reason(self) -> bool {
        matches!(self, RecommendationStatus::Closed | RecommendationStatus::Superseded)
    }
}

/// A valid new report.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub title: Title,
    pub kind: ReportKind,
    pub publisher_organisation_id: OrganisationId,
    pub subject_organisation_id: OrganisationId,
    pub published_on: NaiveDate,
    pub url: Option<HttpUrl>,
    pub summary: Option<Body>,
}

/// A valid set of changes to a report; `None` leaves a field as it is, `Some(None)`
/// removes an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportChanges {
    pub title: Option<Title>,
    pub kind: Option<ReportKind>,
    pub publisher_organisation_id: Option<OrganisationId>,
    pub subject_organisation_id: Option<OrganisationId>,
    pub published_on: Option<NaiveDate>,
    pub url: Option<Option<HttpUrl>>,
    pub summary: Option<Option<Body>>,
}

impl super::Changes for ReportChanges {}

/// A valid new recommendation. It starts `open`.
#[derive(Debug, Clone)]
pub struct NewRecommendation {
    pub reference: Reference,
    pub kind: RecommendationKind,
    pub text: Body,
    pub addressed_to_organisation_id: OrganisationId,
    pub due_on: Option<NaiveDate>,
}

/// A valid set of changes to a recommendation; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecommendationChanges {
    pub kind: Option<RecommendationKind>,
    pub text: Option<Body>,
    pub addressed_to_organisation_id: Option<OrganisationId>,
    pub due_on: Option<Option<NaiveDate>>,
    pub status: Option<RecommendationStatus>,
    pub status_reason: Option<Option<Body>>,
}

impl super::Changes for RecommendationChanges {}

/// A recommendation's status and the reason recorded for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: RecommendationStatus,
    pub reason: Option<String>,
}

impl Standing {
    /// The standing after a change of `status` and/or `reason`. A new status must be
    /// allowed ([`RecommendationStatus::can_become`]; 409 naming the current state
    /// otherwise) and brings its own reason: the reason given with it, or none, never
    /// the reason for the state it leaves. Giving the current status again is not a
    /// transition: the reason stays unless one is given. Closed and superseded need a
    /// reason (422).
    pub fn apply(self, status: Option<RecommendationStatus>, reason: Option<Option<Body>>) -> Result<Self, ApiError> {
        let given_reason = reason.clone().map(|r| r.map(Body::into_inner));
        let next = match status {
            Some(next) if next != self.status => {
                if !self.status.can_become(next) {
                    return Err(ApiError::illegal_transition(
                        format!("A recommendation that is {} cannot become {next}", self.status),
                        self.status.as_str(),
                    ));
                }
                Standing {
                    status: next,
                    reason: given_reason.flatten(),
                }
            }
            _ => Standing {
                status: self.status,
                reason: given_reason.unwrap_or(self.reason),
            },
        };
        if next.status.needs_reason() && next.reason.is_none() {
            return Err(ApiError::invalid(
                "status_reason",
                format!("is required when the status is {}", next.status),
            ));
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::RecommendationStatus::*;
    use super::*;

    fn reason(text: &str) -> Option<Option<Body>> {
        Some(Some(Body::parse("status_reason", text).unwrap()))
    }

    #[test]
    fn closing_needs_a_reason_and_is_final() {
        let open = Standing {
            status: Open,
            reason: None,
        };
        assert!(matches!(
            open.clone().apply(Some(Closed), None),
            Err(ApiError::Validation(errors)) if errors[0].field == "status_reason"
        ));
        let closed = open.apply(Some(Closed), reason("Confirmed by HMICFRS")).unwrap();
        assert_eq!(closed.reason.as_deref(), Some("Confirmed by HMICFRS"));
        match closed.clone().apply(Some(InProgress), None) {
            Err(ApiError::Conflict { current_state, .. }) => assert_eq!(current_state.as_deref(), Some("closed")),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(
            closed.clone().apply(None, Some(None)).is_err(),
            "its reason stays required"
        );
        assert_eq!(closed.clone().apply(Some(Closed), None).unwrap(), closed);
    }

    #[test]
    fn a_new_status_does_not_inherit_the_old_reason() {
        let implemented = Standing {
            status: Implemented,
            reason: Some("Evidence submitted".into()),
        };
        let reopened = implemented.apply(Some(InProgress), None).unwrap();
        assert_eq!(reopened.reason, None);
    }
}
