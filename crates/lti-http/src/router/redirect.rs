//! Following a redirect in-process, the way browsers and reqwest do.

use bytes::Bytes;
use http::{Method, StatusCode, header};

use crate::{HttpError, RequestOptions};

/// Headers that carry credentials: dropped when a redirect changes the origin.
const CREDENTIAL_HEADERS: [header::HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
    header::WWW_AUTHENTICATE,
];

/// Headers that describe the body: dropped when a redirect turns the request into a bodyless GET.
const BODY_HEADERS: [header::HeaderName; 4] = [
    header::CONTENT_ENCODING,
    header::CONTENT_LENGTH,
    header::CONTENT_TYPE,
    header::TRANSFER_ENCODING,
];

/// What is needed to send a request again, to a redirect's `Location`.
#[derive(Debug)]
pub(super) struct Replay {
    method: Method,
    version: http::Version,
    headers: http::HeaderMap,
    body: Bytes,
    options: RequestOptions,
}

impl Replay {
    /// Keeps what `request` needs to be sent again (the body is reference-counted, not copied).
    pub(super) fn of(request: &http::Request<Bytes>) -> Self {
        Self {
            method: request.method().clone(),
            version: request.version(),
            headers: request.headers().clone(),
            body: request.body().clone(),
            options: RequestOptions::of(request),
        }
    }

    /// The request to send to `to` after `from` answered with the redirect `status`.
    ///
    /// 303 turns any method but HEAD into GET, and 301/302 turn POST into GET (RFC 9110 §15.4, as browsers do);
    /// 307 and 308 keep the method and body. Credentials are dropped when the origin changes.
    pub(super) fn into_request(
        self,
        status: StatusCode,
        from: &url::Url,
        to: &url::Url,
    ) -> Result<http::Request<Bytes>, HttpError> {
        let Self {
            method,
            version,
            mut headers,
            body,
            options,
        } = self;
        let to_get = match status {
            StatusCode::SEE_OTHER => method != Method::HEAD,
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => method == Method::POST,
            _ => false,
        };
        let (method, body) = if to_get {
            for name in &BODY_HEADERS {
                headers.remove(name);
            }
            (Method::GET, Bytes::new())
        } else {
            (method, body)
        };
        if from.origin() != to.origin() {
            for name in &CREDENTIAL_HEADERS {
                headers.remove(name);
            }
        }
        let uri: http::Uri = to.as_str().parse().map_err(|e| HttpError::InvalidRequest {
            reason: format!(
                "redirect to `{}` is not a valid URI ({e})",
                crate::redact::redacted(to)
            ),
        })?;
        let mut request = http::Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.version_mut() = version;
        *request.headers_mut() = headers;
        options.apply(&mut request);
        Ok(request)
    }
}

/// Where `response` (to a request for `from`) redirects, if it is a redirect with a usable `Location`.
///
/// A redirect without a `Location`, or with one that is not a URL, is not followed: the response is returned as it
/// is, as reqwest does.
pub(super) fn location(response: &http::Response<Bytes>, from: &url::Url) -> Option<url::Url> {
    let redirects = matches!(
        response.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    );
    if !redirects {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    from.join(location).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use bytes::Bytes;
    use http::{Method, StatusCode, header};

    use super::{Replay, location};
    use crate::RequestOptions;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn post() -> http::Request<Bytes> {
        let mut request = http::Request::post("https://a.example/x")
            .header(header::AUTHORIZATION, "Bearer t")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        RequestOptions::default()
            .with_follow_redirects(true)
            .apply(&mut request);
        request
    }

    #[test]
    fn see_other_turns_post_into_bodyless_get_and_keeps_options() {
        let next = Replay::of(&post())
            .into_request(
                StatusCode::SEE_OTHER,
                &url("https://a.example/x"),
                &url("https://a.example/y"),
            )
            .unwrap();
        assert_eq!(next.method(), Method::GET);
        assert!(next.body().is_empty());
        assert!(next.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(
            next.headers().get(header::AUTHORIZATION).unwrap(),
            "Bearer t"
        );
        assert_eq!(next.uri(), "https://a.example/y");
        assert!(RequestOptions::of(&next).follow_redirects);
    }

    #[test]
    fn temporary_redirect_keeps_method_and_body_but_not_credentials_across_origins() {
        let next = Replay::of(&post())
            .into_request(
                StatusCode::TEMPORARY_REDIRECT,
                &url("https://a.example/x"),
                &url("https://b.example/x"),
            )
            .unwrap();
        assert_eq!(next.method(), Method::POST);
        assert_eq!(next.body(), "{}");
        assert!(next.headers().get(header::AUTHORIZATION).is_none());
    }

    #[test]
    fn location_is_resolved_against_the_request_url() {
        let response = http::Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, "../z?q=1")
            .body(Bytes::new())
            .unwrap();
        let from = url("https://a.example/p/q/r");
        assert_eq!(
            location(&response, &from).unwrap().as_str(),
            "https://a.example/p/z?q=1"
        );
        let ok = http::Response::builder()
            .header(header::LOCATION, "/elsewhere")
            .body(Bytes::new())
            .unwrap();
        assert!(location(&ok, &from).is_none());
    }
}
