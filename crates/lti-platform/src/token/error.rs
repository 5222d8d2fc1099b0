//! The token endpoint's error and its one mapping to an RFC 6749 §5.2 response.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use lti_core::{ClientId, DeploymentId};
use lti_security::oauth::{AssertionError, OAuthErrorBody, OAuthErrorCode};

use crate::PlatformError;

/// Why the token endpoint refused a request, grouped by who must act.
///
/// [`oauth_error`](Self::oauth_error), [`status`](Self::status) and [`into_response`](Self::into_response) are
/// the only place it becomes HTTP. Messages never contain the assertion or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    // --- the tool sent a bad request ---
    /// The client assertion was refused (signature, claims, replay); see [`AssertionError`] (checklist H74-H78).
    #[error(transparent)]
    Assertion(AssertionError),
    /// `client_assertion_type` is not `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (checklist H79).
    #[error(
        "parameter `client_assertion_type`: expected `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (found `{found}`)"
    )]
    AssertionType {
        /// The value sent (clipped).
        found: String,
    },
    /// The body is larger than [`MAX_TOKEN_REQUEST_BYTES`](crate::MAX_TOKEN_REQUEST_BYTES).
    #[error("request body is {len} bytes; at most {limit} are accepted")]
    BodyTooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// No `client_assertion`: the request does not authenticate the client [Sec §4.1.1].
    #[error(
        "parameter `client_assertion` is missing: the client must authenticate with a signed JWT"
    )]
    ClientAssertionMissing,
    /// The optional `client_id` parameter names another client than the assertion's `iss` [RFC 7521 §4.2].
    #[error("parameter `client_id`: expected the assertion's `iss` `{iss}` (found `{found}`)")]
    ClientIdMismatch {
        /// The assertion's `iss`.
        iss: String,
        /// The parameter's value (clipped).
        found: String,
    },
    /// No tool is registered under the assertion's `iss` (checklist H78).
    #[error("no tool is registered with client_id `{client_id}` (the client assertion's `iss`)")]
    ClientUnknown {
        /// The unknown client id (clipped).
        client_id: ClientId,
    },
    /// The request authenticates the client in more than one way (an `Authorization` header or a
    /// `client_secret` besides the assertion) [RFC 6749 §2.3].
    #[error(
        "{found} besides `client_assertion`: use exactly one client authentication method [RFC 6749 §2.3]"
    )]
    ClientAuthenticationRepeated {
        /// The other method found.
        found: &'static str,
    },
    /// The `Content-Type` is not `application/x-www-form-urlencoded` [RFC 6749 §4.4.2].
    #[error(
        "header `Content-Type`: expected `application/x-www-form-urlencoded` (found `{found}`)"
    )]
    ContentType {
        /// The content type sent (clipped), or `none`.
        found: String,
    },
    /// The assertion names a deployment the tool is not registered for [Core §6.2.1].
    #[error("deployment `{deployment_id}` is not registered for client `{client_id}`")]
    DeploymentUnknown {
        /// The client.
        client_id: ClientId,
        /// The deployment named in the assertion.
        deployment_id: DeploymentId,
    },
    /// The body is not a well-formed form.
    #[error("request body: {reason}")]
    MalformedBody {
        /// What is wrong.
        reason: String,
    },
    /// The HTTP method is not POST [RFC 6749 §3.2].
    #[error("method `{method}` not allowed: the token endpoint accepts POST only")]
    MethodNotAllowed {
        /// The method received (clipped).
        method: String,
    },
    /// A parameter appears more than once [RFC 6749 §3.2].
    #[error("parameter `{name}` is included more than once [RFC 6749 §3.2]")]
    ParameterDuplicated {
        /// The parameter's name (clipped).
        name: String,
    },
    /// A required parameter is missing or empty.
    #[error("parameter `{name}` is missing")]
    ParameterMissing {
        /// The parameter's name.
        name: &'static str,
    },
    /// No `scope` was requested; 1EdTech services require one [Sec §4.1].
    #[error("parameter `scope` is missing: request the service scopes the token is for [Sec §4.1]")]
    ScopeMissing,
    /// A requested scope is unknown or not granted to this tool (checklist H80).
    #[error("scope not allowed for client `{client_id}`: {}", .scopes.join(" "))]
    ScopeNotAllowed {
        /// The client.
        client_id: ClientId,
        /// The requested scopes it may not have (clipped, at most 5).
        scopes: Vec<String>,
    },
    /// More parameters than [`MAX_TOKEN_REQUEST_PARAMS`](crate::MAX_TOKEN_REQUEST_PARAMS).
    #[error("request body has more than {limit} parameters")]
    TooManyParameters {
        /// The limit.
        limit: usize,
    },
    /// `grant_type` is not `client_credentials` (checklist H79).
    #[error("parameter `grant_type`: expected `client_credentials` (found `{found}`)")]
    UnsupportedGrantType {
        /// The grant type sent (clipped).
        found: String,
    },

    // --- our configuration ---
    /// The platform is not set up for this request: no token endpoint, no JWKS cache for a JWKS-URL tool, or a
    /// tool's registered static key does not parse.
    #[error("token endpoint misconfigured: {what}")]
    NotConfigured {
        /// What is missing or wrong.
        what: String,
    },

    // --- our side failed ---
    /// Random generation failed.
    #[error("cryptographic operation failed")]
    Crypto(#[source] lti_security::Error),
    /// The tool registry failed.
    #[error("tool registry failed")]
    Registry(#[source] PlatformError),
    /// A token record does not serialize.
    #[error("token record does not serialize")]
    Serialize(#[source] serde_json::Error),
    /// The store failed.
    #[error("storage failed")]
    Storage(#[source] lti_storage::Error),
}

impl TokenError {
    /// The RFC 6749 §5.2 error code.
    ///
    /// - `invalid_request`: wrong method, content type or body; a missing or repeated parameter; a wrong
    ///   `client_assertion_type`; a second client authentication method.
    /// - `invalid_client`: no assertion, an unknown client, a `client_id` parameter that is not the assertion's
    ///   `iss`, and every fault of the assertion (see [`AssertionError::oauth_error`]).
    /// - `invalid_grant`: an authentic assertion naming a deployment the tool does not have.
    /// - `unsupported_grant_type`: any `grant_type` but `client_credentials`.
    /// - `invalid_scope`: no scope, or a scope the tool may not have (the request is refused, never narrowed).
    /// - `server_error` for our own failures.
    pub fn oauth_error(&self) -> OAuthErrorCode {
        match self {
            Self::Assertion(e) => e.oauth_error(),
            Self::AssertionType { .. }
            | Self::BodyTooLarge { .. }
            | Self::ClientAuthenticationRepeated { .. }
            | Self::ContentType { .. }
            | Self::MalformedBody { .. }
            | Self::MethodNotAllowed { .. }
            | Self::ParameterDuplicated { .. }
            | Self::ParameterMissing { .. }
            | Self::TooManyParameters { .. } => OAuthErrorCode::InvalidRequest,
            Self::ClientAssertionMissing
            | Self::ClientIdMismatch { .. }
            | Self::ClientUnknown { .. } => OAuthErrorCode::InvalidClient,
            Self::DeploymentUnknown { .. } => OAuthErrorCode::InvalidGrant,
            Self::ScopeMissing | Self::ScopeNotAllowed { .. } => OAuthErrorCode::InvalidScope,
            Self::UnsupportedGrantType { .. } => OAuthErrorCode::UnsupportedGrantType,
            Self::NotConfigured { .. }
            | Self::Crypto(_)
            | Self::Registry(_)
            | Self::Serialize(_)
            | Self::Storage(_) => OAuthErrorCode::Other("server_error".to_owned()),
        }
    }

    /// The HTTP status: 405 for a method other than POST, 500 for our failures, otherwise the code's status
    /// (401 for `invalid_client`, 400 for the rest) [RFC 6749 §5.2].
    pub fn status(&self) -> StatusCode {
        if self.is_internal() {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        if matches!(self, Self::MethodNotAllowed { .. }) {
            return StatusCode::METHOD_NOT_ALLOWED;
        }
        StatusCode::from_u16(self.oauth_error().http_status()).unwrap_or(StatusCode::BAD_REQUEST)
    }

    /// Whether this is a failure on our side (logged at `error`, answered with a generic description).
    pub fn is_internal(&self) -> bool {
        match self {
            Self::Assertion(e) => e.is_internal(),
            Self::NotConfigured { .. }
            | Self::Crypto(_)
            | Self::Registry(_)
            | Self::Serialize(_)
            | Self::Storage(_) => true,
            _ => false,
        }
    }

    /// The RFC 6749 §5.2 JSON response, with `Cache-Control: no-store` and `Pragma: no-cache`. A 401 carries
    /// `WWW-Authenticate: private_key_jwt` (the client authentication method expected, OIDC Core §9), a 405
    /// carries `Allow: POST`. Internal failures get a generic description; the details go to the log.
    pub fn into_response(self) -> http::Response<Bytes> {
        let status = self.status();
        let description = if self.is_internal() {
            "internal error; the details are in the platform's log".to_owned()
        } else {
            self.to_string()
        };
        let body = OAuthErrorBody::new(self.oauth_error(), description);
        let mut response = super::json_response(status, &body);
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("private_key_jwt"),
            );
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}
