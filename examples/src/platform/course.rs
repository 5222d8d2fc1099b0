//! The LMS side the protocol needs, in one place: courses and their members (the NRPS [`StoreRoster`], the one
//! source of both the roster pages and the membership service), the resource links placed in a course (kept
//! here, and told to the roster and the gradebook so that `rlid` queries and line item bindings work), the
//! deployments of tools in courses (context adoption, checked by the service gate) and the gradebook (the AGS
//! [`StoreGradebook`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use lti_ags::gradebook::{GradeRecord, LineItemFilter, LineItemKey, LineItemOwner, StoredLineItem};
use lti_ags::{Gradebook as _, LineItem, StoreGradebook};
use lti_core::service_access::StoreContextAdoption;
use lti_core::{ClientId, ContextId, DeploymentId, ResourceLinkId, UserId};
use lti_nrps::{
    ContainerContext, Cursor, Member, PageRequest, Roster as _, RosterPage, StoreRoster,
};
use lti_storage::{Entry, MAX_SCAN_LIMIT, Namespace, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The course every tool is deployed in.
pub const DEMO_COURSE: &str = "demo-course";
/// The page size used when reading a whole gradebook column or container.
const PAGE: usize = 100;

/// Why an LMS read or write failed (always ours: 500).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CourseError {
    /// The store failed.
    #[error("store: {0}")]
    Storage(#[from] lti_storage::Error),
    /// The roster failed.
    #[error("roster: {0}")]
    Roster(#[from] lti_nrps::Error),
    /// The gradebook failed.
    #[error("gradebook: {0}")]
    Gradebook(#[from] lti_ags::Error),
}

/// A resource link placed in a course: by tool registration (the tool's default link) or by deep linking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CourseLink {
    /// The resource link id.
    pub id: String,
    /// The course.
    pub context_id: String,
    /// The tool.
    pub client_id: String,
    /// The deployment.
    pub deployment_id: String,
    /// The title shown and sent.
    pub title: String,
    /// The description sent.
    #[serde(default)]
    pub text: Option<String>,
    /// The launch target; `None`: the tool's default.
    #[serde(default)]
    pub url: Option<String>,
    /// Custom parameters sent with every launch.
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

impl CourseLink {
    /// A link of `client_id` (deployment `deployment_id`) titled `title`, with nothing optional set.
    pub fn new(
        id: String,
        context_id: &str,
        client_id: &ClientId,
        deployment_id: &DeploymentId,
        title: String,
    ) -> Self {
        Self {
            id,
            context_id: context_id.to_owned(),
            client_id: client_id.as_str().to_owned(),
            deployment_id: deployment_id.as_str().to_owned(),
            title,
            text: None,
            url: None,
            custom: BTreeMap::new(),
        }
    }

    /// A link created from a deep linking item.
    pub fn from_record(record: &lti_deep_linking::ResourceLinkRecord, context_id: &str) -> Self {
        Self {
            id: record.id.as_str().to_owned(),
            context_id: context_id.to_owned(),
            client_id: record.client_id.as_str().to_owned(),
            deployment_id: record.deployment_id.as_str().to_owned(),
            title: record
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Untitled".to_owned()),
            text: record.text.clone(),
            url: record.url.clone(),
            custom: record.custom.0.clone(),
        }
    }
}

/// One gradebook column with its grades, as the gradebook page and API show it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Column {
    /// The tool that owns the line item.
    pub client_id: ClientId,
    /// The line item and its key.
    pub line_item: StoredLineItem,
    /// The grades, by user id.
    pub grades: Vec<GradeRecord>,
}

/// Courses, members, links, deployments and grades.
#[derive(Debug, Clone)]
pub struct Courses {
    store: Arc<dyn Store>,
    roster: Arc<StoreRoster>,
    gradebook: Arc<StoreGradebook>,
    adoption: Arc<StoreContextAdoption>,
}

impl Courses {
    /// Links by `<context>/<link>`.
    pub const LINKS: Namespace = Namespace::new("ref.platform.link");

    /// The LMS over `store` and the service stores built on it.
    pub fn new(
        store: Arc<dyn Store>,
        roster: Arc<StoreRoster>,
        gradebook: Arc<StoreGradebook>,
        adoption: Arc<StoreContextAdoption>,
    ) -> Self {
        Self {
            store,
            roster,
            gradebook,
            adoption,
        }
    }

    /// The roster.
    pub fn roster(&self) -> &Arc<StoreRoster> {
        &self.roster
    }

    /// The gradebook.
    pub fn gradebook(&self) -> &Arc<StoreGradebook> {
        &self.gradebook
    }

    /// The course `id` (from the roster).
    ///
    /// # Errors
    /// A roster failure.
    pub async fn course(&self, id: &str) -> Result<Option<ContainerContext>, CourseError> {
        Ok(self.roster.context(&ContextId::new(id)).await?)
    }

    /// The member `user` of `context`.
    ///
    /// # Errors
    /// A roster failure.
    pub async fn member(&self, context: &str, user: &str) -> Result<Option<Member>, CourseError> {
        Ok(self
            .roster
            .member(&ContextId::new(context), &UserId::new(user))
            .await?)
    }

    /// A page of `limit` members of `context`, after `cursor`.
    ///
    /// # Errors
    /// A roster failure.
    pub async fn members(
        &self,
        context: &str,
        cursor: Option<&Cursor>,
        limit: usize,
    ) -> Result<RosterPage, CourseError> {
        let mut request = PageRequest::new(limit);
        if let Some(cursor) = cursor {
            request = request.after(cursor);
        }
        Ok(self
            .roster
            .members(&ContextId::new(context), request)
            .await?)
    }

    /// Deploys `deployment_id` of tool `client_id` in `context`: its service calls for the context are admitted.
    ///
    /// # Errors
    /// A store failure.
    pub async fn deploy(
        &self,
        client_id: &ClientId,
        deployment_id: &DeploymentId,
        context: &str,
    ) -> Result<(), CourseError> {
        self.adoption
            .adopt(client_id, deployment_id, &ContextId::new(context))
            .await?;
        Ok(())
    }

    /// Places a link in its course, and tells the roster (for `rlid`) and the gradebook (for line item
    /// bindings) about it.
    ///
    /// # Errors
    /// A store, roster or gradebook failure.
    pub async fn add_link(&self, link: &CourseLink) -> Result<(), CourseError> {
        let bytes = encode(Self::LINKS, link)?;
        self.store
            .put(Self::LINKS, &key(&link.context_id, &link.id), &bytes, None)
            .await?;
        let context = ContextId::new(link.context_id.as_str());
        let client = ClientId::new(link.client_id.as_str());
        let id = ResourceLinkId::new(link.id.as_str());
        let mut record = lti_nrps::ResourceLinkRecord::new(id.clone(), client.clone())
            .with_title(link.title.as_str());
        record.custom = link.custom.clone();
        self.roster.put_resource_link(&context, &record).await?;
        self.roster.flush().await?;
        self.gradebook
            .add_resource_link(&LineItemOwner::new(context, client), &id)
            .await?;
        Ok(())
    }

    /// The link `id` of `context`.
    ///
    /// # Errors
    /// A store failure.
    pub async fn link(&self, context: &str, id: &str) -> Result<Option<CourseLink>, CourseError> {
        let key = key(context, id);
        if key.len() > lti_storage::MAX_KEY_LEN {
            return Ok(None);
        }
        match self.store.get(Self::LINKS, &key).await? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode(Self::LINKS, &bytes)?)),
        }
    }

    /// Every link of `context`, in id order.
    ///
    /// # Errors
    /// A store failure.
    pub async fn links(&self, context: &str) -> Result<Vec<CourseLink>, CourseError> {
        let prefix = key(context, "");
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan_prefix(Self::LINKS, &prefix, after.as_deref(), MAX_SCAN_LIMIT)
                .await?;
            let full = page.len() == MAX_SCAN_LIMIT;
            after = page.last().map(|e| e.key.clone());
            out.extend(decode_all(Self::LINKS, &page));
            if !full {
                return Ok(out);
            }
        }
    }

    /// Creates a line item of tool `client_id` in `context` (deep linking's `lineItem`).
    ///
    /// # Errors
    /// A gradebook failure.
    pub async fn add_line_item(
        &self,
        context: &str,
        client_id: &ClientId,
        item: LineItem,
    ) -> Result<StoredLineItem, CourseError> {
        let owner = LineItemOwner::new(ContextId::new(context), client_id.clone());
        Ok(self.gradebook.create_line_item(&owner, item).await?)
    }

    /// The line item bound to `link`, when exactly one is (the AGS claim's `lineitem`, checklist 105).
    ///
    /// # Errors
    /// A gradebook failure.
    pub async fn line_item_of(
        &self,
        link: &CourseLink,
    ) -> Result<Option<LineItemKey>, CourseError> {
        let owner = LineItemOwner::new(
            ContextId::new(link.context_id.as_str()),
            ClientId::new(link.client_id.as_str()),
        );
        let mut filter = LineItemFilter::default();
        filter.resource_link_id = Some(ResourceLinkId::new(link.id.as_str()));
        let items = self.gradebook.line_items(&owner, &filter, None, 2).await?;
        Ok(match items.as_slice() {
            [only] => Some(only.key.clone()),
            _ => None,
        })
    }

    /// The line item `key` of `context` (whichever of the course's tools owns it) with its owner.
    ///
    /// # Errors
    /// A store or gradebook failure.
    pub async fn line_item(
        &self,
        context: &str,
        key: &LineItemKey,
    ) -> Result<Option<(LineItemOwner, LineItem)>, CourseError> {
        let tools: BTreeSet<String> = self
            .links(context)
            .await?
            .into_iter()
            .map(|l| l.client_id)
            .collect();
        for tool in tools {
            let owner = LineItemOwner::new(ContextId::new(context), ClientId::new(tool));
            if let Some(item) = self.gradebook.line_item(&owner, key).await? {
                return Ok(Some((owner, item)));
            }
        }
        Ok(None)
    }

    /// Replaces the line item `key` of `owner` (the instructor edited it); `None` when it is gone.
    ///
    /// # Errors
    /// A gradebook failure.
    pub async fn replace_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        item: LineItem,
    ) -> Result<Option<LineItem>, CourseError> {
        Ok(self.gradebook.replace_line_item(owner, key, item).await?)
    }

    /// The gradebook of `context`: every line item of every tool with links in it, with their grades.
    ///
    /// # Errors
    /// A store or gradebook failure.
    pub async fn columns(&self, context: &str) -> Result<Vec<Column>, CourseError> {
        let tools: BTreeSet<String> = self
            .links(context)
            .await?
            .into_iter()
            .map(|l| l.client_id)
            .collect();
        let mut columns = Vec::new();
        for tool in tools {
            let client_id = ClientId::new(tool);
            let owner = LineItemOwner::new(ContextId::new(context), client_id.clone());
            let mut after: Option<LineItemKey> = None;
            loop {
                let items = self
                    .gradebook
                    .line_items(&owner, &LineItemFilter::default(), after.as_ref(), PAGE)
                    .await?;
                let full = items.len() == PAGE;
                after = items.last().map(|i| i.key.clone());
                for line_item in items {
                    let grades = self.grades(&owner, &line_item.key).await?;
                    columns.push(Column {
                        client_id: client_id.clone(),
                        line_item,
                        grades,
                    });
                }
                if !full {
                    break;
                }
            }
        }
        Ok(columns)
    }

    async fn grades(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<Vec<GradeRecord>, CourseError> {
        let mut out: Vec<GradeRecord> = Vec::new();
        loop {
            let after = out.last().map(|g| g.user_id.clone());
            let page = self
                .gradebook
                .grades(owner, key, after.as_ref(), PAGE)
                .await?;
            let full = page.len() == PAGE;
            out.extend(page);
            if !full {
                return Ok(out);
            }
        }
    }
}

/// `value` as JSON for namespace `ns`.
///
/// # Errors
/// [`lti_storage::Error::Corrupt`] when it does not serialize (never for the records here).
pub fn encode<T: Serialize>(ns: Namespace, value: &T) -> Result<Vec<u8>, lti_storage::Error> {
    serde_json::to_vec(value).map_err(|_| lti_storage::Error::Corrupt {
        namespace: ns.as_str(),
        reason: "record does not serialize",
    })
}

fn decode<T: DeserializeOwned>(ns: Namespace, bytes: &[u8]) -> Result<T, lti_storage::Error> {
    serde_json::from_slice(bytes).map_err(|_| lti_storage::Error::Corrupt {
        namespace: ns.as_str(),
        reason: "not the expected JSON record",
    })
}

fn key(context: &str, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(context.len() + id.len() + 1);
    key.extend_from_slice(context.as_bytes());
    key.push(b'/');
    key.extend_from_slice(id.as_bytes());
    key
}

fn decode_all<T: DeserializeOwned>(ns: Namespace, entries: &[Entry]) -> Vec<T> {
    entries
        .iter()
        .filter_map(|e| match decode(ns, &e.value) {
            Ok(v) => Some(v),
            Err(error) => {
                tracing::error!(namespace = ns.as_str(), %error, "stored record does not parse");
                None
            }
        })
        .collect()
}
