//! Small HTML pages for people who follow a link from an e-mail (`templates/pages/`):
//! what a browser shows for a confirmation or unsubscribe link, and the result of the
//! button on it. Everything else the API answers is JSON.
//!
//! A page runs no script and loads nothing: its one stylesheet is inline, allowed by
//! its hash in a `Content-Security-Policy` that allows nothing else (`default-src
//! 'none'`), and its one form may post only to this origin (`form-action 'self'`). It
//! is never kept (`Cache-Control: no-store`: it carries a link's token), never framed,
//! and sends no referrer onwards. Every value filled in is HTML-escaped.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

const LAYOUT: &str = include_str!("../../templates/pages/layout.html");
const STYLE: &str = include_str!("../../templates/pages/style.css");

/// The page templates: the body of a page, between its heading and the end of `<main>`.
pub mod template {
    /// The page a confirmation link opens: a button that confirms.
    pub const CONFIRM: &str = include_str!("../../templates/pages/confirm.html");
    /// The page an unsubscribe link opens: a button that unsubscribes.
    pub const UNSUBSCRIBE: &str = include_str!("../../templates/pages/unsubscribe.html");
    /// After confirming.
    pub const CONFIRMED: &str = include_str!("../../templates/pages/confirmed.html");
    /// After unsubscribing.
    pub const UNSUBSCRIBED: &str = include_str!("../../templates/pages/unsubscribed.html");
    /// A link that leads nowhere (never issued, used, expired, malformed): one page for
    /// all, so that it says nothing about which.
    pub const LINK_NOT_WORKING: &str = include_str!("../../templates/pages/link_not_working.html");
    /// Too many links tried from one client address.
    pub const TOO_MANY: &str = include_str!("../../templates/pages/too_many.html");
    /// Any other refusal, with its detail.
    pub const REFUSED: &str = include_str!("../../templates/pages/refused.html");
}

/// The `Content-Security-Policy` of every page: nothing but the inline stylesheet (by
/// its hash) and a form posting to this origin.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'"
    )
});

/// A page to answer with.
#[derive(Debug)]
pub struct Page<'a> {
    pub status: StatusCode,
    /// The `<h1>` and `<title>`.
    pub title: &'a str,
    /// One of [`template`].
    pub template: &'a str,
    /// The values for `{{name}}` and `{{#name}}…{{/name}}` (kept when not empty).
    pub vars: Vec<(&'a str, String)>,
}

impl Page<'_> {
    /// The page for `panel` (its name heads the page), with its headers.
    pub fn respond(&self, panel: &str) -> HttpResponse {
        let mut vars = self.vars.clone();
        vars.push(("panel", panel.to_string()));
        let body = fill(self.template, &vars);
        let html = substitute(
            LAYOUT,
            &[
                ("style", STYLE.to_string()),
                ("title", escape(self.title)),
                ("panel", escape(panel)),
                ("body", body),
            ],
        );
        let mut response = HttpResponse::build(self.status);
        response
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"));
        if let Ok(policy) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
            response.insert_header((header::CONTENT_SECURITY_POLICY, policy));
        }
        response.body(html)
    }
}

/// Fills `template`: sections first (`{{#name}}…{{/name}}`, kept only when the value is
/// not empty), then each `{{name}}` by its value, HTML-escaped. A value is never read
/// as template text.
fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let value = |name: &str| vars.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v.as_str());
    let mut text = template.to_string();
    for (name, _) in vars {
        let (open, close) = (format!("{{{{#{name}}}}}"), format!("{{{{/{name}}}}}"));
        while let Some(start) = text.find(&open) {
            let Some(end) = text[start..].find(&close).map(|at| start + at) else {
                break;
            };
            let inner = text[start + open.len()..end].to_string();
            let kept = if value(name).is_empty() { String::new() } else { inner };
            text.replace_range(start..end + close.len(), &kept);
        }
    }
    // Sections of names not given are dropped too.
    while let Some(start) = text.find("{{#") {
        let Some(name_end) = text[start..].find("}}").map(|at| start + at) else {
            break;
        };
        let close = format!("{{{{/{}}}}}", &text[start + 3..name_end]);
        let Some(end) = text[start..].find(&close).map(|at| start + at) else {
            break;
        };
        text.replace_range(start..end + close.len(), "");
    }
    let escaped: Vec<(&str, String)> = vars.iter().map(|(name, v)| (*name, escape(v))).collect();
    substitute(&text, &escaped)
}

/// Replaces each `{{name}}` of `template` by its value as given (an unknown name by
/// nothing), in one pass, so that a value holding `{{…}}` stays as it is.
fn substitute(template: &str, vars: &[(&str, String)]) -> String {
    let value = |name: &str| vars.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v.as_str());
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(len) => {
                out.push_str(value(&rest[start + 2..start + len]));
                rest = &rest[start + len + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` safe in HTML text and in a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `req`'s `Accept` header asks for HTML (`text/html` or
/// `application/xhtml+xml`, not at `q=0`), as a browser's does.
pub fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            !refused && (media.eq_ignore_ascii_case("text/html") || media.eq_ignore_ascii_case("application/xhtml+xml"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_never_read_as_template_text() {
        let filled = fill(
            "<p>{{a}}</p>{{#b}}<i>{{b}}</i>{{/b}}{{#c}}gone{{/c}}{{#unknown}}gone too{{/unknown}}",
            &[
                ("a", "<script>\"x\" & '{{b}}'".into()),
                ("b", "B".into()),
                ("c", String::new()),
            ],
        );
        assert_eq!(
            filled,
            "<p>&lt;script&gt;&quot;x&quot; &amp; &#39;{{b}}&#39;</p><i>B</i>"
        );
    }

    #[test]
    fn every_page_template_fills_to_balanced_html() {
        for template in [
            template::CONFIRM,
            template::UNSUBSCRIBE,
            template::CONFIRMED,
            template::UNSUBSCRIBED,
            template::LINK_NOT_WORKING,
            template::TOO_MANY,
            template::REFUSED,
        ] {
            let filled = fill(template, &[("panel", "P".into())]);
            assert!(!filled.contains("{{"), "{filled}");
            assert_eq!(
                filled.matches("<p>").count(),
                filled.matches("</p>").count(),
                "{filled}"
            );
        }
    }

    #[test]
    fn the_policy_allows_the_stylesheet_by_its_hash_and_no_script() {
        let policy = CONTENT_SECURITY_POLICY.as_str();
        assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"), "{policy}");
        assert!(
            policy.contains("form-action 'self'") && !policy.contains("script"),
            "{policy}"
        );
    }
}
