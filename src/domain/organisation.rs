//! Organisations: the panel, the Commissioner's office, forces, inspectorates …

use super::text::Name;

crate::typed_id!(
    /// The id of an organisation.
    OrganisationId
);

/// Who answers for an action or a programme: an organisation and the post within it
/// (the post, not the person: people move on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub organisation_id: OrganisationId,
    pub post_title: Name,
}

crate::text_enum!(
    /// What sort of body an organisation is.
    OrganisationKind {
        /// A Police, Fire & Crime Panel.
        Panel => "panel",
        /// A Police, Fire & Crime Commissioner and their office.
        Commissioner => "commissioner",
        /// A police force.
        Force => "force",
        /// A fire and rescue service.
        FireService => "fire_service",
        /// An inspectorate, such as HMICFRS.
        Inspectorate => "inspectorate",
        /// A local council.
        Council => "council",
        /// Anything else.
        Other => "other",
    }
);

/// A valid new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: Name,
    pub kind: OrganisationKind,
}

/// A valid set of changes to an organisation; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganisationChanges {
    pub name: Option<Name>,
    pub kind: Option<OrganisationKind>,
}

impl super::Changes for OrganisationChanges {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>().unwrap(), *kind);
        }
        assert!("police"
            .parse::<OrganisationKind>()
            .unwrap_err()
            .contains("fire_service"));
    }
}
