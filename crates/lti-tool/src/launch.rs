//! The validated launch.

use lti_core::claims::{Context, ResourceLink};
use lti_core::message::LtiMessage;
use lti_core::{DeploymentId, PlatformRegistration, Roles, TargetLinkUri, UserId};

/// A launch that passed every check of `core.md` §2. Only [`Tool::launch`](crate::Tool::launch) builds one.
#[derive(Debug, Clone)]
pub struct Launch {
    message: LtiMessage,
    registration: PlatformRegistration,
    deployment_id: DeploymentId,
    target_link_uri: TargetLinkUri,
}

impl Launch {
    /// Called by the launch validation only, after every check passed.
    pub(crate) fn new(
        message: LtiMessage,
        registration: PlatformRegistration,
        deployment_id: DeploymentId,
        target_link_uri: TargetLinkUri,
    ) -> Self {
        Self {
            message,
            registration,
            deployment_id,
            target_link_uri,
        }
    }

    /// The whole verified message (every claim, unknown ones in `extra`).
    pub fn message(&self) -> &LtiMessage {
        &self.message
    }

    /// The platform registration the launch came through.
    pub fn registration(&self) -> &PlatformRegistration {
        &self.registration
    }

    /// The `deployment_id` claim (accepted by the deployment policy).
    pub fn deployment_id(&self) -> &DeploymentId {
        &self.deployment_id
    }

    /// The user (`sub`); `None` for an anonymous launch (checklist C40).
    pub fn user(&self) -> Option<&UserId> {
        self.message.sub.as_ref()
    }

    /// The roles, typed (short names, legacy URNs and unknown roles included).
    pub fn roles(&self) -> Roles {
        self.message.typed_roles()
    }

    /// Where to send the user: the **signed** `target_link_uri` claim, never the login parameter (checklist
    /// B35) [Core §5.3.4]; its origin was checked against the tool's allowed origins.
    pub fn target_link_uri(&self) -> &TargetLinkUri {
        &self.target_link_uri
    }

    /// The `context` claim, when sent (checklist C39).
    pub fn context(&self) -> Option<&Context> {
        self.message.context.as_ref()
    }

    /// The `resource_link` claim.
    pub fn resource_link(&self) -> Option<&ResourceLink> {
        self.message.resource_link.as_ref()
    }

    /// The message, consumed.
    pub fn into_message(self) -> LtiMessage {
        self.message
    }
}
