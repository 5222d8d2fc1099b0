//! Finding the platform registration for a login or a launch, by issuer and client id [Core §4.1.3].

use std::error::Error as StdError;
use std::fmt::Debug;

use async_trait::async_trait;
use lti_core::{ClientId, Issuer, PlatformRegistration};

/// Where the tool keeps its platform registrations, keyed by (`issuer`, `client_id`).
#[async_trait]
pub trait PlatformRegistry: Send + Sync + Debug {
    /// The registration for `issuer` and `client_id`.
    ///
    /// With `client_id`: the registration with exactly that (`issuer`, `client_id`). Without: the single
    /// registration of `issuer` (checklist A3).
    ///
    /// # Errors
    /// [`RegistryError::Ambiguous`] when `client_id` is absent and `issuer` has several registrations;
    /// [`RegistryError::Backend`] when the storage behind the registry fails.
    async fn find(
        &self,
        issuer: &Issuer,
        client_id: Option<&ClientId>,
    ) -> Result<Option<PlatformRegistration>, RegistryError>;
}

/// Why a registration lookup failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No `client_id` was sent and the issuer has several registrations [Core §4.1.3].
    #[error(
        "issuer `{issuer}` has {count} registrations: expected a `client_id` parameter to choose one"
    )]
    Ambiguous {
        /// The issuer.
        issuer: Issuer,
        /// How many registrations it has.
        count: usize,
    },
    /// The storage behind the registry failed.
    #[error("registration storage failed")]
    Backend(#[source] Box<dyn StdError + Send + Sync>),
}

/// An in-memory registry built from a list of registrations.
#[derive(Debug, Clone, Default)]
pub struct StaticRegistry {
    registrations: Vec<PlatformRegistration>,
}

impl StaticRegistry {
    /// A registry holding `registrations` (a later duplicate of an (`issuer`, `client_id`) pair is ignored).
    pub fn new(registrations: impl IntoIterator<Item = PlatformRegistration>) -> Self {
        let mut out: Vec<PlatformRegistration> = Vec::new();
        for registration in registrations {
            if !out.iter().any(|r| r.key() == registration.key()) {
                out.push(registration);
            }
        }
        Self { registrations: out }
    }

    /// The registrations.
    pub fn registrations(&self) -> &[PlatformRegistration] {
        &self.registrations
    }
}

#[async_trait]
impl PlatformRegistry for StaticRegistry {
    async fn find(
        &self,
        issuer: &Issuer,
        client_id: Option<&ClientId>,
    ) -> Result<Option<PlatformRegistration>, RegistryError> {
        let mut matching = self
            .registrations
            .iter()
            .filter(|r| r.issuer() == issuer)
            .filter(|r| client_id.is_none_or(|c| r.client_id() == c));
        let Some(first) = matching.next() else {
            return Ok(None);
        };
        let rest = matching.count();
        if rest > 0 {
            return Err(RegistryError::Ambiguous {
                issuer: issuer.clone(),
                count: rest.saturating_add(1),
            });
        }
        Ok(Some(first.clone()))
    }
}

/// Registrations in a [`Store`](lti_storage::Store), namespace `lti.tool.registration`, as JSON; shared by every
/// tool instance using the same store.
#[derive(Debug, Clone)]
pub struct StoreRegistry {
    store: std::sync::Arc<dyn lti_storage::Store>,
}

/// Registrations, keyed by (issuer, client id).
const REGISTRATION_NS: lti_storage::Namespace =
    lti_storage::Namespace::new("lti.tool.registration");

impl StoreRegistry {
    /// A registry over `store`.
    pub fn new(store: std::sync::Arc<dyn lti_storage::Store>) -> Self {
        Self { store }
    }

    /// Saves (adds or replaces) `registration`, durably.
    ///
    /// # Errors
    /// [`RegistryError::Backend`] when the store fails or the issuer and client id are too long for a key.
    pub async fn save(&self, registration: &PlatformRegistration) -> Result<(), RegistryError> {
        let key = key(registration.issuer(), Some(registration.client_id()))?;
        let json = serde_json::to_vec(registration).map_err(backend)?;
        self.store
            .put(REGISTRATION_NS, &key, &json, None)
            .await
            .map_err(backend)?;
        self.store.flush().await.map_err(backend)
    }

    /// Removes the registration of (`issuer`, `client_id`); returns whether there was one.
    ///
    /// # Errors
    /// [`RegistryError::Backend`] when the store fails.
    pub async fn remove(
        &self,
        issuer: &Issuer,
        client_id: &ClientId,
    ) -> Result<bool, RegistryError> {
        let key = key(issuer, Some(client_id))?;
        let removed = self
            .store
            .delete(REGISTRATION_NS, &key)
            .await
            .map_err(backend)?;
        self.store.flush().await.map_err(backend)?;
        Ok(removed)
    }
}

#[async_trait]
impl PlatformRegistry for StoreRegistry {
    async fn find(
        &self,
        issuer: &Issuer,
        client_id: Option<&ClientId>,
    ) -> Result<Option<PlatformRegistration>, RegistryError> {
        let key = key(issuer, client_id)?;
        let value = match client_id {
            Some(_) => self
                .store
                .get(REGISTRATION_NS, &key)
                .await
                .map_err(backend)?,
            None => {
                let mut entries = self
                    .store
                    .scan_prefix(REGISTRATION_NS, &key, None, 2)
                    .await
                    .map_err(backend)?;
                if entries.len() > 1 {
                    return Err(RegistryError::Ambiguous {
                        issuer: issuer.clone(),
                        count: entries.len(),
                    });
                }
                entries.pop().map(|e| e.value)
            }
        };
        let Some(value) = value else {
            return Ok(None);
        };
        let registration: PlatformRegistration = serde_json::from_slice(&value).map_err(backend)?;
        registration.validate().map_err(backend)?;
        Ok(Some(registration))
    }
}

/// `len(issuer) as u16 BE ‖ issuer ‖ client_id`: unambiguous, and the issuer part alone is a scan prefix.
fn key(issuer: &Issuer, client_id: Option<&ClientId>) -> Result<Vec<u8>, RegistryError> {
    let issuer = issuer.as_str().as_bytes();
    let len = u16::try_from(issuer.len()).map_err(|_| backend("issuer too long"))?;
    let client = client_id.map(|c| c.as_str().as_bytes()).unwrap_or_default();
    let mut key = Vec::with_capacity(2 + issuer.len() + client.len());
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(issuer);
    key.extend_from_slice(client);
    if key.len() > lti_storage::MAX_KEY_LEN {
        return Err(backend("issuer and client id too long for a store key"));
    }
    Ok(key)
}

fn backend(e: impl Into<Box<dyn StdError + Send + Sync>>) -> RegistryError {
    RegistryError::Backend(e.into())
}
