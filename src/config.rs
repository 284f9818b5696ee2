//! Configuration from the environment.
//!
//! Every setting has a safe default, so `scrutiny` runs with none set. A value that is
//! set but cannot be used stops start-up with one line naming the variable: a typo in
//! production must never fall back silently to a default.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;
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
    /// `DATABASE_READ_URL`: an optional read replica for anonymous reads; unreachable, reads
    /// fall back to the primary.
    pub database_read_url: Option<String>,
    /// `SCRUTINY_METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <it>`.
    pub metrics_token: Option<String>,
    /// `SCRUTINY_LOG_FORMAT`: `text` (default) or `json` (one object per line).
    pub log_format: LogFormat,
    /// `SCRUTINY_SHUTDOWN_GRACE_SECS`: after SIGTERM, how long `/health/ready` answers 503
    /// while still serving, so a load balancer stops sending traffic before the server
    /// stops accepting it (default 0).
    pub shutdown_grace_secs: u64,
    /// `SCRUTINY_ADDR`: where the HTTP server listens.
    pub addr: SocketAddr,
    /// `SCRUTINY_DATA_DIR`: where the private cluster's record, its generated JWT key and
    /// the first admin's password live; always absolute, so that a command run from
    /// another directory finds the same data. Unset: [`default_data_dir`]; a relative
    /// value is taken from the directory the command runs in, once, at start-up.
    pub data_dir: PathBuf,
    /// `SCRUTINY_DB_POOL_SIZE`: connections kept open to PostgreSQL.
    pub pool_size: usize,
    /// `SCRUTINY_DB_TIMEOUT_MS`: the longest a request waits for a connection before
    /// it is answered 503, and the connect timeout.
    pub db_timeout: Duration,
    /// `SCRUTINY_BODY_LIMIT`: the largest request body accepted, in bytes (413 above).
    pub body_limit: usize,
    /// `SCRUTINY_HASHING_CONCURRENCY`: how many password or secret hashes run at once,
    /// 1 to 64 (default: the number of cores). Each Argon2id hash holds 7 MiB.
    pub hashing_concurrency: usize,
    /// `SCRUTINY_HASHING_QUEUE`: how many more may wait for a turn, 0 to 1,000 (default
    /// 8); beyond that a sign-in is refused at once with 429 and `Retry-After`.
    pub hashing_queue: usize,
    /// `SCRUTINY_BODY_TIMEOUT_SECS`: how long a client may take to send a whole request
    /// body, 1 to 600 seconds (default 15); slower is a 408.
    pub body_timeout: Duration,
    /// `SCRUTINY_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `SCRUTINY_BASE_URL`: the service's public URL (`https://api.example.gov.uk`, no
    /// trailing slash), for the absolute links in Atom feeds and `Link` headers. Unset:
    /// the scheme and host the request came in on (through a trusted proxy, the ones it
    /// forwards).
    pub base_url: Option<String>,
    /// `SCRUTINY_TRUSTED_PROXIES`: the reverse proxies (addresses and CIDR networks)
    /// whose `X-Forwarded-For`, `X-Forwarded-Host` and `X-Forwarded-Proto` are believed;
    /// none by default, so those headers are ignored (see [`crate::http::proxy`]).
    pub trusted_proxies: Vec<IpNet>,
    /// `SCRUTINY_PUBLIC_URL_TEMPLATE`: the front end's page for a resource, with the
    /// placeholders `{type}` (`questions`, `responses` or `actions`) and `{id}`; when set,
    /// feed entries also link to it as `text/html`.
    pub public_url_template: Option<String>,
    /// `SCRUTINY_CSV_MAX_ROWS`: the most rows a `text/csv` export holds; when more match,
    /// the export is refused (422) before any row is sent (default 100000).
    pub csv_max_rows: u64,
    /// `SCRUTINY_CORS_ORIGINS`: browser origins allowed cross-origin access, comma-separated
    /// (`https://a.example,https://b.example`); none by default, so no CORS headers.
    pub cors_origins: Vec<String>,
    /// Webhook deliveries.
    pub webhooks: WebhookConfig,
    /// E-mail notifications.
    pub mail: MailConfig,
    /// Token signing and verification.
    pub auth: AuthConfig,
    /// The scheduled sync of the panel's meetings from ModernGov.
    pub moderngov: ModernGovConfig,
}

/// The scheduled sync of the panel's meetings from its council's ModernGov (see
/// [`crate::moderngov_sync`]): the same sync as `scrutiny sync-meetings`, every
/// `interval`, over the window from 12 months before today to 12 months after.
#[derive(Debug, Clone, Default)]
pub struct ModernGovConfig {
    /// `SCRUTINY_MODERNGOV_URL` and `SCRUTINY_MODERNGOV_COMMITTEE_ID` together; `None`
    /// (both unset): no scheduled sync. The other `SCRUTINY_MODERNGOV_*` settings need
    /// them.
    pub schedule: Option<ModernGovSchedule>,
}

/// What the scheduled sync takes, and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModernGovSchedule {
    /// `SCRUTINY_MODERNGOV_URL`: the ModernGov site's address
    /// (`https://democracy.example.gov.uk`, without `mgWebService.asmx`), stored without
    /// a trailing `/`.
    pub site: String,
    /// `SCRUTINY_MODERNGOV_COMMITTEE_ID`: the panel's committee in ModernGov
    /// (`lCommitteeId`, the `CId` in its pages' addresses), 1 to 2,147,483,647.
    pub committee_id: u64,
    /// `SCRUTINY_MODERNGOV_PANEL_ID`: the panel organisation that holds the meetings (a
    /// UUID); unset: the only panel there is (a run fails, and says so, while there are
    /// none or several).
    pub panel: Option<crate::domain::organisation::OrganisationId>,
    /// `SCRUTINY_MODERNGOV_SYNC_INTERVAL`: seconds from the end of one sync to the start
    /// of the next, 1 to 604,800 (a week); default 3600 (hourly). A failed sync is
    /// retried after the same interval.
    pub interval: Duration,
    /// `SCRUTINY_MODERNGOV_TIMEOUT_SECS`: how long ModernGov has to answer each request,
    /// 1 to 300 seconds; default 30. A whole run is abandoned (and nothing more written)
    /// after ten times this.
    pub timeout: Duration,
    /// `SCRUTINY_MODERNGOV_AGENDAS`: `true` fetches `GetMeeting` for each meeting held
    /// and not cancelled, and stores a dry run of its public questions item for the
    /// secretariat to confirm (`GET /api/v1/imports/pending`); default `false`.
    pub agendas: bool,
}

/// Reads the `SCRUTINY_MODERNGOV_*` settings: the address and the committee together,
/// the others only with them.
fn moderngov_config(get: &impl Fn(&str) -> Option<String>) -> Result<ModernGovConfig, ConfigError> {
    let url = get("SCRUTINY_MODERNGOV_URL").map(|v| v.trim().to_string());
    let committee = get("SCRUTINY_MODERNGOV_COMMITTEE_ID").map(|v| v.trim().to_string());
    const DEPENDENT: [&str; 4] = [
        "SCRUTINY_MODERNGOV_PANEL_ID",
        "SCRUTINY_MODERNGOV_SYNC_INTERVAL",
        "SCRUTINY_MODERNGOV_TIMEOUT_SECS",
        "SCRUTINY_MODERNGOV_AGENDAS",
    ];
    let (url, committee) = match (url, committee) {
        (None, None) => {
            if let Some(var) = DEPENDENT.iter().find(|var| get(var).is_some()) {
                return Err(ConfigError {
                    var,
                    value: get(var).unwrap_or_default(),
                    reason: "needs SCRUTINY_MODERNGOV_URL and SCRUTINY_MODERNGOV_COMMITTEE_ID, which are unset".into(),
                });
            }
            return Ok(ModernGovConfig { schedule: None });
        }
        (Some(_), None) => {
            return Err(ConfigError {
                var: "SCRUTINY_MODERNGOV_COMMITTEE_ID",
                value: String::new(),
                reason: "required when SCRUTINY_MODERNGOV_URL is set".into(),
            })
        }
        (None, Some(_)) => {
            return Err(ConfigError {
                var: "SCRUTINY_MODERNGOV_URL",
                value: String::new(),
                reason: "required when SCRUTINY_MODERNGOV_COMMITTEE_ID is set".into(),
            })
        }
        (Some(url), Some(committee)) => (url, committee),
    };
    let site = crate::moderngov::site_address(&url).map_err(|reason| ConfigError {
        var: "SCRUTINY_MODERNGOV_URL",
        // Never the credentials a refused address carried.
        value: url::Url::parse(&url)
            .map(|mut shown| {
                let _ = shown.set_password(None);
                let _ = shown.set_username("");
                shown.to_string()
            })
            .unwrap_or_default(),
        reason,
    })?;
    let committee_id = committee
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=i32::MAX as u64).contains(n))
        .ok_or_else(|| ConfigError {
            var: "SCRUTINY_MODERNGOV_COMMITTEE_ID",
            value: committee.clone(),
            reason: "expected ModernGov's committee id, a whole number from 1 to 2147483647".into(),
        })?;
    Ok(ModernGovConfig {
        schedule: Some(ModernGovSchedule {
            site,
            committee_id,
            panel: parse(get, "SCRUTINY_MODERNGOV_PANEL_ID", None, |v| {
                v.parse()
                    .map(Some)
                    .map_err(|_| "expected the panel organisation's id, a UUID".to_string())
            })?,
            interval: Duration::from_secs(parse(get, "SCRUTINY_MODERNGOV_SYNC_INTERVAL", 3600, |v| {
                positive(v, 1, 604_800).map(|n| n as u64)
            })?),
            timeout: Duration::from_secs(parse(get, "SCRUTINY_MODERNGOV_TIMEOUT_SECS", 30, |v| {
                positive(v, 1, 300).map(|n| n as u64)
            })?),
            agendas: parse(get, "SCRUTINY_MODERNGOV_AGENDAS", false, |v| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err("expected true or false".into()),
            })?,
        }),
    })
}

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `SCRUTINY_WEBHOOK_ALLOW_PRIVATE`: `true` lets webhooks target private, loopback
    /// and link-local addresses (tests and local development); `false` by default, so a
    /// subscription cannot reach into the network the service runs in.
    pub allow_private: bool,
    /// `SCRUTINY_WEBHOOK_TIMEOUT_MS`: how long a receiver has to answer (default 10000).
    pub timeout: Duration,
    /// `SCRUTINY_WEBHOOK_CONCURRENCY`: the most deliveries one instance sends at once,
    /// 1 to 1,000 (default 32). Each subscription has at most one in flight, so this is
    /// also how many receivers may be slow at once before the others wait for a slot.
    pub concurrency: usize,
    /// `SCRUTINY_WEBHOOK_RETRY_BASE_MS`: the wait after the first failure, doubled after
    /// each further one up to an hour, with jitter (default 5000).
    pub retry_base: Duration,
    /// `SCRUTINY_WEBHOOK_RETRY_WINDOW_SECS`: how long a failing delivery is retried
    /// before it is marked failed (default 86400: 24 hours).
    pub retry_window: Duration,
}

/// How e-mail notifications are sent (see [`crate::mail`]).
#[derive(Clone)]
pub struct MailConfig {
    /// `SCRUTINY_SMTP_URL` and `SCRUTINY_MAIL_FROM` together: where messages go and whom
    /// they are from. `None` (both unset): no message is queued or sent.
    pub smtp: Option<SmtpConfig>,
    /// `SCRUTINY_MAIL_RETRY_BASE_MS`: the wait after the first failed attempt, doubled
    /// after each further one up to an hour, with jitter (default 30000).
    pub retry_base: Duration,
    /// `SCRUTINY_MAIL_RETRY_WINDOW_SECS`: how long a message is retried before it is
    /// given up (default 172800: two days).
    pub retry_window: Duration,
}

/// The SMTP relay and the sender.
#[derive(Clone)]
pub struct SmtpConfig {
    /// `SCRUTINY_SMTP_URL`, as lettre reads it: `smtp://host:port` (plain; add
    /// `?tls=required` for STARTTLS, `?tls=opportunistic` for STARTTLS when offered),
    /// `smtps://host:port` (TLS from the start), with `user:password@` for AUTH.
    /// Secret: never logged.
    pub url: String,
    /// `SCRUTINY_MAIL_FROM`: a mailbox, `"Police, Fire & Crime Panel" <panel@example.gov.uk>`;
    /// its display name is the panel's name in messages.
    pub from: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp", &self.smtp.as_ref().map(|smtp| &smtp.from))
            .field("retry_base", &self.retry_base)
            .field("retry_window", &self.retry_window)
            .finish()
    }
}

/// Reads `SCRUTINY_SMTP_URL` and `SCRUTINY_MAIL_FROM`: both or neither.
fn smtp_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpConfig>, ConfigError> {
    let url = get("SCRUTINY_SMTP_URL")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let from = get("SCRUTINY_MAIL_FROM")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    match (url, from) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError {
            var: "SCRUTINY_MAIL_FROM",
            value: String::new(),
            reason: "required when SCRUTINY_SMTP_URL is set".into(),
        }),
        (None, Some(from)) => Err(ConfigError {
            var: "SCRUTINY_SMTP_URL",
            value: from,
            reason: "required when SCRUTINY_MAIL_FROM is set".into(),
        }),
        (Some(url), Some(from)) => {
            let parsed = url::Url::parse(&url).ok();
            if !parsed
                .as_ref()
                .is_some_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host().is_some())
            {
                return Err(ConfigError {
                    var: "SCRUTINY_SMTP_URL",
                    // It may hold a password.
                    value: "***".into(),
                    reason: "expected smtp://host[:port] (add ?tls=required for STARTTLS) or smtps://host[:port]"
                        .into(),
                });
            }
            if from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(ConfigError {
                    var: "SCRUTINY_MAIL_FROM",
                    value: from,
                    reason: "expected a mailbox, like \"Police, Fire & Crime Panel\" <panel@example.gov.uk> (a name with a comma in double quotes)".into(),
                });
            }
            Ok(Some(SmtpConfig { url, from }))
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// How tokens are signed and which are accepted.
#[derive(Clone)]
pub struct AuthConfig {
    /// `SCRUTINY_JWT_SECRET`: the HS256 key for the tokens this service issues, at least
    /// 32 bytes. Required when `DATABASE_URL` is set; in the zero-config run a random key
    /// is generated once and kept in the data directory.
    pub jwt_secret: Option<Vec<u8>>,
    /// `SCRUTINY_JWT_PREVIOUS_SECRET`: the key before a rotation, accepted for
    /// verification only, so tokens signed just before the switch keep working.
    pub previous_jwt_secret: Option<Vec<u8>>,
    /// `SCRUTINY_JWT_ISSUER` (default `scrutiny`).
    pub issuer: String,
    /// `SCRUTINY_JWT_AUDIENCE` (default `scrutiny-api`).
    pub audience: String,
    /// `SCRUTINY_JWT_TTL_SECS`: lifetime of issued tokens (default 3600).
    pub token_ttl_secs: u64,
    /// `SCRUTINY_EXTERNAL_JWT_KEYS`: a PEM public key or JWKS file of an external
    /// identity provider whose RS256/ES256 tokens are accepted too.
    pub external_keys: Option<PathBuf>,
    /// `SCRUTINY_EXTERNAL_JWT_ISSUER`: required with external keys.
    pub external_issuer: Option<String>,
    /// `SCRUTINY_EXTERNAL_JWT_AUDIENCE`: required with external keys.
    pub external_audience: Option<String>,
    /// `SCRUTINY_EXTERNAL_JWT_ROLES_CLAIM`: the claim holding the roles (default `roles`).
    pub external_roles_claim: String,
}

impl std::fmt::Debug for AuthConfig {
    // The secret never reaches a log line, even through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("previous_jwt_secret", &self.previous_jwt_secret.as_ref().map(|_| "***"))
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("external_keys", &self.external_keys)
            .field("external_issuer", &self.external_issuer)
            .field("external_audience", &self.external_audience)
            .field("external_roles_claim", &self.external_roles_claim)
            .finish()
    }
}

/// The data directory when `SCRUTINY_DATA_DIR` is unset: `scrutiny` in the user's data
/// directory (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application
/// Support` on macOS), the same whichever directory a command runs in. `None` when the
/// user has no home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join("scrutiny"))
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
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Some(url),
            Some(url) => {
                return Err(ConfigError {
                    var: "DATABASE_URL",
                    value: redact_url(&url),
                    reason: "expected a postgres:// or postgresql:// URL".into(),
                })
            }
            None => None,
        };
        let database_read_url = match get("DATABASE_READ_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Some(url),
            Some(url) => {
                return Err(ConfigError {
                    var: "DATABASE_READ_URL",
                    value: redact_url(&url),
                    reason: "expected a postgres:// or postgresql:// URL".into(),
                })
            }
            None => None,
        };
        Ok(Self {
            database_url,
            database_read_url,
            metrics_token: get("SCRUTINY_METRICS_TOKEN"),
            log_format: parse(&get, "SCRUTINY_LOG_FORMAT", LogFormat::Text, |v| match v {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err("expected text or json".into()),
            })?,
            shutdown_grace_secs: parse(&get, "SCRUTINY_SHUTDOWN_GRACE_SECS", 0, |v| {
                v.parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 300)
                    .ok_or_else(|| "expected 0 to 300".to_string())
            })?,
            addr: parse(&get, "SCRUTINY_ADDR", "127.0.0.1:8080".parse().unwrap(), |v| {
                v.parse::<SocketAddr>().map_err(|e| e.to_string())
            })?,
            data_dir: match get("SCRUTINY_DATA_DIR") {
                Some(dir) => std::path::absolute(&dir).map_err(|e| ConfigError {
                    var: "SCRUTINY_DATA_DIR",
                    value: dir.clone(),
                    reason: e.to_string(),
                })?,
                None => default_data_dir().ok_or_else(|| ConfigError {
                    var: "SCRUTINY_DATA_DIR",
                    value: String::new(),
                    reason: "unset, and this user has no home directory to keep the data in: set it".into(),
                })?,
            },
            pool_size: parse(&get, "SCRUTINY_DB_POOL_SIZE", 16, |v| positive(v, 1, 1000))?,
            db_timeout: Duration::from_millis(parse(&get, "SCRUTINY_DB_TIMEOUT_MS", 2000, |v| {
                positive(v, 10, 120_000).map(|n| n as u64)
            })?),
            body_limit: parse(&get, "SCRUTINY_BODY_LIMIT", 64 * 1024, |v| {
                positive(v, 1024, 16 * 1024 * 1024)
            })?,
            hashing_concurrency: parse(
                &get,
                "SCRUTINY_HASHING_CONCURRENCY",
                std::thread::available_parallelism().map_or(2, |n| n.get().min(64)),
                |v| positive(v, 1, 64),
            )?,
            hashing_queue: parse(&get, "SCRUTINY_HASHING_QUEUE", 8, |v| positive(v, 0, 1000))?,
            body_timeout: Duration::from_secs(parse(&get, "SCRUTINY_BODY_TIMEOUT_SECS", 15, |v| {
                positive(v, 1, 600).map(|n| n as u64)
            })?),
            workers: match get("SCRUTINY_WORKERS") {
                None => None,
                Some(_) => Some(parse(&get, "SCRUTINY_WORKERS", 1, |v| positive(v, 1, 256))?),
            },
            base_url: parse(&get, "SCRUTINY_BASE_URL", None, |v| {
                http_url(v)?;
                Ok(Some(v.trim_end_matches('/').to_string()))
            })?,
            trusted_proxies: parse(&get, "SCRUTINY_TRUSTED_PROXIES", Vec::new(), trusted_proxies)?,
            public_url_template: parse(&get, "SCRUTINY_PUBLIC_URL_TEMPLATE", None, |v| {
                public_url_template(v).map(Some)
            })?,
            csv_max_rows: parse(&get, "SCRUTINY_CSV_MAX_ROWS", 100_000, |v| {
                positive(v, 1, 10_000_000).map(|n| n as u64)
            })?,
            cors_origins: match get("SCRUTINY_CORS_ORIGINS") {
                None => Vec::new(),
                Some(_) => parse(&get, "SCRUTINY_CORS_ORIGINS", Vec::new(), cors_origins)?,
            },
            webhooks: WebhookConfig {
                allow_private: parse(&get, "SCRUTINY_WEBHOOK_ALLOW_PRIVATE", false, |v| match v {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err("expected true or false".into()),
                })?,
                timeout: Duration::from_millis(parse(&get, "SCRUTINY_WEBHOOK_TIMEOUT_MS", 10_000, |v| {
                    positive(v, 100, 120_000).map(|n| n as u64)
                })?),
                concurrency: parse(&get, "SCRUTINY_WEBHOOK_CONCURRENCY", 32, |v| positive(v, 1, 1000))?,
                retry_base: Duration::from_millis(parse(&get, "SCRUTINY_WEBHOOK_RETRY_BASE_MS", 5_000, |v| {
                    positive(v, 10, 3_600_000).map(|n| n as u64)
                })?),
                retry_window: Duration::from_secs(parse(&get, "SCRUTINY_WEBHOOK_RETRY_WINDOW_SECS", 86_400, |v| {
                    positive(v, 1, 30 * 86_400).map(|n| n as u64)
                })?),
            },
            mail: MailConfig {
                smtp: smtp_config(&get)?,
                retry_base: Duration::from_millis(parse(&get, "SCRUTINY_MAIL_RETRY_BASE_MS", 30_000, |v| {
                    positive(v, 10, 3_600_000).map(|n| n as u64)
                })?),
                retry_window: Duration::from_secs(parse(&get, "SCRUTINY_MAIL_RETRY_WINDOW_SECS", 172_800, |v| {
                    positive(v, 1, 30 * 86_400).map(|n| n as u64)
                })?),
            },
            auth: auth_config(&get)?,
            moderngov: moderngov_config(&get)?,
        })
    }
}

/// A comma-separated list of origins, each `scheme://host[:port]` with nothing after it.
fn cors_origins(value: &str) -> Result<Vec<String>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let url = url::Url::parse(origin).map_err(|e| format!("{origin:?} is not an origin: {e}"))?;
            let serialized = url.origin().ascii_serialization();
            if !matches!(url.scheme(), "http" | "https") || serialized != origin.trim_end_matches('/') {
                return Err(format!(
                    "{origin:?} is not an origin: expected scheme://host[:port], like https://council.example"
                ));
            }
            Ok(serialized)
        })
        .collect()
}

/// Parses `SCRUTINY_TRUSTED_PROXIES`: comma-separated addresses (`10.0.0.7`, `::1`) and
/// networks in CIDR notation (`10.0.0.0/8`, `fd00::/8`); empty entries are skipped.
pub fn trusted_proxies(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            IpNet::from_str(entry)
                .map(|net| net.trunc())
                .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                .map_err(|_| format!("{entry:?} is neither an IP address nor a CIDR network like 10.0.0.0/8"))
        })
        .collect()
}

fn auth_config(get: &impl Fn(&str) -> Option<String>) -> Result<AuthConfig, ConfigError> {
    let jwt_secret = match get("SCRUTINY_JWT_SECRET") {
        Some(secret) if secret.len() < 32 => {
            return Err(ConfigError {
                var: "SCRUTINY_JWT_SECRET",
                value: "***".into(),
                reason: "must be at least 32 bytes (try `openssl rand -base64 48`)".into(),
            })
        }
        secret => secret.map(String::into_bytes),
    };
    let external_keys = get("SCRUTINY_EXTERNAL_JWT_KEYS").map(PathBuf::from);
    let external_issuer = get("SCRUTINY_EXTERNAL_JWT_ISSUER");
    let external_audience = get("SCRUTINY_EXTERNAL_JWT_AUDIENCE");
    if external_keys.is_some() {
        for (var, value) in [
            ("SCRUTINY_EXTERNAL_JWT_ISSUER", &external_issuer),
            ("SCRUTINY_EXTERNAL_JWT_AUDIENCE", &external_audience),
        ] {
            if value.is_none() {
                return Err(ConfigError {
                    var,
                    value: String::new(),
                    reason: "is required when SCRUTINY_EXTERNAL_JWT_KEYS is set".into(),
                });
            }
        }
    }
    let previous_jwt_secret = match get("SCRUTINY_JWT_PREVIOUS_SECRET") {
        Some(secret) if secret.len() < 32 => {
            return Err(ConfigError {
                var: "SCRUTINY_JWT_PREVIOUS_SECRET",
                value: "***".into(),
                reason: "must be at least 32 bytes".into(),
            })
        }
        secret => secret.map(String::into_bytes),
    };
    Ok(AuthConfig {
        jwt_secret,
        previous_jwt_secret,
        issuer: get("SCRUTINY_JWT_ISSUER").unwrap_or_else(|| "scrutiny".into()),
        audience: get("SCRUTINY_JWT_AUDIENCE").unwrap_or_else(|| "scrutiny-api".into()),
        token_ttl_secs: parse(get, "SCRUTINY_JWT_TTL_SECS", 3600, |v| {
            positive(v, 60, 86_400).map(|n| n as u64)
        })?,
        external_keys,
        external_issuer,
        external_audience,
        external_roles_claim: get("SCRUTINY_EXTERNAL_JWT_ROLES_CLAIM").unwrap_or_else(|| "roles".into()),
    })
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

fn http_url(value: &str) -> Result<(), String> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err("expected an absolute http:// or https:// URL".into()),
    }
}

/// A front-end URL template: an http(s) URL with `{id}` and optionally `{type}`, and no
/// other placeholder.
fn public_url_template(value: &str) -> Result<String, String> {
    if !value.contains("{id}") {
        return Err("expected a URL with the placeholder {id} (and optionally {type})".into());
    }
    let example = value.replace("{type}", "questions").replace("{id}", "0");
    if example.contains(['{', '}']) {
        return Err("the only placeholders are {type} and {id}".into());
    }
    http_url(&example)?;
    Ok(value.to_string())
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
    fn trusted_proxies_are_addresses_and_networks() {
        let nets = |value: &str| trusted_proxies(value).unwrap();
        let ip = |value: &str| value.parse::<IpAddr>().unwrap();
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        let error = config(&[("SCRUTINY_TRUSTED_PROXIES", "10.0.0.1, proxy.internal")]).unwrap_err();
        assert_eq!(error.var, "SCRUTINY_TRUSTED_PROXIES");
        assert_eq!(nets("").len(), 0);
        assert_eq!(nets(" 10.0.0.7 , fd00::/8,,192.168.1.9/16 ").len(), 3);
        assert!(nets("192.168.1.9/16")[0].contains(&ip("192.168.200.1")));
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.1-10.0.0.9", "*"] {
            assert!(trusted_proxies(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_relative_data_dir_is_made_absolute_once_so_no_later_directory_change_moves_it() {
        let config = config(&[("SCRUTINY_DATA_DIR", "some/data")]).unwrap();
        assert!(config.data_dir.is_absolute());
        assert_eq!(config.data_dir, std::env::current_dir().unwrap().join("some/data"));
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(Some(&config.data_dir), default_data_dir().as_ref());
        assert!(config.data_dir.is_absolute());
        assert!(config.database_url.is_none());
        assert_eq!(config.body_limit, 65536);
        assert_eq!(config.body_timeout, Duration::from_secs(15));
        assert_eq!(config.webhooks.concurrency, 32);
    }

    #[test]
    fn webhook_concurrency_is_bounded_both_ways() {
        assert_eq!(
            config(&[("SCRUTINY_WEBHOOK_CONCURRENCY", "1")])
                .unwrap()
                .webhooks
                .concurrency,
            1
        );
        for bad in ["0", "1001", "-1", "many"] {
            let error = config(&[("SCRUTINY_WEBHOOK_CONCURRENCY", bad)]).unwrap_err();
            assert_eq!(error.var, "SCRUTINY_WEBHOOK_CONCURRENCY");
        }
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
    fn cors_origins_are_a_list_of_bare_origins() {
        assert!(config(&[]).unwrap().cors_origins.is_empty());
        let config_ok = config(&[("SCRUTINY_CORS_ORIGINS", "https://a.example, http://localhost:3000,")]).unwrap();
        assert_eq!(config_ok.cors_origins, ["https://a.example", "http://localhost:3000"]);
        for bad in ["a.example", "https://a.example/path", "*", "ftp://a.example"] {
            let error = config(&[("SCRUTINY_CORS_ORIGINS", bad)]).unwrap_err();
            assert_eq!(error.var, "SCRUTINY_CORS_ORIGINS", "{bad}");
        }
        assert_eq!(config(&[]).unwrap().csv_max_rows, 100_000);
        assert_eq!(
            config(&[("SCRUTINY_CSV_MAX_ROWS", "0")]).unwrap_err().var,
            "SCRUTINY_CSV_MAX_ROWS"
        );
    }

    #[test]
    fn a_database_url_must_be_postgres_and_its_password_is_never_echoed() {
        let error = config(&[("DATABASE_URL", "mysql://u:secret@host/db")]).unwrap_err();
        assert_eq!(error.var, "DATABASE_URL");
        assert!(!error.to_string().contains("secret"));
    }

    #[test]
    fn a_short_jwt_secret_is_refused_without_echoing_it() {
        let error = config(&[("SCRUTINY_JWT_SECRET", "short-secret")]).unwrap_err();
        assert_eq!(error.var, "SCRUTINY_JWT_SECRET");
        assert!(!error.to_string().contains("short-secret"));
    }

    #[test]
    fn external_keys_need_an_issuer_and_audience() {
        let error = config(&[("SCRUTINY_EXTERNAL_JWT_KEYS", "/etc/idp.pem")]).unwrap_err();
        assert_eq!(error.var, "SCRUTINY_EXTERNAL_JWT_ISSUER");
    }

    #[test]
    fn feed_urls_must_be_http_and_templates_use_known_placeholders() {
        let set = config(&[
            ("SCRUTINY_BASE_URL", "https://api.example.gov.uk/"),
            (
                "SCRUTINY_PUBLIC_URL_TEMPLATE",
                "https://panel.example.gov.uk/{type}/{id}",
            ),
        ])
        .unwrap();
        assert_eq!(set.base_url.as_deref(), Some("https://api.example.gov.uk"));
        assert!(set.public_url_template.is_some());
        for (var, value) in [
            ("SCRUTINY_BASE_URL", "api.example.gov.uk"),
            ("SCRUTINY_BASE_URL", "ftp://api.example.gov.uk"),
            ("SCRUTINY_PUBLIC_URL_TEMPLATE", "https://panel.example.gov.uk/questions"),
            (
                "SCRUTINY_PUBLIC_URL_TEMPLATE",
                "https://panel.example.gov.uk/{kind}/{id}",
            ),
            ("SCRUTINY_PUBLIC_URL_TEMPLATE", "/{type}/{id}"),
        ] {
            assert_eq!(config(&[(var, value)]).unwrap_err().var, var, "{value}");
        }
    }

    #[test]
    fn the_moderngov_schedule_is_off_unless_its_address_and_committee_are_set() {
        assert!(config(&[]).unwrap().moderngov.schedule.is_none());
        let set = config(&[
            ("SCRUTINY_MODERNGOV_URL", "https://democracy.example.gov.uk/"),
            ("SCRUTINY_MODERNGOV_COMMITTEE_ID", "153"),
        ])
        .unwrap();
        let schedule = set.moderngov.schedule.unwrap();
        assert_eq!(schedule.site, "https://democracy.example.gov.uk");
        assert_eq!(schedule.committee_id, 153);
        assert_eq!(schedule.interval, Duration::from_secs(3600));
        assert_eq!(schedule.timeout, Duration::from_secs(30));
        assert!(!schedule.agendas && schedule.panel.is_none());
        let url = ("SCRUTINY_MODERNGOV_URL", "https://democracy.example.gov.uk");
        let committee = ("SCRUTINY_MODERNGOV_COMMITTEE_ID", "153");
        for (vars, var) in [
            (vec![url], "SCRUTINY_MODERNGOV_COMMITTEE_ID"),
            (vec![committee], "SCRUTINY_MODERNGOV_URL"),
            (
                vec![("SCRUTINY_MODERNGOV_SYNC_INTERVAL", "60")],
                "SCRUTINY_MODERNGOV_SYNC_INTERVAL",
            ),
            (
                vec![("SCRUTINY_MODERNGOV_AGENDAS", "true")],
                "SCRUTINY_MODERNGOV_AGENDAS",
            ),
            (
                vec![("SCRUTINY_MODERNGOV_URL", "democracy.example.gov.uk"), committee],
                "SCRUTINY_MODERNGOV_URL",
            ),
            (
                vec![
                    ("SCRUTINY_MODERNGOV_URL", "https://x.example/mgWebService.asmx"),
                    committee,
                ],
                "SCRUTINY_MODERNGOV_URL",
            ),
            (
                vec![url, ("SCRUTINY_MODERNGOV_COMMITTEE_ID", "0")],
                "SCRUTINY_MODERNGOV_COMMITTEE_ID",
            ),
            (
                vec![url, ("SCRUTINY_MODERNGOV_COMMITTEE_ID", "x")],
                "SCRUTINY_MODERNGOV_COMMITTEE_ID",
            ),
            (
                vec![url, committee, ("SCRUTINY_MODERNGOV_SYNC_INTERVAL", "0")],
                "SCRUTINY_MODERNGOV_SYNC_INTERVAL",
            ),
            (
                vec![url, committee, ("SCRUTINY_MODERNGOV_TIMEOUT_SECS", "301")],
                "SCRUTINY_MODERNGOV_TIMEOUT_SECS",
            ),
            (
                vec![url, committee, ("SCRUTINY_MODERNGOV_PANEL_ID", "panel")],
                "SCRUTINY_MODERNGOV_PANEL_ID",
            ),
            (
                vec![url, committee, ("SCRUTINY_MODERNGOV_AGENDAS", "yes")],
                "SCRUTINY_MODERNGOV_AGENDAS",
            ),
        ] {
            assert_eq!(config(&vars).unwrap_err().var, var, "{vars:?}");
        }
        let tuned = config(&[
            url,
            committee,
            ("SCRUTINY_MODERNGOV_SYNC_INTERVAL", "1"),
            ("SCRUTINY_MODERNGOV_TIMEOUT_SECS", "2"),
            ("SCRUTINY_MODERNGOV_AGENDAS", "true"),
            ("SCRUTINY_MODERNGOV_PANEL_ID", "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c"),
        ])
        .unwrap()
        .moderngov
        .schedule
        .unwrap();
        assert_eq!(tuned.interval, Duration::from_secs(1));
        assert_eq!(tuned.timeout, Duration::from_secs(2));
        assert!(tuned.agendas && tuned.panel.is_some());
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
