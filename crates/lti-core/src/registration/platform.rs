//! Tool side: what a tool knows about one platform registration.

use std::collections::BTreeSet;

use lti_security::AlgorithmSet;
use serde::{Deserialize, Serialize};
use url::Url;

use super::url_rules::{check_issuer, check_secure, jwks_domain_warning, secure_url};
use super::{RegistrationError, RegistrationWarning};
use crate::{ClientId, DeploymentId, Issuer};

/// The key of a [`PlatformRegistration`]: (issuer, client_id). One issuer can have many client ids (Canvas cloud
/// uses one issuer for every customer), so the issuer alone never identifies a registration [Core §3.1.3;
/// Sec §5.1.1.1].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlatformKey {
    /// The platform issuer (`iss`).
    pub issuer: Issuer,
    /// The tool's client id at that issuer.
    pub client_id: ClientId,
}

impl PlatformKey {
    /// The key of `issuer` + `client_id`.
    pub fn new(issuer: impl Into<Issuer>, client_id: impl Into<ClientId>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
        }
    }
}

/// A platform as registered in a tool: its endpoints, its key set and the deployments of the tool in it
/// [Core §3.1.3; Sec §5.1.1].
///
/// Build with [`PlatformRegistration::builder`], which checks the URLs (see the [module docs](super)).
/// Deserializing does not re-check: call [`validate`](Self::validate) on values from untrusted storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformRegistration {
    issuer: Issuer,
    client_id: ClientId,
    authorization_endpoint: Url,
    token_endpoint: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_audience: Option<String>,
    jwks_url: Url,
    #[serde(default, with = "algorithms")]
    algorithms: AlgorithmSet,
    #[serde(default)]
    deployments: BTreeSet<DeploymentId>,
}

impl PlatformRegistration {
    /// Starts a registration of `client_id` at `issuer`.
    pub fn builder(
        issuer: impl Into<Issuer>,
        client_id: impl Into<ClientId>,
    ) -> PlatformRegistrationBuilder {
        PlatformRegistrationBuilder {
            issuer: issuer.into(),
            client_id: client_id.into(),
            authorization_endpoint: None,
            token_endpoint: None,
            token_audience: None,
            jwks_url: None,
            algorithms: AlgorithmSet::default(),
            deployments: BTreeSet::new(),
        }
    }

    /// The registration key (issuer, client_id).
    pub fn key(&self) -> PlatformKey {
        PlatformKey::new(self.issuer.clone(), self.client_id.clone())
    }

    /// The platform issuer (`iss`).
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The tool's client id at this platform.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The OIDC authorization endpoint (step 2 of the launch) [Sec §5.1.1.2].
    pub fn authorization_endpoint(&self) -> &Url {
        &self.authorization_endpoint
    }

    /// The OAuth 2 token endpoint for service access [Sec §4.1].
    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    /// The `aud` of the client-assertion JWT: the configured audience (D2L Brightspace uses a separate one), else
    /// the token endpoint [Sec §4.1.1].
    pub fn token_audience(&self) -> &str {
        self.token_audience
            .as_deref()
            .unwrap_or(self.token_endpoint.as_str())
    }

    /// The platform's JWKS URL.
    pub fn jwks_url(&self) -> &Url {
        &self.jwks_url
    }

    /// The signature algorithms accepted from this platform (default `{RS256}`).
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// The known deployments of the tool in this platform.
    pub fn deployments(&self) -> impl Iterator<Item = &DeploymentId> {
        self.deployments.iter()
    }

    /// Whether `deployment` is a known deployment of this registration [Core §3.1.3].
    pub fn accepts_deployment(&self, deployment: &DeploymentId) -> bool {
        self.deployments.contains(deployment)
    }

    /// Records a deployment (e.g. accepted by an auto-accept policy); `false` if it was already known.
    pub fn add_deployment(&mut self, deployment: DeploymentId) -> bool {
        self.deployments.insert(deployment)
    }

    /// Forgets a deployment; `false` if it was not known.
    pub fn remove_deployment(&mut self, deployment: &DeploymentId) -> bool {
        self.deployments.remove(deployment)
    }

    /// Re-checks every rule the builder checks.
    ///
    /// # Errors
    /// The first [`RegistrationError`] found.
    pub fn validate(&self) -> Result<Vec<RegistrationWarning>, RegistrationError> {
        let issuer = check_issuer(self.issuer.as_str())?;
        if self.client_id.as_str().is_empty() {
            return Err(RegistrationError::EmptyField { field: "client_id" });
        }
        check_secure("authorization_endpoint", &self.authorization_endpoint)?;
        check_secure("token_endpoint", &self.token_endpoint)?;
        check_secure("jwks_url", &self.jwks_url)?;
        if self.token_audience.as_deref() == Some("") {
            return Err(RegistrationError::EmptyField {
                field: "token_audience",
            });
        }
        if self.algorithms == AlgorithmSet::EMPTY {
            return Err(RegistrationError::NoAlgorithm);
        }
        if self.deployments.iter().any(|d| d.as_str().is_empty()) {
            return Err(RegistrationError::EmptyField {
                field: "deployments",
            });
        }
        Ok(jwks_domain_warning(&issuer, &self.jwks_url)
            .into_iter()
            .collect())
    }
}

/// Builds a checked [`PlatformRegistration`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PlatformRegistrationBuilder {
    issuer: Issuer,
    client_id: ClientId,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    token_audience: Option<String>,
    jwks_url: Option<String>,
    algorithms: AlgorithmSet,
    deployments: BTreeSet<DeploymentId>,
}

impl PlatformRegistrationBuilder {
    /// The OIDC authorization endpoint (required).
    pub fn authorization_endpoint(mut self, url: impl Into<String>) -> Self {
        self.authorization_endpoint = Some(url.into());
        self
    }

    /// The OAuth 2 token endpoint (required).
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// A client-assertion audience other than the token endpoint (D2L Brightspace).
    pub fn token_audience(mut self, audience: impl Into<String>) -> Self {
        self.token_audience = Some(audience.into());
        self
    }

    /// The platform JWKS URL (required).
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// The accepted signature algorithms (default `{RS256}`).
    pub fn algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Adds a known deployment; call once per deployment (one client id can have many [Core §3.1.3]).
    pub fn deployment(mut self, deployment: impl Into<DeploymentId>) -> Self {
        self.deployments.insert(deployment.into());
        self
    }

    /// Checks and builds; warnings are logged at `warn` and dropped (see
    /// [`build_with_warnings`](Self::build_with_warnings)).
    ///
    /// # Errors
    /// The first [`RegistrationError`] found.
    pub fn build(self) -> Result<PlatformRegistration, RegistrationError> {
        self.build_with_warnings()
            .map(|(registration, _)| registration)
    }

    /// Checks and builds, returning the warnings too (each is also logged at `warn`).
    ///
    /// # Errors
    /// The first [`RegistrationError`] found.
    pub fn build_with_warnings(
        self,
    ) -> Result<(PlatformRegistration, Vec<RegistrationWarning>), RegistrationError> {
        check_issuer(self.issuer.as_str())?;
        let url = |field: &'static str, value: Option<String>| -> Result<Url, RegistrationError> {
            secure_url(
                field,
                &value.ok_or(RegistrationError::MissingField { field })?,
            )
        };
        let registration = PlatformRegistration {
            authorization_endpoint: url("authorization_endpoint", self.authorization_endpoint)?,
            token_endpoint: url("token_endpoint", self.token_endpoint)?,
            jwks_url: url("jwks_url", self.jwks_url)?,
            issuer: self.issuer,
            client_id: self.client_id,
            token_audience: self.token_audience,
            algorithms: self.algorithms,
            deployments: self.deployments,
        };
        let warnings = registration.validate()?;
        for warning in &warnings {
            tracing::warn!(
                iss = %registration.issuer,
                client_id = %registration.client_id,
                "{warning}"
            );
        }
        Ok((registration, warnings))
    }
}

/// Serde of an [`AlgorithmSet`] as a list of JOSE names (`["RS256"]`).
mod algorithms {
    use lti_security::{Algorithm, AlgorithmSet};
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(
        set: &AlgorithmSet,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(set.iter().map(Algorithm::name))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<AlgorithmSet, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|name| Algorithm::from_name(name).map_err(D::Error::custom))
            .collect()
    }
}
