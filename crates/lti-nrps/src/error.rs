//! The crate's error type and its HTTP status.

use http::StatusCode;
use lti_security::oauth::TokenError;

/// How many characters of a found value an error keeps.
const CLIP: usize = 100;

/// Everything that can go wrong reading or serving a membership, grouped by who must act.
///
/// Messages name the parameter, header, claim or member that was wrong, say what was expected and what was
/// found (clipped to 100 characters), and never contain a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- tool side: the platform's claim or answer is wrong ---
    /// The launch's NRPS claim does not have the claim's shape [NRPS §3.6.1.1].
    #[error("{0}")]
    InvalidClaim(#[source] lti_core::Error),
    /// The claim's `service_versions` does not list `2.0` [NRPS §3.6.1.1] (checklist N124).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice` member `service_versions`: expected to contain `2.0` (found {found:?})"
    )]
    UnsupportedVersion {
        /// The versions listed (clipped).
        found: Vec<String>,
    },
    /// A service URL (the claim's, or a `Link` target) is not `https` (plain `http` only to a loopback host): a
    /// bearer token would travel in clear text.
    #[error("{what} `{url}`: expected an https URL (http only for localhost, 127.0.0.0/8 or ::1)")]
    InsecureUrl {
        /// Which URL.
        what: &'static str,
        /// The URL without query (clipped).
        url: String,
    },
    /// A `Link` target points to another origin than the membership URL: the bearer token is not sent there.
    #[error(
        "`Link` rel=\"{rel}\" target `{found}`: expected a URL on the membership URL's origin `{expected}`"
    )]
    ForeignLink {
        /// The relation (`next` or `differences`).
        rel: &'static str,
        /// The membership URL's origin.
        expected: String,
        /// The link target without query (clipped).
        found: String,
    },
    /// A `Link` target is not a URL (nor a reference relative to the request URL).
    #[error("`Link` rel=\"{rel}\": target `{found}` is not a URL")]
    InvalidLinkTarget {
        /// The relation.
        rel: &'static str,
        /// The target (clipped).
        found: String,
    },
    /// The answer's `Link` header cannot be read (a broken header stops paging loudly, never silently).
    #[error("membership answer from `{url}`: {source}")]
    LinkHeader {
        /// The URL asked (without query).
        url: String,
        /// The parser's error.
        #[source]
        source: lti_http::LinkError,
    },
    /// Getting a token, or sending the request, failed.
    #[error("membership request: {0}")]
    Token(#[source] TokenError),
    /// The platform answered with another status than 200.
    #[error("membership answer from `{url}`: status {status} (body: `{body}`)")]
    Status {
        /// The URL asked (without query).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 1 KiB, lossy UTF-8).
        body: String,
    },
    /// The answer is not a membership container (nor `application/json`).
    #[error(
        "membership answer from `{url}`: header `Content-Type`: expected `application/vnd.ims.lti-nrps.v2.membershipcontainer+json` (found `{found}`)"
    )]
    ContentType {
        /// The URL asked (without query).
        url: String,
        /// The content type received (clipped).
        found: String,
    },
    /// The answer's body is not a membership container.
    #[error("membership answer from `{url}`: body is not a membership container: {reason}")]
    Body {
        /// The URL asked (without query).
        url: String,
        /// serde's message, with the line and column where parsing stopped.
        reason: String,
    },
    /// A `next` link repeats a page already read, or more pages than the cap were read.
    #[error("membership paging from `{url}`: {reason}")]
    Paging {
        /// The URL of the membership (without query).
        url: String,
        /// What went wrong.
        reason: String,
    },

    // --- platform side: the tool's request is wrong ---
    /// The method is not `GET` [NRPS §2.4].
    #[error("membership request: method `{method}` not allowed: expected GET")]
    Method {
        /// The method received.
        method: String,
    },
    /// The `Accept` header excludes the membership container media type [NRPS §2.4].
    #[error(
        "header `Accept`: expected `application/vnd.ims.lti-nrps.v2.membershipcontainer+json` (found `{found}`)"
    )]
    NotAcceptable {
        /// The `Accept` value (clipped).
        found: String,
    },
    /// A query parameter is malformed [NRPS §2.4.1, §2.4.2, §3] (anti-pattern 11: never coerced).
    #[error("query parameter `{param}`: expected {expected} (found `{found}`)")]
    InvalidQuery {
        /// The parameter.
        param: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What was sent (clipped).
        found: String,
    },
    /// Bearer token, scope, scoped URL or context ownership refused (from `lti-core`'s shared service access).
    #[error("{0}")]
    Access(#[source] lti_core::service_access::ServiceAccessError),
    /// The path is not a membership URL of this service (`{base}/{scoped segment}`).
    #[error("path `{path}` is not a membership URL of this platform")]
    UnknownPath {
        /// The path (clipped).
        path: String,
    },
    /// The membership URL names a context the platform does not know.
    #[error("context `{context}`: no such context")]
    UnknownContext {
        /// The context id (clipped).
        context: String,
    },
    /// `rlid` names a resource link that is not in the context [NRPS §3.1] (checklist N129).
    #[error("query parameter `rlid`: resource link `{rlid}` is not in context `{context}`")]
    UnknownResourceLink {
        /// The resource link id (clipped).
        rlid: String,
        /// The context id (clipped).
        context: String,
    },
    /// `rlid` names a resource link of another tool [NRPS §3.1] (checklist N129).
    #[error(
        "query parameter `rlid`: resource link `{rlid}` belongs to another tool than client `{client_id}`"
    )]
    ForeignResourceLink {
        /// The resource link id (clipped).
        rlid: String,
        /// The calling tool.
        client_id: String,
    },
    /// A paging or differences parameter (`after`, `since`, `as_of`) is not one this platform wrote.
    #[error(
        "query parameter `{param}`: expected a value from this platform's `Link` header (found `{found}`)"
    )]
    InvalidCursor {
        /// The parameter.
        param: &'static str,
        /// What was sent (clipped).
        found: String,
    },

    // --- our configuration or API use ---
    /// The service's base URL is not usable (not https, or with a query or fragment).
    #[error("membership service base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL (clipped).
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value given to the roster breaks a rule (an empty or over-long id, `Deleted` written as a status).
    #[error("roster: {field}: {reason}")]
    InvalidRecord {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },

    // --- our side failed ---
    /// The store failed.
    #[error("roster storage failed")]
    Storage(#[source] lti_storage::Error),
    /// A stored record cannot be read back.
    #[error("roster record under `{what}` is corrupt: {reason}")]
    Corrupt {
        /// Which record.
        what: &'static str,
        /// serde's message.
        reason: String,
    },
    /// A value could not be written as JSON.
    #[error("could not serialize {what}")]
    Serialize {
        /// What.
        what: &'static str,
    },
    /// A platform-defined [`Roster`](crate::Roster) failed.
    #[error("roster backend failed: {0}")]
    Backend(String),
}

impl Error {
    /// The HTTP status a platform answers with for this error: 4xx for the tool's mistakes, 500 for ours.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Method { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::InvalidQuery { .. } | Self::InvalidCursor { .. } => StatusCode::BAD_REQUEST,
            Self::Access(e) => e.status(),
            Self::UnknownPath { .. }
            | Self::UnknownContext { .. }
            | Self::UnknownResourceLink { .. } => StatusCode::NOT_FOUND,
            Self::ForeignResourceLink { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether the error is ours (500: details are logged, not shown to the peer).
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error()
    }
}

/// Cuts `value` to [`CLIP`] characters (on a char boundary), marking the cut with `…`.
pub(crate) fn clip(value: &str) -> String {
    match value.char_indices().nth(CLIP) {
        None => value.to_owned(),
        Some((at, _)) => {
            let mut s = value.get(..at).unwrap_or_default().to_owned();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_who_must_act() {
        let q = Error::InvalidQuery {
            param: "limit",
            expected: "x",
            found: "0".into(),
        };
        assert_eq!(q.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            Error::Method {
                method: "POST".into()
            }
            .status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert!(Error::Serialize { what: "x" }.is_internal());
        assert_eq!(clip(&"é".repeat(150)).chars().count(), CLIP + 1);
    }
}
