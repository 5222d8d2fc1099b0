//! LTI 1.3 platform facade: the platform side of the OIDC launch [Sec §5.1.1; Core §4-§5].
//!
//! - [`Platform::start_launch`] turns typed launch inputs ([`LaunchRequest`]) into the login initiation
//!   ([`LoginStart`]: a GET URL or an auto-submitting form) with a single-use, short-lived `lti_message_hint`.
//! - [`Platform::authorize`] is the OIDC authorization endpoint: it checks the tool's authentication request
//!   and answers with an auto-submitting form post of the signed `id_token`, or an OIDC error.
//! - [`Platform::jwks`] publishes the platform's keys.
//!
//! Handlers speak plain `http::Request<Bytes>` / `http::Response<Bytes>` so any server framework can mount them.
//! Protocol rules live in `lti-core` and `lti-security`; this crate wires them to a [`ToolRegistry`], a
//! [`Store`](lti_storage::Store) and a [`KeyRing`](lti_security::KeyRing).
//!
//! What it does not do: user sessions (the caller passes the signed-in user to [`Platform::authorize`]),
//! custom-variable substitution, deep linking and services (their own crates).
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
mod error;
mod launch;
mod message;
mod platform;
mod registry;
mod response;

pub use authorize::MAX_AUTH_REQUEST_BYTES;
pub use config::{ConfigError, DEFAULT_ID_TOKEN_TTL, DEFAULT_MESSAGE_HINT_TTL, PlatformConfig};
pub use error::PlatformError;
pub use launch::{LaunchRequest, LaunchUser, LoginStart};
pub use platform::{Platform, PlatformBuilder};
pub use registry::{StaticToolRegistry, ToolRegistry};
