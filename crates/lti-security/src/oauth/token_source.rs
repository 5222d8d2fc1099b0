//! [`TokenSource`]: service tokens for a tool, fetched with a signed client assertion and cached per endpoint and
//! scope set [Sec §4.1; RFC 6749 §4.4; RFC 7523].

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::StatusCode;
use http::header::AUTHORIZATION;
use lti_http::{HttpClient, redacted_url};
use lti_storage::Clock;

use super::token_endpoint::is_loopback;
use super::token_request::request_token;
use super::{AccessToken, ClientAssertion, Scopes, TokenEndpoint, TokenError, TokenSourceConfig};
use crate::KeyRing;
use crate::error::clip;

/// Above this many cache entries, entries with no fresh token and no caller are dropped when a new one is added.
const PRUNE_ABOVE: usize = 1024;

/// Gets and caches the OAuth 2 access tokens a tool needs to call LTI Advantage services (AGS, NRPS)
/// [Sec §4.1], using the client-credentials grant with a JWT client assertion signed by the tool's
/// [`KeyRing`] [Sec §4.1.1; RFC 7523 §2.2].
///
/// - **Request.** A form POST of `grant_type=client_credentials`,
///   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, a fresh
///   [`ClientAssertion`] and the space-separated scopes (checklist 70, 71).
/// - **Cache.** Tokens are cached per (token URL, client id, audience, deployment, scope set), the scopes
///   sorted and deduplicated by [`Scopes`], and served until `expires_in` minus a margin
///   ([`TokenSourceConfig::cache_lifetime`]); a response without `expires_in` gets
///   [`TokenSourceConfig::default_lifetime`]. No refresh token: an expired token is replaced by a new request
///   (checklist 73). Only the [`TokenEndpoint`] is needed, so it works long after any launch (grade passback).
/// - **Single flight.** Concurrent callers needing a token for the same key share one request and its outcome.
///   A failure is not cached: the next call asks again.
/// - **Service calls.** [`send`](Self::send) adds `Authorization: Bearer …`; on a 401 it drops the token and
///   retries exactly once with a new one.
/// - **Answers are hostile input.** Status, `Content-Type`, size and every member are checked, with a typed
///   [`TokenError`] naming what was wrong; tokens and assertions never appear in errors, logs or `Debug`.
///
/// Cheap to clone; clones share the cache. Time comes from the injected [`Clock`], HTTP from the injected
/// [`HttpClient`] (which must not follow redirects: the reqwest client of `lti-http` does not).
///
/// ```no_run
/// # async fn run(
/// #     http: std::sync::Arc<dyn lti_http::HttpClient>,
/// #     keys: std::sync::Arc<lti_security::KeyRing>,
/// # ) -> Result<(), lti_security::oauth::TokenError> {
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use lti_security::oauth::{Scopes, TokenEndpoint, TokenSource};
///
/// let tokens = TokenSource::new(http, keys, Arc::new(lti_storage::SystemClock));
/// let endpoint = TokenEndpoint::new(
///     url::Url::parse("https://lms.example/login/oauth2/token").unwrap(),
///     "10000000000042",
/// )?
/// .with_deployment_id("1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb")?;
/// let scopes = Scopes::parse("https://purl.imsglobal.org/spec/lti-ags/scope/score");
///
/// // a token, from the cache while it is valid
/// let token = tokens.token(&endpoint, &scopes).await?;
/// assert!(token.scopes().contains("https://purl.imsglobal.org/spec/lti-ags/scope/score"));
///
/// // or let the source authorize a service call (and retry once on a 401)
/// let score = http::Request::post("https://lms.example/api/lti/courses/1/line_items/2/scores")
///     .header("content-type", "application/vnd.ims.lis.v1.score+json")
///     .body(Bytes::from_static(b"{}"))
///     .unwrap();
/// let response = tokens.send(&endpoint, &scopes, score).await?;
/// println!("platform answered {}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TokenSource {
    shared: Arc<Shared>,
}

struct Shared {
    http: Arc<dyn HttpClient>,
    keys: Arc<KeyRing>,
    clock: Arc<dyn Clock>,
    config: TokenSourceConfig,
    entries: Mutex<HashMap<CacheKey, Arc<Entry>>>,
    /// Numbers the tokens obtained, so that a 401 drops exactly the token that was refused.
    serial: AtomicU64,
}

/// What a token is cached under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    token_url: String,
    client_id: String,
    audience: String,
    deployment_id: Option<String>,
    /// Sorted, deduplicated, space separated.
    scopes: String,
}

impl CacheKey {
    fn new(endpoint: &TokenEndpoint, scopes: &Scopes) -> Self {
        Self {
            token_url: endpoint.token_url().as_str().to_owned(),
            client_id: endpoint.client_id().to_owned(),
            audience: endpoint.audience().to_owned(),
            deployment_id: endpoint.deployment_id().map(str::to_owned),
            scopes: scopes.to_string(),
        }
    }
}

/// One key: its token and the gate that makes its requests single flight.
#[derive(Default)]
struct Entry {
    state: Mutex<State>,
    /// Held for the whole of a token request: the callers that need a token meanwhile wait, then take its
    /// outcome.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    /// The token to serve while fresh; also the outcome of the last attempt when it succeeded.
    token: Option<AccessToken>,
    /// Completed attempts: a caller that waited at the gate compares it with what it saw before waiting.
    attempts: u64,
    /// The last attempt's error, for the callers that waited on it; never served to later callers.
    failure: Option<TokenError>,
}

impl Entry {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned state is still consistent: every write assigns whole fields.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn fresh(&self, now: SystemTime) -> Option<AccessToken> {
        self.token
            .as_ref()
            .filter(|t| now < t.expires_at())
            .cloned()
    }
}

impl TokenSource {
    /// A token source with the default [`TokenSourceConfig`], signing assertions with the active key of `keys`.
    pub fn new(http: Arc<dyn HttpClient>, keys: Arc<KeyRing>, clock: Arc<dyn Clock>) -> Self {
        Self::with_config(http, keys, clock, TokenSourceConfig::default())
    }

    /// A token source with `config`.
    pub fn with_config(
        http: Arc<dyn HttpClient>,
        keys: Arc<KeyRing>,
        clock: Arc<dyn Clock>,
        config: TokenSourceConfig,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                http,
                keys,
                clock,
                config,
                entries: Mutex::default(),
                serial: AtomicU64::new(0),
            }),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &TokenSourceConfig {
        &self.shared.config
    }

    /// A token for `scopes` at `endpoint`: the cached one while it is fresh, otherwise a new one (sharing a
    /// request already under way for the same endpoint and scopes).
    ///
    /// Ask for the scopes the service call needs, taken from the launch's service claims (checklist 72): the
    /// request carries exactly `scopes`, and each scope set has its own token.
    ///
    /// # Errors
    /// - configuration: [`TokenError::NoScopes`], [`TokenError::InvalidScope`], [`TokenError::Assertion`];
    /// - the platform refused: [`TokenError::Refused`] (with its RFC 6749 error code, description and HTTP
    ///   status), [`TokenError::Status`];
    /// - the answer is unusable: [`TokenError::UnexpectedContentType`], [`TokenError::MalformedResponse`],
    ///   [`TokenError::MissingField`], [`TokenError::InvalidField`], [`TokenError::UnsupportedTokenType`],
    ///   [`TokenError::ResponseTooLarge`];
    /// - no answer: [`TokenError::Http`].
    pub async fn token(
        &self,
        endpoint: &TokenEndpoint,
        scopes: &Scopes,
    ) -> Result<AccessToken, TokenError> {
        check_scopes(endpoint, scopes)?;
        let entry = self.shared.entry(CacheKey::new(endpoint, scopes));
        let seen = {
            let state = entry.lock();
            if let Some(token) = state.fresh(self.shared.clock.now()) {
                return Ok(token);
            }
            state.attempts
        };
        self.fetch_shared(&entry, endpoint, scopes, seen).await
    }

    /// Forgets the cached token for `scopes` at `endpoint` (the next call requests a new one); returns whether
    /// there was one. For when the application learns the token was revoked; [`send`](Self::send) does it by
    /// itself on a 401.
    pub fn invalidate(&self, endpoint: &TokenEndpoint, scopes: &Scopes) -> bool {
        self.shared
            .existing(&CacheKey::new(endpoint, scopes))
            .is_some_and(|entry| entry.lock().token.take().is_some())
    }

    /// Forgets every cached token.
    pub fn clear(&self) {
        self.shared.lock_entries().clear();
    }

    /// How many endpoint and scope-set combinations have a token that is still fresh.
    pub fn cached_token_count(&self) -> usize {
        let now = self.shared.clock.now();
        self.shared
            .lock_entries()
            .values()
            .filter(|entry| entry.lock().fresh(now).is_some())
            .count()
    }

    /// Sends a service request with `Authorization: Bearer <token>` for `scopes` at `endpoint` [RFC 6750 §2.1]
    /// and returns the service's answer, whatever its status.
    ///
    /// When the service answers 401 (the token expired early or was revoked), the token is dropped from the
    /// cache and the request is sent once more with a new token; that second answer is returned as it is, even
    /// if it is another 401. A 403 (missing scope) is not retried. Any `Authorization` header in `request` is
    /// replaced. The request's [`RequestOptions`](lti_http::RequestOptions) are kept for both attempts.
    ///
    /// # Errors
    /// [`TokenError::InsecureServiceUrl`] when the request's URL is not `https` (plain `http` only to a loopback
    /// host): the bearer token is never sent in clear text; the errors of [`token`](Self::token); and
    /// [`TokenError::ServiceHttp`] when the service request itself gets no response.
    pub async fn send(
        &self,
        endpoint: &TokenEndpoint,
        scopes: &Scopes,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TokenError> {
        check_service_url(request.uri())?;
        let (parts, body) = request.into_parts();
        let token = self.token(endpoint, scopes).await?;
        let first = self.send_with(parts.clone(), body.clone(), &token).await?;
        if first.status() != StatusCode::UNAUTHORIZED {
            return Ok(first);
        }
        tracing::debug!(
            client_id = endpoint.client_id(),
            scope = %scopes,
            url.path = parts.uri.path(),
            "service answered 401; requesting a new token and retrying once"
        );
        self.shared
            .drop_token(&CacheKey::new(endpoint, scopes), &token);
        let token = self.token(endpoint, scopes).await?;
        self.send_with(parts, body, &token).await
    }

    async fn send_with(
        &self,
        mut parts: http::request::Parts,
        body: Bytes,
        token: &AccessToken,
    ) -> Result<http::Response<Bytes>, TokenError> {
        parts.headers.insert(AUTHORIZATION, token.authorization());
        let url = redacted_url(&parts.uri);
        let request = http::Request::from_parts(parts, body);
        self.shared
            .http
            .execute(request)
            .await
            .map_err(|source| TokenError::ServiceHttp {
                url,
                source: Arc::new(source),
            })
    }

    /// Requests a token once for everyone who needs it: waits at the gate, then takes a token obtained or an
    /// attempt failed while it waited instead of asking again.
    async fn fetch_shared(
        &self,
        entry: &Entry,
        endpoint: &TokenEndpoint,
        scopes: &Scopes,
        seen: u64,
    ) -> Result<AccessToken, TokenError> {
        let _gate = entry.gate.lock().await;
        {
            let state = entry.lock();
            if let Some(token) = state.fresh(self.shared.clock.now()) {
                return Ok(token);
            }
            if state.attempts != seen {
                if let Some(failure) = &state.failure {
                    return Err(failure.clone());
                }
                // obtained for us while we waited, even if too short-lived to be served from the cache
                if let Some(token) = &state.token {
                    return Ok(token.clone());
                }
            }
        }
        let result = self.fetch(endpoint, scopes).await;
        let mut state = entry.lock();
        state.attempts = state.attempts.wrapping_add(1);
        match result {
            Ok(token) => {
                state.token = Some(token.clone());
                state.failure = None;
                Ok(token)
            }
            Err(error) => {
                state.failure = Some(error.clone());
                Err(error)
            }
        }
    }

    /// One token request with a new assertion.
    async fn fetch(
        &self,
        endpoint: &TokenEndpoint,
        scopes: &Scopes,
    ) -> Result<AccessToken, TokenError> {
        let shared = &self.shared;
        // the token's life is counted from before the request: the platform's clock started later
        let sent_at = shared.clock.now();
        let unix_now = sent_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let key = shared.keys.signing_key();
        let assertion = ClientAssertion::sign(endpoint, &key, unix_now)?;
        let response = request_token(
            shared.http.as_ref(),
            endpoint,
            scopes,
            &assertion,
            &shared.config,
        )
        .await?;
        let lifetime = response.expires_in.map_or(
            shared.config.default_lifetime,
            std::time::Duration::from_secs,
        );
        let expires_at = sent_at
            .checked_add(shared.config.cache_lifetime(lifetime))
            .unwrap_or(sent_at);
        let granted = response
            .scope
            .as_deref()
            .map(Scopes::parse)
            .filter(|granted| !granted.is_empty())
            .unwrap_or_else(|| scopes.clone());
        if !scopes.is_subset(&granted) {
            tracing::debug!(
                client_id = endpoint.client_id(),
                scope = %scopes,
                granted = %clip(&granted.to_string()),
                "token endpoint granted fewer scopes than requested"
            );
        }
        let serial = shared.serial.fetch_add(1, Ordering::Relaxed);
        AccessToken::new(response.access_token, granted, expires_at, serial).ok_or_else(|| {
            TokenError::InvalidField {
                url: endpoint.shown_url().to_owned(),
                field: "access_token",
                expected: "a value that can be sent in an Authorization header",
                found: "a string that cannot".to_owned(),
            }
        })
    }
}

impl Shared {
    fn lock_entries(&self) -> MutexGuard<'_, HashMap<CacheKey, Arc<Entry>>> {
        // A poisoned map is still consistent: every change is one insert, remove or retain.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn existing(&self, key: &CacheKey) -> Option<Arc<Entry>> {
        self.lock_entries().get(key).cloned()
    }

    fn entry(&self, key: CacheKey) -> Arc<Entry> {
        let mut entries = self.lock_entries();
        if let Some(entry) = entries.get(&key) {
            return Arc::clone(entry);
        }
        if entries.len() >= PRUNE_ABOVE {
            let now = self.clock.now();
            // drop what nobody waits on and nothing fresh is cached in
            entries.retain(|_, e| Arc::strong_count(e) > 1 || e.lock().fresh(now).is_some());
        }
        Arc::clone(entries.entry(key).or_default())
    }

    /// Drops `token` from the cache if it is still the cached one (another caller may have replaced it).
    fn drop_token(&self, key: &CacheKey, token: &AccessToken) {
        if let Some(entry) = self.existing(key) {
            let mut state = entry.lock();
            if state
                .token
                .as_ref()
                .is_some_and(|cached| cached.serial() == token.serial())
            {
                state.token = None;
            }
        }
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("config", &self.shared.config)
            .field("key_ring", &self.shared.keys.name())
            .field("cached_tokens", &self.cached_token_count())
            .finish_non_exhaustive()
    }
}

/// At least one scope, each an RFC 6749 §3.3 scope token: `1*( %x21 / %x23-5B / %x5D-7E )`.
fn check_scopes(endpoint: &TokenEndpoint, scopes: &Scopes) -> Result<(), TokenError> {
    if scopes.is_empty() {
        return Err(TokenError::NoScopes {
            url: endpoint.shown_url().to_owned(),
        });
    }
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    };
    match scopes.iter().find(|s| !valid(s)) {
        Some(bad) => Err(TokenError::InvalidScope {
            scope: clip(&bad.escape_default().to_string()),
        }),
        None => Ok(()),
    }
}

/// The bearer token goes only to `https`, or `http` on a loopback host.
fn check_service_url(uri: &http::Uri) -> Result<(), TokenError> {
    let secure = match uri.scheme_str() {
        Some("https") => uri.host().is_some(),
        Some("http") => url::Url::parse(&uri.to_string()).is_ok_and(|url| is_loopback(&url)),
        _ => false,
    };
    if secure {
        Ok(())
    } else {
        Err(TokenError::InsecureServiceUrl {
            url: clip(&redacted_url(uri)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> TokenEndpoint {
        TokenEndpoint::new(url::Url::parse("https://lms.example/token").unwrap(), "c").unwrap()
    }

    #[test]
    fn scopes_must_be_present_and_well_formed() {
        assert!(matches!(
            check_scopes(&endpoint(), &Scopes::new()),
            Err(TokenError::NoScopes { .. })
        ));
        for bad in ["a\"b", "a\\b", "é", "a\nb", ""] {
            let scopes: Scopes = [bad].into_iter().collect();
            assert!(
                matches!(
                    check_scopes(&endpoint(), &scopes),
                    Err(TokenError::InvalidScope { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(
            check_scopes(
                &endpoint(),
                &Scopes::parse("https://purl.imsglobal.org/spec/lti-ags/scope/score")
            )
            .is_ok()
        );
    }

    #[test]
    fn bearer_tokens_only_over_https_or_loopback() {
        for good in [
            "https://lms.example/x",
            "http://localhost:3000/x",
            "http://127.0.0.1/x",
        ] {
            assert!(check_service_url(&good.parse().unwrap()).is_ok(), "{good}");
        }
        for bad in [
            "http://lms.example/x?t=1",
            "/relative",
            "ftp://lms.example/x",
        ] {
            let e = check_service_url(&bad.parse().unwrap()).unwrap_err();
            assert!(!e.to_string().contains("t=1"), "{e}");
        }
    }

    #[test]
    fn cache_keys_use_sorted_deduplicated_scopes() {
        let a = CacheKey::new(&endpoint(), &Scopes::parse("b a a"));
        let b = CacheKey::new(&endpoint(), &["a", "b"].into_iter().collect());
        assert_eq!(a, b);
        // one item "a b" would be written like {a, b}: it never gets that far (anti-pattern 8)
        let joined: Scopes = ["a b"].into_iter().collect();
        assert!(matches!(
            check_scopes(&endpoint(), &joined),
            Err(TokenError::InvalidScope { .. })
        ));
    }
}
