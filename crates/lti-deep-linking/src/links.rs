//! Platform side: turning verified `ltiResourceLink` items into resource links and line items [DL §3.2]
//! (checklist J94, J95), through a storage trait the platform implements over its own database, or
//! [`StoreResourceLinks`] over any [`Store`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use lti_core::claims::Custom;
use lti_core::{ClientId, ContextId, DeploymentId, ResourceLinkId};
use lti_security::{DEFAULT_TOKEN_BYTES, random_token};
use lti_storage::{Namespace, Store};
use serde::{Deserialize, Serialize};

use crate::items::{ContentItem, TimeWindow};
use crate::{Error, VerifiedDeepLinkingResponse};

/// A resource link created from an `ltiResourceLink` item: what later launches of it need (checklist J94).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceLinkRecord {
    /// The new link's id (random, ≤ 255 ASCII), sent as `resource_link.id`.
    pub id: ResourceLinkId,
    /// The tool.
    pub client_id: ClientId,
    /// The deployment.
    pub deployment_id: DeploymentId,
    /// The context the link was added to.
    pub context_id: Option<ContextId>,
    /// The item's `url`: the `target_link_uri` of its launches; `None` means the tool's default.
    pub url: Option<String>,
    /// The item's title (`resource_link.title`).
    pub title: Option<String>,
    /// The item's text (`resource_link.description`).
    pub text: Option<String>,
    /// The item's `custom` parameters, sent with every launch of the link.
    pub custom: Custom,
    /// The initial availability window.
    pub available: Option<TimeWindow>,
    /// The initial submission window.
    pub submission: Option<TimeWindow>,
}

/// A line item created from an item's `lineItem` (checklist J95).
///
/// Deliberately minimal until the Assignment and Grade Services crate owns line items: the members a line item
/// container must show for it (`label`, `scoreMaximum`, `resourceId`, `tag`, `resourceLinkId`) and an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItemRecord {
    /// The line item's id (random; the AGS crate will turn it into its URL).
    pub id: String,
    /// The label: `lineItem.label`, else the item's title, else `"Untitled"`.
    pub label: String,
    /// The maximum score (> 0).
    pub score_maximum: f64,
    /// The tool's resource id.
    pub resource_id: Option<String>,
    /// The tool's tag.
    pub tag: Option<String>,
    /// The resource link it belongs to.
    pub resource_link_id: ResourceLinkId,
}

/// What one `ltiResourceLink` item became.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedLink {
    /// The item's position in the response.
    pub index: usize,
    /// The new resource link.
    pub resource_link: ResourceLinkRecord,
    /// The new line item, when the item had a `lineItem` and the settings said `accept_lineitem: true`.
    pub line_item: Option<LineItemRecord>,
}

/// Where the platform keeps resource links and line items created by deep linking. Implement it over the LMS's
/// database, or use [`StoreResourceLinks`].
#[async_trait]
pub trait ResourceLinkStore: Send + Sync + fmt::Debug {
    /// Stores a new resource link.
    ///
    /// # Errors
    /// A backend failure ([`Error::backend`], [`Error::Storage`]).
    async fn insert_resource_link(&self, link: &ResourceLinkRecord) -> Result<(), Error>;

    /// Stores a new line item.
    ///
    /// # Errors
    /// A backend failure.
    async fn insert_line_item(&self, line_item: &LineItemRecord) -> Result<(), Error>;

    /// The resource link with `id`.
    ///
    /// # Errors
    /// A backend failure.
    async fn resource_link(&self, id: &ResourceLinkId)
    -> Result<Option<ResourceLinkRecord>, Error>;

    /// The line items of the resource link `id`.
    ///
    /// # Errors
    /// A backend failure.
    async fn line_items(&self, id: &ResourceLinkId) -> Result<Vec<LineItemRecord>, Error>;
}

/// Creates a resource link for every `ltiResourceLink` item of `response`, and a line item for each one with a
/// `lineItem` when the settings offered `accept_lineitem: true` (otherwise `lineItem` is ignored, as the spec
/// says). Other item types are left to the caller. Records are written in item order; ids are random.
///
/// # Errors
/// [`Error::Crypto`] when random generation fails; the store's error.
pub async fn create_resource_links(
    store: &dyn ResourceLinkStore,
    response: &VerifiedDeepLinkingResponse,
) -> Result<Vec<CreatedLink>, Error> {
    let accept_lineitem = response.settings().accept_lineitem == Some(true);
    let mut created = Vec::new();
    for (index, item) in response.items().iter().enumerate() {
        let ContentItem::LtiResourceLink(link) = item else {
            continue;
        };
        let record = ResourceLinkRecord {
            id: ResourceLinkId::new(random_token(DEFAULT_TOKEN_BYTES).map_err(Error::Crypto)?),
            client_id: response.client_id().clone(),
            deployment_id: response.deployment_id().clone(),
            context_id: response.context_id().cloned(),
            url: link.url.clone(),
            title: link.title.clone(),
            text: link.text.clone(),
            custom: link.custom.clone().unwrap_or_default(),
            available: link.available.clone(),
            submission: link.submission.clone(),
        };
        store.insert_resource_link(&record).await?;
        let line_item = match &link.line_item {
            Some(line_item) if accept_lineitem => {
                let record = LineItemRecord {
                    id: random_token(DEFAULT_TOKEN_BYTES).map_err(Error::Crypto)?,
                    label: line_item
                        .label
                        .clone()
                        .or_else(|| link.title.clone())
                        .filter(|l| !l.trim().is_empty())
                        .unwrap_or_else(|| "Untitled".to_owned()),
                    score_maximum: line_item.score_maximum,
                    resource_id: line_item.resource_id.clone(),
                    tag: line_item.tag.clone(),
                    resource_link_id: record.id.clone(),
                };
                store.insert_line_item(&record).await?;
                Some(record)
            }
            Some(_) => {
                tracing::debug!(index, "lineItem ignored: accept_lineitem was not offered");
                None
            }
            None => None,
        };
        created.push(CreatedLink {
            index,
            resource_link: record,
            line_item,
        });
    }
    Ok(created)
}

/// [`ResourceLinkStore`] over any [`Store`]: links keyed by id, line items by `<link id>/<line item id>`;
/// every write is flushed.
#[derive(Clone)]
pub struct StoreResourceLinks {
    store: Arc<dyn Store>,
}

impl StoreResourceLinks {
    /// The namespace of resource links.
    pub const LINKS: Namespace = Namespace::new("lti.dl.resource_link");
    /// The namespace of line items.
    pub const LINE_ITEMS: Namespace = Namespace::new("lti.dl.line_item");

    /// Links and line items in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    async fn insert(&self, ns: Namespace, key: &[u8], value: &[u8]) -> Result<(), Error> {
        let inserted = self
            .store
            .insert_if_absent(ns, key, value, None)
            .await
            .map_err(Error::Storage)?;
        if !inserted {
            return Err(Error::backend(format!("{ns}: id already taken")));
        }
        self.store.flush().await.map_err(Error::Storage)
    }
}

fn line_item_key(link: &ResourceLinkId, id: &str) -> Vec<u8> {
    let mut key = line_item_prefix(link);
    key.extend_from_slice(id.as_bytes());
    key
}

fn line_item_prefix(link: &ResourceLinkId) -> Vec<u8> {
    let mut key = link.as_str().as_bytes().to_vec();
    key.push(b'/');
    key
}

#[async_trait]
impl ResourceLinkStore for StoreResourceLinks {
    async fn insert_resource_link(&self, link: &ResourceLinkRecord) -> Result<(), Error> {
        let bytes = serde_json::to_vec(link).map_err(|_| Error::Serialize {
            what: "resource link",
        })?;
        self.insert(Self::LINKS, link.id.as_str().as_bytes(), &bytes)
            .await
    }

    async fn insert_line_item(&self, line_item: &LineItemRecord) -> Result<(), Error> {
        let bytes =
            serde_json::to_vec(line_item).map_err(|_| Error::Serialize { what: "line item" })?;
        let key = line_item_key(&line_item.resource_link_id, &line_item.id);
        self.insert(Self::LINE_ITEMS, &key, &bytes).await
    }

    async fn resource_link(
        &self,
        id: &ResourceLinkId,
    ) -> Result<Option<ResourceLinkRecord>, Error> {
        let key = id.as_str().as_bytes();
        if key.len() > lti_storage::MAX_KEY_LEN {
            return Ok(None);
        }
        match self
            .store
            .get(Self::LINKS, key)
            .await
            .map_err(Error::Storage)?
        {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|_| Error::Serialize {
                    what: "resource link",
                }),
        }
    }

    async fn line_items(&self, id: &ResourceLinkId) -> Result<Vec<LineItemRecord>, Error> {
        let prefix = line_item_prefix(id);
        if prefix.len() > lti_storage::MAX_KEY_LEN {
            return Ok(Vec::new());
        }
        let entries = self
            .store
            .scan_prefix(Self::LINE_ITEMS, &prefix, None, lti_storage::MAX_SCAN_LIMIT)
            .await
            .map_err(Error::Storage)?;
        entries
            .into_iter()
            .map(|e| {
                serde_json::from_slice(&e.value).map_err(|_| Error::Serialize { what: "line item" })
            })
            .collect()
    }
}

impl fmt::Debug for StoreResourceLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreResourceLinks").finish_non_exhaustive()
    }
}
