//! A council's ModernGov: the client for its web service (`mgWebService.asmx`) and the
//! parsers for what `GetMeetings` and `GetMeeting` answer.
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
//!
//! `GET <site>/mgWebService.asmx/GetMeeting?lMeetingId=N` answers one meeting with its
//! agenda (the root is `<getmeeting>` around a `<meeting>` on some installs, the
//! `<meeting>` itself on others; both are read):
//!
//! ```xml
//! <getmeeting>
//!   <meeting>
//!     <meetingid>4567</meetingid>
//!     <meetingdate>16/06/2022</meetingdate>
//!     <meetingstatus>Confirmed</meetingstatus>
//!     <agendapublished>True</agendapublished>
//!     <minutepublished>True</minutepublished>
//!     <attendees><attendee memberid="12" name="…" attendance="Present"/></attendees>
//!     <agendaitems>
//!       <agendaitem>
//!         <agendaitemid>9876</agendaitemid>
//!         <agendaitemnumber>5</agendaitemnumber>
//!         <agendaitemtitle>Public Questions</agendaitemtitle>
//!         <isrestricted>False</isrestricted>
//!         <agendatext>&lt;p&gt;To receive questions from members of the public.&lt;/p&gt;</agendatext>
//!         <minutesitemnumber>12</minutesitemnumber>
//!         <minutesnonemptyhtmlbody>&lt;p&gt;A member of the public asked &amp;amp;hellip;&lt;/p&gt;</minutesnonemptyhtmlbody>
//!         <linkeddocuments>
//!           <linkeddoc>
//!             <attachmentid>111</attachmentid>
//!             <title>Public questions and responses</title>
//!             <url>https://democracy.example.gov.uk/documents/s111/questions.pdf</url>
//!           </linkeddoc>
//!         </linkeddocuments>
//!       </agendaitem>
//!     </agendaitems>
//!   </meeting>
//! </getmeeting>
//! ```
//!
//! An item's text is HTML held as XML text (its markup escaped, `&lt;p&gt;`, or in a
//! CDATA section), and encoded twice like the rest: the markup is decoded, the tags
//! are turned into line breaks ([`html_to_text`]), and the entities left are decoded
//! (HTML's named entities too, `&rsquo;`, `&nbsp;`), once more where ModernGov encoded
//! them twice. The minutes of the item (`minutesnonemptyhtmlbody`) are read when the
//! meeting's minutes are published, the agenda's text (`agendatext`) otherwise. Linked
//! documents (PDFs) are not fetched: an item whose only content is a linked document is
//! reported as such. A restricted (exempt) item is never read.

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

/// Why a `GetMeetings` or `GetMeeting` answer could not be used: nothing is written.
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
    #[error("ModernGov's answer is XML but not a GetMeeting answer (its root is <{0}>)")]
    NotAMeeting(String),
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
    let body = fetch(&get_meetings_url(site, committee, from, to), timeout).await?;
    parse_meetings(&body)
}

/// The `GetMeeting` address for ModernGov's meeting `meeting` on the site at `site`.
pub fn get_meeting_url(site: &str, meeting: i64) -> String {
    format!(
        "{}/mgWebService.asmx/GetMeeting?lMeetingId={meeting}",
        site.trim_end_matches('/')
    )
}

/// Fetches and parses `GetMeeting` (see [`get_meeting_url`]), giving up after
/// `timeout` for the whole exchange. Redirects are not followed.
pub async fn fetch_agenda(site: &str, meeting: i64, timeout: Duration) -> Result<MgAgenda, MgError> {
    let body = fetch(&get_meeting_url(site, meeting), timeout).await?;
    parse_agenda(&body)
}

/// The body of a GET of `url`, as text (invalid UTF-8 replaced), at most 16 MiB.
async fn fetch(url: &str, timeout: Duration) -> Result<String, MgError> {
    // Only the ring provider is compiled in; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = awc::Client::builder()
        .connector(awc::Connector::new().timeout(timeout))
        .add_default_header(("user-agent", concat!("Scrutiny/", env!("CARGO_PKG_VERSION"))))
        .disable_redirects()
        .timeout(timeout)
        .finish();
    let exchange = async {
        let mut response = client.get(url).send().await.map_err(|error| match error {
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
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The site's address as stored beside each meeting, from what an operator gave
/// (`--moderngov-url`, `SCRUTINY_MODERNGOV_URL`): an http or https address with a host,
/// without `mgWebService.asmx`, a query, a fragment or credentials, and without a
/// trailing `/`. It is written one way whatever way it was given (the scheme and host in
/// lower case, no default port: `HTTPS://Democracy.Example.gov.uk:443/` is
/// `https://democracy.example.gov.uk`), because meetings are matched by it: the same
/// site written another way must not make every meeting again. Credentials are refused
/// rather than kept, because the address is logged and shown beside each meeting, and
/// ModernGov's web service is public. The error says what is wrong, for the caller to
/// name its option or variable.
pub fn site_address(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("it is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err("it must be an http or https address, such as https://democracy.example.gov.uk".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "it must not carry a user name or password: ModernGov's web service is public, and the address is logged \
             and shown beside each meeting"
                .into(),
        );
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || parsed.path().contains("mgWebService") {
        return Err(
            "it is the site's address (https://democracy.example.gov.uk), without mgWebService.asmx or a query".into(),
        );
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
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

/// One element of a ModernGov answer as [`walk`] meets it.
enum Element<'a> {
    /// An element opens (its name in lower case).
    Start(&'a str),
    /// An element closes: its name, its parent's (empty for the root), and its text with
    /// the XML's own entities decoded once (ModernGov's second level is the caller's).
    End {
        name: &'a str,
        parent: &'a str,
        value: String,
    },
}

/// Reads a ModernGov answer element by element, for `visit`. An HTML page (the site's
/// error or sign-in page), XML that is not well formed, an unclosed element or a root
/// other than one of `roots` (then `not_ours` makes the error) is refused before or
/// while reading; element names are compared in lower case, as installs differ.
fn walk(
    body: &str,
    roots: &[&str],
    not_ours: fn(String) -> MgError,
    mut visit: impl FnMut(Element<'_>),
) -> Result<(), MgError> {
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
    let check_root = |name: &str| match name {
        "html" => Err(MgError::Html),
        name if roots.contains(&name) => Ok(()),
        name => Err(not_ours(name.to_string())),
    };
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut root_seen = false;
    loop {
        match reader.read_event().map_err(|e| bad(&reader, &e))? {
            Event::Start(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).to_lowercase();
                if !root_seen {
                    root_seen = true;
                    check_root(&name)?;
                }
                visit(Element::Start(&name));
                path.push(name);
                text.clear();
            }
            Event::Empty(element) if !root_seen => {
                root_seen = true;
                check_root(&String::from_utf8_lossy(element.local_name().as_ref()).to_lowercase())?;
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
                text.clear();
                let parent = path.last().map(String::as_str).unwrap_or("");
                visit(Element::End {
                    name: &name,
                    parent,
                    value,
                });
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
    Ok(())
}

/// Parses a `GetMeetings` answer: every `<meeting>` in it, in order, with the title of
/// the committee it is listed under.
pub fn parse_meetings(body: &str) -> Result<Vec<MgMeeting>, MgError> {
    let mut committee_title = String::new();
    let mut fields: Option<std::collections::HashMap<String, String>> = None;
    let mut meetings = Vec::new();
    walk(body, &["getmeetings"], MgError::NotMeetings, |element| match element {
        Element::Start("meeting") => fields = Some(Default::default()),
        Element::Start(_) => {}
        Element::End { name: "meeting", .. } => {
            if let Some(fields) = fields.take() {
                meetings.push(meeting_from(&fields, &committee_title));
            }
        }
        Element::End { name, value, .. } => {
            let value = decode_again(&value).trim().to_string();
            if let Some(fields) = fields.as_mut() {
                fields.entry(name.to_string()).or_insert(value);
            } else if name == "committeetitle" {
                committee_title = value;
            }
        }
    })?;
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

/// A meeting's agenda, from `GetMeeting`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgAgenda {
    /// ModernGov's meeting id (`meetingid`), when the answer gives one.
    pub meeting_id: Option<i64>,
    /// Whether the meeting's minutes are published (`minutepublished` or
    /// `isminutepublished` is `True`).
    pub minutes_published: bool,
    /// Its items, in order.
    pub items: Vec<MgAgendaItem>,
}

/// One item of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgAgendaItem {
    /// ModernGov's item id (`agendaitemid`), when a number.
    pub id: Option<i64>,
    /// Its number on the agenda (`agendaitemnumber`), as given.
    pub number: String,
    /// Its title, decoded.
    pub title: String,
    /// Whether it is restricted (exempt from publication): never read.
    pub restricted: bool,
    /// The agenda's text of it (`agendatext`), as plain text ([`html_to_text`]).
    pub agenda_text: String,
    /// The minutes of it (`minutesnonemptyhtmlbody`), as plain text.
    pub minutes_text: String,
    /// The documents linked to it (`linkeddocuments`), by title and address.
    pub documents: Vec<MgDocument>,
}

/// A document linked to an agenda item (usually a PDF): not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgDocument {
    pub title: String,
    pub url: String,
}

/// Titles of agenda items that hold the public's questions, matched ignoring case and
/// punctuation (`Public Questions`, `Questions from the Public`, `Public Question Time`,
/// `Questions to the Commissioner` …): an item whose title contains one of these is a
/// public questions item.
pub const PUBLIC_QUESTION_TITLES: &[&str] = &[
    "public question",
    "public questions",
    "questions from the public",
    "questions from members of the public",
    "question from a member of the public",
    "questions from a member of the public",
    "questions by the public",
    "questions by members of the public",
    "questions from the public to the",
    "questions to the commissioner",
    "questions to the police and crime commissioner",
    "questions to the police fire and crime commissioner",
    "questions to the police fire crime commissioner",
    "questions to the pcc",
    "questions to the pfcc",
    "questions to the panel",
    "public participation",
];

/// A title with its letters in lower case and everything but letters and digits turned
/// into single spaces (`Questions from the Public:` → `questions from the public`).
fn title_key(title: &str) -> String {
    let mapped: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether an agenda item with this title holds the public's questions: its title
/// contains one of [`PUBLIC_QUESTION_TITLES`] (ignoring case and punctuation).
pub fn is_public_questions_title(title: &str) -> bool {
    let key = format!(" {} ", title_key(title));
    PUBLIC_QUESTION_TITLES
        .iter()
        .any(|phrase| key.contains(&format!(" {phrase} ")))
}

/// Decodes every entity in `text` that HTML knows (`&amp;`, `&#39;`, `&rsquo;` …);
/// anything else that starts with `&` is kept as it is.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // The `;` that ends the entity: within 40 characters, before any space or `&`.
        let end = tail
            .char_indices()
            .skip(1)
            .take(40)
            .find(|(_, c)| *c == ';' || c.is_whitespace() || *c == '&')
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        match end.and_then(|end| {
            quick_xml::escape::unescape_with(&tail[..=end], quick_xml::escape::resolve_html5_entity)
                .ok()
                .map(|decoded| (end, decoded.into_owned()))
        }) {
            Some((end, decoded)) => {
                out.push_str(&decoded);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Plain text from an agenda item's HTML: tags removed, paragraphs, headings, list
/// items and table rows on lines of their own (a blank line between paragraphs), line
/// breaks kept, scripts, styles and comments dropped, entities decoded (twice, as
/// ModernGov encodes them), spaces and non-breaking spaces run together, and each line
/// trimmed. A `<` that does not start a tag is text.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut skipping: Option<String> = None;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        if skipping.is_none() {
            text.push_str(&rest[..at]);
        }
        let tail = &rest[at..];
        if let Some(comment) = tail.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let starts_tag = tail[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let Some(end) = tail.find('>').filter(|_| starts_tag) else {
            if skipping.is_none() {
                text.push('<');
            }
            rest = &tail[1..];
            continue;
        };
        let inside = &tail[1..end];
        rest = &tail[end + 1..];
        let closing = inside.starts_with('/');
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(skipped) = &skipping {
            if closing && name == *skipped {
                skipping = None;
            }
            continue;
        }
        match name.as_str() {
            "script" | "style" | "head" | "title" if !closing && !inside.ends_with('/') => skipping = Some(name),
            "br" => text.push('\n'),
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table" | "blockquote"
            | "section" | "article" | "hr" => text.push_str("\n\n"),
            "li" | "tr" | "dt" | "dd" if !closing => text.push('\n'),
            "td" | "th" => text.push(' '),
            _ => {}
        }
    }
    if skipping.is_none() {
        text.push_str(rest);
    }
    let decoded = decode_entities(&decode_entities(&text));
    let mut lines: Vec<String> = Vec::new();
    for line in decoded.lines() {
        let line = line
            .split(|c: char| c.is_whitespace() || c == '\u{a0}')
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() && lines.last().is_none_or(|last| last.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// An item's HTML field as XML gave it (one level decoded): markup that was escaped
/// twice (`&amp;lt;p&amp;gt;`, so still `&lt;p&gt;` now) is decoded once more, then
/// made plain text.
fn item_text(value: &str) -> String {
    let value = if !value.contains('<') && value.contains("&lt;") {
        decode_again(value)
    } else {
        value.to_string()
    };
    html_to_text(&value)
}

fn is_true(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("true")
}

/// Parses a `GetMeeting` answer: the meeting's id, whether its minutes are published,
/// and its agenda items in order (see the module's documentation for the shape).
pub fn parse_agenda(body: &str) -> Result<MgAgenda, MgError> {
    let mut agenda = MgAgenda {
        meeting_id: None,
        minutes_published: false,
        items: Vec::new(),
    };
    let mut item: Option<std::collections::HashMap<String, String>> = None;
    let mut documents: Vec<MgDocument> = Vec::new();
    let mut document: Option<(String, String)> = None;
    walk(
        body,
        &["getmeeting", "meeting"],
        MgError::NotAMeeting,
        |element| match element {
            Element::Start("agendaitem") => {
                item = Some(Default::default());
                documents.clear();
            }
            Element::Start("linkeddoc" | "linkeddocument") if item.is_some() => document = Some(Default::default()),
            Element::Start(_) => {}
            Element::End { name: "agendaitem", .. } => {
                if let Some(fields) = item.take() {
                    agenda.items.push(item_from(&fields, std::mem::take(&mut documents)));
                }
            }
            Element::End {
                name: "linkeddoc" | "linkeddocument",
                ..
            } => {
                if let Some((title, url)) = document.take() {
                    documents.push(MgDocument { title, url });
                }
            }
            // One level decoded: an item's HTML is decoded further by `item_text`.
            Element::End { name, parent, value } => {
                if let Some((title, url)) = document.as_mut() {
                    match name {
                        "title" => *title = decode_again(&value).trim().to_string(),
                        "url" => *url = decode_again(&value).trim().to_string(),
                        _ => {}
                    }
                } else if let Some(fields) = item.as_mut() {
                    if parent == "agendaitem" {
                        fields.entry(name.to_string()).or_insert(value);
                    }
                } else if parent == "meeting" {
                    match name {
                        "meetingid" => agenda.meeting_id = value.trim().parse().ok(),
                        "minutepublished" | "isminutepublished" => agenda.minutes_published |= is_true(&value),
                        _ => {}
                    }
                }
            }
        },
    )?;
    Ok(agenda)
}

fn item_from(fields: &std::collections::HashMap<String, String>, documents: Vec<MgDocument>) -> MgAgendaItem {
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    MgAgendaItem {
        id: get("agendaitemid").trim().parse().ok(),
        number: decode_again(get("agendaitemnumber")).trim().to_string(),
        title: html_to_text(get("agendaitemtitle")).replace('\n', " "),
        restricted: is_true(get("isrestricted")),
        agenda_text: item_text(get("agendatext")),
        minutes_text: item_text(get("minutesnonemptyhtmlbody")),
        documents: documents
            .into_iter()
            .filter(|d| !d.url.is_empty() || !d.title.is_empty())
            .collect(),
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

    /// A `GetMeeting` answer in the shape the module documents: the item's HTML escaped
    /// once for the XML and its entities encoded once more.
    const GET_MEETING: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<getmeeting>
  <meeting>
    <meetingid>4567</meetingid>
    <meetingdate>16/06/2022</meetingdate>
    <meetingstatus>Confirmed</meetingstatus>
    <agendapublished>True</agendapublished>
    <minutepublished>True</minutepublished>
    <attendees><attendee memberid="12" name="Cllr A" attendance="Present"/></attendees>
    <agendaitems>
      <agendaitem>
        <agendaitemid>9875</agendaitemid>
        <agendaitemnumber>1</agendaitemnumber>
        <agendaitemtitle>Apologies for Absence</agendaitemtitle>
        <agendatext>&lt;p&gt;To receive apologies.&lt;/p&gt;</agendatext>
      </agendaitem>
      <agendaitem>
        <agendaitemid>9876</agendaitemid>
        <agendaitemnumber>5</agendaitemnumber>
        <agendaitemtitle>Questions from the Public &amp;amp; Press</agendaitemtitle>
        <isrestricted>False</isrestricted>
        <agendatext>&lt;p&gt;To receive questions.&lt;/p&gt;</agendatext>
        <minutesitemnumber>12</minutesitemnumber>
        <minutesnonemptyhtmlbody>&lt;p class="x"&gt;12.1&amp;nbsp; A member of the public asked:&lt;/p&gt;&lt;p&gt;&amp;quot;Why isn&amp;amp;#39;t the O&amp;amp;rsquo;Neill station open?&amp;quot;&lt;br/&gt;Thank you.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;one&lt;/li&gt;&lt;li&gt;two &amp;lt; three&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- note --&gt;</minutesnonemptyhtmlbody>
        <linkeddocuments>
          <linkeddoc>
            <attachmentid>111</attachmentid>
            <title>Questions &amp;amp; answers</title>
            <url>https://mg.example/documents/s111/q.pdf</url>
          </linkeddoc>
        </linkeddocuments>
      </agendaitem>
      <agendaitem>
        <agendaitemid>9877</agendaitemid>
        <agendaitemnumber>6</agendaitemnumber>
        <agendaitemtitle>Exempt item</agendaitemtitle>
        <isrestricted>True</isrestricted>
      </agendaitem>
    </agendaitems>
  </meeting>
</getmeeting>"#;

    #[test]
    fn get_meeting_gives_the_items_with_their_html_as_text_and_entities_decoded_twice() {
        let agenda = parse_agenda(GET_MEETING).unwrap();
        assert_eq!(agenda.meeting_id, Some(4567));
        assert!(agenda.minutes_published);
        assert_eq!(agenda.items.len(), 3);
        let item = &agenda.items[1];
        assert_eq!(item.id, Some(9876));
        assert_eq!(item.number, "5");
        assert_eq!(item.title, "Questions from the Public & Press");
        assert!(!item.restricted);
        assert_eq!(item.agenda_text, "To receive questions.");
        assert_eq!(
            item.minutes_text,
            "12.1 A member of the public asked:\n\n\"Why isn't the O\u{2019}Neill station open?\"\nThank you.\n\none\ntwo < three"
        );
        assert_eq!(
            item.documents,
            vec![MgDocument {
                title: "Questions & answers".into(),
                url: "https://mg.example/documents/s111/q.pdf".into()
            }]
        );
        assert!(agenda.items[2].restricted);
        assert!(agenda.items[0].documents.is_empty());
    }

    #[test]
    fn get_meeting_with_the_meeting_as_its_root_cdata_and_no_items() {
        let agenda = parse_agenda(
            "<meeting><meetingid>7</meetingid><isminutepublished>false</isminutepublished><agendaitems>\
             <agendaitem><agendaitemtitle>Public Question Time</agendaitemtitle>\
             <agendatext><![CDATA[<p>Q &amp; A</p>]]></agendatext></agendaitem></agendaitems></meeting>",
        )
        .unwrap();
        assert_eq!(agenda.meeting_id, Some(7));
        assert!(!agenda.minutes_published);
        assert_eq!(agenda.items[0].agenda_text, "Q & A");
        assert_eq!(agenda.items[0].id, None);
        assert_eq!(
            parse_agenda("<getmeeting><meeting/></getmeeting>").unwrap().items,
            vec![]
        );
    }

    #[test]
    fn get_meeting_refuses_html_bad_xml_and_other_answers() {
        assert_eq!(parse_agenda("<!DOCTYPE html><html></html>"), Err(MgError::Html));
        assert!(matches!(parse_agenda("<getmeeting><meeting>"), Err(MgError::BadXml(_))));
        assert_eq!(
            parse_agenda("<getmeetings></getmeetings>"),
            Err(MgError::NotAMeeting("getmeetings".into()))
        );
    }

    #[test]
    fn public_questions_items_are_known_by_their_titles_whatever_the_case_and_punctuation() {
        for title in [
            "Public Questions",
            "PUBLIC QUESTION TIME",
            "Questions from the Public",
            "5. Questions from Members of the Public:",
            "Questions to the Commissioner",
            "Questions to the Police, Fire and Crime Commissioner",
            "Public participation",
        ] {
            assert!(is_public_questions_title(title), "{title}");
        }
        for title in [
            "Apologies",
            "Questions from Members",
            "Publication scheme",
            "Minutes of the previous meeting",
            "Republic questions",
        ] {
            assert!(!is_public_questions_title(title), "{title}");
        }
    }

    #[test]
    fn html_becomes_lines_of_text() {
        assert_eq!(
            html_to_text("<h2>Title</h2><p>One&nbsp;two</p><p></p><p>Three</p>"),
            "Title\n\nOne two\n\nThree"
        );
        assert_eq!(html_to_text("a < b and c<d"), "a < b and c<d");
        assert_eq!(
            html_to_text("<style>p{}</style>Text &amp;amp; more &unknown; &"),
            "Text & more &unknown; &"
        );
        assert_eq!(html_to_text("<table><tr><td>a</td><td>b</td></tr></table>"), "a b");
        assert_eq!(html_to_text(""), "");
    }

    #[test]
    fn the_get_meeting_address() {
        assert_eq!(
            get_meeting_url("https://mg.example/", 4567),
            "https://mg.example/mgWebService.asmx/GetMeeting?lMeetingId=4567"
        );
        assert_eq!(site_address("https://mg.example/").unwrap(), "https://mg.example");
        for same in ["HTTPS://MG.Example", "https://mg.example:443/", "https://mg.EXAMPLE//"] {
            assert_eq!(site_address(same).unwrap(), "https://mg.example", "{same}");
        }
        assert_eq!(
            site_address("http://mg.example:8080/democracy/").unwrap(),
            "http://mg.example:8080/democracy"
        );
        for secret in [
            "http://user:pw@mg.example",
            "http://user@mg.example",
            "http://:pw@mg.example",
        ] {
            let refused = site_address(secret).unwrap_err();
            assert!(
                refused.contains("user name or password") && !refused.contains("pw"),
                "{refused}"
            );
        }
        assert!(site_address("https://mg.example/#x").is_err());
        assert!(site_address("mg.example").is_err());
        assert!(site_address("https://mg.example/mgWebService.asmx").is_err());
        assert!(site_address("https://mg.example/?x=1").is_err());
    }
}
