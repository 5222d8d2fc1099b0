//! sled-only behaviour: durability across a reopen, and flushes under concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use lti_storage::{ManualClock, Namespace, SledStore, Store};

const NONCES: Namespace = Namespace::new("lti.storage.test-nonces");
const KEYS: Namespace = Namespace::new("lti.storage.test-keys");

/// Regression: sled 0.34's `flush_async` deadlocks when called concurrently (spacejam/sled#1308). Many tasks
/// writing and flushing at once must all finish, and every write must be readable after.
#[test]
fn concurrent_flushes_complete() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let outcome = rt.block_on(async {
            let store = Arc::new(SledStore::temporary().unwrap());
            let mut tasks = Vec::new();
            for i in 0..64u32 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    for j in 0..5u32 {
                        let key = format!("k-{i}-{j}");
                        store.put(KEYS, key.as_bytes(), b"v", None).await.unwrap();
                        store.flush().await.unwrap();
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
            let all = store.scan_prefix(KEYS, b"k-", None, 1000).await.unwrap();
            all.len()
        });
        let _ = done.send(outcome);
    });
    let written = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("concurrent flushes hung (sled flush deadlock)");
    assert_eq!(written, 320);
}

#[tokio::test]
async fn data_and_ttls_survive_flush_drop_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    {
        let store = SledStore::open_with_clock(dir.path(), clock.clone()).unwrap();
        assert!(
            store
                .insert_if_absent(NONCES, b"n-1", b"used", Some(Duration::from_secs(60)))
                .await
                .unwrap()
        );
        store.put(KEYS, b"kid-1", b"jwk", None).await.unwrap();
        store.put(KEYS, b"gone", b"x", None).await.unwrap();
        assert!(store.delete(KEYS, b"gone").await.unwrap());
        store.flush().await.unwrap();
    }

    clock.advance(Duration::from_secs(59));
    let store = SledStore::open_with_clock(dir.path(), clock.clone()).unwrap();
    assert_eq!(
        store.get(KEYS, b"kid-1").await.unwrap().as_deref(),
        Some(&b"jwk"[..])
    );
    assert_eq!(
        store.get(KEYS, b"gone").await.unwrap(),
        None,
        "a delete was lost"
    );
    assert_eq!(
        store.get(NONCES, b"n-1").await.unwrap().as_deref(),
        Some(&b"used"[..])
    );
    assert!(
        !store
            .insert_if_absent(NONCES, b"n-1", b"replay", None)
            .await
            .unwrap(),
        "a used nonce must stay used across a restart"
    );

    clock.advance(Duration::from_secs(1));
    assert_eq!(
        store.get(NONCES, b"n-1").await.unwrap(),
        None,
        "the TTL must survive a restart"
    );
    assert_eq!(store.purge_expired(NONCES, 10).await.unwrap(), 1);
}

#[test]
fn a_directory_opened_twice_is_a_backend_error() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledStore::open(dir.path()).unwrap();
    let second = SledStore::open(dir.path());
    assert!(
        matches!(
            second,
            Err(lti_storage::Error::Backend {
                backend: "sled",
                ..
            })
        ),
        "{second:?}"
    );
}
