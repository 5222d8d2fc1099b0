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

mod authorize;
mod config;
mod deep_linking;
mod error;
mod launch;
mod message;
mod platform;
mod registry;
mod response;
mod token;

pub use authorize::MAX_AUTH_REQUEST_BYTES;
pub use config::{
    ConfigError, DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_ID_TOKEN_TTL, DEFAULT_MESSAGE_HINT_TTL,
    PlatformConfig,
};
pub use deep_linking::{DeepLinking, launch_request_for};
pub use error::PlatformError;
pub use launch::{LaunchRequest, LaunchUser, LoginStart};
pub use platform::{Platform, PlatformBuilder};
pub use registry::{StaticToolRegistry, ToolRegistry};
pub use token::{
    MAX_TOKEN_REQUEST_BYTES, MAX_TOKEN_REQUEST_PARAMS, ServiceAuthError, ServiceGrant, TokenError,
};
