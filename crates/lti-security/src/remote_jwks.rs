//! [`RemoteJwks`] and [`JwksCache`]: key sets fetched from a JWKS URL ([Sec §6.3]), cached per URL.
//!
//! [Sec §6.3]: https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url

mod cache_control;
mod config;
mod fetch;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use async_trait::async_trait;
use lti_http::HttpClient;
use lti_storage::Clock;
use url::Url;

pub use config::JwksCacheConfig;

use crate::error::clip;
use crate::{Algorithm, Error, KeyResolver, KeySet, Kid, VerifyingKey};

/// A cache of remote JWK Sets, by URL, shared by many registrations.
///
/// Cheap to clone (the clones share the cache). Fetches go through the injected [`HttpClient`] and every expiry
/// decision reads the injected [`Clock`]. At most [`max_urls`](JwksCacheConfig::max_urls) URLs are kept; when a
/// new URL comes past that, URLs that no live [`RemoteJwks`] uses are forgotten, those with no usable set
/// first, then the one expiring soonest. If every kept URL is in use, the new URL's [`RemoteJwks`] gets a cache
/// of its own that is not shared with later resolvers.
///
/// ```no_run
/// # async fn run(http: std::sync::Arc<dyn lti_http::HttpClient>) -> Result<(), lti_security::Error> {
/// use std::sync::Arc;
/// use lti_security::{Algorithm, JwksCache, KeyResolver, Kid};
///
/// let cache = JwksCache::new(http, Arc::new(lti_storage::SystemClock));
/// let jwks = cache.resolver(url::Url::parse("https://lms.example/.well-known/jwks.json").unwrap());
/// let _key = jwks.resolve(&Kid::from("2024-05"), Algorithm::Rs256).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct JwksCache {
    shared: Arc<Shared>,
}

/// The key set at one JWKS URL, fetched and cached by a [`JwksCache`]; a [`KeyResolver`].
///
/// Cheap to clone (the clones share the cached set). Verifiers use it as their [`KeyResolver`]. The rules:
///
/// - **Cache by URL, honour `Cache-Control`.** A fetched set is kept for its `max-age` (minus `Age`), clamped
///   between [`min_ttl`](JwksCacheConfig::min_ttl) and [`max_ttl`](JwksCacheConfig::max_ttl); without `max-age`
///   for [`default_ttl`](JwksCacheConfig::default_ttl); `no-cache`, `no-store` and `max-age=0` get the floor.
///   While a set is fresh, resolving a known `kid` makes no request.
/// - **Unknown `kid`: refetch once.** A `kid` missing from a fresh set triggers one refetch (the platform may have
///   rotated its keys [Sec §6.4]); if the `kid` is still missing the answer is [`Error::KidNotFound`] with the
///   URL. A set fetched (or refetched) by the same call is not fetched again.
/// - **Rate limited.** A `kid` miss less than [`min_refetch_interval`](JwksCacheConfig::min_refetch_interval)
///   after the last fetch attempt of that URL does not fetch and fails with [`Error::RefetchRateLimited`] (not
///   [`Error::KidNotFound`]: the message then says truthfully that no refetch happened), so tokens carrying random
///   `kid`s cannot make us hammer the platform.
/// - **Single flight.** Concurrent calls that need a fetch of one URL share one request, and its outcome: success
///   or failure.
/// - **Failures.** An error status, an over-size body or a body that is not a JWK Set is an error and is never
///   cached as keys. A set that is still fresh keeps being served. An expired set is served for at most
///   [`stale_grace`](JwksCacheConfig::stale_grace) past its expiry (with a warning), retrying at most every
///   [`min_refetch_interval`](JwksCacheConfig::min_refetch_interval); after that the fetch error is returned.
/// - **Unusable keys are skipped** ([`KeySet::from_json`]): encryption keys, symmetric keys, RSA keys under 2048
///   bits, keys without `kid`. Keys without `alg` are kept and verify any algorithm of their family.
///
/// URLs in errors and logs carry no query string, fragment or user info.
///
/// [Sec §6.3]: https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url
/// [Sec §6.4]: https://www.imsglobal.org/spec/security/v1p0/#key-rotation
#[derive(Clone)]
pub struct RemoteJwks {
    shared: Arc<Shared>,
    entry: Arc<Entry>,
}

/// What every resolver of one cache shares.
struct Shared {
    http: Arc<dyn HttpClient>,
    clock: Arc<dyn Clock>,
    config: JwksCacheConfig,
    /// The kept URLs. Locked only by [`JwksCache::resolver`] and [`JwksCache::cached_url_count`], never on the
    /// resolve path; an entry's own state lock may be taken while this one is held, never the other way round.
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

/// One URL: its cached set and the gate that makes its fetches single flight.
struct Entry {
    url: Url,
    /// The request URI; `None` when the URL is not http(s) or not a valid URI (fetching then fails).
    uri: Option<http::Uri>,
    /// The URL without query, fragment or user info.
    shown: String,
    state: RwLock<State>,
    /// Held for the whole of a fetch: the tasks that need a fetch meanwhile wait, then take its outcome.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Clone, Default)]
struct State {
    /// The last set fetched successfully.
    cached: Option<Cached>,
    /// Completed fetch attempts (successful or not): a task that waited at the gate compares it with what it saw
    /// before waiting to learn whether someone else fetched meanwhile.
    attempts: u64,
    /// When the last attempt completed.
    last_attempt_at: Option<SystemTime>,
    /// The last attempt's error, `None` when it succeeded.
    failure: Option<Arc<Error>>,
}

#[derive(Clone)]
struct Cached {
    keys: Arc<KeySet>,
    fetched_at: SystemTime,
    expires_at: SystemTime,
}

/// A set to look a key up in, and the failed fetch it stands in for, if any.
struct Loaded {
    keys: Arc<KeySet>,
    fetch_error: Option<Error>,
}

impl JwksCache {
    /// An empty cache with the default [`JwksCacheConfig`].
    pub fn new(http: Arc<dyn HttpClient>, clock: Arc<dyn Clock>) -> Self {
        Self::with_config(http, clock, JwksCacheConfig::default())
    }

    /// An empty cache with `config` (made consistent as described on [`JwksCacheConfig`]).
    pub fn with_config(
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
        config: JwksCacheConfig,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                http,
                clock,
                config: config.normalized(),
                entries: Mutex::default(),
            }),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &JwksCacheConfig {
        &self.shared.config
    }

    /// The resolver for the JWK Set at `url`. Resolvers for the same URL (compared as exact strings) share one
    /// cached set. Nothing is fetched until a key is asked for.
    ///
    /// A URL that is not http(s) is accepted here and fails when fetched, with [`Error::Http`].
    pub fn resolver(&self, url: Url) -> RemoteJwks {
        let entry = {
            let mut entries = self.shared.lock_entries();
            match entries.get(url.as_str()) {
                Some(entry) => Arc::clone(entry),
                None => {
                    let key = url.as_str().to_owned();
                    let entry = Arc::new(Entry::new(url));
                    let max = self.shared.config.max_urls;
                    if entries.len() >= max {
                        self.shared.evict(&mut entries);
                    }
                    if entries.len() < max {
                        entries.insert(key, Arc::clone(&entry));
                    } else {
                        tracing::warn!(
                            jwks = %entry.shown,
                            max_urls = max,
                            "JWKS cache is full of URLs in use: this resolver's key set is not shared"
                        );
                    }
                    entry
                }
            }
        };
        RemoteJwks {
            shared: Arc::clone(&self.shared),
            entry,
        }
    }

    /// How many URLs the cache keeps.
    pub fn cached_url_count(&self) -> usize {
        self.shared.lock_entries().len()
    }
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("config", &self.shared.config)
            .field("urls", &self.cached_url_count())
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn lock_entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        // A poisoned map is still consistent: every change is one insert, remove or retain.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one URL: forgets the URLs no resolver uses whose set is missing or past its grace, or
    /// failing that the unused URL whose set expires soonest.
    fn evict(&self, entries: &mut HashMap<String, Arc<Entry>>) {
        let now = self.clock.now();
        let unused = |entry: &Arc<Entry>| Arc::strong_count(entry) == 1;
        let before = entries.len();
        entries.retain(|_, entry| {
            !unused(entry)
                || entry
                    .read()
                    .cached
                    .as_ref()
                    .is_some_and(|c| self.within_grace(c, now))
        });
        if entries.len() < before {
            return;
        }
        let soonest = entries
            .iter()
            .filter(|(_, entry)| unused(entry))
            .min_by_key(|(_, entry)| entry.read().cached.as_ref().map(|c| c.expires_at))
            .map(|(url, _)| url.clone());
        if let Some(url) = soonest {
            entries.remove(&url);
        }
    }

    /// Whether `cached` may still be served at `now`: fresh, or expired less than the grace period ago.
    fn within_grace(&self, cached: &Cached, now: SystemTime) -> bool {
        let until = cached
            .expires_at
            .checked_add(self.config.stale_grace)
            .unwrap_or(cached.expires_at);
        now < until
    }

    /// Whether the minimum refetch interval has passed since `last` (always, if there was none or the clock went
    /// back past it).
    fn interval_elapsed(&self, last: Option<SystemTime>, now: SystemTime) -> bool {
        last.is_none_or(|last| {
            now.duration_since(last)
                .map_or(true, |elapsed| elapsed >= self.config.min_refetch_interval)
        })
    }
}

impl Entry {
    fn new(url: Url) -> Self {
        let uri = matches!(url.scheme(), "http" | "https")
            .then(|| url.as_str().parse::<http::Uri>().ok())
            .flatten();
        Self {
            shown: shown_url(&url),
            uri,
            url,
            state: RwLock::default(),
            gate: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // A poisoned state is still consistent: every write assigns whole fields.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn snapshot(&self) -> State {
        self.read().clone()
    }
}

impl RemoteJwks {
    /// A resolver for `url` with a cache of its own (default [`JwksCacheConfig`]). Prefer
    /// [`JwksCache::resolver`] when there are several registrations, so that they share fetches.
    pub fn new(url: Url, http: Arc<dyn HttpClient>, clock: Arc<dyn Clock>) -> Self {
        JwksCache::new(http, clock).resolver(url)
    }

    /// The JWKS URL, as given.
    pub fn url(&self) -> &Url {
        &self.entry.url
    }

    /// The cached set, fresh or not, without fetching; `None` before the first successful fetch.
    pub fn cached(&self) -> Option<Arc<KeySet>> {
        self.entry
            .read()
            .cached
            .as_ref()
            .map(|c| Arc::clone(&c.keys))
    }

    /// The key set: the cached one while fresh, otherwise fetched (sharing a fetch already under way).
    ///
    /// # Errors
    /// When a fetch is needed and fails, and no set is cached within its grace period: [`Error::JwksStatus`]
    /// (non-2xx), [`Error::JwksMalformed`] (not a JWK Set), or [`Error::Http`] (transport, timeout,
    /// [`BodyTooLarge`](lti_http::HttpError::BodyTooLarge), or a URL that is not http(s)).
    pub async fn keys(&self) -> Result<Arc<KeySet>, Error> {
        let now = self.shared.clock.now();
        let snapshot = self.entry.snapshot();
        if let Some(cached) = snapshot.cached.as_ref().filter(|c| now < c.expires_at) {
            return Ok(Arc::clone(&cached.keys));
        }
        self.load(&snapshot, now).await.map(|loaded| loaded.keys)
    }

    /// Fetches the set now, whatever the cache holds, and caches it. A fetch of this URL that completes while
    /// this call waits for it counts as this call's fetch. Not rate limited: this is for the application (an
    /// admin's "refresh keys" button), not for anything a token can trigger.
    ///
    /// # Errors
    /// As [`keys`](Self::keys), for the fetch; a cached set stays cached and is still served while fresh.
    pub async fn refresh(&self) -> Result<Arc<KeySet>, Error> {
        let seen = self.entry.read().attempts;
        self.fetch_shared(seen).await
    }

    /// The cold path of [`resolve`](KeyResolver::resolve): no fresh set, or `kid` missing from it.
    async fn resolve_slow(
        &self,
        kid: &Kid,
        alg: Algorithm,
        now: SystemTime,
    ) -> Result<Arc<VerifyingKey>, Error> {
        let snapshot = self.entry.snapshot();
        let loaded = match snapshot.cached.as_ref().filter(|c| now < c.expires_at) {
            Some(fresh) => {
                // Another task may have refreshed the set since the hot path looked.
                if let Some(key) = lookup(&fresh.keys, kid, alg)? {
                    return Ok(key);
                }
                if !self.shared.interval_elapsed(snapshot.last_attempt_at, now) {
                    tracing::debug!(
                        kid = %clip(kid.as_str()),
                        jwks = %self.entry.shown,
                        "unknown kid; JWKS refetched too recently to refetch again"
                    );
                    return Err(Error::RefetchRateLimited {
                        kid: clip(kid.as_str()),
                        jwks_url: self.entry.shown.clone(),
                        min_interval: self.shared.config.min_refetch_interval,
                    });
                }
                tracing::debug!(kid = %clip(kid.as_str()), jwks = %self.entry.shown, "unknown kid; refetching JWKS");
                Loaded {
                    keys: self.fetch_shared(snapshot.attempts).await?,
                    fetch_error: None,
                }
            }
            None => self.load(&snapshot, now).await?,
        };
        match lookup(&loaded.keys, kid, alg)? {
            Some(key) => Ok(key),
            None => Err(loaded.fetch_error.unwrap_or_else(|| Error::KidNotFound {
                kid: clip(kid.as_str()),
                jwks_url: Some(self.entry.shown.clone()),
            })),
        }
    }

    /// A set for a caller that found none fresh in `snapshot`: fetched, or the expired one within its grace
    /// when fetching fails (or failed less than the minimum refetch interval ago).
    async fn load(&self, snapshot: &State, now: SystemTime) -> Result<Loaded, Error> {
        if let (Some(cached), Some(failure)) = (&snapshot.cached, &snapshot.failure)
            && self.shared.within_grace(cached, now)
            && !self.shared.interval_elapsed(snapshot.last_attempt_at, now)
        {
            return Ok(Loaded {
                keys: Arc::clone(&cached.keys),
                fetch_error: Some(fetch::duplicate(failure, &self.entry.shown)),
            });
        }
        match self.fetch_shared(snapshot.attempts).await {
            Ok(keys) => Ok(Loaded {
                keys,
                fetch_error: None,
            }),
            Err(error) => {
                let now = self.shared.clock.now();
                let cached = self.entry.read().cached.clone();
                match cached {
                    Some(cached) if self.shared.within_grace(&cached, now) => Ok(Loaded {
                        keys: cached.keys,
                        fetch_error: Some(error),
                    }),
                    _ => Err(error),
                }
            }
        }
    }

    /// Fetches the set once for everyone who needs it: waits at the gate, and if an attempt completed since the
    /// caller saw `seen` attempts, takes that attempt's outcome instead of fetching again.
    async fn fetch_shared(&self, seen: u64) -> Result<Arc<KeySet>, Error> {
        let _gate = self.entry.gate.lock().await;
        {
            let state = self.entry.read();
            if state.attempts != seen {
                if let Some(failure) = &state.failure {
                    return Err(fetch::duplicate(failure, &self.entry.shown));
                }
                if let Some(cached) = &state.cached {
                    return Ok(Arc::clone(&cached.keys));
                }
            }
        }
        let target = fetch::Target {
            uri: self.entry.uri.as_ref(),
            path: self.entry.url.path(),
            shown: &self.entry.shown,
        };
        let result = fetch::fetch(self.shared.http.as_ref(), target, &self.shared.config).await;
        let now = self.shared.clock.now();
        let mut state = self.entry.write();
        state.attempts = state.attempts.wrapping_add(1);
        state.last_attempt_at = Some(now);
        match result {
            Ok(fetched) => {
                let ttl = self.shared.config.ttl_for(fetched.max_age);
                let keys = Arc::new(fetched.keys);
                state.cached = Some(Cached {
                    keys: Arc::clone(&keys),
                    fetched_at: now,
                    // ok: an unrepresentable expiry (a clock at the end of time) expires at once
                    expires_at: now.checked_add(ttl).unwrap_or(now),
                });
                state.failure = None;
                Ok(keys)
            }
            Err(error) => {
                state.failure = Some(Arc::new(fetch::duplicate(&error, &self.entry.shown)));
                if let Some(cached) = &state.cached
                    && now >= cached.expires_at
                    && self.shared.within_grace(cached, now)
                {
                    let age = now.duration_since(cached.fetched_at).unwrap_or_default();
                    tracing::warn!(
                        jwks = %self.entry.shown,
                        %error,
                        age_secs = age.as_secs(),
                        "JWKS fetch failed; serving the expired key set within its grace period"
                    );
                }
                Err(error)
            }
        }
    }
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.entry.read();
        f.debug_struct("RemoteJwks")
            .field("url", &self.entry.shown)
            .field("keys", &state.cached.as_ref().map(|c| c.keys.len()))
            .field("attempts", &state.attempts)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl KeyResolver for RemoteJwks {
    /// The key with `kid` usable with `alg`, from the cached set while it is fresh (no request, no allocation
    /// beyond the returned `Arc`), otherwise after a fetch, following the [`RemoteJwks`] rules.
    ///
    /// # Errors
    /// [`Error::MissingKid`] for an empty `kid` (nothing is fetched); [`Error::KidNotFound`] (with the URL) when
    /// the `kid` is missing from a set fetched for this call; [`Error::RefetchRateLimited`] when it is missing
    /// from a fresh set fetched less than the minimum interval ago; [`Error::KeyAlgorithmMismatch`] when the key
    /// cannot verify `alg`; a fetch error as for [`keys`](RemoteJwks::keys), which is also returned when the `kid`
    /// is missing from an expired set served because fetching failed.
    async fn resolve(&self, kid: &Kid, alg: Algorithm) -> Result<Arc<VerifyingKey>, Error> {
        if kid.as_str().is_empty() {
            return Err(Error::MissingKid);
        }
        let now = self.shared.clock.now();
        {
            let state = self.entry.read();
            if let Some(fresh) = state.cached.as_ref().filter(|c| now < c.expires_at) {
                match fresh.keys.find(kid.as_str(), alg) {
                    Ok(key) => return Ok(Arc::clone(key)),
                    Err(Error::KidNotFound { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        self.resolve_slow(kid, alg, now).await
    }
}

/// The key for `kid` and `alg` in `keys`; `None` when no key has `kid`.
fn lookup(keys: &KeySet, kid: &Kid, alg: Algorithm) -> Result<Option<Arc<VerifyingKey>>, Error> {
    match keys.find(kid.as_str(), alg) {
        Ok(key) => Ok(Some(Arc::clone(key))),
        Err(Error::KidNotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// `url` without query, fragment or user info, for errors and logs.
fn shown_url(url: &Url) -> String {
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

    #[test]
    fn shown_url_drops_query_fragment_and_user_info() {
        let url = Url::parse("https://u:p@lms.example:8443/jwks?token=secret#x").unwrap();
        assert_eq!(shown_url(&url), "https://lms.example:8443/jwks");
    }

    #[test]
    fn only_http_urls_get_a_request_uri() {
        assert!(
            Entry::new(Url::parse("https://lms.example/jwks").unwrap())
                .uri
                .is_some()
        );
        assert!(
            Entry::new(Url::parse("file:///etc/passwd").unwrap())
                .uri
                .is_none()
        );
    }
}
