//! Private follow links: the token that lets whoever holds it follow one question.
//!
//! A token is 32 bytes from the operating system's CSPRNG (256 bits, well over the 128
//! an unguessable link needs), written in base64url without padding (43 characters),
//! so it sits in a URL path unescaped. Only its SHA-256 ([`FollowToken::hash`]) is
//! stored; the token itself is shown once, to whoever asked or to the secretariat that
//! replaced the link.

use base64::Engine;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// The length of a token's text.
pub const TOKEN_LENGTH: usize = 43;

/// A follow token, well-formed (not necessarily one that was ever issued).
#[derive(Clone, PartialEq, Eq)]
pub struct FollowToken(String);

impl std::fmt::Debug for FollowToken {
    // Never in a log, even by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FollowToken(..)")
    }
}

impl FollowToken {
    /// A new random token.
    pub fn generate() -> anyhow::Result<Self> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
        Ok(Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The token in `text`, if it could be one: 43 base64url characters that decode to
    /// 32 bytes. Anything else is no token at all (and a caller gets the same 404 as
    /// for a token never issued).
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != TOKEN_LENGTH {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
        (bytes.len() == 32).then(|| Self(text.to_string()))
    }

    /// The token's text, for the one answer that shows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the token's text, in lower-case hex.
    pub fn hash(&self) -> String {
        format!("{:x}", Sha256::digest(self.0.as_bytes()))
    }
}

/// The path of a follow link, under the API's root.
pub fn follow_path(token: &FollowToken) -> String {
    format!("/api/v1/follow/{}", token.as_str())
}

/// `path` with any follow token in it replaced by `{token}`: for access logs and
/// anything else that records paths.
pub fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    const PREFIX: &str = "/api/v1/follow/";
    match path.strip_prefix(PREFIX) {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |at| &rest[at..]);
            format!("{PREFIX}{{token}}{tail}").into()
        }
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_43_url_safe_characters_and_differ() {
        let (a, b) = (FollowToken::generate().unwrap(), FollowToken::generate().unwrap());
        assert_eq!(a.as_str().len(), TOKEN_LENGTH);
        assert!(a
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
        assert_eq!(FollowToken::parse(a.as_str()), Some(a));
    }

    #[test]
    fn malformed_tokens_are_no_tokens() {
        for text in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", "A".repeat(42)),
            &"+".repeat(43),
        ] {
            assert_eq!(FollowToken::parse(text), None, "{text}");
        }
    }

    #[test]
    fn the_hash_is_hex_sha256_and_not_the_token() {
        let token = FollowToken::generate().unwrap();
        let hash = token.hash();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(token.as_str()));
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn paths_lose_their_tokens() {
        assert_eq!(redact_path("/api/v1/follow/abc"), "/api/v1/follow/{token}");
        assert_eq!(
            redact_path("/api/v1/follow/abc/withdraw"),
            "/api/v1/follow/{token}/withdraw"
        );
        assert_eq!(redact_path("/api/v1/questions"), "/api/v1/questions");
    }
}
