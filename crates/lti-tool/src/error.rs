//! The facade's errors and their one mapping to HTTP (status, stable code, escaped HTML page).

use bytes::Bytes;
use http::StatusCode;
use lti_core::{ClientId, DeploymentId, Issuer};
use lti_security::Party;

use crate::html::error_page;
use crate::registry::RegistryError;

/// Why a login initiation was refused (checklist A2–A4). [`Tool::login`](crate::Tool::login) answers with
/// [`into_response`](Self::into_response).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The request is neither a GET nor a form POST.
    #[error("login initiation must be a GET or a form POST (found {method})")]
    Method {
        /// The request method.
        method: String,
    },
    /// A parameter is missing, duplicated or invalid (A2).
    #[error(transparent)]
    Parameters(lti_core::Error),
    /// No registration matches `iss` (+ `client_id`) (A3).
    #[error("no registration for issuer `{issuer}`{}", client_hint(.client_id.as_ref()))]
    UnknownRegistration {
        /// The issuer sent.
        issuer: Issuer,
        /// The client id sent, if any.
        client_id: Option<ClientId>,
    },
    /// The registry could not choose or failed (ambiguous issuer → 400, backend → 500).
    #[error(transparent)]
    Registry(RegistryError),
    /// `target_link_uri` is not on one of the tool's origins (A4).
    #[error("parameter `target_link_uri`: expected a URL on one of {allowed:?} (found `{found}`)")]
    TargetLinkUriNotAllowed {
        /// The origins allowed.
        allowed: Vec<String>,
        /// What was sent (clipped).
        found: String,
    },
    /// Random generation failed.
    #[error("could not create state: {0}")]
    Security(lti_security::Error),
    /// An internal step failed.
    #[error("internal failure: {what}")]
    Internal {
        /// What failed.
        what: &'static str,
    },
    /// The state record could not be stored.
    #[error("could not store the login state")]
    Storage(#[source] lti_storage::Error),
}

impl LoginError {
    /// The HTTP status: 400 for the platform's or browser's mistakes, 405 for a wrong method, 500 for internal
    /// failures.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Method { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Registry(RegistryError::Backend(_))
            | Self::Security(_)
            | Self::Internal { .. }
            | Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A stable machine code, e.g. `lti.tool.login.registration_unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Method { .. } => "lti.tool.login.method",
            Self::Parameters(e) => e.code().as_str(),
            Self::UnknownRegistration { .. } => "lti.tool.login.registration_unknown",
            Self::Registry(RegistryError::Ambiguous { .. }) => {
                "lti.tool.login.registration_ambiguous"
            }
            Self::Registry(_) => "lti.tool.registry",
            Self::TargetLinkUriNotAllowed { .. } => "lti.tool.login.target_link_uri_not_allowed",
            Self::Security(_) | Self::Internal { .. } => "lti.tool.internal",
            Self::Storage(_) => "lti.tool.storage",
        }
    }

    /// The error as an HTML page with [`status`](Self::status); internal details are not shown.
    pub fn into_response(self) -> http::Response<Bytes> {
        page(self.status(), self.code(), &self.to_string())
    }
}

/// Why a launch was refused. Each check of `core.md` §2 has its own variant (or wraps the lti-core /
/// lti-security error that names the claim).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// The request is not a POST.
    #[error("launch must be a POST (found {method})")]
    Method {
        /// The request method.
        method: String,
    },
    /// The body is not `application/x-www-form-urlencoded`.
    #[error("launch body must be application/x-www-form-urlencoded (found `{found}`)")]
    ContentType {
        /// The `Content-Type` sent (clipped).
        found: String,
    },
    /// `id_token` or `state` is missing or duplicated (B10).
    #[error(transparent)]
    Form(lti_core::Error),
    /// The platform answered the authentication request with an OIDC error.
    #[error("the platform returned OIDC error `{error}`{}", description_hint(.description.as_deref()))]
    PlatformError {
        /// The `error` code (clipped).
        error: String,
        /// `error_description` (clipped), when sent.
        description: Option<String>,
    },
    /// The browser sent no state cookie (B10; third-party cookies blocked?).
    #[error(
        "the state cookie `{name}` is missing: the browser did not send it back (third-party cookies blocked?)"
    )]
    StateCookieMissing {
        /// The cookie name.
        name: String,
    },
    /// The posted `state` differs from the cookie (B10).
    #[error("parameter `state` does not match the state cookie")]
    StateMismatch,
    /// The `state` is unknown, expired or already used.
    #[error("parameter `state` is unknown, expired or already used")]
    StateUnknown,
    /// The stored state record cannot be read.
    #[error("stored login state is corrupt")]
    StateCorrupt,
    /// The registration of the login is gone.
    #[error("no registration for issuer `{issuer}` and client id `{client_id}`")]
    UnknownRegistration {
        /// The issuer.
        issuer: Issuer,
        /// The client id.
        client_id: ClientId,
    },
    /// The registry failed.
    #[error(transparent)]
    Registry(RegistryError),
    /// The token failed a JWT check: structure, algorithm, `kid`, signature, `iss`, `aud`, `azp`, times, `nonce`
    /// presence (B11–B22).
    #[error(transparent)]
    Token(lti_security::Error),
    /// The token's `nonce` is not the one issued with this `state` (B24).
    #[error("claim `nonce` does not match the nonce issued for this state")]
    NonceMismatch,
    /// The nonce was already used: a replayed token (B23).
    #[error("claim `nonce` was already used: the token is replayed")]
    NonceReplayed,
    /// An LTI claim rule failed (B25–B34).
    #[error(transparent)]
    Message(lti_core::Error),
    /// The deployment policy refuses the deployment (B30).
    #[error(
        "deployment `{deployment_id}` is not accepted for issuer `{issuer}` and client id `{client_id}`"
    )]
    DeploymentNotAllowed {
        /// The issuer.
        issuer: Issuer,
        /// The client id.
        client_id: ClientId,
        /// The deployment in the token.
        deployment_id: DeploymentId,
    },
    /// The claim differs from the login's `lti_deployment_id` (B30) [Core §4.1.2].
    #[error("claim `deployment_id`: expected `{expected}` from the login (found `{found}`)")]
    DeploymentMismatch {
        /// The login's `lti_deployment_id`.
        expected: DeploymentId,
        /// The claim.
        found: DeploymentId,
    },
    /// The signed `target_link_uri` claim is not on one of the tool's origins.
    #[error("claim `target_link_uri`: expected a URL on one of {allowed:?} (found `{found}`)")]
    TargetLinkUriNotAllowed {
        /// The origins allowed.
        allowed: Vec<String>,
        /// The claim (clipped).
        found: String,
    },
    /// Storage failed.
    #[error("storage failed")]
    Storage(#[source] lti_storage::Error),
}

impl LaunchError {
    /// The HTTP status: 401 for audience failures (B16), 400 for other bad input, 405 for a wrong method, 415 for
    /// a wrong body type, 500 for internal failures.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Method { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::ContentType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Token(e) => match e {
                lti_security::Error::AudienceMismatch { .. }
                | lti_security::Error::UntrustedAudience { .. }
                | lti_security::Error::AzpMissing { .. }
                | lti_security::Error::AzpMismatch { .. } => StatusCode::UNAUTHORIZED,
                e if e.party() == Party::Peer => StatusCode::BAD_REQUEST,
                lti_security::Error::Http(_)
                | lti_security::Error::JwksStatus { .. }
                | lti_security::Error::JwksMalformed { .. } => StatusCode::BAD_GATEWAY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::StateCorrupt | Self::Storage(_) | Self::Registry(RegistryError::Backend(_)) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A stable machine code: lti-core's code for claim rules (`lti.claim.version.mismatch`), `lti.jwt.*` for
    /// token checks, `lti.tool.*` for the facade's own checks.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Method { .. } => "lti.tool.launch.method",
            Self::ContentType { .. } => "lti.tool.launch.content_type",
            Self::Form(e) | Self::Message(e) => e.code().as_str(),
            Self::PlatformError { .. } => "lti.tool.launch.platform_error",
            Self::StateCookieMissing { .. } => "lti.tool.state.cookie_missing",
            Self::StateMismatch => "lti.tool.state.mismatch",
            Self::StateUnknown => "lti.tool.state.unknown",
            Self::StateCorrupt => "lti.tool.state.corrupt",
            Self::UnknownRegistration { .. } => "lti.tool.registration_unknown",
            Self::Registry(_) => "lti.tool.registry",
            Self::Token(e) => jwt_code(e),
            Self::NonceMismatch => "lti.tool.nonce.mismatch",
            Self::NonceReplayed => "lti.tool.nonce.replayed",
            Self::DeploymentNotAllowed { .. } => "lti.tool.deployment.not_allowed",
            Self::DeploymentMismatch { .. } => "lti.tool.deployment.mismatch",
            Self::TargetLinkUriNotAllowed { .. } => "lti.tool.target_link_uri.not_allowed",
            Self::Storage(_) => "lti.tool.storage",
        }
    }

    /// The error as an escaped HTML page with [`status`](Self::status). Internal failures show a generic
    /// message (the details are logged).
    pub fn into_response(self) -> http::Response<Bytes> {
        page(self.status(), self.code(), &self.to_string())
    }
}

/// The stable code of a JWT check failure.
fn jwt_code(e: &lti_security::Error) -> &'static str {
    use lti_security::Error as E;
    match e {
        E::TokenTooLarge { .. } => "lti.jwt.too_large",
        E::MalformedToken { .. } => "lti.jwt.malformed",
        E::MalformedHeader { .. } => "lti.jwt.header.malformed",
        E::MalformedClaims { .. } => "lti.jwt.claims.malformed",
        E::AlgorithmNone => "lti.jwt.alg.none",
        E::SymmetricAlgorithm { .. } => "lti.jwt.alg.symmetric",
        E::UnsupportedAlgorithm { .. } => "lti.jwt.alg.unsupported",
        E::AlgorithmNotAllowed { .. } => "lti.jwt.alg.not_allowed",
        E::CriticalHeader { .. } => "lti.jwt.header.crit",
        E::MissingKid => "lti.jwt.kid.missing",
        E::KidNotFound { .. } | E::RefetchRateLimited { .. } => "lti.jwt.kid.not_found",
        E::KeyAlgorithmMismatch { .. } => "lti.jwt.key.alg_mismatch",
        E::InvalidSignature => "lti.jwt.signature.invalid",
        E::MissingClaim { .. } => "lti.jwt.claim.missing",
        E::InvalidClaim { .. } => "lti.jwt.claim.invalid",
        E::IssuerMismatch { .. } => "lti.jwt.iss.mismatch",
        E::AudienceMismatch { .. } => "lti.jwt.aud.mismatch",
        E::UntrustedAudience { .. } => "lti.jwt.aud.untrusted",
        E::AzpMissing { .. } => "lti.jwt.azp.missing",
        E::AzpMismatch { .. } => "lti.jwt.azp.mismatch",
        E::Expired { .. } => "lti.jwt.exp.expired",
        E::NotYetValid { .. } => "lti.jwt.nbf.not_yet_valid",
        E::IssuedInFuture { .. } => "lti.jwt.iat.future",
        E::TooOld { .. } => "lti.jwt.iat.too_old",
        E::JwksStatus { .. } | E::JwksMalformed { .. } | E::UnusableJwk { .. } | E::Http(_) => {
            "lti.jwt.jwks.unavailable"
        }
        _ => "lti.jwt.internal",
    }
}

/// The page for an error: the message for 4xx, a generic text for 5xx.
fn page(status: StatusCode, code: &str, message: &str) -> http::Response<Bytes> {
    if status.is_server_error() {
        error_page(status, code, "internal error; see the tool's logs")
    } else {
        error_page(status, code, message)
    }
}

fn client_hint(client_id: Option<&ClientId>) -> String {
    client_id
        .map(|c| format!(" and client id `{c}`"))
        .unwrap_or_default()
}

fn description_hint(description: Option<&str>) -> String {
    description.map(|d| format!(": {d}")).unwrap_or_default()
}
