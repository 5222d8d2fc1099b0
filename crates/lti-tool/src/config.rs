//! The tool's settings: where launches land, which origins a launch may target, state and cookie settings, token
//! time limits and the deployment policy.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lti_core::{DeploymentId, PlatformRegistration};
use url::Url;

/// The default lifetime of a login's `state` record and cookie.
pub const DEFAULT_STATE_TTL: Duration = Duration::from_secs(600);
/// The default clock-skew leeway for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The default maximum age of an `id_token` (`now - iat`).
pub const DEFAULT_MAX_TOKEN_AGE: Duration = Duration::from_secs(600);
/// The default state cookie name.
pub const DEFAULT_COOKIE_NAME: &str = "lti_state";

/// The tool facade's configuration [`core.md` §1–2].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ToolConfig {
    /// Where the platform posts the `id_token` (the tool's launch URL), sent as `redirect_uri` in the
    /// authentication request; it must be registered at the platform.
    pub redirect_uri: Url,
    /// The origins a `target_link_uri` may point to, in the login and in the signed claim (checklist A4).
    /// Empty means the origin of [`redirect_uri`](Self::redirect_uri).
    pub allowed_target_origins: Vec<Url>,
    /// How long a login's `state` (and its nonce) stays valid; also the cookie's `Max-Age`.
    pub state_ttl: Duration,
    /// Clock-skew leeway for `exp`, `nbf` and `iat` (capped by lti-security at a few minutes).
    pub leeway: Duration,
    /// The largest accepted token age (`now - iat`) [Sec §5.1.3 #8].
    pub max_token_age: Duration,
    /// The state cookie's name and attributes.
    pub cookie: CookieConfig,
    /// How `state` is bound to the browser (checklist A9).
    pub state_binding: StateBinding,
    /// Which `deployment_id`s are accepted (checklist B30).
    pub deployment_policy: DeploymentPolicy,
    /// Whether a used nonce is made durable before the launch is accepted.
    pub nonce_durability: NonceDurability,
}

impl ToolConfig {
    /// The defaults: targets on `redirect_uri`'s origin, 10 min state, 60 s leeway, 10 min token age, cookie
    /// `lti_state`, only known deployments.
    pub fn new(redirect_uri: Url) -> Self {
        Self {
            redirect_uri,
            allowed_target_origins: Vec::new(),
            state_ttl: DEFAULT_STATE_TTL,
            leeway: DEFAULT_LEEWAY,
            max_token_age: DEFAULT_MAX_TOKEN_AGE,
            cookie: CookieConfig::default(),
            state_binding: StateBinding::Cookie,
            deployment_policy: DeploymentPolicy::KnownOnly,
            nonce_durability: NonceDurability::Flush,
        }
    }

    /// Adds an origin `target_link_uri` may point to (only its scheme, host and port count).
    #[must_use]
    pub fn allow_target_origin(mut self, origin: Url) -> Self {
        self.allowed_target_origins.push(origin);
        self
    }

    /// Sets the deployment policy.
    #[must_use]
    pub fn with_deployment_policy(mut self, policy: DeploymentPolicy) -> Self {
        self.deployment_policy = policy;
        self
    }

    /// Sets the nonce durability (default [`NonceDurability::Flush`]).
    #[must_use]
    pub fn with_nonce_durability(mut self, durability: NonceDurability) -> Self {
        self.nonce_durability = durability;
        self
    }

    /// Sets the clock-skew leeway.
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the state lifetime.
    #[must_use]
    pub fn with_state_ttl(mut self, ttl: Duration) -> Self {
        self.state_ttl = ttl;
        self
    }

    /// Sets the cookie settings.
    #[must_use]
    pub fn with_cookie(mut self, cookie: CookieConfig) -> Self {
        self.cookie = cookie;
        self
    }

    /// The allowed target origins as ASCII serialisations (`https://tool.example`).
    pub(crate) fn target_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .allowed_target_origins
            .iter()
            .map(|u| u.origin().ascii_serialization())
            .collect();
        if origins.is_empty() {
            origins.push(self.redirect_uri.origin().ascii_serialization());
        }
        origins
    }
}

/// The state cookie: `<name>=<state>; Path=/; Secure; HttpOnly; SameSite=None[; Partitioned]; Max-Age=<ttl>`,
/// the attributes a cross-site iframe launch needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieConfig {
    /// The cookie name (default `lti_state`).
    pub name: String,
    /// Whether to add `Partitioned` (CHIPS), for browsers that block third-party cookies.
    pub partitioned: bool,
}

impl CookieConfig {
    /// A cookie named `name`, not partitioned.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            partitioned: false,
        }
    }

    /// Sets `Partitioned`.
    #[must_use]
    pub fn partitioned(mut self, partitioned: bool) -> Self {
        self.partitioned = partitioned;
        self
    }

    /// The `Set-Cookie` value carrying `state`.
    pub(crate) fn set_cookie(&self, state: &str, ttl: Duration) -> String {
        let mut value = format!(
            "{}={}; Path=/; Secure; HttpOnly; SameSite=None; Max-Age={}",
            self.name,
            state,
            ttl.as_secs()
        );
        if self.partitioned {
            value.push_str("; Partitioned");
        }
        value
    }
}

impl Default for CookieConfig {
    fn default() -> Self {
        Self::new(DEFAULT_COOKIE_NAME)
    }
}

/// How a login's `state` is bound to the browser so the launch can check it (checklist A9, B10).
///
/// Only the cookie exists today; a cookie-less mode (platform storage through `postMessage`) will be added as a
/// variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StateBinding {
    /// A cookie set by the login response ([`ToolConfig::cookie`]) and compared with the posted `state`.
    #[default]
    Cookie,
}

/// When the record of a used nonce must be on disk (checklist B23, replay) [Sec §5.1.3 #9].
///
/// A launch consumes its nonce with an atomic insert-if-absent, so a replay is refused while the process runs
/// either way. The choice only matters after a crash: a nonce recorded but not yet flushed is forgotten, and the
/// same `id_token` could be accepted once more until it expires (`exp` + leeway). Such a replay still needs the
/// victim's `state` value and state cookie, since the state record is single-use in the same store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NonceDurability {
    /// Flush the store before the launch is accepted (the default; what `design.md` asks of used nonces).
    /// On `SledStore` concurrent launches share one flush (group commit), but one launch at a time pays a
    /// whole `fsync`.
    #[default]
    Flush,
    /// Accept as soon as the nonce is recorded; the store makes it durable in the background (`SledStore`:
    /// within its flush interval, 500 ms by default). Takes the `fsync` off the launch path, at the price of the
    /// replay window after a crash described on the type. With a store that replicates synchronously (a
    /// database with its own durability), this is the natural choice.
    Background,
}

/// A deployment check callback: `(registration, deployment_id) -> accepted`.
pub type DeploymentCallback = dyn Fn(&PlatformRegistration, &DeploymentId) -> bool + Send + Sync;

/// Which `deployment_id`s a launch may carry (checklist B30) [Core §3.1.3].
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum DeploymentPolicy {
    /// Only deployments listed in the registration (the default).
    #[default]
    KnownOnly,
    /// Any deployment of a known registration (auto-provisioning).
    AcceptAny,
    /// The callback decides.
    Callback(Arc<DeploymentCallback>),
}

impl DeploymentPolicy {
    /// Whether `deployment` is accepted for `registration`.
    pub fn accepts(&self, registration: &PlatformRegistration, deployment: &DeploymentId) -> bool {
        match self {
            Self::KnownOnly => registration.accepts_deployment(deployment),
            Self::AcceptAny => true,
            Self::Callback(callback) => callback(registration, deployment),
        }
    }
}

impl fmt::Debug for DeploymentPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KnownOnly => f.write_str("KnownOnly"),
            Self::AcceptAny => f.write_str("AcceptAny"),
            Self::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

/// The tool could not be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required collaborator was not given to the builder.
    #[error("tool builder: `{what}` is required")]
    Missing {
        /// The builder method to call.
        what: &'static str,
    },
    /// The redirect URI is not HTTPS (loopback HTTP is allowed for development).
    #[error("`redirect_uri` must be https (found `{found}`)")]
    InsecureRedirectUri {
        /// The configured URI.
        found: String,
    },
    /// The cookie name is not a valid cookie token.
    #[error("cookie name `{found}` is not a valid cookie name")]
    InvalidCookieName {
        /// The configured name.
        found: String,
    },
    /// The state lifetime is zero.
    #[error("`state_ttl` must be at least one second")]
    StateTtl,
}
