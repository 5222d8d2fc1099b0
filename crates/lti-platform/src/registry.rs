//! Where the platform finds the tools it can launch.

use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;
use lti_core::{ClientId, ToolRegistration};

use crate::PlatformError;

/// The platform's tool registrations, looked up by `client_id`. Implement it over the LMS's own database, or
/// use [`StaticToolRegistry`].
#[async_trait]
pub trait ToolRegistry: Send + Sync + fmt::Debug {
    /// The registration of `client_id`, or `None` when no tool has it.
    ///
    /// # Errors
    /// A backend failure, wrapped with [`PlatformError::registry`].
    async fn find(&self, client_id: &ClientId) -> Result<Option<ToolRegistration>, PlatformError>;
}

/// An in-memory, fixed set of tool registrations.
#[derive(Debug, Clone, Default)]
pub struct StaticToolRegistry {
    tools: HashMap<ClientId, ToolRegistration>,
}

impl StaticToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a registration, keyed by its `client_id`.
    #[must_use]
    pub fn with(mut self, registration: ToolRegistration) -> Self {
        self.insert(registration);
        self
    }

    /// Adds (or replaces) a registration; returns the one it replaced.
    pub fn insert(&mut self, registration: ToolRegistration) -> Option<ToolRegistration> {
        self.tools
            .insert(registration.client_id().clone(), registration)
    }
}

#[async_trait]
impl ToolRegistry for StaticToolRegistry {
    async fn find(&self, client_id: &ClientId) -> Result<Option<ToolRegistration>, PlatformError> {
        Ok(self.tools.get(client_id).cloned())
    }
}
