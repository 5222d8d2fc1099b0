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

#[cfg(test)]
mod tests {
    use lti_storage::MemoryStore;

    use super::*;

    fn essay(id: &str, user: &str, context: &str, at: &str) -> PendingEssay {
        let mut claim = AgsEndpointClaim::new([lti_ags::scope::SCORE, lti_ags::scope::LINE_ITEM]);
        claim.lineitems = Some("https://lms.example/ags/c/lineitems".to_owned());
        PendingEssay {
            id: id.to_owned(),
            issuer: "https://lms.example".to_owned(),
            client_id: "tool-1".to_owned(),
            deployment_id: "d-1".to_owned(),
            context_id: context.to_owned(),
            resource_link_id: "link-essay".to_owned(),
            user_id: user.to_owned(),
            label: "Essay".to_owned(),
            line_item: LineItemId::new("https://lms.example/ags/c/lineitems/7"),
            score_maximum: 100.0,
            claim,
            submitted_at: Timestamp::parse(at).unwrap_or_else(|_| unreachable!()),
        }
    }

    #[tokio::test]
    async fn a_resubmission_replaces_the_pending_essay_and_listings_stay_in_their_course() {
        let essays = Essays::new(Arc::new(MemoryStore::new()));
        let first = essays
            .submit(essay("a", "learner-1", "course-1", "2030-01-01T10:00:00Z"))
            .await
            .unwrap_or_else(|_| unreachable!());
        let again = essays
            .submit(essay("b", "learner-1", "course-1", "2030-01-01T11:00:00Z"))
            .await
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(
            again.id, first.id,
            "the same learner's same link: one record"
        );
        essays
            .submit(essay("c", "learner-2", "course-1", "2030-01-01T09:00:00Z"))
            .await
            .unwrap_or_else(|_| unreachable!());
        essays
            .submit(essay("d", "learner-3", "course-2", "2030-01-01T09:00:00Z"))
            .await
            .unwrap_or_else(|_| unreachable!());
        let pending = essays
            .pending("https://lms.example", "tool-1", "d-1", "course-1")
            .await
            .unwrap_or_default();
        let users: Vec<&str> = pending.iter().map(|e| e.user_id.as_str()).collect();
        assert_eq!(
            users,
            ["learner-2", "learner-1"],
            "oldest first, course-1 only"
        );
        // another registration of the same issuer sees none of them
        assert!(
            essays
                .pending("https://lms.example", "tool-2", "d-1", "course-1")
                .await
                .unwrap_or_default()
                .is_empty()
        );
        // graded: gone
        essays.remove("a").await.unwrap_or_else(|_| unreachable!());
        assert_eq!(essays.find("a").await.ok().flatten(), None);
        // ids that cannot be tokens are unknown, not errors
        assert_eq!(essays.find("").await.ok().flatten(), None);
        assert_eq!(essays.find(&"x".repeat(65)).await.ok().flatten(), None);
    }

    #[test]
    fn the_record_keeps_urls_and_keys_never_a_token() {
        let json = serde_json::to_value(essay("a", "learner-1", "c", "2030-01-01T10:00:00Z"))
            .unwrap_or_default();
        let mut keys: Vec<&str> = json
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "claim",
                "client_id",
                "context_id",
                "deployment_id",
                "id",
                "issuer",
                "label",
                "line_item",
                "resource_link_id",
                "score_maximum",
                "submitted_at",
                "user_id"
            ]
        );
        let text = json.to_string();
        assert!(
            !text.contains("token") && !text.contains("Bearer"),
            "{text}"
        );
    }
}
