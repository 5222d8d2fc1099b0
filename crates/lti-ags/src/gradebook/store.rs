//! [`StoreGradebook`]: the [`Gradebook`] over any [`Store`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use lti_core::service_access::base32_encode;
use lti_core::{ResourceLinkId, UserId};
use lti_storage::{CasOutcome, MAX_SCAN_LIMIT, Namespace, Store};

use super::{
    GradeRecord, Gradebook, LineItemFilter, LineItemKey, LineItemOwner, ScoreOutcome,
    StoredLineItem,
};
use crate::{Error, LineItem, Score};

const ITEMS: Namespace = Namespace::new("lti.ags.lineitems");
const GRADES: Namespace = Namespace::new("lti.ags.grades");
const LINKS: Namespace = Namespace::new("lti.ags.resource_links");

/// How many times a score write retries when another writer changed the record in between.
const CAS_ATTEMPTS: usize = 16;

/// A [`Gradebook`] kept in a [`Store`] (sled, memory, or your own backend).
///
/// Records are JSON under keys that start with the owner (length-prefixed context id and client id), so one
/// tool's items and grades are never read for another; line item keys are 26 random lower-case base32
/// characters. Every write is flushed before the call returns. Scores are applied with compare-and-swap, so
/// concurrent scores for one learner are ordered by timestamp, never lost.
///
/// The platform tells it which resource links exist ([`add_resource_link`](Self::add_resource_link)), so
/// that a line item can only be bound to a link of the same tool in the same context [AGS §3.2.9].
#[derive(Clone)]
pub struct StoreGradebook {
    store: Arc<dyn Store>,
}

impl StoreGradebook {
    /// A gradebook in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records that `resource_link_id` is a resource link of `owner`, durably.
    ///
    /// # Errors
    /// Storage failure.
    pub async fn add_resource_link(
        &self,
        owner: &LineItemOwner,
        resource_link_id: &ResourceLinkId,
    ) -> Result<(), Error> {
        let key = child(owner_prefix(owner), resource_link_id.as_str().as_bytes());
        self.store.put(LINKS, &key, b"1", None).await?;
        self.store.flush().await?;
        Ok(())
    }

    async fn read_item(&self, key: &[u8]) -> Result<Option<LineItem>, Error> {
        match self.store.get(ITEMS, key).await? {
            None => Ok(None),
            Some(bytes) => decode(&bytes, "line item").map(Some),
        }
    }
}

impl fmt::Debug for StoreGradebook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreGradebook")
            .field("store", &self.store)
            .finish()
    }
}

#[async_trait]
impl Gradebook for StoreGradebook {
    async fn resource_link_exists(
        &self,
        owner: &LineItemOwner,
        resource_link_id: &ResourceLinkId,
    ) -> Result<bool, Error> {
        let key = child(owner_prefix(owner), resource_link_id.as_str().as_bytes());
        Ok(self.store.get(LINKS, &key).await?.is_some())
    }

    async fn create_line_item(
        &self,
        owner: &LineItemOwner,
        mut item: LineItem,
    ) -> Result<StoredLineItem, Error> {
        item.id = None;
        let value = encode(&item)?;
        for _ in 0..CAS_ATTEMPTS {
            let key = new_key()?;
            let store_key = child(owner_prefix(owner), key.as_str().as_bytes());
            if self
                .store
                .insert_if_absent(ITEMS, &store_key, &value, None)
                .await?
            {
                self.store.flush().await?;
                return Ok(StoredLineItem { key, item });
            }
        }
        Err(Error::Busy)
    }

    async fn line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<Option<LineItem>, Error> {
        self.read_item(&child(owner_prefix(owner), key.as_str().as_bytes()))
            .await
    }

    async fn replace_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        mut item: LineItem,
    ) -> Result<Option<LineItem>, Error> {
        item.id = None;
        let store_key = child(owner_prefix(owner), key.as_str().as_bytes());
        let value = encode(&item)?;
        for _ in 0..CAS_ATTEMPTS {
            let Some(current) = self.store.get(ITEMS, &store_key).await? else {
                return Ok(None);
            };
            match self
                .store
                .compare_and_swap(ITEMS, &store_key, Some(&current), Some(&value), None)
                .await?
            {
                CasOutcome::Swapped => {
                    self.store.flush().await?;
                    return Ok(Some(item));
                }
                _ => continue,
            }
        }
        Err(Error::Busy)
    }

    async fn delete_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<bool, Error> {
        let existed = self
            .store
            .delete(ITEMS, &child(owner_prefix(owner), key.as_str().as_bytes()))
            .await?;
        let prefix = grades_prefix(owner, key);
        loop {
            let batch = self.store.scan_prefix(GRADES, &prefix, None, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            for entry in &batch {
                self.store.delete(GRADES, &entry.key).await?;
            }
            if batch.len() < BATCH {
                break;
            }
        }
        self.store.flush().await?;
        Ok(existed)
    }

    async fn line_items(
        &self,
        owner: &LineItemOwner,
        filter: &LineItemFilter,
        after: Option<&LineItemKey>,
        limit: usize,
    ) -> Result<Vec<StoredLineItem>, Error> {
        let prefix = owner_prefix(owner);
        let mut cursor = after.map(|key| child(prefix.clone(), key.as_str().as_bytes()));
        let mut out = Vec::new();
        let batch_size = limit.saturating_mul(2).clamp(32, MAX_SCAN_LIMIT);
        while out.len() < limit {
            let batch = self
                .store
                .scan_prefix(ITEMS, &prefix, cursor.as_deref(), batch_size)
                .await?;
            for entry in &batch {
                let key = entry
                    .key
                    .get(prefix.len()..)
                    .and_then(|k| std::str::from_utf8(k).ok())
                    .and_then(LineItemKey::parse)
                    .ok_or_else(|| Error::Corrupt {
                        reason: "line item key is not a line item key".to_owned(),
                    })?;
                let item: LineItem = decode(&entry.value, "line item")?;
                if filter.matches(&item) && out.len() < limit {
                    out.push(StoredLineItem { key, item });
                }
            }
            if batch.len() < batch_size {
                break;
            }
            cursor = batch.last().map(|entry| entry.key.clone());
        }
        Ok(out)
    }

    async fn record_score(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        score: &Score,
    ) -> Result<Option<ScoreOutcome>, Error> {
        let item_key = child(owner_prefix(owner), key.as_str().as_bytes());
        if self.store.get(ITEMS, &item_key).await?.is_none() {
            return Ok(None);
        }
        let mut grade_key = grades_prefix(owner, key);
        grade_key.extend_from_slice(score.user_id.as_str().as_bytes());
        for _ in 0..CAS_ATTEMPTS {
            let current = self.store.get(GRADES, &grade_key).await?;
            let previous: Option<GradeRecord> = current
                .as_deref()
                .map(|bytes| decode(bytes, "grade record"))
                .transpose()?;
            let Some(next) = GradeRecord::apply(previous.as_ref(), score) else {
                return Ok(Some(ScoreOutcome::Stale));
            };
            let value = encode(&next)?;
            match self
                .store
                .compare_and_swap(GRADES, &grade_key, current.as_deref(), Some(&value), None)
                .await?
            {
                CasOutcome::Swapped => {
                    self.store.flush().await?;
                    return Ok(Some(ScoreOutcome::Applied));
                }
                _ => continue,
            }
        }
        Err(Error::Busy)
    }

    async fn grade(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        user_id: &UserId,
    ) -> Result<Option<GradeRecord>, Error> {
        let mut grade_key = grades_prefix(owner, key);
        grade_key.extend_from_slice(user_id.as_str().as_bytes());
        match self.store.get(GRADES, &grade_key).await? {
            None => Ok(None),
            Some(bytes) => decode(&bytes, "grade record").map(Some),
        }
    }

    async fn grades(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<GradeRecord>, Error> {
        let prefix = grades_prefix(owner, key);
        let cursor = after.map(|user| {
            let mut k = prefix.clone();
            k.extend_from_slice(user.as_str().as_bytes());
            k
        });
        let entries = self
            .store
            .scan_prefix(
                GRADES,
                &prefix,
                cursor.as_deref(),
                limit.clamp(1, MAX_SCAN_LIMIT),
            )
            .await?;
        entries
            .iter()
            .map(|entry| decode(&entry.value, "grade record"))
            .collect()
    }
}

/// Rows read per scan when filtering or deleting.
const BATCH: usize = 256;

/// `len(context) context len(client) client`, lengths as u32 big-endian.
fn owner_prefix(owner: &LineItemOwner) -> Vec<u8> {
    let mut key = Vec::new();
    for part in [owner.context_id.as_str(), owner.client_id.as_str()] {
        push_part(&mut key, part.as_bytes());
    }
    key
}

fn grades_prefix(owner: &LineItemOwner, key: &LineItemKey) -> Vec<u8> {
    let mut prefix = owner_prefix(owner);
    push_part(&mut prefix, key.as_str().as_bytes());
    prefix
}

fn push_part(key: &mut Vec<u8>, part: &[u8]) {
    let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(part);
}

fn child(mut prefix: Vec<u8>, tail: &[u8]) -> Vec<u8> {
    prefix.extend_from_slice(tail);
    prefix
}

/// 16 random bytes in lower-case base32 (26 characters).
fn new_key() -> Result<LineItemKey, Error> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Config {
            reason: "the system random generator failed".to_owned(),
        })?;
    LineItemKey::parse(&base32_encode(&bytes)).ok_or_else(|| Error::Config {
        reason: "generated line item key is invalid".to_owned(),
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Corrupt {
        reason: e.to_string(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Corrupt {
        reason: format!("{what}: {e}"),
    })
}
