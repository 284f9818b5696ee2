//! The text of a minutes document as the reader walks it: numbered lines grouped into
//! paragraphs, paragraphs cut into sentences, and the small word tests every cue uses.

/// One paragraph of the document: its text on one line (whitespace collapsed), the
/// first and last source lines it came from (1-based), and the minute number it was
/// published under ("9.1"), taken off its text.
#[derive(Debug, Clone)]
pub(super) struct Para {
    pub text: String,
    pub first: usize,
    pub last: usize,
    pub number: Option<String>,
}

/// A line's text without markdown emphasis at its ends or heading markers.
fn clean_line(raw: &str) -> String {
    let line = raw.trim_start_matches('\u{feff}').trim();
    let line = line.trim_start_matches('#').trim_start();
    line.trim_matches(|c| c == '*' || c == '_').trim().to_string()
}

/// Whether a line starts a paragraph of its own even without a blank line before it: a
/// minute number ("9.3", "14.4"), a list item ("(a)", "1.", "i)"), or a
/// heading (`is_heading`: "Question by / Response by").
fn starts_paragraph(line: &str, is_heading: &impl Fn(&str) -> bool) -> bool {
    let first = line.split_whitespace().next().unwrap_or_default();
    minute_number(first).is_some() || is_list_marker(first) || is_heading(line)
}

/// The minute number a paragraph starts with: digits with at least one inner dot
/// ("9.1", "14.3.", "(9.1)"), never a bare "1." (a sub-question's number).
pub(super) fn minute_number(token: &str) -> Option<String> {
    let inner = token.trim_start_matches('(').trim_end_matches([')', '.', ':']);
    let parts: Vec<&str> = inner.split('.').collect();
    (parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())))
    .then(|| inner.to_string())
}

/// A list marker: "(a)", "a)", "1.", "1)", "(i)", "ii.", "•", "-".
pub(super) fn is_list_marker(token: &str) -> bool {
    if matches!(token, "•" | "-" | "–" | "·") {
        return true;
    }
    let opened = token.starts_with('(');
    let inner = token.trim_start_matches('(');
    let Some(inner) = inner.strip_suffix([')', '.']) else {
        return false;
    };
    let numeric = !inner.is_empty() && inner.len() <= 2 && inner.bytes().all(|b| b.is_ascii_digit());
    let letter = inner.len() == 1 && inner.bytes().all(|b| b.is_ascii_lowercase());
    let roman = !inner.is_empty() && inner.len() <= 4 && inner.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'));
    numeric || ((letter || roman) && (opened || token.ends_with(')') || inner.len() == 1 || roman))
}

/// The document's paragraphs, in order, with their source lines. `is_heading` tells a
/// heading line ("Question by Ms X"), which is a paragraph of its own.
pub(super) fn paragraphs(text: &str, is_heading: impl Fn(&str) -> bool) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::new();
    let mut current: Option<Para> = None;
    let mut previous_was_heading = false;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = clean_line(raw);
        if line.is_empty()
            || line
                .chars()
                .all(|c| matches!(c, '-' | '=' | '_' | '*' | '~' | '–' | '—'))
        {
            out.extend(current.take());
            previous_was_heading = false;
            continue;
        }
        let heading = is_heading(&line);
        if current.is_some() && (starts_paragraph(&line, &is_heading) || previous_was_heading) {
            out.extend(current.take());
        }
        previous_was_heading = heading;
        match current.as_mut() {
            Some(para) => {
                para.text.push(' ');
                para.text.push_str(&line);
                para.last = number;
            }
            None => {
                current = Some(Para {
                    text: line,
                    first: number,
                    last: number,
                    number: None,
                })
            }
        }
    }
    out.extend(current);
    for para in &mut out {
        para.text = collapse(&para.text);
        let first = para.text.split_whitespace().next().unwrap_or_default().to_string();
        if let Some(number) = minute_number(&first) {
            para.text = para.text[first.len()..].trim_start().to_string();
            para.number = Some(number);
        }
    }
    out.retain(|p| !p.text.is_empty());
    out
}

/// Whitespace runs made single spaces, trimmed.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const OPENING_QUOTES: [char; 4] = ['"', '“', '‘', '\''];
const CLOSING_QUOTES: [char; 4] = ['"', '”', '’', '\''];

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 12] = [
    "mr", "mrs", "ms", "dr", "cllr", "st", "no", "prof", "rev", "revd", "approx", "etc",
];

/// `text` cut into sentences: after `.`, `?` or `!` (and any closing quote) followed by a
/// space and a capital, a digit or an opening quote, but never inside double quotes, and
/// not after an abbreviation such as "Mr." or an initial.
pub(super) fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '“' {
            in_quote = true;
        } else if c == '”' || (c == '"' && in_quote) {
            in_quote = false;
            // A quotation that ends a sentence ends it: `asked: "Why?" The Chair …`.
            let ended = i > 0 && matches!(chars[i - 1], '.' | '?' | '!');
            let spaced = chars.get(i + 1).is_some_and(|c| c.is_whitespace());
            let next = chars.get(i + 2).copied();
            if ended && spaced && next.is_some_and(|n| n.is_uppercase() || OPENING_QUOTES.contains(&n)) {
                let sentence: String = chars[start..=i].iter().collect();
                out.push(sentence.trim().to_string());
                start = i + 1;
            }
            i += 1;
            continue;
        } else if c == '"' {
            in_quote = true;
        }
        if matches!(c, '.' | '?' | '!') && !in_quote {
            let mut end = i + 1;
            while end < chars.len() && CLOSING_QUOTES.contains(&chars[end]) && chars[end] != '\'' {
                end += 1;
            }
            let next = chars.get(end + 1).copied();
            let spaced = chars.get(end).is_some_and(|c| c.is_whitespace());
            let word_before: String = chars[start..i]
                .iter()
                .rev()
                .take_while(|c| c.is_alphanumeric())
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
                .to_lowercase();
            let abbreviation = c == '.'
                && (ABBREVIATIONS.contains(&word_before.as_str())
                    || (word_before.chars().count() == 1 && word_before.chars().all(char::is_alphabetic)));
            let starts_sentence =
                next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || OPENING_QUOTES.contains(&n) || n == '(');
            if spaced && starts_sentence && !abbreviation {
                let sentence: String = chars[start..end].iter().collect();
                out.push(sentence.trim().to_string());
                start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    let rest: String = chars[start..].iter().collect();
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_string());
    }
    out
}

/// Whether `hay` (lowercase) holds `needle` (lowercase) as whole words.
pub(super) fn has(hay: &str, needle: &str) -> bool {
    find_word(hay, needle).is_some()
}

/// Where `needle` first occurs in `hay` as whole words (a byte offset).
pub(super) fn find_word(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = hay[from..].find(needle) {
        let at = from + found;
        let end = at + needle.len();
        let before_ok = hay[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after_ok = hay[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Whether `hay` holds any of `needles` as whole words.
pub(super) fn any(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| has(hay, n))
}

/// The first of `needles` found in `hay`, if any.
pub(super) fn which<'a>(hay: &str, needles: &[&'a str]) -> Option<&'a str> {
    needles.iter().copied().find(|n| has(hay, n))
}

/// `text` with its first letter made a capital.
pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` without one pair of quotation marks around it, and without a list's
/// punctuation at its start (":-", "-", ":").
pub(super) fn unquote(text: &str) -> String {
    let text = text.trim().trim_start_matches([':', '-', '–', ',']).trim();
    let opened = text.strip_prefix(|c: char| c == '"' || c == '“' || c == '‘' || c == '\'');
    let text = opened.unwrap_or(text);
    let closed = text.strip_suffix(|c: char| c == '"' || c == '”' || c == '’' || c == '\'');
    closed.unwrap_or(text).trim().to_string()
}

/// A number written as a word or in digits ("three", "20").
pub(super) fn number_word(word: &str) -> Option<u32> {
    const WORDS: [&str; 31] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "twenty-one",
        "twenty-two",
        "twenty-three",
        "twenty-four",
        "twenty-five",
        "twenty-six",
        "twenty-seven",
        "twenty-eight",
        "twenty-nine",
        "thirty",
    ];
    let word = word
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
        .to_lowercase();
    if let Ok(n) = word.parse::<u32>() {
        return (n <= 365).then_some(n);
    }
    WORDS.iter().position(|w| *w == word).map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_end_at_stops_but_not_inside_quotes_or_after_titles() {
        assert_eq!(
            sentences("Mr. J. Smith asked why. The Commissioner replied that it was so."),
            ["Mr. J. Smith asked why.", "The Commissioner replied that it was so."]
        );
        assert_eq!(
            sentences("She asked: \"Why? Who decided?\" The Chair replied."),
            ["She asked: \"Why? Who decided?\"", "The Chair replied."]
        );
        assert_eq!(sentences("It was 8.4 per cent. Yes."), ["It was 8.4 per cent.", "Yes."]);
    }

    #[test]
    fn minute_numbers_are_dotted_and_list_markers_are_not_minute_numbers() {
        assert_eq!(minute_number("9.1").as_deref(), Some("9.1"));
        assert_eq!(minute_number("(14.3)").as_deref(), Some("14.3"));
        assert_eq!(minute_number("1."), None);
        assert_eq!(minute_number("8.4%"), None);
        for marker in ["(a)", "b)", "1.", "2)", "(ii)", "iv.", "•"] {
            assert!(is_list_marker(marker), "{marker}");
        }
        for word in ["A", "Mr", "2022.", "word)"] {
            assert!(!is_list_marker(word), "{word}");
        }
    }

    #[test]
    fn paragraphs_keep_their_lines_and_split_at_minute_numbers() {
        let paras = paragraphs("Heading\n\n9.1  One\nline two\n9.2 Next\n\n\n(a) sub\n(b) sub", |_| {
            false
        });
        let shape: Vec<_> = paras
            .iter()
            .map(|p| (p.text.as_str(), p.first, p.last, p.number.as_deref()))
            .collect();
        assert_eq!(
            shape,
            [
                ("Heading", 1, 1, None),
                ("One line two", 3, 4, Some("9.1")),
                ("Next", 5, 5, Some("9.2")),
                ("(a) sub", 8, 8, None),
                ("(b) sub", 9, 9, None),
            ]
        );
    }

    #[test]
    fn words_are_matched_whole() {
        assert!(has("the council said", "council"));
        assert!(!has("the councillor said", "council"));
        assert_eq!(number_word("Twenty"), Some(20));
        assert_eq!(number_word("28"), Some(28));
    }
}
