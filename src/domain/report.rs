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
    /// Where a recommendation stands. `open`, `in_progress` and `actions_complete` are
    /// derived from the actions addressing it (see [`super::derived_status::derived_status`]);
    /// `implemented`, `closed` and `superseded` are decisions someone records, with a
    /// reason.
    RecommendationStatus {
        /// Derived: no action addresses it yet, or none has started.
        Open => "open",
        /// Derived: some action addressing it has started.
        InProgress => "in_progress",
        /// Derived: every action addressing it (cancelled ones aside) is completed.
        ActionsComplete => "actions_complete",
        /// Decision: the force says it is done; awaiting confirmation.
        Implemented => "implemented",
        /// Decision: confirmed done, or closed by the inspectorate.
        Closed => "closed",
        /// Decision: replaced by a later recommendation.
        Superseded => "superseded",
    }
);

impl RecommendationStatus {
    /// Whether the status follows the actions (`open`, `in_progress`,
    /// `actions_complete`) rather than being a decision someone recorded.
    pub fn is_derived(self) -> bool {
        use RecommendationStatus::*;
        matches!(self, Open | InProgress | ActionsComplete)
    }

    /// Whether a recommendation in this state may move to `next`. A recommendation that
    /// follows its actions may be decided any way; closed and superseded are final; an
    /// implemented recommendation can be reopened (back to following its actions) when
    /// the evidence does not hold up. Moves between derived statuses are the actions'
    /// to make, not a caller's (see [`Standing::apply`]).
    pub fn can_become(self, next: RecommendationStatus) -> bool {
        use RecommendationStatus::*;
        self != next
            && match self {
                Open | InProgress | ActionsComplete => !next.is_derived(),
                Implemented => matches!(next, Closed | Superseded) || next.is_derived(),
                Closed | Superseded => false,
            }
    }
}

impl RecommendationStatus {
    /// A decision must say why (what evidence, who confirmed it, what replaced it): the
    /// public record would otherwise just stop following the actions.
    pub fn needs_reason(self) -> bool {
        !self.is_derived()
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
    /// The standing after a change of `status` and/or `reason`, where `derived` is the
    /// status the recommendation's actions give it now ([`super::derived_status::derived_status`]).
    ///
    /// A decision (`implemented`, `closed`, `superseded`) must be allowed from the
    /// current status ([`RecommendationStatus::can_become`]; 409 naming the current
    /// state otherwise) and brings its own reason, which it needs (422): the reason given
    /// with it, never the reason for the state it leaves. A derived status cannot be set
    /// by hand (422 naming the status the actions give), except to reopen an
    /// `implemented` recommendation, which then follows its actions again: the request
    /// must name the status they give (`derived`). A derived status has no reason (422
    /// when one is given). Giving the current status again is not a transition: the
    /// reason stays unless one is given.
    pub fn apply(
        self,
        status: Option<RecommendationStatus>,
        reason: Option<Option<Body>>,
        derived: RecommendationStatus,
    ) -> Result<Self, ApiError> {
        let given_reason = reason.clone().map(|r| r.map(Body::into_inner));
        let next = match status {
            Some(next) if next != self.status => {
                if next.is_derived()
                    && next != derived
                    && self.status != RecommendationStatus::Closed
                    && self.status != RecommendationStatus::Superseded
                {
                    return Err(ApiError::invalid(
                        "status",
                        format!(
                            "{next} is derived from the recommendation's actions, which make it {derived}; \
                             only implemented, closed and superseded are recorded by hand"
                        ),
                    ));
                }
                if !self.status.can_become(next) {
                    if next.is_derived() && self.status.is_derived() {
                        return Err(ApiError::invalid(
                            "status",
                            format!(
                                "is derived from the recommendation's actions, which make it {derived}; \
                                 only implemented, closed and superseded are recorded by hand"
                            ),
                        ));
                    }
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
        if !next.status.needs_reason() && next.reason.is_some() {
            return Err(ApiError::invalid(
                "status_reason",
                format!(
                    "is recorded only with a decision (implemented, closed, superseded); {} follows the actions",
                    next.status
                ),
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
            open.clone().apply(Some(Closed), None, Open),
            Err(ApiError::Validation(errors)) if errors[0].field == "status_reason"
        ));
        let closed = open.apply(Some(Closed), reason("Confirmed by HMICFRS"), Open).unwrap();
        assert_eq!(closed.reason.as_deref(), Some("Confirmed by HMICFRS"));
        match closed.clone().apply(Some(InProgress), None, InProgress) {
            Err(ApiError::Conflict { current_state, .. }) => assert_eq!(current_state.as_deref(), Some("closed")),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(
            closed.clone().apply(None, Some(None), Open).is_err(),
            "its reason stays required"
        );
        assert_eq!(closed.clone().apply(Some(Closed), None, Open).unwrap(), closed);
    }

    #[test]
    fn a_new_status_does_not_inherit_the_old_reason() {
        let implemented = Standing {
            status: Implemented,
            reason: Some("Evidence submitted".into()),
        };
        let reopened = implemented.clone().apply(Some(InProgress), None, InProgress).unwrap();
        assert_eq!(reopened.reason, None);
        match implemented.apply(Some(Open), None, ActionsComplete) {
            Err(ApiError::Validation(errors)) => {
                assert_eq!(errors[0].field, "status");
                assert!(errors[0].message.contains("actions_complete"), "{}", errors[0].message);
            }
            other => panic!("reopening names the status the actions give, got {other:?}"),
        }
    }

    #[test]
    fn derived_statuses_are_not_set_by_hand_and_carry_no_reason() {
        let open = Standing {
            status: Open,
            reason: None,
        };
        for (status, derived) in [
            (InProgress, Open),
            (ActionsComplete, InProgress),
            (InProgress, InProgress),
        ] {
            assert!(
                matches!(open.clone().apply(Some(status), None, derived), Err(ApiError::Validation(e)) if e[0].field == "status"),
                "{status} by hand while the actions make it {derived}"
            );
        }
        assert!(matches!(
            open.clone().apply(None, reason("Because"), Open),
            Err(ApiError::Validation(e)) if e[0].field == "status_reason"
        ));
        assert!(matches!(
            open.clone().apply(Some(Implemented), None, Open),
            Err(ApiError::Validation(e)) if e[0].field == "status_reason"
        ));
        assert_eq!(open.clone().apply(Some(Open), None, Open).unwrap(), open);
    }
}
