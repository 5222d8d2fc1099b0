//! The `tool_platform` claim [Core §5.4.2].

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use super::Claim;
use crate::PlatformGuid;
use crate::uri::claim;

/// The platform instance that sent the launch: `https://purl.imsglobal.org/spec/lti/claim/tool_platform`
/// [Core §5.4.2].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolPlatform {
    /// Stable instance id (≤ 255 chars, UUID recommended). Required within the claim by the spec, optional here
    /// to tolerate platforms that omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<PlatformGuid>,
    /// Administrative contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// Instance description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Instance name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Instance home page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Product family code (e.g. `canvas`, `moodle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_family_code: Option<String>,
    /// Product version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ToolPlatform {
    /// A tool platform claim with only its `guid`.
    pub fn new(guid: PlatformGuid) -> Self {
        Self {
            guid: Some(guid),
            ..Self::default()
        }
    }
}

impl Claim for ToolPlatform {
    const URI: &'static str = claim::TOOL_PLATFORM;
}
