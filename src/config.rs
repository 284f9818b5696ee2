//! Configuration from the environment.
//!
//! Every setting has a safe default, so `scrutiny` runs with none set. A value that is
//! set but cannot be used stops start-up with one line naming the variable: a typo in
//! production must never fall back silently to a default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A variable that was set to something unusable.
#[derive(Debug, thiserror::Error)]
#[error("invalid {var}={value:?}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub reason: String,
}

/// Settings for one running instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: a PostgreSQL URL. Unset means the private cluster under
    /// `data_dir`, started and stopped by the service itself.
    pub database_url: Option<String>,
    /// `SCRUTINY_ADDR`: where the HTTP server listens.
    pub addr: SocketAddr,
    /// `SCRUTINY_DATA_DIR`: where the private cluster and other local state live.
    pub data_dir: PathBuf,
    /// `SCRUTINY_DB_POOL_SIZE`: connections kept open to PostgreSQL.
    pub pool_size: usize,
    /// `SCRUTINY_DB_TIMEOUT_MS`: the longest a request waits for a connection before
    /// it is answered 503, and the connect timeout.
    pub db_timeout: Duration,
    /// `SCRUTINY_BODY_LIMIT`: the largest request body accepted, in bytes (413 above).
    pub body_limit: usize,
    /// `SCRUTINY_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so that tests need not touch the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let database_url = match get("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Some(url)
            }
            Some(url) => {
                return Err(ConfigError {
                    var: "DATABASE_URL",
                    value: redact_url(&url),
                    reason: "expected a postgres:// or postgresql:// URL".into(),
                })
            }
            None => None,
        };
        Ok(Self {
            database_url,
            addr: parse(
                &get,
                "SCRUTINY_ADDR",
                "127.0.0.1:8080".parse().unwrap(),
                |v| v.parse::<SocketAddr>().map_err(|e| e.to_string()),
            )?,
            data_dir: get("SCRUTINY_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("./.data")),
            pool_size: parse(&get, "SCRUTINY_DB_POOL_SIZE", 16, |v| positive(v, 1, 1000))?,
            db_timeout: Duration::from_millis(parse(&get, "SCRUTINY_DB_TIMEOUT_MS", 2000, |v| {
                positive(v, 10, 120_000).map(|n| n as u64)
            })?),
            body_limit: parse(&get, "SCRUTINY_BODY_LIMIT", 64 * 1024, |v| {
                positive(v, 1024, 16 * 1024 * 1024)
            })?,
            workers: match get("SCRUTINY_WORKERS") {
                None => None,
                Some(_) => Some(parse(&get, "SCRUTINY_WORKERS", 1, |v| positive(v, 1, 256))?),
            },
        })
    }
}

fn parse<T>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(value) => parse(value.trim()).map_err(|reason| ConfigError { var, value, reason }),
    }
}

fn positive(value: &str, min: usize, max: usize) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

/// A URL fit for a log line or an error message: any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./.data"));
        assert!(config.database_url.is_none());
        assert_eq!(config.body_limit, 65536);
    }

    #[test]
    fn an_invalid_value_names_its_variable() {
        let error = config(&[("SCRUTINY_ADDR", "localhost")]).unwrap_err();
        assert_eq!(error.var, "SCRUTINY_ADDR");
        assert!(error.to_string().starts_with("invalid SCRUTINY_ADDR="));
        let error = config(&[("SCRUTINY_DB_POOL_SIZE", "0")]).unwrap_err();
        assert_eq!(error.var, "SCRUTINY_DB_POOL_SIZE");
    }

    #[test]
    fn a_database_url_must_be_postgres_and_its_password_is_never_echoed() {
        let error = config(&[("DATABASE_URL", "mysql://u:secret@host/db")]).unwrap_err();
        assert_eq!(error.var, "DATABASE_URL");
        assert!(!error.to_string().contains("secret"));
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
    }
}
