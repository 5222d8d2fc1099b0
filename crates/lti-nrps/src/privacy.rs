//! [`Privacy`]: which personal fields a tool may receive.

use lti_core::ToolRegistration;

/// What the calling tool may see of each member: its registration's two privacy flags [NRPS §2.2; Core §5.4].
///
/// Without `include_name` the platform leaves out `name`, `given_name`, `family_name`, `middle_name` and
/// `picture`; without `include_email`, `email`. The `$Person.*` variables of an `rlid` answer follow the same
/// flags. The default shares neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Privacy {
    /// The tool may receive names (and the picture).
    pub include_name: bool,
    /// The tool may receive the email address.
    pub include_email: bool,
}

impl Privacy {
    /// The two flags.
    pub fn new(include_name: bool, include_email: bool) -> Self {
        Self {
            include_name,
            include_email,
        }
    }

    /// Neither names nor email.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The flags of a tool registration.
    pub fn of(registration: &ToolRegistration) -> Self {
        Self::new(registration.include_name(), registration.include_email())
    }
}
