//! The deep linking request as the tool answers it.

use lti_core::message::{LtiMessage, MessageType};
use lti_core::{ClientId, DeploymentId, Issuer};

use crate::error::clip;
use crate::{DeepLinkingSettings, Error};

/// What a tool needs from a validated `LtiDeepLinkingRequest` to answer it [DL §4.4]: who sent it (the
/// platform's issuer, the response's `aud`), to which client, for which deployment, and the settings.
///
/// Build it from the message of a launch that passed the tool's validation (lti-tool does this in
/// `deep_linking_request`), then answer it with [`DeepLinkingResponse::builder`](crate::DeepLinkingResponse::builder).
#[derive(Debug, Clone, PartialEq)]
pub struct DeepLinkingRequest {
    issuer: Issuer,
    client_id: ClientId,
    deployment_id: DeploymentId,
    settings: DeepLinkingSettings,
}

impl DeepLinkingRequest {
    /// Reads the request from a validated launch `message` received as `client_id`.
    ///
    /// # Errors
    /// [`Error::NotDeepLinkingRequest`] for another message type; [`Error::Request`] when `iss`,
    /// `deployment_id` or the settings are missing or invalid.
    pub fn from_message(message: &LtiMessage, client_id: ClientId) -> Result<Self, Error> {
        match &message.message_type {
            Some(MessageType::LtiDeepLinkingRequest) => {}
            other => {
                return Err(Error::NotDeepLinkingRequest {
                    found: clip(other.as_ref().map(MessageType::as_str).unwrap_or("")),
                });
            }
        }
        let issuer = message
            .iss
            .clone()
            .ok_or(Error::Request(lti_core::Error::MissingClaim {
                claim: "iss",
            }))?;
        let deployment_id = message
            .deployment_id
            .clone()
            .ok_or(Error::Request(lti_core::Error::DeploymentIdMissing))?;
        let settings = message
            .deep_linking_settings
            .as_ref()
            .ok_or(Error::Request(lti_core::Error::MissingClaim {
                claim: crate::uri::claim::DEEP_LINKING_SETTINGS,
            }))
            .and_then(|s| DeepLinkingSettings::from_claim(s).map_err(Error::Request))?;
        Ok(Self::new(issuer, client_id, deployment_id, settings))
    }

    /// A request from its parts (e.g. restored from the tool's session).
    pub fn new(
        issuer: Issuer,
        client_id: ClientId,
        deployment_id: DeploymentId,
        settings: DeepLinkingSettings,
    ) -> Self {
        Self {
            issuer,
            client_id,
            deployment_id,
            settings,
        }
    }

    /// The platform's issuer: the response's `aud`.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The tool's client id: the response's `iss`.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The deployment, echoed in the response.
    pub fn deployment_id(&self) -> &DeploymentId {
        &self.deployment_id
    }

    /// The settings.
    pub fn settings(&self) -> &DeepLinkingSettings {
        &self.settings
    }
}
