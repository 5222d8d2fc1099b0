//! LTI 1.3 tool facade: the OIDC login initiation handler, launch validation and the tool's JWKS endpoint
//! [Sec §5.1.1; Core §4–5; `core.md` §1–2].
//!
//! The facade is wiring only: message parsing and LTI claim rules live in `lti-core`, JWT verification in
//! `lti-security`, single-use records in `lti-storage`. Handlers take `http::Request<Bytes>` and answer
//! `http::Response<Bytes>`, so any server framework can mount them.
//!
//! ```no_run
//! # async fn run(
//! #     registrations: Vec<lti_core::PlatformRegistration>,
//! #     request: http::Request<bytes::Bytes>,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use lti_tool::{StaticRegistry, Tool, ToolConfig};
//!
//! let config = ToolConfig::new("https://tool.example/lti/launch".parse()?);
//! let tool = Tool::builder(config)
//!     .registry(Arc::new(StaticRegistry::new(registrations)))
//!     .store(Arc::new(lti_storage::MemoryStore::new()))
//!     .http_client(Arc::new(lti_http::RouterClient::new()))
//!     .build()?;
//! match tool.launch(request).await {
//!     Ok(launch) => println!("launched {}", launch.target_link_uri()),
//!     Err(error) => { let _page = error.into_response(); }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What it guarantees: a [`Launch`] exists only when every check of `core.md` §2 passed, in order (state bound to
//! the browser, signature with a cached platform JWKS, issuer, audience, expiry, nonce, LTI claims, deployment
//! policy, target origin), and the nonce has been consumed atomically, so a replayed token is refused.
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
mod error;
mod html;
mod launch;
mod registry;
mod state;
mod tool;

pub use config::{
    ConfigError, CookieConfig, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_AGE,
    DEFAULT_STATE_TTL, DeploymentCallback, DeploymentPolicy, StateBinding, ToolConfig,
};
pub use error::{LaunchError, LoginError};
pub use launch::Launch;
pub use registry::{PlatformRegistry, RegistryError, StaticRegistry, StoreRegistry};
pub use tool::{Tool, ToolBuilder};
