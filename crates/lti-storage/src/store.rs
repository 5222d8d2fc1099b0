//! The [`Store`] contract.

use std::fmt::{self, Debug};
use std::time::Duration;

use async_trait::async_trait;

use crate::Error;

/// A namespace: the first component of every key, so that unrelated records (nonces, keys, tokens) never
/// collide and a backend can keep them apart (a sled tree, a table, a key prefix).
///
/// Names are 1–64 bytes of ASCII letters, digits, `.`, `-` and `_`; lti-rs crates use `lti.<crate>.<what>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Namespace(&'static str);

impl Namespace {
    /// Makes a namespace from a static name; fails at compile time (in a `const`) or panics at start-up when the
    /// name breaks the rules above. Names are program constants, never input.
    pub const fn new(name: &'static str) -> Self {
        let bytes = name.as_bytes();
        assert!(
            !bytes.is_empty() && bytes.len() <= 64,
            "namespace must be 1-64 bytes"
        );
        let mut rest = bytes;
        while let [b, tail @ ..] = rest {
            assert!(
                b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-' || *b == b'_',
                "namespace may hold only ASCII letters, digits, '.', '-' and '_'"
            );
            rest = tail;
        }
        Self(name)
    }

    /// The name.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Namespace({})", self.0)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The outcome of [`Store::compare_and_swap`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CasOutcome {
    /// The stored value was the expected one and has been replaced.
    Swapped,
    /// The stored value was not the expected one; nothing was written. Carries what is stored now
    /// (`None`: absent or expired), so the caller can retry without a second read.
    Conflict {
        /// The current value.
        current: Option<Vec<u8>>,
    },
}

/// One entry returned by [`Store::scan_prefix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key (without the namespace).
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
}

/// The largest `limit` a single [`Store::scan_prefix`] call accepts.
pub const MAX_SCAN_LIMIT: usize = 10_000;

/// The largest key a store accepts, in bytes.
pub const MAX_KEY_LEN: usize = 1024;

/// Namespaced key/value storage with TTLs and atomic single-writer primitives.
///
/// The contract every backend meets (and the contract suite, `lti_storage::test_suite` with feature `test-suite`,
/// checks):
/// - Keys are compared and ordered as raw bytes within their namespace; namespaces never see each other.
/// - An entry written with a TTL expires at *write time + ttl* by the store's [`Clock`](crate::Clock). An expired
///   entry is invisible to every read and counts as absent for [`insert_if_absent`](Store::insert_if_absent) and
///   [`compare_and_swap`](Store::compare_and_swap).
/// - [`insert_if_absent`](Store::insert_if_absent) and [`compare_and_swap`](Store::compare_and_swap) are atomic:
///   of any number of concurrent callers on one key, exactly one wins.
/// - A write is visible to reads as soon as the call returns; it is durable (survives a crash) once a later
///   [`flush`](Store::flush) returns. Callers that must not lose a write (used nonces, grades) flush before
///   acknowledging.
/// - Keys longer than [`MAX_KEY_LEN`] are rejected with [`Error::KeyTooLong`].
#[async_trait]
pub trait Store: Send + Sync + Debug {
    /// The value stored under `key`, or `None` when absent or expired.
    ///
    /// # Errors
    /// Backend failure or an over-long key.
    async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error>;

    /// Stores `value` under `key`, replacing any value; `ttl` `None` keeps it until deleted.
    ///
    /// # Errors
    /// Backend failure or an over-long key.
    async fn put(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), Error>;

    /// Stores `value` only if `key` is absent (or expired); returns whether it did. Atomic.
    ///
    /// # Errors
    /// Backend failure or an over-long key.
    async fn insert_if_absent(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, Error>;

    /// Replaces the value under `key` with `new` (`None` deletes it) only if the current value is `expected`
    /// (`None`: absent or expired). Atomic. `ttl` applies to the new value.
    ///
    /// # Errors
    /// Backend failure or an over-long key. A mismatch is not an error: it is [`CasOutcome::Conflict`].
    async fn compare_and_swap(
        &self,
        ns: Namespace,
        key: &[u8],
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Option<Duration>,
    ) -> Result<CasOutcome, Error>;

    /// Removes `key`; returns whether a live (unexpired) entry was removed.
    ///
    /// # Errors
    /// Backend failure or an over-long key.
    async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, Error>;

    /// Removes `key` and returns its value if it was live (unexpired), in one atomic step: of many concurrent
    /// `take`s of one key, at most one gets the value. For single-use records (OIDC `state`, message hints).
    ///
    /// The provided implementation is a [`get`](Store::get) followed by a
    /// [`compare_and_swap`](Store::compare_and_swap) to `None` (retried on a conflict), which is atomic on any
    /// store whose compare-and-swap is; backends override it with a native remove.
    ///
    /// # Errors
    /// Backend failure or an over-long key.
    async fn take(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        loop {
            let Some(current) = self.get(ns, key).await? else {
                return Ok(None);
            };
            match self
                .compare_and_swap(ns, key, Some(&current), None, None)
                .await?
            {
                CasOutcome::Swapped => return Ok(Some(current)),
                _ => continue,
            }
        }
    }

    /// Up to `limit` live entries whose key starts with `prefix`, in ascending key order, starting strictly after
    /// `start_after` when given (for paging: pass the last key of the previous page).
    ///
    /// # Errors
    /// Backend failure, or `limit` of 0 or above [`MAX_SCAN_LIMIT`] ([`Error::InvalidLimit`]).
    async fn scan_prefix(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, Error>;

    /// Removes up to `limit` expired entries of `ns`; returns how many it removed. Stores call it themselves
    /// opportunistically or a maintenance task calls it; reads never depend on it.
    ///
    /// # Errors
    /// Backend failure.
    async fn purge_expired(&self, ns: Namespace, limit: usize) -> Result<usize, Error>;

    /// Makes every write that has returned so far durable.
    ///
    /// # Errors
    /// Backend failure.
    async fn flush(&self) -> Result<(), Error>;
}

/// Rejects a key longer than [`MAX_KEY_LEN`].
pub(crate) fn check_key(key: &[u8]) -> Result<(), Error> {
    if key.len() > MAX_KEY_LEN {
        return Err(Error::KeyTooLong {
            len: key.len(),
            limit: MAX_KEY_LEN,
        });
    }
    Ok(())
}

/// Rejects a scan limit of 0 or above [`MAX_SCAN_LIMIT`].
pub(crate) fn check_scan_limit(limit: usize) -> Result<(), Error> {
    if limit == 0 || limit > MAX_SCAN_LIMIT {
        return Err(Error::InvalidLimit {
            found: limit,
            max: MAX_SCAN_LIMIT,
        });
    }
    Ok(())
}
