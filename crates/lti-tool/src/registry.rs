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
