//! Reads, writes, deletes, namespaces, key limits, flush.

use std::sync::Arc;

use super::{NS, NS_OTHER};
use crate::{Error, ErrorKind, MAX_KEY_LEN, ManualClock, Store};

/// `get` of an absent key is `None`; `put` stores and overwrites; an empty value is not absence; empty and
/// binary keys work; a key of exactly [`MAX_KEY_LEN`] bytes works; `delete` reports whether it removed something.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn get_put_delete(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    assert_eq!(
        store.get(NS, b"k").await.unwrap(),
        None,
        "get of a never-written key"
    );
    store.put(NS, b"k", b"v1", None).await.unwrap();
    assert_eq!(
        store.get(NS, b"k").await.unwrap().as_deref(),
        Some(&b"v1"[..]),
        "get after put"
    );
    store.put(NS, b"k", b"v2", None).await.unwrap();
    assert_eq!(
        store.get(NS, b"k").await.unwrap().as_deref(),
        Some(&b"v2"[..]),
        "put overwrites"
    );

    store.put(NS, b"empty-value", b"", None).await.unwrap();
    assert_eq!(
        store.get(NS, b"empty-value").await.unwrap(),
        Some(Vec::new()),
        "an empty value is present, not absent"
    );
    let binary = [0x00, 0xff, 0x80, b'/', 0x00];
    store.put(NS, &binary, b"bin", None).await.unwrap();
    assert_eq!(
        store.get(NS, &binary).await.unwrap().as_deref(),
        Some(&b"bin"[..]),
        "binary key"
    );
    store.put(NS, b"", b"empty-key", None).await.unwrap();
    assert_eq!(
        store.get(NS, b"").await.unwrap().as_deref(),
        Some(&b"empty-key"[..]),
        "empty key"
    );
    let longest = vec![b'x'; MAX_KEY_LEN];
    store.put(NS, &longest, b"long", None).await.unwrap();
    assert_eq!(
        store.get(NS, &longest).await.unwrap().as_deref(),
        Some(&b"long"[..]),
        "a key of exactly MAX_KEY_LEN bytes"
    );

    assert!(
        store.delete(NS, b"k").await.unwrap(),
        "delete of a present key returns true"
    );
    assert_eq!(store.get(NS, b"k").await.unwrap(), None, "get after delete");
    assert!(
        !store.delete(NS, b"k").await.unwrap(),
        "delete of an absent key returns false"
    );
    assert!(
        !store.delete(NS, b"never").await.unwrap(),
        "delete of a never-written key"
    );
    assert_eq!(
        store.get(NS, b"empty-value").await.unwrap(),
        Some(Vec::new()),
        "delete touches only its key"
    );
}

/// The same key in two namespaces holds two values; writes, deletes and scans in one never touch the other.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn namespaces_are_isolated(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    store.put(NS, b"k", b"a", None).await.unwrap();
    assert_eq!(
        store.get(NS_OTHER, b"k").await.unwrap(),
        None,
        "a put leaks into another namespace"
    );
    assert!(
        store
            .insert_if_absent(NS_OTHER, b"k", b"b", None)
            .await
            .unwrap(),
        "insert_if_absent sees another namespace's key"
    );
    assert_eq!(
        store.get(NS, b"k").await.unwrap().as_deref(),
        Some(&b"a"[..])
    );
    assert_eq!(
        store.get(NS_OTHER, b"k").await.unwrap().as_deref(),
        Some(&b"b"[..])
    );

    let only_ns = store.scan_prefix(NS, b"", None, 100).await.unwrap();
    assert_eq!(only_ns.len(), 1, "scan sees another namespace: {only_ns:?}");
    assert_eq!(only_ns.first().map(|e| e.value.as_slice()), Some(&b"a"[..]));

    assert!(store.delete(NS, b"k").await.unwrap());
    assert_eq!(
        store.get(NS_OTHER, b"k").await.unwrap().as_deref(),
        Some(&b"b"[..]),
        "a delete leaks into another namespace"
    );
}

/// Every keyed operation rejects a key of [`MAX_KEY_LEN`] + 1 bytes with [`Error::KeyTooLong`].
///
/// # Panics
/// When the backend breaks the contract.
pub async fn key_too_long_is_rejected(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    let key = vec![b'x'; MAX_KEY_LEN + 1];
    let check = |op: &str, err: Option<Error>| match err {
        Some(err @ Error::KeyTooLong { len, limit }) => {
            assert_eq!((len, limit), (MAX_KEY_LEN + 1, MAX_KEY_LEN), "{op}: {err}");
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        }
        other => panic!("{op} with an over-long key: expected KeyTooLong, got {other:?}"),
    };
    check("get", store.get(NS, &key).await.err());
    check("put", store.put(NS, &key, b"v", None).await.err());
    check(
        "insert_if_absent",
        store.insert_if_absent(NS, &key, b"v", None).await.err(),
    );
    check(
        "compare_and_swap",
        store
            .compare_and_swap(NS, &key, None, Some(b"v"), None)
            .await
            .err(),
    );
    check("delete", store.delete(NS, &key).await.err());
    assert!(
        store
            .scan_prefix(NS, b"", None, 10)
            .await
            .unwrap()
            .is_empty(),
        "a rejected write was stored"
    );
}

/// `flush` succeeds, and data written before it is still readable after it.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn flush_succeeds(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    store.flush().await.unwrap();
    store.put(NS, b"k", b"v", None).await.unwrap();
    store.flush().await.unwrap();
    assert_eq!(
        store.get(NS, b"k").await.unwrap().as_deref(),
        Some(&b"v"[..])
    );
}
