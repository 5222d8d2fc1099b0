//! [`FnClient`]: an [`HttpClient`] made of a closure, for tests that assert the request and return a canned
//! response.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::exchange::{Limits, traced};
use crate::{DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, HttpClient, HttpError, redacted_url};

/// An [`HttpClient`] that hands every request to an async closure.
///
/// The closure sees the request exactly as the code under test built it (method, URI, headers, body, and the
/// [`RequestOptions`](crate::RequestOptions) in its extensions), so a test can assert on it and answer with a
/// canned response or an error. The limits still hold: a response over the body cap fails with
/// [`HttpError::BodyTooLarge`], and a closure slower than the timeout with [`HttpError::Timeout`] (defaults
/// [`DEFAULT_MAX_BODY_BYTES`] and [`DEFAULT_TIMEOUT`]; the timeout needs a Tokio runtime with time enabled).
/// Redirects are never followed.
///
/// ```
/// use bytes::Bytes;
/// use lti_http::{FnClient, HttpClient};
///
/// # async fn run() -> Result<(), lti_http::HttpError> {
/// let client = FnClient::new(|request: http::Request<Bytes>| async move {
///     assert_eq!(request.uri(), "https://lms.example/jwks");
///     Ok(http::Response::new(Bytes::from_static(br#"{"keys":[]}"#)))
/// });
/// let response = client.execute(http::Request::get("https://lms.example/jwks").body(Bytes::new()).unwrap()).await?;
/// assert_eq!(response.body(), r#"{"keys":[]}"#);
/// # Ok(())
/// # }
/// ```
pub struct FnClient<F> {
    respond: F,
    timeout: Duration,
    max_body_bytes: usize,
}

impl<F, Fut> FnClient<F>
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<http::Response<Bytes>, HttpError>> + Send,
{
    /// A client that answers every request with `respond`.
    pub fn new(respond: F) -> Self {
        Self {
            respond,
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Sets the default timeout (a request's own [`RequestOptions`](crate::RequestOptions) still win).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the default body cap (a request's own [`RequestOptions`](crate::RequestOptions) still win).
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }
}

impl<F> fmt::Debug for FnClient<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnClient")
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<F, Fut> HttpClient for FnClient<F>
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<http::Response<Bytes>, HttpError>> + Send,
{
    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let limits = Limits::of(&request, self.timeout, self.max_body_bytes);
        let method = request.method().clone();
        let uri = request.uri().clone();
        traced(&method, &uri, limits.timeout, async {
            let response = (self.respond)(request).await?;
            limits.check_response(&response, || redacted_url(&uri))?;
            Ok(response)
        })
        .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::FnClient;
    use crate::{HttpClient, HttpError, RequestOptions};

    fn get(uri: &str) -> http::Request<Bytes> {
        http::Request::get(uri).body(Bytes::new()).unwrap()
    }

    #[tokio::test]
    async fn debug_shows_no_closure_or_body() {
        let client = FnClient::new(|_request: http::Request<Bytes>| async {
            Ok(http::Response::new(Bytes::from_static(b"secret-body")))
        });
        let shown = format!("{client:?}");
        assert!(shown.starts_with("FnClient {"), "{shown}");
        assert!(!shown.contains("secret-body"), "{shown}");
        assert_eq!(
            client
                .execute(get("https://x.example/"))
                .await
                .unwrap()
                .body(),
            "secret-body"
        );
    }

    #[tokio::test]
    async fn closure_errors_pass_through() {
        let client = FnClient::new(|_request: http::Request<Bytes>| async {
            Err(HttpError::NoRoute { origin: "o".into() })
        });
        let err = client.execute(get("https://x.example/")).await.unwrap_err();
        assert!(matches!(err, HttpError::NoRoute { ref origin } if origin == "o"));
    }

    #[tokio::test]
    async fn the_cap_applies_to_canned_responses() {
        let client = FnClient::new(|_request: http::Request<Bytes>| async {
            Ok(http::Response::new(Bytes::from(vec![b'a'; 11])))
        })
        .with_max_body_bytes(10);
        let err = client
            .execute(get("https://x.example/k?t=1"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, HttpError::BodyTooLarge { limit: 10, ref url } if url == "https://x.example/k")
        );

        let mut request = get("https://x.example/");
        RequestOptions::default()
            .with_max_body_bytes(11)
            .apply(&mut request);
        assert!(client.execute(request).await.is_ok());
    }

    #[tokio::test]
    async fn a_slow_closure_times_out() {
        let client = FnClient::new(|_request: http::Request<Bytes>| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(http::Response::new(Bytes::new()))
        })
        .with_timeout(Duration::from_millis(20));
        let err = client.execute(get("https://x.example/")).await.unwrap_err();
        assert!(
            matches!(err, HttpError::Timeout { after, .. } if after == Duration::from_millis(20))
        );
    }
}
