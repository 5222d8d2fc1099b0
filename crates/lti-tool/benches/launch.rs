//! Launch validation throughput: the full `Tool::launch` with the platform JWKS cached and a `SledStore` (in a
//! temporary directory) holding state records and used nonces; plus its parts, to show where the time goes.
//!
//! Run with `cargo bench -p lti-tool --bench launch`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../tests/support/platform.rs"]
mod platform;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lti_security::{Algorithm, ClaimRules, JwtVerifier, KeySet, RequiredClaim, SystemClock};
use lti_storage::{Namespace, SledStore, Store};
use lti_tool::{NonceDurability, ToolConfig};
use platform::{CLIENT_ID, ISS, Platform, TOOL};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
    let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap());
    let p = Platform::with(config, Some(Arc::clone(&store)));
    // Warm the JWKS cache.
    rt.block_on(p.launch_with(|_| {})).unwrap();

    let mut group = c.benchmark_group("launch");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));

    // The full validation; logins and token signing (RS256, ~4k/s) happen outside the timed loop.
    // Default durability: the store is flushed before each launch is accepted.
    group.bench_function("tool_launch_sled_flush", |b| {
        b.iter_custom(|iters| launches(&rt, &p, iters));
    });

    // Nonce durability Background: the same validation, sled flushes on its own schedule.
    let background_dir = tempfile::tempdir().unwrap();
    let background_store: Arc<dyn Store> =
        Arc::new(SledStore::open(background_dir.path()).unwrap());
    let background = Platform::with(
        ToolConfig::new(format!("{TOOL}/launch").parse().unwrap())
            .with_nonce_durability(NonceDurability::Background),
        Some(background_store),
    );
    rt.block_on(background.launch_with(|_| {})).unwrap();
    group.bench_function("tool_launch_sled_background", |b| {
        b.iter_custom(|iters| launches(&rt, &background, iters));
    });

    // The same validation over a MemoryStore: the cost of everything but sled.
    let memory = Platform::new();
    rt.block_on(memory.launch_with(|_| {})).unwrap();
    group.bench_function("tool_launch_memory", |b| {
        b.iter_custom(|iters| launches(&rt, &memory, iters));
    });

    // The floor: one raw RS256 signature check (aws-lc-rs through our cached parsed key), same token size.
    let login = rt.block_on(p.login());
    let token = p.sign(&p.claims(&login));
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .unwrap();
    let public = p.key.verifying_key().clone();
    group.bench_function("rs256_verify_raw", |b| {
        b.iter(|| {
            public
                .verify(
                    Algorithm::Rs256,
                    black_box(signing_input.as_bytes()),
                    black_box(&signature),
                )
                .unwrap()
        });
    });

    // Part 1: RS256 verification + registered claims, with the key known up front.
    let keys = KeySet::from_keys([p.key.verifying_key().clone()]);
    let verifier = JwtVerifier::new(Arc::new(SystemClock));
    let rules = ClaimRules::new()
        .issuer(ISS)
        .audience(CLIENT_ID)
        .require(RequiredClaim::Nonce);
    let login = rt.block_on(p.login());
    let token = p.sign(&p.claims(&login));
    group.bench_function("jwt_verify_rs256", |b| {
        b.iter(|| black_box(rt.block_on(verifier.verify(&token, &keys, &rules)).unwrap()));
    });

    // Part 2: the store work of one launch: state take, nonce insert, flush.
    let ns_state = Namespace::new("bench.state");
    let ns_nonce = Namespace::new("bench.nonce");
    let mut n: u64 = 0;
    for flush in [true, false] {
        let name = if flush {
            "sled_state_take_nonce_insert_flush"
        } else {
            "sled_state_take_nonce_insert_no_flush"
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let keys: Vec<Vec<u8>> = (0..iters)
                    .map(|_| {
                        n += 1;
                        let key = format!("key-{n:020}").into_bytes();
                        rt.block_on(store.put(
                            ns_state,
                            &key,
                            b"{\"x\":1}",
                            Some(Duration::from_secs(600)),
                        ))
                        .unwrap();
                        key
                    })
                    .collect();
                let start = Instant::now();
                for key in keys {
                    rt.block_on(async {
                        store.take(ns_state, &key).await.unwrap().unwrap();
                        assert!(
                            store
                                .insert_if_absent(
                                    ns_nonce,
                                    &key,
                                    b"",
                                    Some(Duration::from_secs(600))
                                )
                                .await
                                .unwrap()
                        );
                        if flush {
                            store.flush().await.unwrap();
                        }
                    });
                }
                start.elapsed()
            });
        });
    }
    group.finish();
}

/// `iters` launches, each with its own login and freshly signed token (prepared outside the timed part).
fn launches(rt: &tokio::runtime::Runtime, p: &Platform, iters: u64) -> Duration {
    let requests: Vec<_> = (0..iters)
        .map(|_| {
            let login = rt.block_on(p.login());
            let token = p.sign(&p.claims(&login));
            p.post(&token, &login.state, Some(&login.cookie))
        })
        .collect();
    let start = Instant::now();
    for request in requests {
        black_box(rt.block_on(p.tool.launch(request)).unwrap());
    }
    start.elapsed()
}

criterion_group!(benches, bench);
criterion_main!(benches);
