//! The [`Tool`] facade: login initiation, launch validation and the JWKS endpoint, wired from lti-core,
//! lti-security and lti-storage.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use lti_core::login::{AuthRequest, AuthResponse, LoginInitiation};
use lti_core::message::{LtiMessage, MessageRules, ResourceLinkRules, validate_lti_claims};
use lti_core::{Nonce, PlatformRegistration, State};
use lti_http::HttpClient;
use lti_security::oauth::TokenSource;
use lti_security::{
    ClaimRules, Clock, DEFAULT_TOKEN_BYTES, JwksCache, JwtVerifier, KeyRing, NumericDate,
    RequiredClaim, SystemClock, random_token,
};
use lti_storage::Store;
use tracing::{Instrument, Span, field};

use crate::config::{ConfigError, NonceDurability, StateBinding, ToolConfig};
use crate::error::{LaunchError, LoginError};
use crate::launch::Launch;
use crate::registry::{PlatformRegistry, RegistryError};
use crate::state::{NONCE_NS, STATE_NS, StateRecord, constant_time_eq, cookie_value};

/// The tool side of an LTI 1.3 launch. Cheap to clone (shared state behind an `Arc`).
///
/// Build it with [`Tool::builder`]; mount [`login`](Self::login) on the tool's OIDC login initiation URL,
/// call [`launch`](Self::launch) from the handler of [`ToolConfig::redirect_uri`], and serve
/// [`jwks`](Self::jwks) at the tool's JWKS URL.
#[derive(Debug, Clone)]
pub struct Tool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ToolConfig,
    target_origins: Vec<String>,
    registry: Arc<dyn PlatformRegistry>,
    store: Arc<dyn Store>,
    jwks: JwksCache,
    clock: Arc<dyn Clock>,
    key_ring: Option<Arc<KeyRing>>,
    rules: Vec<Arc<dyn MessageRules>>,
    tokens: Option<TokenSource>,
}

/// Builds a [`Tool`]: [`registry`](Self::registry), [`store`](Self::store) and either
/// [`http_client`](Self::http_client) or [`jwks_cache`](Self::jwks_cache) are required.
#[derive(Debug)]
#[must_use]
pub struct ToolBuilder {
    config: ToolConfig,
    registry: Option<Arc<dyn PlatformRegistry>>,
    store: Option<Arc<dyn Store>>,
    http: Option<Arc<dyn HttpClient>>,
    jwks: Option<JwksCache>,
    clock: Arc<dyn Clock>,
    key_ring: Option<Arc<KeyRing>>,
    rules: Vec<Arc<dyn MessageRules>>,
}

impl ToolBuilder {
    /// The platform registrations.
    pub fn registry(mut self, registry: Arc<dyn PlatformRegistry>) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Where login state and used nonces are kept (single-use, with TTLs). Share it between instances behind a
    /// load balancer.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The HTTP client used to fetch platform key sets (a [`JwksCache`] is made from it unless
    /// [`jwks_cache`](Self::jwks_cache) is given).
    pub fn http_client(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// A shared platform key-set cache (instead of [`http_client`](Self::http_client)).
    pub fn jwks_cache(mut self, cache: JwksCache) -> Self {
        self.jwks = Some(cache);
        self
    }

    /// The clock (default: the system clock); tests pin it.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The tool's own keys, published by [`Tool::jwks`].
    pub fn key_ring(mut self, key_ring: Arc<KeyRing>) -> Self {
        self.key_ring = Some(key_ring);
        self
    }

    /// Replaces the message types accepted at the launch endpoint (default: [`ResourceLinkRules`] only), e.g.
    /// to add deep linking.
    pub fn message_rules(mut self, rules: Vec<Arc<dyn MessageRules>>) -> Self {
        self.rules = rules;
        self
    }

    /// Adds one accepted message type.
    pub fn add_message_rules(mut self, rules: Arc<dyn MessageRules>) -> Self {
        self.rules.push(rules);
        self
    }

    /// Checks the configuration and builds the tool.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming a required collaborator; [`ConfigError::InsecureRedirectUri`] for a
    /// non-HTTPS redirect URI outside loopback; [`ConfigError::InvalidCookieName`]; [`ConfigError::StateTtl`].
    pub fn build(self) -> Result<Tool, ConfigError> {
        let config = self.config;
        if !is_secure(&config.redirect_uri) {
            return Err(ConfigError::InsecureRedirectUri {
                found: config.redirect_uri.to_string(),
            });
        }
        let name = &config.cookie.name;
        let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(token_char) {
            return Err(ConfigError::InvalidCookieName {
                found: name.clone(),
            });
        }
        if config.state_ttl.as_secs() == 0 {
            return Err(ConfigError::StateTtl);
        }
        let registry = self
            .registry
            .ok_or(ConfigError::Missing { what: "registry" })?;
        let store = self.store.ok_or(ConfigError::Missing { what: "store" })?;
        let jwks = match (self.jwks, &self.http) {
            (Some(cache), _) => cache,
            (None, Some(http)) => JwksCache::new(Arc::clone(http), Arc::clone(&self.clock)),
            (None, None) => {
                return Err(ConfigError::Missing {
                    what: "http_client",
                });
            }
        };
        // One token source per tool, so every service client shares its token cache.
        let tokens = match (&self.key_ring, self.http) {
            (Some(keys), Some(http)) => Some(TokenSource::new(
                http,
                Arc::clone(keys),
                Arc::clone(&self.clock),
            )),
            _ => None,
        };
        let target_origins = config.target_origins();
        Ok(Tool {
            inner: Arc::new(Inner {
                config,
                target_origins,
                registry,
                store,
                jwks,
                clock: self.clock,
                key_ring: self.key_ring,
                rules: self.rules,
                tokens,
            }),
        })
    }
}

impl Tool {
    /// Starts building a tool with `config`.
    pub fn builder(config: ToolConfig) -> ToolBuilder {
        ToolBuilder {
            config,
            registry: None,
            store: None,
            http: None,
            jwks: None,
            clock: Arc::new(SystemClock),
            key_ring: None,
            rules: vec![Arc::new(ResourceLinkRules::new())],
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ToolConfig {
        &self.inner.config
    }

    /// The tool's key ring (the one given to the builder), for signing tool-originating messages (deep linking
    /// responses) and client assertions.
    pub fn key_ring(&self) -> Option<&Arc<KeyRing>> {
        self.inner.key_ring.as_ref()
    }

    /// The tool's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Removes up to `limit` expired login states and used nonces from the store; returns how many it removed.
    /// Reads never depend on it (an expired record already counts as absent): call it from a maintenance task
    /// (every few minutes) so a long-running tool's store does not grow with every login.
    ///
    /// # Errors
    /// [`lti_storage::Error`] when the store fails.
    pub async fn purge_expired(&self, limit: usize) -> Result<usize, lti_storage::Error> {
        let store = &self.inner.store;
        let states = store.purge_expired(STATE_NS, limit).await?;
        let nonces = store
            .purge_expired(NONCE_NS, limit.saturating_sub(states).max(1))
            .await?;
        Ok(states.saturating_add(nonces))
    }

    /// The tool's service-token source (OAuth 2.0 client credentials with JWT assertions signed by the
    /// [`key_ring`](Self::key_ring)), shared by every service client so tokens are cached once per tool; `None`
    /// unless the builder got both a key ring and an HTTP client.
    pub fn token_source(&self) -> Option<&TokenSource> {
        self.inner.tokens.as_ref()
    }

    /// The OIDC login initiation handler (step 1 → 2) [Sec §5.1.1.1–2]: reads the initiation from a GET query or
    /// a POST form (A1), finds the registration by `iss` (+ `client_id`) (A3), checks `target_link_uri` is on one
    /// of the tool's origins (A4), stores a fresh single-use `state` and `nonce` (A8), and answers `302` to the
    /// platform's authorization endpoint with every required parameter (A5–A7) and the state cookie (A9).
    ///
    /// Bad input is answered with an escaped HTML page and status 400 (A2); see [`LoginError`].
    pub async fn login(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let span = tracing::info_span!(
            "lti.login",
            iss = field::Empty,
            client_id = field::Empty,
            deployment_id = field::Empty,
            status = field::Empty,
        );
        async move {
            let response = match self.login_redirect(&request).await {
                Ok(response) => response,
                Err(error) => {
                    log_login_error(&error);
                    error.into_response()
                }
            };
            Span::current().record("status", response.status().as_u16());
            response
        }
        .instrument(span)
        .await
    }

    async fn login_redirect(
        &self,
        request: &http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, LoginError> {
        let inner = &self.inner;
        let login = match *request.method() {
            Method::GET => LoginInitiation::from_urlencoded(
                request.uri().query().unwrap_or_default().as_bytes(),
            ),
            Method::POST => LoginInitiation::from_urlencoded(request.body()),
            ref other => {
                return Err(LoginError::Method {
                    method: other.to_string(),
                });
            }
        }
        .map_err(LoginError::Parameters)?;
        let span = Span::current();
        span.record("iss", login.iss.as_str());
        if let Some(deployment) = &login.lti_deployment_id {
            span.record("deployment_id", deployment.as_str());
        }
        let registration = inner
            .registry
            .find(&login.iss, login.client_id.as_ref())
            .await
            .map_err(LoginError::Registry)?
            .ok_or_else(|| LoginError::UnknownRegistration {
                issuer: login.iss.clone(),
                client_id: login.client_id.clone(),
            })?;
        span.record("client_id", registration.client_id().as_str());
        if !self.target_allowed(login.target_link_uri.as_str()) {
            return Err(LoginError::TargetLinkUriNotAllowed {
                allowed: inner.target_origins.clone(),
                found: clip(login.target_link_uri.as_str()),
            });
        }
        let state = random_token(DEFAULT_TOKEN_BYTES).map_err(LoginError::Security)?;
        let nonce = random_token(DEFAULT_TOKEN_BYTES).map_err(LoginError::Security)?;
        let record = StateRecord {
            nonce: Nonce::new(nonce.clone()),
            issuer: registration.issuer().clone(),
            client_id: registration.client_id().clone(),
            target_link_uri: login.target_link_uri.clone(),
            deployment_id: login.lti_deployment_id.clone(),
        };
        let json = serde_json::to_vec(&record).map_err(|_| LoginError::Internal {
            what: "encoding the login state",
        })?;
        let ttl = inner.config.state_ttl;
        let inserted = inner
            .store
            .insert_if_absent(STATE_NS, state.as_bytes(), &json, Some(ttl))
            .await
            .map_err(LoginError::Storage)?;
        if !inserted {
            // 256 random bits collided: the generator is broken.
            return Err(LoginError::Internal {
                what: "state collision",
            });
        }
        let auth = AuthRequest::for_login(
            &login,
            registration.client_id().clone(),
            inner.config.redirect_uri.as_str(),
            Nonce::new(nonce),
            State::new(state.clone()),
        );
        let location = auth.to_url(registration.authorization_endpoint());
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = StatusCode::FOUND;
        let headers = response.headers_mut();
        // A serialized `Url` is percent-encoded ASCII, always a valid header value.
        let location =
            HeaderValue::try_from(location.as_str()).map_err(|_| LoginError::Internal {
                what: "authorization URL as a header",
            })?;
        headers.insert(header::LOCATION, location);
        match inner.config.state_binding {
            StateBinding::Cookie => {
                let cookie = inner.config.cookie.set_cookie(&state, ttl);
                // ok: the state is base64url and the name was checked at build time.
                if let Ok(value) = HeaderValue::try_from(cookie) {
                    headers.insert(header::SET_COOKIE, value);
                }
            }
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        tracing::debug!("login accepted, redirecting to the platform");
        Ok(response)
    }

    /// Validates a launch (step 3) [Sec §5.1.1.3–4, §5.1.3; Core §5], in this order:
    /// 1. POST with an `application/x-www-form-urlencoded` body holding `id_token` and `state`;
    /// 2. the state cookie is present and equals `state` (B10);
    /// 3. the state record exists and is consumed atomically (unknown, expired or used → refused);
    /// 4. the login's registration is loaded (the token must be for it);
    /// 5. JWT checks with the registration's cached JWKS: `kid`, algorithm, signature, then on the signed
    ///    payload (parsed once, into the LTI message) `iss`, `aud`, `azp`, `exp`/`iat` with leeway and maximum
    ///    age, `nonce` present (B11–B22);
    /// 6. `nonce` equals the login's nonce (B24);
    /// 7. LTI claims by the configured message rules (B25–B34);
    /// 8. the deployment policy, and the login's `lti_deployment_id` (B30);
    /// 9. the signed `target_link_uri` is on one of the tool's origins (B35);
    /// 10. the nonce is recorded with an atomic insert-if-absent (B23), and the store flushed unless
    ///     [`NonceDurability::Background`] is configured.
    ///
    /// # Errors
    /// The [`LaunchError`] of the first failing check; answer it with [`LaunchError::into_response`].
    pub async fn launch(&self, request: http::Request<Bytes>) -> Result<Launch, LaunchError> {
        let span = tracing::info_span!(
            "lti.launch",
            iss = field::Empty,
            client_id = field::Empty,
            deployment_id = field::Empty,
            message_type = field::Empty,
            kid = field::Empty,
            status = field::Empty,
        );
        async move {
            let result = self.validate(&request).await;
            if let Err(error) = &result {
                Span::current().record("status", error.status().as_u16());
                log_launch_error(error);
            } else {
                Span::current().record("status", 200u16);
                tracing::debug!("launch accepted");
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn validate(&self, request: &http::Request<Bytes>) -> Result<Launch, LaunchError> {
        let inner = &self.inner;
        let span = Span::current();
        if request.method() != Method::POST {
            return Err(LaunchError::Method {
                method: request.method().to_string(),
            });
        }
        check_form_content_type(request.headers())?;
        let (id_token, state) = match AuthResponse::from_urlencoded(request.body()) {
            Ok(AuthResponse::IdToken { id_token, state }) => (id_token, state),
            Ok(AuthResponse::Error {
                error,
                error_description,
                ..
            }) => {
                return Err(LaunchError::PlatformError {
                    error: clip(&error),
                    description: error_description.as_deref().map(clip),
                });
            }
            Ok(_) => {
                return Err(LaunchError::Form(lti_core::Error::ParameterMissing {
                    parameter: "id_token",
                }));
            }
            Err(e) => return Err(LaunchError::Form(e)),
        };

        // State bound to the browser (B10).
        match inner.config.state_binding {
            StateBinding::Cookie => {
                let name = &inner.config.cookie.name;
                let cookie = cookie_value(request.headers(), name)
                    .ok_or_else(|| LaunchError::StateCookieMissing { name: name.clone() })?;
                if !constant_time_eq(cookie, state.as_str()) {
                    return Err(LaunchError::StateMismatch);
                }
            }
        }

        // The state record, consumed once.
        let record = self.take_state(&state).await?;
        span.record("iss", record.issuer.as_str());
        span.record("client_id", record.client_id.as_str());

        // The login's registration; the token must be for it (iss, aud, azp are checked on the signed claims).
        let registration = inner
            .registry
            .find(&record.issuer, Some(&record.client_id))
            .await
            .map_err(LaunchError::Registry)?
            .ok_or_else(|| LaunchError::UnknownRegistration {
                issuer: record.issuer.clone(),
                client_id: record.client_id.clone(),
            })?;

        // Signature, then the registered claims of the payload, parsed once into the LTI message.
        let verifier =
            JwtVerifier::new(Arc::clone(&inner.clock)).with_algorithms(registration.algorithms());
        let jws = verifier.parse(&id_token).map_err(LaunchError::Token)?;
        if let Some(kid) = &jws.header().kid {
            span.record("kid", kid.as_str());
        }
        let rules = ClaimRules::new()
            .issuer(registration.issuer().as_str())
            .audience(registration.client_id().as_str())
            .azp(registration.client_id().as_str())
            .leeway(inner.config.leeway)
            .max_age(inner.config.max_token_age)
            .require(RequiredClaim::Nonce);
        let keys = inner.jwks.resolver(registration.jwks_url().clone());
        let message: LtiMessage = verifier
            .verify_parsed_as(jws, &keys, &rules)
            .await
            .map_err(|e| match e {
                // A signed payload that is not an LTI message is the message's fault, not the token's.
                lti_security::Error::MalformedClaims { reason } => {
                    LaunchError::Message(lti_core::Error::Malformed { reason })
                }
                e => LaunchError::Token(e),
            })?
            .into_claims();

        // The nonce issued with this state (B24).
        let nonce = message
            .nonce
            .as_ref()
            .map(Nonce::as_str)
            .unwrap_or_default();
        if !constant_time_eq(nonce, record.nonce.as_str()) {
            return Err(LaunchError::NonceMismatch);
        }

        // LTI claims (B25–B34).
        if let Some(message_type) = &message.message_type {
            span.record("message_type", message_type.as_str());
        }
        let rule_refs: Vec<&dyn MessageRules> = inner.rules.iter().map(|r| r.as_ref()).collect();
        validate_lti_claims(&message, &rule_refs).map_err(LaunchError::Message)?;
        let (Some(deployment_id), Some(target_link_uri)) = (
            message.deployment_id.clone(),
            message.target_link_uri.clone(),
        ) else {
            // validate_lti_claims checked deployment_id; target_link_uri is required by every launch rule.
            return Err(LaunchError::Message(lti_core::Error::TargetLinkUriMissing));
        };
        span.record("deployment_id", deployment_id.as_str());

        // Deployment (B30).
        if !inner
            .config
            .deployment_policy
            .accepts(&registration, &deployment_id)
        {
            return Err(LaunchError::DeploymentNotAllowed {
                issuer: registration.issuer().clone(),
                client_id: registration.client_id().clone(),
                deployment_id,
            });
        }
        if let Some(expected) = &record.deployment_id
            && *expected != deployment_id
        {
            return Err(LaunchError::DeploymentMismatch {
                expected: expected.clone(),
                found: deployment_id,
            });
        }

        // The signed target (B35).
        if !self.target_allowed(target_link_uri.as_str()) {
            return Err(LaunchError::TargetLinkUriNotAllowed {
                allowed: inner.target_origins.clone(),
                found: clip(target_link_uri.as_str()),
            });
        }

        // Last: consume the nonce (B23).
        self.consume_nonce(&record, message.exp).await?;
        Ok(Launch::new(
            message,
            registration,
            deployment_id,
            target_link_uri,
        ))
    }

    /// Loads and deletes the state record in one atomic step.
    async fn take_state(&self, state: &State) -> Result<StateRecord, LaunchError> {
        let key = state.as_str().as_bytes();
        if key.len() > lti_storage::MAX_KEY_LEN {
            return Err(LaunchError::StateUnknown);
        }
        let stored = self
            .inner
            .store
            .take(STATE_NS, key)
            .await
            .map_err(LaunchError::Storage)?
            .ok_or(LaunchError::StateUnknown)?;
        serde_json::from_slice(&stored).map_err(|_| LaunchError::StateCorrupt)
    }

    /// Records the nonce as used until the token expires (+ leeway); a second use is a replay.
    async fn consume_nonce(
        &self,
        record: &StateRecord,
        exp: Option<NumericDate>,
    ) -> Result<(), LaunchError> {
        let inner = &self.inner;
        let now = inner.clock.unix_seconds();
        let until = exp
            .map(|e| e.unix_seconds())
            .unwrap_or(now)
            .saturating_add(inner.config.leeway.as_secs());
        let ttl = Duration::from_secs(until.saturating_sub(now).max(1));
        let inserted = inner
            .store
            .insert_if_absent(NONCE_NS, record.nonce.as_str().as_bytes(), b"", Some(ttl))
            .await
            .map_err(LaunchError::Storage)?;
        if !inserted {
            return Err(LaunchError::NonceReplayed);
        }
        match inner.config.nonce_durability {
            NonceDurability::Flush => inner.store.flush().await.map_err(LaunchError::Storage),
            NonceDurability::Background => Ok(()),
        }
    }

    /// Whether `uri` is an absolute URL on one of the allowed origins.
    fn target_allowed(&self, uri: &str) -> bool {
        // Fast path: an allowed origin written exactly, then the end of the authority. Anything else (other
        // case, explicit default port, userinfo, backslashes...) goes through the URL parser.
        let exact = self.inner.target_origins.iter().any(|origin| {
            uri.strip_prefix(origin.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
        });
        exact
            || url::Url::parse(uri).is_ok_and(|u| {
                let origin = u.origin();
                origin.is_tuple()
                    && self
                        .inner
                        .target_origins
                        .iter()
                        .any(|o| *o == origin.ascii_serialization())
            })
    }

    /// The tool's public keys as a JWK Set (`application/json`), from the [`KeyRing`] given to the builder; 404
    /// when there is none.
    pub fn jwks(&self) -> http::Response<Bytes> {
        let _span = tracing::info_span!("lti.jwks").entered();
        let Some(ring) = &self.inner.key_ring else {
            return crate::html::error_page(
                StatusCode::NOT_FOUND,
                "lti.tool.jwks.none",
                "this tool publishes no keys",
            );
        };
        match ring.jwks_json() {
            Ok(json) => {
                let mut response = http::Response::new(Bytes::from(json));
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                headers.insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                );
                response
            }
            Err(error) => {
                tracing::error!(%error, "could not serialize the tool's key set");
                crate::html::error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "lti.tool.internal",
                    "internal error; see the tool's logs",
                )
            }
        }
    }

    /// The registration for `issuer` and `client_id`, from the tool's registry.
    ///
    /// # Errors
    /// As [`PlatformRegistry::find`].
    pub async fn registration(
        &self,
        issuer: &lti_core::Issuer,
        client_id: Option<&lti_core::ClientId>,
    ) -> Result<Option<PlatformRegistration>, RegistryError> {
        self.inner.registry.find(issuer, client_id).await
    }
}

/// Rejects a body that is not `application/x-www-form-urlencoded` (parameters ignored, case-insensitive).
fn check_form_content_type(headers: &http::HeaderMap) -> Result<(), LaunchError> {
    let found = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = found.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(LaunchError::ContentType { found: clip(found) })
    }
}

/// HTTPS, or HTTP on a loopback host (development).
fn is_secure(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => url.host().is_some_and(|h| match h {
            url::Host::Domain(d) => d == "localhost",
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        }),
        _ => false,
    }
}

/// `value` cut to 100 characters.
fn clip(value: &str) -> String {
    match value.char_indices().nth(100) {
        None => value.to_owned(),
        Some((at, _)) => {
            let mut s = value.get(..at).unwrap_or_default().to_owned();
            s.push('…');
            s
        }
    }
}

fn log_login_error(error: &LoginError) {
    if error.status().is_server_error() {
        tracing::error!(code = error.code(), %error, "login failed");
    } else {
        tracing::debug!(code = error.code(), %error, "login refused");
    }
}

fn log_launch_error(error: &LaunchError) {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(code = error.code(), status = status.as_u16(), %error, "launch failed");
    } else {
        tracing::debug!(code = error.code(), status = status.as_u16(), %error, "launch refused");
    }
}
