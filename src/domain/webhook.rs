//! Webhooks: where changes are pushed, which changes, how they are signed, and when a
//! failed delivery is tried again. No I/O here.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::text::HttpUrl;
use super::FieldResult;
use crate::error::FieldError;

crate::typed_id!(
    /// The id of a webhook subscription.
    WebhookId
);

crate::typed_id!(
    /// The id of one delivery (one event to one subscription); also its `webhook-id`
    /// header, the same on every attempt.
    DeliveryId
);

crate::text_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not yet delivered: waiting for its next attempt.
        Pending => "pending",
        /// The receiver answered 2xx.
        Succeeded => "succeeded",
        /// Every attempt in the retry window failed; it can be redelivered by hand.
        Failed => "failed",
    }
);

crate::text_enum!(
    /// What a subscription's payloads show, fixed by its creator's role.
    PayloadView {
        /// Events of public records, with public fields only.
        Public => "public",
        /// Every event, with everything staff see (never contact details).
        Staff => "staff",
    }
);

/// The kinds of resource events are about, as in an event type's first part.
pub const RESOURCE_TYPES: &[&str] = &[
    "organisation",
    "meeting",
    "question",
    "response",
    "report",
    "programme",
    "recommendation",
    "action",
    "action_update",
];

/// A subscription's event type: `question.accepted`, or `question.*` for every event
/// about questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypePattern(String);

impl EventTypePattern {
    pub fn parse(field: &str, value: &str) -> FieldResult<Self> {
        let invalid = || {
            FieldError::new(
                field,
                format!(
                    "must be <resource>.<change> or <resource>.*, where <resource> is one of {}",
                    RESOURCE_TYPES.join(", ")
                ),
            )
        };
        let (resource, change) = value.split_once('.').ok_or_else(invalid)?;
        let change_ok = change == "*"
            || (!change.is_empty()
                && change.len() <= 40
                && change.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        if !RESOURCE_TYPES.contains(&resource) || !change_ok {
            return Err(invalid());
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The most event types one subscription lists.
pub const MAX_EVENT_TYPES: usize = 50;

/// A list of event types, each valid, without repeats, at most [`MAX_EVENT_TYPES`]; an
/// empty list subscribes to every event.
pub fn parse_event_types(field: &str, values: &[String]) -> FieldResult<Vec<String>> {
    if values.len() > MAX_EVENT_TYPES {
        return Err(FieldError::new(field, format!("must list at most {MAX_EVENT_TYPES}")));
    }
    let mut types: Vec<String> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let pattern = EventTypePattern::parse(&format!("{field}[{i}]"), value)?.into_inner();
        if types.contains(&pattern) {
            return Err(FieldError::new(format!("{field}[{i}]"), "is listed twice"));
        }
        types.push(pattern);
    }
    Ok(types)
}

/// Whether a subscription to `patterns` receives an event of `event_type`.
pub fn subscribes_to(patterns: &[String], event_type: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|pattern| match pattern.strip_suffix(".*") {
            Some(resource) => event_type.split_once('.').is_some_and(|(r, _)| r == resource),
            None => pattern == event_type,
        })
}

/// A webhook's target: an absolute http(s) URL without credentials. Unless private
/// targets are allowed, a literal private, loopback or link-local address, or
/// `localhost`, is refused here; names are checked again on every delivery, against
/// the addresses they resolve to then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(field: &str, value: &str, allow_private: bool) -> FieldResult<Self> {
        let url = HttpUrl::parse(field, value)?;
        if url.as_str().contains('#') {
            return Err(FieldError::new(field, "must not contain a fragment"));
        }
        if !allow_private {
            let parsed = url::Url::parse(url.as_str()).map_err(|_| FieldError::new(field, "is not a URL"))?;
            let private = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
                Some(url::Host::Domain(name)) => {
                    let name = name.trim_end_matches('.').to_ascii_lowercase();
                    name == "localhost" || name.ends_with(".localhost")
                }
                None => true,
            };
            if private {
                return Err(FieldError::new(
                    field,
                    "must not point at a private, loopback or link-local address",
                ));
            }
        }
        Ok(Self(url.as_str().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Whether `ip` is a public unicast address: not private, loopback, link-local,
/// unspecified, shared (CGNAT), documentation, benchmarking, multicast or broadcast,
/// nor such an address wrapped in IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => {
            if let Some(v4) = ip.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = ip.segments();
            let embedded = |high: u16, low: u16| {
                let [a, b] = high.to_be_bytes();
                let [c, d] = low.to_be_bytes();
                Ipv4Addr::new(a, b, c, d)
            };
            // Forms that carry an IPv4 address inside: the IPv4 address decides.
            if segments[0] == 0x2002 {
                // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 embeds AA.BB.CC.DD.
                return is_public_v4(embedded(segments[1], segments[2]));
            }
            if segments[..4] == [0; 4] && segments[4] == 0xffff && segments[5] == 0 {
                // IPv4-translated (RFC 2765): ::ffff:0:a.b.c.d.
                return is_public_v4(embedded(segments[6], segments[7]));
            }
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || (segments[0] & 0xfe00) == 0xfc00 // unique local
                || (segments[0] & 0xffc0) == 0xfe80 // link-local
                || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
                || (segments[0] == 0x0064 && segments[1] == 0xff9b) // NAT64 (embeds IPv4), 64:ff9b:1::/48 too
                || (segments[0] == 0x2001 && segments[1] == 0x0000) // Teredo (tunnels to an IPv4 host)
                || segments[..6] == [0; 6]) // IPv4-compatible (deprecated)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The `webhook-signature` header for a message, as the Standard Webhooks specification
/// defines it: `v1,` and the base64 HMAC-SHA256, keyed with the secret's decoded bytes,
/// of `<webhook-id>.<webhook-timestamp>.<body>`.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> anyhow::Result<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|e| anyhow::anyhow!("a webhook secret is not base64: {e}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| anyhow::anyhow!("{e}"))?;
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);

/// How long to wait after the `attempt`-th failed attempt (1-based): exponential from
/// `base`, capped at [`MAX_RETRY_DELAY`], with "equal jitter" (half the delay fixed,
/// half random, from `jitter` in 0..1) so that receivers coming back up are not hit
/// by every sender at once, while the delays still grow.
pub fn retry_delay(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << exponent).min(MAX_RETRY_DELAY);
    let half = full / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_reference_vector() {
        // From the specification's reference implementations' tests.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_new_secret_has_the_prefix_and_32_bytes() {
        let secret = new_secret();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix(SECRET_PREFIX).unwrap())
            .unwrap();
        assert_eq!(bytes.len(), 32);
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn event_type_patterns_name_a_known_resource() {
        for ok in [
            "question.accepted",
            "question.*",
            "action_update.posted",
            "response.published",
        ] {
            assert!(EventTypePattern::parse("t", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "question",
            "question.",
            "*.created",
            "user.created",
            "question.Accepted",
            "question.a.b",
        ] {
            assert!(EventTypePattern::parse("t", bad).is_err(), "{bad}");
        }
        let twice = parse_event_types("event_types", &["question.*".into(), "question.*".into()]).unwrap_err();
        assert_eq!(twice.field, "event_types[1]");
    }

    #[test]
    fn wildcards_match_every_change_of_their_resource_only() {
        let patterns = vec!["question.*".to_string(), "response.published".to_string()];
        assert!(subscribes_to(&patterns, "question.accepted"));
        assert!(subscribes_to(&patterns, "response.published"));
        assert!(!subscribes_to(&patterns, "response.created"));
        assert!(!subscribes_to(&patterns, "action.updated"));
        assert!(subscribes_to(&[], "action.updated"));
    }

    #[test]
    fn private_targets_are_refused_unless_allowed() {
        for private in [
            "http://127.0.0.1/hook",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            // IPv6 forms that embed a private IPv4 address.
            "http://[2002:a00:1::1]/",                        // 6to4 of 10.0.0.1
            "http://[2002:c0a8:1::]/",                        // 6to4 of 192.168.0.1
            "http://[2002:7f00:1::1]/",                       // 6to4 of 127.0.0.1
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo
            "http://[::ffff:0:10.0.0.1]/",                    // IPv4-translated
            "http://[::ffff:0:a9fe:a9fe]/",                   // IPv4-translated 169.254.169.254
            "http://[64:ff9b:1::a00:1]/",                     // local-use NAT64
        ] {
            assert!(WebhookUrl::parse("url", private, false).is_err(), "{private}");
            assert!(WebhookUrl::parse("url", private, true).is_ok(), "{private}");
        }
        assert!(WebhookUrl::parse("url", "https://council.example/hooks", false).is_ok());
        assert!(WebhookUrl::parse("url", "https://93.184.216.34/hooks", false).is_ok());
        // 6to4 of a public address is a public address.
        assert!(WebhookUrl::parse("url", "https://[2002:5db8:d822::1]/hooks", false).is_ok());
        assert!(WebhookUrl::parse("url", "ftp://council.example/", true).is_err());
        assert!(WebhookUrl::parse("url", "https://u:p@council.example/", true).is_err());
        assert!(WebhookUrl::parse("url", "https://council.example/#x", true).is_err());
    }

    #[test]
    fn retry_delays_grow_to_the_cap_and_keep_at_least_half() {
        let base = Duration::from_secs(5);
        assert_eq!(retry_delay(base, 1, 0.0), Duration::from_millis(2500));
        assert_eq!(retry_delay(base, 1, 1.0), Duration::from_secs(5));
        assert_eq!(retry_delay(base, 3, 1.0), Duration::from_secs(20));
        assert_eq!(retry_delay(base, 40, 1.0), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(base, 40, 0.0), MAX_RETRY_DELAY / 2);
        assert!(retry_delay(base, 4, 0.5) > retry_delay(base, 3, 0.5));
    }
}
