//! [`ReqwestClient`]: the production [`HttpClient`], over reqwest with rustls.
#![cfg(feature = "reqwest")]

mod builder;

use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};

use self::builder::RedirectRefused;
pub use self::builder::{DEFAULT_USER_AGENT, ReqwestClientBuilder};
use crate::exchange::{Limits, absolute_url, traced};
use crate::redact::redacted;
use crate::{HttpClient, HttpError, redacted_url};

/// How much of a body is reserved up front, at most, whatever `Content-Length` says.
const MAX_PREALLOCATION: usize = 64 * 1024;

/// The production [`HttpClient`]: reqwest with rustls, HTTP/1.1 and HTTP/2.
///
/// - Redirects are not followed: a 3xx comes back as a response, `Location` and all. A request whose
///   [`RequestOptions::follow_redirects`](crate::RequestOptions::follow_redirects) is set goes through a second
///   inner client that follows at most [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) redirects, never from `https` to
///   `http` ([`HttpError::InsecureRedirect`], [`HttpError::TooManyRedirects`]), and drops `Authorization` and
///   `Cookie` when the host changes.
/// - The timeout bounds the whole exchange, body included ([`HttpError::Timeout`]).
/// - The body is read chunk by chunk and refused as soon as it passes the cap, or before reading when
///   `Content-Length` announces more ([`HttpError::BodyTooLarge`]).
/// - Non-2xx statuses are returned as responses.
/// - Errors and the `lti.http` span name the URL without its query string.
///
/// Cheap to clone: the inner clients share their connection pools.
///
/// ```no_run
/// use std::time::Duration;
///
/// use bytes::Bytes;
/// use lti_http::{HttpClient, ReqwestClient};
///
/// # async fn run() -> Result<(), lti_http::HttpError> {
/// let client = ReqwestClient::builder()
///     .timeout(Duration::from_secs(5))
///     .max_body_bytes(256 * 1024)
///     .user_agent("my-tool/1.0")
///     .build()?;
/// let request = http::Request::get("https://lms.example/jwks").body(Bytes::new()).unwrap();
/// let response = client.execute(request).await?;
/// println!("{} ({} bytes)", response.status(), response.body().len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestClient {
    /// Redirects off: every request that does not ask to follow them.
    direct: reqwest::Client,
    /// Redirects limited: requests whose options ask to follow them.
    following: reqwest::Client,
    timeout: Duration,
    max_body_bytes: usize,
}

impl ReqwestClient {
    /// A client with the defaults: [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT),
    /// [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES), [`DEFAULT_USER_AGENT`].
    ///
    /// # Errors
    /// [`HttpError::ClientBuild`] when reqwest cannot initialise its TLS backend.
    pub fn new() -> Result<Self, HttpError> {
        Self::builder().build()
    }

    /// A builder, starting from the defaults.
    pub fn builder() -> ReqwestClientBuilder {
        ReqwestClientBuilder::new()
    }

    /// The timeout used when a request sets none.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The body cap used when a request sets none.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
}

#[async_trait]
impl HttpClient for ReqwestClient {
    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let limits = Limits::of(&request, self.timeout, self.max_body_bytes);
        let client = if limits.follow_redirects {
            &self.following
        } else {
            &self.direct
        };
        let method = request.method().clone();
        let uri = request.uri().clone();
        traced(
            &method,
            &uri,
            limits.timeout,
            exchange(client, request, limits),
        )
        .await
    }
}

/// Sends `request` with `client` and reads the response body within `limits`.
async fn exchange(
    client: &reqwest::Client,
    request: http::Request<Bytes>,
    limits: Limits,
) -> Result<http::Response<Bytes>, HttpError> {
    let url = absolute_url(request.uri())?;
    let request_url = redacted_url(request.uri());
    let (parts, body) = request.into_parts();
    let mut outbound = reqwest::Request::new(parts.method, url);
    *outbound.headers_mut() = parts.headers;
    *outbound.version_mut() = parts.version;
    *outbound.body_mut() = Some(body.into());

    let mut response = client
        .execute(outbound)
        .await
        .map_err(|e| reqwest_error(e, &request_url))?;
    // After redirects, the response may come from elsewhere: name that.
    let response_url = redacted(response.url());
    let announced = response.content_length();
    if let Some(announced) = announced {
        limits.check_body_len(announced, || response_url.clone())?;
    }
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());

    let reserve = announced
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(MAX_PREALLOCATION);
    let mut body = BytesMut::with_capacity(reserve);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| reqwest_error(e, &response_url))?
    {
        let len = body.len().saturating_add(chunk.len());
        limits.check_body_len(u64::try_from(len).unwrap_or(u64::MAX), || {
            response_url.clone()
        })?;
        body.extend_from_slice(&chunk);
    }

    let mut out = http::Response::new(body.freeze());
    *out.status_mut() = status;
    *out.version_mut() = version;
    *out.headers_mut() = headers;
    Ok(out)
}

/// `error` as an [`HttpError`] naming `url` (already redacted), with reqwest's own copy of the URL (which has the
/// query) stripped.
fn reqwest_error(error: reqwest::Error, url: &str) -> HttpError {
    if error.is_redirect() {
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<RedirectRefused>() {
                return refused.to_http_error();
            }
            source = cause.source();
        }
    }
    HttpError::Transport {
        url: url.to_owned(),
        source: Box::new(error.without_url()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::{DEFAULT_USER_AGENT, ReqwestClient};
    use crate::{DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, HttpError};

    #[test]
    fn defaults_and_builder_settings_are_kept() {
        let client = ReqwestClient::new().unwrap();
        assert_eq!(client.timeout(), DEFAULT_TIMEOUT);
        assert_eq!(client.max_body_bytes(), DEFAULT_MAX_BODY_BYTES);
        let client = ReqwestClient::builder()
            .timeout(Duration::from_millis(1500))
            .max_body_bytes(42)
            .build()
            .unwrap();
        assert_eq!(
            (client.timeout(), client.max_body_bytes()),
            (Duration::from_millis(1500), 42)
        );
        assert!(DEFAULT_USER_AGENT.starts_with("lti-rs/"));
    }

    #[test]
    fn invalid_user_agent_is_a_config_error() {
        let err = ReqwestClient::builder()
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert!(matches!(err, HttpError::InvalidConfig { .. }), "{err:?}");
    }
}
