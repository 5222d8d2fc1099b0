//! The single-use login record kept between the login and the launch, and the store namespaces.

use lti_core::{ClientId, DeploymentId, Issuer, Nonce, TargetLinkUri};
use lti_storage::Namespace;
use serde::{Deserialize, Serialize};

/// Login state records, keyed by `state`.
pub(crate) const STATE_NS: Namespace = Namespace::new("lti.tool.state");
/// Consumed nonces, keyed by nonce.
pub(crate) const NONCE_NS: Namespace = Namespace::new("lti.tool.nonce");

/// What a login remembers for its launch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StateRecord {
    /// The nonce sent in the authentication request.
    pub(crate) nonce: Nonce,
    /// The registration's issuer.
    pub(crate) issuer: Issuer,
    /// The registration's client id.
    pub(crate) client_id: ClientId,
    /// The (unsigned) `target_link_uri` of the login.
    pub(crate) target_link_uri: TargetLinkUri,
    /// `lti_deployment_id` of the login, when sent [Core §4.1.2].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deployment_id: Option<DeploymentId>,
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one when sent several times).
pub(crate) fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
}

/// Compares two strings in time depending only on their lengths.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookie_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.append(http::header::COOKIE, "a=1; lti_state=xyz".parse().unwrap());
        headers.append(http::header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie_value(&headers, "lti_state"), Some("xyz"));
        assert_eq!(cookie_value(&headers, "b"), Some("2"));
        assert_eq!(cookie_value(&headers, "c"), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
