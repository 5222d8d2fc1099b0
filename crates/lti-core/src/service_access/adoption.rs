//! [`ContextAdoption`]: which tools are deployed in which contexts, and a [`Store`]-backed implementation.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use lti_storage::{Namespace, Store};

use super::{ServiceAccessError, ServiceCaller};
use crate::{ClientId, ContextId, DeploymentId};

/// Whether a tool may reach a context's services: the tool is deployed in (has been adopted by) the context.
///
/// A platform with its own course database implements it there; [`StoreContextAdoption`] keeps the answer in a
/// [`Store`].
#[async_trait]
pub trait ContextAdoption: Send + Sync + fmt::Debug {
    /// Whether `caller`'s tool is adopted in `context_id`. When the caller's token names a deployment, the
    /// adoption must be by that deployment.
    ///
    /// # Errors
    /// [`ServiceAccessError::Storage`] when the lookup fails.
    async fn is_adopted(
        &self,
        caller: &ServiceCaller,
        context_id: &ContextId,
    ) -> Result<bool, ServiceAccessError>;
}

/// [`ContextAdoption`] over a [`Store`]: one record per (client id, context id, deployment id), keys
/// length-prefixed so that values never run together.
#[derive(Clone)]
pub struct StoreContextAdoption {
    store: Arc<dyn Store>,
}

/// The namespace of adoption records.
const NS: Namespace = Namespace::new("lti.core.adoption");

impl StoreContextAdoption {
    /// Adoption records in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records that `deployment_id` of tool `client_id` is deployed in `context_id`, durably (flushed).
    ///
    /// # Errors
    /// Storage failure, or ids too long for a key ([`lti_storage::Error::KeyTooLong`]).
    pub async fn adopt(
        &self,
        client_id: &ClientId,
        deployment_id: &DeploymentId,
        context_id: &ContextId,
    ) -> Result<(), lti_storage::Error> {
        let key = key(client_id, context_id, Some(deployment_id));
        self.store.put(NS, &key, b"1", None).await?;
        self.store.flush().await
    }

    /// Removes the adoption; returns whether there was one.
    ///
    /// # Errors
    /// Storage failure.
    pub async fn withdraw(
        &self,
        client_id: &ClientId,
        deployment_id: &DeploymentId,
        context_id: &ContextId,
    ) -> Result<bool, lti_storage::Error> {
        let removed = self
            .store
            .delete(NS, &key(client_id, context_id, Some(deployment_id)))
            .await?;
        self.store.flush().await?;
        Ok(removed)
    }
}

impl fmt::Debug for StoreContextAdoption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreContextAdoption")
            .field("namespace", &NS)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ContextAdoption for StoreContextAdoption {
    async fn is_adopted(
        &self,
        caller: &ServiceCaller,
        context_id: &ContextId,
    ) -> Result<bool, ServiceAccessError> {
        let found = match &caller.deployment_id {
            Some(deployment) => self
                .store
                .get(NS, &key(&caller.client_id, context_id, Some(deployment)))
                .await?
                .is_some(),
            None => !self
                .store
                .scan_prefix(NS, &key(&caller.client_id, context_id, None), None, 1)
                .await?
                .is_empty(),
        };
        Ok(found)
    }
}

/// `len(client) client len(context) context [len(deployment) deployment]`, lengths as u32 big-endian.
fn key(
    client_id: &ClientId,
    context_id: &ContextId,
    deployment_id: Option<&DeploymentId>,
) -> Vec<u8> {
    let mut key = Vec::new();
    let parts = [
        Some(client_id.as_str()),
        Some(context_id.as_str()),
        deployment_id.map(DeploymentId::as_str),
    ];
    for part in parts.into_iter().flatten() {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        key.extend_from_slice(&len.to_be_bytes());
        key.extend_from_slice(part.as_bytes());
    }
    key
}

#[cfg(test)]
mod tests {
    use lti_security::oauth::Scopes;
    use lti_storage::MemoryStore;

    use super::*;

    fn caller(client: &str, deployment: Option<&str>) -> ServiceCaller {
        ServiceCaller::new(
            ClientId::from(client),
            deployment.map(DeploymentId::from),
            Scopes::new(),
        )
    }

    #[tokio::test]
    async fn adoption_is_per_tool_context_and_deployment() {
        let adoption = StoreContextAdoption::new(Arc::new(MemoryStore::new()));
        let ctx = ContextId::from("course-1");
        adoption
            .adopt(&ClientId::from("tool-a"), &DeploymentId::from("d1"), &ctx)
            .await
            .unwrap();
        assert!(
            adoption
                .is_adopted(&caller("tool-a", Some("d1")), &ctx)
                .await
                .unwrap()
        );
        assert!(
            adoption
                .is_adopted(&caller("tool-a", None), &ctx)
                .await
                .unwrap()
        );
        assert!(
            !adoption
                .is_adopted(&caller("tool-a", Some("d2")), &ctx)
                .await
                .unwrap()
        );
        assert!(
            !adoption
                .is_adopted(&caller("tool-b", None), &ctx)
                .await
                .unwrap()
        );
        assert!(
            !adoption
                .is_adopted(&caller("tool-a", None), &ContextId::from("course-2"))
                .await
                .unwrap()
        );
        // prefixes never run together: client "tool-a" + context "course-1" is not "tool-" + "acourse-1"
        assert!(
            !adoption
                .is_adopted(&caller("tool-", None), &ContextId::from("acourse-1"))
                .await
                .unwrap()
        );
        assert!(
            adoption
                .withdraw(&ClientId::from("tool-a"), &DeploymentId::from("d1"), &ctx)
                .await
                .unwrap()
        );
        assert!(
            !adoption
                .is_adopted(&caller("tool-a", None), &ctx)
                .await
                .unwrap()
        );
    }
}
