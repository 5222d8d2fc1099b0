//! The tool's service-token path: a cache hit (every service call pays it) and a full token request (once an
//! hour per scope set: assertion signed with RS256, form POST through the in-process router, answer parsed).
//!
//! Run: `cargo bench -p lti-security --bench token_source -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use lti_http::{HttpClient, RouterClient};
use lti_security::oauth::{ClientAssertion, Scopes, TokenEndpoint, TokenSource};
use lti_security::{Clock, KeyProtection, KeyRing, KeyRingConfig, ManualClock};
use lti_storage::MemoryStore;

const NOW: u64 = 1_800_000_000;

fn bench_token_source(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix_seconds(NOW));
    let keys = Arc::new(
        rt.block_on(KeyRing::open(
            Arc::new(MemoryStore::new()),
            "bench",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::clone(&clock),
            KeyRingConfig::default(),
        ))
        .unwrap(),
    );
    let router = RouterClient::new();
    router
        .route("https://lms.example", |_request: http::Request<Bytes>| async {
            http::Response::builder()
                .header("content-type", "application/json")
                .body(Bytes::from_static(
                    br#"{"access_token":"abcdefghijklmnopqrstuvwxyz0123456789","token_type":"Bearer","expires_in":3600,"scope":"https://purl.imsglobal.org/spec/lti-ags/scope/score"}"#,
                ))
                .unwrap()
        })
        .unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(router);
    let tokens = TokenSource::new(http, Arc::clone(&keys), clock);
    let endpoint = TokenEndpoint::new(
        url::Url::parse("https://lms.example/login/oauth2/token").unwrap(),
        "10000000000042",
    )
    .unwrap()
    .with_deployment_id("1:8865aa05")
    .unwrap();
    let scopes = Scopes::parse("https://purl.imsglobal.org/spec/lti-ags/scope/score");

    let mut group = c.benchmark_group("token_source");
    group.bench_function("cached token", |b| {
        b.iter(|| {
            rt.block_on(tokens.token(black_box(&endpoint), black_box(&scopes)))
                .unwrap()
        });
    });
    group.bench_function("full token request", |b| {
        b.iter(|| {
            tokens.invalidate(&endpoint, &scopes);
            rt.block_on(tokens.token(black_box(&endpoint), black_box(&scopes)))
                .unwrap()
        });
    });
    let key = keys.signing_key();
    group.bench_function("client assertion (RS256 sign)", |b| {
        b.iter(|| ClientAssertion::sign(black_box(&endpoint), &key, NOW).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench_token_source);
criterion_main!(benches);
