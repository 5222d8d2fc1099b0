//! Issue 4 end to end, in one process over `RouterClient`: the tool's real `TokenSource` (lti-security) gets
//! access tokens from the platform's real token endpoint (`Platform::token`) and calls a service guarded by
//! `Platform::authorize_service`. Checklist G70–G73 (tool side) meet H74–H82 (platform side).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use lti_core::{Issuer, ToolRegistration};
use lti_http::RouterClient;
use lti_platform::{Platform, PlatformConfig, StaticToolRegistry};
use lti_security::oauth::{Scopes, TokenEndpoint, TokenError, TokenSource};
use lti_security::{JwksCache, KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{ManualClock, MemoryStore, Store};
use url::Url;

const CLIENT_ID: &str = "tool-1";
const DEPLOYMENT: &str = "dep-1";
const TOKEN_URL: &str = "https://lms.example/token";
const SERVICE_URL: &str = "https://lms.example/api/scores";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

struct World {
    platform: Platform,
    tokens: TokenSource,
    endpoint: TokenEndpoint,
    clock: Arc<ManualClock>,
    token_requests: Arc<AtomicUsize>,
    service_calls: Arc<AtomicUsize>,
}

async fn keys(store: &Arc<dyn Store>, clock: &Arc<ManualClock>, name: &str) -> Arc<KeyRing> {
    Arc::new(
        KeyRing::open(
            store.clone(),
            name,
            KeyProtection::insecure_plaintext_for_development(),
            clock.clone(),
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    )
}

async fn world() -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let tool_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let platform_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let tool_keys = keys(&tool_store, &clock, "tool").await;
    let router = RouterClient::new();

    // The tool publishes its JWKS.
    let published = tool_keys.clone();
    router
        .route("https://tool.example", move |_r: http::Request<Bytes>| {
            let published = published.clone();
            async move {
                http::Response::builder()
                    .header("content-type", "application/json")
                    .body(Bytes::from(published.jwks_json().unwrap()))
                    .unwrap()
            }
        })
        .unwrap();

    let registration = ToolRegistration::builder(CLIENT_ID)
        .redirect_uri("https://tool.example/launch")
        .initiate_login_uri("https://tool.example/login")
        .target_link_uri("https://tool.example/home")
        .jwks_url("https://tool.example/jwks")
        .deployment(DEPLOYMENT)
        .scope(SCORE)
        .scope(LINEITEM)
        .build()
        .unwrap();
    let config = PlatformConfig::new(
        Issuer::new("https://lms.example"),
        Url::parse("https://lms.example/auth").unwrap(),
    )
    .with_token_endpoint(Url::parse(TOKEN_URL).unwrap());
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new().with(registration)))
        .store(platform_store.clone())
        .key_ring(keys(&platform_store, &clock, "platform").await)
        .clock(clock.clone())
        .jwks_cache(JwksCache::new(Arc::new(router.clone()), clock.clone()))
        .build()
        .unwrap();

    // The platform: its token endpoint and one service guarded by the score scope.
    let token_requests = Arc::new(AtomicUsize::new(0));
    let service_calls = Arc::new(AtomicUsize::new(0));
    let (p, tr, sc) = (
        platform.clone(),
        token_requests.clone(),
        service_calls.clone(),
    );
    router
        .route(
            "https://lms.example",
            move |request: http::Request<Bytes>| {
                let (p, tr, sc) = (p.clone(), tr.clone(), sc.clone());
                async move {
                    if request.uri().path() == "/token" {
                        tr.fetch_add(1, Ordering::SeqCst);
                        return p.token(request).await;
                    }
                    sc.fetch_add(1, Ordering::SeqCst);
                    match p.authorize_service(request.headers(), SCORE).await {
                        Ok(grant) => http::Response::new(Bytes::from(format!(
                            "ok for {}",
                            grant.client_id().as_str()
                        ))),
                        Err(e) => e.into_response(),
                    }
                }
            },
        )
        .unwrap();

    let tokens = TokenSource::new(Arc::new(router), tool_keys, clock.clone());
    let endpoint = TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
        .unwrap()
        .with_deployment_id(DEPLOYMENT)
        .unwrap();
    World {
        platform,
        tokens,
        endpoint,
        clock,
        token_requests,
        service_calls,
    }
}

fn score_call() -> http::Request<Bytes> {
    http::Request::post(SERVICE_URL)
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

impl World {
    async fn call(&self, scopes: &Scopes) -> Result<http::Response<Bytes>, TokenError> {
        self.tokens.send(&self.endpoint, scopes, score_call()).await
    }
    fn counts(&self) -> (usize, usize) {
        (
            self.token_requests.load(Ordering::SeqCst),
            self.service_calls.load(Ordering::SeqCst),
        )
    }
}

/// c73 + c81/c82: a token is requested once, reused until it expires, then renewed; a revoked token makes the
/// service answer 401, and the tool retries exactly once with a new token.
#[tokio::test]
async fn c73_token_cached_renewed_on_expiry_and_retried_once_after_401() {
    let w = world().await;
    let score: Scopes = [SCORE].into_iter().collect();

    let first = w.call(&score).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.body(), "ok for tool-1");
    assert_eq!(w.counts(), (1, 1), "one token request, one service call");

    // Cached: the second call makes no token request.
    w.call(&score).await.unwrap();
    assert_eq!(w.counts(), (1, 2));

    // Expiry (platform default 3600 s; the tool stops using it 60 s early) → a new token.
    w.clock.advance(Duration::from_secs(3_600 - 59));
    let renewed = w.call(&score).await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    assert_eq!(w.counts(), (2, 3));

    // The platform revokes the current token: 401, then exactly one retry with a fresh token.
    let current = w.tokens.token(&w.endpoint, &score).await.unwrap();
    assert_eq!(w.counts(), (2, 3), "served from the cache");
    assert!(w.platform.revoke_token(current.secret()).await.unwrap());
    let retried = w.call(&score).await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(
        w.counts(),
        (3, 5),
        "one new token, two service calls (401 then 200)"
    );
}

/// c80/c82: a scope the registration does not allow is refused at the token endpoint with `invalid_scope` (the
/// tool sees the platform's RFC 6749 error), and nothing reaches the service.
#[tokio::test]
async fn c80_scope_not_allowed_is_the_platforms_invalid_scope() {
    let w = world().await;
    let nrps: Scopes = [NRPS].into_iter().collect();
    let error = w.call(&nrps).await.unwrap_err();
    let body = error.oauth_error().expect("the platform's error body");
    assert_eq!(body.error.as_str(), "invalid_scope", "{error}");
    assert_eq!(w.counts(), (1, 0));
}

/// c77 seen from the tool: every token request carries a fresh assertion (new `jti`), so renewals are never
/// refused as replays, including many in a row.
#[tokio::test]
async fn c77_renewals_use_fresh_assertions() {
    let w = world().await;
    let score: Scopes = [SCORE].into_iter().collect();
    for round in 1..=5 {
        w.tokens.clear();
        w.call(&score).await.unwrap();
        assert_eq!(w.counts().0, round);
    }
}

/// c82: a token granted for another scope (line items) is not enough for the score service: 403 with
/// `insufficient_scope`, and a 403 is not retried.
#[tokio::test]
async fn c82_token_without_the_needed_scope_is_403_and_not_retried() {
    let w = world().await;
    let lineitem: Scopes = [LINEITEM].into_iter().collect();
    let response = w.call(&lineitem).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    assert_eq!(w.counts(), (1, 1), "403 is not retried");
}
