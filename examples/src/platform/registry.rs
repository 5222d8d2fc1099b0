//! Tool registrations in the store, and registering a tool from the LTI Dynamic Registration client-registration
//! JSON [DR §3.5.2] (`POST /api/tools`, `reference-platform tools add FILE`).

use std::sync::Arc;

use async_trait::async_trait;
use lti_core::registration::dynamic::ClientRegistration;
use lti_core::{ClientId, DeploymentId, RegistrationError, ToolRegistration};
use lti_platform::{PlatformError, ToolRegistry};
use lti_security::random_token;
use lti_storage::{MAX_SCAN_LIMIT, Namespace, Store};
use serde::Serialize;

use super::course::{CourseLink, Courses, DEMO_COURSE};
use super::state::Endpoints;

/// The largest registration body accepted.
pub const MAX_REGISTRATION_BYTES: usize = 64 * 1024;

/// The service scopes a registered tool may be granted (the ones it asks for, of these): AGS and NRPS, as
/// their crates define them.
pub const OFFERED_SCOPES: [&str; 5] = [
    lti_ags::scope::LINE_ITEM,
    lti_ags::scope::LINE_ITEM_READONLY,
    lti_ags::scope::RESULT_READONLY,
    lti_ags::scope::SCORE,
    lti_nrps::uri::SCOPE_CONTEXT_MEMBERSHIP_READONLY,
];

/// Why a registration was refused (all the registering party's fault, 400).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// The body is not the client-registration JSON; `member` is the JSON path that failed.
    #[error("client registration JSON: member `{member}`: {reason}")]
    Json {
        /// The JSON path of the member that failed (`.` for the document).
        member: String,
        /// What was wrong.
        reason: String,
    },
    /// The body is larger than [`MAX_REGISTRATION_BYTES`].
    #[error("client registration JSON is {found} bytes (at most {MAX_REGISTRATION_BYTES})")]
    TooLarge {
        /// The body's size.
        found: usize,
    },
    /// The registration breaks a Dynamic Registration rule (the error names the member).
    #[error("client registration: {0}")]
    Invalid(#[from] RegistrationError),
    /// The store failed.
    #[error("store: {0}")]
    Storage(#[from] lti_storage::Error),
    /// The course data could not be written.
    #[error("course: {0}")]
    Course(#[from] super::course::CourseError),
    /// Random generation failed.
    #[error("random: {0}")]
    Crypto(#[from] lti_security::Error),
}

impl RegisterError {
    /// The machine code of the failure: the OpenID Connect Dynamic Registration error codes
    /// (`invalid_redirect_uri`, `invalid_client_metadata`) for a refused registration [DR §3.6.2].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Json { member, .. } if member.starts_with("redirect_uris") => {
                "invalid_redirect_uri"
            }
            Self::Json { .. } => "invalid_client_metadata",
            Self::TooLarge { .. } => "registration_too_large",
            Self::Invalid(
                RegistrationError::NoRedirectUri | RegistrationError::RedirectUriFragment { .. },
            ) => "invalid_redirect_uri",
            Self::Invalid(
                RegistrationError::InvalidUrl { field, .. }
                | RegistrationError::InsecureUrl { field, .. }
                | RegistrationError::UnsupportedUrl { field, .. },
            ) if *field == "redirect_uris" => "invalid_redirect_uri",
            Self::Invalid(_) => "invalid_client_metadata",
            Self::Storage(_) | Self::Course(_) | Self::Crypto(_) => "internal",
        }
    }

    /// Whether it is our failure rather than the caller's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Storage(_) | Self::Course(_) | Self::Crypto(_))
    }
}

/// What registering a tool produced: the JSON answer of `POST /api/tools` and `tools add`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Registered {
    /// The tool's new client id.
    pub client_id: String,
    /// Its deployment (in `demo-course` only).
    pub deployment_id: String,
    /// The platform's issuer.
    pub issuer: String,
    /// The OIDC authorization endpoint.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The platform's JWKS.
    pub jwks_uri: String,
    /// The context the tool is deployed in.
    pub context_id: String,
    /// The resource link created for the tool in that context.
    pub resource_link_id: String,
    /// The service scopes granted (those asked for that the platform offers).
    pub scope: String,
}

/// [`ToolRegistry`] over the store: registrations as JSON keyed by client id, re-validated when read.
#[derive(Debug, Clone)]
pub struct StoreToolRegistry {
    store: Arc<dyn Store>,
}

impl StoreToolRegistry {
    /// The namespace of registrations.
    pub const TOOLS: Namespace = Namespace::new("ref.platform.tool");

    /// Registrations in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Stores `registration` (replacing one with the same client id) and flushes.
    ///
    /// # Errors
    /// A store failure.
    pub async fn save(&self, registration: &ToolRegistration) -> Result<(), lti_storage::Error> {
        let bytes = super::course::encode(Self::TOOLS, registration)?;
        self.store
            .put(
                Self::TOOLS,
                registration.client_id().as_str().as_bytes(),
                &bytes,
                None,
            )
            .await?;
        self.store.flush().await
    }

    /// Every registration, in client-id order (unreadable records are skipped and logged).
    ///
    /// # Errors
    /// A store failure.
    pub async fn list(&self) -> Result<Vec<ToolRegistration>, lti_storage::Error> {
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan_prefix(Self::TOOLS, b"", after.as_deref(), MAX_SCAN_LIMIT)
                .await?;
            let full = page.len() == MAX_SCAN_LIMIT;
            after = page.last().map(|e| e.key.clone());
            out.extend(page.iter().filter_map(|e| decode(&e.value)));
            if !full {
                return Ok(out);
            }
        }
    }

    /// Registers the tool described by the client-registration JSON `body`: parsed (the failing member named),
    /// checked (DR §3.5.2), given a random client id and deployment, the offered scopes it asked for, saved, and
    /// given a resource link in `demo-course`.
    ///
    /// # Errors
    /// See [`RegisterError`].
    pub async fn register(
        &self,
        body: &[u8],
        endpoints: &Endpoints,
        courses: &Courses,
    ) -> Result<Registered, RegisterError> {
        if body.len() > MAX_REGISTRATION_BYTES {
            return Err(RegisterError::TooLarge { found: body.len() });
        }
        let request = parse_client_registration(body)?;
        let client_id = ClientId::new(format!("tool-{}", random_token(12)?));
        let deployment_id = DeploymentId::new(format!("deployment-{}", random_token(9)?));
        let registration = request
            .to_tool_registration(client_id.clone(), &OFFERED_SCOPES)?
            .deployment(deployment_id.clone())
            .build()?;
        self.save(&registration).await?;
        courses
            .deploy(&client_id, &deployment_id, DEMO_COURSE)
            .await?;
        let link = CourseLink::new(
            random_token(12)?,
            DEMO_COURSE,
            &client_id,
            &deployment_id,
            request.client_name.clone(),
        );
        courses.add_link(&link).await?;
        tracing::info!(
            client_id = client_id.as_str(),
            deployment_id = deployment_id.as_str(),
            name = %request.client_name,
            "tool registered"
        );
        let scope: Vec<&str> = registration.scopes().collect();
        Ok(Registered {
            client_id: client_id.as_str().to_owned(),
            deployment_id: deployment_id.as_str().to_owned(),
            issuer: endpoints.issuer.clone(),
            authorization_endpoint: endpoints.authorization_endpoint.to_string(),
            token_endpoint: endpoints.token_endpoint.to_string(),
            jwks_uri: endpoints.jwks_uri.to_string(),
            context_id: DEMO_COURSE.to_owned(),
            resource_link_id: link.id,
            scope: scope.join(" "),
        })
    }
}

/// Parses the client-registration JSON, naming the member that failed.
///
/// # Errors
/// [`RegisterError::Json`] with the JSON path of the failing member.
pub fn parse_client_registration(body: &[u8]) -> Result<ClientRegistration, RegisterError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed: ClientRegistration =
        serde_path_to_error::deserialize(&mut de).map_err(|e| RegisterError::Json {
            member: e.path().to_string(),
            reason: e.inner().to_string(),
        })?;
    de.end().map_err(|e| RegisterError::Json {
        member: ".".to_owned(),
        reason: e.to_string(),
    })?;
    Ok(parsed)
}

fn decode(bytes: &[u8]) -> Option<ToolRegistration> {
    let registration: ToolRegistration = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "stored tool registration does not parse");
            return None;
        }
    };
    match registration.validate() {
        Ok(_) => Some(registration),
        Err(e) => {
            tracing::error!(client_id = registration.client_id().as_str(), error = %e, "stored tool registration is invalid");
            None
        }
    }
}

#[async_trait]
impl ToolRegistry for StoreToolRegistry {
    async fn find(&self, client_id: &ClientId) -> Result<Option<ToolRegistration>, PlatformError> {
        let key = client_id.as_str().as_bytes();
        if key.len() > lti_storage::MAX_KEY_LEN {
            return Ok(None);
        }
        let bytes = self
            .store
            .get(Self::TOOLS, key)
            .await
            .map_err(PlatformError::registry)?;
        Ok(bytes.as_deref().and_then(decode))
    }
}
