//! Serving one page of 1,000 members from a 10,000-member roster, through the whole `NrpsService` (token
//! lookup, scope, scoped URL, adoption, roster scan, privacy, JSON, `Link` headers), with the roster in a
//! `MemoryStore` and in a `SledStore`. First page and a page from the middle (an `after` cursor).
//!
//! Run with `cargo bench -p lti-nrps -- --warm-up-time 1 --measurement-time 3`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "benchmark"
)]

#[path = "../tests/support/world.rs"]
mod world;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lti_nrps::Privacy;
use lti_storage::{MemoryStore, SledStore, Store};
use tokio::runtime::Runtime;
use world::*;

const ROSTER: usize = 10_000;
const PAGE: usize = 1000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

fn request(url: &str, token: &str) -> http::Request<Bytes> {
    http::Request::get(url)
        .header("accept", lti_nrps::uri::MEDIA_TYPE_MEMBERSHIP_CONTAINER)
        .header("authorization", format!("Bearer {token}"))
        .body(Bytes::new())
        .unwrap()
}

fn bench_backend(c: &mut Criterion, name: &str, store: Arc<dyn Store>) {
    let rt = runtime();
    let (w, token, first, middle) = rt.block_on(async {
        let w = World::with_store(store).await;
        w.seed(ROSTER).await;
        w.clock.advance(Duration::from_secs(1));
        let token = w
            .platform
            .issuer
            .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
        let first = format!("{}?limit={PAGE}", w.claim(COURSE).context_memberships_url);
        // the fifth page's URL, from the fourth page's `next` link
        let mut url = first.clone();
        for _ in 0..4 {
            let response = w.get(&url, Some(&token)).await;
            let links = lti_http::parse_link_headers(response.headers()).unwrap();
            url = links
                .into_iter()
                .find(|l| l.has_rel("next"))
                .unwrap()
                .target;
        }
        (w, token, first, url)
    });
    let service = w.platform.service.clone();
    let privacy = |_: &lti_core::service_access::ServiceCaller| Privacy::new(true, true);

    let mut group = c.benchmark_group(format!("nrps_page_{name}"));
    group.throughput(Throughput::Elements(PAGE as u64));
    for (label, url) in [("first_page_1000", &first), ("middle_page_1000", &middle)] {
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let response = service.handle(request(url, &token), privacy).await;
                        assert_eq!(response.status(), 200);
                        black_box(response);
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_backend(c, "memory", Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    bench_backend(c, "sled", Arc::new(SledStore::open(dir.path()).unwrap()));
}

criterion_group!(page, benches);
criterion_main!(page);
