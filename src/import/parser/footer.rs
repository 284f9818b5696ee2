//! Reading the response's footer: who wrote it, in what post, and when.
//!
//! Documents name the author on "Author:", "Position:" and "Date:" lines, but not all
//! of them: some give only a "Contact Officer:" block of name, post and date without
//! labels, and some write "Name, Position" on the author line. This stage takes the
//! labelled lines first and falls back on the others, with a warning each time, and
//! refuses the document only when the value is nowhere.

use chrono::NaiveDate;

use super::dates::{read_date_section, take_date};
use super::labels::Label;
use super::layout::{Layout, Section};
use super::text::excerpt;
use crate::import::date::read_date;
use crate::import::{ParseError, ParseWarning};

/// The response's author, position and date.
pub(super) struct Footer {
    pub(super) author_name: String,
    pub(super) author_position: String,
    pub(super) responded_on: NaiveDate,
}

/// Reads the author, position and date of the response from their labels, falling
/// back (with a warning) on an unlabelled "Contact Officer:" block of name, post and
/// date, and on "Name, Position" written on the author line.
pub(super) fn read_footer(
    layout: &Layout,
    response_at: usize,
    warnings: &mut Vec<ParseWarning>,
) -> Result<Footer, ParseError> {
    let contact: Vec<String> = layout
        .first(Label::ContactOfficer)
        .map(|s| s.values().collect())
        .unwrap_or_default();
    let contact_dates: Vec<&String> = contact.iter().filter(|v| read_date(v).is_ok()).collect();
    let contact_text: Vec<&String> = contact.iter().filter(|v| read_date(v).is_err()).collect();
    // Whether the author, and so possibly the position, came from the contact block.
    let mut contact_used = false;
    let mut author_from_contact = false;

    let responded_on = {
        let bare_dates_after_response = layout.sections[response_at..].iter().filter(|s| s.label == Label::Date);
        let dated = layout
            .first(Label::ResponseDate)
            .into_iter()
            .chain(bare_dates_after_response)
            .collect::<Vec<_>>();
        for ignored in dated.iter().skip(1) {
            warnings.push(ParseWarning::new(
                "responded_on",
                format!(
                    "ignored the later '{}: {}' line; the response's date is taken from \
                     the first",
                    ignored.heading,
                    ignored.value().unwrap_or_default()
                ),
            ));
        }
        if let Some(section) = dated.first() {
            read_date_section(section, "responded_on", warnings)?
        } else if let Some(text) = contact_dates.first() {
            contact_used = true;
            let read = read_date(text).expect("filtered to dates above");
            warnings.push(ParseWarning::new(
                "responded_on",
                format!("no 'Date' line: took '{text}' under 'Contact Officer' as the response's date"),
            ));
            take_date(read, "responded_on", warnings)
        } else {
            return Err(ParseError::MissingField {
                field: "responded_on",
                reason: "no 'Date' line found for the response".to_string(),
            });
        }
    };

    let mut author_name = match layout.first(Label::Author).and_then(Section::value) {
        Some(name) => name,
        None => {
            let name = contact_text.first().ok_or_else(|| ParseError::MissingField {
                field: "author_name",
                reason: "no 'Author' line found for the response".to_string(),
            })?;
            contact_used = true;
            author_from_contact = true;
            warnings.push(ParseWarning::new(
                "author_name",
                format!("no 'Author' line: took the contact officer '{name}' as the author"),
            ));
            name.to_string()
        }
    };

    let author_position = match layout.first(Label::Position).and_then(Section::value) {
        Some(position) => position,
        None => {
            if let Some(position) = contact_text.get(1).filter(|_| author_from_contact) {
                warnings.push(ParseWarning::new(
                    "author_position",
                    format!("no 'Position' line: took '{position}' under 'Contact Officer' as the author's position"),
                ));
                position.to_string()
            } else if let Some((name, position)) = author_name
                .split_once(',')
                .map(|(n, p)| (n.trim().to_string(), p.trim().to_string()))
                .filter(|(n, p)| !n.is_empty() && !p.is_empty())
            {
                warnings.push(ParseWarning::new(
                    "author_position",
                    format!(
                        "no 'Position' line: read '{author_name}' as the name '{name}' and \
                         the position '{position}'"
                    ),
                ));
                author_name = name;
                position
            } else {
                return Err(ParseError::MissingField {
                    field: "author_position",
                    reason: "no 'Position' line found for the response's author".to_string(),
                });
            }
        }
    };

    if !contact_used && !contact.is_empty() {
        warnings.push(ParseWarning::new(
            "document",
            format!(
                "did not import the 'Contact Officer' details ('{}'): the author is taken \
                 from the 'Author' line",
                excerpt(&contact.join(", "))
            ),
        ));
    }
    Ok(Footer {
        author_name,
        author_position,
        responded_on,
    })
}

#[cfg(test)]
mod tests {
    use crate::import::parser::parse_document;
    use crate::import::parser::test_support::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_missing_author_position_or_response_date_is_refused_with_its_field() {
        for (line, field, reason) in [
            (
                "Author: Ralph Butler\n",
                "author_name",
                "no 'Author' line found for the response",
            ),
            (
                "Position: Interim Joint Chief Executive\n",
                "author_position",
                "no 'Position' line found for the response's author",
            ),
            (
                "Date: 9 June 2022\n",
                "responded_on",
                "no 'Date' line found for the response",
            ),
        ] {
            let error = parse_document(&MINIMAL.replace(line, "")).unwrap_err();
            assert_eq!(error.field(), field);
            assert_eq!(error.to_string(), reason);
        }
    }

    #[test]
    fn the_position_is_split_from_the_author_line_when_it_has_none_of_its_own() {
        let doc = parse(&MINIMAL.replace(
            "Author: Ralph Butler\nPosition: Interim Joint Chief Executive\n",
            "Author: Ralph Butler, Interim Joint Chief Executive\n",
        ));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.author_position, "Interim Joint Chief Executive");
        assert!(warning_about(&doc, "author_position").contains("no 'Position' line"));
    }

    #[test]
    fn an_unlabelled_contact_officer_block_supplies_author_position_and_date() {
        let doc = parse(&MINIMAL.replace(
            "Contact Officer:\n\nAuthor: Ralph Butler\nPosition: Interim Joint Chief Executive\n\
             Date: 9 June 2022\n",
            "Contact Officer:\n\nRalph Butler\nInterim Joint Chief Executive\n9 June 2022\n",
        ));
        assert_eq!(doc.author_name, "Ralph Butler");
        assert_eq!(doc.author_position, "Interim Joint Chief Executive");
        assert_eq!(doc.responded_on, ymd(2022, 6, 9));
        assert_eq!(warned_fields(&doc), ["responded_on", "author_name", "author_position"]);
    }
}
