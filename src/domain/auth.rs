//! Who may do what: roles, users and API clients.

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
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let length = value.chars().count();
        if !(12..=256).contains(&length) {
            return Err(FieldError::new(field, "must be 12 to 256 characters"));
        }
        if value.contains('\0') {
            return Err(FieldError::new(field, "must not contain NUL characters"));
        }
        Ok(Self(value.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let password = Password::parse("p", "correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
