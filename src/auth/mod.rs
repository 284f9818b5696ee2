//! Authentication: issuing and verifying tokens, hashing secrets.
//!
//! Handlers do not call this directly: they take the extractors in
//! [`crate::http::caller`] (`Caller`, `Require<R>`), which verify the bearer token with
//! the [`Authenticator`] held in the application state. Who a token speaks for and what
//! a caller may see are plain values in [`crate::domain::auth`].
//!
//! Tokens are JWTs. The service signs its own with HS256 (`SCRUTINY_JWT_SECRET`); when an
//! external identity provider is configured, its RS256/ES256 tokens are accepted too.
//! The algorithm in a token's header selects the key, and each key accepts only its own
//! algorithm, so an HS256 token can never be verified with a public RSA key (the classic
//! algorithm-confusion attack). For the service's own users and clients, the account is
//! looked up on every request: deactivating it, or changing its roles, takes effect at
//! once rather than when the token expires. A token also carries the generation of the
//! account's credentials it was issued under: a new password or client secret, or a
//! deactivation, moves the account on, and every earlier token stops verifying (401),
//! even after the account is reactivated.

pub mod hashing;

use std::sync::LazyLock;

use anyhow::{bail, Context};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::AuthConfig;
use crate::domain::auth::Role;
use crate::domain::auth::{Principal, Subject};
use crate::domain::organisation::OrganisationId;
use crate::error::ApiError;

/// Tokens longer than this are refused before any parsing.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 60;

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
    /// The generation of the account's credentials the token was issued under: a new
    /// password or secret, or a deactivation, moves the account to the next one and so
    /// retires every token issued before (absent in tokens from before it existed: 0).
    #[serde(default)]
    pub credentials_generation: i32,
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

    /// Issues a token for `subject`, valid for the configured lifetime or `ttl_secs`, under
    /// the account's current `credentials_generation` (0 for a subject that is not one of
    /// this service's accounts).
    pub fn issue(
        &self,
        subject: &Subject,
        roles: &[Role],
        organisation: Option<OrganisationId>,
        credentials_generation: i32,
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
            credentials_generation,
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
        // RFC 7515 §4.1.11: a token whose header lists critical extensions the recipient
        // does not understand must be rejected. This service understands none.
        if let Some(critical) = header.crit.as_ref() {
            return Err(invalid(&format!(
                "its header marks extensions this service does not understand as critical ({})",
                critical.join(", ")
            )));
        }
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
                    credentials_generation: Some(data.claims.credentials_generation),
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
        credentials_generation: None,
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

/// Argon2id's memory per hash, in KiB (7 MiB), and its passes over it.
///
/// OWASP's Password Storage Cheat Sheet lists five Argon2id settings that "provide an
/// equal level of defense", trading memory for passes: 46 MiB × 1, 19 MiB × 2 (the
/// argon2 crate's default), 12 MiB × 3, 9 MiB × 4 and 7 MiB × 5. This service takes the
/// last: a hash costs about as much CPU as with the default, but two running at once add
/// 14 MiB to the resident memory rather than 38, which keeps an instance under 64 MB
/// through a burst of failed sign-ins (`BENCHMARKS.md`). Hashes made with other
/// parameters (the PHC string records them) still verify with their own.
pub const ARGON2_MEMORY_KIB: u32 = 7 * 1024;
/// See [`ARGON2_MEMORY_KIB`].
pub const ARGON2_PASSES: u32 = 5;

/// Argon2id, version 0x13, with [`ARGON2_MEMORY_KIB`] and [`ARGON2_PASSES`], one lane.
fn argon2() -> Argon2<'static> {
    let params =
        argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None).unwrap_or_else(|_| argon2::Params::default());
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes a password or client secret with Argon2id ([`ARGON2_MEMORY_KIB`], one of
/// OWASP's settings) and a random salt, as a PHC string. Slow on purpose: call it off
/// the async runtime ([`web::block`]).
pub fn hash_secret(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| anyhow::anyhow!("{e}"))?;
    argon2()
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
        .map(|parsed| argon2().verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    real && matches
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
            .issue(&Subject::Other("ops".into()), &[Role::Force], Some(org), 0, None)
            .unwrap();
        let principal = auth.verify(&token.token).unwrap();
        assert_eq!(principal.subject, Subject::Other("ops".into()));
        assert_eq!(principal.roles, vec![Role::Force]);
        assert_eq!(principal.organisation, Some(org));
    }

    #[test]
    fn a_token_with_a_critical_extension_is_refused_even_when_its_signature_verifies() {
        let auth = authenticator();
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: "ops".into(),
            roles: vec!["admin".into()],
            org: None,
            iss: "scrutiny".into(),
            aud: "scrutiny-api".into(),
            iat: now,
            nbf: now,
            exp: now + 60,
            jti: "t".into(),
            credentials_generation: 0,
        };
        let mut header = Header::new(Algorithm::HS256);
        let plain = jsonwebtoken::encode(&header, &claims, &auth.encoding).unwrap();
        assert!(auth.verify(&plain).is_ok(), "the same token without crit verifies");
        header.crit = Some(vec!["x-policy".into()]);
        let critical = jsonwebtoken::encode(&header, &claims, &auth.encoding).unwrap();
        match auth.verify(&critical) {
            Err(ApiError::InvalidToken(detail)) => assert!(detail.contains("x-policy"), "{detail}"),
            other => panic!("expected a 401, got {other:?}"),
        }
    }

    #[test]
    fn tokens_signed_with_the_previous_key_verify_during_a_rotation() {
        let old = authenticator();
        let token = old
            .issue(&Subject::Other("ops".into()), &[Role::Admin], None, 0, None)
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
            .issue(&Subject::Other("ops".into()), &[Role::Admin], None, 0, None)
            .unwrap()
            .token;
        assert!(old.verify(&fresh).is_err(), "new tokens are signed with the new key");
    }

    #[test]
    fn a_secret_verifies_only_against_its_own_hash() {
        let hash = hash_secret("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(verify_secret("correct horse battery", Some(&hash)));
        assert!(!verify_secret("wrong horse battery", Some(&hash)));
        assert!(!verify_secret("correct horse battery", None));
        assert!(!verify_secret("x", Some("not a phc string")));
    }

    #[test]
    fn a_hash_made_with_other_parameters_still_verifies_with_its_own() {
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let older = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(older.contains("m=19456,t=2,p=1"), "{older}");
        assert!(verify_secret("correct horse battery", Some(&older)));
        assert!(!verify_secret("wrong horse battery", Some(&older)));
    }
}
