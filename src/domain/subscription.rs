//! Following by e-mail: what a subscription follows, how often it is told, and the
//! checks on the address it is sent to.
//!
//! The tokens of confirmation and unsubscribe links are [`FollowToken`]s: 256 bits from
//! the operating system's CSPRNG, of which only the SHA-256 is stored.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

pub use super::follow::FollowToken as SubscriptionToken;
use crate::error::FieldError;

/// The longest address accepted: RFC 5321's limit on a forward path (254 characters
/// once the angle brackets are taken off).
pub const MAX_EMAIL_LENGTH: usize = 254;
/// The longest local part (before the `@`) RFC 5321 allows.
pub const MAX_LOCAL_PART_LENGTH: usize = 64;

/// What a subscription follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowedKind {
    Question,
    Action,
    Programme,
    Report,
}

impl FollowedKind {
    pub const ALL: [FollowedKind; 4] = [Self::Question, Self::Action, Self::Programme, Self::Report];

    /// As stored in `subscriptions.resource_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Action => "action",
            Self::Programme => "programme",
            Self::Report => "report",
        }
    }

    /// The request field that names one: `question_id`, ….
    pub fn field(self) -> &'static str {
        match self {
            Self::Question => "question_id",
            Self::Action => "action_id",
            Self::Programme => "programme_id",
            Self::Report => "report_id",
        }
    }

    /// The collection in the API's paths: `questions`, ….
    pub fn collection(self) -> &'static str {
        match self {
            Self::Question => "questions",
            Self::Action => "actions",
            Self::Programme => "programmes",
            Self::Report => "reports",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// How often a subscriber is told: each change as it happens, or one digest a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Digest {
    /// A message for each change, as the mail worker reaches it (within seconds).
    #[default]
    Immediate,
    /// One message a day (London date) listing the changes of the days before.
    Daily,
}

impl Digest {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Daily => "daily",
        }
    }
}

/// The address in `text` if it is one mail can be delivered to: a mailbox that lettre's
/// parser accepts (RFC 5322's `addr-spec`) with an unquoted local part and no white
/// space, control or format characters (zero-width and bidirectional marks: an address
/// that looks like another must not count apart from it), at most [`MAX_EMAIL_LENGTH`]
/// characters with a local part of at most [`MAX_LOCAL_PART_LENGTH`], and a domain that is a
/// public host name (at least two labels, letters in its last one): not an address
/// literal, not `localhost`. The domain is kept in lower case. A 422 naming `field`
/// otherwise.
pub fn parse_email(field: &str, text: &str) -> Result<String, FieldError> {
    let invalid = |why: &str| FieldError::new(field, why);
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("must be an e-mail address"));
    }
    if text.chars().count() > MAX_EMAIL_LENGTH {
        return Err(invalid("must be at most 254 characters"));
    }
    if text.chars().any(super::text::is_unseen_in_a_token) {
        return Err(invalid("must not contain spaces or invisible characters"));
    }
    if text.starts_with('"') {
        return Err(invalid("must be an address without quotes, like name@example.org"));
    }
    let address: lettre::Address = text
        .parse()
        .map_err(|_| invalid("must be an e-mail address, like name@example.org"))?;
    if address.user().len() > MAX_LOCAL_PART_LENGTH {
        return Err(invalid("must have at most 64 characters before the @"));
    }
    let domain = address.domain().to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let public_host = !domain.starts_with('[')
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().any(|c| c.is_ascii_alphabetic()));
    if !public_host {
        return Err(invalid(
            "must be an address at a public mail domain, like name@example.org",
        ));
    }
    Ok(format!("{}@{domain}", address.user()))
}

/// The key an address is counted and compared under: the SHA-256 of it in lower case,
/// in hex. Never the address itself.
pub fn email_hash(email: &str) -> String {
    format!("{:x}", Sha256::digest(email.to_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliverable_addresses_are_accepted_with_the_domain_in_lower_case() {
        assert_eq!(
            parse_email("email", " Ann.Other+panel@Example.ORG ").unwrap(),
            "Ann.Other+panel@example.org"
        );
        assert_eq!(
            parse_email("email", "a@mail.example.co.uk").unwrap(),
            "a@mail.example.co.uk"
        );
    }

    #[test]
    fn undeliverable_looking_addresses_are_refused() {
        let long_local = format!("{}@example.org", "a".repeat(65));
        let long = format!("a@{}.example.org", "b".repeat(250));
        for text in [
            "",
            "plainaddress",
            "@example.org",
            "a@",
            "a@@example.org",
            "a b@example.org",
            "a@localhost",
            "a@[127.0.0.1]",
            "a@127.0.0.1",
            "a@example",
            "a@-example.org",
            "a@example..org",
            "\"Ann\" <ann@example.org>",
            "ann@example.org\r\nBcc: b@example.org",
            "ann\u{200B}@example.org",
            "ann@exam\u{200D}ple.org",
            "\u{FEFF}ann@example.org",
            "\u{2066}ann@example.org\u{2069}",
            "\"ann\"@example.org",
            "\"ann other\"@example.org",
            long_local.as_str(),
            long.as_str(),
        ] {
            assert!(parse_email("email", text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_hash_ignores_case_and_hides_the_address() {
        assert_eq!(email_hash("Ann@Example.org"), email_hash("ann@example.org"));
        assert!(!email_hash("ann@example.org").contains("ann"));
        assert_eq!(email_hash("a@b.org").len(), 64);
    }
}
