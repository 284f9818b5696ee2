//! A council's ModernGov: the client for its web service (`mgWebService.asmx`) and the
//! parser for what `GetMeetings` answers.
//!
//! `GET <site>/mgWebService.asmx/GetMeetings?lCommitteeId=N&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy`
//! answers XML shaped like this (element names in lower case; installs differ in which
//! other elements they add, which are ignored):
//!
//! ```xml
//! <getmeetings>
//!   <committee>
//!     <committeeid>123</committeeid>
//!     <committeetitle>Police, Fire &amp;amp; Crime Panel</committeetitle>
//!     <meetings>
//!       <meeting>
//!         <meetingid>4567</meetingid>
//!         <meetingdate>16/06/2022</meetingdate>
//!         <meetingtime>10:00</meetingtime>
//!         <meetingstatus>Confirmed</meetingstatus>
//!         <meetinglocation>Council Chamber</meetinglocation>
//!       </meeting>
//!     </meetings>
//!   </committee>
//! </getmeetings>
//! ```
//!
//! Text is encoded twice (`&amp;amp;` for `&`): after the XML's own decoding, what
//! still reads as an entity is decoded once more. A cancelled meeting has the status
//! `Cancelled`, or (on older installs) a title or status that says "CANCELLED".

use std::time::Duration;

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::Reader;

/// One meeting from `GetMeetings`, as ModernGov gives it (not yet checked against the
/// meetings model: see [`crate::repo::meetings::sync_moderngov`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgMeeting {
    /// ModernGov's meeting id (`meetingid`); none when missing or not a number.
    pub id: Option<i64>,
    /// The text of `meetingid`, for reports about a meeting without a usable id.
    pub raw_id: String,
    /// The day (`meetingdate`, `dd/mm/yyyy` or `yyyy-mm-dd`, possibly with a time).
    pub date: Result<NaiveDate, String>,
    /// The committee's title, or the meeting's own title where it has one.
    pub title: String,
    /// Whether ModernGov marks it as cancelled.
    pub cancelled: bool,
}

/// Why a `GetMeetings` answer could not be used: nothing is written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MgError {
    #[error("ModernGov did not answer within {0} seconds")]
    Timeout(u64),
    #[error("could not reach ModernGov: {0}")]
    Unreachable(String),
    #[error("ModernGov answered HTTP {0}")]
    Status(u16),
    #[error("ModernGov answered with an HTML page, not the web service's XML (is the site's address right?)")]
    Html,
    #[error("ModernGov's answer is not well-formed XML: {0}")]
    BadXml(String),
    #[error("ModernGov's answer is XML but not a GetMeetings answer (its root is <{0}>)")]
    NotMeetings(String),
}

/// The `GetMeetings` address for `committee` between `from` and `to` (both inclusive)
/// on the ModernGov site at `site` (e.g. `https://democracy.example.gov.uk`).
pub fn get_meetings_url(site: &str, committee: u64, from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "{}/mgWebService.asmx/GetMeetings?lCommitteeId={committee}&sFromDate={}&sToDate={}",
        site.trim_end_matches('/'),
        from.format("%d/%m/%Y"),
        to.format("%d/%m/%Y"),
    )
}

/// Fetches and parses `GetMeetings` (see [`get_meetings_url`]), giving up after
/// `timeout` for the whole exchange. Redirects are not followed.
pub async fn fetch_meetings(
    site: &str,
    committee: u64,
    from: NaiveDate,
    to: NaiveDate,
    timeout: Duration,
) -> Result<Vec<MgMeeting>, MgError> {
    // Only the ring provider is compiled in; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = awc::Client::builder()
        .connector(awc::Connector::new().timeout(timeout))
        .add_default_header(("user-agent", concat!("Scrutiny/", env!("CARGO_PKG_VERSION"))))
        .timeout(timeout)
        .finish();
    let url = get_meetings_url(site, committee, from, to);
    let exchange = async {
        let mut response = client.get(&url).send().await.map_err(|error| match error {
            awc::error::SendRequestError::Timeout => MgError::Timeout(timeout.as_secs()),
            other => MgError::Unreachable(other.to_string()),
        })?;
        if !response.status().is_success() {
            return Err(MgError::Status(response.status().as_u16()));
        }
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .map_err(|error| match error {
                awc::error::PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    MgError::Timeout(timeout.as_secs())
                }
                other => MgError::Unreachable(other.to_string()),
            })?;
        Ok(body)
    };
    let body = match tokio::time::timeout(timeout, exchange).await {
        Ok(body) => body?,
        Err(_) => return Err(MgError::Timeout(timeout.as_secs())),
    };
    parse_meetings(&String::from_utf8_lossy(&body))
}

/// Decodes what is still an entity after the XML's own decoding (ModernGov encodes
/// text twice); text that does not decode (a lone `&`) is kept as it is.
fn decode_again(text: &str) -> String {
    match quick_xml::escape::unescape(text) {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_string(),
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let day = text.split_whitespace().next().unwrap_or("");
    let day = day.split('T').next().unwrap_or("");
    NaiveDate::parse_from_str(day, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y-%m-%d"))
        .map_err(|_| {
            if text.is_empty() {
                "it has no date".to_string()
            } else {
                format!("its date {text:?} is not dd/mm/yyyy")
            }
        })
}

fn says_cancelled(text: &str) -> bool {
    text.to_lowercase().contains("cancel")
}

/// Parses a `GetMeetings` answer: every `<meeting>` in it, in order, with the title of
/// the committee it is listed under.
pub fn parse_meetings(body: &str) -> Result<Vec<MgMeeting>, MgError> {
    let start = body.trim_start_matches('\u{feff}').trim_start();
    let lower: String = start.chars().take(200).collect::<String>().to_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(MgError::Html);
    }
    let mut reader = Reader::from_str(start);
    reader.config_mut().trim_text(false);
    let bad = |reader: &Reader<&[u8]>, error: &dyn std::fmt::Display| {
        MgError::BadXml(format!("at byte {}: {error}", reader.buffer_position()))
    };
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut committee_title = String::new();
    let mut fields: Option<std::collections::HashMap<String, String>> = None;
    let mut meetings = Vec::new();
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| bad(&reader, &e))?;
        match event {
            Event::Start(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).to_lowercase();
                if !root_seen {
                    root_seen = true;
                    if name == "html" {
                        return Err(MgError::Html);
                    }
                    if name != "getmeetings" {
                        return Err(MgError::NotMeetings(name));
                    }
                }
                if name == "meeting" {
                    fields = Some(Default::default());
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).to_lowercase();
                if !root_seen {
                    root_seen = true;
                    if name != "getmeetings" {
                        return Err(MgError::NotMeetings(name));
                    }
                }
            }
            Event::Text(raw) => text.push_str(&raw.decode().map_err(|e| bad(&reader, &e))?),
            Event::GeneralRef(reference) => {
                text.push('&');
                text.push_str(&reference.decode().map_err(|e| bad(&reader, &e))?);
                text.push(';');
            }
            Event::CData(data) => {
                let literal = data.decode().map_err(|e| bad(&reader, &e))?;
                text.push_str(&quick_xml::escape::escape(literal.as_ref()));
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = quick_xml::escape::unescape(&text)
                    .map_err(|e| bad(&reader, &e))?
                    .into_owned();
                let value = decode_again(&value).trim().to_string();
                text.clear();
                if name == "meeting" {
                    if let Some(fields) = fields.take() {
                        meetings.push(meeting_from(&fields, &committee_title));
                    }
                } else if let Some(fields) = fields.as_mut() {
                    fields.entry(name).or_insert(value);
                } else if name == "committeetitle" {
                    committee_title = value;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(MgError::BadXml("there is no element in it".to_string()));
    }
    if !path.is_empty() {
        return Err(MgError::BadXml(format!("<{}> is not closed", path.join("><"))));
    }
    Ok(meetings)
}

fn meeting_from(fields: &std::collections::HashMap<String, String>, committee_title: &str) -> MgMeeting {
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let raw_id = get("meetingid").to_string();
    let own_title = ["meetingtitle", "title", "committeetitle"]
        .iter()
        .map(|name| get(name))
        .find(|title| !title.is_empty())
        .unwrap_or("");
    let title = if own_title.is_empty() {
        committee_title
    } else {
        own_title
    };
    MgMeeting {
        id: raw_id.parse().ok().filter(|id: &i64| *id > 0),
        raw_id,
        date: parse_date(get("meetingdate")),
        title: title.to_string(),
        cancelled: says_cancelled(get("meetingstatus")) || title.contains("CANCELLED"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_usual_shape_with_double_encoded_entities_and_a_cancelled_meeting() {
        let body = r#"<?xml version="1.0" encoding="utf-8"?>
<getmeetings>
  <committee>
    <committeeid>153</committeeid>
    <committeetitle>Police, Fire &amp;amp; Crime Panel</committeetitle>
    <meetings>
      <meeting>
        <meetingid>4567</meetingid>
        <meetingdate>16/06/2022</meetingdate>
        <meetingtime>10:00</meetingtime>
        <meetingstatus>Confirmed</meetingstatus>
        <meetinglocation>O&amp;#39;Neill Room</meetinglocation>
      </meeting>
      <meeting>
        <meetingid>4568</meetingid>
        <meetingdate>15/09/2022</meetingdate>
        <meetingstatus>Cancelled</meetingstatus>
      </meeting>
    </meetings>
  </committee>
</getmeetings>"#;
        let meetings = parse_meetings(body).unwrap();
        assert_eq!(
            meetings,
            vec![
                MgMeeting {
                    id: Some(4567),
                    raw_id: "4567".into(),
                    date: Ok(date(2022, 6, 16)),
                    title: "Police, Fire & Crime Panel".into(),
                    cancelled: false,
                },
                MgMeeting {
                    id: Some(4568),
                    raw_id: "4568".into(),
                    date: Ok(date(2022, 9, 15)),
                    title: "Police, Fire & Crime Panel".into(),
                    cancelled: true,
                },
            ]
        );
    }

    #[test]
    fn upper_case_names_iso_dates_cdata_titles_and_a_cancelled_title() {
        let body = "\u{feff}<GetMeetings><Committee><CommitteeTitle><![CDATA[Panel & Friends]]></CommitteeTitle>\
            <Meetings><Meeting><MeetingId>9</MeetingId><MeetingDate>2024-01-08T00:00:00</MeetingDate>\
            <MeetingTitle>CANCELLED - Panel Meeting</MeetingTitle></Meeting>\
            <Meeting><MeetingId>10</MeetingId><MeetingDate>08/02/2024 14:00</MeetingDate></Meeting>\
            </Meetings></Committee></GetMeetings>";
        let meetings = parse_meetings(body).unwrap();
        assert_eq!(meetings.len(), 2);
        assert_eq!(meetings[0].date, Ok(date(2024, 1, 8)));
        assert!(meetings[0].cancelled);
        assert_eq!(meetings[0].title, "CANCELLED - Panel Meeting");
        assert_eq!(meetings[1].title, "Panel & Friends");
        assert_eq!(meetings[1].date, Ok(date(2024, 2, 8)));
        assert!(!meetings[1].cancelled);
    }

    #[test]
    fn a_lone_ampersand_after_the_first_decoding_is_kept() {
        let body = "<getmeetings><committee><committeetitle>Fire &amp; Rescue</committeetitle><meetings>\
            <meeting><meetingid>1</meetingid><meetingdate>01/02/2023</meetingdate></meeting></meetings></committee></getmeetings>";
        assert_eq!(parse_meetings(body).unwrap()[0].title, "Fire & Rescue");
    }

    #[test]
    fn meetings_without_a_usable_id_or_date_are_kept_for_the_report() {
        let body = "<getmeetings><committee><meetings>\
            <meeting><meetingid>abc</meetingid><meetingdate>31/02/2023</meetingdate></meeting>\
            <meeting><meetingdate></meetingdate></meeting></meetings></committee></getmeetings>";
        let meetings = parse_meetings(body).unwrap();
        assert_eq!(meetings[0].id, None);
        assert_eq!(meetings[0].raw_id, "abc");
        assert!(meetings[0].date.as_ref().unwrap_err().contains("31/02/2023"));
        assert_eq!(meetings[1].date, Err("it has no date".to_string()));
    }

    #[test]
    fn an_empty_answer_has_no_meetings() {
        assert_eq!(parse_meetings("<getmeetings/>").unwrap(), vec![]);
        assert_eq!(parse_meetings("<getmeetings>\n</getmeetings>").unwrap(), vec![]);
    }

    #[test]
    fn html_bad_xml_and_other_xml_are_refused() {
        assert_eq!(
            parse_meetings("<!DOCTYPE html><html><body>Error</body></html>"),
            Err(MgError::Html)
        );
        assert_eq!(parse_meetings("<html><body>Error</body></html>"), Err(MgError::Html));
        assert!(matches!(
            parse_meetings("<getmeetings><committee></getmeetings>"),
            Err(MgError::BadXml(_))
        ));
        assert!(matches!(
            parse_meetings("<getmeetings><committee>"),
            Err(MgError::BadXml(_))
        ));
        assert!(matches!(parse_meetings(""), Err(MgError::BadXml(_))));
        assert_eq!(
            parse_meetings("<getcommittees></getcommittees>"),
            Err(MgError::NotMeetings("getcommittees".into()))
        );
    }

    #[test]
    fn the_address_has_uk_dates() {
        assert_eq!(
            get_meetings_url("https://mg.example/", 153, date(2022, 1, 5), date(2022, 12, 31)),
            "https://mg.example/mgWebService.asmx/GetMeetings?lCommitteeId=153&sFromDate=05/01/2022&sToDate=31/12/2022"
        );
    }
}
