//! [`TokenEndpoint`]: what a tool needs to know to get a service token from one platform [Sec §4.1].

use std::fmt;

use url::{Host, Url};

use super::TokenError;
use crate::error::clip;

/// One platform's OAuth 2 token endpoint as the tool sees it: where to post, who we are there, and what to put
/// in the client assertion [Sec §4.1.1; Core §6.2].
///
/// Plain strings and a [`Url`], so that it can be built from any registration model (`lti-tool` converts its
/// `PlatformRegistration`). Nothing here is secret. It is all a [`TokenSource`](super::TokenSource) needs: a
/// grade passback hours after the launch works from this configuration alone.
///
/// ```
/// use lti_security::oauth::TokenEndpoint;
///
/// let endpoint = TokenEndpoint::new(
///     url::Url::parse("https://lms.example/login/oauth2/token").unwrap(),
///     "10000000000042",
/// )?
/// .with_deployment_id("1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb")?;
/// assert_eq!(endpoint.audience(), "https://lms.example/login/oauth2/token");
/// # Ok::<(), lti_security::oauth::TokenError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenEndpoint {
    token_url: Url,
    client_id: String,
    audience: Option<String>,
    deployment_id: Option<String>,
    /// `token_url` without query, fragment or user info, for errors and logs.
    shown: String,
}

impl TokenEndpoint {
    /// The endpoint at `token_url` for the tool registered as `client_id`; the assertion's `aud` is the token URL
    /// until [`with_audience`](Self::with_audience) says otherwise.
    ///
    /// # Errors
    /// [`TokenError::InsecureEndpoint`] when `token_url` is not `https` (plain `http` is allowed only to a
    /// loopback host: `localhost`, `127.0.0.0/8`, `::1`), since the assertion and the token travel over it;
    /// [`TokenError::EmptyField`] when `client_id` is empty.
    pub fn new(token_url: Url, client_id: impl Into<String>) -> Result<Self, TokenError> {
        let shown = shown_url(&token_url);
        let secure = match token_url.scheme() {
            "https" => token_url.host().is_some(),
            "http" => is_loopback(&token_url),
            _ => false,
        };
        if !secure {
            return Err(TokenError::InsecureEndpoint { url: clip(&shown) });
        }
        let client_id = client_id.into();
        if client_id.is_empty() {
            return Err(TokenError::EmptyField { field: "client_id" });
        }
        Ok(Self {
            token_url,
            client_id,
            audience: None,
            deployment_id: None,
            shown,
        })
    }

    /// Sets the assertion's `aud`: the authorization server's identifier when the platform does not use its token
    /// URL (D2L Brightspace has a separate audience; Dynamic Registration calls it `authorization_server`).
    ///
    /// # Errors
    /// [`TokenError::EmptyField`] when `audience` is empty.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Result<Self, TokenError> {
        let audience = audience.into();
        if audience.is_empty() {
            return Err(TokenError::EmptyField { field: "audience" });
        }
        self.audience = Some(audience);
        Ok(self)
    }

    /// Adds the LTI `deployment_id` claim to the assertion (SHOULD, Core §6.2.1; some platforms require it). A
    /// platform may bind the token to that deployment, so tokens are cached per deployment.
    ///
    /// # Errors
    /// [`TokenError::EmptyField`] when `deployment_id` is empty.
    pub fn with_deployment_id(
        mut self,
        deployment_id: impl Into<String>,
    ) -> Result<Self, TokenError> {
        let deployment_id = deployment_id.into();
        if deployment_id.is_empty() {
            return Err(TokenError::EmptyField {
                field: "deployment_id",
            });
        }
        self.deployment_id = Some(deployment_id);
        Ok(self)
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// The tool's client id at this platform: the assertion's `iss` and `sub`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The assertion's `aud`: the configured audience, else the token URL exactly as given.
    pub fn audience(&self) -> &str {
        self.audience
            .as_deref()
            .unwrap_or_else(|| self.token_url.as_str())
    }

    /// The deployment named in the assertion, if any.
    pub fn deployment_id(&self) -> Option<&str> {
        self.deployment_id.as_deref()
    }

    /// The token URL without query, fragment or user info: the form used in errors and logs.
    pub fn shown_url(&self) -> &str {
        &self.shown
    }
}

impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("token_url", &self.shown)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience())
            .field("deployment_id", &self.deployment_id)
            .finish()
    }
}

/// Whether `url` is `http(s)` to `localhost`, `127.0.0.0/8` or `::1`.
pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `url` without query, fragment or user info.
pub(super) fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // ok to ignore: these fail only for URLs that cannot have user info in the first place
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_or_loopback_http_only() {
        assert!(TokenEndpoint::new(url("https://lms.example/token"), "c").is_ok());
        assert!(TokenEndpoint::new(url("http://localhost:8080/token"), "c").is_ok());
        assert!(TokenEndpoint::new(url("http://127.0.0.1/token"), "c").is_ok());
        assert!(TokenEndpoint::new(url("http://[::1]/token"), "c").is_ok());
        for bad in [
            "http://lms.example/token",
            "ftp://lms.example/token",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(
                    TokenEndpoint::new(url(bad), "c"),
                    Err(TokenError::InsecureEndpoint { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_values_are_refused() {
        let e = TokenEndpoint::new(url("https://lms.example/token"), "");
        assert!(matches!(
            e,
            Err(TokenError::EmptyField { field: "client_id" })
        ));
        let e = TokenEndpoint::new(url("https://lms.example/token"), "c").unwrap();
        assert!(matches!(
            e.clone().with_audience(""),
            Err(TokenError::EmptyField { field: "audience" })
        ));
        assert!(matches!(
            e.with_deployment_id(""),
            Err(TokenError::EmptyField {
                field: "deployment_id"
            })
        ));
    }

    #[test]
    fn audience_defaults_to_the_token_url_and_can_be_overridden() {
        let e = TokenEndpoint::new(url("https://lms.example/token?x=1"), "c").unwrap();
        assert_eq!(e.audience(), "https://lms.example/token?x=1");
        assert_eq!(e.shown_url(), "https://lms.example/token");
        let e = e
            .with_audience("https://auth.brightspace.com/core/connect/token")
            .unwrap();
        assert_eq!(
            e.audience(),
            "https://auth.brightspace.com/core/connect/token"
        );
    }
}
