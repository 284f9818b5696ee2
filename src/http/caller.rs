//! Who is calling: the extractors every handler takes to say who may call it.
//!
//! How to use them: take [`Require<R>`] where `R` names the capability needed
//! (`Require<ManageAccounts>`), so the requirement is in the signature; take [`Caller`]
//! where anonymous callers are allowed too. Both answer 401 (with
//! `WWW-Authenticate: Bearer`) for a missing, forged, expired or revoked token, and
//! `Require` answers 403 when the caller holds none of the roles the capability needs.
//! Object-level checks ("does your organisation own this?") go right after the row is
//! loaded, with [`Principal::organisation`].

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::app::AppState;
use crate::domain::auth::{Actor, Principal, Role, Subject, View};
use crate::error::ApiError;

/// The caller of a request that anonymous callers may make too: `principal` is `None`
/// when no token was sent. A token that was sent must be valid (401 otherwise).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub request_id: Option<String>,
    /// The claim on the request's `Idempotency-Key`, when it has one.
    pub idempotency_claim: Option<uuid::Uuid>,
}

/// The claim the idempotency middleware holds on a request's `Idempotency-Key`, kept
/// in the request's extensions for the audit record of the change it makes.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyClaim(pub uuid::Uuid);

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
            idempotency_claim: self.idempotency_claim,
        }
    }

    /// Whether a valid token was sent: signed-in callers read from the primary, so
    /// they always see their own writes.
    pub fn is_signed_in(&self) -> bool {
        self.principal.is_some()
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
        let idempotency_claim = req.extensions().get::<IdempotencyClaim>().map(|claim| claim.0);
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
                        idempotency_claim,
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
                if principal.credentials_generation != Some(account.credentials_generation) {
                    return Err(ApiError::InvalidToken(
                        "The token was issued before the account's password or secret changed; sign in again".into(),
                    ));
                }
                principal.roles = Role::parse_known(&account.roles);
                principal.organisation = account.organisation_id;
            }
            Ok(Caller {
                principal: Some(principal),
                request_id,
                idempotency_claim,
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
    /// Manage user accounts and API clients: `admin`.
    ManageAccounts => [Admin]
);
requirement!(
    /// Manage the panel's records of organisations: `admin`, `secretariat`.
    ManageOrganisations => [Admin, Secretariat]
);
requirement!(
    /// Change, accept and reject questions, and import published ones: `admin`,
    /// `secretariat`.
    ManageQuestions => [Admin, Secretariat]
);
requirement!(
    /// Set a panel's rules for public questions: `admin`, `secretariat`.
    ManageQuestionRules => [Admin, Secretariat]
);
requirement!(
    /// Schedule and change panel meetings: `admin`, `secretariat`.
    ManageMeetings => [Admin, Secretariat]
);
requirement!(
    /// Draft, correct and publish responses: `admin`; `commissioner_office` to questions
    /// put to the Commissioner, `secretariat` (for the Panel) to questions put to the
    /// Panel (checked after loading the question, with
    /// [`crate::domain::auth::Principal::answers_for`]).
    WriteResponses => [Admin, CommissionerOffice, Secretariat]
);
requirement!(
    /// Record new actions on recommendations: `admin`, `commissioner_office`.
    RecordActions => [Admin, CommissionerOffice]
);
requirement!(
    /// Record and change reports and their recommendations: `admin`, `secretariat` (the
    /// panel's own reports) and `commissioner_office`.
    ManageReports => [Admin, Secretariat, CommissionerOffice]
);
requirement!(
    /// Record and change improvement programmes: `admin`, `commissioner_office`.
    ManageProgrammes => [Admin, CommissionerOffice]
);
requirement!(
    /// Import an improvement plan into a programme: `admin` and `commissioner_office`,
    /// the roles that may both record actions ([`RecordActions`]) and post progress on
    /// any action ([`UpdateActions`]), which is all an import does.
    ImportPlans => [Admin, CommissionerOffice]
);
requirement!(
    /// Change an action and post its progress updates: `admin`, `commissioner_office`,
    /// and `force` users (of the owning organisation only: checked after loading the
    /// action, with [`Principal::may_move_action_of`]).
    UpdateActions => [Admin, CommissionerOffice, Force]
);
requirement!(
    /// Withdraw a question: `admin`, `secretariat`, and `panel_member` users (their own
    /// questions only: checked after loading the question).
    WithdrawQuestions => [Admin, Secretariat, PanelMember]
);
requirement!(
    /// Manage webhook subscriptions: `admin` (every subscription) and `integration`
    /// systems (their own).
    ManageWebhooks => [Admin, Integration]
);
requirement!(
    /// Anything that needs only a valid token, whatever its roles.
    SignedIn => [Admin, Secretariat, PanelMember, CommissionerOffice, Force, Integration]
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

    /// The caller, for what takes any caller ([`crate::http::listing::respond`]).
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Whose answers the caller records (see [`crate::domain::auth::Principal::answers_for`]).
    pub fn answers_for(&self) -> Vec<crate::domain::question_rules::Addressee> {
        self.caller
            .principal
            .as_ref()
            .map(|p| p.answers_for())
            .unwrap_or_default()
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
