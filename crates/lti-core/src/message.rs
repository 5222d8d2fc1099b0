//! The LTI message: the whole `id_token` payload typed [Core §5; Sec §5.1.2], the message types, and the
//! pluggable required-claim rules per message type.
//!
//! Every claim is an `Option` so that a missing one is reported by [`validate_lti_claims`] with its own
//! [`Error`] variant (the certification suite checks each), not as a parse failure. Claims this crate does not
//! model are kept in [`LtiMessage::extra`] and are never an error [Core §4.3].

use std::fmt;

use lti_security::{Audience, ClaimsRef, JwtClaims, NumericDate};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::claims::{
    AgsEndpoint, BasicOutcome, Context, Custom, DeepLinkingSettings, ForUser, LaunchPresentation,
    Lis, Lti1p1, NamesRoleService, ResourceLink, RoleScopeMentor, ToolPlatform,
};
use crate::error::{Error, clip};
use crate::role::Roles;
use crate::uri::{LTI_VERSION, claim};
use crate::{ClientId, DeploymentId, Issuer, Nonce, TargetLinkUri, UserId};

mod message_type;
mod outbound;
mod rules;

pub use message_type::MessageType;
pub use outbound::check_outbound;
pub use rules::{
    MessageRules, ResourceLinkRules, require_roles, require_target_link_uri, validate_lti_claims,
};

/// Defines [`LtiMessage`] and its (de)serialization from one field list, so each claim name is written once
/// (as a [`crate::uri::claim`] constant for LTI claims).
macro_rules! lti_message {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty = $key:expr; )*) => {
        /// An LTI message (`id_token` payload) [Core §5; Sec §5.1.2], every claim optional so that rules can
        /// name what is missing.
        ///
        /// Parse a verified token's payload with `verified.claims::<LtiMessage>()` (lti-security) or
        /// [`LtiMessage::from_json`], then check it with [`validate_lti_claims`]. A claim with the wrong JSON type
        /// fails the parse with a message naming the claim; a claim given twice is rejected; `null` reads as
        /// absent; unknown claims go to [`extra`](Self::extra).
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct LtiMessage {
            $( $(#[$doc])* pub $field: Option<$ty>, )*
            /// Claims not modelled here (vendor claims, other services' claims), kept as sent [Core §4.3].
            pub extra: Map<String, Value>,
        }

        impl Serialize for LtiMessage {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                $( if let Some(value) = &self.$field { map.serialize_entry($key, value)?; } )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> Deserialize<'de> for LtiMessage {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = LtiMessage;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an LTI message (a JSON object of claims)")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<LtiMessage, A::Error> {
                        let mut out = LtiMessage::default();
                        while let Some(ClaimName(key)) = access.next_key::<ClaimName<'de>>()? {
                            $(
                                if *key == *$key {
                                    if out.$field.is_some() {
                                        return Err(de::Error::custom(format_args!("claim `{}` given twice", $key)));
                                    }
                                    out.$field = access
                                        .next_value::<Option<$ty>>()
                                        .map_err(|e| de::Error::custom(format_args!("claim `{}`: {e}", $key)))?;
                                    continue;
                                }
                            )*
                            let value: Value = access.next_value()?;
                            if out.extra.contains_key(key.as_ref()) {
                                return Err(de::Error::custom(format_args!("claim `{}` given twice", clip(&key))));
                            }
                            out.extra.insert(key.into_owned(), value);
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    };
}

/// A claim name as read from the payload: borrowed from the input when it has no escapes (the usual case), so
/// matching the known claims allocates nothing.
struct ClaimName<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for ClaimName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ClaimName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

lti_message! {
    /// `iss`: the platform's issuer [Sec §5.1.2].
    iss: Issuer = "iss";
    /// `sub`: the user id; absent for an anonymous launch, never empty [Core §5.3.6].
    sub: UserId = "sub";
    /// `aud`: the audience(s), containing the tool's client id [Sec §5.1.2].
    aud: Audience = "aud";
    /// `exp`: expiry [Sec §5.1.2].
    exp: NumericDate = "exp";
    /// `iat`: issue time [Sec §5.1.2].
    iat: NumericDate = "iat";
    /// `nbf`: not before (rarely sent).
    nbf: NumericDate = "nbf";
    /// `nonce`: the echo of the authentication request's nonce [Sec §5.1.2].
    nonce: Nonce = "nonce";
    /// `azp`: the authorized party, the tool's client id [Sec §5.1.2].
    azp: ClientId = "azp";
    /// `name` (OIDC standard claim) [Core §5.3.6; OIDC Core §5.1].
    name: String = "name";
    /// `given_name` (OIDC standard claim).
    given_name: String = "given_name";
    /// `family_name` (OIDC standard claim).
    family_name: String = "family_name";
    /// `middle_name` (OIDC standard claim).
    middle_name: String = "middle_name";
    /// `email` (OIDC standard claim).
    email: String = "email";
    /// `picture` (OIDC standard claim), a URL.
    picture: String = "picture";
    /// `locale` (OIDC standard claim), BCP 47.
    locale: String = "locale";
    /// [`claim::MESSAGE_TYPE`] [Core §5.3.1].
    message_type: MessageType = claim::MESSAGE_TYPE;
    /// [`claim::VERSION`]: must be [`LTI_VERSION`] [Core §5.3.2].
    version: String = claim::VERSION;
    /// [`claim::DEPLOYMENT_ID`] [Core §5.3.3].
    deployment_id: DeploymentId = claim::DEPLOYMENT_ID;
    /// [`claim::TARGET_LINK_URI`]: the signed landing URL [Core §5.3.4].
    target_link_uri: TargetLinkUri = claim::TARGET_LINK_URI;
    /// [`claim::RESOURCE_LINK`] [Core §5.3.5].
    resource_link: ResourceLink = claim::RESOURCE_LINK;
    /// [`claim::ROLES`]: role URIs as sent (`""` entries, short names and unknown URIs kept) [Core §5.3.7].
    roles: Vec<String> = claim::ROLES;
    /// [`claim::ROLE_SCOPE_MENTOR`] [Core §5.4.3].
    role_scope_mentor: RoleScopeMentor = claim::ROLE_SCOPE_MENTOR;
    /// [`claim::CONTEXT`] [Core §5.4.1].
    context: Context = claim::CONTEXT;
    /// [`claim::TOOL_PLATFORM`] [Core §5.4.2].
    tool_platform: ToolPlatform = claim::TOOL_PLATFORM;
    /// [`claim::LAUNCH_PRESENTATION`] [Core §5.4.4].
    launch_presentation: LaunchPresentation = claim::LAUNCH_PRESENTATION;
    /// [`claim::LIS`] [Core §5.4.5].
    lis: Lis = claim::LIS;
    /// [`claim::CUSTOM`] [Core §5.4.6].
    custom: Custom = claim::CUSTOM;
    /// [`claim::LTI1P1`] (Migr).
    lti1p1: Lti1p1 = claim::LTI1P1;
    /// [`claim::LTI11_LEGACY_USER_ID`] (legacy; prefer `lti1p1.user_id`).
    lti11_legacy_user_id: String = claim::LTI11_LEGACY_USER_ID;
    /// [`claim::FOR_USER`] (SR 1.0).
    for_user: ForUser = claim::FOR_USER;
    /// [`claim::AGS_ENDPOINT`] [AGS §3.1].
    ags_endpoint: AgsEndpoint = claim::AGS_ENDPOINT;
    /// [`claim::NRPS`] [NRPS §3.6.1.1].
    names_role_service: NamesRoleService = claim::NRPS;
    /// [`claim::DEEP_LINKING_SETTINGS`] [DL §4.4.1].
    deep_linking_settings: DeepLinkingSettings = claim::DEEP_LINKING_SETTINGS;
    /// [`claim::BASIC_OUTCOME`] (BO "Integration with LTI 1.3").
    basic_outcome: BasicOutcome = claim::BASIC_OUTCOME;
}

/// The registered claims a [`JwtVerifier`](lti_security::JwtVerifier) checks, read from the message itself, so a
/// launch payload is parsed once ([`JwtVerifier::verify_parsed_as`](lti_security::JwtVerifier::verify_parsed_as)).
impl JwtClaims for LtiMessage {
    fn registered(&self) -> ClaimsRef<'_> {
        let mut view = ClaimsRef::new();
        view.iss = self.iss.as_ref().map(Issuer::as_str);
        view.sub = self.sub.as_ref().map(UserId::as_str);
        view.aud = self
            .aud
            .as_ref()
            .map(Audience::as_slice)
            .unwrap_or_default();
        view.exp = self.exp;
        view.nbf = self.nbf;
        view.iat = self.iat;
        view.azp = self.azp.as_ref().map(ClientId::as_str);
        view.nonce = self.nonce.as_ref().map(Nonce::as_str);
        view
    }
}

impl LtiMessage {
    /// A message of `message_type` for `deployment_id`, with `version` set to [`LTI_VERSION`]; fill the rest.
    pub fn new(message_type: MessageType, deployment_id: DeploymentId) -> Self {
        Self {
            message_type: Some(message_type),
            version: Some(LTI_VERSION.to_owned()),
            deployment_id: Some(deployment_id),
            ..Self::default()
        }
    }

    /// Parses a JSON payload.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the payload is not a JSON object or a known claim has the wrong type.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| Error::Malformed {
            reason: clip(&e.to_string()),
        })
    }

    /// Whether this is an anonymous launch: no `sub` [Core §5.3.6.1].
    pub fn is_anonymous(&self) -> bool {
        self.sub.is_none()
    }

    /// The roles as sent, empty when the claim is absent.
    pub fn roles(&self) -> &[String] {
        self.roles.as_deref().unwrap_or_default()
    }

    /// Whether `roles` contains exactly `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles().iter().any(|r| r == role)
    }

    /// The roles parsed into typed [`Role`](crate::role::Role)s (short names, legacy URNs and unknown roles
    /// included; see [`Roles`]).
    pub fn typed_roles(&self) -> Roles {
        Roles::parse(self.roles().iter().map(String::as_str))
    }

    /// The users this user mentors: `role_scope_mentor`, returned only when the user is a mentor
    /// ([`Roles::is_mentor`]: the membership `Mentor` role or one of its sub-roles, in any accepted form), as
    /// Core §5.4.3 requires; otherwise `None`.
    pub fn mentored_users(&self) -> Option<&[UserId]> {
        let mentor = self.role_scope_mentor.is_some() && self.typed_roles().is_mentor();
        self.role_scope_mentor
            .as_ref()
            .filter(|_| mentor)
            .map(RoleScopeMentor::users)
    }

    /// An unknown claim by name.
    pub fn extra_claim(&self, name: &str) -> Option<&Value> {
        self.extra.get(name)
    }
}
