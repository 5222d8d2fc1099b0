//! Identifier newtypes: one type per kind of id, so a `DeploymentId` can never be passed where a `ContextId`
//! is expected. All compare on the exact original string: LTI ids are case-sensitive and never normalised (a
//! trailing slash makes another issuer).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// The longest value the LTI spec allows for `sub`, `deployment_id`, `resource_link.id`, `context.id` and
/// `tool_platform.guid` [Core §5.3.3, §5.3.5, §5.3.6, §5.4.1, §5.4.2].
pub const MAX_ID_LEN: usize = 255;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps `value` as is (no trimming, no case folding).
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id, by value.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self)
            }
        }
    };
}

id_type!(
    /// A platform's issuer identifier (`iss`): an HTTPS URL, compared byte for byte [Sec §5.1.2].
    Issuer
);
id_type!(
    /// A tool's OAuth 2 client id at one issuer.
    ClientId
);
id_type!(
    /// One installation of a tool in a platform (`…/claim/deployment_id`), ≤ 255 ASCII [Core §5.3.3].
    DeploymentId
);
id_type!(
    /// A user's stable id at a platform (`sub`), ≤ 255 ASCII [Core §5.3.6].
    UserId
);
id_type!(
    /// A context (course, section, group) id (`…/claim/context` `id`) [Core §5.4.1].
    ContextId
);
id_type!(
    /// A resource link id (`…/claim/resource_link` `id`) [Core §5.3.5].
    ResourceLinkId
);
id_type!(
    /// The URL the tool is to show at the end of a launch (`target_link_uri`) [Core §5.3.4].
    TargetLinkUri
);
id_type!(
    /// The opaque `login_hint` a platform sends in the login initiation; forwarded byte for byte.
    LoginHint
);
id_type!(
    /// The opaque `lti_message_hint` a platform may send in the login initiation; forwarded unaltered.
    LtiMessageHint
);
id_type!(
    /// The OIDC `nonce` a tool puts in its authentication request and the platform echoes in the id_token.
    Nonce
);
id_type!(
    /// The OIDC `state` a tool puts in its authentication request and gets back with the id_token.
    State
);
id_type!(
    /// A platform instance's `tool_platform.guid` [Core §5.4.2].
    PlatformGuid
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_exactly_and_serialize_as_strings() {
        let a = Issuer::new("https://lms.example");
        assert_ne!(a, Issuer::new("https://lms.example/"));
        assert_ne!(a, Issuer::new("https://LMS.example"));
        assert_eq!(a, "https://lms.example");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            "\"https://lms.example\""
        );
        let back: Issuer = serde_json::from_str("\"https://lms.example\"").unwrap();
        assert_eq!(back, a);
        assert!(serde_json::from_str::<DeploymentId>("7").is_err());
        assert_eq!(
            format!("{:?}", DeploymentId::new("d1")),
            "DeploymentId(\"d1\")"
        );
    }
}
