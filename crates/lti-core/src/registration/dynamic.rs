//! LTI Dynamic Registration 1.0 wire types [DR §3.4–§3.6]: the tool's client registration request (with the
//! `https://purl.imsglobal.org/spec/lti-tool-configuration` object), the platform's OpenID configuration (with
//! `https://purl.imsglobal.org/spec/lti-platform-configuration`), and the checks a platform applies to a request
//! (DR §3.5.2, `dynamic-registration.md` §6.3).
//!
//! Every type keeps unknown members (vendor keys, localised `field#lang` keys) in `extra`, so a registration read
//! and written back loses nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{RegistrationError, ToolRegistration, ToolRegistrationBuilder};

/// The key of the LTI tool configuration object in a client registration.
pub const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";
/// The key of the LTI platform configuration object in an OpenID configuration.
pub const PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";

/// A client registration request (or the platform's answer, which echoes it with `client_id` and the
/// deployment) [DR §3.5.2, §3.6.1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRegistration {
    /// `"web"`.
    pub application_type: String,
    /// Must contain `implicit` and `client_credentials`.
    pub grant_types: Vec<String>,
    /// Must contain `id_token`.
    pub response_types: Vec<String>,
    /// Every launch redirect URI the tool uses (at least one).
    pub redirect_uris: Vec<String>,
    /// The OIDC login initiation URL.
    pub initiate_login_uri: String,
    /// Display name.
    pub client_name: String,
    /// The tool's JWKS URL.
    pub jwks_uri: String,
    /// `"private_key_jwt"`.
    pub token_endpoint_auth_method: String,
    /// Space-separated scopes requested (in a response: granted).
    #[serde(default)]
    pub scope: String,
    /// Set by the platform in its response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Contact emails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// The LTI tool configuration.
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-tool-configuration")]
    pub tool_configuration: ToolConfiguration,
    /// Other members, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `https://purl.imsglobal.org/spec/lti-tool-configuration` (DR `#tool-configuration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolConfiguration {
    /// The tool's primary host, without scheme (a port is allowed).
    pub domain: String,
    /// Other hosts the tool uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_domains: Vec<String>,
    /// Set by the platform in its response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The default launch URL.
    pub target_link_uri: String,
    /// Custom parameters sent on every launch (values may be `$Variables`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_parameters: BTreeMap<String, String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Message types beyond the default resource link launch.
    #[serde(default)]
    pub messages: Vec<MessageConfiguration>,
    /// The OIDC claims the tool wants (`name`, `email`, ...): the platform maps them to privacy settings.
    #[serde(default)]
    pub claims: Vec<String>,
    /// Other members, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One message a tool supports (DR `#tool-configuration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageConfiguration {
    /// The message type, e.g. `LtiDeepLinkingRequest`.
    #[serde(rename = "type")]
    pub message_type: String,
    /// Launch URL for this message type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_link_uri: Option<String>,
    /// User-facing label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Extra custom parameters for this message.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_parameters: BTreeMap<String, String>,
    /// Placements, e.g. `ContentArea`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<String>,
    /// Content item types a deep-linking tool can return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_types: Vec<String>,
    /// Other members, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClientRegistration {
    /// A request with the fixed members set as DR requires (`web`, `implicit` + `client_credentials`, `id_token`,
    /// `private_key_jwt`); fill in the rest.
    pub fn new(
        client_name: impl Into<String>,
        initiate_login_uri: impl Into<String>,
        redirect_uris: Vec<String>,
        jwks_uri: impl Into<String>,
        tool_configuration: ToolConfiguration,
    ) -> Self {
        Self {
            application_type: "web".to_owned(),
            grant_types: vec!["implicit".to_owned(), "client_credentials".to_owned()],
            response_types: vec!["id_token".to_owned()],
            redirect_uris,
            initiate_login_uri: initiate_login_uri.into(),
            client_name: client_name.into(),
            jwks_uri: jwks_uri.into(),
            token_endpoint_auth_method: "private_key_jwt".to_owned(),
            scope: String::new(),
            client_id: None,
            logo_uri: None,
            contacts: Vec::new(),
            tool_configuration,
            extra: Map::new(),
        }
    }

    /// The scopes requested, split.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    /// The platform-side checks of a request (DR §3.5.2): the fixed members, at least one redirect URI, the
    /// required URLs and the tool configuration's `domain` and `target_link_uri`. URL schemes are checked when the
    /// registration is built ([`to_tool_registration`](Self::to_tool_registration)).
    ///
    /// # Errors
    /// [`RegistrationError::MissingField`], [`RegistrationError::EmptyField`] or [`RegistrationError::NoRedirectUri`]
    /// naming the member.
    pub fn check(&self) -> Result<(), RegistrationError> {
        let fixed: [(&'static str, bool); 5] = [
            ("application_type", self.application_type == "web"),
            (
                "grant_types",
                ["implicit", "client_credentials"]
                    .iter()
                    .all(|g| self.grant_types.iter().any(|x| x == g)),
            ),
            (
                "response_types",
                self.response_types.iter().any(|r| r == "id_token"),
            ),
            (
                "token_endpoint_auth_method",
                self.token_endpoint_auth_method == "private_key_jwt",
            ),
            ("client_name", !self.client_name.trim().is_empty()),
        ];
        for (field, ok) in fixed {
            if !ok {
                return Err(RegistrationError::InvalidDynamicField {
                    field,
                    expected: expected_value(field),
                });
            }
        }
        if self.redirect_uris.is_empty() {
            return Err(RegistrationError::NoRedirectUri);
        }
        let required = [
            ("initiate_login_uri", &self.initiate_login_uri),
            ("jwks_uri", &self.jwks_uri),
            (
                "https://purl.imsglobal.org/spec/lti-tool-configuration#domain",
                &self.tool_configuration.domain,
            ),
            (
                "https://purl.imsglobal.org/spec/lti-tool-configuration#target_link_uri",
                &self.tool_configuration.target_link_uri,
            ),
        ];
        for (field, value) in required {
            if value.trim().is_empty() {
                return Err(RegistrationError::EmptyField { field });
            }
        }
        Ok(())
    }

    /// A platform-side [`ToolRegistration`] builder for this request, after [`check`](Self::check): the client
    /// id, redirect URIs, login URL, JWKS URL, default target, the requested scopes that `allowed_scopes`
    /// contains, the custom parameters, and the privacy settings from the `claims` the tool asked for (`name`,
    /// `given_name`, `family_name` → names; `email` → email). Add the deployment and build it.
    ///
    /// # Errors
    /// As [`check`](Self::check).
    pub fn to_tool_registration(
        &self,
        client_id: impl Into<crate::ClientId>,
        allowed_scopes: &[&str],
    ) -> Result<ToolRegistrationBuilder, RegistrationError> {
        self.check()?;
        let config = &self.tool_configuration;
        let mut builder = ToolRegistration::builder(client_id)
            .name(self.client_name.clone())
            .initiate_login_uri(self.initiate_login_uri.clone())
            .target_link_uri(config.target_link_uri.clone())
            .jwks_url(self.jwks_uri.clone())
            .include_name(
                config
                    .claims
                    .iter()
                    .any(|c| matches!(c.as_str(), "name" | "given_name" | "family_name")),
            )
            .include_email(config.claims.iter().any(|c| c == "email"));
        for uri in &self.redirect_uris {
            builder = builder.redirect_uri(uri.clone());
        }
        for scope in self.scopes().filter(|s| allowed_scopes.contains(s)) {
            builder = builder.scope(scope);
        }
        for (name, value) in &config.custom_parameters {
            builder = builder.custom(name.clone(), value.clone());
        }
        Ok(builder)
    }
}

fn expected_value(field: &str) -> &'static str {
    match field {
        "application_type" => "`web`",
        "grant_types" => "both `implicit` and `client_credentials`",
        "response_types" => "`id_token`",
        "token_endpoint_auth_method" => "`private_key_jwt`",
        _ => "a non-empty name",
    }
}

/// The platform's OpenID configuration (DR §3.4, `#platform-configuration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformConfiguration {
    /// The platform's issuer.
    pub issuer: String,
    /// The OIDC authorization endpoint.
    pub authorization_endpoint: String,
    /// Where tools post their registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// The platform JWKS.
    pub jwks_uri: String,
    /// The OAuth 2.0 token endpoint.
    pub token_endpoint: String,
    /// The client-assertion audience when it is not the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
    /// Contains `private_key_jwt`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Contains `RS256`.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// `openid` and the LTI service scopes offered.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Contains `id_token`.
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    /// `public` and/or `pairwise`.
    #[serde(default)]
    pub subject_types_supported: Vec<String>,
    /// Contains `RS256`.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Claims the platform can send.
    #[serde(default)]
    pub claims_supported: Vec<String>,
    /// The LTI platform configuration (kept as JSON: `messages_supported` comes in two shapes in the wild).
    #[serde(
        rename = "https://purl.imsglobal.org/spec/lti-platform-configuration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub platform_configuration: Option<Value>,
    /// Other members, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PlatformConfiguration {
    /// The audience a client assertion names: `authorization_server` when given, else the token endpoint.
    pub fn token_audience(&self) -> &str {
        self.authorization_server
            .as_deref()
            .unwrap_or(&self.token_endpoint)
    }
}
