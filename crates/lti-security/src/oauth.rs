//! OAuth 2.0 client credentials with JWT client assertions, the way LTI Advantage services are authorized
//! [Sec §4.1; RFC 6749 §4.4, §5; RFC 7523 §2.2, §3].
//!
//! This module holds the wire types both ends share: the token request parameters, the token response, the
//! RFC 6749 §5.2 error body and the client-assertion claims. The tool-side token client and the platform-side
//! assertion verification ([`ClientAssertionVerifier`]) build on them.

mod assertion;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Audience, NumericDate};

pub use assertion::{
    AssertionError, CheckedClientAssertion, ClientAssertionVerifier, DEFAULT_ASSERTION_MAX_AGE,
    DEFAULT_ASSERTION_MAX_LIFETIME, DEFAULT_MAX_ASSERTION_BYTES, MAX_JTI_BYTES,
    UnverifiedClientAssertion, VerifiedClientAssertion,
};

/// `grant_type` of a client-credentials token request [RFC 6749 §4.4.2].
pub const GRANT_TYPE_CLIENT_CREDENTIALS: &str = "client_credentials";

/// `client_assertion_type` for a JWT client assertion [RFC 7523 §2.2; Sec §4.1.1].
pub const CLIENT_ASSERTION_TYPE_JWT_BEARER: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The claim LTI adds to a client assertion to name the deployment [Core §6.2.1].
pub const DEPLOYMENT_ID_CLAIM: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";

/// An RFC 6749 §5.2 error code. Unknown codes from a peer are kept as [`OAuthErrorCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// The request is missing a parameter, repeats one, or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed (unknown client, bad assertion signature, `iss` ≠ `sub`, ...).
    InvalidClient,
    /// The grant (here: the assertion) is invalid, expired or replayed.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// A requested scope is unknown or not allowed for this client.
    InvalidScope,
    /// Any other code a server sent.
    Other(String),
}

impl OAuthErrorCode {
    /// The code as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::Other(code) => code,
        }
    }

    /// Parses a wire code; never fails.
    pub fn from_wire(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The HTTP status a token endpoint answers with for this code [RFC 6749 §5.2]: 401 for `invalid_client`,
    /// 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidClient => 401,
            _ => 400,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OAuthErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OAuthErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&code))
    }
}

/// The JSON error body of a token endpoint [RFC 6749 §5.2].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    /// The error code.
    pub error: OAuthErrorCode,
    /// A human-readable explanation for the client developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A page about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl OAuthErrorBody {
    /// An error body with a description.
    pub fn new(error: OAuthErrorCode, description: impl Into<String>) -> Self {
        Self {
            error,
            error_description: Some(description.into()),
            error_uri: None,
        }
    }
}

impl fmt::Display for OAuthErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error_description {
            Some(description) => write!(f, "{}: {description}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// A successful token response [RFC 6749 §5.1; Sec §4.1].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token. Opaque to the tool [Sec §4.1.1.1].
    pub access_token: String,
    /// `bearer` (compare case-insensitively).
    pub token_type: String,
    /// Lifetime in seconds (3600 recommended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The granted scopes, space separated; absent means "as requested".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A set of OAuth scopes: sorted, without duplicates, written space separated [RFC 6749 §3.3].
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// No scopes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a space-separated `scope` parameter; empty items (double spaces) are ignored.
    pub fn parse(scope: &str) -> Self {
        Self(
            scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Adds a scope; returns whether it was new.
    pub fn insert(&mut self, scope: impl Into<String>) -> bool {
        self.0.insert(scope.into())
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Number of scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no scope.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}

impl fmt::Display for Scopes {
    /// Space separated, sorted: the `scope` parameter's wire form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
            first = false;
        }
        Ok(())
    }
}

/// The claims of a JWT client assertion [Sec §4.1.1; RFC 7523 §3; Core §6.2.1].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAssertionClaims {
    /// The client_id.
    pub iss: String,
    /// The client_id again (must equal `iss`).
    pub sub: String,
    /// The authorization server: the token endpoint URL or the agreed authorization-server id.
    pub aud: Audience,
    /// Issued at.
    pub iat: NumericDate,
    /// Expiry (about 5 minutes after `iat`).
    pub exp: NumericDate,
    /// Unique id; the platform refuses a second use until `exp`.
    pub jti: String,
    /// The deployment the token is for (SHOULD, Core §6.2.1).
    #[serde(
        rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub deployment_id: Option<String>,
}

// ----- tool side: getting service tokens -----

mod access_token;
mod assertion_builder;
mod token_endpoint;
mod token_error;
mod token_request;
mod token_response;
mod token_source;
mod token_source_config;

pub use access_token::AccessToken;
pub use assertion_builder::{ASSERTION_BACKDATE, ASSERTION_LIFETIME, ClientAssertion};
pub use token_endpoint::TokenEndpoint;
pub use token_error::TokenError;
pub use token_response::MAX_EXPIRES_IN_SECS;
pub use token_source::TokenSource;
pub use token_source_config::{
    DEFAULT_EXPIRY_MARGIN, DEFAULT_MAX_TOKEN_RESPONSE_BYTES, DEFAULT_TOKEN_LIFETIME,
    TokenSourceConfig,
};
