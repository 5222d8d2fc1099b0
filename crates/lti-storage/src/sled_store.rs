//! [`SledStore`]: the embedded, persistent default backend.
#![cfg(feature = "sled")]

mod record;

use std::collections::HashMap;
use std::fmt;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;

use self::record::Record;
use crate::expiry::expires_at;
use crate::store::{check_key, check_scan_limit};
use crate::{CasOutcome, Clock, Entry, Error, Namespace, Store, SystemClock};

/// The backend name in [`Error::Backend`].
const BACKEND: &str = "sled";

/// A [`Store`] on [sled](https://docs.rs/sled/0.34): embedded, persistent, nothing to install.
///
/// - One sled tree per [`Namespace`] (named after it), opened on first use and cached.
/// - Each value is stored with a small versioned header holding its expiry, so TTLs survive a restart. A record
///   this version cannot read is reported as [`Error::Corrupt`].
/// - [`insert_if_absent`](Store::insert_if_absent) and [`compare_and_swap`](Store::compare_and_swap) are atomic
///   through sled's compare-and-swap; an expired record is replaced as if absent.
/// - sled writes to disk in the background (every 500 ms); [`flush`](Store::flush) forces it and returns once
///   every earlier write is durable. Flush before acknowledging a write that must survive a crash.
/// - Expired records stay on disk, invisible, until [`purge_expired`](Store::purge_expired) (which walks the
///   namespace) or an insert over them removes them: run a periodic purge for namespaces with many TTL entries.
///
/// sled calls are synchronous. Reads and writes are served from its page cache and take microseconds, so they
/// run directly on the calling task. `flush` waits for `fsync`, so it runs on Tokio's blocking pool (inline
/// when called outside a Tokio runtime), one flush at a time: sled 0.34's `flush_async` deadlocks when called
/// concurrently (spacejam/sled#1308), which concurrent launches did here. Concurrent callers share flushes
/// (group commit): a caller whose writes an already finished flush covers returns without starting another.
///
/// One process may open a directory at a time (sled locks it); share the store with an `Arc`.
pub struct SledStore {
    db: sled::Db,
    clock: Arc<dyn Clock>,
    trees: RwLock<HashMap<Namespace, sled::Tree>>,
    flushes: Flushes,
}

/// Group commit for [`Store::flush`]: flushes are numbered as they start; a caller needs one that started after
/// it called (so it covers the caller's earlier writes).
#[derive(Default)]
struct Flushes {
    gate: tokio::sync::Mutex<()>,
    started: AtomicU64,
    completed: AtomicU64,
}

impl SledStore {
    /// Opens (or creates) the store in directory `path`, on the system clock.
    ///
    /// # Errors
    /// [`Error::Backend`] when sled cannot open the directory: I/O failure, another process holds it, or its
    /// files are damaged.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Opens (or creates) the store in directory `path`; TTLs expire by `clock`.
    ///
    /// # Errors
    /// As [`SledStore::open`].
    pub fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, Error> {
        let db = sled::open(path).map_err(sled_error)?;
        Ok(Self::from_db(db, clock))
    }

    /// A throwaway store in a fresh temporary directory, deleted when the store is dropped; on the system clock.
    ///
    /// # Errors
    /// As [`SledStore::open`].
    pub fn temporary() -> Result<Self, Error> {
        Self::temporary_with_clock(Arc::new(SystemClock))
    }

    /// A throwaway store in a fresh temporary directory, deleted when the store is dropped; TTLs expire by
    /// `clock`. For tests.
    ///
    /// # Errors
    /// As [`SledStore::open`].
    pub fn temporary_with_clock(clock: Arc<dyn Clock>) -> Result<Self, Error> {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(sled_error)?;
        Ok(Self::from_db(db, clock))
    }

    fn from_db(db: sled::Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            trees: RwLock::new(HashMap::new()),
            flushes: Flushes::default(),
        }
    }

    /// The tree of `ns`, opened on first use.
    fn tree(&self, ns: Namespace) -> Result<sled::Tree, Error> {
        let cached = self
            .trees
            .read()
            .map_err(|_| Error::poisoned(BACKEND))?
            .get(&ns)
            .cloned();
        if let Some(tree) = cached {
            return Ok(tree);
        }
        // open outside the cache lock: sled may touch the disk; a racing opener gets the same tree
        let tree = self.db.open_tree(ns.as_str()).map_err(sled_error)?;
        let mut trees = self.trees.write().map_err(|_| Error::poisoned(BACKEND))?;
        Ok(trees.entry(ns).or_insert(tree).clone())
    }
}

impl fmt::Debug for SledStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let open_namespaces = self.trees.read().map(|trees| trees.len()).ok();
        f.debug_struct("SledStore")
            .field("clock", &self.clock)
            .field("open_namespaces", &open_namespaces)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Store for SledStore {
    async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        match tree.get(key).map_err(sled_error)? {
            None => Ok(None),
            Some(raw) => Ok(Record::decode(ns.as_str(), &raw)?
                .live_value(now_ms)
                .map(<[u8]>::to_vec)),
        }
    }

    async fn put(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let record = Record::encode(value, expires_at(self.clock.unix_millis(), ttl));
        tree.insert(key, record).map_err(sled_error)?;
        Ok(())
    }

    async fn insert_if_absent(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        let record = Record::encode(value, expires_at(now_ms, ttl));
        // what we believe is stored: nothing at first; an expired record's exact bytes once we have seen one
        let mut expected: Option<sled::IVec> = None;
        loop {
            let swapped = tree
                .compare_and_swap(key, expected.as_ref(), Some(record.as_slice()))
                .map_err(sled_error)?;
            let Err(conflict) = swapped else {
                return Ok(true);
            };
            expected = match conflict.current {
                // deleted since we looked: try again as absent
                None => None,
                Some(current) if Record::decode(ns.as_str(), &current)?.is_live(now_ms) => {
                    return Ok(false);
                }
                // expired: replace it, unless someone else changes it first
                Some(expired) => Some(expired),
            };
        }
    }

    async fn compare_and_swap(
        &self,
        ns: Namespace,
        key: &[u8],
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Option<Duration>,
    ) -> Result<CasOutcome, Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        let new_record = new.map(|value| Record::encode(value, expires_at(now_ms, ttl)));
        loop {
            let raw = tree.get(key).map_err(sled_error)?;
            let current = match &raw {
                Some(bytes) => Record::decode(ns.as_str(), bytes)?.live_value(now_ms),
                None => None,
            };
            if current != expected {
                return Ok(CasOutcome::Conflict {
                    current: current.map(<[u8]>::to_vec),
                });
            }
            // swap against the exact stored bytes (an expired record counts as absent and is replaced)
            let swapped = tree
                .compare_and_swap(key, raw.as_ref(), new_record.as_deref())
                .map_err(sled_error)?;
            if swapped.is_ok() {
                return Ok(CasOutcome::Swapped);
            }
            // changed between our read and the swap: judge the new state
        }
    }

    /// Removes `key`. A record that cannot be decoded is removed too and reported as a live entry
    /// (`Ok(true)`): deleting is how a damaged record is cleared.
    async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        let Some(old) = tree.remove(key).map_err(sled_error)? else {
            return Ok(false);
        };
        match Record::decode(ns.as_str(), &old) {
            Ok(record) => Ok(record.is_live(now_ms)),
            Err(err) => {
                tracing::warn!(namespace = ns.as_str(), error = %err, "deleted a corrupt record");
                Ok(true)
            }
        }
    }

    async fn take(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        match tree.remove(key).map_err(sled_error)? {
            None => Ok(None),
            Some(old) => Ok(Record::decode(ns.as_str(), &old)?
                .live_value(now_ms)
                .map(<[u8]>::to_vec)),
        }
    }

    async fn scan_prefix(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error> {
        check_scan_limit(limit)?;
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        let lower = match start_after {
            Some(after) if after >= prefix => Bound::Excluded(after),
            _ => Bound::Included(prefix),
        };
        let mut out = Vec::new();
        for item in tree.range::<&[u8], _>((lower, Bound::Unbounded)) {
            let (key, raw) = item.map_err(sled_error)?;
            if !key.starts_with(prefix) {
                break;
            }
            if let Some(value) = Record::decode(ns.as_str(), &raw)?.live_value(now_ms) {
                out.push(Entry {
                    key: key.to_vec(),
                    value: value.to_vec(),
                });
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Walks the namespace in key order, removing expired records (each only if unchanged since read). Records
    /// that cannot be decoded are left alone and logged.
    async fn purge_expired(&self, ns: Namespace, limit: usize) -> Result<usize, Error> {
        let tree = self.tree(ns)?;
        let now_ms = self.clock.unix_millis();
        let mut removed = 0;
        for item in tree.iter() {
            if removed >= limit {
                break;
            }
            let (key, raw) = item.map_err(sled_error)?;
            match Record::decode(ns.as_str(), &raw) {
                Ok(record) if !record.is_live(now_ms) => {
                    let swapped = tree
                        .compare_and_swap(&key, Some(&raw), None::<&[u8]>)
                        .map_err(sled_error)?;
                    if swapped.is_ok() {
                        removed += 1;
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(namespace = ns.as_str(), error = %err, "purge skipped a corrupt record");
                }
            }
        }
        Ok(removed)
    }

    async fn flush(&self) -> Result<(), Error> {
        let flushes = &self.flushes;
        // Any flush numbered above what has started so far begins after this call, so it covers every write
        // this caller made before calling.
        let needed = flushes.started.load(Ordering::Acquire).saturating_add(1);
        let _gate = flushes.gate.lock().await;
        if flushes.completed.load(Ordering::Acquire) >= needed {
            return Ok(());
        }
        let number = flushes
            .started
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        let db = self.db.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(_) => tokio::task::spawn_blocking(move || db.flush())
                .await
                .map_err(|join| Error::backend(BACKEND, join))?
                .map_err(sled_error)?,
            Err(_) => db.flush().map_err(sled_error)?,
        };
        flushes.completed.fetch_max(number, Ordering::AcqRel);
        Ok(())
    }
}

/// A sled failure as [`Error::Backend`].
fn sled_error(err: sled::Error) -> Error {
    Error::backend(BACKEND, err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ManualClock;

    const NS: Namespace = Namespace::new("lti.storage.test");

    fn store() -> (SledStore, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
        let store = SledStore::temporary_with_clock(clock.clone()).unwrap();
        (store, clock)
    }

    fn assert_corrupt<T: fmt::Debug>(result: Result<T, Error>) {
        assert!(
            matches!(
                result,
                Err(Error::Corrupt {
                    namespace: "lti.storage.test",
                    ..
                })
            ),
            "expected a corrupt-record error, got {result:?}"
        );
    }

    #[tokio::test]
    async fn corrupt_record_is_an_error_not_a_panic() {
        let (store, _clock) = store();
        let tree = store.tree(NS).unwrap();
        tree.insert(b"short", &[1, 0, 0][..]).unwrap();
        tree.insert(b"unknown-format", &[9, 0, 0, 0, 0, 0, 0, 0, 0, b'v'][..])
            .unwrap();
        tree.insert(b"empty", &[][..]).unwrap();

        for key in [&b"short"[..], b"unknown-format", b"empty"] {
            assert_corrupt(store.get(NS, key).await);
            assert_corrupt(store.insert_if_absent(NS, key, b"v", None).await);
            assert_corrupt(
                store
                    .compare_and_swap(NS, key, None, Some(b"v"), None)
                    .await,
            );
        }
        assert_corrupt(store.scan_prefix(NS, b"", None, 10).await);
        // purge leaves what it cannot read; delete clears it
        assert_eq!(store.purge_expired(NS, 10).await.unwrap(), 0);
        assert!(store.delete(NS, b"short").await.unwrap());
        assert_eq!(store.get(NS, b"short").await.unwrap(), None);
    }

    #[tokio::test]
    async fn insert_over_an_expired_record_replaces_its_bytes() {
        let (store, clock) = store();
        let ttl = Some(Duration::from_secs(1));
        assert!(store.insert_if_absent(NS, b"k", b"old", ttl).await.unwrap());
        clock.advance(Duration::from_secs(1));
        assert!(
            store
                .insert_if_absent(NS, b"k", b"new", None)
                .await
                .unwrap()
        );
        let raw = store.tree(NS).unwrap().get(b"k").unwrap().unwrap();
        assert_eq!(Record::decode(NS.as_str(), &raw).unwrap().value, b"new");
        assert_eq!(store.purge_expired(NS, 10).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn namespaces_are_separate_trees() {
        let (store, _clock) = store();
        store.put(NS, b"k", b"v", None).await.unwrap();
        let names: Vec<_> = store.db.tree_names();
        assert!(names.iter().any(|name| name == NS.as_str().as_bytes()));
    }
}
