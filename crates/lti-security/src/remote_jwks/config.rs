//! [`JwksCacheConfig`]: how long key sets are kept and how hard a platform may be asked for them.

use std::time::Duration;

/// The settings of a [`JwksCache`](crate::JwksCache).
///
/// Start from [`Default`] and change what you need with the `with_*` methods. The defaults suit LTI platforms
/// and tools that publish a JWKS with or without `Cache-Control`; each is explained on its constant.
///
/// When the cache is built the settings are made consistent: `max_ttl` is raised to `min_ttl` if it was lower,
/// `default_ttl` is clamped between the two, every duration is capped at [`MAX_DURATION`](Self::MAX_DURATION)
/// and `max_urls` is at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksCacheConfig {
    /// The shortest time a fetched key set is kept (the floor applied to `Cache-Control: max-age`; also the
    /// lifetime given to `no-cache`, `no-store` and `max-age=0` answers).
    pub min_ttl: Duration,
    /// The longest time a fetched key set is kept (the ceiling applied to `Cache-Control: max-age`).
    pub max_ttl: Duration,
    /// How long a key set is kept when the response says nothing (`Cache-Control` without `max-age`).
    pub default_ttl: Duration,
    /// The shortest time between two fetches of one URL caused by an unknown `kid` in a fresh set, and between
    /// two retries while an expired set is served after a failed fetch.
    pub min_refetch_interval: Duration,
    /// How long past its expiry a key set is still served when fetching a new one fails.
    pub stale_grace: Duration,
    /// The largest JWKS body accepted, in bytes (passed to the HTTP client as
    /// [`RequestOptions`](lti_http::RequestOptions) and checked again on the response).
    pub max_body_bytes: usize,
    /// How long one fetch may take (passed to the HTTP client as [`RequestOptions`](lti_http::RequestOptions)).
    pub timeout: Duration,
    /// The most URLs a [`JwksCache`](crate::JwksCache) keeps; past it, URLs no resolver uses are forgotten first.
    pub max_urls: usize,
}

impl JwksCacheConfig {
    /// Default floor: 5 minutes, so a platform answering `no-cache` is still asked at most every 5 minutes.
    pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(5 * 60);
    /// Default ceiling: 24 hours, so a removed (compromised) key stops being trusted within a day.
    pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
    /// Default lifetime without `max-age`: 1 hour.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);
    /// Default minimum interval between `kid`-miss refetches of one URL: 30 seconds, so tokens with random
    /// `kid`s cannot make us hammer the platform.
    pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);
    /// Default grace for serving an expired set while the platform's JWKS endpoint fails: 5 minutes.
    pub const DEFAULT_STALE_GRACE: Duration = Duration::from_secs(5 * 60);
    /// Default body cap: 256 KiB (a JWKS with [`MAX_KEYS_PER_SET`](crate::MAX_KEYS_PER_SET) RSA-4096 keys is
    /// far smaller).
    pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
    /// Default fetch timeout: 5 seconds (a launch waits for it).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default number of URLs kept: 10,000.
    pub const DEFAULT_MAX_URLS: usize = 10_000;
    /// The longest any duration setting may be (one year); longer values are capped to it.
    pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

    /// Sets the floor for a key set's lifetime.
    #[must_use]
    pub fn with_min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl;
        self
    }

    /// Sets the ceiling for a key set's lifetime.
    #[must_use]
    pub fn with_max_ttl(mut self, max_ttl: Duration) -> Self {
        self.max_ttl = max_ttl;
        self
    }

    /// Sets the lifetime used when the response has no `max-age`.
    #[must_use]
    pub fn with_default_ttl(mut self, default_ttl: Duration) -> Self {
        self.default_ttl = default_ttl;
        self
    }

    /// Sets the minimum interval between `kid`-miss refetches of one URL.
    #[must_use]
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// Sets how long past expiry a key set is served while fetching fails (`Duration::ZERO`: never).
    #[must_use]
    pub fn with_stale_grace(mut self, grace: Duration) -> Self {
        self.stale_grace = grace;
        self
    }

    /// Sets the body cap, in bytes.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Sets the timeout of one fetch.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the most URLs kept.
    #[must_use]
    pub fn with_max_urls(mut self, max: usize) -> Self {
        self.max_urls = max;
        self
    }

    /// The settings made consistent (see the type's docs).
    pub(super) fn normalized(self) -> Self {
        let cap = |d: Duration| d.min(Self::MAX_DURATION);
        let min_ttl = cap(self.min_ttl);
        let max_ttl = cap(self.max_ttl).max(min_ttl);
        Self {
            min_ttl,
            max_ttl,
            default_ttl: cap(self.default_ttl).min(max_ttl).max(min_ttl),
            min_refetch_interval: cap(self.min_refetch_interval),
            stale_grace: cap(self.stale_grace),
            max_body_bytes: self.max_body_bytes,
            timeout: cap(self.timeout),
            max_urls: self.max_urls.max(1),
        }
    }

    /// How long a key set fetched with `max_age` (`None`: the response did not say) is kept.
    pub(super) fn ttl_for(&self, max_age: Option<Duration>) -> Duration {
        // min then max (not `clamp`, which panics when the bounds cross): the floor wins
        max_age
            .unwrap_or(self.default_ttl)
            .min(self.max_ttl)
            .max(self.min_ttl)
    }
}

impl Default for JwksCacheConfig {
    fn default() -> Self {
        Self {
            min_ttl: Self::DEFAULT_MIN_TTL,
            max_ttl: Self::DEFAULT_MAX_TTL,
            default_ttl: Self::DEFAULT_TTL,
            min_refetch_interval: Self::DEFAULT_MIN_REFETCH_INTERVAL,
            stale_grace: Self::DEFAULT_STALE_GRACE,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            timeout: Self::DEFAULT_TIMEOUT,
            max_urls: Self::DEFAULT_MAX_URLS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_orders_floor_ceiling_and_default() {
        let c = JwksCacheConfig::default()
            .with_min_ttl(Duration::from_secs(600))
            .with_max_ttl(Duration::from_secs(60))
            .with_default_ttl(Duration::from_secs(5))
            .with_stale_grace(Duration::MAX)
            .with_max_urls(0)
            .normalized();
        assert_eq!(c.min_ttl, Duration::from_secs(600));
        assert_eq!(c.max_ttl, Duration::from_secs(600));
        assert_eq!(c.default_ttl, Duration::from_secs(600));
        assert_eq!(c.stale_grace, JwksCacheConfig::MAX_DURATION);
        assert_eq!(c.max_urls, 1);
    }

    #[test]
    fn ttl_is_clamped() {
        let c = JwksCacheConfig::default();
        assert_eq!(c.ttl_for(None), JwksCacheConfig::DEFAULT_TTL);
        assert_eq!(
            c.ttl_for(Some(Duration::ZERO)),
            JwksCacheConfig::DEFAULT_MIN_TTL
        );
        assert_eq!(
            c.ttl_for(Some(Duration::from_secs(900))),
            Duration::from_secs(900)
        );
        assert_eq!(
            c.ttl_for(Some(Duration::MAX)),
            JwksCacheConfig::DEFAULT_MAX_TTL
        );
    }
}
