//! The `message_type` claim values [Core §5.3.1].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::claims::Claim;
use crate::uri::{claim, message_type};

/// The value of `https://purl.imsglobal.org/spec/lti/claim/message_type` [Core §5.3.1]. Unknown values are kept
/// in [`Other`](Self::Other); whether one is accepted is up to the [rules](super::MessageRules) in use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `LtiDeepLinkingRequest` [DL §4.4].
    LtiDeepLinkingRequest,
    /// `LtiDeepLinkingResponse` [DL §4.5].
    LtiDeepLinkingResponse,
    /// `LtiResourceLinkRequest` [Core §5].
    LtiResourceLinkRequest,
    /// `LtiSubmissionReviewRequest` (SR 1.0).
    LtiSubmissionReviewRequest,
    /// Any other value, as sent.
    Other(String),
}

impl MessageType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::LtiDeepLinkingRequest => message_type::DEEP_LINKING_REQUEST,
            Self::LtiDeepLinkingResponse => message_type::DEEP_LINKING_RESPONSE,
            Self::LtiResourceLinkRequest => message_type::RESOURCE_LINK_REQUEST,
            Self::LtiSubmissionReviewRequest => message_type::SUBMISSION_REVIEW_REQUEST,
            Self::Other(other) => other,
        }
    }
}

impl From<&str> for MessageType {
    fn from(value: &str) -> Self {
        match value {
            message_type::DEEP_LINKING_REQUEST => Self::LtiDeepLinkingRequest,
            message_type::DEEP_LINKING_RESPONSE => Self::LtiDeepLinkingResponse,
            message_type::RESOURCE_LINK_REQUEST => Self::LtiResourceLinkRequest,
            message_type::SUBMISSION_REVIEW_REQUEST => Self::LtiSubmissionReviewRequest,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Claim for MessageType {
    const URI: &'static str = claim::MESSAGE_TYPE;
}

impl Serialize for MessageType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MessageType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(Self::from(value.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        for v in [
            "LtiResourceLinkRequest",
            "LtiDeepLinkingRequest",
            "LtiDeepLinkingResponse",
            "LtiSubmissionReviewRequest",
            "LtiStartProctoring",
        ] {
            assert_eq!(MessageType::from(v).as_str(), v);
        }
        assert_eq!(
            MessageType::from("LtiStartProctoring"),
            MessageType::Other("LtiStartProctoring".into())
        );
    }
}
