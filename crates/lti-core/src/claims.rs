//! One typed struct per LTI claim [Core §5.3, §5.4; Migr; SR], each naming its claim URI through [`Claim`].
//!
//! Wire types follow the house rule: pub fields named as in the spec, `Option` for optional members, and an
//! `extra` map that keeps members this crate does not know (receivers must ignore, not reject, them
//! [Core §4.3]). Service claims (AGS, NRPS, Deep Linking settings, Basic Outcome) are kept as JSON here and
//! refined by their service crates.

mod context;
mod custom;
mod for_user;
mod launch_presentation;
mod lis;
mod lti1p1;
mod resource_link;
mod role_scope_mentor;
mod service;
mod tool_platform;

pub use context::Context;
pub use custom::Custom;
pub use for_user::ForUser;
pub use launch_presentation::{DocumentTarget, LaunchPresentation};
pub use lis::Lis;
pub use lti1p1::Lti1p1;
pub use resource_link::ResourceLink;
pub use role_scope_mentor::RoleScopeMentor;
pub use service::{AgsEndpoint, BasicOutcome, DeepLinkingSettings, NamesRoleService};
pub use tool_platform::ToolPlatform;

/// A claim of the LTI message: a type that is the value of one `id_token` claim.
pub trait Claim {
    /// The claim name (its key in the `id_token` payload), one of the [`crate::uri::claim`] constants.
    const URI: &'static str;
}
