//! Who may do what: roles, users and API clients.

use super::organisation::OrganisationId;
use super::question_rules::Addressee;
use super::text::BoundedText;
use super::FieldResult;
use crate::error::FieldError;

crate::typed_id!(
    /// The id of a user (a person).
    UserId
);

crate::typed_id!(
    /// The id of an API client (a system).
    ApiClientId
);

crate::text_enum!(
    /// A role carried in a token. What each may do is in the API description.
    Role {
        /// Whoever runs the service: everything, including users, clients and the audit log.
        Admin => "admin",
        /// Council officers who support the panel: questions, meetings, reports.
        Secretariat => "secretariat",
        /// Councillors and co-opted members: read everything but contact details; pose panel questions.
        PanelMember => "panel_member",
        /// The Commissioner's staff: responses, reports, recommendations, actions.
        CommissionerOffice => "commissioner_office",
        /// An action owner's staff: updates on the actions their own organisation owns.
        Force => "force",
        /// Panel and council IT systems: public data, the change feed, their webhooks.
        Integration => "integration",
    }
);

impl Role {
    /// Parses stored or claimed role names, ignoring names this service does not know
    /// (an identity provider may carry roles meant for other systems).
    pub fn parse_known<S: AsRef<str>>(names: &[S]) -> Vec<Role> {
        let mut roles: Vec<Role> = names.iter().filter_map(|n| n.as_ref().parse().ok()).collect();
        roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
        roles.dedup();
        roles
    }
}

/// A username: 3 to 64 characters of letters, digits and `.`, `_`, `-`, `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let value = value.trim();
        let valid_chars = value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if !(3..=64).contains(&value.len()) || !valid_chars {
            return Err(FieldError::new(
                field,
                "must be 3 to 64 characters of letters, digits, '.', '_', '-' or '@'",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 12 to 256 characters. Length, not composition rules, is what makes a
/// password strong (NIST SP 800-63B).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Refuses what no text may hold ([`super::text::clean`]) and normalises to NFC, as
    /// the token endpoint does with a password given to sign in, so that a password typed
    /// with precomposed or combining accents is the same password (NIST SP 800-63B asks
    /// for normalisation). The length is counted after normalising.
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let value = super::text::clean(field, value)?;
        let length = value.chars().count();
        if !(12..=256).contains(&length) {
            return Err(FieldError::new(field, "must be 12 to 256 characters"));
        }
        Ok(Self(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// At least one role, each named once.
pub fn parse_roles(field: &str, roles: &[Role]) -> FieldResult<Vec<Role>> {
    if roles.is_empty() {
        return Err(FieldError::new(field, "must name at least one role"));
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Ok(Role::parse_known(&names))
}

/// A display name of a person or system.
pub type DisplayName = BoundedText<200>;

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Client(ApiClientId),
    /// A subject this service does not manage: an external identity provider's user,
    /// or an operator's token from `scrutiny issue-token`.
    Other(String),
}

impl Subject {
    /// The `sub` claim.
    pub fn claim(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Client(id) => format!("client:{id}"),
            Self::Other(subject) => subject.clone(),
        }
    }

    pub fn parse(claim: &str) -> Self {
        let parsed = match claim.split_once(':') {
            Some(("user", id)) => id.parse().ok().map(Self::User),
            Some(("client", id)) => id.parse().ok().map(Self::Client),
            _ => None,
        };
        parsed.unwrap_or_else(|| Self::Other(claim.to_string()))
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: Subject,
    pub roles: Vec<Role>,
    pub organisation: Option<OrganisationId>,
    /// For this service's own tokens: the generation of the account's credentials the
    /// token was issued under (its `credentials_generation` claim; 0 when absent). None
    /// for an identity provider's token.
    pub credentials_generation: Option<i32>,
}

impl Principal {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// Whose answers this caller records: `admin` anyone's; `commissioner_office` the
    /// Commissioner's, to questions put to the Commissioner; `secretariat` the Panel's,
    /// to questions put to the Panel.
    pub fn answers_for(&self) -> Vec<Addressee> {
        let mut addressees = Vec::new();
        if self.has_any(&[Role::Admin, Role::CommissionerOffice]) {
            addressees.push(Addressee::Commissioner);
        }
        if self.has_any(&[Role::Admin, Role::Secretariat]) {
            addressees.push(Addressee::Panel);
        }
        addressees
    }

    /// Whether this caller may move (and post updates on) an action owned by `owner`:
    /// `admin` and `commissioner_office` any action, `force` users only the actions of
    /// the organisation their token names.
    pub fn may_move_action_of(&self, owner: OrganisationId) -> bool {
        self.has_any(&[Role::Admin, Role::CommissionerOffice])
            || (self.has_any(&[Role::Force]) && self.organisation == Some(owner))
    }
}

/// How much of the record a caller may see (DOMAIN.md, "Who does what").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    /// Anonymous callers and `integration` systems: public records only (questions
    /// accepted, answered or referred, published responses, public meetings, reports,
    /// recommendations, actions and updates), and never contact details. What is not
    /// public does not exist for them (404).
    Public,
    /// `panel_member`, `commissioner_office`, `force`: everything but contact details.
    Staff,
    /// `secretariat` and `admin`: everything, including a questioner's contact details.
    Full,
}

impl View {
    pub fn of(principal: Option<&Principal>) -> Self {
        match principal {
            Some(p) if p.has_any(&[Role::Admin, Role::Secretariat]) => View::Full,
            Some(p) if p.has_any(&[Role::PanelMember, Role::CommissionerOffice, Role::Force]) => View::Staff,
            _ => View::Public,
        }
    }

    /// Whether records that are not public are visible.
    pub fn sees_unpublished(self) -> bool {
        self >= View::Staff
    }

    /// Whether a questioner's contact details are visible.
    pub fn sees_contact_details(self) -> bool {
        self == View::Full
    }
}

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `anonymous`, `user`, `client`, `external` (an identity provider's or operator's token) or `system`.
    pub kind: &'static str,
    /// The user's or client's id; none for anonymous callers.
    pub id: Option<String>,
    /// The id of the HTTP request that made the change, if any.
    pub request_id: Option<String>,
    /// The claim on the request's `Idempotency-Key`, if it has one: the change marks
    /// the key with its result in its own transaction.
    pub idempotency_claim: Option<uuid::Uuid>,
}

impl Actor {
    /// The service itself (start-up seeding, imports from the command line).
    pub fn system(what: &str) -> Self {
        Self {
            kind: "system",
            id: Some(what.to_string()),
            request_id: None,
            idempotency_claim: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_users_may_move_only_their_own_organisations_actions() {
        let (own, other) = (OrganisationId::generate(), OrganisationId::generate());
        let principal = |roles: Vec<Role>, organisation| Principal {
            subject: Subject::Other("t".into()),
            roles,
            organisation,
            credentials_generation: Some(0),
        };
        assert!(principal(vec![Role::Force], Some(own)).may_move_action_of(own));
        assert!(!principal(vec![Role::Force], Some(other)).may_move_action_of(own));
        assert!(!principal(vec![Role::Force], None).may_move_action_of(own));
        assert!(principal(vec![Role::CommissionerOffice], None).may_move_action_of(own));
        assert!(!principal(vec![Role::PanelMember], Some(own)).may_move_action_of(own));
    }

    #[test]
    fn subjects_round_trip_through_the_sub_claim() {
        let user = Subject::User(UserId::generate());
        assert_eq!(Subject::parse(&user.claim()), user);
        assert_eq!(
            Subject::parse("user:not-a-uuid"),
            Subject::Other("user:not-a-uuid".into())
        );
    }

    #[test]
    fn unknown_role_names_are_ignored_and_duplicates_dropped() {
        assert_eq!(
            Role::parse_known(&["force", "superuser", "admin", "force"]),
            vec![Role::Admin, Role::Force]
        );
    }

    #[test]
    fn usernames_are_restricted_to_a_safe_alphabet() {
        assert!(Username::parse("u", "clerk.one@panel").is_ok());
        assert!(Username::parse("u", "ab").is_err());
        assert!(Username::parse("u", "robert'); DROP TABLE users;--").is_err());
    }

    #[test]
    fn passwords_need_twelve_characters_and_never_print() {
        assert!(Password::parse("p", "short").is_err());
        assert!(Password::parse("p", "correct horse \u{FFFE} battery").is_err());
        assert_eq!(
            Password::parse("p", "cafe\u{301} cafe\u{301} cafe\u{301}")
                .unwrap()
                .expose(),
            "caf\u{E9} caf\u{E9} caf\u{E9}"
        );
        let password = Password::parse("p", "correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
