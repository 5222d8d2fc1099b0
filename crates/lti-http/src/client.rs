//! The [`HttpClient`] trait and per-request options.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::HttpError;

/// The default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most redirects followed for one request when [`RequestOptions::follow_redirects`] is set.
pub const MAX_REDIRECTS: usize = 5;

/// The default time a whole request (connect, send, read the body) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Outbound HTTP, as lti-rs needs it: one request in, one fully read (and size-capped) response out.
///
/// Object safe: components hold an `Arc<dyn HttpClient>`. Implementations must
/// - honour the [`RequestOptions`] found in the request's extensions (or their own defaults when none),
/// - fail with [`HttpError::BodyTooLarge`] rather than buffer more than the body cap,
/// - fail with [`HttpError::Timeout`] when the timeout elapses,
/// - return non-2xx statuses as responses, not errors (the caller decides what a 404 means),
/// - not follow redirects unless [`RequestOptions::follow_redirects`] is set (a redirect is an SSRF vector).
#[async_trait]
pub trait HttpClient: Send + Sync + Debug {
    /// Sends `request` and reads the whole response.
    ///
    /// # Errors
    /// Transport failure, timeout, an over-size body, or a request the client cannot send.
    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError>;
}

/// Per-request settings, carried in the request's [`extensions`](http::Request::extensions).
///
/// Fields left `None` take the client's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// How long the whole exchange may take.
    pub timeout: Option<Duration>,
    /// The largest response body accepted, in bytes.
    pub max_body_bytes: Option<usize>,
    /// Follow redirects (at most [`MAX_REDIRECTS`], never from `https` to `http`). Off by default: security calls
    /// (JWKS, tokens) never follow them.
    pub follow_redirects: bool,
}

impl RequestOptions {
    /// The options attached to `request`, or the defaults.
    pub fn of<B>(request: &http::Request<B>) -> Self {
        request
            .extensions()
            .get::<Self>()
            .copied()
            .unwrap_or_default()
    }

    /// Sets the timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the body cap.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = Some(max);
        self
    }

    /// Allows redirects to be followed.
    #[must_use]
    pub fn with_follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// Attaches these options to `request`.
    pub fn apply<B>(self, request: &mut http::Request<B>) {
        request.extensions_mut().insert(self);
    }
}
