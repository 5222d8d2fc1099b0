//! Required-claim rules per message type, and the common LTI claim checks [Core §5.3; Sec §5.1.3;
//! `core.md` §2 steps 11–14].

use std::fmt;

use super::{LtiMessage, MessageType};
use crate::MAX_ID_LEN;
use crate::error::{Error, clip};
use crate::uri::{LTI_VERSION, claim};

/// The required-claim checks of one message type. `lti-core` provides [`ResourceLinkRules`]; the deep linking
/// and submission review crates provide theirs, and a tool passes the set it handles at an endpoint to
/// [`validate_lti_claims`].
pub trait MessageRules: fmt::Debug + Send + Sync {
    /// The message type these rules are for.
    fn message_type(&self) -> MessageType;

    /// Checks the claims this message type requires. Called after the common checks of
    /// [`validate_lti_claims`] passed.
    ///
    /// # Errors
    /// The variant naming the first missing or invalid claim.
    fn check(&self, message: &LtiMessage) -> Result<(), Error>;
}

/// The rules of `LtiResourceLinkRequest` [Core §5.3]: `target_link_uri` present (B34), `resource_link.id`
/// present, non-empty and ≤ 255 chars (B31), `roles` present, possibly empty or holding `""` (B32, C36).
#[derive(Debug, Clone, Copy, Default)]
pub struct ResourceLinkRules;

impl ResourceLinkRules {
    /// The rules.
    pub fn new() -> Self {
        Self
    }
}

impl MessageRules for ResourceLinkRules {
    fn message_type(&self) -> MessageType {
        MessageType::LtiResourceLinkRequest
    }

    fn check(&self, message: &LtiMessage) -> Result<(), Error> {
        require_target_link_uri(message)?;
        let id = message
            .resource_link
            .as_ref()
            .and_then(|link| link.id.as_ref())
            .ok_or(Error::ResourceLinkIdMissing)?;
        check_id(id.as_str(), RESOURCE_LINK_ID)?;
        require_roles(message)
    }
}

/// `target_link_uri` present (B34) and non-empty: a rule every launch-like message type shares.
///
/// # Errors
/// [`Error::TargetLinkUriMissing`] or [`Error::EmptyClaim`].
pub fn require_target_link_uri(message: &LtiMessage) -> Result<(), Error> {
    match &message.target_link_uri {
        None => Err(Error::TargetLinkUriMissing),
        Some(uri) if uri.as_str().is_empty() => Err(Error::EmptyClaim {
            claim: claim::TARGET_LINK_URI,
        }),
        Some(_) => Ok(()),
    }
}

/// `roles` present, possibly empty (B32, C36): a rule every launch-like message type shares.
///
/// # Errors
/// [`Error::RolesMissing`].
pub fn require_roles(message: &LtiMessage) -> Result<(), Error> {
    if message.roles.is_none() {
        return Err(Error::RolesMissing);
    }
    Ok(())
}

/// Checks the LTI claims of a (signature- and registered-claim-verified) message, in this order:
/// 1. `version` present (B26) and equal to `1.3.0` (B25);
/// 2. `message_type` present (B27) and handled by one of `rules` (B28);
/// 3. `deployment_id` present (B29), non-empty, ≤ 255 chars;
/// 4. `sub`, when present, non-empty (B33) and ≤ 255 chars; absent means an anonymous launch (C40);
/// 5. `context.id`, when `context` is present, present, non-empty and ≤ 255 chars (no context is fine, C39);
/// 6. the message type's own rules.
///
/// `role_scope_mentor` without the Mentor role is accepted (the rule binds the platform); see
/// [`LtiMessage::mentored_users`]. Unknown claims are ignored (C41).
///
/// # Errors
/// The variant for the first rule that fails; [`Error::code`] gives its stable code and checklist item.
pub fn validate_lti_claims(message: &LtiMessage, rules: &[&dyn MessageRules]) -> Result<(), Error> {
    match message.version.as_deref() {
        None => return Err(Error::VersionMissing),
        Some(LTI_VERSION) => {}
        Some(other) => return Err(Error::VersionMismatch { found: clip(other) }),
    }
    let message_type = message
        .message_type
        .as_ref()
        .ok_or(Error::MessageTypeMissing)?;
    let rule = rules
        .iter()
        .find(|r| r.message_type() == *message_type)
        .ok_or_else(|| Error::MessageTypeUnsupported {
            expected: rules.iter().map(|r| r.message_type().to_string()).collect(),
            found: clip(message_type.as_str()),
        })?;
    let deployment_id = message
        .deployment_id
        .as_ref()
        .ok_or(Error::DeploymentIdMissing)?;
    check_id(deployment_id.as_str(), claim::DEPLOYMENT_ID)?;
    if let Some(sub) = &message.sub {
        if sub.as_str().is_empty() {
            return Err(Error::SubEmpty);
        }
        check_len(sub.as_str(), "sub")?;
    }
    if let Some(context) = &message.context {
        let id = context.id.as_ref().ok_or(Error::ContextIdMissing)?;
        check_id(id.as_str(), CONTEXT_ID)?;
    }
    if message.role_scope_mentor.is_some() && message.mentored_users().is_none() {
        tracing::debug!(
            message_type = %message_type,
            "role_scope_mentor sent without the Mentor role; accepted, not exposed by mentored_users()"
        );
    }
    rule.check(message)
}

/// `resource_link#id`, for errors.
const RESOURCE_LINK_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link#id";
/// `context#id`, for errors.
const CONTEXT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/context#id";

/// Non-empty and at most [`MAX_ID_LEN`] characters.
fn check_id(value: &str, name: &'static str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::EmptyClaim { claim: name });
    }
    check_len(value, name)
}

/// At most [`MAX_ID_LEN`] characters (the spec says ASCII; counted in chars so non-ASCII is not penalised
/// twice).
fn check_len(value: &str, name: &'static str) -> Result<(), Error> {
    let len = value.chars().count();
    if len > MAX_ID_LEN {
        return Err(Error::ClaimTooLong {
            claim: name,
            max: MAX_ID_LEN,
            found: len,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_extend_the_claim_uris() {
        assert_eq!(RESOURCE_LINK_ID, format!("{}#id", claim::RESOURCE_LINK));
        assert_eq!(CONTEXT_ID, format!("{}#id", claim::CONTEXT));
    }
}
