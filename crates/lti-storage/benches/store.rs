//! Store hot paths: `insert_if_absent` of fresh keys (the single-use nonce check) and `get`, on sled and in
//! memory.
//!
//! Run with `cargo bench -p lti-storage`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lti_storage::{MemoryStore, Namespace, SledStore, Store};
use tokio::runtime::Runtime;

const NONCES: Namespace = Namespace::new("lti.bench.nonce");
const NONCE_TTL: Option<Duration> = Some(Duration::from_secs(600));
/// Keys pre-written for the `get` benchmarks.
const GET_KEYS: u64 = 10_000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A 32-byte nonce-like key.
fn nonce(i: u64) -> [u8; 32] {
    let mut key = [b'n'; 32];
    key[24..].copy_from_slice(&i.to_be_bytes());
    key
}

fn bench_store(c: &mut Criterion, name: &str, store: &dyn Store) {
    let rt = runtime();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));

    let mut next = 0_u64;
    group.bench_function("insert_if_absent_fresh", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    next += 1;
                    let fresh = store
                        .insert_if_absent(NONCES, &nonce(u64::MAX - next), b"", NONCE_TTL)
                        .await
                        .unwrap();
                    assert!(black_box(fresh));
                }
                start.elapsed()
            })
        });
    });

    rt.block_on(async {
        for i in 0..GET_KEYS {
            store
                .put(NONCES, &nonce(i), b"used", NONCE_TTL)
                .await
                .unwrap();
        }
    });
    group.bench_function("get_hit", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let value = store.get(NONCES, &nonce(i % GET_KEYS)).await.unwrap();
                    black_box(value).unwrap();
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

fn sled(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    bench_store(c, "sled", &store);
}

fn memory(c: &mut Criterion) {
    bench_store(c, "memory", &MemoryStore::new());
}

criterion_group!(benches, sled, memory);
criterion_main!(benches);
