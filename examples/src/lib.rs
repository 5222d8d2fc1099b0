//! Runnable lti-rs programs.
//!
//! - `foundation-demo` (`cargo xtask demo`): what the foundation crates do today, for real — a key ring in a
//!   sled store signs a launch-shaped id_token, a tool verifies it against the platform's JWKS fetched through
//!   the HTTP layer, hostile variants are refused, keys rotate.
//! - `reference-tool`: the reference LTI tool (axum, sled), see [`tool`].
pub mod tool;
