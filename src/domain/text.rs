//! Validated text. PostgreSQL cannot store NUL in `text`, an XML reader (the Atom feed's)
//! stops at a noncharacter such as U+FFFF, and a title of a megabyte or of nothing but
//! spaces is never what a person meant: all are rejected here, as a 422 naming the
//! field, before anything reaches the database.
//!
//! One rule says which characters text may hold ([`is_allowed_char`]); [`clean`]
//! applies it and normalises to NFC, so that "Môn" typed precomposed and "Môn" typed
//! with a combining circumflex are stored, searched and compared as one text. Every
//! way text comes in uses it: the text types here, the JSON and query-string readers
//! (`crate::http`), the token endpoint's form and the importer.

use std::borrow::Cow;

use icu_casemap::CaseMapper;
use icu_normalizer::{ComposingNormalizer, DecomposingNormalizer};

use super::FieldResult;
use crate::error::FieldError;

/// Whether `c` may appear in text the service stores or searches for: the XML 1.0 `Char`
/// production (tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD,
/// U+10000–U+10FFFF) less the other control characters (U+007F–U+009F) and the Unicode
/// noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE,
/// U+FFFF, U+1FFFE … U+10FFFF), which are never meant as text.
pub fn is_allowed_char(c: char) -> bool {
    let code = u32::from(c);
    match c {
        '\t' | '\n' | '\r' => true,
        _ if c.is_control() => false,
        _ => !(0xFDD0..=0xFDEF).contains(&code) && code & 0xFFFE != 0xFFFE,
    }
}

/// Whether `c` is unseen or blank where a single token is expected (an e-mail
/// address): white space, a control character, or a Unicode format character (general
/// category Cf: zero-width spaces and joiners, bidirectional marks and overrides, the
/// soft hyphen, the byte-order mark). Two addresses that differ only by one look the
/// same to a person and are different to a mail server.
pub fn is_unseen_in_a_token(c: char) -> bool {
    use icu_properties::props::GeneralCategory;
    c.is_whitespace()
        || c.is_control()
        || icu_properties::CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Format
}

/// Why `text` cannot be taken, in words for a 422 about its field (`must not contain …`),
/// or `None` when every character is allowed ([`is_allowed_char`]).
pub fn refusal(text: &str) -> Option<String> {
    let bad = text.chars().find(|c| !is_allowed_char(*c))?;
    Some(match bad {
        '\0' => "must not contain NUL characters".to_string(),
        c if c.is_control() => "must not contain control characters".to_string(),
        c => format!(
            "must not contain U+{:04X}, a Unicode noncharacter (text may hold only characters XML can carry)",
            u32::from(c)
        ),
    })
}

/// `text` in Unicode Normalization Form C (borrowed when it already is).
pub fn nfc(text: &str) -> Cow<'_, str> {
    ComposingNormalizer::new_nfc().normalize(text)
}

/// `text` checked against [`is_allowed_char`] and normalised to NFC: the one rule for
/// text that comes in, as a 422 naming `field`. Nothing is trimmed.
pub fn clean(field: &str, text: &str) -> FieldResult<String> {
    match refusal(text) {
        Some(message) => Err(FieldError::new(field, message)),
        None => Ok(nfc(text).into_owned()),
    }
}

/// The key under which names are unique ignoring letter case: Unicode's canonical
/// caseless match (D145: NFD, full case folding, NFD again), kept in NFC. "Straße" and
/// "STRASSE", "Ŵ" and "ŵ", "Môn" precomposed and decomposed each have one key.
pub fn caseless_key(name: &str) -> String {
    let decomposed = DecomposingNormalizer::new_nfd().normalize(name);
    let folded = CaseMapper::new().fold_string(&decomposed);
    ComposingNormalizer::new_nfc().normalize(&folded).into_owned()
}

/// Text of at least one visible character and at most `MAX` characters (counted after
/// normalising), with only the characters [`is_allowed_char`] allows: no NUL, no control
/// characters other than tab, line feed and carriage return, no noncharacters. Leading
/// and trailing whitespace is removed and the rest normalised to NFC ([`clean`]);
/// inner text is otherwise kept as given.
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
        let cleaned = clean(field, value.as_ref())?;
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
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
/// `javascript:` or `file:` URL, or one carrying a password, is refused. Kept as given
/// (after trimming and NFC, as all text), so a client reads back what it sent.
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
    fn the_one_rule_is_xml_chars_without_controls_or_noncharacters() {
        for good in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FEFF}',
            '\u{FFFD}',
            '\u{10000}',
            '😀',
            '\u{10FFFD}',
        ] {
            assert!(is_allowed_char(good), "{good:?}");
        }
        for bad in [
            '\0',
            '\u{1}',
            '\u{1F}',
            '\u{7F}',
            '\u{85}',
            '\u{9F}',
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{1FFFE}',
            '\u{1FFFF}',
            '\u{AFFFF}',
            '\u{10FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(!is_allowed_char(bad), "{bad:?}");
        }
        assert!(is_allowed_char('\u{FDCF}') && is_allowed_char('\u{FDF0}'));
    }

    #[test]
    fn noncharacters_are_refused_naming_the_field_and_the_character() {
        for text in ["a\u{FFFF}b", "\u{FFFE}", "x\u{FDD0}", "\u{10FFFF}"] {
            let error = Title::parse("title", text).unwrap_err();
            assert_eq!(error.field, "title");
            assert!(error.message.contains("noncharacter"), "{}", error.message);
        }
        assert!(Body::parse("body", "a\u{FFFF}").unwrap_err().message.contains("U+FFFF"));
        assert!(HttpUrl::parse("url", "https://example.org/\u{FFFE}").is_err());
        assert!(Reference::parse("reference", "R\u{FDEF}").is_err());
    }

    #[test]
    fn text_is_normalised_to_nfc() {
        let decomposed = "Ynys Mo\u{302}n";
        let precomposed = "Ynys M\u{F4}n";
        assert_eq!(Name::parse("name", decomposed).unwrap().as_str(), precomposed);
        assert_eq!(Name::parse("name", precomposed).unwrap().as_str(), precomposed);
        assert_eq!(clean("q", "Mo\u{302}n").unwrap(), "M\u{F4}n");
        // Singletons too: the Ohm sign is the Greek capital omega.
        assert_eq!(clean("q", "\u{2126}").unwrap(), "\u{3A9}");
    }

    #[test]
    fn length_is_checked_after_normalising() {
        // Five characters decomposed, three once composed.
        assert!(BoundedText::<3>::parse("t", "e\u{301}e\u{301}e").is_ok());
        assert!(BoundedText::<3>::parse("t", "e\u{301}e\u{301}ee").is_err());
    }

    #[test]
    fn caseless_keys_fold_case_fully_and_ignore_composition() {
        assert_eq!(caseless_key("Ynys Mo\u{302}n"), caseless_key("YNYS M\u{D4}N"));
        assert_eq!(caseless_key("Gwasanaeth \u{175}"), caseless_key("GWASANAETH \u{174}"));
        assert_eq!(caseless_key("Stra\u{DF}e"), caseless_key("STRASSE"));
        assert_eq!(
            caseless_key("\u{39F}\u{394}\u{39F}\u{3A3}"),
            caseless_key("\u{3BF}\u{3B4}\u{3BF}\u{3C2}")
        );
        // Composed characters whose folding differs from their parts' (D145's first NFD).
        assert_eq!(caseless_key("\u{1F80}"), caseless_key("\u{1F00}\u{345}"));
        assert_ne!(caseless_key("Panel A"), caseless_key("Panel B"));
        assert_eq!(caseless_key("Panel"), "panel");
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(BoundedText::<3>::parse("t", "éé€").is_ok());
        assert!(BoundedText::<3>::parse("t", "éé€x").is_err());
    }
}
