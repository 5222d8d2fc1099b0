//! Platform settings and the builder's error.

use std::time::Duration;

use lti_core::Issuer;
use lti_core::claims::ToolPlatform;
use url::Url;

/// The default lifetime of a minted `id_token`: 5 minutes.
pub const DEFAULT_ID_TOKEN_TTL: Duration = Duration::from_secs(300);
/// The default lifetime of an unused `lti_message_hint`: 5 minutes.
pub const DEFAULT_MESSAGE_HINT_TTL: Duration = Duration::from_secs(300);

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
        }
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
    /// A lifetime is zero or longer than an hour.
    #[error("{field}: expected a duration between 1 second and 1 hour")]
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
