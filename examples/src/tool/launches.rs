//! Accepted launches, kept for an hour under an unguessable id so the diagnostics page's buttons (run a
//! service, answer a deep-linking request) can act on them later. The id is the capability: 256 random bits,
//! shown only to the browser that made the launch.

use std::sync::Arc;
use std::time::Duration;

use lti_core::message::LtiMessage;
use lti_storage::{Namespace, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ToolServerError;
use super::report::LaunchReport;

const LAUNCH_NS: Namespace = Namespace::new("reference_tool.launch");
/// How long a launch's buttons keep working.
pub(crate) const LAUNCH_TTL: Duration = Duration::from_secs(3600);

/// A stored launch: the verified message and the report so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LaunchRecord {
    pub(crate) id: String,
    pub(crate) message: Value,
    pub(crate) report: LaunchReport,
}

impl LaunchRecord {
    /// The verified message, read back.
    pub(crate) fn message(&self) -> Result<LtiMessage, ToolServerError> {
        serde_json::from_value(self.message.clone()).map_err(|_| ToolServerError::Corrupt {
            what: "launch message",
        })
    }
}

/// The launch records in a [`Store`].
#[derive(Debug, Clone)]
pub(crate) struct Launches {
    store: Arc<dyn Store>,
}

impl Launches {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// A fresh launch id (256 random bits, URL-safe base64).
    pub(crate) fn new_id() -> Result<String, ToolServerError> {
        lti_security::random_token(32).map_err(ToolServerError::Security)
    }

    pub(crate) async fn save(&self, record: &LaunchRecord) -> Result<(), ToolServerError> {
        let json = serde_json::to_vec(record).map_err(|_| ToolServerError::Corrupt {
            what: "launch record",
        })?;
        self.store
            .put(LAUNCH_NS, record.id.as_bytes(), &json, Some(LAUNCH_TTL))
            .await
            .map_err(ToolServerError::Storage)
    }

    /// Removes up to `limit` expired launch records; returns how many.
    pub(crate) async fn purge_expired(&self, limit: usize) -> Result<usize, ToolServerError> {
        self.store
            .purge_expired(LAUNCH_NS, limit)
            .await
            .map_err(ToolServerError::Storage)
    }

    /// The record of `id`; `None` when unknown or expired (ids longer than a token are unknown, not errors).
    pub(crate) async fn find(&self, id: &str) -> Result<Option<LaunchRecord>, ToolServerError> {
        if id.is_empty() || id.len() > 64 {
            return Ok(None);
        }
        let Some(json) = self
            .store
            .get(LAUNCH_NS, id.as_bytes())
            .await
            .map_err(ToolServerError::Storage)?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|_| ToolServerError::Corrupt {
                what: "launch record",
            })
    }
}
