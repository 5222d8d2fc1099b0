//! Expiry by the injected clock.

use std::sync::Arc;
use std::time::Duration;

use super::{NS, NS_OTHER};
use crate::{CasOutcome, ManualClock, Store};

/// An entry with a TTL is visible until just before *write time + ttl* and invisible at and after it (to `get`,
/// `scan_prefix` and `delete`); an entry without one never expires; a rewrite replaces the TTL.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn ttl_expiry(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    store
        .put(NS, b"ttl", b"v", Some(Duration::from_secs(10)))
        .await
        .unwrap();
    store.put(NS, b"forever", b"v", None).await.unwrap();
    store
        .put(NS, b"rewritten", b"v", Some(Duration::from_secs(10)))
        .await
        .unwrap();
    store.put(NS, b"rewritten", b"v", None).await.unwrap();
    store
        .put(NS, b"refreshed", b"v", Some(Duration::from_secs(10)))
        .await
        .unwrap();

    clock.advance(Duration::from_millis(9_999));
    assert_eq!(
        store.get(NS, b"ttl").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "an entry 1 ms before its expiry must be visible"
    );
    let live = store.scan_prefix(NS, b"ttl", None, 10).await.unwrap();
    assert_eq!(live.len(), 1, "scan 1 ms before expiry");
    store
        .put(NS, b"refreshed", b"v", Some(Duration::from_secs(10)))
        .await
        .unwrap();

    clock.advance(Duration::from_millis(1));
    assert_eq!(
        store.get(NS, b"ttl").await.unwrap(),
        None,
        "an entry at its expiry instant must be gone"
    );
    assert!(
        store
            .scan_prefix(NS, b"ttl", None, 10)
            .await
            .unwrap()
            .is_empty(),
        "scan at the expiry instant"
    );
    assert!(
        !store.delete(NS, b"ttl").await.unwrap(),
        "delete of an expired entry returns false"
    );
    assert!(
        store.get(NS, b"refreshed").await.unwrap().is_some(),
        "a rewrite with a new TTL must restart it"
    );

    clock.advance(Duration::from_secs(365 * 24 * 60 * 60));
    assert!(
        store.get(NS, b"forever").await.unwrap().is_some(),
        "an entry without TTL expired"
    );
    assert!(
        store.get(NS, b"rewritten").await.unwrap().is_some(),
        "a rewrite without TTL must drop the old TTL"
    );
    assert_eq!(store.get(NS, b"refreshed").await.unwrap(), None);
}

/// An expired key counts as absent: `insert_if_absent` succeeds over it, `compare_and_swap` sees `None`.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn expired_counts_as_absent(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    let ttl = Some(Duration::from_secs(1));
    assert!(
        store
            .insert_if_absent(NS, b"nonce", b"first", ttl)
            .await
            .unwrap()
    );
    assert!(
        !store
            .insert_if_absent(NS, b"nonce", b"replay", ttl)
            .await
            .unwrap(),
        "insert_if_absent over a live key must fail"
    );
    clock.advance(Duration::from_secs(1));
    assert!(
        store
            .insert_if_absent(NS, b"nonce", b"second", ttl)
            .await
            .unwrap(),
        "insert_if_absent over an expired key must succeed"
    );
    assert_eq!(
        store.get(NS, b"nonce").await.unwrap().as_deref(),
        Some(&b"second"[..])
    );

    store.put(NS, b"cas", b"old", ttl).await.unwrap();
    store.put(NS, b"cas-none", b"old", ttl).await.unwrap();
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        store
            .compare_and_swap(NS, b"cas", Some(b"old"), Some(b"new"), None)
            .await
            .unwrap(),
        CasOutcome::Conflict { current: None },
        "compare_and_swap must see an expired value as absent"
    );
    assert_eq!(
        store
            .compare_and_swap(NS, b"cas", None, Some(b"new"), None)
            .await
            .unwrap(),
        CasOutcome::Swapped,
        "compare_and_swap from None over an expired value"
    );
    assert_eq!(
        store.get(NS, b"cas").await.unwrap().as_deref(),
        Some(&b"new"[..])
    );
    assert_eq!(
        store
            .compare_and_swap(NS, b"cas-none", None, None, None)
            .await
            .unwrap(),
        CasOutcome::Swapped,
        "compare_and_swap from None to None over an expired value"
    );
    assert_eq!(store.get(NS, b"cas-none").await.unwrap(), None);
}

/// `purge_expired` removes expired entries only, at most `limit` per call, in its namespace only.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn purge_expired_removes_only_expired(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    for i in 0..5_u8 {
        store
            .put(NS, &[b'e', i], b"v", Some(Duration::from_secs(1)))
            .await
            .unwrap();
        store
            .put(NS_OTHER, &[b'e', i], b"v", Some(Duration::from_secs(1)))
            .await
            .unwrap();
    }
    for i in 0..3_u8 {
        store
            .put(NS, &[b'l', i], b"v", Some(Duration::from_secs(3_600)))
            .await
            .unwrap();
    }
    for i in 0..2_u8 {
        store.put(NS, &[b'f', i], b"v", None).await.unwrap();
    }
    assert_eq!(
        store.purge_expired(NS, 100).await.unwrap(),
        0,
        "purge before anything expired"
    );

    clock.advance(Duration::from_secs(2));
    assert_eq!(
        store.purge_expired(NS, 2).await.unwrap(),
        2,
        "purge must respect its limit"
    );
    assert_eq!(
        store.purge_expired(NS, 100).await.unwrap(),
        3,
        "purge of the remaining expired"
    );
    assert_eq!(
        store.purge_expired(NS, 100).await.unwrap(),
        0,
        "nothing left to purge"
    );
    assert_eq!(
        store.purge_expired(NS, 0).await.unwrap(),
        0,
        "limit 0 purges nothing"
    );

    let left = store.scan_prefix(NS, b"", None, 100).await.unwrap();
    let keys: Vec<_> = left.iter().map(|e| e.key.clone()).collect();
    assert_eq!(
        keys,
        [[b'f', 0], [b'f', 1], [b'l', 0], [b'l', 1], [b'l', 2]],
        "purge removed a live entry"
    );
    assert_eq!(
        store.purge_expired(NS_OTHER, 100).await.unwrap(),
        5,
        "purge of one namespace touched another"
    );
}
