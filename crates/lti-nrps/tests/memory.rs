#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    missing_docs
)]
//! Paging through a 100,000-member roster keeps memory flat on both sides.
//!
//! Own test binary with one test, so nothing else allocates meanwhile. Measured:
//! - platform side: every `Store` call the roster makes goes through a counting wrapper; the largest single
//!   `scan_prefix` answer (entries and bytes) must be one page (+1 entry), whatever the roster size;
//! - wire: the largest page body, against the whole roster's bytes;
//! - tool side: `Pages` holds one page; the resident set size (`VmRSS` from `/proc/self/status`, Linux) sampled
//!   after every page must not grow with the roster (a collected roster would add the whole roster's bytes).
//!
//! `cargo test -p lti-nrps --all-features --test memory -- --nocapture` prints the numbers.

#[path = "support/world.rs"]
mod world;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use lti_nrps::MembershipQuery;
use lti_storage::{CasOutcome, Entry, MemoryStore, Namespace, Store};
use world::*;

/// A `Store` that counts what the roster reads.
#[derive(Debug)]
struct CountingStore {
    inner: MemoryStore,
    max_scan_entries: AtomicUsize,
    max_scan_bytes: AtomicUsize,
    scans: AtomicUsize,
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, lti_storage::Error> {
        self.inner.get(ns, key).await
    }
    async fn put(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), lti_storage::Error> {
        self.inner.put(ns, key, value, ttl).await
    }
    async fn insert_if_absent(
        &self,
        ns: Namespace,
        key: &[u8],
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, lti_storage::Error> {
        self.inner.insert_if_absent(ns, key, value, ttl).await
    }
    async fn compare_and_swap(
        &self,
        ns: Namespace,
        key: &[u8],
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Option<Duration>,
    ) -> Result<CasOutcome, lti_storage::Error> {
        self.inner
            .compare_and_swap(ns, key, expected, new, ttl)
            .await
    }
    async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, lti_storage::Error> {
        self.inner.delete(ns, key).await
    }
    async fn scan_prefix(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, lti_storage::Error> {
        let entries = self
            .inner
            .scan_prefix(ns, prefix, start_after, limit)
            .await?;
        let bytes: usize = entries.iter().map(|e| e.key.len() + e.value.len()).sum();
        self.scans.fetch_add(1, Ordering::SeqCst);
        self.max_scan_entries
            .fetch_max(entries.len(), Ordering::SeqCst);
        self.max_scan_bytes.fetch_max(bytes, Ordering::SeqCst);
        Ok(entries)
    }
    async fn purge_expired(
        &self,
        ns: Namespace,
        limit: usize,
    ) -> Result<usize, lti_storage::Error> {
        self.inner.purge_expired(ns, limit).await
    }
    async fn flush(&self) -> Result<(), lti_storage::Error> {
        self.inner.flush().await
    }
}

fn rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Debug)]
struct Walk {
    members: usize,
    pages: usize,
    total_body_bytes: usize,
    max_body_bytes: usize,
    max_scan_entries: usize,
    max_scan_bytes: usize,
    rss_growth_kib: Option<usize>,
}

async fn walk_roster(size: usize, page: u32) -> Walk {
    let store = Arc::new(CountingStore {
        inner: MemoryStore::new(),
        max_scan_entries: AtomicUsize::new(0),
        max_scan_bytes: AtomicUsize::new(0),
        scans: AtomicUsize::new(0),
    });
    let w = World::with_store(store.clone()).await;
    w.seed(size).await;
    w.clock.advance(Duration::from_secs(1));
    store.max_scan_entries.store(0, Ordering::SeqCst);
    store.max_scan_bytes.store(0, Ordering::SeqCst);

    let claim = w.claim(COURSE);
    let query = MembershipQuery::new().with_limit(NonZeroU32::new(page).unwrap());
    let mut pages = w.client.members(&claim, &query).unwrap();
    // warm up one page so allocator pools exist before the baseline
    let first = pages.next_page().await.unwrap().unwrap();
    let mut members = first.members().len();
    drop(first);
    let baseline = rss_kib();
    let mut peak = baseline;
    while let Some(page) = pages.next_page().await.unwrap() {
        members += page.members().len();
        drop(page);
        peak = peak.max(rss_kib());
    }
    let seen = w.seen();
    assert!(seen.iter().all(|s| s.status == 200));
    Walk {
        members,
        pages: pages.pages_read(),
        total_body_bytes: seen.iter().map(|s| s.body_bytes).sum(),
        max_body_bytes: seen.iter().map(|s| s.body_bytes).max().unwrap(),
        max_scan_entries: store.max_scan_entries.load(Ordering::SeqCst),
        max_scan_bytes: store.max_scan_bytes.load(Ordering::SeqCst),
        rss_growth_kib: peak.zip(baseline).map(|(p, b)| p.saturating_sub(b)),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn paging_100000_members_keeps_memory_flat_on_both_sides() {
    let small = walk_roster(10_000, 1000).await;
    let large = walk_roster(100_000, 1000).await;
    println!("10k roster:  {small:?}");
    println!("100k roster: {large:?}");
    assert_eq!(small.members, 10_000);
    assert_eq!(large.members, 100_000);
    assert_eq!(large.pages, 100);

    // platform: one scan per page, limit + 1 entries, the same for 10k and 100k members
    assert_eq!(large.max_scan_entries, 1001);
    assert_eq!(small.max_scan_entries, large.max_scan_entries);
    assert!(
        large.max_scan_bytes < large.total_body_bytes / 50,
        "{large:?}"
    );
    // wire: a page is a hundredth of the roster
    assert!(
        large.max_body_bytes * 90 < large.total_body_bytes,
        "{large:?}"
    );
    // tool: the resident set does not grow by anything near the roster's size while walking it
    if let Some(growth) = large.rss_growth_kib {
        let roster_kib = large.total_body_bytes / 1024;
        assert!(
            growth * 4 < roster_kib,
            "RSS grew {growth} KiB walking a {roster_kib} KiB roster"
        );
    }
}
