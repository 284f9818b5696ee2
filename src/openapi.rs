//! The OpenAPI document: generated from the handlers' annotations, committed as
//! `openapi/openapi.json`, and checked against the code by a test.

use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

/// The document's fixed parts; paths and schemas are collected from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scrutiny",
        description = "Public accountability as data for a Police, Fire & Crime Panel: public questions \
to the Commissioner, the Commissioner's responses, the recommendations inspectors and the panel make, \
and the actions taken on them with owners, deadlines and progress.\n\n\
Conventions, the same on every resource: JSON in `snake_case`; ids are UUIDv7; instants are RFC 3339 UTC \
and calendar dates `YYYY-MM-DD`. Lists return `{\"items\": [...], \"next_cursor\": ...}` with a `Link: \
rel=\"next\"` header; `limit` is 1 to 100 (default 20). Single resources carry an `ETag`; `PATCH` honours \
`If-Match` (412 when stale) and `GET` honours `If-None-Match` (304). Unknown fields in a body are a 422. \
Every error is an RFC 9457 `application/problem+json` document whose `type` can be fetched for a description. \
Every response carries an `X-Request-Id` (sent by the caller or made up by the service); quote it when reporting a problem.",
        contact(name = "Scrutiny maintainers", url = "https://github.com/scrutiny-project/scrutiny"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Tokens (OAuth 2.0 password and client_credentials grants) and the caller's identity. \
In Swagger UI, press Authorize and sign in with a username and password (oauth2), or paste a token (bearer)."),
        (name = "users", description = "People who sign in, with their roles and organisation. Admins only."),
        (name = "clients", description = "Systems (panel and council IT) that sign in with client credentials. Admins only."),
        (name = "organisations", description = "The panel, the Commissioner's office, forces, fire services, inspectorates and councils that ask, answer, inspect and act."),
        (name = "reports", description = "Inspections, re-inspections, panel reports and audits: where recommendations come from. \
Each has a response due date (56 days after publication) and a scorecard of its recommendations and overdue actions."),
        (name = "recommendations", description = "What a report asks to be done, to whom, with its status and the progress of the actions addressing it."),
        (name = "actions", description = "What is being done about the recommendations: owner, time frame, success measure, status and progress, \
with an append-only trail of progress updates. Force users move and report on their own organisation's actions."),
        (name = "operations", description = "Health checks and problem type descriptions, for operators and client developers."),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
pub struct ApiDoc;

/// The two ways to authenticate: a bearer token, or the OAuth2 password flow against
/// the token endpoint (which is what Swagger UI's Authorize button uses).
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A token from POST /api/v1/auth/token (or an accepted identity provider).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()))],
                "Sign in with a username and password.",
            )),
        );
    }
}

/// The full document, with every route registered by [`crate::routes::configure`].
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    let mut spec = spec;
    document_idempotency_keys(&mut spec);
    spec
}

/// Every POST honours `Idempotency-Key` (through middleware), so every POST documents it.
fn document_idempotency_keys(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    for item in spec.paths.paths.values_mut() {
        if let Some(operation) = item.post.as_mut() {
            let parameter = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Any unique text (a UUID, say), 1 to 255 visible ASCII characters. A retry with the same \
key and body returns the first response (with `Idempotent-Replayed: true`) and changes nothing; the same key with \
another body is a 422. Keys are kept at least 24 hours.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255)),
                ))
                .build();
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(utoipa::openapi::RefOr::T(parameter));
        }
    }
}

/// The document as committed: pretty-printed JSON with a final newline.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
