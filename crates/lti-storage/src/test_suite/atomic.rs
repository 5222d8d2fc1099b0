//! The single-writer primitives: insert-if-absent and compare-and-swap, alone and under contention.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Barrier;

use super::NS;
use crate::{CasOutcome, ManualClock, Store};

/// How many tasks race in the contention cases.
const RACERS: u64 = 1_000;

/// 1,000 tasks call `insert_if_absent` on one absent key at once: exactly one wins, and the stored value is
/// the winner's. (A single-use nonce must not be accepted twice.)
///
/// # Panics
/// When the backend breaks the contract.
pub async fn concurrent_insert_if_absent_has_one_winner(
    store: Arc<dyn Store>,
    _clock: Arc<ManualClock>,
) {
    race_insert(&store, b"nonce").await;
}

/// As [`concurrent_insert_if_absent_has_one_winner`], but the key holds an expired entry, which every racer
/// sees as absent: still exactly one wins.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn concurrent_insert_over_expired_has_one_winner(
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
) {
    store
        .put(NS, b"nonce", b"expired", Some(Duration::from_secs(1)))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(2));
    race_insert(&store, b"nonce").await;
}

/// `compare_and_swap`: `expected` `None` matches only absence; a mismatch is a [`CasOutcome::Conflict`]
/// carrying the current value and writes nothing; `new` `None` deletes; `ttl` applies to the new value.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn compare_and_swap_semantics(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    let cas =
        |expected: Option<&'static [u8]>, new: Option<&'static [u8]>, ttl: Option<Duration>| {
            let store = Arc::clone(&store);
            async move {
                store
                    .compare_and_swap(NS, b"k", expected, new, ttl)
                    .await
                    .unwrap()
            }
        };
    let current = || {
        let store = Arc::clone(&store);
        async move { store.get(NS, b"k").await.unwrap() }
    };

    assert_eq!(
        cas(Some(b"v1"), Some(b"v2"), None).await,
        CasOutcome::Conflict { current: None },
        "expected Some on an absent key"
    );
    assert_eq!(current().await, None, "a conflicting swap wrote");
    assert_eq!(
        cas(None, Some(b"v1"), None).await,
        CasOutcome::Swapped,
        "expected None on an absent key"
    );
    assert_eq!(current().await.as_deref(), Some(&b"v1"[..]));
    assert_eq!(
        cas(None, Some(b"v2"), None).await,
        CasOutcome::Conflict {
            current: Some(b"v1".to_vec())
        },
        "expected None on a present key"
    );
    assert_eq!(
        cas(Some(b"other"), Some(b"v2"), None).await,
        CasOutcome::Conflict {
            current: Some(b"v1".to_vec())
        },
        "expected the wrong value"
    );
    assert_eq!(
        current().await.as_deref(),
        Some(&b"v1"[..]),
        "a conflicting swap wrote"
    );
    assert_eq!(
        cas(Some(b"v1"), Some(b"v2"), None).await,
        CasOutcome::Swapped,
        "expected the right value"
    );
    assert_eq!(current().await.as_deref(), Some(&b"v2"[..]));
    assert_eq!(
        cas(Some(b"v2"), None, None).await,
        CasOutcome::Swapped,
        "swap to None"
    );
    assert_eq!(current().await, None, "a swap to None must delete");
    assert!(
        !store.delete(NS, b"k").await.unwrap(),
        "a swap to None left something to delete"
    );
    assert_eq!(
        cas(None, None, None).await,
        CasOutcome::Swapped,
        "None to None on an absent key"
    );
    assert_eq!(current().await, None);

    let ttl = Some(Duration::from_secs(5));
    assert_eq!(cas(None, Some(b"v3"), ttl).await, CasOutcome::Swapped);
    clock.advance(Duration::from_millis(4_999));
    assert_eq!(current().await.as_deref(), Some(&b"v3"[..]));
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        current().await,
        None,
        "the ttl of compare_and_swap must apply to the new value"
    );
}

/// 50 tasks each add 1 to a shared counter 20 times with a compare-and-swap retry loop (retrying from the
/// value a conflict returns): the counter ends at exactly 1,000, so no update was lost.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn concurrent_compare_and_swap_loses_no_update(
    store: Arc<dyn Store>,
    _clock: Arc<ManualClock>,
) {
    const TASKS: u64 = 50;
    const INCREMENTS: u64 = 20;
    let barrier = Arc::new(Barrier::new(usize::try_from(TASKS).unwrap()));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                for _ in 0..INCREMENTS {
                    let mut current = store.get(NS, b"counter").await.unwrap();
                    loop {
                        let next = counter_value(current.as_deref()) + 1;
                        let outcome = store
                            .compare_and_swap(
                                NS,
                                b"counter",
                                current.as_deref(),
                                Some(&next.to_be_bytes()),
                                None,
                            )
                            .await
                            .unwrap();
                        match outcome {
                            CasOutcome::Swapped => break,
                            CasOutcome::Conflict { current: now } => current = now,
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let total = store.get(NS, b"counter").await.unwrap();
    assert_eq!(
        counter_value(total.as_deref()),
        TASKS * INCREMENTS,
        "compare_and_swap lost updates"
    );
}

/// Races [`RACERS`] tasks to `insert_if_absent` `key` (absent or expired) and checks there is one winner.
async fn race_insert(store: &Arc<dyn Store>, key: &'static [u8]) {
    let barrier = Arc::new(Barrier::new(usize::try_from(RACERS).unwrap()));
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = Arc::clone(store);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                let ttl = Some(Duration::from_secs(600));
                let won = store
                    .insert_if_absent(NS, key, &racer.to_be_bytes(), ttl)
                    .await
                    .unwrap();
                (racer, won)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (racer, won) = task.await.unwrap();
        if won {
            winners.push(racer);
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "insert_if_absent winners among {RACERS} racers: {winners:?}"
    );
    let stored = store.get(NS, key).await.unwrap();
    assert_eq!(
        stored,
        Some(winners[0].to_be_bytes().to_vec()),
        "the stored value must be the winner's"
    );
}

/// A counter stored as a big-endian u64; absent is 0.
fn counter_value(bytes: Option<&[u8]>) -> u64 {
    bytes.map_or(0, |b| {
        u64::from_be_bytes(b.try_into().expect("an 8-byte counter"))
    })
}

/// `take`: returns the live value once and removes it; an absent or expired key gives `None` (and an expired
/// one is gone afterwards); a TTL-less value is taken like any other.
///
/// # Panics
/// When the backend breaks the contract.
pub async fn take_semantics(store: Arc<dyn Store>, clock: Arc<ManualClock>) {
    assert_eq!(
        store.take(NS, b"absent").await.unwrap(),
        None,
        "take of an absent key"
    );
    store.put(NS, b"k", b"v", None).await.unwrap();
    assert_eq!(
        store.take(NS, b"k").await.unwrap().as_deref(),
        Some(&b"v"[..]),
        "first take"
    );
    assert_eq!(
        store.take(NS, b"k").await.unwrap(),
        None,
        "second take of the same key"
    );
    assert_eq!(
        store.get(NS, b"k").await.unwrap(),
        None,
        "taken key still readable"
    );
    store
        .put(NS, b"short", b"v", Some(Duration::from_secs(1)))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        store.take(NS, b"short").await.unwrap(),
        None,
        "take of an expired key"
    );
    assert!(
        store
            .insert_if_absent(NS, b"short", b"new", None)
            .await
            .unwrap(),
        "an expired, taken key must count as absent"
    );
}

/// 1,000 tasks `take` one key at once: exactly one gets the value. (A single-use `state` must not be
/// consumed twice.)
///
/// # Panics
/// When the backend breaks the contract.
pub async fn concurrent_take_has_one_winner(store: Arc<dyn Store>, _clock: Arc<ManualClock>) {
    store.put(NS, b"state", b"record", None).await.unwrap();
    let barrier = Arc::new(Barrier::new(RACERS as usize));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                store.take(NS, b"state").await.unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        if let Some(value) = task.await.unwrap() {
            assert_eq!(value, b"record", "a take returned another value");
            winners += 1;
        }
    }
    assert_eq!(
        winners, 1,
        "{winners} of {RACERS} concurrent takes got the value"
    );
}
