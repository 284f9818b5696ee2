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
    fn length_is_counted_in_characters_not_bytes() {
        assert!(BoundedText::<3>::parse("t", "éé€").is_ok());
        assert!(BoundedText::<3>::parse("t", "éé€x").is_err());
    }
}
