//! Platform side: what a platform knows about one registered tool.

use std::collections::{BTreeMap, BTreeSet};

use lti_security::VerifyingKey;
use serde::{Deserialize, Serialize};
use url::Url;

use super::url_rules::{check_redirect_uri, check_secure, secure_url};
use super::{RegistrationError, RegistrationWarning};
use crate::{ClientId, DeploymentId};

/// How the platform gets the tool's public keys (for tool-originating messages and client assertions)
/// [Sec §5.4, §6].
///
/// Serialized externally tagged: `{"jwks_url": "https://…"}` or `{"static": "-----BEGIN PUBLIC KEY-----…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToolKeys {
    /// The tool publishes a JWKS at this URL (preferred: lets the tool rotate keys).
    JwksUrl(Url),
    /// One public key given at registration: a JWK as JSON text (starts with `{`) or a PEM `PUBLIC KEY`.
    Static(String),
}

impl ToolKeys {
    /// Parses the static key; `None` for [`ToolKeys::JwksUrl`].
    ///
    /// # Errors
    /// [`RegistrationError::InvalidStaticKey`] when the text is no usable public JWK or PEM key.
    pub fn static_key(&self) -> Result<Option<VerifyingKey>, RegistrationError> {
        let Self::Static(text) = self else {
            return Ok(None);
        };
        let text = text.trim();
        let parsed = if text.starts_with('{') {
            VerifyingKey::from_jwk_json(text)
        } else {
            VerifyingKey::from_public_pem(text)
        };
        parsed
            .map(Some)
            .map_err(|e| RegistrationError::InvalidStaticKey {
                reason: e.to_string(),
            })
    }

    fn validate(&self) -> Result<(), RegistrationError> {
        match self {
            Self::JwksUrl(url) => check_secure("keys", url),
            Self::Static(_) => self.static_key().map(|_| ()),
        }
    }
}

/// A tool as registered in a platform, keyed by its `client_id` [Core §3.1.3; Sec §5.1.1].
///
/// Build with [`ToolRegistration::builder`], which checks the URLs (see the [module docs](super)).
/// Deserializing does not re-check: call [`validate`](Self::validate) on values from untrusted storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRegistration {
    client_id: ClientId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    redirect_uris: Vec<String>,
    initiate_login_uri: Url,
    target_link_uri: Url,
    keys: ToolKeys,
    #[serde(default)]
    deployments: BTreeSet<DeploymentId>,
    #[serde(default)]
    scopes: BTreeSet<String>,
    #[serde(default)]
    include_name: bool,
    #[serde(default)]
    include_email: bool,
    #[serde(default)]
    custom: BTreeMap<String, String>,
}

impl ToolRegistration {
    /// Starts the registration of the tool known as `client_id`.
    pub fn builder(client_id: impl Into<ClientId>) -> ToolRegistrationBuilder {
        ToolRegistrationBuilder {
            client_id: client_id.into(),
            name: None,
            redirect_uris: Vec::new(),
            initiate_login_uri: None,
            target_link_uri: None,
            keys: None,
            deployments: BTreeSet::new(),
            scopes: BTreeSet::new(),
            include_name: false,
            include_email: false,
            custom: BTreeMap::new(),
        }
    }

    /// The tool's client id (the registration key).
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// A display name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The registered redirect URIs, as given.
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// Whether `redirect_uri` is registered, compared byte for byte (no normalisation) [Sec §5.1.1.2;
    /// OIDC Core §3.1.2.1].
    pub fn accepts_redirect_uri(&self, redirect_uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == redirect_uri)
    }

    /// The tool's OIDC login initiation URL (step 1 of the launch) [Sec §5.1.1.1].
    pub fn initiate_login_uri(&self) -> &Url {
        &self.initiate_login_uri
    }

    /// The default launch URL, used when a link gives none [Core §5.3.4].
    pub fn target_link_uri(&self) -> &Url {
        &self.target_link_uri
    }

    /// Where the tool's public keys come from.
    pub fn keys(&self) -> &ToolKeys {
        &self.keys
    }

    /// The deployments of the tool in this platform.
    pub fn deployments(&self) -> impl Iterator<Item = &DeploymentId> {
        self.deployments.iter()
    }

    /// Whether `deployment` belongs to this tool.
    pub fn accepts_deployment(&self, deployment: &DeploymentId) -> bool {
        self.deployments.contains(deployment)
    }

    /// Records a deployment; `false` if it was already known.
    pub fn add_deployment(&mut self, deployment: DeploymentId) -> bool {
        self.deployments.insert(deployment)
    }

    /// The service scopes the tool may be granted (AGS, NRPS, ...).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scopes.iter().map(String::as_str)
    }

    /// Whether the tool may be granted `scope`.
    pub fn allows_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// Whether launches may carry the user's name claims (`name`, `given_name`, `family_name`). Default `false`.
    pub fn include_name(&self) -> bool {
        self.include_name
    }

    /// Whether launches may carry the user's `email`. Default `false`.
    pub fn include_email(&self) -> bool {
        self.include_email
    }

    /// Custom parameters sent on every launch (values may be `$Variables`) [Core §5.4.6].
    pub fn custom(&self) -> &BTreeMap<String, String> {
        &self.custom
    }

    /// Re-checks every rule the builder checks.
    ///
    /// # Errors
    /// The first [`RegistrationError`] found.
    pub fn validate(&self) -> Result<Vec<RegistrationWarning>, RegistrationError> {
        if self.client_id.as_str().is_empty() {
            return Err(RegistrationError::EmptyField { field: "client_id" });
        }
        if self.redirect_uris.is_empty() {
            return Err(RegistrationError::NoRedirectUri);
        }
        for uri in &self.redirect_uris {
            check_redirect_uri(uri)?;
        }
        check_secure("initiate_login_uri", &self.initiate_login_uri)?;
        check_secure("target_link_uri", &self.target_link_uri)?;
        self.keys.validate()?;
        if self.deployments.iter().any(|d| d.as_str().is_empty()) {
            return Err(RegistrationError::EmptyField {
                field: "deployments",
            });
        }
        if self
            .scopes
            .iter()
            .any(|s| s.is_empty() || s.contains(char::is_whitespace))
        {
            return Err(RegistrationError::EmptyField { field: "scopes" });
        }
        Ok(Vec::new())
    }
}

/// Builds a checked [`ToolRegistration`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ToolRegistrationBuilder {
    client_id: ClientId,
    name: Option<String>,
    redirect_uris: Vec<String>,
    initiate_login_uri: Option<String>,
    target_link_uri: Option<String>,
    keys: Option<KeysInput>,
    deployments: BTreeSet<DeploymentId>,
    scopes: BTreeSet<String>,
    include_name: bool,
    include_email: bool,
    custom: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
enum KeysInput {
    JwksUrl(String),
    Static(String),
}

impl ToolRegistrationBuilder {
    /// A display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a redirect URI (at least one is required); launches may only be posted to a registered one.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// The OIDC login initiation URL (required).
    pub fn initiate_login_uri(mut self, url: impl Into<String>) -> Self {
        self.initiate_login_uri = Some(url.into());
        self
    }

    /// The default launch URL (required).
    pub fn target_link_uri(mut self, url: impl Into<String>) -> Self {
        self.target_link_uri = Some(url.into());
        self
    }

    /// The tool's JWKS URL (this or [`static_key`](Self::static_key) is required).
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.keys = Some(KeysInput::JwksUrl(url.into()));
        self
    }

    /// One static public key: a JWK as JSON text or a PEM `PUBLIC KEY`.
    pub fn static_key(mut self, key: impl Into<String>) -> Self {
        self.keys = Some(KeysInput::Static(key.into()));
        self
    }

    /// Adds a deployment of the tool.
    pub fn deployment(mut self, deployment: impl Into<DeploymentId>) -> Self {
        self.deployments.insert(deployment.into());
        self
    }

    /// Allows a service scope (one scope string, no spaces).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.insert(scope.into());
        self
    }

    /// Lets launches carry the user's name claims.
    pub fn include_name(mut self, include: bool) -> Self {
        self.include_name = include;
        self
    }

    /// Lets launches carry the user's email.
    pub fn include_email(mut self, include: bool) -> Self {
        self.include_email = include;
        self
    }

    /// Adds a custom parameter sent on every launch.
    pub fn custom(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }

    /// Checks and builds; warnings (none are defined for tools yet) are logged at `warn`.
    ///
    /// # Errors
    /// The first [`RegistrationError`] found.
    pub fn build(self) -> Result<ToolRegistration, RegistrationError> {
        let url = |field: &'static str, value: Option<String>| -> Result<Url, RegistrationError> {
            secure_url(
                field,
                &value.ok_or(RegistrationError::MissingField { field })?,
            )
        };
        let keys = match self
            .keys
            .ok_or(RegistrationError::MissingField { field: "keys" })?
        {
            KeysInput::JwksUrl(value) => ToolKeys::JwksUrl(secure_url("keys", &value)?),
            KeysInput::Static(text) => ToolKeys::Static(text),
        };
        let registration = ToolRegistration {
            initiate_login_uri: url("initiate_login_uri", self.initiate_login_uri)?,
            target_link_uri: url("target_link_uri", self.target_link_uri)?,
            keys,
            client_id: self.client_id,
            name: self.name,
            redirect_uris: self.redirect_uris,
            deployments: self.deployments,
            scopes: self.scopes,
            include_name: self.include_name,
            include_email: self.include_email,
            custom: self.custom,
        };
        for warning in registration.validate()? {
            tracing::warn!(client_id = %registration.client_id, "{warning}");
        }
        Ok(registration)
    }
}
