//! The `role_scope_mentor` claim [Core §5.4.3].

use serde::{Deserialize, Serialize};

use super::Claim;
use crate::UserId;
use crate::uri::claim;

/// The users the launching user mentors: `https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor`
/// [Core §5.4.3].
///
/// The platform may send it only when `roles` contains the membership `Mentor` role. A tool accepts it either way
/// (it is the platform's obligation); [`LtiMessage::mentored_users`](crate::message::LtiMessage::mentored_users)
/// returns it only when the Mentor role is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleScopeMentor(pub Vec<UserId>);

impl RoleScopeMentor {
    /// The claim for `users`.
    pub fn new(users: Vec<UserId>) -> Self {
        Self(users)
    }

    /// The mentored users' ids.
    pub fn users(&self) -> &[UserId] {
        &self.0
    }
}

impl Claim for RoleScopeMentor {
    const URI: &'static str = claim::ROLE_SCOPE_MENTOR;
}
