//! The token endpoint next to the raw RS256 verify of the same client assertion.
//!
//! Run with `cargo bench -p lti-platform --bench token_endpoint`. Groups (all single-threaded, tool JWKS served
//! in-process and cached after the first request):
//! - `raw_rs256_verify`: `VerifyingKey::verify` of one assertion's signing input (the floor);
//! - `assertion_verify_memory`: `ClientAssertionVerifier` parse + check + consume (`jti` into a `MemoryStore`);
//! - `token_memory` / `token_sled`: `Platform::token` end to end (form parsing, registry, assertion, scopes, `jti`
//!   spent and flushed, access token stored, JSON answer) on a `MemoryStore` / a `SledStore`;
//! - `authorize_service_memory`: the bearer-token check of one service call.
//!
//! Assertions are single-use, so each run signs a pool of them up front (untimed) and replays the pool after
//! moving the manual clock past their expiry, purging the spent `jti`s and access tokens, and moving it back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, header};
use lti_core::{Issuer, ToolRegistration};
use lti_http::RouterClient;
use lti_platform::{Platform, PlatformConfig, StaticToolRegistry};
use lti_security::oauth::{ClientAssertionVerifier, TokenResponse};
use lti_security::{
    Algorithm, JwksCache, KeyProtection, KeyResolver as _, KeyRing, KeyRingConfig, sign_jwt,
};
use lti_storage::{ManualClock, MemoryStore, SledStore, Store};
use serde_json::json;
use tokio::runtime::Runtime;
use url::Url;

const TOKEN_URL: &str = "https://lms.example/token";
const CLIENT_ID: &str = "tool-1";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const T0: u64 = 1_800_000_000;
const POOL: usize = 400;

struct Bench {
    rt: Runtime,
    clock: Arc<ManualClock>,
    tool: Arc<KeyRing>,
    router: RouterClient,
}

impl Bench {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let clock = Arc::new(ManualClock::at_unix_seconds(T0));
        let tool = Arc::new(
            rt.block_on(KeyRing::open(
                Arc::new(MemoryStore::with_clock(clock.clone())),
                "tool",
                KeyProtection::insecure_plaintext_for_development(),
                clock.clone(),
                KeyRingConfig::new(),
            ))
            .unwrap(),
        );
        let router = RouterClient::new();
        let jwks = Bytes::from(tool.jwks_json().unwrap());
        router
            .route("https://tool.example", move |_r: http::Request<Bytes>| {
                let jwks = jwks.clone();
                async move {
                    http::Response::builder()
                        .header("content-type", "application/json")
                        .body(jwks)
                        .unwrap()
                }
            })
            .unwrap();
        Self {
            rt,
            clock,
            tool,
            router,
        }
    }

    /// `POOL` distinct assertions valid at `T0`.
    fn pool(&self, tag: &str) -> Vec<String> {
        let key = self.tool.signing_key();
        (0..POOL)
            .map(|i| {
                sign_jwt(
                    &key,
                    &json!({
                        "iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL,
                        "iat": T0, "exp": T0 + 300, "jti": format!("{tag}-{i}"),
                        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
                    }),
                )
                .unwrap()
            })
            .collect()
    }

    fn platform(&self, store: Arc<dyn Store>) -> Platform {
        let key_ring = Arc::new(
            self.rt
                .block_on(KeyRing::open(
                    store.clone(),
                    "platform",
                    KeyProtection::insecure_plaintext_for_development(),
                    self.clock.clone(),
                    KeyRingConfig::new(),
                ))
                .unwrap(),
        );
        let tool = ToolRegistration::builder(CLIENT_ID)
            .redirect_uri("https://tool.example/launch")
            .initiate_login_uri("https://tool.example/login")
            .target_link_uri("https://tool.example/home")
            .jwks_url("https://tool.example/jwks")
            .deployment("dep-1")
            .scope(SCORE)
            .scope(LINEITEM)
            .build()
            .unwrap();
        let config = PlatformConfig::new(
            Issuer::new("https://lms.example"),
            Url::parse("https://lms.example/auth").unwrap(),
        )
        .with_token_endpoint(Url::parse(TOKEN_URL).unwrap());
        Platform::builder(config)
            .tools(Arc::new(StaticToolRegistry::new().with(tool)))
            .store(store)
            .key_ring(key_ring)
            .clock(self.clock.clone())
            .jwks_cache(JwksCache::new(
                Arc::new(self.router.clone()),
                self.clock.clone(),
            ))
            .build()
            .unwrap()
    }

    /// Makes every spent `jti` and issued token of `store` expire and go, then returns the clock to `T0`.
    fn reset(&self, store: &dyn Store) {
        self.clock.set_unix_seconds(T0 + 4 * 3600);
        for ns in [
            ClientAssertionVerifier::JTI_NAMESPACE,
            Platform::ACCESS_TOKEN_NAMESPACE,
        ] {
            while self.rt.block_on(store.purge_expired(ns, 10_000)).unwrap() > 0 {}
        }
        self.clock.set_unix_seconds(T0);
    }

    /// Times `op` over `iters` assertions from `pool` (each first turned into `op`'s input by `prepare`, untimed),
    /// resetting `store` (untimed) whenever the pool runs out.
    fn timed<'p, T>(
        &self,
        iters: u64,
        pool: &'p [String],
        store: &dyn Store,
        prepare: impl Fn(&'p str) -> T,
        mut op: impl FnMut(T),
    ) -> Duration {
        self.reset(store);
        let mut total = Duration::ZERO;
        let mut next = 0;
        for _ in 0..iters {
            if next == pool.len() {
                self.reset(store);
                next = 0;
            }
            let input = prepare(&pool[next]);
            next += 1;
            let start = Instant::now();
            op(input);
            total += start.elapsed();
        }
        total
    }
}

fn form(assertion: &str) -> http::Request<Bytes> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair(
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        )
        .append_pair("client_assertion", assertion)
        .append_pair("scope", SCORE)
        .finish();
    http::Request::post(TOKEN_URL)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(body))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let b = Bench::new();
    let pool = b.pool("jti");

    // The floor: the RS256 verify of one of these assertions, with the key the JWKS cache holds.
    let (signing_input, signature) = pool[0].rsplit_once('.').unwrap();
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .unwrap();
    let kid = b.tool.signing_key().kid().clone();
    let jwks = JwksCache::new(Arc::new(b.router.clone()), b.clock.clone())
        .resolver("https://tool.example/jwks".parse().unwrap());
    let key = b.rt.block_on(jwks.resolve(&kid, Algorithm::Rs256)).unwrap();

    let memory: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(b.clock.clone()));
    let verifier = ClientAssertionVerifier::new(TOKEN_URL, memory.clone(), b.clock.clone());

    let token_memory: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(b.clock.clone()));
    let platform_memory = b.platform(token_memory.clone());
    let token_sled: Arc<dyn Store> =
        Arc::new(SledStore::temporary_with_clock(b.clock.clone()).unwrap());
    let platform_sled = b.platform(token_sled.clone());

    // One token for the resource-server check.
    let access: TokenResponse = serde_json::from_slice(
        b.rt.block_on(platform_memory.token(form(&b.pool("setup")[0])))
            .body(),
    )
    .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {}", access.access_token)).unwrap(),
    );

    let mut group = c.benchmark_group("token");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_rs256_verify", |bench| {
        bench.iter(|| {
            key.verify(
                Algorithm::Rs256,
                black_box(signing_input.as_bytes()),
                black_box(&signature),
            )
            .unwrap()
        });
    });
    group.bench_function("assertion_verify_memory", |bench| {
        bench.iter_custom(|iters| {
            b.timed(
                iters,
                &pool,
                memory.as_ref(),
                |a| a,
                |assertion| {
                    let parsed = verifier.parse(assertion).unwrap();
                    b.rt.block_on(verifier.verify(parsed, CLIENT_ID, &jwks))
                        .unwrap();
                },
            )
        });
    });
    // Before the token benches: their resets purge the token issued above.
    group.bench_function("authorize_service_memory", |bench| {
        bench.iter(|| {
            b.rt.block_on(platform_memory.authorize_service(black_box(&headers), SCORE))
                .unwrap()
        });
    });
    for (name, platform, store) in [
        ("token_memory", &platform_memory, &token_memory),
        ("token_sled", &platform_sled, &token_sled),
    ] {
        group.bench_function(name, |bench| {
            bench.iter_custom(|iters| {
                b.timed(iters, &pool, store.as_ref(), form, |request| {
                    let response = b.rt.block_on(platform.token(request));
                    assert_eq!(response.status(), 200);
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
