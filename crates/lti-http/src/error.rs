//! Outbound HTTP errors.

use std::time::Duration;

/// Why an outbound request produced no response.
///
/// URLs in messages carry scheme, host and path only: never the query string, which may hold a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The response body was larger than the cap.
    #[error("response body from {url} exceeds the {limit}-byte limit")]
    BodyTooLarge {
        /// Where the request went (no query).
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The request could not be built or sent as given (bad URL, unsupported scheme).
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// No handler is registered for the request's origin (in-process [`RouterClient`](crate::RouterClient)).
    #[error("no in-process handler for origin {origin}")]
    NoRoute {
        /// The origin asked for.
        origin: String,
    },
    /// The exchange took longer than the timeout.
    #[error("request to {url} timed out after {after:?}")]
    Timeout {
        /// Where the request went (no query).
        url: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// Connection, TLS or protocol failure.
    #[error("request to {url} failed")]
    Transport {
        /// Where the request went (no query).
        url: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
