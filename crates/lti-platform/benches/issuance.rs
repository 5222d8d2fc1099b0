//! id_token issuance next to the raw RS256 signature of the same payload.
//!
//! Run with `cargo bench -p lti-platform --bench issuance`. Groups (all single-threaded):
//! - `raw_rs256_sign`: `SigningKey::sign` of the exact JWS signing input of a minted token (the floor);
//! - `mint`: `Platform::mint_id_token` (content checks + claims + JSON + sign);
//! - `authorize`: `Platform::authorize` end to end on a prepared request (parse, registry, hint lookup and
//!   consume in a `MemoryStore`, mint, form page); each iteration's launch is started in untimed setup.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lti_core::claims::{Context, ResourceLink};
use lti_core::message::LtiMessage;
use lti_core::role::ContextRole;
use lti_core::{
    ClientId, ContextId, DeploymentId, Issuer, Nonce, ResourceLinkId, Role, ToolRegistration,
    UserId,
};
use lti_platform::{LaunchRequest, LaunchUser, Platform, PlatformConfig, StaticToolRegistry};
use lti_security::{KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{MemoryStore, Store, SystemClock};
use url::Url;

const CLIENT_ID: &str = "tool-1";
const REDIRECT_URI: &str = "https://tool.example/launch";

fn registration() -> ToolRegistration {
    ToolRegistration::builder(CLIENT_ID)
        .redirect_uri(REDIRECT_URI)
        .initiate_login_uri("https://tool.example/login")
        .target_link_uri("https://tool.example/home")
        .jwks_url("https://tool.example/jwks")
        .deployment("dep-1")
        .include_name(true)
        .include_email(true)
        .build()
        .unwrap()
}

fn launch() -> LaunchRequest {
    let mut context = Context::new(ContextId::new("course-1"));
    context.title = Some("Analytical Engines".to_owned());
    context.label = Some("AE101".to_owned());
    LaunchRequest::resource_link(
        ClientId::new(CLIENT_ID),
        DeploymentId::new("dep-1"),
        Some(
            LaunchUser::new(UserId::new("user-0001"))
                .with_names("Ada Lovelace", "Ada", "Lovelace")
                .with_email("ada@example.edu"),
        ),
        ResourceLink::new(ResourceLinkId::new("rl-1")),
    )
    .with_roles([Role::context(ContextRole::Learner)])
    .with_context(context)
    .with_custom("level", "hard")
}

fn auth_request(start: &lti_platform::LoginStart) -> http::Request<Bytes> {
    let init = &start.initiation;
    let mut url = Url::parse("https://lms.example/auth").unwrap();
    url.query_pairs_mut()
        .append_pair("scope", "openid")
        .append_pair("response_type", "id_token")
        .append_pair("response_mode", "form_post")
        .append_pair("prompt", "none")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("login_hint", init.login_hint.as_str())
        .append_pair("lti_message_hint", start.message_hint().unwrap().as_str())
        .append_pair("nonce", "n-0123456789abcdef")
        .append_pair("state", "s-0123456789abcdef");
    http::Request::get(url.as_str()).body(Bytes::new()).unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let key_ring = Arc::new(
        rt.block_on(KeyRing::open(
            store.clone(),
            "bench",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::new(SystemClock),
            KeyRingConfig::new(),
        ))
        .unwrap(),
    );
    let config = PlatformConfig::new(
        Issuer::new("https://lms.example"),
        Url::parse("https://lms.example/auth").unwrap(),
    );
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new().with(registration())))
        .store(store)
        .key_ring(key_ring.clone())
        .build()
        .unwrap();
    let user = UserId::new("user-0001");

    // The message the authorization endpoint would mint, taken from one real round trip.
    let start = rt.block_on(platform.start_launch(launch())).unwrap();
    let response = rt.block_on(platform.authorize(auth_request(&start), Some(&user)));
    let html = String::from_utf8(response.body().to_vec()).unwrap();
    let token = html
        .split("name=\"id_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let (signing_input, _) = token.rsplit_once('.').unwrap();
    let signing_input = signing_input.as_bytes().to_vec();
    let verifier = lti_security::JwtVerifier::new(Arc::new(SystemClock));
    let payload = verifier
        .parse(&token)
        .unwrap()
        .unverified_payload()
        .unwrap();
    let mut message = LtiMessage::from_json(&payload).unwrap();
    // mint_id_token sets these itself.
    message.iss = None;
    message.aud = None;
    message.azp = None;
    message.iat = None;
    message.exp = None;
    message.nonce = None;
    let registration = registration();
    let key = key_ring.signing_key();

    let mut group = c.benchmark_group("issuance");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_rs256_sign", |b| {
        b.iter(|| key.sign(black_box(&signing_input)).unwrap());
    });
    group.bench_function("mint", |b| {
        b.iter(|| {
            platform
                .mint_id_token(
                    black_box(message.clone()),
                    &registration,
                    Nonce::new("n-0123456789abcdef"),
                )
                .unwrap()
        });
    });
    group.bench_function("authorize", |b| {
        b.iter_batched(
            || auth_request(&rt.block_on(platform.start_launch(launch())).unwrap()),
            |request| {
                let response = rt.block_on(platform.authorize(request, Some(&user)));
                assert_eq!(response.status(), 200);
                response
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
