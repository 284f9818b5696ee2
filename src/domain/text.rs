//! Validated text. PostgreSQL cannot store NUL in `text`, and a title of a megabyte or
//! of nothing but spaces is never what a person meant: all three are rejected here, as
//! a 422 naming the field, before anything reaches the database.

use super::FieldResult;
use crate::error::FieldError;

/// Text of at least one visible character and at most `MAX` characters, with no NUL
/// and no control characters other than tab, line feed and carriage return. Leading
/// and trailing whitespace is removed; inner text is kept exactly as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText<const MAX: usize>(String);

/// A name of a person, post or organisation.
pub type Name = BoundedText<200>;
/// A title of a question, report or action.
pub type Title = BoundedText<300>;
/// The body of a question, response or update.
pub type Body = BoundedText<20_000>;

/// The most characters a URL may have.
pub const MAX_URL_CHARS: usize = 2000;

impl<const MAX: usize> BoundedText<MAX> {
    /// Parses `value` as the field named `field`.
    pub fn parse(field: &str, value: impl AsRef<str>) -> FieldResult<Self> {
        let trimmed = value.as_ref().trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if trimmed.contains('\0') {
            return Err(FieldError::new(field, "must not contain NUL characters"));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(FieldError::new(field, "must not contain control characters"));
        }
        let length = trimmed.chars().count();
        if length > MAX {
            return Err(FieldError::new(
                field,
                format!("must be at most {MAX} characters (it is {length})"),
            ));
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A human reference (`R1`, `CPIP-07`): 1 to 50 characters on one line. References are
/// quoted in minutes and correspondence, so a line break or tab in one is never meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(String);

impl Reference {
    pub const MAX: usize = 50;

    pub fn parse(field: &str, value: impl AsRef<str>) -> FieldResult<Self> {
        let text = BoundedText::<{ Self::MAX }>::parse(field, value)?;
        if text.as_str().contains(['\n', '\r', '\t']) {
            return Err(FieldError::new(field, "must be on one line, without tabs"));
        }
        Ok(Self(text.into_inner()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `http` or `https` URL of at most [`MAX_URL_CHARS`] characters, with a
/// host and without credentials: it is shown to the public as a link, so a
/// `javascript:` or `file:` URL, or one carrying a password, is refused. Kept exactly
/// as given (after trimming), so a client reads back what it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(field: &str, value: impl AsRef<str>) -> FieldResult<Self> {
        let text = BoundedText::<MAX_URL_CHARS>::parse(field, value)?.into_inner();
        if text.chars().any(char::is_whitespace) {
            return Err(FieldError::new(field, "must not contain spaces"));
        }
        let invalid = || FieldError::new(field, "must be an absolute http or https URL");
        let url = url::Url::parse(&text).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(invalid());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new(field, "must not contain a user name or password"));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_whitespace_is_trimmed_and_inner_text_kept() {
        assert_eq!(Title::parse("t", "  A  b\n c ").unwrap().as_str(), "A  b\n c");
    }

    #[test]
    fn empty_and_blank_text_is_rejected() {
        assert_eq!(Name::parse("name", "").unwrap_err().message, "must not be empty");
        assert_eq!(Name::parse("name", " \n\t ").unwrap_err().field, "name");
    }

    #[test]
    fn nul_and_control_characters_are_rejected() {
        assert!(Body::parse("body", "a\0b").unwrap_err().message.contains("NUL"));
        assert!(Body::parse("body", "a\u{7}b").is_err());
    }

    #[test]
    fn references_are_short_and_on_one_line() {
        assert_eq!(Reference::parse("reference", " R1 ").unwrap().as_str(), "R1");
        assert!(Reference::parse("reference", "R\n1").is_err());
        assert!(Reference::parse("reference", "x".repeat(51)).is_err());
    }

    #[test]
    fn only_absolute_http_and_https_urls_without_credentials_are_links() {
        for good in [
            "https://www.justiceinspectorates.gov.uk/hmicfrs/",
            "http://example.org/a?b=c",
        ] {
            assert_eq!(HttpUrl::parse("url", good).unwrap().as_str(), good);
        }
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "ftp://example.org/",
            "example.org/report.pdf",
            "https://",
            "https://user:secret@example.org/",
            "https://example.org/a b",
            "https://example.org/\0",
        ] {
            assert!(HttpUrl::parse("url", bad).is_err(), "{bad}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_CHARS));
        assert!(HttpUrl::parse("url", long)
            .unwrap_err()
            .message
            .contains("at most 2000"));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(BoundedText::<3>::parse("t", "éé€").is_ok());
        assert!(BoundedText::<3>::parse("t", "éé€x").is_err());
    }
}
