//! A store wrapper that counts calls, for tests that assert how a component uses its store (e.g. that it
//! flushes before acknowledging a write that must survive a crash).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::{CasOutcome, Entry, Error, Namespace, Store};

/// Wraps a store and counts the calls of each operation; every call is passed through unchanged.
#[derive(Debug, Default)]
pub struct CountingStore<S> {
    inner: S,
    flushes: AtomicU64,
    writes: AtomicU64,
    reads: AtomicU64,
}

impl<S> CountingStore<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            flushes: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            reads: AtomicU64::new(0),
        }
    }

    /// Calls of [`Store::flush`] so far.
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::SeqCst)
    }

    /// Calls of the writing operations (`put`, `insert_if_absent`, `compare_and_swap`, `delete`, `take`,
    /// `purge_expired`) so far.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Calls of the reading operations (`get`, `scan_prefix`) so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::SeqCst)
    }

    fn write(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    fn read(&self) {
        self.reads.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl<S: Store> Store for CountingStore<S> {
    async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.read();
        self.inner.get(ns, key).await
    }

    async fn put(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), Error> {
        self.write();
        self.inner.put(ns, key, value, ttl).await
    }

    async fn insert_if_absent(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, Error> {
        self.write();
        self.inner.insert_if_absent(ns, key, value, ttl).await
    }

    async fn compare_and_swap(
        &self,
        ns: Namespace,
        key: &[u8],
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Option<Duration>,
    ) -> Result<CasOutcome, Error> {
        self.write();
        self.inner
            .compare_and_swap(ns, key, expected, new, ttl)
            .await
    }

    async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, Error> {
        self.write();
        self.inner.delete(ns, key).await
    }

    async fn take(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.write();
        self.inner.take(ns, key).await
    }

    async fn scan_prefix(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error> {
        self.read();
        self.inner.scan_prefix(ns, prefix, start_after, limit).await
    }

    async fn purge_expired(&self, ns: Namespace, limit: usize) -> Result<usize, Error> {
        self.write();
        self.inner.purge_expired(ns, limit).await
    }

    async fn flush(&self) -> Result<(), Error> {
        self.flushes.fetch_add(1, Ordering::SeqCst);
        self.inner.flush().await
    }
}
