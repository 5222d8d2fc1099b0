//! Deep linking response: the tool's build + sign, and the platform's full verification.
//!
//! Run with `cargo bench -p lti-deep-linking --bench response`. Groups (single-threaded, four items: two resource
//! links, one with a line item, a link and an html fragment):
//! - `build_and_sign`: `ResponseBuilder::build` (item checks) + `DeepLinkingResponse::sign` (RS256);
//! - `verify`: `ResponseVerifier::verify` end to end (parse, RS256 verify, claims, nonce insert, pending `data`
//!   taken, item checks) on a `MemoryStore`; each iteration's pending request and token are made in untimed setup.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lti_core::{ClientId, DeploymentId, Issuer, ToolRegistration};
use lti_deep_linking::items::{Html, LineItem, Link, LtiResourceLink};
use lti_deep_linking::{
    ContentItem, DeepLinkingRequest, DeepLinkingResponse, DeepLinkingSettings, PendingRequest,
    ResponseVerifier,
};
use lti_security::{Algorithm, KeySet, SigningKey};
use lti_storage::{Clock, MemoryStore, Store, SystemClock};

const ISSUER: &str = "https://lms.example";
const CLIENT_ID: &str = "tool-1";

fn items() -> Vec<ContentItem> {
    vec![
        LtiResourceLink::new()
            .with_url("https://tool.example/quiz/7")
            .with_title("Quiz 7")
            .with_custom("quiz", "7")
            .with_line_item(LineItem::new(50.0))
            .into(),
        LtiResourceLink::new().with_title("Reading").into(),
        Link::new("https://tool.example/syllabus").into(),
        Html::new("<p>Welcome</p>").into(),
    ]
}

fn settings() -> DeepLinkingSettings {
    DeepLinkingSettings::new(
        "https://lms.example/dl/return",
        ["ltiResourceLink", "link", "html"],
        ["iframe", "window"],
    )
    .with_accept_multiple(true)
    .with_accept_lineitem(true)
}

fn request(settings: DeepLinkingSettings) -> DeepLinkingRequest {
    DeepLinkingRequest::new(
        Issuer::new(ISSUER),
        ClientId::new(CLIENT_ID),
        DeploymentId::new("dep-1"),
        settings,
    )
}

fn bench(c: &mut Criterion) {
    let key = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("k1");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let req = request(settings());
    c.bench_function("build_and_sign", |b| {
        b.iter(|| {
            let response = DeepLinkingResponse::builder(&req)
                .items(items())
                .build()
                .unwrap();
            black_box(response.sign(&key, clock.unix_seconds()).unwrap())
        });
    });

    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let verifier = ResponseVerifier::new(Issuer::new(ISSUER), store, clock.clone());
    let registration = ToolRegistration::builder(CLIENT_ID)
        .redirect_uri("https://tool.example/launch")
        .initiate_login_uri("https://tool.example/login")
        .target_link_uri("https://tool.example/home")
        .jwks_url("https://tool.example/jwks")
        .deployment("dep-1")
        .build()
        .unwrap();
    let keys = KeySet::from_keys([key.verifying_key().clone()]);
    c.bench_function("verify", |b| {
        b.iter_batched(
            || {
                let mut pending = PendingRequest::new(
                    ClientId::new(CLIENT_ID),
                    DeploymentId::new("dep-1"),
                    settings(),
                );
                runtime
                    .block_on(verifier.pending().remember(&mut pending))
                    .unwrap();
                DeepLinkingResponse::builder(&request(pending.settings))
                    .items(items())
                    .build()
                    .unwrap()
                    .sign(&key, clock.unix_seconds())
                    .unwrap()
            },
            |signed| {
                black_box(
                    runtime
                        .block_on(verifier.verify(signed.jwt(), &registration, &keys))
                        .unwrap(),
                )
            },
            BatchSize::SmallInput,
        );
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
