//! The required-claim rules of `LtiDeepLinkingRequest`, plugged into the tool's launch validation.

use lti_core::message::{LtiMessage, MessageRules, MessageType};

use crate::DeepLinkingSettings;
use crate::uri::claim;

/// The rules of `LtiDeepLinkingRequest` [DL §4.4] (checklist I84, J90): the settings claim is present, with
/// `deep_link_return_url` (an absolute `http(s)` URL), `accept_types` and
/// `accept_presentation_document_targets`. No `resource_link` is required (one sent anyway is ignored), and
/// `sub`, `roles` and `target_link_uri` are optional.
///
/// Add it to a tool's launch endpoint with `ToolBuilder::add_message_rules` (lti-tool); the common checks of
/// [`validate_lti_claims`](lti_core::message::validate_lti_claims) (version, deployment) run first.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeepLinkingRequestRules;

impl DeepLinkingRequestRules {
    /// The rules.
    pub fn new() -> Self {
        Self
    }
}

impl MessageRules for DeepLinkingRequestRules {
    fn message_type(&self) -> MessageType {
        MessageType::LtiDeepLinkingRequest
    }

    fn check(&self, message: &LtiMessage) -> Result<(), lti_core::Error> {
        let settings =
            message
                .deep_linking_settings
                .as_ref()
                .ok_or(lti_core::Error::MissingClaim {
                    claim: claim::DEEP_LINKING_SETTINGS,
                })?;
        DeepLinkingSettings::from_claim(settings).map(|_| ())
    }
}
