//! [`MemoryStore`]: the in-process backend.

mod table;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;

use self::table::Table;
use crate::expiry::expires_at;
use crate::store::{check_key, check_scan_limit};
use crate::{CasOutcome, Clock, Entry, Error, Namespace, Store, SystemClock};

/// The backend name in [`Error::Backend`].
const BACKEND: &str = "memory";

/// How many expired entries a write removes on the side, so a store that nobody purges does not grow without
/// bound. Cheap: expired entries are found through an index ordered by expiry.
const PURGE_ON_WRITE: usize = 8;

/// A [`Store`] that keeps everything in process memory: fast, and gone when the process exits.
///
/// For tests, single-process tools that can afford to forget their nonces on restart, and as the reference the
/// persistent backends are compared with. Each namespace is an ordered map behind its own lock, so namespaces do
/// not contend with each other; no lock is held across an `.await`. Every write also removes a few expired
/// entries, and [`Store::purge_expired`] removes the rest.
pub struct MemoryStore {
    clock: Arc<dyn Clock>,
    tables: RwLock<HashMap<Namespace, Arc<RwLock<Table>>>>,
}

impl MemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store that reads the time from `clock` (TTLs expire by it).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            tables: RwLock::new(HashMap::new()),
        }
    }

    /// The table of `ns`, created on first use.
    fn table(&self, ns: Namespace) -> Result<Arc<RwLock<Table>>, Error> {
        let existing = self
            .tables
            .read()
            .map_err(|_| Error::poisoned(BACKEND))?
            .get(&ns)
            .cloned();
        if let Some(table) = existing {
            return Ok(table);
        }
        let mut tables = self.tables.write().map_err(|_| Error::poisoned(BACKEND))?;
        Ok(Arc::clone(tables.entry(ns).or_default()))
    }

    /// Runs `f` on the table of `ns` under its read lock, with the current time.
    fn read<T>(&self, ns: Namespace, f: impl FnOnce(&Table, u64) -> T) -> Result<T, Error> {
        let table = self.table(ns)?;
        let now_ms = self.clock.unix_millis();
        let guard = table.read().map_err(|_| Error::poisoned(BACKEND))?;
        Ok(f(&guard, now_ms))
    }

    /// Runs `f` on the table of `ns` under its write lock, with the current time; then purges a few expired
    /// entries.
    fn write<T>(&self, ns: Namespace, f: impl FnOnce(&mut Table, u64) -> T) -> Result<T, Error> {
        let table = self.table(ns)?;
        let now_ms = self.clock.unix_millis();
        let mut guard = table.write().map_err(|_| Error::poisoned(BACKEND))?;
        let out = f(&mut guard, now_ms);
        guard.purge(now_ms, PURGE_ON_WRITE);
        Ok(out)
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let namespaces = self.tables.read().map(|tables| tables.len()).ok();
        f.debug_struct("MemoryStore")
            .field("clock", &self.clock)
            .field("namespaces", &namespaces)
            .finish()
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        self.read(ns, |table, now_ms| {
            table.live(key, now_ms).map(<[u8]>::to_vec)
        })
    }

    async fn put(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), Error> {
        check_key(key)?;
        self.write(ns, |table, now_ms| {
            table.insert(key, value, expires_at(now_ms, ttl));
        })
    }

    async fn insert_if_absent(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, Error> {
        check_key(key)?;
        self.write(ns, |table, now_ms| {
            if table.live(key, now_ms).is_some() {
                return false;
            }
            table.insert(key, value, expires_at(now_ms, ttl));
            true
        })
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
        self.write(ns, |table, now_ms| {
            let current = table.live(key, now_ms);
            if current != expected {
                return CasOutcome::Conflict {
                    current: current.map(<[u8]>::to_vec),
                };
            }
            match new {
                Some(value) => table.insert(key, value, expires_at(now_ms, ttl)),
                None => {
                    table.remove(key, now_ms);
                }
            }
            CasOutcome::Swapped
        })
    }

    async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, Error> {
        check_key(key)?;
        self.write(ns, |table, now_ms| table.remove(key, now_ms))
    }

    async fn take(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        self.write(ns, |table, now_ms| table.take_live(key, now_ms))
    }

    async fn scan_prefix(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error> {
        check_scan_limit(limit)?;
        self.read(ns, |table, now_ms| {
            table.scan(prefix, start_after, limit, now_ms)
        })
    }

    async fn purge_expired(&self, ns: Namespace, limit: usize) -> Result<usize, Error> {
        let table = self.table(ns)?;
        let now_ms = self.clock.unix_millis();
        let mut guard = table.write().map_err(|_| Error::poisoned(BACKEND))?;
        Ok(guard.purge(now_ms, limit))
    }

    /// Nothing to do: memory is never durable.
    async fn flush(&self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::thread;

    use super::*;

    const NS: Namespace = Namespace::new("lti.storage.test");

    #[test]
    fn poisoned_lock_is_a_backend_error_not_a_panic() {
        let store = Arc::new(MemoryStore::new());
        let table = store.table(NS).unwrap();
        let _ = thread::spawn(move || {
            let _guard = table.write().unwrap();
            panic!("poison the namespace lock");
        })
        .join();
        let err = store.read(NS, |_, _| ()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Backend {
                    backend: "memory",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn debug_does_not_dump_values() {
        let store = MemoryStore::new();
        store
            .write(NS, |t, _| t.insert(b"k", b"secret", None))
            .unwrap();
        let text = format!("{store:?}");
        assert!(!text.contains("secret"), "{text}");
    }
}
