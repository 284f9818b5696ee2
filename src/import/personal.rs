//! Personal data in imported text: what looks like an e-mail address, a UK telephone
//! number or a full UK postcode, found so that the import report can warn before it is
//! published.
//!
//! Everything an import stores as a question, a response or an action is public, while
//! the archives it reads (minutes, Q&A pages, improvement plans) were written for a
//! meeting, not for a database, and sometimes carry a resident's e-mail address or
//! telephone number in the text itself. The importer never rewrites what it reads, so
//! it says what it found, where, and that it will be published as written: the
//! secretariat removes it from the document (or edits the record) before importing for
//! real. The warning names what kind of detail it found, never the detail itself, so
//! the report carries no more personal data than the document did.
//!
//! The patterns are deliberately plain and err towards warning. Text is first folded to
//! NFKC, so full-width and other compatibility forms (`＠`, `０１７８５`) read as their
//! plain letters and digits. Then:
//! - an e-mail address is `local@domain.tld`, also written the ways people hide one from
//!   harvesters: spaces around the `@`, `(at)`/`[at]`/`{at}` for it and `(dot)`/` dot `
//!   for the dots (`jo (at) example (dot) org`), or `jo at example dot org`;
//! - a telephone number is `0`, `+44` or `0044` followed by nine or ten more digits,
//!   with spaces, hyphens or brackets between them (`01785 232385`,
//!   `+44 (0)1785 232385`, `0044 7700 900123`, `07700-900123`);
//! - a postcode is the full UK form in either case (`ST16 2DH`, `st16 2dh`), with a
//!   first letter a postcode area can have; an outward code alone, `ST16`, names an
//!   area, not a home.

use std::sync::LazyLock;

use regex::Regex;

/// The kinds of personal detail looked for, each with the pattern that finds it.
static PATTERNS: LazyLock<[(&str, Regex); 3]> = LazyLock::new(|| {
    let compile = |pattern: &str| Regex::new(pattern).expect("a valid pattern");
    // An `@`, plainly or spelt out; a dot, plainly or spelt out (bracketed, or as a word).
    let at = r"(?:\s*@\s*|\s*[(\[{]\s*at\s*[)\]}]\s*)";
    let dot = r"(?:\.|\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+)";
    let label = r"[A-Za-z0-9\-]+";
    let email = format!(
        r"(?i)[a-z0-9._%+\-]+{at}{label}(?:{dot}{label})*{dot}[a-z]{{2,}}\b|\b[a-z0-9._%+\-]+\s+at\s+{label}(?:\s+dot\s+{label})+\b"
    );
    [
        ("an e-mail address", compile(&email)),
        (
            "a telephone number",
            compile(r"(?:^|[^\d/.])(?:(?:\+|00)44[\s\-]?(?:\(0\)[\s\-]?)?|\(?0)\d(?:[\s\-\)]{0,2}\d){8,9}(?:$|\D)"),
        ),
        (
            "a postcode",
            compile(r"(?i)\b(?:[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b"),
        ),
    ]
});

/// The kinds of personal detail `text` appears to hold ("an e-mail address", "a
/// telephone number", "a postcode"), each once, in that order; empty when none.
pub fn spotted(text: &str) -> Vec<&'static str> {
    let folded = icu_normalizer::ComposingNormalizer::new_nfkc().normalize(text);
    PATTERNS
        .iter()
        .filter(|(_, pattern)| pattern.is_match(&folded))
        .map(|(kind, _)| *kind)
        .collect()
}

/// The warning for `text` stored as `what` ("the question", "the response"), or none
/// when it holds nothing that looks personal.
pub fn warning(what: &str, text: &str) -> Option<String> {
    let found = spotted(text);
    let kinds = match found.as_slice() {
        [] => return None,
        [one] => (*one).to_string(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    };
    Some(format!(
        "{what} appears to hold {kinds}, which will be published as written: remove personal data from the \
         document (or edit the record) unless it is meant to be public"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind_in_the_ways_people_write_them() {
        for (text, kind) in [
            (
                "Please reply to jo.bloggs+panel@example.org.uk today",
                "an e-mail address",
            ),
            ("call me on 01785 232385", "a telephone number"),
            ("call me on 01785232385.", "a telephone number"),
            ("mobile 07700-900123", "a telephone number"),
            ("ring +44 (0)1785 232385", "a telephone number"),
            ("ring +447700900123", "a telephone number"),
            ("ring (01785) 232385", "a telephone number"),
            ("I live at 2 High Street, Stafford ST16 2DH", "a postcode"),
            ("postcode ST162DH", "a postcode"),
            ("London SW1A 1AA", "a postcode"),
            // The same kinds, written other ways.
            ("write to jane @ example.com", "an e-mail address"),
            ("write to jane(at)example.com", "an e-mail address"),
            ("write to jane [at] example [dot] co [dot] uk", "an e-mail address"),
            ("write to jane at example dot com", "an e-mail address"),
            ("write to JANE@EXAMPLE.COM", "an e-mail address"),
            ("write to jane＠example.com", "an e-mail address"),
            ("ring 0044 1785 232385", "a telephone number"),
            ("ring ０１７８５ ２３２３８５", "a telephone number"),
            ("I live in st16 2dh", "a postcode"),
            ("I live in St16 2Dh", "a postcode"),
        ] {
            assert_eq!(spotted(text), [kind], "{text}");
        }
    }

    #[test]
    fn leaves_alone_what_only_looks_alike() {
        for text in [
            "The force answered 1,234 calls in 2022/23 and 212 of 214 call handlers were trained.",
            "Target date 01/06/2022; budget £1,500,000; 0.6 complete",
            "Crime reference 20230101123 is not a telephone number",
            "Recommendations R1; R9 and paragraph 3.2.1",
            "the ST16 area of Stafford",
            "send to the panel @ the usual address",
            "Question 10 to 19 were taken together",
            "we met at nine and the report is at annex b",
            "Q1 2nd quarter figures; 3 of 4 done",
            "version 2.0 at launch. dot points follow",
        ] {
            assert!(spotted(text).is_empty(), "{text}: {:?}", spotted(text));
        }
    }

    #[test]
    fn the_warning_names_the_kinds_never_the_detail() {
        let text = "Contact me at a@example.org or 01785 232385";
        let said = warning("the question", text).unwrap();
        assert!(said.starts_with("the question appears to hold an e-mail address and a telephone number"));
        assert!(!said.contains("example.org") && !said.contains("232385"));
        assert_eq!(warning("the question", "Why are response times rising?"), None);
    }
}
