//! The AGS endpoint claim, refined from the core's opaque [`AgsEndpoint`] [AGS §3.1].

use lti_core::claims::AgsEndpoint;
use lti_core::message::LtiMessage;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{LineItemId, blank};

/// `https://purl.imsglobal.org/spec/lti-ags/claim/endpoint`: the scopes offered and the service URLs of the
/// launch's context [AGS §3.1].
///
/// A tool keeps these values (from the latest launch) with the registration, so it can post grades long
/// after the launch. Blank `lineitems`/`lineitem` read as absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgsEndpointClaim {
    /// The scopes the tool may request in this context.
    #[serde(default)]
    pub scope: Vec<String>,
    /// The line item container URL of the context.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub lineitems: Option<String>,
    /// The one line item bound to the launched resource link, if exactly one is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub lineitem: Option<LineItemId>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl AgsEndpointClaim {
    /// A claim offering `scope`; set `lineitems` and `lineitem` as needed.
    pub fn new(scope: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            scope: scope.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Refines the core's opaque claim.
    ///
    /// # Errors
    /// [`lti_core::Error::InvalidClaim`] naming the claim when its JSON does not have this shape.
    pub fn from_claim(claim: &AgsEndpoint) -> Result<Self, lti_core::Error> {
        claim.parse()
    }

    /// The claim of a (verified) launch, if it has one.
    ///
    /// # Errors
    /// As [`from_claim`](Self::from_claim).
    pub fn from_message(message: &LtiMessage) -> Result<Option<Self>, lti_core::Error> {
        message
            .ags_endpoint
            .as_ref()
            .map(Self::from_claim)
            .transpose()
    }

    /// The opaque core claim, for a platform building a launch.
    pub fn to_claim(&self) -> AgsEndpoint {
        AgsEndpoint::new(serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// Whether the platform offers `scope`.
    pub fn offers(&self, scope: &str) -> bool {
        self.scope.iter().any(|s| s == scope)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scope;

    #[test]
    fn spec_examples_parse() {
        let claim = AgsEndpoint::new(json!({
            "scope": [scope::LINE_ITEM, scope::RESULT_READONLY, scope::SCORE],
            "lineitems": "https://www.myuniv.example.com/2344/lineitems/",
            "lineitem": "https://www.myuniv.example.com/2344/lineitems/1234/lineitem"
        }));
        let parsed = AgsEndpointClaim::from_claim(&claim).unwrap();
        assert!(parsed.offers(scope::SCORE));
        assert!(!parsed.offers(scope::LINE_ITEM_READONLY));
        assert_eq!(
            parsed.lineitem.as_ref().unwrap().as_str(),
            "https://www.myuniv.example.com/2344/lineitems/1234/lineitem"
        );
        assert_eq!(parsed.to_claim(), claim);
        let blank = AgsEndpoint::new(json!({"scope": [scope::SCORE], "lineitem": ""}));
        assert_eq!(AgsEndpointClaim::from_claim(&blank).unwrap().lineitem, None);
        let bad = AgsEndpoint::new(json!({"scope": "not-an-array"}));
        assert!(AgsEndpointClaim::from_claim(&bad).is_err());
    }
}
