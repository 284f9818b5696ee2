//! `/api/v1/auth/token` (OAuth 2.0 password and client_credentials grants) and `/api/v1/me`.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::auth::Role;
use crate::domain::auth::Subject;
use crate::domain::organisation::OrganisationId;
use crate::domain::text::{nfc, refusal};
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, Require, SignedIn};
use crate::http::Body;
use crate::repo::accounts;
use crate::repo::rate_limits;

/// A token request (RFC 6749 §4.3 and §4.4), as form fields or JSON. Parameters the
/// service does not use (`scope`) are ignored, as RFC 6749 requires.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "clerk", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    /// `password` (people) or `client_credentials` (systems).
    pub grant_type: Option<String>,
    /// For `password`.
    pub username: Option<String>,
    /// For `password`.
    #[schema(format = Password)]
    pub password: Option<String>,
    /// For `client_credentials`; may come in an HTTP Basic `Authorization` header instead.
    pub client_id: Option<String>,
    /// For `client_credentials`; may come in an HTTP Basic `Authorization` header instead.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// Accepted and ignored: roles come from the account.
    pub scope: Option<String>,
}

/// An access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// An OAuth 2.0 error (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_grant", "error_description": "The username or password is wrong, or the account is deactivated"}))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant` or `unsupported_grant_type`.
    pub error: &'static str,
    pub error_description: String,
}

fn oauth_error(status: u16, error: &'static str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == 401 {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"scrutiny\""));
    }
    // The description may quote what was sent (a field name): quoted no more than any
    // other error quotes it.
    response.json(OAuthError {
        error,
        error_description: crate::error::capped(description, 500),
    })
}

fn token_response(token: crate::auth::IssuedToken) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: token.token,
            token_type: "Bearer",
            expires_in: token.expires_in,
        })
}

/// Client credentials from an HTTP Basic header (RFC 6749 §2.3.1), if one was sent.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

/// Get an access token.
///
/// OAuth 2.0 token endpoint. People use the `password` grant with their username and
/// password; systems use `client_credentials` with their client id and secret (in the
/// body or an HTTP Basic header). Takes `application/x-www-form-urlencoded` (RFC 6749)
/// or the same fields as JSON. Errors follow RFC 6749 §5.2. Repeated failures for one
/// account or from one address are refused with 429 for a while; a failed login takes
/// as long whether or not the account exists.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/x-www-form-urlencoded"),
        (TokenRequest = "application/json"),
    )),
    security(()),
    responses(
        (status = 200, description = "A token.", body = TokenResponse,
            headers(("Cache-Control" = String, description = "`no-store`: a token is never cached (RFC 6749 §5.1)."),
                ("Pragma" = String, description = "`no-cache`."))),
        (status = 400, description = "`invalid_request`, `invalid_grant` or `unsupported_grant_type`.", body = OAuthError,
            headers(("Cache-Control" = String, description = "`no-store`."), ("Pragma" = String, description = "`no-cache`."))),
        (status = 401, description = "`invalid_client`: the client id or secret is wrong, or the client is deactivated.", body = OAuthError,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"scrutiny\"` (RFC 6749 §5.2)."),
                ("Cache-Control" = String, description = "`no-store`."), ("Pragma" = String, description = "`no-cache`.")),
            example = json!({"error": "invalid_client", "error_description": "The client id or secret is wrong, or the client is deactivated"})),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 429, response = responses::TooManyRequests),
        (status = 503, response = responses::Unavailable),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(req: HttpRequest, state: web::Data<AppState>, body: Body) -> Result<HttpResponse, ApiError> {
    // Every refusal of a request's content is an OAuth error (RFC 6749 §5.2): a form or
    // JSON that cannot be read, a parameter given twice, a value with a character no
    // text may hold (NUL above all, which PostgreSQL cannot hold, or a noncharacter),
    // before anything is looked up or counted. Values arrive in NFC, as passwords were
    // when they were set.
    let parsed: Result<TokenRequest, String> = match body.media_type.as_deref() {
        Some("application/x-www-form-urlencoded") => {
            crate::http::strings::deserialize(serde_urlencoded::Deserializer::new(form_urlencoded::parse(&body.bytes)))
                .map_err(|e| format!("The form cannot be read: {}: {}", e.path(), e.inner()))
        }
        Some("application/json") => {
            crate::http::strings::deserialize(&mut serde_json::Deserializer::from_slice(&body.bytes))
                .map_err(|e| format!("The body is not valid JSON: {}: {}", e.path(), e.inner()))
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "The token endpoint takes application/x-www-form-urlencoded or application/json".into(),
            ))
        }
    };
    let request = match parsed {
        Ok(request) => request,
        Err(description) => return Ok(oauth_error(400, "invalid_request", &description)),
    };
    let address = crate::http::proxy::client_address(&req);
    let caller = Caller {
        principal: None,
        request_id: crate::http::request_id_of(&req),
        // Sign-ins are never replayed (their answers are `no-store`).
        idempotency_claim: None,
    };
    match request.grant_type.as_deref() {
        Some("password") => {
            let (Some(username), Some(password)) = (request.username.as_deref(), request.password.as_deref()) else {
                return Ok(oauth_error(
                    400,
                    "invalid_request",
                    "The password grant needs username and password",
                ));
            };
            let account_key = username.to_lowercase();
            let mut conn = state.conn().await?;
            let attempt = rate_limits::reserve_sign_in(&mut conn, &account_key, &address).await?;
            let user = accounts::find_user_by_username(&mut conn, username).await?;
            let hash = user.as_ref().map(|u| u.password_hash.clone());
            // No connection is held while the hash runs or waits for its turn.
            drop(conn);
            let verified = state.hashing.verify(password.to_string(), hash).await?;
            let mut conn = state.conn().await?;
            let user = user.filter(|u| verified && u.is_active);
            accounts::record_login(
                &mut conn,
                &caller.actor(),
                user.is_some(),
                "user",
                user.as_ref().map(|u| u.id.0),
                username,
            )
            .await?;
            let Some(user) = user else {
                return Ok(oauth_error(
                    400,
                    "invalid_grant",
                    "The username or password is wrong, or the account is deactivated",
                ));
            };
            rate_limits::sign_in_succeeded(&mut conn, &attempt).await?;
            let token = state.auth.issue(
                &Subject::User(user.id),
                &Role::parse_known(&user.roles),
                user.organisation_id,
                user.credentials_generation,
                None,
            )?;
            Ok(token_response(token))
        }
        Some("client_credentials") => {
            let (client_id, secret) = match (basic_credentials(&req), request.client_id, request.client_secret) {
                (Some(basic), _, _) => basic,
                (None, Some(id), Some(secret)) => (id, secret),
                _ => {
                    return Ok(oauth_error(
                        401,
                        "invalid_client",
                        "The client_credentials grant needs client_id and client_secret",
                    ))
                }
            };
            // Credentials from a Basic header have not been through the body's reader.
            if let Some(message) = [&client_id, &secret].into_iter().find_map(|v| refusal(v)) {
                return Ok(oauth_error(
                    400,
                    "invalid_request",
                    &format!("The client credentials {message}"),
                ));
            }
            let client_id = nfc(&client_id).into_owned();
            let mut conn = state.conn().await?;
            let attempt = rate_limits::reserve_sign_in(&mut conn, &client_id, &address).await?;
            let client = accounts::find_client_by_client_id(&mut conn, &client_id).await?;
            let hash = client.as_ref().map(|c| c.secret_hash.clone());
            drop(conn);
            let verified = state.hashing.verify(secret, hash).await?;
            let mut conn = state.conn().await?;
            let client = client.filter(|c| verified && c.is_active);
            accounts::record_login(
                &mut conn,
                &caller.actor(),
                client.is_some(),
                "client",
                client.as_ref().map(|c| c.id.0),
                &client_id,
            )
            .await?;
            let Some(client) = client else {
                return Ok(oauth_error(
                    401,
                    "invalid_client",
                    "The client id or secret is wrong, or the client is deactivated",
                ));
            };
            rate_limits::sign_in_succeeded(&mut conn, &attempt).await?;
            let token = state.auth.issue(
                &Subject::Client(client.id),
                &Role::parse_known(&client.roles),
                client.organisation_id,
                client.credentials_generation,
                None,
            )?;
            Ok(token_response(token))
        }
        Some(_) => Ok(oauth_error(
            400,
            "unsupported_grant_type",
            "Supported grant types: password, client_credentials",
        )),
        None => Ok(oauth_error(400, "invalid_request", "grant_type is required")),
    }
}

/// The caller, as the service sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"subject": "user:01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b", "kind": "user", "roles": ["secretariat"], "organisation_id": null}))]
pub struct Me {
    /// The token's subject.
    pub subject: String,
    /// `user`, `client` or `external` (an identity provider's or an operator's token).
    pub kind: &'static str,
    /// The roles in force for this request.
    pub roles: Vec<Role>,
    /// The caller's organisation, if any.
    pub organisation_id: Option<OrganisationId>,
}

/// Who am I?
///
/// The subject, roles and organisation the service sees for the bearer token sent.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    )
)]
#[get("/me")]
pub async fn get_me(auth: Require<SignedIn>) -> HttpResponse {
    let principal = &auth.principal;
    HttpResponse::Ok().json(Me {
        subject: principal.subject.claim(),
        kind: match principal.subject {
            Subject::User(_) => "user",
            Subject::Client(_) => "client",
            Subject::Other(_) => "external",
        },
        roles: principal.roles.clone(),
        organisation_id: principal.organisation,
    })
}
