//! Essays awaiting manual grading (guide 2.2.2, 2.3.3): what the tool keeps to post the grade later, with no
//! learner launch.
//!
//! A record holds the platform registration's key (issuer, client id) and the deployment, the context and
//! resource link, the learner, the line item URL and the AGS claim's URLs and scopes: everything
//! [`lti_ags::AgsClient::new`] needs with a token endpoint read from the registry at grading time. It never
//! holds an access token: the token source asks the platform for a fresh one when the grade is posted.

use std::sync::Arc;

use lti_ags::{AgsEndpointClaim, LineItemId, Timestamp};
use lti_storage::{MAX_SCAN_LIMIT, Namespace, Store};
use serde::{Deserialize, Serialize};

use super::error::ToolServerError;

const ESSAY_NS: Namespace = Namespace::new("reference_tool.essay");
/// The most pending essays read in one listing.
const MAX_PENDING: usize = 1_000;

/// One essay submitted and not graded yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingEssay {
    /// The record's id (256 random bits): part of the grading form's URL.
    pub(crate) id: String,
    /// The platform's issuer (with `client_id`, the registration's key).
    pub(crate) issuer: String,
    /// The tool's client id at the platform.
    pub(crate) client_id: String,
    /// The deployment the launch came through.
    pub(crate) deployment_id: String,
    /// The context (course).
    pub(crate) context_id: String,
    /// The resource link launched.
    pub(crate) resource_link_id: String,
    /// The learner.
    pub(crate) user_id: String,
    /// The line item's label, for the grading page.
    pub(crate) label: String,
    /// The line item URL the grade goes to.
    pub(crate) line_item: LineItemId,
    /// The line item's maximum.
    pub(crate) score_maximum: f64,
    /// The AGS claim of the launch (URLs and scopes, no token).
    pub(crate) claim: AgsEndpointClaim,
    /// When the learner submitted.
    pub(crate) submitted_at: Timestamp,
}

impl PendingEssay {
    /// Whether the essay belongs to the same platform registration, deployment and context.
    pub(crate) fn is_in(
        &self,
        issuer: &str,
        client_id: &str,
        deployment: &str,
        context: &str,
    ) -> bool {
        self.issuer == issuer
            && self.client_id == client_id
            && self.deployment_id == deployment
            && self.context_id == context
    }
}

/// The pending essays in a [`Store`].
#[derive(Debug, Clone)]
pub(crate) struct Essays {
    store: Arc<dyn Store>,
}

impl Essays {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Stores `essay`; a learner's resubmission of the same link replaces the earlier record (its id is kept).
    pub(crate) async fn submit(
        &self,
        mut essay: PendingEssay,
    ) -> Result<PendingEssay, ToolServerError> {
        if let Some(earlier) = self.all().await?.into_iter().find(|e| {
            e.is_in(
                &essay.issuer,
                &essay.client_id,
                &essay.deployment_id,
                &essay.context_id,
            ) && e.resource_link_id == essay.resource_link_id
                && e.user_id == essay.user_id
        }) {
            essay.id = earlier.id;
        }
        let json = serde_json::to_vec(&essay).map_err(|_| ToolServerError::Corrupt {
            what: "pending essay",
        })?;
        self.store
            .put(ESSAY_NS, essay.id.as_bytes(), &json, None)
            .await
            .map_err(ToolServerError::Storage)?;
        Ok(essay)
    }

    /// The essay `id`; `None` when unknown (ids longer than a token are unknown, not errors).
    pub(crate) async fn find(&self, id: &str) -> Result<Option<PendingEssay>, ToolServerError> {
        if id.is_empty() || id.len() > 64 {
            return Ok(None);
        }
        let Some(json) = self
            .store
            .get(ESSAY_NS, id.as_bytes())
            .await
            .map_err(ToolServerError::Storage)?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|_| ToolServerError::Corrupt {
                what: "pending essay",
            })
    }

    /// Removes the essay `id` (graded).
    pub(crate) async fn remove(&self, id: &str) -> Result<(), ToolServerError> {
        self.store
            .delete(ESSAY_NS, id.as_bytes())
            .await
            .map(|_| ())
            .map_err(ToolServerError::Storage)
    }

    /// The pending essays of one registration, deployment and context, oldest submission first.
    pub(crate) async fn pending(
        &self,
        issuer: &str,
        client_id: &str,
        deployment: &str,
        context: &str,
    ) -> Result<Vec<PendingEssay>, ToolServerError> {
        let mut out: Vec<PendingEssay> = self
            .all()
            .await?
            .into_iter()
            .filter(|e| e.is_in(issuer, client_id, deployment, context))
            .collect();
        out.sort_by_key(|a| a.submitted_at);
        Ok(out)
    }

    /// Up to [`MAX_PENDING`] records.
    async fn all(&self) -> Result<Vec<PendingEssay>, ToolServerError> {
        let entries = self
            .store
            .scan_prefix(ESSAY_NS, b"", None, MAX_PENDING.min(MAX_SCAN_LIMIT))
            .await
            .map_err(ToolServerError::Storage)?;
        entries
            .iter()
            .map(|e| {
                serde_json::from_slice(&e.value).map_err(|_| ToolServerError::Corrupt {
                    what: "pending essay",
                })
            })
            .collect()
    }
}
