#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Behaviour of [`RemoteJwks`] and [`JwksCache`]: caching by `Cache-Control`, the one refetch on an unknown `kid`,
//! its rate limit, single flight, skipped keys, and what happens when the platform's JWKS endpoint fails.
//!
//! Checklist ids: c11 (no usable `kid`), c12 (`kid` not found after one refetch), c66 (rotation overlap),
//! c67 (refetch on unknown `kid`, honour `max-age`), c68 (RSA keys under 2048 bits refused).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use lti_http::{FnClient, HttpClient, HttpError, RequestOptions};
use lti_security::{
    Algorithm, Error, JwksCache, JwksCacheConfig, KeyResolver, KeySet, Kid, RemoteJwks, SigningKey,
};
use lti_storage::{Clock, ManualClock};
use serde_json::{Value, json};
use url::Url;

const URL: &str = "https://lms.example/.well-known/jwks.json";

// ----- the platform's JWKS endpoint, in process -----

/// What the endpoint answers.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    delay: Option<Duration>,
    transport_error: bool,
}

impl Answer {
    fn json(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(body.into()),
            delay: None,
            transport_error: false,
        }
    }

    fn status(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.into())],
            body: Bytes::from(body.to_owned()),
            delay: None,
            transport_error: false,
        }
    }

    fn transport_error() -> Self {
        Self {
            transport_error: true,
            ..Self::json("")
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn max_age(self, seconds: u64) -> Self {
        self.header("cache-control", &format!("max-age={seconds}"))
    }

    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

/// What the code under test sent.
#[derive(Clone, Debug)]
struct Seen {
    method: http::Method,
    uri: http::Uri,
    accept: Option<String>,
    options: RequestOptions,
}

/// A JWKS endpoint that counts its requests and can change its answer between them.
#[derive(Clone)]
struct Platform {
    answer: Arc<Mutex<Answer>>,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Platform {
    fn serving(answer: Answer) -> Self {
        Self {
            answer: Arc::new(Mutex::new(answer)),
            hits: Arc::default(),
            seen: Arc::default(),
        }
    }

    fn serve(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn client(&self) -> Arc<dyn HttpClient> {
        let platform = self.clone();
        Arc::new(FnClient::new(move |request: http::Request<Bytes>| {
            let platform = platform.clone();
            async move { platform.respond(request).await }
        }))
    }

    async fn respond(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        self.hits.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().push(Seen {
            method: request.method().clone(),
            uri: request.uri().clone(),
            accept: request
                .headers()
                .get(http::header::ACCEPT)
                .map(|v| v.to_str().unwrap().to_owned()),
            options: RequestOptions::of(&request),
        });
        let answer = self.answer.lock().unwrap().clone();
        if let Some(delay) = answer.delay {
            tokio::time::sleep(delay).await;
        }
        if answer.transport_error {
            return Err(HttpError::Transport {
                url: lti_http::redacted_url(request.uri()),
                source: "connection refused".into(),
            });
        }
        let mut response = http::Response::builder().status(answer.status);
        for (name, value) in &answer.headers {
            response = response.header(*name, value);
        }
        Ok(response.body(answer.body).unwrap())
    }
}

// ----- keys and key sets -----

fn rs256(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid(kid)
}

fn jwk(key: &SigningKey) -> Value {
    serde_json::to_value(key.public_jwk()).unwrap()
}

fn jwks(keys: &[&SigningKey]) -> String {
    KeySet::from_keys(keys.iter().map(|k| k.verifying_key().clone()))
        .to_json()
        .unwrap()
}

fn kid(kid: &str) -> Kid {
    Kid::from(kid)
}

/// Signs `message` with `key` and checks that `resolver` finds a key for it that verifies it.
async fn verifies(resolver: &RemoteJwks, key: &SigningKey) {
    let message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0";
    let signature = key.sign(message).unwrap();
    let found = resolver.resolve(key.kid(), key.alg()).await.unwrap();
    found.verify(key.alg(), message, &signature).unwrap();
}

// ----- fixture -----

struct Fixture {
    platform: Platform,
    clock: Arc<ManualClock>,
    cache: JwksCache,
    jwks: RemoteJwks,
}

fn fixture(answer: Answer) -> Fixture {
    fixture_with(answer, JwksCacheConfig::default(), URL)
}

fn fixture_with(answer: Answer, config: JwksCacheConfig, url: &str) -> Fixture {
    let platform = Platform::serving(answer);
    let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
    let cache = JwksCache::with_config(platform.client(), clock.clone() as Arc<dyn Clock>, config);
    let jwks = cache.resolver(Url::parse(url).unwrap());
    Fixture {
        platform,
        clock,
        cache,
        jwks,
    }
}

impl Fixture {
    fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }
}

// ----- caching -----

#[tokio::test]
async fn c67_fresh_cache_hit_makes_no_request() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(600));
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 1);
    for _ in 0..20 {
        verifies(&fx.jwks, &key).await;
    }
    fx.advance(599);
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.jwks.keys().await.unwrap().len(), 1);
    assert_eq!(
        fx.platform.hits(),
        1,
        "a fresh set is served without a request"
    );
}

#[tokio::test]
async fn c67_cache_honours_max_age() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(600));
    let first = fx.jwks.keys().await.unwrap();
    fx.advance(599);
    assert!(Arc::ptr_eq(&first, &fx.jwks.keys().await.unwrap()));
    assert_eq!(fx.platform.hits(), 1, "no fetch before max-age");
    fx.advance(1);
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 2, "one fetch once max-age has passed");
    // the new set lives max-age from its own fetch
    fx.advance(599);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 2);
    fx.advance(1);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 3);
}

#[tokio::test]
async fn c67_lifetime_from_cache_control_is_clamped_to_floor_and_ceiling() {
    let key = rs256("k1");
    let body = jwks(&[&key]);
    // (Cache-Control, Age, expected lifetime in seconds) with the default floor 300 s, ceiling 86,400 s, and
    // 3,600 s when the response says nothing usable
    let cases: &[(Option<&str>, Option<&str>, u64)] = &[
        (Some("max-age=600"), None, 600),
        (Some("public, MAX-AGE=7200"), None, 7200),
        (Some("max-age=10"), None, 300),
        (Some("max-age=0"), None, 300),
        (Some("no-cache"), None, 300),
        (Some("no-store, max-age=600"), None, 300),
        (Some("max-age=31536000"), None, 86_400),
        (Some("max-age=600"), Some("100"), 500),
        (None, None, 3600),
        (Some("public"), None, 3600),
        (Some("max-age=\"600\""), None, 3600),
        (Some("max-age=-5"), None, 3600),
        (Some("max-age=ten"), None, 3600),
    ];
    for (cache_control, age, ttl) in cases {
        let mut answer = Answer::json(body.clone());
        if let Some(value) = cache_control {
            answer = answer.header("cache-control", value);
        }
        if let Some(value) = age {
            answer = answer.header("age", value);
        }
        let fx = fixture(answer);
        fx.jwks.keys().await.unwrap();
        fx.advance(ttl - 1);
        fx.jwks.keys().await.unwrap();
        assert_eq!(
            fx.platform.hits(),
            1,
            "{cache_control:?} / age {age:?}: still fresh at {}s",
            ttl - 1
        );
        fx.advance(1);
        fx.jwks.keys().await.unwrap();
        assert_eq!(
            fx.platform.hits(),
            2,
            "{cache_control:?} / age {age:?}: expired at {ttl}s"
        );
    }
}

#[tokio::test]
async fn c67_configured_floor_and_ceiling_apply() {
    let key = rs256("k1");
    let config = JwksCacheConfig::default()
        .with_min_ttl(Duration::from_secs(60))
        .with_max_ttl(Duration::from_secs(120));
    assert_eq!(config.min_ttl, Duration::from_secs(60));
    let fx = fixture_with(Answer::json(jwks(&[&key])).max_age(1), config, URL);
    fx.jwks.keys().await.unwrap();
    fx.advance(59);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 1);
    fx.advance(1);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 2, "max-age=1 raised to the 60 s floor");

    fx.platform
        .serve(Answer::json(jwks(&[&key])).max_age(100_000));
    fx.advance(60);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 3);
    fx.advance(119);
    fx.jwks.keys().await.unwrap();
    assert_eq!(fx.platform.hits(), 3);
    fx.advance(1);
    fx.jwks.keys().await.unwrap();
    assert_eq!(
        fx.platform.hits(),
        4,
        "max-age=100000 capped to the 120 s ceiling"
    );
}

#[tokio::test]
async fn fetch_is_a_get_asking_for_json_with_the_cache_limits() {
    let key = rs256("k1");
    let fx = fixture_with(
        Answer::json(jwks(&[&key])),
        JwksCacheConfig::default(),
        "https://lms.example/jwks?tenant=7",
    );
    fx.jwks.keys().await.unwrap();
    let seen = fx.platform.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, http::Method::GET);
    assert_eq!(
        request.uri, "https://lms.example/jwks?tenant=7",
        "the query is sent, only hidden in logs"
    );
    assert_eq!(request.accept.as_deref(), Some("application/json"));
    assert_eq!(request.options.max_body_bytes, Some(256 * 1024));
    assert_eq!(request.options.timeout, Some(Duration::from_secs(5)));
    assert!(
        !request.options.follow_redirects,
        "JWKS fetches never follow redirects"
    );
}

// ----- unknown kid: one refetch, rate limited -----

#[tokio::test]
async fn c12_unknown_kid_refetches_once_then_kid_not_found() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(3600));
    fx.jwks.keys().await.unwrap();
    fx.advance(60);
    let err = fx
        .jwks
        .resolve(&kid("nope"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KidNotFound { kid, jwks_url: Some(url) } if kid == "nope" && url == URL),
        "{err:?}"
    );
    assert_eq!(fx.platform.hits(), 2, "exactly one refetch");
    assert!(err.to_string().contains(URL), "{err}");
}

#[tokio::test]
async fn c12_unknown_kid_in_a_first_fetch_is_not_fetched_twice() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])));
    let err = fx
        .jwks
        .resolve(&kid("nope"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::KidNotFound {
                jwks_url: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        fx.platform.hits(),
        1,
        "the set this call fetched is the refetch"
    );
}

#[tokio::test]
async fn c67_second_unknown_kid_within_min_interval_does_not_fetch() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(3600));
    fx.jwks.keys().await.unwrap();
    fx.advance(60);
    let first = fx
        .jwks
        .resolve(&kid("a"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(matches!(first, Error::KidNotFound { .. }), "{first:?}");
    assert_eq!(fx.platform.hits(), 2);

    fx.advance(29);
    let second = fx
        .jwks
        .resolve(&kid("b"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(&second, Error::RefetchRateLimited { kid, jwks_url, min_interval }
            if kid == "b" && jwks_url == URL && *min_interval == Duration::from_secs(30)),
        "{second:?}"
    );
    assert_eq!(fx.platform.hits(), 2, "rate limited: no fetch");
    // known keys still resolve meanwhile
    verifies(&fx.jwks, &key).await;

    fx.advance(1);
    let third = fx
        .jwks
        .resolve(&kid("c"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(matches!(third, Error::KidNotFound { .. }), "{third:?}");
    assert_eq!(
        fx.platform.hits(),
        3,
        "the interval has passed: one refetch"
    );
}

#[tokio::test]
async fn c67_unknown_kid_right_after_a_fetch_is_rate_limited() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])));
    fx.jwks.keys().await.unwrap();
    for n in 0..50 {
        let err = fx
            .jwks
            .resolve(&kid(&format!("spray-{n}")), Algorithm::Rs256)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::RefetchRateLimited { .. }), "{err:?}");
    }
    assert_eq!(fx.platform.hits(), 1, "random kids make no request");
}

#[tokio::test]
async fn key_of_the_wrong_family_is_a_mismatch_without_refetch() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])));
    fx.jwks.keys().await.unwrap();
    fx.advance(60);
    let err = fx
        .jwks
        .resolve(&kid("k1"), Algorithm::Es256)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyAlgorithmMismatch { kid, alg: Algorithm::Es256, .. } if kid == "k1"),
        "{err:?}"
    );
    assert_eq!(fx.platform.hits(), 1);
}

#[tokio::test]
async fn c11_empty_kid_is_missing_kid_and_fetches_nothing() {
    let fx = fixture(Answer::json(jwks(&[&rs256("k1")])));
    let err = fx
        .jwks
        .resolve(&kid(""), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingKid), "{err:?}");
    assert_eq!(fx.platform.hits(), 0);
}

// ----- single flight -----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c67_concurrent_misses_of_one_unknown_kid_share_one_fetch() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(3600));
    fx.jwks.keys().await.unwrap();
    fx.advance(60);
    // a slow endpoint, so that every task arrives while the one fetch is under way
    fx.platform.serve(
        Answer::json(jwks(&[&key]))
            .max_age(3600)
            .delayed(Duration::from_millis(200)),
    );

    let handles: Vec<_> = (0..100)
        .map(|_| {
            let jwks = fx.jwks.clone();
            tokio::spawn(async move { jwks.resolve(&Kid::from("unknown"), Algorithm::Rs256).await })
        })
        .collect();
    let mut not_found = 0;
    for handle in handles {
        match handle.await.unwrap() {
            Err(Error::KidNotFound {
                kid,
                jwks_url: Some(url),
            }) if kid == "unknown" && url == URL => not_found += 1,
            // a task scheduled after the fetch completed sees a set refetched an instant ago
            Err(Error::RefetchRateLimited { kid, .. }) if kid == "unknown" => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        fx.platform.hits(),
        2,
        "100 concurrent misses: exactly one refetch"
    );
    assert!(
        not_found >= 1,
        "the tasks that waited for the refetch report KidNotFound"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c67_concurrent_first_loads_share_one_fetch() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).delayed(Duration::from_millis(100)));
    let handles: Vec<_> = (0..100)
        .map(|_| {
            let jwks = fx.jwks.clone();
            tokio::spawn(async move { jwks.keys().await })
        })
        .collect();
    let mut sets = Vec::new();
    for handle in handles {
        sets.push(handle.await.unwrap().unwrap());
    }
    assert_eq!(fx.platform.hits(), 1);
    assert!(
        sets.iter().all(|s| Arc::ptr_eq(s, &sets[0])),
        "everyone got the one fetched set"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_a_failed_fetch_too() {
    let fx = fixture(Answer::transport_error().delayed(Duration::from_millis(100)));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let jwks = fx.jwks.clone();
            tokio::spawn(async move { jwks.resolve(&Kid::from("k1"), Algorithm::Rs256).await })
        })
        .collect();
    for handle in handles {
        let err = handle.await.unwrap().unwrap_err();
        assert!(
            matches!(&err, Error::Http(HttpError::Transport { url, .. }) if url == URL),
            "{err:?}"
        );
    }
    assert_eq!(
        fx.platform.hits(),
        1,
        "a failing endpoint is asked once, not once per waiter"
    );
}

// ----- rotation -----

#[tokio::test]
async fn c66_c67_rotation_new_kid_resolves_after_refetch() {
    let old = rs256("2024-01");
    let new = rs256("2024-07");
    let fx = fixture(Answer::json(jwks(&[&old])).max_age(86_400));
    verifies(&fx.jwks, &old).await;

    // the platform publishes the new key next to the old one and starts signing with it
    fx.platform
        .serve(Answer::json(jwks(&[&new, &old])).max_age(86_400));
    fx.advance(120);
    verifies(&fx.jwks, &new).await;
    assert_eq!(fx.platform.hits(), 2, "the unknown kid caused one refetch");
    verifies(&fx.jwks, &old).await;
    assert_eq!(fx.jwks.keys().await.unwrap().len(), 2);
    assert_eq!(
        fx.platform.hits(),
        2,
        "both keys are now served from the cache"
    );
}

// ----- which keys load -----

#[tokio::test]
async fn c68_unusable_keys_are_skipped_and_a_key_without_alg_verifies_its_family() {
    let signing = rs256("sig");
    let no_alg = rs256("no-alg");
    let mut enc = jwk(&rs256("enc"));
    enc["use"] = json!("enc");
    enc["alg"] = json!("RSA-OAEP");
    let oct = json!({"kty": "oct", "kid": "hmac", "alg": "HS256", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"});
    let weak = json!({
        "kty": "RSA", "kid": "rsa-1024", "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode([0xC5_u8; 128]), "e": "AQAB",
    });
    let mut without_alg = jwk(&no_alg);
    without_alg.as_object_mut().unwrap().remove("alg");
    let set = json!({"keys": [enc, oct, weak, jwk(&signing), without_alg]});
    let fx = fixture(Answer::json(set.to_string()));

    let keys = fx.jwks.keys().await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.contains_kid("sig") && keys.contains_kid("no-alg"));
    for skipped in ["enc", "hmac", "rsa-1024"] {
        assert!(!keys.contains_kid(skipped), "{skipped} must be skipped");
    }

    // the key without `alg` verifies the token's RSA algorithm, whichever it is
    verifies(&fx.jwks, &no_alg).await;
    let no_alg_384 = no_alg.with_alg(Algorithm::Rs384).unwrap();
    verifies(&fx.jwks, &no_alg_384).await;
    // but not another family
    let err = fx
        .jwks
        .resolve(&kid("no-alg"), Algorithm::Es256)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KeyAlgorithmMismatch { .. }), "{err:?}");
    // the key declared RS256 is held to it
    let err = fx
        .jwks
        .resolve(&kid("sig"), Algorithm::Rs384)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KeyAlgorithmMismatch { .. }), "{err:?}");
    assert_eq!(fx.platform.hits(), 1);
}

// ----- failures: never cached as keys -----

#[tokio::test]
async fn oversized_body_is_an_error_and_nothing_is_cached() {
    let key = rs256("k1");
    let config = JwksCacheConfig::default().with_max_body_bytes(1024);
    let mut body = jwks(&[&key]);
    body.push_str(&" ".repeat(2048));
    let fx = fixture_with(Answer::json(body), config, URL);
    let err = fx.jwks.keys().await.unwrap_err();
    assert!(
        matches!(&err, Error::Http(HttpError::BodyTooLarge { limit: 1024, url }) if url == URL),
        "{err:?}"
    );
    assert!(fx.jwks.cached().is_none());
    let err = fx
        .jwks
        .resolve(key.kid(), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Http(HttpError::BodyTooLarge { .. })),
        "{err:?}"
    );
    assert_eq!(
        fx.platform.hits(),
        2,
        "nothing was cached: the next call fetches again"
    );
}

#[tokio::test]
async fn error_status_and_html_error_page_are_never_cached() {
    let key = rs256("k1");
    let secret_url = "https://lms.example/jwks?access_token=SECRET";
    let fx = fixture_with(
        Answer::status(
            500,
            "text/html",
            "<html><body>Internal Server Error</body></html>",
        )
        .max_age(3600),
        JwksCacheConfig::default(),
        secret_url,
    );
    let err = fx.jwks.keys().await.unwrap_err();
    assert!(
        matches!(&err, Error::JwksStatus { status: 500, url } if url == "https://lms.example/jwks"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("SECRET"), "{err}");
    assert!(fx.jwks.cached().is_none());

    // a login page served with 200
    fx.platform.serve(
        Answer::status(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html>Sign in</html>",
        )
        .max_age(3600),
    );
    let err = fx
        .jwks
        .resolve(&kid("k1"), Algorithm::Rs256)
        .await
        .unwrap_err();
    match &err {
        Error::JwksMalformed { url, reason } => {
            assert_eq!(url, "https://lms.example/jwks");
            assert!(reason.contains("text/html"), "{reason}");
        }
        other => panic!("expected JwksMalformed, got {other:?}"),
    }
    assert!(!err.to_string().contains("SECRET"), "{err}");
    assert!(fx.jwks.cached().is_none());

    // JSON that is not a JWK Set, and an empty body
    for body in [r#"{"error":"unavailable"}"#, ""] {
        fx.platform.serve(Answer::json(body));
        let err = fx.jwks.keys().await.unwrap_err();
        assert!(
            matches!(err, Error::JwksMalformed { .. }),
            "{body:?}: {err:?}"
        );
        assert!(fx.jwks.cached().is_none());
    }

    // a 404 too
    fx.platform
        .serve(Answer::status(404, "application/json", r#"{"keys":[]}"#));
    let err = fx.jwks.keys().await.unwrap_err();
    assert!(
        matches!(err, Error::JwksStatus { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(
        fx.platform.hits(),
        5,
        "every failure is retried by the next call"
    );

    fx.platform.serve(Answer::json(jwks(&[&key])));
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 6);
}

#[tokio::test]
async fn non_http_url_fails_without_a_request() {
    let fx = fixture_with(
        Answer::json(jwks(&[])),
        JwksCacheConfig::default(),
        "file:///etc/jwks.json",
    );
    let err = fx.jwks.keys().await.unwrap_err();
    assert!(
        matches!(err, Error::Http(HttpError::InvalidRequest { .. })),
        "{err:?}"
    );
    assert_eq!(fx.platform.hits(), 0);
}

// ----- failures: stale sets -----

#[tokio::test]
async fn stale_set_is_served_within_grace_when_fetch_fails() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(600));
    verifies(&fx.jwks, &key).await;

    fx.platform
        .serve(Answer::status(503, "text/plain", "maintenance"));
    fx.advance(600); // expired
    verifies(&fx.jwks, &key).await;
    assert_eq!(
        fx.platform.hits(),
        2,
        "one refetch attempt, then the stale set"
    );

    // within the minimum interval after a failure the stale set is served without asking again
    fx.advance(10);
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 2);
    // an unknown kid meanwhile reports the fetch failure, not a misleading KidNotFound
    let err = fx
        .jwks
        .resolve(&kid("other"), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::JwksStatus { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(fx.platform.hits(), 2);

    fx.advance(20); // 30 s after the failed attempt: try again, still failing, still within grace
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 3);

    fx.advance(270); // 900 s after the fetch: expiry (600) + grace (300) reached
    let err = fx
        .jwks
        .resolve(key.kid(), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::JwksStatus { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(fx.platform.hits(), 4);

    // the platform recovers
    fx.platform.serve(Answer::json(jwks(&[&key])).max_age(600));
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 5);
}

#[tokio::test]
async fn no_stale_set_is_served_when_grace_is_zero() {
    let key = rs256("k1");
    let config = JwksCacheConfig::default().with_stale_grace(Duration::ZERO);
    let fx = fixture_with(Answer::json(jwks(&[&key])).max_age(600), config, URL);
    fx.jwks.keys().await.unwrap();
    fx.platform.serve(Answer::transport_error());
    fx.advance(600);
    let err = fx
        .jwks
        .resolve(key.kid(), Algorithm::Rs256)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Http(HttpError::Transport { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn fresh_set_survives_a_failed_refresh() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])).max_age(3600));
    let before = fx.jwks.keys().await.unwrap();
    fx.platform.serve(Answer::status(500, "text/plain", "oops"));
    let err = fx.jwks.refresh().await.unwrap_err();
    assert!(
        matches!(err, Error::JwksStatus { status: 500, .. }),
        "{err:?}"
    );
    assert!(Arc::ptr_eq(&before, &fx.jwks.keys().await.unwrap()));
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 2);

    // refresh is the application's call: not rate limited
    fx.platform.serve(Answer::json(jwks(&[&key, &rs256("k2")])));
    assert_eq!(fx.jwks.refresh().await.unwrap().len(), 2);
    assert_eq!(fx.platform.hits(), 3);
}

// ----- the shared cache -----

#[tokio::test]
async fn resolvers_of_one_url_share_one_cached_set() {
    let key = rs256("k1");
    let fx = fixture(Answer::json(jwks(&[&key])));
    let other = fx.cache.resolver(Url::parse(URL).unwrap());
    verifies(&fx.jwks, &key).await;
    verifies(&other, &key).await;
    assert_eq!(fx.platform.hits(), 1);
    assert_eq!(fx.cache.cached_url_count(), 1);

    let lone = RemoteJwks::new(
        Url::parse(URL).unwrap(),
        fx.platform.client(),
        fx.clock.clone() as Arc<dyn Clock>,
    );
    verifies(&lone, &key).await;
    assert_eq!(
        fx.platform.hits(),
        2,
        "a lone RemoteJwks has a cache of its own"
    );
    assert_eq!(lone.url().as_str(), URL);
}

#[tokio::test]
async fn the_number_of_cached_urls_is_bounded() {
    let key = rs256("k1");
    let config = JwksCacheConfig::default().with_max_urls(3);
    let fx = fixture_with(Answer::json(jwks(&[&key])), config, URL);
    fx.jwks.keys().await.unwrap();
    for n in 0..20 {
        let jwks = fx
            .cache
            .resolver(Url::parse(&format!("https://lms{n}.example/jwks")).unwrap());
        jwks.keys().await.unwrap();
        assert!(fx.cache.cached_url_count() <= 3);
    }
    assert_eq!(fx.cache.cached_url_count(), 3);
    // the URL held by a live resolver was never forgotten: it is still served from its cache
    verifies(&fx.jwks, &key).await;
    assert_eq!(fx.platform.hits(), 21);
    let again = fx.cache.resolver(Url::parse(URL).unwrap());
    again.keys().await.unwrap();
    assert_eq!(
        fx.platform.hits(),
        21,
        "a new resolver for a kept URL shares its set"
    );
}

#[tokio::test]
async fn debug_output_shows_no_query() {
    let fx = fixture_with(
        Answer::json(jwks(&[])),
        JwksCacheConfig::default(),
        "https://lms.example/jwks?access_token=SECRET",
    );
    let shown = format!("{:?} {:?}", fx.jwks, fx.cache);
    assert!(shown.contains("https://lms.example/jwks"), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
}
