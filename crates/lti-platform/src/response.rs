//! Response builders shared by the endpoints.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

/// An HTML response that no cache keeps.
pub(crate) fn html(status: StatusCode, body: String) -> http::Response<Bytes> {
    with_type(
        status,
        "text/html; charset=utf-8",
        Bytes::from(body),
        "no-store",
    )
}

/// A response with the given content type and cache policy.
pub(crate) fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
    cache_control: &'static str,
) -> http::Response<Bytes> {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if cache_control == "no-store" {
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}
