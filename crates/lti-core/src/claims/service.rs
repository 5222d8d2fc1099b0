//! Service claims carried by launches, kept as JSON for their service crates to refine [Core §6.1].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Claim;
use crate::uri::claim;

macro_rules! service_claim {
    ($(#[$meta:meta])* $name:ident => $uri:path) => {
        $(#[$meta])*
        ///
        /// Opaque here: the JSON value as sent. The service crate parses it with [`parse`](Self::parse).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Value);

        impl $name {
            /// Wraps a JSON value.
            pub fn new(value: Value) -> Self {
                Self(value)
            }

            /// The JSON value.
            pub fn as_value(&self) -> &Value {
                &self.0
            }

            /// The JSON value, by value.
            pub fn into_value(self) -> Value {
                self.0
            }

            /// Parses the value as the service crate's type `T`.
            ///
            /// # Errors
            /// [`Error::InvalidClaim`](crate::Error::InvalidClaim) naming this claim, with serde's message.
            pub fn parse<T: DeserializeOwned>(&self) -> Result<T, crate::Error> {
                T::deserialize(&self.0).map_err(|e| crate::Error::InvalidClaim {
                    claim: $uri,
                    expected: stringify!($name),
                    found: crate::error::clip(&e.to_string()),
                })
            }
        }

        impl Claim for $name {
            const URI: &'static str = $uri;
        }
    };
}

service_claim!(
    /// Assignment and Grade Services endpoints: `https://purl.imsglobal.org/spec/lti-ags/claim/endpoint`
    /// [AGS §3.1].
    AgsEndpoint => claim::AGS_ENDPOINT
);
service_claim!(
    /// Names and Role Provisioning Services: `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice`
    /// [NRPS §3.6.1.1].
    NamesRoleService => claim::NRPS
);
service_claim!(
    /// Deep Linking settings: `https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings` [DL §4.4.1].
    DeepLinkingSettings => claim::DEEP_LINKING_SETTINGS
);
service_claim!(
    /// Basic Outcomes 1.1 in LTI 1.3: `https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome`
    /// (`lis_result_sourcedid`, `lis_outcome_service_url`) [BO "Integration with LTI 1.3"].
    BasicOutcome => claim::BASIC_OUTCOME
);
