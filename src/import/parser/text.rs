//! Text helpers every stage uses: whitespace collapsed, an excerpt to quote, the plain
//! words of a phrase. They know nothing of lines or labels, so every stage, the label
//! table included, can use them.

/// `text` with each run of whitespace, line breaks included, made one space, and none
/// at either end.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of a long text, to quote in a message.
pub(super) fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// The words of `text`, lowercase, with every character that is not a letter or a
/// digit taken as a space: "[Response to follow]" and "Response to follow." both
/// become "response to follow". For matching placeholders however they are punctuated.
pub(super) fn plain_words(text: &str) -> String {
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    collapse_whitespace(&words)
}
