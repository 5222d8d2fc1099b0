//! The reference tool: an axum server built only from the lti-rs crates (`lti-tool`, `lti-deep-linking`,
//! `lti-security`, `lti-storage`, `lti-core`), for newcomers to develop against and for other implementations
//! to test with.
//!
//! Run with `cargo run -p lti-examples --bin reference-tool -- serve --listen 127.0.0.1:8100 --data target/rt
//! --base-url http://localhost:8100`.
//!
//! - [`ToolServer`] owns the state: a sled store under the data directory, the tool's key ring (private keys
//!   AES-256-GCM encrypted under a key file created in the data directory with mode 0600), the registered
//!   platforms ([`lti_tool::StoreRegistry`]) and the [`lti_tool::Tool`] facade.
//! - [`app`] is the router: OIDC login, launch (a diagnostics page with the verified claims and the services the
//!   launch offers, and the same facts as JSON in `<script type="application/json" id="lti-launch-report">`),
//!   deep linking (a picker, or an immediate answer with `--auto-deep-link`), the JWKS, the tool's Dynamic
//!   Registration JSON and a small JSON API (`/api/platforms`, `/api/launches/{id}` and its services).
//! - AGS by activity (the `activity` custom parameter deep linking puts on the link): `quiz-1` is machine-graded
//!   into its `grade` line item plus a `participation` line item of the same link; a learner's `essay` is posted
//!   `Submitted` / `PendingManual` and kept (registration key, deployment, line item URL, claim; no token) until
//!   an instructor grades it on `/launches/{id}/grading`; an instructor's launch page sets the due date of the
//!   link's line item (`/launches/{id}/due`), and each launch report's `line_item` step shows `due`.

/// `docs/tool-guide.md`: adding LTI 1.3 to your own axum tool (its code blocks are compiled as doc tests).
#[doc = include_str!("../../docs/tool-guide.md")]
pub mod guide {}

mod activities;
mod config;
mod deep_link;
mod error;
mod essays;
mod keys;
mod launches;
mod pages;
mod platforms;
mod registration;
mod report;
mod routes;
mod server;
mod services;

pub use activities::{ACTIVITIES, Activity, GRADE_TAG, Grading, PARTICIPATION_TAG};
pub use config::ToolServerConfig;
pub use error::ToolServerError;
pub use keys::{KEY_FILE, load_or_create_key};
pub use pages::PENDING_ESSAYS_ID;
pub use platforms::PlatformSpec;
pub use registration::tool_registration;
pub use report::{
    ErrorReport, LAUNCH_REPORT_ID, LaunchReport, RoleReport, ServiceReport, StepReport, StepStatus,
};
pub use routes::app;
pub use server::ToolServer;
