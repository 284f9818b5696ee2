//! Authentication and authorisation.
//!
//! How to use it in a handler: take [`Require<R>`] where `R` names the roles allowed
//! (`Require<Admins>`), so the requirement is in the signature; take [`Caller`] where
//! anonymous callers are allowed too. Both answer 401 (with `WWW-Authenticate: Bearer`)
//! for a missing, forged, expired or revoked token, and `Require` answers 403 when the
//! caller lacks the roles. Object-level checks ("does your organisation own this?") go
//! right after the row is loaded, with [`Principal::organisation`].
//!
//! Tokens are JWTs. The service signs its own with HS256 (`SCRUTINY_JWT_SECRET`); when an
//! external identity provider is configured, its RS256/ES256 tokens are accepted too.
//! The algorithm in a token's header selects the key, and each key accepts only its own
//! algorithm, so an HS256 token can never be verified with a public RSA key (the classic
//! algorithm-confusion attack). For the service's own users and clients, the account is
//! looked up on every request: deactivating it, or changing its roles, takes effect at
//! once rather than when the token expires.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use anyhow::{bail, Context};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::AuthConfig;
use crate::domain::auth::{ApiClientId, Role, UserId};
use crate::domain::organisation::OrganisationId;
use crate::error::ApiError;
use crate::repo::audit::Actor;
use crate::routes::AppState;

/// Tokens longer than this are refused before any parsing.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 60;

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Client(ApiClientId),
    /// A subject this service does not manage: an external identity provider's user,
    /// or an operator's token from `scrutiny issue-token`.
    Other(String),
}

impl Subject {
    /// The `sub` claim.
    pub fn claim(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Client(id) => format!("client:{id}"),
            Self::Other(subject) => subject.clone(),
        }
    }

    fn parse(claim: &str) -> Self {
        let parsed = match claim.split_once(':') {
            Some(("user", id)) => id.parse().ok().map(Self::User),
            Some(("client", id)) => id.parse().ok().map(Self::Client),
            _ => None,
        };
        parsed.unwrap_or_else(|| Self::Other(claim.to_string()))
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: Subject,
    pub roles: Vec<Role>,
    pub organisation: Option<OrganisationId>,
}

impl Principal {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// Whether this caller may move (and post updates on) an action owned by `owner`:
    /// `admin` and `commissioner_office` any action, `force` users only the actions of
    /// the organisation their token names.
    pub fn may_move_action_of(&self, owner: OrganisationId) -> bool {
        self.has_any(CommissionerOffice::ROLES) || (self.has_any(&[Role::Force]) && self.organisation == Some(owner))
    }
}

/// The claims of the tokens this service issues.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub jti: String,
}

/// A token as issued: what `POST /api/v1/auth/token` answers.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
}

struct ExternalKey {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

struct External {
    keys: Vec<ExternalKey>,
    validation_base: (String, String),
    roles_claim: String,
}

/// Signs and verifies tokens.
pub struct Authenticator {
    issuer: String,
    audience: String,
    ttl_secs: u64,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The key before a rotation: verifies, never signs.
    previous: Option<DecodingKey>,
    external: Option<External>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("external", &self.external.is_some())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Builds the authenticator from configuration and the HS256 `secret` to use.
    pub fn new(config: &AuthConfig, secret: &[u8]) -> anyhow::Result<Self> {
        let external = match &config.external_keys {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading SCRUTINY_EXTERNAL_JWT_KEYS={}", path.display()))?;
                let keys = parse_external_keys(&text)
                    .with_context(|| format!("SCRUTINY_EXTERNAL_JWT_KEYS={}", path.display()))?;
                Some(External {
                    keys,
                    validation_base: (
                        config.external_issuer.clone().unwrap_or_default(),
                        config.external_audience.clone().unwrap_or_default(),
                    ),
                    roles_claim: config.external_roles_claim.clone(),
                })
            }
        };
        Ok(Self {
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl_secs: config.token_ttl_secs,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            previous: config.previous_jwt_secret.as_deref().map(DecodingKey::from_secret),
            external,
        })
    }

    /// Issues a token for `subject`, valid for the configured lifetime or `ttl_secs`.
    pub fn issue(
        &self,
        subject: &Subject,
        roles: &[Role],
        organisation: Option<OrganisationId>,
        ttl_secs: Option<u64>,
    ) -> anyhow::Result<IssuedToken> {
        let now = jsonwebtoken::get_current_timestamp();
        let expires_in = ttl_secs.unwrap_or(self.ttl_secs);
        let claims = Claims {
            sub: subject.claim(),
            roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
            org: organisation.map(|o| o.0),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + expires_in,
            jti: Uuid::now_v7().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken { token, expires_in })
    }

    /// Verifies a bearer token's signature and claims. The account behind it is checked
    /// separately ([`Caller`] does both).
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let invalid = |why: &str| ApiError::InvalidToken(format!("The bearer token is invalid: {why}"));
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid("it is too long"));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("it is malformed or its algorithm is not accepted"))?;
        match header.alg {
            Algorithm::HS256 => {
                let mut validation = self.validation(Algorithm::HS256, &self.issuer, &self.audience);
                validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
                let data = match jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation) {
                    Err(e) if *e.kind() == jsonwebtoken::errors::ErrorKind::InvalidSignature => match &self.previous {
                        Some(previous) => jsonwebtoken::decode::<Claims>(token, previous, &validation),
                        None => Err(e),
                    },
                    result => result,
                }
                .map_err(|e| invalid(&describe(&e)))?;
                Ok(Principal {
                    subject: Subject::parse(&data.claims.sub),
                    roles: Role::parse_known(&data.claims.roles),
                    organisation: data.claims.org.map(OrganisationId),
                })
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                let external = self
                    .external
                    .as_ref()
                    .ok_or_else(|| invalid("its algorithm is not accepted"))?;
                let candidates: Vec<&ExternalKey> = external
                    .keys
                    .iter()
                    .filter(|k| k.algorithm == header.alg)
                    .filter(|k| match (&header.kid, &k.kid) {
                        (Some(wanted), Some(kid)) => wanted == kid,
                        (Some(_), None) | (None, _) => true,
                    })
                    .collect();
                if candidates.is_empty() {
                    return Err(invalid("no configured key matches it"));
                }
                let (issuer, audience) = &external.validation_base;
                let mut validation = self.validation(header.alg, issuer, audience);
                validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
                let mut last_error = invalid("no configured key matches it");
                for candidate in candidates {
                    match jsonwebtoken::decode::<serde_json::Value>(token, &candidate.key, &validation) {
                        Ok(data) => return Ok(external_principal(&data.claims, &external.roles_claim)),
                        Err(e) => last_error = invalid(&describe(&e)),
                    }
                }
                Err(last_error)
            }
            _ => Err(invalid("its algorithm is not accepted")),
        }
    }

    fn validation(&self, algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation
    }
}

fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "it has expired".into(),
        ErrorKind::ImmatureSignature => "it is not valid yet".into(),
        ErrorKind::InvalidIssuer => "its issuer is not accepted".into(),
        ErrorKind::InvalidAudience => "its audience is not accepted".into(),
        ErrorKind::InvalidSignature => "its signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("it has no `{claim}` claim"),
        ErrorKind::InvalidAlgorithm => "its algorithm is not accepted".into(),
        _ => "it is malformed".into(),
    }
}

fn external_principal(claims: &serde_json::Value, roles_claim: &str) -> Principal {
    // Providers put roles in an array or in one space-separated string (like `scope`).
    let names: Vec<String> = match claims.get(roles_claim) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(text)) => text.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Principal {
        subject: Subject::Other(format!("external:{}", claims["sub"].as_str().unwrap_or_default())),
        roles: Role::parse_known(&names),
        organisation: claims
            .get("org")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .map(OrganisationId),
    }
}

/// Reads a PEM public key (RSA → RS256, EC P-256 → ES256) or a JWKS document.
fn parse_external_keys(text: &str) -> anyhow::Result<Vec<ExternalKey>> {
    if text.trim_start().starts_with('{') {
        let set: JwkSet = serde_json::from_str(text).context("not a valid JWKS document")?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => Algorithm::ES256,
                _ => continue,
            };
            keys.push(ExternalKey {
                kid: jwk.common.key_id.clone(),
                algorithm,
                key: DecodingKey::from_jwk(jwk)?,
            });
        }
        if keys.is_empty() {
            bail!("the JWKS document has no RSA or P-256 keys");
        }
        return Ok(keys);
    }
    if let Ok(key) = DecodingKey::from_rsa_pem(text.as_bytes()) {
        return Ok(vec![ExternalKey {
            kid: None,
            algorithm: Algorithm::RS256,
            key,
        }]);
    }
    if let Ok(key) = DecodingKey::from_ec_pem(text.as_bytes()) {
        return Ok(vec![ExternalKey {
            kid: None,
            algorithm: Algorithm::ES256,
            key,
        }]);
    }
    bail!("not a PEM RSA or EC public key, nor a JWKS document")
}

/// The HS256 key: `SCRUTINY_JWT_SECRET`, or in the zero-config run a random key made
/// once and kept (mode 0600) in the data directory, so tokens survive a restart.
pub fn signing_secret(config: &crate::config::Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.auth.jwt_secret {
        return Ok(secret.clone());
    }
    if config.database_url.is_some() {
        bail!(
            "SCRUTINY_JWT_SECRET is required when DATABASE_URL is set (at least 32 bytes; \
             try `openssl rand -base64 48`)"
        );
    }
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = config.data_dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read(&path) {
        if secret.len() >= 32 {
            return Ok(secret);
        }
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let secret = random_token(48).into_bytes();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(&secret)?;
    Ok(secret)
}

/// `length` random characters from the URL-safe alphabet (~6 bits each).
pub fn random_token(length: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..length)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Hashes a password or client secret with Argon2id (OWASP's parameters, the crate's
/// defaults) and a random salt, as a PHC string. Slow on purpose: call it off the async
/// runtime ([`web::block`]).
pub fn hash_secret(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| anyhow::anyhow!("{e}"))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

/// A hash of a random secret nobody knows: verifying against it when an account does
/// not exist makes a failed login take as long whether or not the name is real.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_secret(&random_token(32)).unwrap_or_default());

/// Checks `secret` against `hash`, or against a dummy hash when there is no account,
/// so that the time taken does not reveal which usernames exist.
pub fn verify_secret(secret: &str, hash: Option<&str>) -> bool {
    let (hash, real) = match hash {
        Some(hash) => (hash, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let matches = PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    real && matches
}

/// How much of the record a caller may see (DOMAIN.md, "Who does what").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    /// Anonymous callers and `integration` systems: public records only (questions
    /// accepted or answered, published responses, public meetings, reports,
    /// recommendations, actions and updates), and never contact details. What is not
    /// public does not exist for them (404).
    Public,
    /// `panel_member`, `commissioner_office`, `force`: everything but contact details.
    Staff,
    /// `secretariat` and `admin`: everything, including a questioner's contact details.
    Full,
}

impl View {
    pub fn of(principal: Option<&Principal>) -> Self {
        match principal {
            Some(p) if p.has_any(&[Role::Admin, Role::Secretariat]) => View::Full,
            Some(p) if p.has_any(&[Role::PanelMember, Role::CommissionerOffice, Role::Force]) => View::Staff,
            _ => View::Public,
        }
    }

    /// Whether records that are not public are visible.
    pub fn sees_unpublished(self) -> bool {
        self >= View::Staff
    }

    /// Whether a questioner's contact details are visible.
    pub fn sees_contact_details(self) -> bool {
        self == View::Full
    }
}

/// The caller of a request that anonymous callers may make too: `principal` is `None`
/// when no token was sent. A token that was sent must be valid (401 otherwise).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub request_id: Option<String>,
}

impl Caller {
    /// The caller as the audit log records it.
    pub fn actor(&self) -> Actor {
        let (kind, id) = match self.principal.as_ref().map(|p| &p.subject) {
            None => ("anonymous", None),
            Some(Subject::User(id)) => ("user", Some(id.to_string())),
            Some(Subject::Client(id)) => ("client", Some(id.to_string())),
            Some(Subject::Other(subject)) => ("external", Some(subject.clone())),
        };
        Actor {
            kind,
            id,
            request_id: self.request_id.clone(),
        }
    }

    /// True when the caller holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.principal.as_ref().is_some_and(|p| p.has_any(roles))
    }

    /// How much of the record the caller may see.
    pub fn view(&self) -> View {
        View::of(self.principal.as_ref())
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let request_id = crate::http::request_id_of(req);
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|value| value.to_str().map(str::to_string));
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = match authorization {
                None => {
                    return Ok(Caller {
                        principal: None,
                        request_id,
                    })
                }
                Some(Err(_)) => {
                    return Err(ApiError::InvalidToken(
                        "The Authorization header is not readable".into(),
                    ))
                }
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
                        token.trim().to_string()
                    }
                    _ => {
                        return Err(ApiError::InvalidToken(
                            "The Authorization header must be `Bearer <token>`".into(),
                        ))
                    }
                },
            };
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no AppState")))?;
            let mut principal = state.auth.verify(&token)?;
            if matches!(principal.subject, Subject::User(_) | Subject::Client(_)) {
                let mut conn = state.conn().await?;
                let account = crate::repo::accounts::current(&mut conn, &principal.subject)
                    .await?
                    .filter(|account| account.is_active)
                    .ok_or_else(|| {
                        ApiError::InvalidToken("The account behind this token is deactivated or gone".into())
                    })?;
                principal.roles = Role::parse_known(&account.roles);
                principal.organisation = account.organisation_id;
            }
            Ok(Caller {
                principal: Some(principal),
                request_id,
            })
        })
    }
}

/// A set of roles a handler requires; see [`Require`].
pub trait Requirement {
    /// The roles, any one of which is enough.
    const ROLES: &'static [Role];
}

macro_rules! requirement {
    ($(#[$meta:meta])* $name:ident => [$($role:ident),+]) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;
        impl Requirement for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

requirement!(
    /// `admin` only.
    Admins => [Admin]
);
requirement!(
    /// Those who manage the panel's records of organisations: `admin`, `secretariat`.
    OrganisationManagers => [Admin, Secretariat]
);
requirement!(
    /// Those who manage questions and meetings: `admin`, `secretariat`.
    Secretariat => [Admin, Secretariat]
);
requirement!(
    /// Those who write responses and manage reports, recommendations and actions:
    /// `admin`, `commissioner_office`.
    CommissionerOffice => [Admin, CommissionerOffice]
);
requirement!(
    /// Those who manage reports and their recommendations: `admin`, `secretariat` (the
    /// panel's own reports) and `commissioner_office`.
    ReportManagers => [Admin, Secretariat, CommissionerOffice]
);
requirement!(
    /// Those who may change an action: `admin`, `commissioner_office`, and `force` users
    /// (of the owning organisation only: checked after loading the action).
    ActionEditors => [Admin, CommissionerOffice, Force]
);
requirement!(
    /// Those who may withdraw a question: `admin`, `secretariat`, and `panel_member`
    /// users (their own questions only: checked after loading the question).
    QuestionWithdrawers => [Admin, Secretariat, PanelMember]
);
requirement!(
    /// Those who manage webhooks: `admin` (every subscription) and `integration`
    /// systems (their own).
    WebhookManagers => [Admin, Integration]
);
requirement!(
    /// Anyone with a valid token.
    AnyRole => [Admin, Secretariat, PanelMember, CommissionerOffice, Force, Integration]
);

/// An authenticated caller holding one of `R::ROLES`: 401 without a valid token, 403
/// without the role.
#[derive(Debug)]
pub struct Require<R: Requirement> {
    pub principal: Principal,
    caller: Caller,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> Require<R> {
    /// The caller as the audit log records it.
    pub fn actor(&self) -> Actor {
        self.caller.actor()
    }

    /// How much of the record the caller may see.
    pub fn view(&self) -> View {
        self.caller.view()
    }
}

impl<R: Requirement + 'static> FromRequest for Require<R> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            let principal = caller
                .principal
                .clone()
                .ok_or_else(|| ApiError::unauthorized("This operation needs a bearer token"))?;
            if !principal.has_any(R::ROLES) {
                return Err(ApiError::forbidden(format!(
                    "This operation needs one of the roles: {}",
                    R::ROLES.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
            Ok(Require {
                principal,
                caller,
                _requirement: PhantomData,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authenticator() -> Authenticator {
        let config = crate::config::Config::from_lookup(|_| None).unwrap();
        Authenticator::new(&config.auth, b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn an_issued_token_verifies_with_its_subject_roles_and_organisation() {
        let auth = authenticator();
        let org = OrganisationId::generate();
        let token = auth
            .issue(&Subject::Other("ops".into()), &[Role::Force], Some(org), None)
            .unwrap();
        let principal = auth.verify(&token.token).unwrap();
        assert_eq!(principal.subject, Subject::Other("ops".into()));
        assert_eq!(principal.roles, vec![Role::Force]);
        assert_eq!(principal.organisation, Some(org));
    }

    #[test]
    fn tokens_signed_with_the_previous_key_verify_during_a_rotation() {
        let old = authenticator();
        let token = old
            .issue(&Subject::Other("ops".into()), &[Role::Admin], None, None)
            .unwrap()
            .token;
        let mut config = crate::config::Config::from_lookup(|_| None).unwrap().auth;
        let rotated = Authenticator::new(&config, b"a-brand-new-key-a-brand-new-key-0123").unwrap();
        assert!(
            rotated.verify(&token).is_err(),
            "without the previous key, old tokens fail"
        );
        config.previous_jwt_secret = Some(b"0123456789abcdef0123456789abcdef".to_vec());
        let rotating = Authenticator::new(&config, b"a-brand-new-key-a-brand-new-key-0123").unwrap();
        assert!(rotating.verify(&token).is_ok());
        let fresh = rotating
            .issue(&Subject::Other("ops".into()), &[Role::Admin], None, None)
            .unwrap()
            .token;
        assert!(old.verify(&fresh).is_err(), "new tokens are signed with the new key");
    }

    #[test]
    fn force_users_may_move_only_their_own_organisations_actions() {
        let (own, other) = (OrganisationId::generate(), OrganisationId::generate());
        let principal = |roles: Vec<Role>, organisation| Principal {
            subject: Subject::Other("t".into()),
            roles,
            organisation,
        };
        assert!(principal(vec![Role::Force], Some(own)).may_move_action_of(own));
        assert!(!principal(vec![Role::Force], Some(other)).may_move_action_of(own));
        assert!(!principal(vec![Role::Force], None).may_move_action_of(own));
        assert!(principal(vec![Role::CommissionerOffice], None).may_move_action_of(own));
        assert!(!principal(vec![Role::PanelMember], Some(own)).may_move_action_of(own));
    }

    #[test]
    fn subjects_round_trip_through_the_sub_claim() {
        let user = Subject::User(UserId::generate());
        assert_eq!(Subject::parse(&user.claim()), user);
        assert_eq!(
            Subject::parse("user:not-a-uuid"),
            Subject::Other("user:not-a-uuid".into())
        );
    }

    #[test]
    fn a_secret_verifies_only_against_its_own_hash() {
        let hash = hash_secret("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_secret("correct horse battery", Some(&hash)));
        assert!(!verify_secret("wrong horse battery", Some(&hash)));
        assert!(!verify_secret("correct horse battery", None));
        assert!(!verify_secret("x", Some("not a phc string")));
    }
}
