#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod config;
mod deep_linking;
mod error;
mod html;
mod launch;
mod registry;
mod services;
mod state;
mod tool;

pub use config::{
    ConfigError, CookieConfig, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_AGE,
    DEFAULT_STATE_TTL, DeploymentCallback, DeploymentPolicy, NonceDurability, StateBinding,
    ToolConfig,
};
pub use deep_linking::{deep_linking_request, deep_linking_response_page};
pub use error::{LaunchError, LoginError};
pub use launch::Launch;
/// The Assignment and Grade Services crate, re-exported for [`Tool::ags_client`].
pub use lti_ags;
/// The Names and Role Provisioning Services crate, re-exported for [`Tool::nrps_client`].
pub use lti_nrps;
pub use registry::{PlatformRegistry, RegistryError, StaticRegistry, StoreRegistry};
pub use services::{
    AccessToken, Scopes, ServiceSetupError, TokenEndpoint, TokenError, TokenSource,
    TokenSourceConfig, service_token_endpoint,
};
pub use tool::{Tool, ToolBuilder};
