//! [`RouterClient`]: an in-process [`HttpClient`] that dispatches requests to [`Handler`]s by origin.

mod redirect;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::exchange::{Limits, absolute_url, traced};
use crate::redact::redacted;
use crate::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, Handler, HttpClient, HttpError, MAX_REDIRECTS,
};

/// Handlers by normalised origin (`https://host[:port]`, default port left out).
type Routes = HashMap<String, Arc<dyn Handler>>;

/// An [`HttpClient`] that calls in-process [`Handler`]s instead of the network.
///
/// Each handler serves one origin (scheme, host and port: `https://platform.example`); a request is dispatched
/// by the origin of its URI, and a request to an origin with no handler fails with [`HttpError::NoRoute`]. This
/// lets a tool and a platform talk to each other in one process: hand the same router (or a clone, which shares
/// the routes) to both, then mount each side's handlers on it. Routes can be added after the client was handed
/// out.
///
/// It keeps the [`HttpClient`] contract like the real client, so tests of it mean something: the body cap
/// ([`HttpError::BodyTooLarge`], by `Content-Length` or actual length), the timeout ([`HttpError::Timeout`], which
/// needs a Tokio runtime with time enabled), non-2xx answered as responses, and redirects returned as they are
/// unless [`RequestOptions::follow_redirects`](crate::RequestOptions::follow_redirects) is set; then up to
/// [`MAX_REDIRECTS`] `Location` hops are followed across registered origins, never from `https` to `http`,
/// dropping credentials (`Authorization`, `Cookie`) when the origin changes.
///
/// The handler receives the request with its absolute URI (`https://platform.example/jwks?x=1`).
///
/// ```
/// use bytes::Bytes;
/// use lti_http::{HttpClient, HttpError, RouterClient};
///
/// # async fn run() -> Result<(), HttpError> {
/// let router = RouterClient::new();
/// router.route("https://platform.example", |request: http::Request<Bytes>| async move {
///     let body = format!("you asked for {}", request.uri().path());
///     http::Response::new(Bytes::from(body))
/// })?;
///
/// let request = http::Request::get("https://platform.example/jwks").body(Bytes::new()).unwrap();
/// let response = router.execute(request).await?;
/// assert_eq!(response.body(), "you asked for /jwks");
///
/// let elsewhere = http::Request::get("https://tool.example/").body(Bytes::new()).unwrap();
/// assert!(matches!(router.execute(elsewhere).await, Err(HttpError::NoRoute { .. })));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RouterClient {
    routes: Arc<RwLock<Routes>>,
    timeout: Duration,
    max_body_bytes: usize,
}

impl RouterClient {
    /// A router with no routes, [`DEFAULT_TIMEOUT`] and [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new() -> Self {
        Self {
            routes: Arc::default(),
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Sets the default timeout (a request's own [`RequestOptions`](crate::RequestOptions) still win). The routes
    /// stay shared with the clones this one was made from.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the default body cap (a request's own [`RequestOptions`](crate::RequestOptions) still win). The routes
    /// stay shared with the clones this one was made from.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Serves `origin` (`scheme://host[:port]`, `http` or `https`) with `handler`, replacing any handler it had.
    ///
    /// `handler` is an async closure `|request: http::Request<Bytes>| async { ... }` (the argument type must be
    /// written out), an `async fn`, or any [`Handler`], including an `Arc<dyn Handler>`. Every clone of this
    /// router sees the new route.
    ///
    /// # Errors
    /// [`HttpError::InvalidConfig`] when `origin` is not an http(s) URL made of scheme, host and port alone (no
    /// path, query, fragment or user info).
    pub fn route<H: Handler + 'static>(
        &self,
        origin: &str,
        handler: H,
    ) -> Result<&Self, HttpError> {
        let origin = parse_origin(origin)?;
        self.write_routes().insert(origin, Arc::new(handler));
        Ok(self)
    }

    /// Stops serving `origin`; returns whether it had a handler.
    ///
    /// # Errors
    /// [`HttpError::InvalidConfig`] when `origin` is not a valid origin, as for [`route`](Self::route).
    pub fn unroute(&self, origin: &str) -> Result<bool, HttpError> {
        let origin = parse_origin(origin)?;
        Ok(self.write_routes().remove(&origin).is_some())
    }

    /// The origins served, sorted.
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.read_routes().keys().cloned().collect();
        origins.sort();
        origins
    }

    /// The handler for `origin`; the lock is released before this returns (never held across an await).
    fn handler_for(&self, origin: &str) -> Result<Arc<dyn Handler>, HttpError> {
        self.read_routes()
            .get(origin)
            .cloned()
            .ok_or_else(|| HttpError::NoRoute {
                origin: origin.to_owned(),
            })
    }

    fn read_routes(&self) -> std::sync::RwLockReadGuard<'_, Routes> {
        // A poisoned map is still a consistent map: every write is a single insert or remove.
        self.routes.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_routes(&self) -> std::sync::RwLockWriteGuard<'_, Routes> {
        self.routes.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Calls the handler for `request`, then, when asked, the handlers of the `Location`s it redirects to.
    async fn dispatch(
        &self,
        mut request: http::Request<Bytes>,
        limits: Limits,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let mut hops = 0_usize;
        loop {
            let url = absolute_url(request.uri())?;
            let handler = self.handler_for(&url.origin().ascii_serialization())?;
            let replay = limits
                .follow_redirects
                .then(|| redirect::Replay::of(&request));
            let response = handler.handle(request).await;
            let next =
                replay.and_then(|replay| Some((replay, redirect::location(&response, &url)?)));
            let Some((replay, location)) = next else {
                limits.check_response(&response, || redacted(&url))?;
                return Ok(response);
            };
            hops = hops.saturating_add(1);
            if hops > MAX_REDIRECTS {
                return Err(HttpError::TooManyRedirects {
                    url: redacted(&url),
                    limit: MAX_REDIRECTS,
                });
            }
            if url.scheme() == "https" && location.scheme() != "https" {
                return Err(HttpError::InsecureRedirect {
                    from: redacted(&url),
                    to: redacted(&location),
                });
            }
            request = replay.into_request(response.status(), &url, &location)?;
        }
    }
}

impl Default for RouterClient {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RouterClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterClient")
            .field("origins", &self.origins())
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

#[async_trait]
impl HttpClient for RouterClient {
    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let limits = Limits::of(&request, self.timeout, self.max_body_bytes);
        let method = request.method().clone();
        let uri = request.uri().clone();
        traced(
            &method,
            &uri,
            limits.timeout,
            self.dispatch(request, limits),
        )
        .await
    }
}

/// `origin` normalised as the router keys it (`https://host[:port]`, default port left out).
fn parse_origin(origin: &str) -> Result<String, HttpError> {
    let invalid = |why: &str| HttpError::InvalidConfig {
        reason: format!("route origin `{origin}` {why}"),
    };
    let url = url::Url::parse(origin).map_err(|e| invalid(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must use http or https"));
    }
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !bare {
        return Err(invalid("must be scheme://host[:port] alone"));
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_origin;
    use crate::HttpError;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            parse_origin("https://LMS.example:443").unwrap(),
            "https://lms.example"
        );
        assert_eq!(
            parse_origin("https://lms.example/").unwrap(),
            "https://lms.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn origins_with_more_than_scheme_host_port_are_refused() {
        for bad in [
            "https://lms.example/jwks",
            "https://lms.example?x=1",
            "https://u@lms.example",
            "ftp://lms.example",
            "lms.example",
        ] {
            let err = parse_origin(bad).unwrap_err();
            assert!(
                matches!(err, HttpError::InvalidConfig { ref reason } if reason.contains(bad)),
                "{bad}"
            );
        }
    }
}
