//! The `lis` claim [Core §5.4.5, App. D].

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use super::Claim;
use crate::uri::claim;

/// LIS identifiers of the user, course and result: `https://purl.imsglobal.org/spec/lti/claim/lis`
/// [Core §5.4.5, App. D].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lis {
    /// The user's LIS sourcedid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_sourcedid: Option<String>,
    /// The course offering's LIS sourcedid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_offering_sourcedid: Option<String>,
    /// The course section's LIS sourcedid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_section_sourcedid: Option<String>,
    /// Basic Outcomes service URL (LTI 1.1 outcomes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_service_url: Option<String>,
    /// Basic Outcomes result sourcedid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_sourcedid: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Lis {
    /// An empty `lis` claim (fill the fields you have).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Claim for Lis {
    const URI: &'static str = claim::LIS;
}
