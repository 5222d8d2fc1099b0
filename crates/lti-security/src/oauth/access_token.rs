//! [`AccessToken`]: a bearer token for LTI services, as a secret.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use http::HeaderValue;
use zeroize::Zeroizing;

use super::Scopes;

/// A bearer access token from a platform's token endpoint, with the scopes it was granted and how long it is
/// served from the cache.
///
/// The token is a secret: `Debug` prints `[redacted]`, there is no `Display`, `PartialEq` or `Serialize`, and its
/// memory is zeroed when the last clone is dropped. Read it through [`secret`](Self::secret) only to send it.
/// Tools treat it as opaque [Sec §4.1.1.1]. Cheap to clone.
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<Inner>,
}

struct Inner {
    secret: Zeroizing<String>,
    /// `Bearer <secret>`, marked sensitive.
    authorization: HeaderValue,
    scopes: Scopes,
    expires_at: SystemTime,
    /// Which response of this process the token came from: lets a caller drop exactly the token that a
    /// service refused, not a newer one another task fetched meanwhile.
    serial: u64,
}

impl AccessToken {
    /// A token; `None` when `secret` cannot be sent in a header (the response parser refuses such tokens
    /// before this point).
    pub(super) fn new(
        secret: String,
        scopes: Scopes,
        expires_at: SystemTime,
        serial: u64,
    ) -> Option<Self> {
        let secret = Zeroizing::new(secret);
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", secret.as_str())).ok()?;
        authorization.set_sensitive(true);
        Some(Self {
            inner: Arc::new(Inner {
                secret,
                authorization,
                scopes,
                expires_at,
                serial,
            }),
        })
    }

    /// The token itself.
    ///
    /// # Security
    /// It grants access to the platform's services until it expires: send it only in an `Authorization`
    /// header over TLS, never log it or put it in a URL or an error.
    pub fn secret(&self) -> &str {
        &self.inner.secret
    }

    /// The scopes granted: the response's `scope` member, or the scopes requested when it had none (RFC 6749
    /// §5.1). A platform may grant fewer than requested (Moodle grants the ones enabled for the tool).
    pub fn scopes(&self) -> &Scopes {
        &self.inner.scopes
    }

    /// Until when the token is served from the cache: the response's lifetime, counted from when the request
    /// was sent, minus the expiry margin ([`TokenSourceConfig::expiry_margin`](super::TokenSourceConfig)).
    pub fn expires_at(&self) -> SystemTime {
        self.inner.expires_at
    }

    /// The `Authorization` header value `Bearer <token>` [RFC 6750 §2.1], marked sensitive (HTTP/2 never
    /// indexes it; `Debug` hides it).
    pub fn authorization(&self) -> HeaderValue {
        self.inner.authorization.clone()
    }

    pub(super) fn serial(&self) -> u64 {
        self.inner.serial
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[redacted]")
            .field("scopes", &self.inner.scopes)
            .field("expires_at", &self.inner.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token_and_the_header_is_sensitive() {
        let token = AccessToken::new(
            "s3cr3t-token".into(),
            Scopes::parse("a b"),
            SystemTime::UNIX_EPOCH,
            1,
        )
        .unwrap();
        let shown = format!("{token:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
        let header = token.authorization();
        assert!(header.is_sensitive());
        assert_eq!(header, "Bearer s3cr3t-token");
        assert!(!format!("{header:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused() {
        assert!(
            AccessToken::new("a\nb".into(), Scopes::new(), SystemTime::UNIX_EPOCH, 1).is_none()
        );
    }
}
