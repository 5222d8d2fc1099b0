//! `scan_prefix`: bounds, order, paging, limits, expiry.

use std::sync::Arc;
use std::time::Duration;

use super::NS;
use crate::{Entry, Error, MAX_SCAN_LIMIT, ManualClock, Store};

/// Only keys starting with the prefix, in ascending byte order (however they were written), each with its own
/// value; `start_after` is exclusive and may be any byte string; the empty prefix means everything.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn scan_prefix_bounds(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    // deliberately unordered; `a0` sorts right after the `a/` range (b'0' = b'/' + 1)
    let keys: [&[u8]; 11] = [
        b"a/2",
        b"b/1",
        b"a",
        b"a/\xff\xff",
        b"a0",
        b"a/",
        b"a/1",
        b"/a",
        b"a/\xff",
        b"\xff",
        b"\xff\xff",
    ];
    for key in keys {
        store.put(NS, key, key, None).await.unwrap();
    }
    let scan = |prefix: &'static [u8], start_after: Option<&'static [u8]>| {
        let store = Arc::clone(&store);
        async move {
            let entries = store
                .scan_prefix(NS, prefix, start_after, 100)
                .await
                .unwrap();
            for Entry { key, value } in &entries {
                assert_eq!(key, value, "scan returned a key with another key's value");
            }
            entries.into_iter().map(|e| e.key).collect::<Vec<_>>()
        }
    };
    let a_range: [&[u8]; 5] = [b"a/", b"a/1", b"a/2", b"a/\xff", b"a/\xff\xff"];

    assert_eq!(scan(b"a/", None).await, a_range, "prefix a/");
    assert_eq!(
        scan(b"\xff", None).await,
        [&b"\xff"[..], b"\xff\xff"],
        "prefix 0xff"
    );
    assert_eq!(
        scan(b"zzz", None).await,
        Vec::<Vec<u8>>::new(),
        "prefix matching nothing"
    );
    let mut all = keys.map(<[u8]>::to_vec).to_vec();
    all.sort();
    assert_eq!(
        scan(b"", None).await,
        all,
        "the empty prefix scans everything, ascending"
    );

    assert_eq!(
        scan(b"a/", Some(b"a/1")).await,
        a_range[2..],
        "start_after an existing key"
    );
    assert_eq!(
        scan(b"a/", Some(b"a/10")).await,
        a_range[2..],
        "start_after a missing key"
    );
    assert_eq!(
        scan(b"a/", Some(b"0")).await,
        a_range,
        "start_after below the prefix"
    );
    assert_eq!(
        scan(b"a/", Some(b"a")).await,
        a_range,
        "start_after a strict prefix of the prefix"
    );
    assert_eq!(
        scan(b"a/", Some(b"a/")).await,
        a_range[1..],
        "start_after the prefix itself"
    );
    assert!(
        scan(b"a/", Some(b"a/\xff\xff")).await.is_empty(),
        "start_after the last match"
    );
    assert!(
        scan(b"a/", Some(b"b")).await.is_empty(),
        "start_after above the prefix"
    );
}

/// Paging with `start_after` = the last key of the previous page visits every matching key exactly once, in
/// order; every page but the last is full.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn scan_prefix_paging(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    const KEYS: usize = 250;
    const PAGE: usize = 7;
    let mut expected = Vec::new();
    // written in a scrambled order (101 is coprime with 250)
    for i in (0..KEYS).map(|i| (i * 101) % KEYS) {
        store
            .put(NS, format!("p/{i:04}").as_bytes(), b"v", None)
            .await
            .unwrap();
    }
    for i in 0..KEYS {
        expected.push(format!("p/{i:04}").into_bytes());
    }
    store.put(NS, b"o/0001", b"noise", None).await.unwrap();
    store.put(NS, b"q/0001", b"noise", None).await.unwrap();

    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut pages = 0;
    loop {
        let page = store
            .scan_prefix(NS, b"p/", seen.last().map(Vec::as_slice), PAGE)
            .await
            .unwrap();
        assert!(
            page.len() <= PAGE,
            "page of {} entries with limit {PAGE}",
            page.len()
        );
        let done = page.len() < PAGE;
        seen.extend(page.into_iter().map(|e| e.key));
        pages += 1;
        assert!(pages <= KEYS, "paging does not terminate");
        if done {
            break;
        }
    }
    assert_eq!(
        seen, expected,
        "paging must visit every key exactly once, in order"
    );
    assert_eq!(pages, KEYS / PAGE + 1);
}

/// `limit` bounds the page; 0 and anything above [`MAX_SCAN_LIMIT`] are [`Error::InvalidLimit`].
///
/// # Panics
/// When the backend breaks the contract.
pub async fn scan_prefix_limits(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    for i in 0..5_u8 {
        store.put(NS, &[b'k', i], b"v", None).await.unwrap();
    }
    let first = store.scan_prefix(NS, b"k", None, 1).await.unwrap();
    assert_eq!(
        first.iter().map(|e| e.key.clone()).collect::<Vec<_>>(),
        [[b'k', 0]],
        "limit 1"
    );
    assert_eq!(
        store.scan_prefix(NS, b"k", None, 3).await.unwrap().len(),
        3,
        "limit 3"
    );
    assert_eq!(
        store
            .scan_prefix(NS, b"k", None, MAX_SCAN_LIMIT)
            .await
            .unwrap()
            .len(),
        5,
        "limit MAX_SCAN_LIMIT"
    );
    for limit in [0, MAX_SCAN_LIMIT + 1, usize::MAX] {
        match store.scan_prefix(NS, b"k", None, limit).await {
            Err(Error::InvalidLimit { found, max }) => {
                assert_eq!((found, max), (limit, MAX_SCAN_LIMIT), "InvalidLimit fields");
            }
            other => panic!("scan with limit {limit}: expected InvalidLimit, got {other:?}"),
        }
    }
}

/// Expired entries are skipped by scans and do not count towards `limit`.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn scan_prefix_skips_expired(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    for i in 0..10_u8 {
        let ttl = (i % 2 == 0).then_some(Duration::from_secs(1));
        store.put(NS, &[b'e', i], b"v", ttl).await.unwrap();
    }
    assert_eq!(
        store.scan_prefix(NS, b"e", None, 100).await.unwrap().len(),
        10
    );
    clock.advance(Duration::from_secs(1));
    let keys = |entries: Vec<Entry>| entries.into_iter().map(|e| e.key).collect::<Vec<_>>();
    assert_eq!(
        keys(store.scan_prefix(NS, b"e", None, 3).await.unwrap()),
        [[b'e', 1], [b'e', 3], [b'e', 5]],
        "expired entries must be skipped and not count towards the limit"
    );
    assert_eq!(
        keys(
            store
                .scan_prefix(NS, b"e", Some(&[b'e', 5]), 100)
                .await
                .unwrap()
        ),
        [[b'e', 7], [b'e', 9]],
        "paging past expired entries"
    );
}
