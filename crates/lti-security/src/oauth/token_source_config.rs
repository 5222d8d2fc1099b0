//! [`TokenSourceConfig`]: how a [`TokenSource`](super::TokenSource) caches tokens and talks to token endpoints.

use std::time::Duration;

/// Settings of a [`TokenSource`](super::TokenSource). The defaults suit every platform we know of.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSourceConfig {
    /// How long before its expiry a token stops being served from the cache. The margin actually used is this
    /// or a tenth of the token's lifetime, whichever is smaller. Default 60 s.
    ///
    /// Why: the token must still be valid when the service checks it, after our request was queued, sent and
    /// perhaps retried, and the platform's clock may run ahead of ours. A minute covers that for the usual
    /// one-hour token (it costs 1.7 % of its life); capping the margin at a tenth keeps a short-lived token
    /// (a 60 s token keeps 54 s) from being useless.
    pub expiry_margin: Duration,
    /// The lifetime assumed when a response has no `expires_in`. Default 300 s.
    ///
    /// Why: RFC 6749 §5.1 leaves it to the server's documentation. Five minutes is conservative (platforms
    /// issue one-hour tokens, Sec §4.1.1 recommends 3600 s): guessing short costs one token request every five
    /// minutes, guessing long costs failed service calls. A 401 from a service discards the token anyway.
    pub default_lifetime: Duration,
    /// The timeout of one token request. Default [`lti_http::DEFAULT_TIMEOUT`] (10 s).
    pub timeout: Duration,
    /// The largest token response body read, in bytes. Default 64 KiB: a token response is a few hundred
    /// bytes, a JWT access token a few KiB.
    pub max_body_bytes: usize,
}

/// The default [`TokenSourceConfig::expiry_margin`].
pub const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// The default [`TokenSourceConfig::default_lifetime`].
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// The default [`TokenSourceConfig::max_body_bytes`].
pub const DEFAULT_MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

impl Default for TokenSourceConfig {
    fn default() -> Self {
        Self {
            expiry_margin: DEFAULT_EXPIRY_MARGIN,
            default_lifetime: DEFAULT_TOKEN_LIFETIME,
            timeout: lti_http::DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_TOKEN_RESPONSE_BYTES,
        }
    }
}

impl TokenSourceConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`expiry_margin`](Self::expiry_margin).
    #[must_use]
    pub fn with_expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// Sets [`default_lifetime`](Self::default_lifetime).
    #[must_use]
    pub fn with_default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Sets [`timeout`](Self::timeout).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`max_body_bytes`](Self::max_body_bytes).
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// How long a token that lives `lifetime` is served from the cache: `lifetime` minus the margin
    /// (`min(expiry_margin, lifetime / 10)`).
    pub fn cache_lifetime(&self, lifetime: Duration) -> Duration {
        let margin = self.expiry_margin.min(lifetime / 10);
        lifetime.saturating_sub(margin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_a_minute_or_a_tenth_whichever_is_smaller() {
        let c = TokenSourceConfig::default();
        assert_eq!(
            c.cache_lifetime(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(
            c.cache_lifetime(Duration::from_secs(60)),
            Duration::from_secs(54)
        );
        assert_eq!(c.cache_lifetime(Duration::ZERO), Duration::ZERO);
        let c = c.with_expiry_margin(Duration::ZERO);
        assert_eq!(
            c.cache_lifetime(Duration::from_secs(3600)),
            Duration::from_secs(3600)
        );
    }
}
