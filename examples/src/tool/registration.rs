//! The tool's own registration in the Dynamic Registration format [DR §3.5.2]: what
//! `GET /.well-known/lti-tool-registration.json` serves and `reference-platform tools add` accepts.

use lti_core::registration::dynamic::{
    ClientRegistration, MessageConfiguration, ToolConfiguration,
};

use super::config::ToolServerConfig;

/// The service scopes the tool asks for: AGS line items, results and scores, NRPS memberships
/// [AGS §3.1; NRPS §3.6.1.1].
pub(crate) const SCOPES: [&str; 4] = [
    lti_ags::scope::LINE_ITEM,
    lti_ags::scope::RESULT_READONLY,
    lti_ags::scope::SCORE,
    lti_nrps::uri::SCOPE_CONTEXT_MEMBERSHIP_READONLY,
];

/// The tool's client registration: login URL, the launch URL as the only redirect URI, the JWKS URL, the
/// default target, the deep-linking message, the service scopes and the claims it wants (name, email).
pub fn tool_registration(config: &ToolServerConfig) -> ClientRegistration {
    let domain = match config.base_url().port() {
        Some(port) => format!(
            "{}:{port}",
            config.base_url().host_str().unwrap_or_default()
        ),
        None => config.base_url().host_str().unwrap_or_default().to_owned(),
    };
    let tool_configuration = ToolConfiguration {
        domain,
        target_link_uri: config.target_link_uri().to_string(),
        description: Some(
            "lti-rs reference tool: launch diagnostics, services, deep linking".into(),
        ),
        messages: vec![
            MessageConfiguration {
                message_type: "LtiResourceLinkRequest".into(),
                ..MessageConfiguration::default()
            },
            MessageConfiguration {
                message_type: "LtiDeepLinkingRequest".into(),
                target_link_uri: Some(config.deep_link_uri().to_string()),
                label: Some("lti-rs reference tool activities".into()),
                supported_types: vec!["ltiResourceLink".into()],
                ..MessageConfiguration::default()
            },
        ],
        claims: ["iss", "sub", "name", "given_name", "family_name", "email"]
            .map(str::to_owned)
            .to_vec(),
        ..ToolConfiguration::default()
    };
    let mut registration = ClientRegistration::new(
        "lti-rs reference tool",
        config.login_url().to_string(),
        vec![config.launch_url().to_string()],
        config.jwks_url().to_string(),
        tool_configuration,
    );
    registration.scope = SCOPES.join(" ");
    registration
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn registration_passes_the_platform_side_checks() {
        let config = ToolServerConfig::new("http://127.0.0.1:8100/", "d").unwrap();
        let registration = tool_registration(&config);
        registration.check().unwrap();
        assert_eq!(registration.tool_configuration.domain, "127.0.0.1:8100");
        let tool = registration
            .to_tool_registration("c1", &SCOPES)
            .unwrap()
            .deployment("d1")
            .build()
            .unwrap();
        assert_eq!(tool.client_id().as_str(), "c1");
    }
}
