//! What every client shares: the resolved limits of one request, the `lti.http` span and the timeout.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument as _;

use crate::{HttpError, RequestOptions, redacted_url};

/// The limits of one request: its [`RequestOptions`], with the client's defaults filled in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long the whole exchange may take.
    pub(crate) timeout: Duration,
    /// The largest response body accepted.
    pub(crate) max_body_bytes: usize,
    /// Whether redirects are followed.
    pub(crate) follow_redirects: bool,
}

impl Limits {
    /// The limits for `request`, falling back to the client's defaults.
    pub(crate) fn of<B>(
        request: &http::Request<B>,
        timeout: Duration,
        max_body_bytes: usize,
    ) -> Self {
        let options = RequestOptions::of(request);
        Self {
            timeout: options.timeout.unwrap_or(timeout),
            max_body_bytes: options.max_body_bytes.unwrap_or(max_body_bytes),
            follow_redirects: options.follow_redirects,
        }
    }

    /// Fails when a body of `len` bytes (announced or read) is over the cap.
    ///
    /// `url` is only called on failure, to name the peer.
    pub(crate) fn check_body_len(
        &self,
        len: u64,
        url: impl FnOnce() -> String,
    ) -> Result<(), HttpError> {
        let over = usize::try_from(len).map_or(true, |len| len > self.max_body_bytes);
        if over {
            return Err(HttpError::BodyTooLarge {
                url: url(),
                limit: self.max_body_bytes,
            });
        }
        Ok(())
    }

    /// Fails when a fully buffered `response` is over the cap, by its `Content-Length` or its actual length.
    ///
    /// For clients whose response is already in memory (in-process handlers, closures): the cap still applies, so
    /// a caller's handling of [`HttpError::BodyTooLarge`] can be tested without sockets.
    pub(crate) fn check_response(
        &self,
        response: &http::Response<Bytes>,
        url: impl Fn() -> String,
    ) -> Result<(), HttpError> {
        if let Some(announced) = content_length(response.headers()) {
            self.check_body_len(announced, &url)?;
        }
        let actual = u64::try_from(response.body().len()).unwrap_or(u64::MAX);
        self.check_body_len(actual, url)
    }
}

/// The `Content-Length` header as a number, if present and well formed.
pub(crate) fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The request's URI as an absolute http(s) URL.
pub(crate) fn absolute_url(uri: &http::Uri) -> Result<url::Url, HttpError> {
    let invalid = |why: String| HttpError::InvalidRequest {
        reason: format!("URL `{}` {why}", redacted_url(uri)),
    };
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(invalid("is not absolute".to_owned()));
    }
    let url = url::Url::parse(&uri.to_string())
        .map_err(|e| invalid(format!("cannot be parsed ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("does not use http or https".to_owned()));
    }
    Ok(url)
}

/// Runs `exchange` inside an `lti.http` span, bounded by `timeout`.
///
/// The span carries `http.method` and `url.path` (never the query) from the start, then `status` and
/// `elapsed_ms` when the exchange ends. Failures are logged at `debug`: whose mistake they are is for the caller
/// to say.
pub(crate) async fn traced<F>(
    method: &http::Method,
    uri: &http::Uri,
    timeout: Duration,
    exchange: F,
) -> Result<http::Response<Bytes>, HttpError>
where
    F: Future<Output = Result<http::Response<Bytes>, HttpError>>,
{
    let span = tracing::info_span!(
        "lti.http",
        http.method = %method,
        url.path = uri.path(),
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    let started = tokio::time::Instant::now();
    let result = match tokio::time::timeout(timeout, exchange.instrument(span.clone())).await {
        Ok(result) => result,
        Err(_elapsed) => Err(HttpError::Timeout {
            url: redacted_url(uri),
            after: timeout,
        }),
    };
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("elapsed_ms", elapsed_ms);
    match &result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
        }
        Err(error) => span.in_scope(|| tracing::debug!(%error, "outbound request failed")),
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn limits(max: usize) -> Limits {
        Limits {
            timeout: Duration::from_secs(1),
            max_body_bytes: max,
            follow_redirects: false,
        }
    }

    #[test]
    fn options_override_client_defaults() {
        let mut request = http::Request::new(Bytes::new());
        let defaults = Limits::of(&request, Duration::from_secs(3), 7);
        assert_eq!(
            (defaults.timeout, defaults.max_body_bytes),
            (Duration::from_secs(3), 7)
        );
        assert!(!defaults.follow_redirects);
        RequestOptions::default()
            .with_timeout(Duration::from_millis(5))
            .with_max_body_bytes(9)
            .with_follow_redirects(true)
            .apply(&mut request);
        let limits = Limits::of(&request, Duration::from_secs(3), 7);
        assert_eq!(
            (limits.timeout, limits.max_body_bytes),
            (Duration::from_millis(5), 9)
        );
        assert!(limits.follow_redirects);
    }

    #[test]
    fn body_at_the_cap_passes_one_more_byte_fails() {
        assert!(limits(4).check_body_len(4, String::new).is_ok());
        let err = limits(4).check_body_len(5, || "u".to_owned()).unwrap_err();
        assert!(matches!(err, HttpError::BodyTooLarge { limit: 4, ref url } if url == "u"));
    }

    #[test]
    fn announced_length_over_the_cap_fails_even_with_a_short_body() {
        let response = http::Response::builder()
            .header("content-length", "100")
            .body(Bytes::from_static(b"ab"))
            .unwrap();
        let err = limits(10)
            .check_response(&response, String::new)
            .unwrap_err();
        assert!(matches!(err, HttpError::BodyTooLarge { limit: 10, .. }));
        let response = http::Response::new(Bytes::from_static(b"0123456789A"));
        assert!(limits(10).check_response(&response, String::new).is_err());
        let response = http::Response::new(Bytes::from_static(b"0123456789"));
        assert!(limits(10).check_response(&response, String::new).is_ok());
    }

    #[test]
    fn relative_request_uris_are_refused_without_their_query() {
        let uri: http::Uri = "/jwks?token=secret".parse().unwrap();
        let err = absolute_url(&uri).unwrap_err();
        assert!(
            matches!(err, HttpError::InvalidRequest { ref reason } if !reason.contains("secret"))
        );
    }
}
