//! The LTI 1.3 message model: claim URIs defined once, typed claims, roles, message types and their required-claim
//! rules, OIDC third-party login types (both directions), registrations (tool side and platform side, and the
//! Dynamic Registration JSON), the rules a sender must meet ([`message::check_outbound`]) and custom-variable
//! substitution ([`variables`]).
//!
//! No HTTP client and no handlers: the tool and platform facades (`lti-tool`, `lti-platform`) put these types to
//! work. The one piece with I/O is [`service_access`], the gate every platform-side Advantage service (AGS, NRPS)
//! shares: bearer tokens through a [`service_access::ServiceAuthorizer`], scoped service URLs, and context adoption
//! kept in an `lti_storage::Store`.
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

pub mod claims;
pub mod context_type;
mod error;
pub mod html;
mod ids;
pub mod login;
pub mod message;
pub mod registration;
pub mod role;
pub mod service_access;
pub mod uri;
pub mod variables;

pub use context_type::ContextType;
pub use error::{Error, ErrorCode};
pub use ids::{
    ClientId, ContextId, DeploymentId, Issuer, LoginHint, LtiMessageHint, MAX_ID_LEN, Nonce,
    PlatformGuid, ResourceLinkId, State, TargetLinkUri, UserId,
};
pub use registration::{
    PlatformKey, PlatformRegistration, RegistrationError, RegistrationWarning, ToolKeys,
    ToolRegistration,
};
pub use role::{Role, RoleKind, Roles};
