//! Platform settings and the builder's error.

use std::time::Duration;

use lti_core::Issuer;
use lti_core::claims::ToolPlatform;
use url::Url;

/// The default lifetime of a minted `id_token`: 5 minutes.
pub const DEFAULT_ID_TOKEN_TTL: Duration = Duration::from_secs(300);
/// The default lifetime of an unused `lti_message_hint`: 5 minutes.
pub const DEFAULT_MESSAGE_HINT_TTL: Duration = Duration::from_secs(300);
/// The default lifetime of a service access token: 1 hour, as recommended [Sec §4.1.1].
pub const DEFAULT_ACCESS_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// The longest accepted access-token lifetime: one day.
const MAX_ACCESS_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

/// What the platform says about itself in every launch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PlatformConfig {
    /// The platform's issuer (`iss` of every `id_token`), compared by tools on the exact string.
    pub issuer: Issuer,
    /// The OIDC authorization endpoint URL the tool redirects to (the URL [`Platform::authorize`] is mounted
    /// at); tools are configured with it.
    ///
    /// [`Platform::authorize`]: crate::Platform::authorize
    pub authorization_endpoint: Url,
    /// Lifetime of a minted `id_token` (`exp - iat`). Default [`DEFAULT_ID_TOKEN_TTL`].
    pub id_token_ttl: Duration,
    /// Lifetime of a launch started with [`Platform::start_launch`] and not yet answered. Default
    /// [`DEFAULT_MESSAGE_HINT_TTL`].
    ///
    /// [`Platform::start_launch`]: crate::Platform::start_launch
    pub message_hint_ttl: Duration,
    /// The `tool_platform` claim put in every launch [Core §5.4.2], if any.
    pub tool_platform: Option<ToolPlatform>,
    /// The OAuth 2.0 token endpoint URL (the URL [`Platform::token`] is mounted at). Tools put it in the `aud`
    /// of their client assertions [Sec §4.1.1]; without it the token endpoint answers `server_error`.
    ///
    /// [`Platform::token`]: crate::Platform::token
    pub token_endpoint: Option<Url>,
    /// Further identifiers accepted in a client assertion's `aud` besides the token endpoint URL (e.g. the
    /// `authorization_server` announced in Dynamic Registration).
    pub authorization_server_ids: Vec<String>,
    /// Lifetime of an issued service access token (`expires_in`). Default [`DEFAULT_ACCESS_TOKEN_TTL`].
    pub access_token_ttl: Duration,
}

impl PlatformConfig {
    /// Settings with the default lifetimes and no `tool_platform` claim.
    pub fn new(issuer: Issuer, authorization_endpoint: Url) -> Self {
        Self {
            issuer,
            authorization_endpoint,
            id_token_ttl: DEFAULT_ID_TOKEN_TTL,
            message_hint_ttl: DEFAULT_MESSAGE_HINT_TTL,
            tool_platform: None,
            token_endpoint: None,
            authorization_server_ids: Vec::new(),
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
        }
    }

    /// Sets the token endpoint URL (enables [`Platform::token`](crate::Platform::token)).
    #[must_use]
    pub fn with_token_endpoint(mut self, token_endpoint: Url) -> Self {
        self.token_endpoint = Some(token_endpoint);
        self
    }

    /// Also accepts `id` as a client assertion's `aud`.
    #[must_use]
    pub fn with_authorization_server_id(mut self, id: impl Into<String>) -> Self {
        self.authorization_server_ids.push(id.into());
        self
    }

    /// Sets the lifetime of issued access tokens (1 second to 1 day).
    #[must_use]
    pub fn with_access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// Sets the `tool_platform` claim.
    #[must_use]
    pub fn with_tool_platform(mut self, tool_platform: ToolPlatform) -> Self {
        self.tool_platform = Some(tool_platform);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let issuer = self.issuer.as_str();
        if issuer.is_empty() || issuer.trim() != issuer || Url::parse(issuer).is_err() {
            return Err(ConfigError::InvalidIssuer);
        }
        for (field, ttl) in [
            ("id_token_ttl", self.id_token_ttl),
            ("message_hint_ttl", self.message_hint_ttl),
        ] {
            if ttl.is_zero() || ttl > MAX_TTL {
                return Err(ConfigError::InvalidTtl { field });
            }
        }
        if self.access_token_ttl.is_zero() || self.access_token_ttl > MAX_ACCESS_TOKEN_TTL {
            return Err(ConfigError::InvalidTtl {
                field: "access_token_ttl",
            });
        }
        if self
            .authorization_server_ids
            .iter()
            .any(|id| id.is_empty() || id.trim() != id)
        {
            return Err(ConfigError::InvalidAuthorizationServerId);
        }
        Ok(())
    }
}

/// The longest accepted lifetime for tokens and hints: one hour.
const MAX_TTL: Duration = Duration::from_secs(3600);

/// A [`PlatformBuilder`](crate::PlatformBuilder) could not build a platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The issuer is not a URL (or has surrounding whitespace).
    #[error("issuer: expected an absolute URL without surrounding whitespace")]
    InvalidIssuer,
    /// An authorization-server id is empty or has surrounding whitespace.
    #[error(
        "authorization_server_ids: expected non-empty identifiers without surrounding whitespace"
    )]
    InvalidAuthorizationServerId,
    /// A lifetime is zero or too long (an hour for `id_token`s and hints, a day for access tokens).
    #[error(
        "{field}: expected a duration between 1 second and 1 hour (1 day for access_token_ttl)"
    )]
    InvalidTtl {
        /// The setting at fault.
        field: &'static str,
    },
    /// A required collaborator was not given.
    #[error("builder: `{what}` was not set")]
    Missing {
        /// The builder method to call.
        what: &'static str,
    },
}
