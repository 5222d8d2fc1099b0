//! URLs safe to put in errors and logs.

use std::fmt::Write as _;

/// `uri` as `scheme://host[:port]/path`: without the query string, fragment or user info, which may hold a token
/// or a password.
///
/// Use it for every URL that goes into an error message or a log line. A URI without a scheme or host (a
/// relative reference) gives its path alone.
///
/// ```
/// let uri: http::Uri = "https://user:pw@lms.example:8443/jwks?access_token=secret".parse().unwrap();
/// assert_eq!(lti_http::redacted_url(&uri), "https://lms.example:8443/jwks");
/// ```
pub fn redacted_url(uri: &http::Uri) -> String {
    let mut out = String::new();
    if let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) {
        out.push_str(scheme);
        out.push_str("://");
        out.push_str(host);
        if let Some(port) = uri.port_u16() {
            // ok to ignore: writing to a String cannot fail
            let _ = write!(out, ":{port}");
        }
    }
    out.push_str(uri.path());
    out
}

/// [`redacted_url`] for a [`url::Url`].
pub(crate) fn redacted(url: &url::Url) -> String {
    let mut out = String::new();
    out.push_str(url.scheme());
    out.push_str("://");
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        // ok to ignore: writing to a String cannot fail
        let _ = write!(out, ":{port}");
    }
    out.push_str(url.path());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{redacted, redacted_url};

    #[test]
    fn query_fragment_and_user_info_are_dropped() {
        let uri: http::Uri = "https://u:p@lms.example/a/b?token=t".parse().unwrap();
        assert_eq!(redacted_url(&uri), "https://lms.example/a/b");
        let url = url::Url::parse("https://u:p@lms.example:444/a/b?token=t#frag").unwrap();
        assert_eq!(redacted(&url), "https://lms.example:444/a/b");
    }

    #[test]
    fn relative_reference_keeps_only_the_path() {
        let uri: http::Uri = "/jwks?x=1".parse().unwrap();
        assert_eq!(redacted_url(&uri), "/jwks");
    }

    #[test]
    fn authority_without_path_gets_root() {
        let uri: http::Uri = "http://127.0.0.1:8080".parse().unwrap();
        assert_eq!(redacted_url(&uri), "http://127.0.0.1:8080/");
    }
}
