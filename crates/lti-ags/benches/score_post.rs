//! Platform side of a score POST, end to end through the handler: route, bearer token and scope, scoped URL,
//! adoption, media type, JSON parse and checks, then the grade record applied with compare-and-swap and the
//! store flushed. On `MemoryStore` and on `SledStore` (whose flush is an fsync).
//!
//! Run: `cargo bench -p lti-ags --bench score_post -- --warm-up-time 1 --measurement-time 3`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use lti_ags::{Score, media_type, scope};
use lti_storage::{MemoryStore, SledStore, Store};
use serde_json::json;

#[path = "../tests/support/platform.rs"]
mod platform;

use platform::{COURSE_1, TOOL_A, TestPlatform, request};

fn setup(rt: &tokio::runtime::Runtime, store: Arc<dyn Store>) -> (TestPlatform, String, String) {
    rt.block_on(async {
        let p = TestPlatform::new(store).await;
        let token = p.token(TOOL_A, &[scope::LINE_ITEM, scope::SCORE]);
        let r = p
            .call(request(
                "POST",
                &p.container(TOOL_A, COURSE_1),
                Some(&token),
                Some(media_type::LINE_ITEM),
                None,
                json!({"label": "bench", "scoreMaximum": 10}).to_string(),
            ))
            .await;
        let id = platform::json_body(&r)["id"].as_str().unwrap().to_owned();
        (p, token, format!("{id}/scores"))
    })
}

/// A score body with a timestamp later than every one before it.
fn body(counter: &AtomicU64, user: &str) -> String {
    let n = counter.fetch_add(1, Ordering::Relaxed);
    let secs = 1_800_000_000 + n / 1_000_000;
    let micros = n % 1_000_000;
    let at = std::time::UNIX_EPOCH
        + std::time::Duration::new(secs, u32::try_from(micros).unwrap() * 1000);
    json!({"userId": user, "timestamp": lti_ags::Timestamp::from_system_time(at).to_string(),
           "activityProgress": "Completed", "gradingProgress": "FullyGraded",
           "scoreGiven": 7.5, "scoreMaximum": 10, "comment": "benchmark"})
    .to_string()
}

fn bench_score_post(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<(&str, Arc<dyn Store>)> = vec![
        ("memory", Arc::new(MemoryStore::new())),
        ("sled", Arc::new(SledStore::open(dir.path()).unwrap())),
    ];
    let mut group = c.benchmark_group("score_post");
    let sample = body(&AtomicU64::new(0), "learner");
    group.bench_function("parse and check only", |b| {
        b.iter(|| {
            let score: Score = serde_json::from_str(black_box(&sample)).unwrap();
            score.check().unwrap();
        });
    });
    for (name, store) in stores {
        let (p, token, url) = setup(&rt, store);
        let counter = AtomicU64::new(0);
        group.bench_function(format!("{name}: accepted score"), |b| {
            b.iter(|| {
                let req = request(
                    "POST",
                    &url,
                    Some(&token),
                    Some(media_type::SCORE),
                    None,
                    Bytes::from(body(&counter, "learner")),
                );
                let r = rt.block_on(p.call(req));
                assert_eq!(r.status(), 204);
            });
        });
        let stale = json!({"userId": "learner", "timestamp": "2000-01-01T00:00:00.000Z",
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "scoreGiven": 1, "scoreMaximum": 10})
        .to_string();
        group.bench_function(format!("{name}: stale score (ignored)"), |b| {
            b.iter(|| {
                let req = request(
                    "POST",
                    &url,
                    Some(&token),
                    Some(media_type::SCORE),
                    None,
                    stale.clone(),
                );
                let r = rt.block_on(p.call(req));
                assert_eq!(r.status(), 204);
            });
        });
        group.bench_function(format!("{name}: refused (wrong scope)"), |b| {
            let readonly = p.token(TOOL_A, &[scope::RESULT_READONLY]);
            b.iter(|| {
                let req = request(
                    "POST",
                    &url,
                    Some(&readonly),
                    Some(media_type::SCORE),
                    None,
                    stale.clone(),
                );
                let r = rt.block_on(p.call(req));
                assert_eq!(r.status(), 403);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_score_post);
criterion_main!(benches);
