//! The crate's error type, grouped by who must act, and its HTTP status.

use std::sync::Arc;

use http::StatusCode;
use lti_core::service_access::ServiceAccessError;
use lti_http::LinkError;
use lti_security::oauth::TokenError;

/// What went wrong in an AGS call, on either side.
///
/// - The tool's request was refused by [`AgsService`](crate::AgsService): [`status`](Self::status) is the
///   4xx it answers with, and the message names the field, parameter or header and what was expected.
/// - The platform's answer to [`AgsClient`](crate::AgsClient) was unusable or a refusal: the status, the URL
///   (without query) and a clipped body.
/// - Our configuration or API use is wrong.
/// - Storage failed (a generic 500; the details are logged).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- the tool's request, refused by the platform -----
    /// `Content-Type` is not the media type of the resource: 415.
    #[error("unsupported media type: expected `Content-Type: {expected}` (found `{found}`)")]
    UnsupportedMediaType {
        /// The media type the route takes.
        expected: &'static str,
        /// What was sent (clipped).
        found: String,
    },
    /// `Accept` does not admit the media type of the resource: 406.
    #[error(
        "not acceptable: the resource is `{offered}`, which `Accept` does not admit (found `{found}`)"
    )]
    NotAcceptable {
        /// The media type of the answer.
        offered: &'static str,
        /// The `Accept` header (clipped).
        found: String,
    },
    /// The method is not supported on this resource (GET on scores, ...): 405.
    #[error("method `{method}` is not allowed on the {resource}: expected one of {allowed}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The resource.
        resource: &'static str,
        /// The methods allowed, comma separated (also the `Allow` header).
        allowed: &'static str,
    },
    /// The body is larger than the service accepts: 413.
    #[error("request body is {len} bytes: expected at most {max}")]
    BodyTooLarge {
        /// The body's length.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The body is not JSON of the expected shape (wrong type, missing member, bad timestamp): 400.
    #[error("malformed {what}: {reason}")]
    MalformedBody {
        /// What the body should be (`line item`, `score`).
        what: &'static str,
        /// The parser's message, naming the member (clipped).
        reason: String,
    },
    /// A member breaks an AGS rule (blank `label`, negative `scoreGiven`, unknown `gradingProgress`): 400.
    #[error("member `{field}`: expected {expected}")]
    InvalidField {
        /// The member.
        field: &'static str,
        /// What the rule wants.
        expected: &'static str,
    },
    /// A query parameter is malformed or repeated: 400.
    #[error("query parameter `{parameter}`: expected {expected} (found `{found}`)")]
    InvalidQuery {
        /// The parameter.
        parameter: &'static str,
        /// What is accepted.
        expected: &'static str,
        /// What was sent (clipped).
        found: String,
    },
    /// No such resource for this tool in this context: 404.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// `resourceLinkId` names no resource link of this tool in this context [AGS §3.2.9]: 404.
    #[error("`resourceLinkId` `{found}` is not a resource link of this tool in this context")]
    UnknownResourceLink {
        /// The id sent (clipped).
        found: String,
    },
    /// Token, scope, scoped URL or adoption check failed: 400/401/403.
    #[error(transparent)]
    Access(#[from] ServiceAccessError),

    // ----- the platform's answer to the tool -----
    /// No service token.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The platform answered with a non-2xx status.
    #[error("`{url}` answered {status}: {body}")]
    Status {
        /// The URL (without query).
        url: String,
        /// The status.
        status: u16,
        /// The start of the body (clipped).
        body: String,
    },
    /// The platform's answer has another media type.
    #[error("`{url}`: expected `Content-Type: {expected}` (found `{found}`)")]
    UnexpectedContentType {
        /// The URL (without query).
        url: String,
        /// The media type asked for.
        expected: &'static str,
        /// What came (clipped).
        found: String,
    },
    /// The platform's answer is not the JSON expected.
    #[error("`{url}`: malformed {what}: {reason}")]
    MalformedResponse {
        /// The URL (without query).
        url: String,
        /// What the body should be.
        what: &'static str,
        /// The parser's message (clipped).
        reason: String,
    },
    /// The platform's `Link` header is broken.
    #[error("`{url}`: {source}")]
    Link {
        /// The URL (without query).
        url: String,
        /// What is wrong.
        #[source]
        source: LinkError,
    },
    /// Paging did not end within the page cap, or a `next` link pointed back to a page already read.
    #[error("paging from `{url}` did not end after {pages} pages")]
    Paging {
        /// The first URL (without query).
        url: String,
        /// Pages read.
        pages: usize,
    },

    // ----- our configuration or API use -----
    /// The AGS claim lacks a URL the call needs.
    #[error("the AGS endpoint claim has no `{member}`")]
    EndpointMissing {
        /// `lineitems` or `lineitem`.
        member: &'static str,
    },
    /// The AGS claim does not offer the scope the call needs.
    #[error("the AGS endpoint claim does not offer scope `{scope}`")]
    ScopeNotOffered {
        /// The scope needed.
        scope: &'static str,
    },
    /// A service URL is not an absolute http(s) URL.
    #[error("service URL: expected {expected} (found `{found}`)")]
    InvalidUrl {
        /// What is needed.
        expected: &'static str,
        /// The URL (clipped).
        found: String,
    },
    /// The configuration of the service is wrong.
    #[error("AGS service configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },

    // ----- storage -----
    /// The gradebook store failed: 500.
    #[error("gradebook storage failed")]
    Storage(#[source] Arc<lti_storage::Error>),
    /// A stored record could not be read back: 500.
    #[error("gradebook record is corrupt: {reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },
    /// Too many concurrent writers on one grade: 503, retry.
    #[error("grade record busy: too many concurrent updates")]
    Busy,
}

impl Error {
    /// The HTTP status the platform answers with for this error (5xx for anything that is not the tool's
    /// fault).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MalformedBody { .. } | Self::InvalidField { .. } | Self::InvalidQuery { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound { .. } | Self::UnknownResourceLink { .. } => StatusCode::NOT_FOUND,
            Self::Access(e) => e.status(),
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Token(_)
            | Self::Status { .. }
            | Self::UnexpectedContentType { .. }
            | Self::MalformedResponse { .. }
            | Self::Link { .. }
            | Self::Paging { .. } => StatusCode::BAD_GATEWAY,
            Self::EndpointMissing { .. }
            | Self::ScopeNotOffered { .. }
            | Self::InvalidUrl { .. }
            | Self::Config { .. }
            | Self::Storage(_)
            | Self::Corrupt { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine code for the JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::NotAcceptable { .. } => "not_acceptable",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::MalformedBody { .. } | Self::InvalidField { .. } | Self::InvalidQuery { .. } => {
                "invalid_request"
            }
            Self::NotFound { .. } | Self::UnknownResourceLink { .. } => "not_found",
            Self::Access(e) => e.code(),
            Self::Busy => "busy",
            _ => "server_error",
        }
    }
}

impl From<lti_storage::Error> for Error {
    fn from(e: lti_storage::Error) -> Self {
        Self::Storage(Arc::new(e))
    }
}

/// `value` cut to `max` characters, with `…` when cut.
pub(crate) fn clip(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        None => value.to_owned(),
        Some((at, _)) => {
            let mut s = value.get(..at).unwrap_or_default().to_owned();
            s.push('…');
            s
        }
    }
}
