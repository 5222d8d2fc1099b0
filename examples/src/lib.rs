//! Runnable lti-rs programs.
//!
//! - `lti-demo` (`cargo xtask demo`, [`demo`]): both reference servers on loopback, registered with each other, and
//!   the implementation guide's use cases played over real HTTP.
//! - `foundation-demo`: what the foundation crates do today, for real — a key ring in a
//!   sled store signs a launch-shaped id_token, a tool verifies it against the platform's JWKS fetched through
//!   the HTTP layer, hostile variants are refused, keys rotate.
//! - `reference-platform` ([`platform`]): an LMS-shaped platform server (axum, sled) to develop tools against.
//! - [`browser`]: a minimal headless browser (cookies, redirects, auto-submitting forms) that drives launches
//!   across the reference servers over real sockets.
//! - `reference-tool`: the reference LTI tool (axum, sled), see [`tool`].
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod browser;
pub mod demo;
pub mod platform;
pub mod tool;

/// The platform guide (`docs/platform-guide.md`), compiled here so that its code stays true.
#[doc = include_str!("../../docs/platform-guide.md")]
pub mod platform_guide {}
