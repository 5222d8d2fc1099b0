//! The `resource_link` claim [Core §5.3.5].

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use super::Claim;
use crate::ResourceLinkId;
use crate::uri::claim;

/// The resource link launched: `https://purl.imsglobal.org/spec/lti/claim/resource_link` [Core §5.3.5].
///
/// `id` is required by the spec but optional here so that a launch without it is reported as
/// [`Error::ResourceLinkIdMissing`](crate::Error::ResourceLinkIdMissing) by the message rules rather than as a
/// parse failure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceLink {
    /// The link id: ≤ 255 ASCII, unique per deployment, changes when the link is copied [Core §5.3.5].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ResourceLinkId>,
    /// The link's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The link's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ResourceLink {
    /// A resource link with only its `id`.
    pub fn new(id: ResourceLinkId) -> Self {
        Self {
            id: Some(id),
            ..Self::default()
        }
    }
}

impl Claim for ResourceLink {
    const URI: &'static str = claim::RESOURCE_LINK;
}
