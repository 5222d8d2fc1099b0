//! The `for_user` claim (SR `#for-user-claim`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Claim;
use crate::UserId;
use crate::uri::claim;

/// The user whose work a submission review launch is about: `https://purl.imsglobal.org/spec/lti/claim/for_user`
/// (SR `#for-user-claim`; `ags.md` §12.2). The launching user (`sub`) may differ.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForUser {
    /// The submitter's LTI user id. Required by the spec; optional here so the submission review rules can
    /// report it missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The submitter's LIS sourcedid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_sourcedid: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The submitter's roles (role URIs as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ForUser {
    /// A `for_user` claim with only the submitter's id.
    pub fn new(user_id: UserId) -> Self {
        Self {
            user_id: Some(user_id),
            ..Self::default()
        }
    }
}

impl Claim for ForUser {
    const URI: &'static str = claim::FOR_USER;
}
