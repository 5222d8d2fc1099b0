//! [`TokenError`]: why a service token could not be had, or a service call not be made.

use std::sync::Arc;

use super::OAuthErrorBody;
use crate::Party;

/// Why [`TokenSource`](super::TokenSource) could not get a token (or send a service request with one).
///
/// Variants are grouped by who must act: our configuration ([`InsecureEndpoint`](Self::InsecureEndpoint),
/// [`EmptyField`](Self::EmptyField), [`NoScopes`](Self::NoScopes), [`InvalidScope`](Self::InvalidScope),
/// [`InsecureServiceUrl`](Self::InsecureServiceUrl), [`Assertion`](Self::Assertion)), the platform's answer
/// ([`Refused`](Self::Refused) and the response-shape variants), or the network ([`Http`](Self::Http),
/// [`ServiceHttp`](Self::ServiceHttp)). [`party`](Self::party) tells them apart.
///
/// Messages name the token endpoint (no query string), the HTTP status, the field and what was expected. They
/// never contain the client assertion or an access token: a response body is never quoted from a successful
/// answer (it may hold a token), and the excerpt of an error page has anything shaped like a JWT cut out.
///
/// Cheap to clone: callers that shared one token request (single flight) each get the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    // ----- our configuration -----
    /// The token endpoint is not `https` (or `http` to a loopback host).
    #[error(
        "token endpoint `{url}`: expected an https URL (http only for localhost, 127.0.0.0/8 or ::1): the client \
         assertion and the access token travel over it"
    )]
    InsecureEndpoint {
        /// The URL (no query).
        url: String,
    },
    /// A configuration value is empty.
    #[error("token endpoint configuration: `{field}` must not be empty")]
    EmptyField {
        /// Which value.
        field: &'static str,
    },
    /// A token was asked for with no scope; LTI service tokens always name their scopes [Sec §4.1].
    #[error(
        "no scope requested from token endpoint {url}: LTI service tokens need at least one scope [Sec §4.1]"
    )]
    NoScopes {
        /// The token endpoint (no query).
        url: String,
    },
    /// A requested scope is not an RFC 6749 §3.3 scope token (empty, or a space, `"`, `\` or a non-printable
    /// character in it).
    #[error(
        "scope `{scope}` is not a valid OAuth scope (RFC 6749 §3.3: printable ASCII without space, `\"` or `\\`)"
    )]
    InvalidScope {
        /// The scope, clipped and with control characters escaped.
        scope: String,
    },
    /// A service request would send the bearer token over plain `http` to a host that is not loopback.
    #[error(
        "service URL `{url}`: expected https (http only for localhost, 127.0.0.0/8 or ::1): the bearer token is \
         not sent in clear text"
    )]
    InsecureServiceUrl {
        /// The URL (no query).
        url: String,
    },
    /// The client assertion could not be made (signing or randomness failed).
    #[error("cannot make the client assertion for client_id `{client_id}`")]
    Assertion {
        /// The client id.
        client_id: String,
        /// The cause.
        #[source]
        source: Arc<crate::Error>,
    },

    // ----- the platform's answer -----
    /// The token endpoint answered with an RFC 6749 §5.2 error body (`invalid_client`, `invalid_scope`, ...).
    #[error("token endpoint {url} refused the token request (HTTP {status}): {error}")]
    Refused {
        /// The token endpoint (no query).
        url: String,
        /// The HTTP status (usually 400 or 401; a 2xx when the platform put an error body in a success).
        status: u16,
        /// The error code and description (description clipped, with anything shaped like a JWT cut out).
        error: OAuthErrorBody,
    },
    /// The token endpoint answered with an error status and no RFC 6749 error body.
    #[error(
        "token endpoint {url} answered HTTP {status} without an OAuth error body{}",
        body_hint(.body)
    )]
    Status {
        /// The token endpoint (no query).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body (clipped, printable characters only, JWT-shaped text cut out).
        body: Option<String>,
    },
    /// A successful answer whose `Content-Type` is not JSON (an HTML login page, a proxy's error page, ...).
    #[error(
        "token endpoint {url} answered HTTP {status} with Content-Type `{found}`; expected `application/json`"
    )]
    UnexpectedContentType {
        /// The token endpoint (no query).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` received (clipped).
        found: String,
    },
    /// A successful answer whose body is not a JSON object.
    #[error("token response from {url} is not a JSON object: {reason}")]
    MalformedResponse {
        /// The token endpoint (no query).
        url: String,
        /// What it is instead (never the body itself).
        reason: String,
    },
    /// A required member of the token response is absent (or `null`).
    #[error("token response from {url}: member `{field}` is missing [RFC 6749 §5.1]")]
    MissingField {
        /// The token endpoint (no query).
        url: String,
        /// The member's name (`access_token`, `token_type`).
        field: &'static str,
    },
    /// A member of the token response has the wrong type or a value out of range.
    #[error("token response from {url}: member `{field}`: expected {expected} (found {found})")]
    InvalidField {
        /// The token endpoint (no query).
        url: String,
        /// The member's name.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What came: the JSON type, or the value for non-secret members (clipped).
        found: String,
    },
    /// `token_type` is not `bearer` (compared case-insensitively): no other kind of token can be sent.
    #[error("token response from {url}: `token_type` is `{found}`; expected `bearer` [RFC 6750]")]
    UnsupportedTokenType {
        /// The token endpoint (no query).
        url: String,
        /// The token type received (clipped).
        found: String,
    },
    /// The response body is larger than the cap ([`TokenSourceConfig::max_body_bytes`](super::TokenSourceConfig)).
    #[error("token response from {url} exceeds the {limit}-byte limit")]
    ResponseTooLarge {
        /// The token endpoint (no query).
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },

    // ----- the network -----
    /// The token request got no response (connection, TLS, timeout, redirect refused).
    #[error("token request to {url} failed")]
    Http {
        /// The token endpoint (no query).
        url: String,
        /// The transport error.
        #[source]
        source: Arc<lti_http::HttpError>,
    },
    /// The service request got no response.
    #[error("service request to {url} failed")]
    ServiceHttp {
        /// The service URL (no query).
        url: String,
        /// The transport error.
        #[source]
        source: Arc<lti_http::HttpError>,
    },
}

impl TokenError {
    /// Who must act: [`Party::Configuration`] for our setup, [`Party::Peer`] for the platform's answer,
    /// [`Party::Internal`] for the network or the crypto backend.
    pub fn party(&self) -> Party {
        match self {
            Self::InsecureEndpoint { .. }
            | Self::EmptyField { .. }
            | Self::NoScopes { .. }
            | Self::InvalidScope { .. }
            | Self::InsecureServiceUrl { .. } => Party::Configuration,
            Self::Assertion { source, .. } => match source.party() {
                Party::Configuration => Party::Configuration,
                _ => Party::Internal,
            },
            Self::Http { .. } | Self::ServiceHttp { .. } => Party::Internal,
            _ => Party::Peer,
        }
    }

    /// The RFC 6749 error the platform sent, if that is what this is.
    pub fn oauth_error(&self) -> Option<&OAuthErrorBody> {
        match self {
            Self::Refused { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status of the token endpoint's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. }
            | Self::Status { status, .. }
            | Self::UnexpectedContentType { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn body_hint(body: &Option<String>) -> String {
    body.as_ref()
        .map(|b| format!("; body starts `{b}`"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::OAuthErrorCode;

    #[test]
    fn refused_names_status_code_and_description() {
        let e = TokenError::Refused {
            url: "https://lms.example/token".into(),
            status: 400,
            error: OAuthErrorBody::new(OAuthErrorCode::InvalidScope, "scope x not allowed"),
        };
        assert_eq!(
            e.to_string(),
            "token endpoint https://lms.example/token refused the token request (HTTP 400): invalid_scope: scope \
             x not allowed"
        );
        assert_eq!(e.party(), Party::Peer);
        assert_eq!(e.status(), Some(400));
    }
}
