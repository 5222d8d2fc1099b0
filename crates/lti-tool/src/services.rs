//! Service access for a tool: the token endpoint of a platform registration, ready for
//! [`TokenSource`](lti_security::oauth::TokenSource) (AGS, NRPS calls) [Sec §4.1].

use lti_core::{DeploymentId, PlatformRegistration};
pub use lti_security::oauth::{
    AccessToken, Scopes, TokenEndpoint, TokenError, TokenSource, TokenSourceConfig,
};

/// The [`TokenEndpoint`] of `registration`: its token URL, the tool's client id there, the client-assertion
/// audience ([`PlatformRegistration::token_audience`]: the token URL unless configured otherwise, as for D2L
/// Brightspace), and `deployment` as the assertion's `deployment_id` claim when given (SHOULD, Core §6.2.1;
/// take it from the launch, or from where the tool stored it for later grade passback).
///
/// ```
/// use lti_core::{DeploymentId, PlatformRegistration};
///
/// let registration = PlatformRegistration::builder("https://lms.example", "10000000000042")
///     .authorization_endpoint("https://lms.example/api/lti/authorize_redirect")
///     .token_endpoint("https://lms.example/login/oauth2/token")
///     .jwks_url("https://lms.example/api/lti/security/jwks")
///     .deployment("1:8865aa05")
///     .build()
///     .unwrap();
/// let endpoint = lti_tool::service_token_endpoint(&registration, Some(&DeploymentId::new("1:8865aa05")))?;
/// assert_eq!(endpoint.client_id(), "10000000000042");
/// assert_eq!(endpoint.deployment_id(), Some("1:8865aa05"));
/// # Ok::<(), lti_tool::TokenError>(())
/// ```
///
/// # Errors
/// [`TokenError::InsecureEndpoint`] or [`TokenError::EmptyField`] for a registration that was deserialized
/// without [`PlatformRegistration::validate`] and has a plain-http token URL or an empty client id, audience or
/// deployment id (a built registration never fails here).
pub fn service_token_endpoint(
    registration: &PlatformRegistration,
    deployment: Option<&DeploymentId>,
) -> Result<TokenEndpoint, TokenError> {
    let endpoint = TokenEndpoint::new(
        registration.token_endpoint().clone(),
        registration.client_id().as_str(),
    )?
    .with_audience(registration.token_audience())?;
    match deployment {
        Some(deployment) => endpoint.with_deployment_id(deployment.as_str()),
        None => Ok(endpoint),
    }
}

/// Why a service client could not be set up for a launch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceSetupError {
    /// The tool cannot get service tokens: give the [`ToolBuilder`](crate::ToolBuilder) a key ring and an HTTP
    /// client.
    #[error(
        "no token source: build the tool with a key ring and an HTTP client to call platform services"
    )]
    NoTokenSource,
    /// The registration's token endpoint is unusable.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The launch's AGS claim is not an AGS endpoint claim.
    #[error("the launch's AGS claim: {0}")]
    AgsClaim(#[source] lti_core::Error),
    /// The launch's NRPS claim is not usable.
    #[error("the launch's NRPS claim: {0}")]
    NrpsClaim(#[source] lti_nrps::Error),
}

impl crate::Tool {
    /// An [`AgsClient`](lti_ags::AgsClient) for the line items a launch offers, authorized through the tool's
    /// [`token_source`](crate::Tool::token_source) at the launch's registration (deployment from the launch);
    /// `None` when the launch carries no AGS claim (checklist K97). Store the claim and the registration to grade
    /// later without a launch: [`AgsClient::new`](lti_ags::AgsClient::new) takes them directly.
    ///
    /// # Errors
    /// [`ServiceSetupError`] naming what is missing or malformed.
    pub fn ags_client(
        &self,
        launch: &crate::Launch,
    ) -> Result<Option<lti_ags::AgsClient>, ServiceSetupError> {
        let Some(claim) = lti_ags::AgsEndpointClaim::from_message(launch.message())
            .map_err(ServiceSetupError::AgsClaim)?
        else {
            return Ok(None);
        };
        let tokens = self
            .token_source()
            .ok_or(ServiceSetupError::NoTokenSource)?;
        let endpoint = service_token_endpoint(launch.registration(), Some(launch.deployment_id()))?;
        Ok(Some(lti_ags::AgsClient::new(
            tokens.clone(),
            endpoint,
            claim,
            std::sync::Arc::clone(self.clock()),
        )))
    }

    /// An [`NrpsClient`](lti_nrps::NrpsClient) and the launch's membership claim, to read the roster with
    /// [`NrpsClient::members`](lti_nrps::NrpsClient::members); `None` when the launch carries no NRPS claim.
    ///
    /// # Errors
    /// [`ServiceSetupError`] naming what is missing or malformed.
    pub fn nrps_client(
        &self,
        launch: &crate::Launch,
    ) -> Result<Option<(lti_nrps::NrpsClient, lti_nrps::NrpsClaim)>, ServiceSetupError> {
        let Some(claim) = launch.message().names_role_service.as_ref() else {
            return Ok(None);
        };
        let claim =
            lti_nrps::NrpsClaim::from_launch(claim).map_err(ServiceSetupError::NrpsClaim)?;
        let tokens = self
            .token_source()
            .ok_or(ServiceSetupError::NoTokenSource)?;
        let endpoint = service_token_endpoint(launch.registration(), Some(launch.deployment_id()))?;
        Ok(Some((
            lti_nrps::NrpsClient::new(tokens.clone(), endpoint),
            claim,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration(audience: Option<&str>) -> PlatformRegistration {
        let mut builder = PlatformRegistration::builder("https://lms.example", "client-1")
            .authorization_endpoint("https://lms.example/auth")
            .token_endpoint("https://lms.example/token")
            .jwks_url("https://lms.example/jwks")
            .deployment("d1");
        if let Some(audience) = audience {
            builder = builder.token_audience(audience);
        }
        builder.build().unwrap()
    }

    #[test]
    fn c70_registration_gives_url_client_id_audience_and_deployment() {
        let endpoint =
            service_token_endpoint(&registration(None), Some(&DeploymentId::new("d1"))).unwrap();
        assert_eq!(endpoint.token_url().as_str(), "https://lms.example/token");
        assert_eq!(endpoint.client_id(), "client-1");
        assert_eq!(endpoint.audience(), "https://lms.example/token");
        assert_eq!(endpoint.deployment_id(), Some("d1"));

        let d2l = registration(Some("https://api.brightspace.com/auth/token"));
        let endpoint = service_token_endpoint(&d2l, None).unwrap();
        assert_eq!(
            endpoint.audience(),
            "https://api.brightspace.com/auth/token"
        );
        assert_eq!(endpoint.deployment_id(), None);
    }

    #[test]
    fn an_unvalidated_registration_with_an_http_token_url_is_refused() {
        let mut json = serde_json::to_value(registration(None)).unwrap();
        json["token_endpoint"] = "http://lms.example/token".into();
        let tampered: PlatformRegistration = serde_json::from_value(json).unwrap();
        assert!(matches!(
            service_token_endpoint(&tampered, None),
            Err(TokenError::InsecureEndpoint { .. })
        ));
    }
}
