//! One namespace of a [`MemoryStore`](super::MemoryStore): an ordered map plus an expiry index.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::Entry;
use crate::expiry::is_expired;

/// The entries of one namespace, ordered by key, and an index of the ones with a TTL ordered by expiry, so that
/// purging expired entries costs O(removed · log n) instead of a full walk.
///
/// Invariant: `expiries` holds exactly `(expires_at, key)` for every entry of `entries` whose `expires_at` is
/// `Some`. Every mutation goes through [`Table::insert`] or [`Table::take`], which keep it.
#[derive(Debug, Default)]
pub(super) struct Table {
    entries: BTreeMap<Vec<u8>, Slot>,
    expiries: BTreeSet<(u64, Vec<u8>)>,
}

/// A stored value and when it expires (ms since the Unix epoch).
#[derive(Debug)]
struct Slot {
    value: Vec<u8>,
    expires_at: Option<u64>,
}

impl Slot {
    fn is_live(&self, now_ms: u64) -> bool {
        self.expires_at.is_none_or(|at| !is_expired(at, now_ms))
    }
}

impl Table {
    /// The value under `key` if it is live at `now_ms`.
    pub(super) fn live(&self, key: &[u8], now_ms: u64) -> Option<&[u8]> {
        self.entries
            .get(key)
            .filter(|slot| slot.is_live(now_ms))
            .map(|slot| slot.value.as_slice())
    }

    /// Stores `value` under `key`, replacing whatever was there.
    pub(super) fn insert(&mut self, key: &[u8], value: &[u8], expires_at: Option<u64>) {
        self.take(key);
        if let Some(at) = expires_at {
            self.expiries.insert((at, key.to_vec()));
        }
        let slot = Slot {
            value: value.to_vec(),
            expires_at,
        };
        self.entries.insert(key.to_vec(), slot);
    }

    /// Removes `key`; returns whether the removed entry was live at `now_ms`.
    pub(super) fn remove(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.take(key).is_some_and(|slot| slot.is_live(now_ms))
    }

    /// Removes `key`; its value if it was live at `now_ms`.
    pub(super) fn take_live(&mut self, key: &[u8], now_ms: u64) -> Option<Vec<u8>> {
        self.take(key)
            .filter(|slot| slot.is_live(now_ms))
            .map(|slot| slot.value)
    }

    /// Up to `limit` live entries whose key starts with `prefix`, ascending, strictly after `start_after`.
    pub(super) fn scan(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
        now_ms: u64,
    ) -> Vec<Entry> {
        let lower = match start_after {
            Some(after) if after >= prefix => Bound::Excluded(after),
            _ => Bound::Included(prefix),
        };
        self.entries
            .range::<[u8], _>((lower, Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix))
            .filter(|(_, slot)| slot.is_live(now_ms))
            .take(limit)
            .map(|(key, slot)| Entry {
                key: key.clone(),
                value: slot.value.clone(),
            })
            .collect()
    }

    /// Removes up to `limit` entries expired at `now_ms`, soonest-expired first; returns how many.
    pub(super) fn purge(&mut self, now_ms: u64, limit: usize) -> usize {
        let mut removed = 0;
        while removed < limit {
            let Some((at, key)) = self.expiries.first() else {
                break;
            };
            if !is_expired(*at, now_ms) {
                break;
            }
            let key = key.clone();
            self.take(&key);
            removed += 1;
        }
        removed
    }

    /// Whether the table holds nothing (not even expired entries), so its namespace can be dropped.
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.expiries.is_empty()
    }

    /// Removes `key` and its index entry, whatever its state.
    fn take(&mut self, key: &[u8]) -> Option<Slot> {
        let slot = self.entries.remove(key)?;
        if let Some(at) = slot.expires_at {
            self.expiries.remove(&(at, key.to_vec()));
        }
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_an_entry_keeps_the_expiry_index_in_step() {
        let mut table = Table::default();
        table.insert(b"k", b"v1", Some(100));
        table.insert(b"k", b"v2", None);
        // the old expiry must not purge the new, TTL-less value
        assert_eq!(table.purge(1_000, 10), 0);
        assert_eq!(table.live(b"k", 1_000), Some(&b"v2"[..]));
        table.insert(b"k", b"v3", Some(2_000));
        assert!(table.remove(b"k", 1_000));
        assert!(table.is_empty());
    }

    #[test]
    fn purge_takes_soonest_first_and_respects_limit() {
        let mut table = Table::default();
        table.insert(b"c", b"", Some(30));
        table.insert(b"a", b"", Some(10));
        table.insert(b"b", b"", Some(20));
        table.insert(b"d", b"", None);
        assert_eq!(table.purge(25, 1), 1);
        assert!(table.entries.contains_key(&b"b"[..]));
        assert!(!table.entries.contains_key(&b"a"[..]));
        assert_eq!(table.purge(25, 10), 1);
        assert_eq!(table.purge(25, 10), 0);
        assert_eq!(table.live(b"c", 25), Some(&b""[..]));
        assert_eq!(table.live(b"d", 25), Some(&b""[..]));
    }

    #[test]
    fn removing_an_expired_entry_reports_not_live() {
        let mut table = Table::default();
        table.insert(b"k", b"v", Some(10));
        assert!(!table.remove(b"k", 10));
        assert!(table.is_empty());
    }
}
