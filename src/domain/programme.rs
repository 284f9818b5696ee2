//! Improvement programmes: a named set of actions with an owner, the reports it
//! responds to, and the meeting where its progress is reported.

use super::meeting::MeetingKind;
use super::organisation::Owner;
use super::report::ReportId;
use super::text::{Body, Name};
use super::FieldResult;
use crate::error::FieldError;

crate::typed_id!(
    /// The id of an improvement programme.
    ProgrammeId
);

crate::text_enum!(
    /// Where a programme stands.
    ProgrammeStatus {
        /// Work is going on.
        Active => "active",
        /// Its actions are done.
        Completed => "completed",
        /// Stopped or absorbed into another programme.
        Closed => "closed",
    }
);

/// A valid new programme. It starts `active` unless told otherwise.
#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub name: Name,
    pub description: Option<Body>,
    pub owner: Owner,
    /// Without repeats.
    pub report_ids: Vec<ReportId>,
    pub progress_meeting_kind: Option<MeetingKind>,
    pub status: ProgrammeStatus,
}

/// A valid set of changes to a programme; `None` leaves a field as it is, `Some(None)`
/// removes an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgrammeChanges {
    pub name: Option<Name>,
    pub description: Option<Option<Body>>,
    pub owner_organisation_id: Option<super::organisation::OrganisationId>,
    pub owner_post_title: Option<Name>,
    /// Replaces the set.
    pub report_ids: Option<Vec<ReportId>>,
    pub progress_meeting_kind: Option<Option<MeetingKind>>,
    pub status: Option<ProgrammeStatus>,
}

impl super::Changes for ProgrammeChanges {}

/// `ids` without repeats, in the order given: at most 100.
pub fn report_ids(field: &str, ids: &[ReportId]) -> FieldResult<Vec<ReportId>> {
    let mut unique: Vec<ReportId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.len() > 100 {
        return Err(FieldError::new(field, "must name at most 100 reports"));
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_drop_repeats_and_are_at_most_a_hundred() {
        let a = ReportId::generate();
        let b = ReportId::generate();
        assert_eq!(report_ids("report_ids", &[a, b, a]).unwrap(), vec![a, b]);
        assert!(report_ids("report_ids", &[]).unwrap().is_empty());
        let many: Vec<_> = (0..101).map(|_| ReportId::generate()).collect();
        assert!(report_ids("report_ids", &many).is_err());
    }
}
