//! The OpenAPI document: generated from the handlers' annotations, committed as
//! `openapi/openapi.json`, and checked against the code by a test.

mod conventions;
mod examples;
mod schemas;

use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use conventions::{
    document_conditional_requests, document_idempotency_keys, document_preconditions, document_response_headers,
    document_security_requirements,
};
use examples::document_examples;
use schemas::{document_text_rules, open_free_form_objects, unfill_optional_query_filters};

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
Text is taken in Unicode NFC (accents composed), lengths counted after; a string holding a character no text \
may hold (NUL and other control characters but tab and line breaks, noncharacters such as U+FFFF, which XML \
and so the Atom feeds cannot carry) is a 422 naming its field, in bodies, query strings and imports alike. \
Every error is an RFC 9457 `application/problem+json` document whose `type` can be fetched for a description. \
Every response carries an `X-Request-Id` (sent by the caller or made up by the service); quote it when reporting a problem.",
        contact(name = "Scrutiny maintainers", url = "https://github.com/scrutiny-project/scrutiny"),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Tokens (OAuth 2.0 password and client_credentials grants) and the caller's identity. \
In Swagger UI, press Authorize and sign in with a username and password (oauth2), or paste a token (bearer)."),
        (name = "users", description = "People who sign in, with their roles and organisation. Admins only."),
        (name = "audit", description = "The audit log: every write, who made it and when, with the resource's state before and after; \
never a questioner's contact details, a password or a secret. Admins only."),
        (name = "clients", description = "Systems (panel and council IT) that sign in with client credentials. Admins only."),
        (name = "organisations", description = "The panel, the Commissioner's office, forces, fire services, inspectorates and councils that ask, answer, inspect and act."),
        (name = "meetings", description = "Meetings of the panel (where public questions are put, subject to a deadline three clear working days before), the Commissioner's Strategic Governance Boards and Public Performance Meetings."),
        (name = "questions", description = "Questions to the Commissioner from the public and from panel members: submitted, then accepted (public) or rejected, answered when a response is published, referred to another organisation (public; its reply is shown), or withdrawn. Contact details are seen by the secretariat only."),
        (name = "follow", description = "A question's private follow link, given to whoever asks it: the one question in every state, never contact details, \
and withdrawing it while that is allowed. The secretariat can replace a link (the old one then answers 404)."),
        (name = "subscriptions", description = "Following a public question, action, programme or report by e-mail: double opt-in \
(nothing but the confirmation is sent until its link is used), a message per change or a daily digest, and one-click \
unsubscribe (RFC 8058) in every message, which deletes the address. Counts for everyone; addresses for `admin` only."),
        (name = "imports", description = "The panel's published question-and-response documents, brought in as answered questions \
with published responses: once per document (by the hash of its text), with warnings about whatever had to be guessed or \
cleaned up, and a dry run that only reads. The secretariat's way to migrate a backlog; `scrutiny import FILE...` does \
the same from the command line."),
        (name = "responses", description = "The Commissioner's responses: drafted, published (which answers the question), and corrected in the open with a note, every earlier version staying readable."),
        (name = "reports", description = "Inspections, re-inspections, panel reports and audits: where recommendations come from. \
Each has a response due date (56 days after publication) and a scorecard of its recommendations and overdue actions."),
        (name = "programmes", description = "Improvement programmes: named sets of actions with an owner, the reports they respond to, \
the meeting where their progress is reported, and a progress summary of their actions."),
        (name = "recommendations", description = "What a report asks to be done, to whom, with its status and the progress of the actions addressing it."),
        (name = "actions", description = "What is being done about the recommendations: owner, time frame, success measure, status and progress, \
with an append-only trail of progress updates. Force users move and report on their own organisation's actions."),
        (name = "events", description = "The change feed: every committed change in an order a consumer can follow without missing or repeating one."),
        (name = "webhooks", description = "Push instead of poll: subscribe a URL to event types and every matching change-feed event is posted to it, \
signed as the Standard Webhooks specification says, retried with backoff for 24 hours, with a log of every attempt. \
`admin` manages every subscription; an `integration` system manages its own."),
        (name = "search", description = "Full-text search across questions, responses, recommendations and actions, ranked, with highlighted snippets; it finds what the lists show the caller."),
        (name = "feeds", description = "Atom feeds (RFC 4287) of what the public may read, newest first, for feed readers and \
sites that show what changed."),
        (name = "operations", description = "Health checks and problem type descriptions, for operators and client developers."),
    ),
    servers((url = "/", description = "This service")),
    components(
        schemas(crate::error::Problem, crate::error::FieldError, crate::domain::question::FollowUpFilter),
        responses(
            crate::error::responses::BadRequest,
            crate::error::responses::Unauthorized,
            crate::error::responses::Forbidden,
            crate::error::responses::NotFound,
            crate::error::responses::Conflict,
            crate::error::responses::PreconditionFailed,
            crate::error::responses::PayloadTooLarge,
            crate::error::responses::UnsupportedMediaType,
            crate::error::responses::ValidationFailed,
            crate::error::responses::TooManyRequests,
            crate::error::responses::Unavailable,
        )
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: the OAuth2 password flow against the token endpoint
/// (`oauth2`, what Swagger UI's Authorize dialog offers first: its fields for a
/// username and password), or a bearer token pasted in (`token`). Swagger UI lists the
/// schemes in the document's order, which is by name: `oauth2` before `token`.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
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
    document_security_requirements(&mut spec);
    document_preconditions(&mut spec);
    document_idempotency_keys(&mut spec);
    document_conditional_requests(&mut spec);
    document_response_headers(&mut spec);
    open_free_form_objects(&mut spec);
    unfill_optional_query_filters(&mut spec);
    document_text_rules(&mut spec);
    document_examples(spec)
}

/// The document as committed: pretty-printed JSON with a final newline.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
