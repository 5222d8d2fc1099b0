//! The HTML error page every handler answers with.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use lti_core::html::escape_html as escape;

/// An escaped HTML page with `status`, showing `code` and `message`; not cached.
pub(crate) fn error_page(status: StatusCode, code: &str, message: &str) -> http::Response<Bytes> {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>LTI launch failed</title></head>\
         <body><h1>LTI launch failed</h1><p>{}</p><p><code>{}</code></p></body></html>\n",
        escape(message),
        escape(code)
    );
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_page_escapes_message_and_code() {
        let page = error_page(StatusCode::BAD_REQUEST, "<c>", "<a href=\"x\">'&'</a>");
        let body = String::from_utf8_lossy(page.body());
        assert!(
            body.contains("&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"),
            "{body}"
        );
        assert!(
            body.contains("&lt;c&gt;") && !body.contains("<c>"),
            "{body}"
        );
    }
}
