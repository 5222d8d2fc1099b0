//! Outbound HTTP errors.

use std::time::Duration;

/// Why an outbound request produced no response.
///
/// URLs in messages carry scheme, host, port and path only (see [`redacted_url`](crate::redacted_url)): never the
/// query string or user info, which may hold a token.
///
/// Variants are grouped by who must act: the peer ([`BodyTooLarge`](Self::BodyTooLarge),
/// [`InsecureRedirect`](Self::InsecureRedirect), [`TooManyRedirects`](Self::TooManyRedirects)), the caller's
/// configuration or request ([`ClientBuild`](Self::ClientBuild), [`InvalidConfig`](Self::InvalidConfig),
/// [`InvalidRequest`](Self::InvalidRequest), [`NoRoute`](Self::NoRoute)), or the network
/// ([`Timeout`](Self::Timeout), [`Transport`](Self::Transport)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The response body was larger than the cap (announced by `Content-Length`, or counted while reading).
    #[error("response body from {url} exceeds the {limit}-byte limit")]
    BodyTooLarge {
        /// Where the response came from (no query).
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The HTTP backend could not be initialised (for reqwest: the TLS backend or the resolver).
    #[error("cannot build the HTTP client")]
    ClientBuild {
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A redirect from `https` to plain `http` was refused while following redirects.
    #[error("refused redirect from {from} to {to}: it leaves https")]
    InsecureRedirect {
        /// The URL that answered with the redirect (no query).
        from: String,
        /// The `Location` it pointed to (no query).
        to: String,
    },
    /// A client setting or an in-process route cannot be used as given.
    #[error("invalid HTTP client configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
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
    /// More redirects than allowed ([`MAX_REDIRECTS`](crate::MAX_REDIRECTS)) while following redirects.
    #[error("request to {url} was redirected more than {limit} times")]
    TooManyRedirects {
        /// The URL that answered with the redirect over the limit (no query).
        url: String,
        /// The redirect limit.
        limit: usize,
    },
    /// Connection, TLS or protocol failure.
    #[error("request to {url} failed")]
    Transport {
        /// Where the request went (no query).
        url: String,
        /// The cause (stripped of any URL).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
