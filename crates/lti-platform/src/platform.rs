//! The platform facade: configuration, starting a launch, the JWKS endpoint.

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use lti_core::login::LoginInitiation;
use lti_core::message::LtiMessage;
use lti_core::{ClientId, LoginHint, LtiMessageHint, Nonce, ToolRegistration};
use lti_security::oauth::ClientAssertionVerifier;
use lti_security::{DEFAULT_TOKEN_BYTES, JwksCache, KeyRing, random_token};
use lti_storage::{Clock, Namespace, Store, SystemClock};
use serde::{Deserialize, Serialize};
use tracing::Instrument as _;

use crate::{
    ConfigError, LaunchRequest, LoginStart, PlatformConfig, PlatformError, ToolRegistry, message,
    response,
};

/// An LTI 1.3 platform: starts launches, answers the OIDC authentication request with a signed `id_token`, and
/// publishes its keys. Cheap to clone (one [`Arc`]).
#[derive(Debug, Clone)]
pub struct Platform {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: PlatformConfig,
    pub(crate) tools: Arc<dyn ToolRegistry>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) key_ring: Arc<KeyRing>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Tool key sets fetched from JWKS URLs (client assertions); `None` when not configured.
    pub(crate) jwks: Option<JwksCache>,
    /// The token endpoint's client-assertion verifier; `None` without a configured token endpoint.
    pub(crate) assertions: Option<ClientAssertionVerifier>,
}

/// A launch waiting for the tool's authentication request, stored under its `lti_message_hint`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LaunchRecord {
    pub(crate) client_id: ClientId,
    pub(crate) login_hint: LoginHint,
    pub(crate) anonymous: bool,
    pub(crate) message: LtiMessage,
}

impl Platform {
    /// The store namespace of started launches, keyed by `lti_message_hint`.
    pub const MESSAGE_HINT_NAMESPACE: Namespace = Namespace::new("lti.platform.message_hint");

    /// The prefix of the `login_hint` of an anonymous launch (followed by a random token).
    pub const ANONYMOUS_LOGIN_HINT_PREFIX: &'static str = "anonymous.";

    /// Starts building a platform from `config`.
    pub fn builder(config: PlatformConfig) -> PlatformBuilder {
        PlatformBuilder {
            config,
            tools: None,
            store: None,
            key_ring: None,
            clock: None,
            jwks: None,
        }
    }

    /// The settings.
    pub fn config(&self) -> &PlatformConfig {
        &self.inner.config
    }

    /// The signing keys.
    pub fn key_ring(&self) -> &Arc<KeyRing> {
        &self.inner.key_ring
    }

    /// Starts a launch: checks `request` against the tool's registration, builds and checks its message
    /// (checklist E56-E61), stores it under a fresh single-use `lti_message_hint` for
    /// [`message_hint_ttl`](PlatformConfig::message_hint_ttl), and returns the login initiation to send the
    /// browser to [Sec §5.1.1.1] (checklist D51, D52).
    ///
    /// `login_hint` is the user id, or for an anonymous launch a random marker starting with
    /// [`ANONYMOUS_LOGIN_HINT_PREFIX`](Self::ANONYMOUS_LOGIN_HINT_PREFIX).
    ///
    /// # Errors
    /// - [`PlatformError::ClientUnknown`], [`PlatformError::DeploymentUnknown`];
    /// - [`PlatformError::InvalidLaunch`] or [`PlatformError::LaunchMessage`] when the message would break a rule;
    /// - [`PlatformError::Registry`], [`PlatformError::Storage`], [`PlatformError::Crypto`] on our side.
    pub async fn start_launch(&self, request: LaunchRequest) -> Result<LoginStart, PlatformError> {
        let span = tracing::info_span!(
            "lti.launch.start",
            client_id = %request.client_id,
            deployment_id = %request.deployment_id,
            message_type = %request.message_type,
        );
        let result = self
            .start_launch_inner(request)
            .instrument(span.clone())
            .await;
        if let Err(e) = &result {
            span.in_scope(|| log_error(e));
        }
        result
    }

    async fn start_launch_inner(
        &self,
        request: LaunchRequest,
    ) -> Result<LoginStart, PlatformError> {
        let inner = &self.inner;
        let registration = self.registration(&request.client_id).await?;
        if !registration.accepts_deployment(&request.deployment_id) {
            return Err(PlatformError::DeploymentUnknown {
                client_id: request.client_id,
                deployment_id: request.deployment_id,
            });
        }
        let client_id = request.client_id.clone();
        let deployment_id = request.deployment_id.clone();
        let anonymous = request.user.is_none();
        let login_hint = match &request.user {
            Some(user)
                if user
                    .id
                    .as_str()
                    .starts_with(Self::ANONYMOUS_LOGIN_HINT_PREFIX) =>
            {
                return Err(PlatformError::InvalidLaunch {
                    field: "sub".to_owned(),
                    reason: format!(
                        "user ids must not start with `{}` (reserved for anonymous launches)",
                        Self::ANONYMOUS_LOGIN_HINT_PREFIX
                    ),
                });
            }
            Some(user) => LoginHint::new(user.id.as_str()),
            None => LoginHint::new(format!("{}{}", Self::ANONYMOUS_LOGIN_HINT_PREFIX, token()?)),
        };
        let message = message::build(request, &registration, inner.config.tool_platform.as_ref())?;
        let target_link_uri =
            message
                .target_link_uri
                .clone()
                .ok_or(PlatformError::LaunchMessage(
                    lti_core::Error::TargetLinkUriMissing,
                ))?;
        let record = LaunchRecord {
            client_id: client_id.clone(),
            login_hint: login_hint.clone(),
            anonymous,
            message,
        };
        let bytes = serde_json::to_vec(&record).map_err(PlatformError::Serialize)?;
        let hint = LtiMessageHint::new(token()?);
        let inserted = inner
            .store
            .insert_if_absent(
                Self::MESSAGE_HINT_NAMESPACE,
                hint.as_str().as_bytes(),
                &bytes,
                Some(inner.config.message_hint_ttl),
            )
            .await?;
        if !inserted {
            // 256 random bits collided: the generator is broken.
            return Err(PlatformError::Crypto(lti_security::Error::Crypto {
                operation: "random generation",
            }));
        }
        let mut initiation =
            LoginInitiation::new(inner.config.issuer.clone(), login_hint, target_link_uri);
        initiation.lti_message_hint = Some(hint);
        initiation.lti_deployment_id = Some(deployment_id);
        initiation.client_id = Some(client_id);
        let initiate_login_uri = registration.initiate_login_uri().clone();
        Ok(LoginStart {
            url: initiation.to_url(&initiate_login_uri),
            initiate_login_uri,
            initiation,
        })
    }

    /// The JWKS endpoint: the key ring's published keys as a JWK Set (`application/json`, cacheable for five
    /// minutes) [Sec §6.3].
    pub fn jwks(&self) -> http::Response<Bytes> {
        let _span = tracing::debug_span!("lti.jwks").entered();
        match self.inner.key_ring.jwks_json() {
            Ok(json) => response::with_type(
                StatusCode::OK,
                "application/json",
                Bytes::from(json),
                "public, max-age=300",
            ),
            Err(e) => {
                let e = PlatformError::Crypto(e);
                log_error(&e);
                e.into_response()
            }
        }
    }

    /// Signs an already built `message` as an `id_token` for `registration`'s tool: runs the same content
    /// checks as [`start_launch`](Self::start_launch) (checklist E56-E61), then adds `iss`, `aud`, `azp`,
    /// `iat`, `exp` and `nonce`, drops the profile claims the registration does not allow, and signs with the
    /// key ring's active key. For callers that run their own authentication flow; [`authorize`](Self::authorize)
    /// does all of this itself.
    ///
    /// # Errors
    /// [`PlatformError::InvalidLaunch`] / [`PlatformError::LaunchMessage`] when the message breaks a rule,
    /// [`PlatformError::Crypto`] when signing fails.
    pub fn mint_id_token(
        &self,
        message: LtiMessage,
        registration: &ToolRegistration,
        nonce: Nonce,
    ) -> Result<String, PlatformError> {
        let message_type = message
            .message_type
            .clone()
            .ok_or(PlatformError::LaunchMessage(
                lti_core::Error::MessageTypeMissing,
            ))?;
        message::check(&message, &message_type)?;
        message::mint(
            message,
            registration,
            &self.inner.config,
            registration.client_id(),
            nonce,
            self.inner.clock.unix_seconds(),
            &self.inner.key_ring.signing_key(),
        )
    }

    pub(crate) async fn registration(
        &self,
        client_id: &ClientId,
    ) -> Result<ToolRegistration, PlatformError> {
        self.inner
            .tools
            .find(client_id)
            .await?
            .ok_or_else(|| PlatformError::ClientUnknown {
                client_id: client_id.clone(),
            })
    }
}

/// Builds a [`Platform`]; see [`Platform::builder`].
#[derive(Debug)]
#[must_use]
pub struct PlatformBuilder {
    config: PlatformConfig,
    tools: Option<Arc<dyn ToolRegistry>>,
    store: Option<Arc<dyn Store>>,
    key_ring: Option<Arc<KeyRing>>,
    clock: Option<Arc<dyn Clock>>,
    jwks: Option<JwksCache>,
}

impl PlatformBuilder {
    /// The tool registrations (required).
    pub fn tools(mut self, tools: Arc<dyn ToolRegistry>) -> Self {
        self.tools = Some(tools);
        self
    }

    /// The store for started launches (required).
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The signing keys (required).
    pub fn key_ring(mut self, key_ring: Arc<KeyRing>) -> Self {
        self.key_ring = Some(key_ring);
        self
    }

    /// The clock for `iat`/`exp` (default: [`SystemClock`]). The store keeps its own clock for hint expiry.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The cache through which tools' JWKS URLs are fetched (needed by [`Platform::token`] for tools registered
    /// with a JWKS URL; tools with a static key do not need it).
    pub fn jwks_cache(mut self, jwks: JwksCache) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// Checks the settings and builds the platform.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] for a collaborator not given; [`ConfigError::InvalidIssuer`],
    /// [`ConfigError::InvalidTtl`] for bad settings.
    pub fn build(self) -> Result<Platform, ConfigError> {
        self.config.validate()?;
        let store = self.store.ok_or(ConfigError::Missing { what: "store" })?;
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let assertions = crate::token::assertion_verifier(&self.config, &store, &clock);
        let inner = Inner {
            config: self.config,
            tools: self.tools.ok_or(ConfigError::Missing { what: "tools" })?,
            store,
            key_ring: self
                .key_ring
                .ok_or(ConfigError::Missing { what: "key_ring" })?,
            clock,
            jwks: self.jwks,
            assertions,
        };
        Ok(Platform {
            inner: Arc::new(inner),
        })
    }
}

/// A fresh random token (256 bits).
pub(crate) fn token() -> Result<String, PlatformError> {
    random_token(DEFAULT_TOKEN_BYTES).map_err(PlatformError::Crypto)
}

/// Logs an error once, at the level of who must act.
pub(crate) fn log_error(e: &PlatformError) {
    if e.is_internal() {
        tracing::error!(code = e.code(), error = %e, source = ?std::error::Error::source(e), "platform failure");
    } else {
        tracing::debug!(code = e.code(), status = e.status().as_u16(), error = %e, "request rejected");
    }
}
