//! The crate's error type: each variant names the claim or parameter at fault and, where it helps, what was
//! expected and what was found (clipped to [`CLIP`] characters). [`ErrorCode`] gives every rule a stable machine
//! code and, where one exists, its item number in the conformance checklist.

use std::fmt;

/// How many characters of a found value an error keeps.
pub(crate) const CLIP: usize = 100;

/// What went wrong with an LTI message or an OIDC login parameter.
///
/// All variants are about input from the peer (platform or tool) unless stated. Messages start lower-case, name
/// the claim, and never contain a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `…/claim/version` claim is absent [Core §5.3.2; Cert "No LTI Version"].
    #[error("claim `{claim}` is missing: expected `{expected}`", claim = crate::uri::claim::VERSION, expected = crate::uri::LTI_VERSION)]
    VersionMissing,
    /// The `…/claim/version` claim is not `1.3.0` [Core §5.3.2; Cert "Wrong LTI Version"].
    #[error("claim `{claim}`: expected `{expected}` (found `{found}`)", claim = crate::uri::claim::VERSION, expected = crate::uri::LTI_VERSION)]
    VersionMismatch {
        /// What was sent (clipped).
        found: String,
    },
    /// The `…/claim/message_type` claim is absent [Core §5.3.1; Cert "message_type Claim Missing"].
    #[error("claim `{claim}` is missing", claim = crate::uri::claim::MESSAGE_TYPE)]
    MessageTypeMissing,
    /// The message type is not one handled here [Core §4.3.1; Cert "Invalid LTI message"].
    #[error("claim `{claim}`: expected one of {expected:?} (found `{found}`)", claim = crate::uri::claim::MESSAGE_TYPE)]
    MessageTypeUnsupported {
        /// The message types this endpoint handles.
        expected: Vec<String>,
        /// What was sent (clipped).
        found: String,
    },
    /// The `…/claim/deployment_id` claim is absent [Core §5.3.3; Cert "deployment_id Claim Missing"].
    #[error("claim `{claim}` is missing", claim = crate::uri::claim::DEPLOYMENT_ID)]
    DeploymentIdMissing,
    /// The `…/claim/target_link_uri` claim is absent [Core §5.3.4; Cert "Missing LTI Claims"].
    #[error("claim `{claim}` is missing", claim = crate::uri::claim::TARGET_LINK_URI)]
    TargetLinkUriMissing,
    /// The `…/claim/resource_link` claim or its `id` is absent [Core §5.3.5; Cert "resource_link_id Claim Missing"].
    #[error("claim `{claim}` member `id` is missing", claim = crate::uri::claim::RESOURCE_LINK)]
    ResourceLinkIdMissing,
    /// The `…/claim/roles` claim is absent (an empty array is fine) [Core §5.3.7; Cert "role Claim Missing"].
    #[error("claim `{claim}` is missing: expected an array of role URIs, possibly empty", claim = crate::uri::claim::ROLES)]
    RolesMissing,
    /// `sub` is present but empty; leave it out for an anonymous launch [Core §5.3.6; Cert "user Claim Missing"].
    #[error(
        "claim `sub` is an empty string: expected a user id, or no `sub` at all for an anonymous launch"
    )]
    SubEmpty,
    /// The `…/claim/context` claim has no `id` [Core §5.4.1].
    #[error("claim `{claim}` member `id` is missing", claim = crate::uri::claim::CONTEXT)]
    ContextIdMissing,
    /// A claim another rule set requires is absent (e.g. deep linking settings) [Core §5.3].
    #[error("claim `{claim}` is missing")]
    MissingClaim {
        /// The claim name (a URI or a registered claim name, `…#member` for a member).
        claim: &'static str,
    },
    /// An identifier claim is an empty string.
    #[error("claim `{claim}` is an empty string: expected a non-empty identifier")]
    EmptyClaim {
        /// The claim (or `claim#member`) name.
        claim: &'static str,
    },
    /// An identifier claim is longer than the spec allows [Core §5.3.3, §5.3.5, §5.3.6, §5.4.1].
    #[error("claim `{claim}` is {found} characters long: expected at most {max}")]
    ClaimTooLong {
        /// The claim (or `claim#member`) name.
        claim: &'static str,
        /// The limit.
        max: usize,
        /// The length found.
        found: usize,
    },
    /// A claim has a value a rule does not accept.
    #[error("claim `{claim}`: expected {expected} (found `{found}`)")]
    InvalidClaim {
        /// The claim (or `claim#member`) name.
        claim: &'static str,
        /// What the rule wants.
        expected: &'static str,
        /// What was sent (clipped).
        found: String,
    },
    /// The payload is not a JSON object of the expected shape (a known claim has the wrong JSON type).
    #[error("malformed LTI message: {reason}")]
    Malformed {
        /// The parser's message (clipped, names the claim).
        reason: String,
    },
    /// A required OIDC login or authentication parameter is absent or empty [Sec §5.1.1.1, §5.1.1.2].
    #[error("parameter `{parameter}` is missing")]
    ParameterMissing {
        /// The parameter name.
        parameter: &'static str,
    },
    /// An OIDC parameter appears more than once.
    #[error("parameter `{parameter}` is sent more than once")]
    ParameterDuplicated {
        /// The parameter name.
        parameter: &'static str,
    },
    /// An OIDC parameter has a value the flow does not allow [Sec §5.1.1.2].
    #[error("parameter `{parameter}`: expected {expected} (found `{found}`)")]
    ParameterInvalid {
        /// The parameter name.
        parameter: &'static str,
        /// What is allowed.
        expected: &'static str,
        /// What was sent (clipped).
        found: String,
    },
    /// Outgoing message: an identifier (`sub`, `deployment_id`, `resource_link.id`, `context.id`,
    /// `tool_platform.guid`) is empty, longer than 255 characters or not ASCII [Core §5.3.3, §5.3.5, §5.3.6,
    /// §5.4.1, §5.4.2] (checklist E57).
    #[error("claim `{claim}`: expected 1 to 255 ASCII characters (found {len} bytes{non_ascii})", non_ascii = if *ascii { "" } else { ", not ASCII" })]
    IdentifierInvalid {
        /// The claim (`…#member` for a member).
        claim: &'static str,
        /// Its length in bytes.
        len: usize,
        /// Whether it is ASCII.
        ascii: bool,
    },
    /// Outgoing message: a string value starts or ends with whitespace (checklist E60; certification "Payload is
    /// Free of Extra Whitespace").
    #[error("value at `{path}` has leading or trailing whitespace (found `{found}`)")]
    SurroundingWhitespace {
        /// The JSON pointer of the value (clipped).
        path: String,
        /// The value (clipped).
        found: String,
    },
    /// Outgoing message: `role_scope_mentor` without the context role `membership#Mentor` [Core §5.4.3]
    /// (checklist E61).
    #[error("claim `{claim}` is only allowed together with the context role `membership#Mentor`", claim = crate::uri::claim::ROLE_SCOPE_MENTOR)]
    MentorScopeWithoutMentor,
    /// Outgoing message: a service URL is not an absolute `https` URL (http only to loopback) or still holds a
    /// template placeholder [Core §6.1, §3.5] (checklist E63).
    #[error("service URL `{claim}`: expected {expected} (found `{found}`)")]
    ServiceUrlInvalid {
        /// The claim and member, e.g. `…/lti-ags/claim/endpoint#lineitems`.
        claim: &'static str,
        /// What a service URL must be.
        expected: &'static str,
        /// The value (clipped).
        found: String,
    },
    /// A registration setting is wrong (our configuration, not peer input); see
    /// [`RegistrationError::code`](crate::registration::RegistrationError::code) for the finer code.
    #[error(transparent)]
    Registration(#[from] crate::registration::RegistrationError),
}

impl Error {
    /// The stable machine code of the rule that failed.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::VersionMissing => ErrorCode::VersionMissing,
            Self::VersionMismatch { .. } => ErrorCode::VersionMismatch,
            Self::MessageTypeMissing => ErrorCode::MessageTypeMissing,
            Self::MessageTypeUnsupported { .. } => ErrorCode::MessageTypeUnsupported,
            Self::DeploymentIdMissing => ErrorCode::DeploymentIdMissing,
            Self::TargetLinkUriMissing => ErrorCode::TargetLinkUriMissing,
            Self::ResourceLinkIdMissing => ErrorCode::ResourceLinkIdMissing,
            Self::RolesMissing => ErrorCode::RolesMissing,
            Self::SubEmpty => ErrorCode::SubEmpty,
            Self::ContextIdMissing => ErrorCode::ContextIdMissing,
            Self::MissingClaim { .. } => ErrorCode::ClaimMissing,
            Self::EmptyClaim { .. } => ErrorCode::ClaimEmpty,
            Self::ClaimTooLong { .. } => ErrorCode::ClaimTooLong,
            Self::InvalidClaim { .. } => ErrorCode::ClaimInvalid,
            Self::Malformed { .. } => ErrorCode::MessageMalformed,
            Self::ParameterMissing { .. } => ErrorCode::ParameterMissing,
            Self::ParameterDuplicated { .. } => ErrorCode::ParameterDuplicated,
            Self::ParameterInvalid { .. } => ErrorCode::ParameterInvalid,
            Self::Registration(_) => ErrorCode::Registration,
            Self::IdentifierInvalid { .. } => ErrorCode::OutboundIdentifier,
            Self::SurroundingWhitespace { .. } => ErrorCode::OutboundWhitespace,
            Self::MentorScopeWithoutMentor => ErrorCode::OutboundMentorScope,
            Self::ServiceUrlInvalid { .. } => ErrorCode::OutboundServiceUrl,
        }
    }
}

/// A stable, machine-readable code for each rule, for logs, metrics and docs.
///
/// The string form ([`as_str`](Self::as_str)) never changes once released; new codes may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `lti.claim.invalid`
    ClaimInvalid,
    /// `lti.claim.empty`
    ClaimEmpty,
    /// `lti.claim.missing`
    ClaimMissing,
    /// `lti.claim.too_long`
    ClaimTooLong,
    /// `lti.claim.context.id.missing`
    ContextIdMissing,
    /// `lti.claim.deployment_id.missing`
    DeploymentIdMissing,
    /// `lti.message.malformed`
    MessageMalformed,
    /// `lti.claim.message_type.missing`
    MessageTypeMissing,
    /// `lti.claim.message_type.unsupported`
    MessageTypeUnsupported,
    /// `lti.outbound.identifier`
    OutboundIdentifier,
    /// `lti.outbound.mentor_scope`
    OutboundMentorScope,
    /// `lti.outbound.service_url`
    OutboundServiceUrl,
    /// `lti.outbound.whitespace`
    OutboundWhitespace,
    /// `lti.oidc.parameter.duplicated`
    ParameterDuplicated,
    /// `lti.oidc.parameter.invalid`
    ParameterInvalid,
    /// `lti.oidc.parameter.missing`
    ParameterMissing,
    /// `lti.registration.invalid`
    Registration,
    /// `lti.claim.resource_link.id.missing`
    ResourceLinkIdMissing,
    /// `lti.claim.roles.missing`
    RolesMissing,
    /// `lti.claim.sub.empty`
    SubEmpty,
    /// `lti.claim.target_link_uri.missing`
    TargetLinkUriMissing,
    /// `lti.claim.version.missing`
    VersionMissing,
    /// `lti.claim.version.mismatch`
    VersionMismatch,
}

impl ErrorCode {
    /// The code as a dotted string, e.g. `lti.claim.version.missing`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClaimInvalid => "lti.claim.invalid",
            Self::ClaimEmpty => "lti.claim.empty",
            Self::ClaimMissing => "lti.claim.missing",
            Self::ClaimTooLong => "lti.claim.too_long",
            Self::ContextIdMissing => "lti.claim.context.id.missing",
            Self::DeploymentIdMissing => "lti.claim.deployment_id.missing",
            Self::MessageMalformed => "lti.message.malformed",
            Self::MessageTypeMissing => "lti.claim.message_type.missing",
            Self::MessageTypeUnsupported => "lti.claim.message_type.unsupported",
            Self::OutboundIdentifier => "lti.outbound.identifier",
            Self::OutboundMentorScope => "lti.outbound.mentor_scope",
            Self::OutboundServiceUrl => "lti.outbound.service_url",
            Self::OutboundWhitespace => "lti.outbound.whitespace",
            Self::ParameterDuplicated => "lti.oidc.parameter.duplicated",
            Self::ParameterInvalid => "lti.oidc.parameter.invalid",
            Self::ParameterMissing => "lti.oidc.parameter.missing",
            Self::Registration => "lti.registration.invalid",
            Self::ResourceLinkIdMissing => "lti.claim.resource_link.id.missing",
            Self::RolesMissing => "lti.claim.roles.missing",
            Self::SubEmpty => "lti.claim.sub.empty",
            Self::TargetLinkUriMissing => "lti.claim.target_link_uri.missing",
            Self::VersionMissing => "lti.claim.version.missing",
            Self::VersionMismatch => "lti.claim.version.mismatch",
        }
    }

    /// The item number in `conformance-checklist.md` this rule implements, when there is exactly one
    /// (e.g. 26 for B26 "version missing").
    pub const fn checklist(self) -> Option<u16> {
        match self {
            Self::ParameterMissing => Some(2),
            Self::VersionMismatch => Some(25),
            Self::VersionMissing => Some(26),
            Self::MessageTypeMissing => Some(27),
            Self::MessageTypeUnsupported => Some(28),
            Self::DeploymentIdMissing => Some(29),
            Self::ResourceLinkIdMissing => Some(31),
            Self::RolesMissing => Some(32),
            Self::SubEmpty => Some(33),
            Self::TargetLinkUriMissing | Self::ClaimMissing => Some(34),
            Self::ParameterInvalid => Some(49),
            Self::OutboundIdentifier => Some(57),
            Self::OutboundWhitespace => Some(60),
            Self::OutboundMentorScope => Some(61),
            Self::OutboundServiceUrl => Some(63),
            Self::ClaimInvalid
            | Self::ClaimEmpty
            | Self::ClaimTooLong
            | Self::ContextIdMissing
            | Self::MessageMalformed
            | Self::ParameterDuplicated
            | Self::Registration => None,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cuts `value` to [`CLIP`] characters (on a char boundary), marking the cut with `…`.
pub(crate) fn clip(value: &str) -> String {
    match value.char_indices().nth(CLIP) {
        None => value.to_owned(),
        Some((at, _)) => {
            let mut s = value.get(..at).unwrap_or_default().to_owned();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_char_boundaries() {
        assert_eq!(clip("short"), "short");
        let clipped = clip(&"é".repeat(150));
        assert_eq!(clipped.chars().count(), CLIP + 1);
    }

    #[test]
    fn messages_name_the_claim() {
        let e = Error::VersionMismatch {
            found: "1.1".into(),
        };
        assert_eq!(
            e.to_string(),
            "claim `https://purl.imsglobal.org/spec/lti/claim/version`: expected `1.3.0` (found `1.1`)"
        );
        assert_eq!(e.code().as_str(), "lti.claim.version.mismatch");
        assert_eq!(e.code().checklist(), Some(25));
    }
}
