//! Platform side: the deep linking requests sent and not yet answered, keyed by the `data` value sent with
//! each (a random single-use token with a TTL) [DL §4.4.1, §4.5.5; Sec §7.3.1].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lti_core::{ClientId, ContextId, DeploymentId, UserId};
use lti_security::{DEFAULT_TOKEN_BYTES, random_token};
use lti_storage::{CasOutcome, MAX_KEY_LEN, Namespace, Store};
use serde::{Deserialize, Serialize};

use crate::error::clip;
use crate::{DeepLinkingSettings, Error};

/// How long a sent request can be answered: 1 hour (the user picks content in the tool meanwhile).
pub const DEFAULT_PENDING_TTL: Duration = Duration::from_secs(3600);

/// A deep linking request the platform sent: to whom, for which deployment, on behalf of which user in which
/// context, and the settings offered (their `data` is the record's key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PendingRequest {
    /// The tool's client id: the response's `iss` must equal it.
    pub client_id: ClientId,
    /// The deployment: the response's `deployment_id` must equal it.
    pub deployment_id: DeploymentId,
    /// The user who started the request (compare with the session that receives the response).
    pub user_id: Option<UserId>,
    /// The context the items will be added to.
    pub context_id: Option<ContextId>,
    /// The settings offered; items are checked against them.
    pub settings: DeepLinkingSettings,
}

impl PendingRequest {
    /// A pending request with no user or context.
    pub fn new(
        client_id: ClientId,
        deployment_id: DeploymentId,
        settings: DeepLinkingSettings,
    ) -> Self {
        Self {
            client_id,
            deployment_id,
            user_id: None,
            context_id: None,
            settings,
        }
    }
}

/// The pending requests, over any [`Store`]. Each is stored under a fresh 256-bit random `data` value with a
/// TTL and can be taken once: a changed, expired or replayed `data` finds nothing (checklist J93).
#[derive(Clone)]
pub struct PendingRequests {
    store: Arc<dyn Store>,
    ttl: Duration,
}

impl PendingRequests {
    /// The store namespace.
    pub const NAMESPACE: Namespace = Namespace::new("lti.dl.pending");

    /// Pending requests in `store`, kept for [`DEFAULT_PENDING_TTL`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            ttl: DEFAULT_PENDING_TTL,
        }
    }

    /// Sets how long a request can be answered (at least 1 second).
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_secs(1));
        self
    }

    /// Stores `pending` under a fresh random value, sets that value as `pending.settings.data`, and returns it:
    /// send those settings.
    ///
    /// # Errors
    /// [`Error::Crypto`] when random generation fails; [`Error::Storage`]; [`Error::Serialize`].
    pub async fn remember(&self, pending: &mut PendingRequest) -> Result<String, Error> {
        let data = random_token(DEFAULT_TOKEN_BYTES).map_err(Error::Crypto)?;
        pending.settings.data = Some(data.clone());
        let bytes = serde_json::to_vec(pending).map_err(|_| Error::Serialize {
            what: "pending deep linking request",
        })?;
        let inserted = self
            .store
            .insert_if_absent(Self::NAMESPACE, data.as_bytes(), &bytes, Some(self.ttl))
            .await
            .map_err(Error::Storage)?;
        if !inserted {
            // 256 random bits collided: the generator is broken.
            return Err(Error::Crypto(lti_security::Error::Crypto {
                operation: "random generation",
            }));
        }
        Ok(data)
    }

    /// Takes (reads and deletes, atomically) the request sent with `data`.
    ///
    /// # Errors
    /// [`Error::DataUnknown`] when no live record has this value (changed, expired or already taken);
    /// [`Error::Storage`]; [`Error::Serialize`] for an unreadable record.
    pub async fn take(&self, data: &str) -> Result<PendingRequest, Error> {
        self.take_if(data, |_| Ok(())).await
    }

    /// Takes the request sent with `data` only if it was sent to `client_id` for `deployment_id`; otherwise
    /// leaves it in place (so a response from another tool or deployment cannot use it up).
    ///
    /// # Errors
    /// [`Error::DataUnknown`]; [`Error::ClientMismatch`]; [`Error::DeploymentMismatch`]; [`Error::Storage`];
    /// [`Error::Serialize`].
    pub async fn take_for(
        &self,
        data: &str,
        client_id: &ClientId,
        deployment_id: &DeploymentId,
    ) -> Result<PendingRequest, Error> {
        self.take_if(data, |pending| {
            if pending.client_id != *client_id {
                return Err(Error::ClientMismatch {
                    expected: pending.client_id.clone(),
                    found: client_id.clone(),
                });
            }
            if pending.deployment_id != *deployment_id {
                return Err(Error::DeploymentMismatch {
                    expected: pending.deployment_id.clone(),
                    found: clip(deployment_id.as_str()),
                });
            }
            Ok(())
        })
        .await
    }

    /// Reads the request sent with `data` without taking it, e.g. to compare its user with the session that
    /// posts the response before anything is spent.
    ///
    /// # Errors
    /// [`Error::DataUnknown`]; [`Error::Storage`]; [`Error::Serialize`].
    pub async fn peek(&self, data: &str) -> Result<PendingRequest, Error> {
        let key = data.as_bytes();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(Error::DataUnknown);
        }
        let stored = self
            .store
            .get(Self::NAMESPACE, key)
            .await
            .map_err(Error::Storage)?
            .ok_or(Error::DataUnknown)?;
        serde_json::from_slice(&stored).map_err(|_| Error::Serialize {
            what: "pending deep linking request",
        })
    }

    async fn take_if(
        &self,
        data: &str,
        accept: impl FnOnce(&PendingRequest) -> Result<(), Error>,
    ) -> Result<PendingRequest, Error> {
        let key = data.as_bytes();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(Error::DataUnknown);
        }
        let stored = self
            .store
            .get(Self::NAMESPACE, key)
            .await
            .map_err(Error::Storage)?
            .ok_or(Error::DataUnknown)?;
        let pending: PendingRequest =
            serde_json::from_slice(&stored).map_err(|_| Error::Serialize {
                what: "pending deep linking request",
            })?;
        accept(&pending)?;
        match self
            .store
            .compare_and_swap(Self::NAMESPACE, key, Some(&stored), None, None)
            .await
            .map_err(Error::Storage)?
        {
            CasOutcome::Swapped => Ok(pending),
            _ => Err(Error::DataUnknown),
        }
    }
}

impl fmt::Debug for PendingRequests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRequests")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}
