//! Versions and entity tags: how a client proves it is changing what it read.
//!
//! Every stored resource has a `version` that increases by one on every change. Its
//! entity tag ([`ETag`]) is that version, quoted (`"3"`), or, for a representation that
//! shows more than its stored row, the version and a fingerprint of what is shown
//! (`"3-5f2a9c1e07b4"`). A change may carry `If-Match` ([`IfMatch`]); a read may carry
//! `If-None-Match` ([`IfNoneMatch`]). The HTTP layer reads both from headers; the
//! repositories compare them with the row they locked. Plain values, no I/O.

use serde::Serialize;

use crate::error::ApiError;

/// A strong entity tag, quoted as it goes on the wire (`"3"`, `"3-5f2a9c1e07b4"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ETag(String);

impl ETag {
    /// The tag of a resource at `version`: `"3"`.
    pub fn of_version(version: i32) -> Self {
        Self(format!("\"{version}\""))
    }

    /// The tag of a representation that shows more than its stored row: values derived
    /// from other rows or from the date (a recommendation's `progress`, an action's
    /// `is_overdue`), or parts only some callers see. It is the version and a
    /// fingerprint of the representation (`"3-5f2a9c1e07b4"`), so that `If-None-Match`
    /// never answers 304 for a representation that changed while the version did not.
    /// `If-Match` looks only at the version part: derived values are not the client's to
    /// overwrite, so a change elsewhere must not make its edit stale.
    pub fn of_representation<T: Serialize>(version: i32, body: &T) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(serde_json::to_vec(body).unwrap_or_default());
        Self(format!("\"{version}-{digest:.12x}\""))
    }

    /// The tag of a resource that embeds others (a question with its published
    /// responses): its own version and the sum of theirs, `"3.7"`, or just `"3"` while
    /// it embeds none. The sum only grows (what is embedded is never removed), so any
    /// change to either changes the tag; `If-Match` compares it whole.
    pub fn of_versions(version: i32, embedded: i64) -> Self {
        if embedded == 0 {
            return Self::of_version(version);
        }
        Self(format!("\"{version}.{embedded}\""))
    }

    /// A tag over a body's bytes (a feed), for content that has no version of its own:
    /// the first 10 bytes of its SHA-256, in hex.
    pub fn of_bytes(body: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(body);
        Self(format!("\"{digest:.20x}\""))
    }

    /// The quoted tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ETag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The entity tags of a request's `If-Match`, or none when it sent none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// No condition: the change applies to whatever version is current (the service's
    /// own writes, and callers that send no `If-Match`).
    pub fn none() -> Self {
        Self(None)
    }

    /// The condition `tags` (each as sent, quoted; `*` for any).
    pub fn tags(tags: Vec<String>) -> Self {
        Self((!tags.is_empty()).then_some(tags))
    }

    /// 412 unless `If-Match` is absent, `*`, or names `version` (as the plain tag `"N"`
    /// or a representation tag `"N-…"`, see [`ETag::of_representation`]). Weak tags
    /// never match (RFC 9110 §13.1.1 uses strong comparison).
    pub fn check_version(&self, version: i32) -> Result<(), ApiError> {
        let plain = ETag::of_version(version);
        let representation = format!("\"{version}-");
        self.check_with(|tag| tag == plain.as_str() || tag.starts_with(&representation))
    }

    /// 412 unless `If-Match` is absent, `*`, or names `current` exactly: for a resource
    /// whose tag is not just its version (one that embeds others).
    pub fn check(&self, current: &ETag) -> Result<(), ApiError> {
        self.check_with(|tag| tag == current.as_str())
    }

    fn check_with(&self, matches: impl Fn(&str) -> bool) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(tags) if tags.iter().any(|tag| tag == "*" || matches(tag)) => Ok(()),
            Some(_) => Err(ApiError::PreconditionFailed),
        }
    }
}

/// The entity tags of a request's `If-None-Match`, or none when it sent none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IfNoneMatch(Option<Vec<String>>);

impl IfNoneMatch {
    /// The condition `tags` (each as sent; `*` for any).
    pub fn tags(tags: Vec<String>) -> Self {
        Self((!tags.is_empty()).then_some(tags))
    }

    /// True when the caller's copy is `current` (answer 304). Weak comparison applies
    /// here (RFC 9110 §13.1.2), so `W/"3"` matches `"3"`.
    pub fn is_current(&self, current: &ETag) -> bool {
        self.0.as_ref().is_some_and(|tags| {
            tags.iter()
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == current.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(tags: &[&str]) -> IfMatch {
        IfMatch::tags(tags.iter().map(|t| t.to_string()).collect())
    }

    #[test]
    fn if_match_names_the_version_plainly_or_through_a_representation_tag() {
        assert!(IfMatch::none().check_version(3).is_ok());
        assert!(if_match(&["\"3\""]).check_version(3).is_ok());
        assert!(if_match(&["\"3-5f2a9c1e07b4\""]).check_version(3).is_ok());
        assert!(if_match(&["\"2\"", "*"]).check_version(3).is_ok());
        assert!(if_match(&["\"2\""]).check_version(3).is_err());
        assert!(
            if_match(&["W/\"3\""]).check_version(3).is_err(),
            "weak tags never match"
        );
        assert!(if_match(&["\"33\""]).check_version(3).is_err());
    }

    #[test]
    fn digest_tags_keep_their_published_lengths() {
        // Tags already handed out must still match: the first 6 (representation) and
        // 10 (bytes) bytes of the SHA-256 in lower-case hex, as before.
        assert_eq!(
            ETag::of_representation(3, &serde_json::json!({})).as_str(),
            "\"3-44136fa355b3\""
        );
        assert_eq!(ETag::of_bytes(b"").as_str(), "\"e3b0c44298fc1c149afb\"");
    }

    #[test]
    fn a_tag_over_embedded_resources_is_compared_whole() {
        let current = ETag::of_versions(3, 7);
        assert!(if_match(&["\"3.7\""]).check(&current).is_ok());
        assert!(if_match(&["\"3\""]).check(&current).is_err());
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let current = ETag::of_version(3);
        assert!(IfNoneMatch::tags(vec!["W/\"3\"".into()]).is_current(&current));
        assert!(IfNoneMatch::tags(vec!["*".into()]).is_current(&current));
        assert!(!IfNoneMatch::tags(vec!["\"2\"".into()]).is_current(&current));
        assert!(!IfNoneMatch::default().is_current(&current));
    }

    #[test]
    fn a_representation_tag_matches_if_match_by_its_version_and_if_none_match_whole() {
        let tag = ETag::of_representation(3, &serde_json::json!({"progress": 50}));
        assert!(tag.as_str().starts_with("\"3-") && tag.as_str().ends_with('"'));
        let condition = if_match(&[tag.as_str()]);
        assert!(condition.check_version(3).is_ok());
        assert!(condition.check_version(31).is_err() && condition.check_version(4).is_err());
        let copy = IfNoneMatch::tags(vec![tag.as_str().to_string()]);
        assert!(copy.is_current(&tag));
        assert!(!copy.is_current(&ETag::of_representation(3, &serde_json::json!({"progress": 60}))));
    }
}
