//! Where a request came from and which URL it was sent to, believing a proxy's
//! `X-Forwarded-*` headers only when the proxy is one the operator named
//! (`SCRUTINY_TRUSTED_PROXIES`).
//!
//! Anyone can send `X-Forwarded-Host: attacker.example` or `X-Forwarded-For: 1.2.3.4`.
//! Believed from anyone, the first would put the attacker's host into feed and `Link`
//! URLs that a shared cache then serves to everybody (feeds are `Cache-Control: public`),
//! and the second would give every request a fresh address for the per-address limits.
//! So these headers count only when the connection's peer is a trusted proxy, and then:
//!
//! - the client's address is the right-most `X-Forwarded-For` entry that is not itself a
//!   trusted proxy (entries to its left were written by the client and prove nothing);
//! - the host and scheme are the last `X-Forwarded-Host` and `X-Forwarded-Proto`
//!   entries (the nearest proxy's), when they are a well-formed host and `http`/`https`.
//!
//! `Forwarded` (RFC 7239) is never read: proxies that write `X-Forwarded-*` pass a
//! client's own `Forwarded` header through untouched, so believing both would let the
//! client choose. Without a trusted proxy the host is the request's `Host`, the scheme
//! the connection's, and the address the peer's. `SCRUTINY_BASE_URL`, when set, is the
//! service's URL whatever any header says.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::http::header::{HeaderMap, HeaderName, HOST};
use actix_web::http::uri::Authority;
use actix_web::{web, HttpRequest};
use ipnet::IpNet;

use crate::app::AppState;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The URL of `path_and_query` (which starts with `/`, or is empty for the service's
/// root) on this service: under `SCRUTINY_BASE_URL` when it is set, otherwise at the
/// scheme and host the caller reached, as described in the module documentation.
pub fn absolute_url(req: &HttpRequest, path_and_query: &str) -> String {
    let state = req.app_data::<web::Data<AppState>>();
    if let Some(base) = state.and_then(|state| state.config.base_url.as_deref()) {
        return format!("{base}{path_and_query}");
    }
    let trusted = trusted_peer(req, state);
    let scheme = trusted
        .then(|| last_entry(req.headers(), &X_FORWARDED_PROTO))
        .flatten()
        .and_then(scheme_of)
        .unwrap_or(if req.app_config().secure() { "https" } else { "http" });
    let host = trusted
        .then(|| last_entry(req.headers(), &X_FORWARDED_HOST))
        .flatten()
        .and_then(host_of)
        .or_else(|| req.headers().get(HOST).and_then(|v| v.to_str().ok()).and_then(host_of))
        // No usable `Host` (HTTP/1.0, or not a host at all): the address the request
        // reached, which at least no client chose.
        .unwrap_or_else(|| req.app_config().local_addr().to_string());
    format!("{scheme}://{host}{path_and_query}")
}

/// The caller's IP address, as text, for per-address limits and scopes: the peer's, or
/// behind a trusted proxy the client's that the proxy reports (see the module
/// documentation). Empty when the connection has no peer address (never over TCP).
pub fn client_address(req: &HttpRequest) -> String {
    let state = req.app_data::<web::Data<AppState>>();
    let trusted: &[IpNet] = state.map_or(&[], |state| &state.config.trusted_proxies);
    let forwarded_for: Vec<&str> = req
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok())
        .collect();
    client_ip(req.peer_addr().map(|a| a.ip()), &forwarded_for, trusted)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// Whether the connection's peer is one of the configured proxies.
fn trusted_peer(req: &HttpRequest, state: Option<&web::Data<AppState>>) -> bool {
    let trusted: &[IpNet] = state.map_or(&[], |state| &state.config.trusted_proxies);
    req.peer_addr()
        .is_some_and(|peer| is_trusted(peer.ip().to_canonical(), trusted))
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// The client's address given the peer's and the `X-Forwarded-For` header lines: walking
/// from the right past trusted proxies, the first address that is not one. An entry that
/// is not an address ends the walk at the proxy that wrote it.
fn client_ip(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if !is_trusted(client, trusted) {
        return Some(client);
    }
    let entries: Vec<&str> = forwarded_for.iter().flat_map(|line| line.split(',')).collect();
    for entry in entries.iter().rev() {
        let Some(ip) = ip_of(entry.trim()) else {
            break;
        };
        client = ip;
        if !is_trusted(ip, trusted) {
            break;
        }
    }
    Some(client)
}

/// An `X-Forwarded-For` entry's address: a bare IPv4 or IPv6 address, or one with a
/// port (`192.0.2.1:4711`, `[2001:db8::1]:4711`), as some proxies write it.
fn ip_of(entry: &str) -> Option<IpAddr> {
    IpAddr::from_str(entry)
        .or_else(|_| SocketAddr::from_str(entry).map(|a| a.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The last comma-separated entry of a header (over all its lines): the nearest proxy's.
fn last_entry<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get_all(name)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .next_back()
        .filter(|entry| !entry.is_empty())
}

fn scheme_of(value: &str) -> Option<&'static str> {
    if value.eq_ignore_ascii_case("https") {
        Some("https")
    } else if value.eq_ignore_ascii_case("http") {
        Some("http")
    } else {
        None
    }
}

/// `value` when it is a host with an optional port and nothing else: no user
/// information, path, spaces or angle brackets to smuggle into a URL or a `Link` header.
fn host_of(value: &str) -> Option<String> {
    let authority = Authority::from_str(value).ok()?;
    let host = authority.host();
    (!value.contains('@') && !host.is_empty() && authority.as_str() == value).then(|| value.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(value: &str) -> Vec<IpNet> {
        crate::config::trusted_proxies(value).unwrap()
    }

    fn ip(value: &str) -> IpAddr {
        value.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_peer() {
        let trusted = nets("127.0.0.1/32, 10.0.0.0/8");
        let untrusted_peer = Some(ip("203.0.113.9"));
        assert_eq!(client_ip(untrusted_peer, &["198.51.100.1"], &trusted), untrusted_peer);
        assert_eq!(client_ip(untrusted_peer, &["198.51.100.1"], &[]), untrusted_peer);
        let proxy = Some(ip("127.0.0.1"));
        assert_eq!(client_ip(proxy, &["198.51.100.1"], &trusted), Some(ip("198.51.100.1")));
        // What the client wrote before the proxy appended the real address is ignored.
        assert_eq!(
            client_ip(proxy, &["6.6.6.6, 198.51.100.1"], &trusted),
            Some(ip("198.51.100.1"))
        );
        // Through two trusted proxies, over two header lines.
        assert_eq!(
            client_ip(proxy, &["6.6.6.6, 198.51.100.1", "10.1.2.3"], &trusted),
            Some(ip("198.51.100.1"))
        );
        // Garbage where the nearest proxy's entry should be: the proxy is the client.
        assert_eq!(client_ip(proxy, &["198.51.100.1, unknown"], &trusted), proxy);
        assert_eq!(client_ip(proxy, &[""], &trusted), proxy);
        assert_eq!(client_ip(proxy, &[], &trusted), proxy);
        // Ports and IPv4-mapped IPv6 addresses.
        assert_eq!(
            client_ip(proxy, &["[2001:db8::1]:4711"], &trusted),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(
            client_ip(Some(ip("::ffff:127.0.0.1")), &["198.51.100.1:80"], &trusted),
            Some(ip("198.51.100.1"))
        );
    }

    #[test]
    fn only_a_bare_host_and_port_is_a_host() {
        assert_eq!(host_of("Council.Example:8443").as_deref(), Some("council.example:8443"));
        assert_eq!(host_of("[2001:db8::1]:80").as_deref(), Some("[2001:db8::1]:80"));
        for bad in [
            "",
            "a b",
            "evil.example>; rel=\"next\"",
            "user@evil.example",
            "evil.example/path",
            "evil.example?x",
            ":80",
            "<script>",
        ] {
            assert_eq!(host_of(bad), None, "{bad:?}");
        }
        assert_eq!(scheme_of("HTTPS"), Some("https"));
        assert_eq!(scheme_of("javascript"), None);
    }
}
