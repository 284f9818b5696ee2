//! A local ModernGov web service for the tests of `scrutiny sync-meetings` (tests/cli.rs)
//! and of the scheduled sync (tests/api/properties/moderngov.rs): answers `GetMeetings`
//! and `GetMeeting` in the web service's shape (text encoded twice, HTML inside agenda
//! items), or an HTML error page, or nothing at all, and keeps the request lines.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;

/// What the stub answers to `GetMeetings`.
#[derive(Clone)]
pub enum Meetings {
    Xml(String),
    Html,
    /// Accepts the request and never answers.
    Hang,
}

#[derive(Default)]
pub struct StubState {
    pub meetings: Option<Meetings>,
    /// `GetMeeting` answers by ModernGov meeting id.
    pub agendas: HashMap<i64, String>,
    /// How long each answer takes.
    pub delay: Duration,
    pub in_flight: usize,
    pub most_in_flight: usize,
    pub requests: Vec<String>,
}

/// A local ModernGov: a thread per connection, so that overlapping requests are seen.
pub struct StubModernGov {
    pub url: String,
    pub state: Arc<Mutex<StubState>>,
}

impl StubModernGov {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(StubState {
            meetings: Some(Meetings::Html),
            ..StubState::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || answer(stream, &state));
            }
        });
        Self { url, state }
    }

    pub fn meetings(&self, answer: Meetings) {
        self.state.lock().unwrap().meetings = Some(answer);
    }

    pub fn agenda(&self, meeting: i64, xml: String) {
        self.state.lock().unwrap().agendas.insert(meeting, xml);
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }
}

fn answer(mut stream: std::net::TcpStream, state: &Mutex<StubState>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    let (answer, delay) = {
        let mut state = state.lock().unwrap();
        state.requests.push(request_line.trim().to_string());
        state.in_flight += 1;
        state.most_in_flight = state.most_in_flight.max(state.in_flight);
        let answer = if let Some(at) = request_line.find("GetMeeting?lMeetingId=") {
            let id: String = request_line[at + "GetMeeting?lMeetingId=".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            Some(Meetings::Xml(
                state
                    .agendas
                    .get(&id.parse().unwrap_or(0))
                    .cloned()
                    .unwrap_or_else(|| agenda_xml(&[])),
            ))
        } else {
            state.meetings.clone()
        };
        (answer, state.delay)
    };
    std::thread::sleep(delay);
    let (content_type, body) = match answer {
        Some(Meetings::Xml(xml)) => ("text/xml; charset=utf-8", xml),
        Some(Meetings::Html) | None => (
            "text/html",
            "<!DOCTYPE html><html><body><h1>Runtime Error</h1></body></html>".to_string(),
        ),
        Some(Meetings::Hang) => {
            std::thread::sleep(Duration::from_secs(20));
            state.lock().unwrap().in_flight -= 1;
            return;
        }
    };
    state.lock().unwrap().in_flight -= 1;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A `GetMeetings` answer in ModernGov's shape: (id, day, status) per meeting, text
/// encoded twice, as ModernGov does. The id is any text, so that a bad one can be sent.
pub fn meetings_xml(meetings: &[(impl std::fmt::Display, NaiveDate, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<getmeetings>\r\n  <committee>\r\n    <committeeid>153</committeeid>\r\n    \
         <committeetitle>Police, Fire &amp;amp; Crime Panel</committeetitle>\r\n    <meetings>\r\n",
    );
    for (id, day, status) in meetings {
        xml.push_str(&format!(
            "      <meeting>\r\n        <meetingid>{id}</meetingid>\r\n        <meetingdate>{}</meetingdate>\r\n        \
             <meetingtime>10:00</meetingtime>\r\n        <meetingstatus>{status}</meetingstatus>\r\n        \
             <meetinglocation>Council Chamber, County Hall &amp;amp; online</meetinglocation>\r\n      </meeting>\r\n",
            day.format("%d/%m/%Y")
        ));
    }
    xml.push_str("    </meetings>\r\n  </committee>\r\n</getmeetings>\r\n");
    xml
}

/// An agenda item: (title, minutes HTML, linked document title) as ModernGov writes it.
pub struct Item<'a> {
    pub title: &'a str,
    pub minutes_html: &'a str,
    pub document: Option<&'a str>,
}

/// A `GetMeeting` answer with `items`: each item's HTML escaped for the XML, and its
/// entities encoded once more (`&amp;amp;`, `&amp;#39;`), as ModernGov does.
pub fn agenda_xml(items: &[Item<'_>]) -> String {
    let encode_twice = |html: &str| {
        // ModernGov's own encoding of the text, then the XML's of the whole.
        let once = html.replace('&', "&amp;").replace('\'', "&#39;");
        once.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><getmeeting><meeting><meetingid>1</meetingid>\
         <minutepublished>True</minutepublished><agendaitems>",
    );
    for (n, item) in items.iter().enumerate() {
        xml.push_str(&format!(
            "<agendaitem><agendaitemid>{}</agendaitemid><agendaitemnumber>{}</agendaitemnumber>\
             <agendaitemtitle>{}</agendaitemtitle><isrestricted>False</isrestricted>\
             <minutesnonemptyhtmlbody>{}</minutesnonemptyhtmlbody>",
            900 + n,
            n + 1,
            item.title.replace('&', "&amp;amp;"),
            encode_twice(item.minutes_html)
        ));
        if let Some(document) = item.document {
            xml.push_str(&format!(
                "<linkeddocuments><linkeddoc><attachmentid>5</attachmentid><title>{document}</title>\
                 <url>https://mg.example/documents/s5/questions.pdf</url></linkeddoc></linkeddocuments>"
            ));
        }
        xml.push_str("</agendaitem>");
    }
    xml.push_str("</agendaitems></meeting></getmeeting>");
    xml
}
