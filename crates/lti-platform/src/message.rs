//! Building the LTI message of a launch from its typed inputs, the platform-side content checks (checklist
//! E56-E61), and minting the signed `id_token`.

use lti_core::claims::{Custom, RoleScopeMentor, ToolPlatform};
use lti_core::message::{LtiMessage, MessageRules, MessageType, ResourceLinkRules};
use lti_core::{ClientId, Nonce, TargetLinkUri, ToolRegistration};
use lti_security::{Audience, NumericDate, SigningKey, sign_jwt};

use crate::{LaunchRequest, PlatformConfig, PlatformError};

/// Builds and checks the message of `request` for `registration`: everything but the per-request claims
/// (`iss`, `aud`, `azp`, `iat`, `exp`, `nonce`), which [`mint`] adds.
pub(crate) fn build(
    request: LaunchRequest,
    registration: &ToolRegistration,
    tool_platform: Option<&ToolPlatform>,
) -> Result<LtiMessage, PlatformError> {
    let LaunchRequest {
        client_id: _,
        deployment_id,
        user,
        roles,
        role_scope_mentor,
        message_type,
        resource_link,
        context,
        target_link_uri,
        custom,
        launch_presentation,
        extra_claims,
        for_user,
    } = request;
    let mut roles_out = Vec::with_capacity(roles.len());
    for role in &roles {
        let uri = role.as_uri();
        if uri.is_empty() {
            return Err(invalid(lti_core::uri::claim::ROLES, "a role is empty"));
        }
        roles_out.push(uri);
    }
    let target_link_uri = target_link_uri
        .unwrap_or_else(|| TargetLinkUri::new(registration.target_link_uri().as_str()));
    if url::Url::parse(target_link_uri.as_str()).is_err() {
        return Err(invalid(
            lti_core::uri::claim::TARGET_LINK_URI,
            "expected an absolute URL",
        ));
    }
    let mut merged = Custom::new();
    merged.0.extend(
        registration
            .custom()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    merged.0.extend(custom.0);

    let mut message = LtiMessage::new(message_type.clone(), deployment_id);
    message.target_link_uri = Some(target_link_uri);
    message.resource_link = resource_link;
    message.roles = Some(roles_out);
    if !role_scope_mentor.is_empty() {
        message.role_scope_mentor = Some(RoleScopeMentor::new(role_scope_mentor));
    }
    message.context = context;
    message.tool_platform = tool_platform.cloned();
    message.launch_presentation = launch_presentation;
    message.for_user = for_user;
    if !merged.0.is_empty() {
        message.custom = Some(merged);
    }
    if let Some(key) = extra_claims.keys().find(|k| url::Url::parse(k).is_err()) {
        return Err(PlatformError::InvalidLaunch {
            field: clip(key),
            reason: "extra claims must be named by a fully-qualified URL [Core §5.4.7]".to_owned(),
        });
    }
    if !extra_claims.is_empty() {
        // Read the claims back through `LtiMessage`, so a claim the model types (the AGS and NRPS service
        // claims, deep linking settings) lands in its typed field, where the message type's rules look for it.
        let mut json = serde_json::to_value(&message).map_err(PlatformError::Serialize)?;
        if let Some(object) = json.as_object_mut() {
            object.extend(extra_claims);
        }
        message = serde_json::from_value(json).map_err(|e| PlatformError::InvalidLaunch {
            field: "extra claims".to_owned(),
            reason: clip(&e.to_string()),
        })?;
    }
    if let Some(user) = user {
        message.sub = Some(user.id);
        message.name = user.name;
        message.given_name = user.given_name;
        message.family_name = user.family_name;
        message.email = user.email;
        message.picture = user.picture;
        message.locale = user.locale;
    }
    // Variable substitution (E62): after every claim is in place, honouring the privacy settings.
    if let Some(mut custom) = message.custom.take() {
        let variables = lti_core::variables::MessageVariables::new(
            &message,
            registration.include_name(),
            registration.include_email(),
        );
        lti_core::variables::substitute(&mut custom, &variables);
        message.custom = Some(custom);
    }
    check(&message, &message_type)?;
    Ok(message)
}

/// Adds the per-request claims to a stored `message`, drops the profile claims the registration does not allow,
/// and signs it with `key` (RS256, `kid` in the header) (checklist E53, E54, E59).
pub(crate) fn mint(
    mut message: LtiMessage,
    registration: &ToolRegistration,
    config: &PlatformConfig,
    client_id: &ClientId,
    nonce: Nonce,
    now: u64,
    key: &SigningKey,
) -> Result<String, PlatformError> {
    if !registration.include_name() {
        message.name = None;
        message.given_name = None;
        message.family_name = None;
        message.middle_name = None;
        message.picture = None;
    }
    if !registration.include_email() {
        message.email = None;
    }
    message.iss = Some(config.issuer.clone());
    message.aud = Some(Audience::one(client_id.as_str()));
    message.azp = Some(client_id.clone());
    message.iat = Some(NumericDate::from_unix_seconds(now));
    message.exp = Some(NumericDate::from_unix_seconds(
        now.saturating_add(config.id_token_ttl.as_secs()),
    ));
    message.nonce = Some(nonce);
    sign_jwt(key, &message).map_err(PlatformError::Crypto)
}

/// The platform-side checks of a message before it is stored: the required-claim rules of its message type
/// (resource link, deep linking, submission review; the generic rules for others), then lti-core's outbound rules (E57 identifiers, E60 whitespace, E61 mentor scope, E63 service URLs).
pub(crate) fn check(message: &LtiMessage, message_type: &MessageType) -> Result<(), PlatformError> {
    let resource_link = ResourceLinkRules::new();
    let deep_linking = lti_deep_linking::DeepLinkingRequestRules::new();
    let submission_review = lti_ags::SubmissionReviewRules::new();
    let other = AnyMessage(message_type.clone());
    let rules: [&dyn MessageRules; 1] = match message_type {
        MessageType::LtiResourceLinkRequest => [&resource_link],
        MessageType::LtiDeepLinkingRequest => [&deep_linking],
        MessageType::LtiSubmissionReviewRequest => [&submission_review],
        _ => [&other],
    };
    lti_core::message::validate_lti_claims(message, &rules)
        .map_err(PlatformError::LaunchMessage)?;
    lti_core::message::check_outbound(message).map_err(PlatformError::LaunchMessage)
}

/// Message types without rules of their own here: the generic rules of `validate_lti_claims` still apply.
#[derive(Debug)]
struct AnyMessage(MessageType);

impl MessageRules for AnyMessage {
    fn message_type(&self) -> MessageType {
        self.0.clone()
    }

    fn check(&self, _message: &LtiMessage) -> Result<(), lti_core::Error> {
        Ok(())
    }
}

fn invalid(field: &str, reason: &str) -> PlatformError {
    PlatformError::InvalidLaunch {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

fn clip(text: &str) -> String {
    text.chars().take(100).collect()
}
