#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Behaviour of the tool-side [`TokenSource`] against a fake platform served in process (a
//! [`RouterClient`] handler that parses the form and verifies the client assertion with the tool's public key).
//!
//! Checklist ids: c70 (client assertion claims and header), c71 (form-encoded token request with exactly the
//! four parameters), c72 (each scope set asked for exactly), c73 (token reused until `expires_in`, then renewed;
//! `Authorization: Bearer`). Also: single flight, the 401 retry, RFC 6749 error bodies and hostile answers.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use lti_http::{Handler, HttpClient, HttpError, RouterClient};
use lti_security::oauth::{
    ASSERTION_BACKDATE, ASSERTION_LIFETIME, CLIENT_ASSERTION_TYPE_JWT_BEARER,
    ClientAssertionClaims, DEPLOYMENT_ID_CLAIM, GRANT_TYPE_CLIENT_CREDENTIALS, OAuthErrorCode,
    Scopes, TokenEndpoint, TokenError, TokenSource, TokenSourceConfig,
};
use lti_security::{
    Audience, ClaimRules, JwtVerifier, KeyProtection, KeyRing, KeyRingConfig, KeySet, Party,
};
use lti_storage::{Clock, ManualClock, MemoryStore};
use serde_json::{Value, json};
use url::Url;

const ORIGIN: &str = "https://lms.example";
const TOKEN_URL: &str = "https://lms.example/login/oauth2/token";
const SERVICE_URL: &str = "https://lms.example/api/lti/courses/7/line_items/3/scores";
const CLIENT_ID: &str = "10000000000042";
const DEPLOYMENT: &str = "1:8865aa05b4b79b64a91a86042e43af5ea8ae79eb";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const START: u64 = 1_800_000_000;

// ----- the platform, in process -----

/// A token request as the fake platform saw it, after verifying the assertion's signature.
#[derive(Debug, Clone)]
struct SeenTokenRequest {
    method: http::Method,
    content_type: Option<String>,
    accept: Option<String>,
    raw_body: String,
    /// Every parameter with all its values, in order.
    params: BTreeMap<String, Vec<String>>,
    assertion: String,
    header: lti_security::Header,
    claims: Value,
}

/// A canned answer of the token endpoint, instead of issuing a token.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    content_type: Option<&'static str>,
    body: Bytes,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            content_type: Some("application/json;charset=UTF-8"),
            body: Bytes::from(body.to_string()),
        }
    }

    fn raw(status: u16, content_type: Option<&'static str>, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
        }
    }
}

#[derive(Debug)]
struct FakePlatform {
    keys: KeySet,
    verifier: JwtVerifier,
    token_requests: AtomicUsize,
    service_requests: AtomicUsize,
    seen: Mutex<Vec<SeenTokenRequest>>,
    /// Authorization headers received by the service.
    service_auth: Mutex<Vec<Option<String>>>,
    /// Tokens the service accepts.
    valid: Mutex<HashSet<String>>,
    /// Canned answers, used in order before issuing tokens normally.
    answers: Mutex<Vec<Answer>>,
    /// `expires_in` of issued tokens (`None`: the member is left out).
    expires_in: Mutex<Option<Value>>,
    /// How long the token endpoint takes.
    delay: Mutex<Duration>,
    /// The service answers 401 to everything.
    service_always_401: Mutex<bool>,
    /// The `aud` the assertion must contain: this platform's token URL unless it has another identity.
    expected_aud: Mutex<String>,
}

impl FakePlatform {
    fn new(keys: KeySet, clock: Arc<dyn Clock>) -> Self {
        Self {
            keys,
            verifier: JwtVerifier::new(clock),
            token_requests: AtomicUsize::new(0),
            service_requests: AtomicUsize::new(0),
            seen: Mutex::default(),
            service_auth: Mutex::default(),
            valid: Mutex::default(),
            answers: Mutex::default(),
            expires_in: Mutex::new(Some(json!(3600))),
            delay: Mutex::new(Duration::ZERO),
            service_always_401: Mutex::new(false),
            expected_aud: Mutex::new(TOKEN_URL.to_owned()),
        }
    }

    fn token_requests(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    fn service_requests(&self) -> usize {
        self.service_requests.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<SeenTokenRequest> {
        self.seen.lock().unwrap().clone()
    }

    fn answer_next(&self, answer: Answer) {
        self.answers.lock().unwrap().push(answer);
    }

    fn revoke_all(&self) {
        self.valid.lock().unwrap().clear();
    }

    async fn token_endpoint(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let n = self.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let raw_body = String::from_utf8(request.body().to_vec()).unwrap();
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(raw_body.as_bytes()) {
            params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        let assertion = params["client_assertion"][0].clone();
        // the real check a platform makes: the signature with the tool's registered key, iss, aud, exp, iat
        let expected_aud = self.expected_aud.lock().unwrap().clone();
        let rules = ClaimRules::new().issuer(CLIENT_ID).audience(expected_aud);
        let verified = match self.verifier.verify(&assertion, &self.keys, &rules).await {
            Ok(verified) => verified,
            Err(e) => {
                return json_response(
                    401,
                    json!({"error": "invalid_client", "error_description": e.to_string()}),
                );
            }
        };
        let claims: Value = verified.claims().unwrap();
        self.seen.lock().unwrap().push(SeenTokenRequest {
            method: request.method().clone(),
            content_type: header(CONTENT_TYPE),
            accept: header(http::header::ACCEPT),
            raw_body,
            params: params.clone(),
            assertion,
            header: verified.header().clone(),
            claims,
        });

        let canned = {
            let mut answers = self.answers.lock().unwrap();
            (!answers.is_empty()).then(|| answers.remove(0))
        };
        if let Some(answer) = canned {
            let mut builder = http::Response::builder().status(answer.status);
            if let Some(ct) = answer.content_type {
                builder = builder.header(CONTENT_TYPE, ct);
            }
            return builder.body(answer.body).unwrap();
        }
        let token = format!("platform-token-{n}");
        self.valid.lock().unwrap().insert(token.clone());
        let mut body = json!({
            "access_token": token,
            "token_type": "Bearer",
            "scope": params["scope"][0],
        });
        if let Some(expires_in) = self.expires_in.lock().unwrap().clone() {
            body["expires_in"] = expires_in;
        }
        json_response(200, body)
    }

    fn service(&self, request: &http::Request<Bytes>) -> http::Response<Bytes> {
        self.service_requests.fetch_add(1, Ordering::SeqCst);
        let auth = request
            .headers()
            .get(AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned());
        self.service_auth.lock().unwrap().push(auth.clone());
        let token = auth.as_deref().and_then(|a| a.strip_prefix("Bearer "));
        let ok = !*self.service_always_401.lock().unwrap()
            && token.is_some_and(|t| self.valid.lock().unwrap().contains(t));
        if ok {
            http::Response::new(Bytes::from_static(b"{}"))
        } else {
            http::Response::builder()
                .status(401)
                .header("www-authenticate", "Bearer error=\"invalid_token\"")
                .body(Bytes::new())
                .unwrap()
        }
    }
}

fn json_response(status: u16, body: Value) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json;charset=UTF-8")
        .header("cache-control", "no-store")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

#[async_trait]
impl Handler for FakePlatform {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        match request.uri().path() {
            "/login/oauth2/token" => self.token_endpoint(request).await,
            _ => self.service(&request),
        }
    }
}

// ----- fixtures -----

struct World {
    clock: Arc<ManualClock>,
    platform: Arc<FakePlatform>,
    router: RouterClient,
    keys: Arc<KeyRing>,
    tokens: TokenSource,
}

async fn world() -> World {
    world_with(TokenSourceConfig::default()).await
}

async fn world_with(config: TokenSourceConfig) -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let keys = Arc::new(
        KeyRing::open(
            Arc::new(MemoryStore::new()),
            "tool",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::clone(&dyn_clock),
            KeyRingConfig::default(),
        )
        .await
        .unwrap(),
    );
    // the platform knows only the tool's public keys
    let platform = Arc::new(FakePlatform::new(keys.key_set(), Arc::clone(&dyn_clock)));
    let router = RouterClient::new();
    router.route(ORIGIN, Arc::clone(&platform)).unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(router.clone());
    let tokens = TokenSource::with_config(http, Arc::clone(&keys), dyn_clock, config);
    World {
        clock,
        platform,
        router,
        keys,
        tokens,
    }
}

fn endpoint() -> TokenEndpoint {
    TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
        .unwrap()
        .with_deployment_id(DEPLOYMENT)
        .unwrap()
}

fn score() -> Scopes {
    Scopes::parse(SCORE)
}

fn service_request() -> http::Request<Bytes> {
    http::Request::post(SERVICE_URL)
        .header(CONTENT_TYPE, "application/vnd.ims.lis.v1.score+json")
        .body(Bytes::from_static(b"{\"scoreGiven\":1}"))
        .unwrap()
}

// ----- c70: the client assertion -----

#[tokio::test]
async fn c70_assertion_claims_and_header() {
    let w = world().await;
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    let seen = w.platform.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];

    // header: the ring's active key, RS256, typ JWT (the platform verified the signature with the public key)
    assert_eq!(s.header.kid.as_ref(), Some(w.keys.signing_key().kid()));
    assert_eq!(s.header.alg, lti_security::Algorithm::Rs256);
    assert_eq!(s.header.typ.as_deref(), Some("JWT"));

    let c = &s.claims;
    assert_eq!(c["iss"], CLIENT_ID);
    assert_eq!(c["sub"], CLIENT_ID);
    assert_eq!(c["aud"], TOKEN_URL);
    let iat = c["iat"].as_u64().expect("iat is a JSON number");
    let exp = c["exp"].as_u64().expect("exp is a JSON number");
    assert_eq!(
        iat,
        START - ASSERTION_BACKDATE.as_secs(),
        "iat back-dated 5 s"
    );
    assert_eq!(exp, iat + ASSERTION_LIFETIME.as_secs(), "exp = iat + 5 min");
    let jti = c["jti"].as_str().unwrap();
    assert!(jti.len() >= 43, "jti has 256 bits: {jti}");
    assert_eq!(c[DEPLOYMENT_ID_CLAIM], DEPLOYMENT);

    // the shared wire type reads it back
    let typed: ClientAssertionClaims = serde_json::from_value(c.clone()).unwrap();
    assert_eq!(typed.aud, Audience::one(TOKEN_URL));
    assert_eq!(typed.deployment_id.as_deref(), Some(DEPLOYMENT));
}

#[tokio::test]
async fn c70_every_request_has_a_new_jti() {
    let w = world().await;
    let mut jtis = HashSet::new();
    for _ in 0..5 {
        w.tokens.invalidate(&endpoint(), &score());
        w.tokens.token(&endpoint(), &score()).await.unwrap();
    }
    for s in w.platform.seen() {
        assert!(jtis.insert(s.claims["jti"].as_str().unwrap().to_owned()));
    }
    assert_eq!(jtis.len(), 5);
}

#[tokio::test]
async fn c70_configured_audience_and_no_deployment_claim_when_not_configured() {
    let w = world().await;
    // D2L Brightspace: the assertion's audience is not the token URL
    let d2l_aud = "https://api.brightspace.com/auth/token";
    *w.platform.expected_aud.lock().unwrap() = d2l_aud.to_owned();
    let endpoint = TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
        .unwrap()
        .with_audience(d2l_aud)
        .unwrap();
    w.tokens.token(&endpoint, &score()).await.unwrap();
    let claims = &w.platform.seen()[0].claims;
    // and the default audience (the token URL) is refused by that platform, as the spec requires
    let e = w
        .tokens
        .token(&self::endpoint(), &score())
        .await
        .unwrap_err();
    assert_eq!(
        e.oauth_error().unwrap().error,
        OAuthErrorCode::InvalidClient
    );
    assert_eq!(claims["aud"], d2l_aud);
    assert!(claims.get(DEPLOYMENT_ID_CLAIM).is_none(), "{claims}");
}

#[tokio::test]
async fn c70_assertion_follows_key_rotation() {
    let w = world().await;
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    let old = w.platform.seen()[0].header.kid.clone().unwrap();
    let new = w.keys.rotate().await.unwrap();
    assert_ne!(old, new);
    // the platform knows the new key (it refetched the tool's JWKS)
    let platform = Arc::new(FakePlatform::new(w.keys.key_set(), w.clock.clone()));
    w.router.route(ORIGIN, Arc::clone(&platform)).unwrap();
    w.tokens.invalidate(&endpoint(), &score());
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(platform.seen()[0].header.kid.as_ref(), Some(&new));
}

// ----- c71: the token request -----

#[tokio::test]
async fn c71_form_encoded_with_exactly_the_four_parameters() {
    let w = world().await;
    // asked in a different order, with a duplicate: sent sorted and deduplicated, space separated
    let scopes: Scopes = [SCORE, LINEITEM, SCORE].into_iter().collect();
    w.tokens.token(&endpoint(), &scopes).await.unwrap();
    let s = &w.platform.seen()[0];
    assert_eq!(s.method, http::Method::POST);
    assert_eq!(
        s.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(s.accept.as_deref(), Some("application/json"));
    let names: Vec<&str> = s.params.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_assertion",
            "client_assertion_type",
            "grant_type",
            "scope"
        ]
    );
    assert!(s.params.values().all(|v| v.len() == 1), "{:?}", s.params);
    assert_eq!(s.params["grant_type"][0], GRANT_TYPE_CLIENT_CREDENTIALS);
    assert_eq!(
        s.params["client_assertion_type"][0],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(
        CLIENT_ASSERTION_TYPE_JWT_BEARER,
        s.params["client_assertion_type"][0]
    );
    assert_eq!(s.params["client_assertion"][0], s.assertion);
    assert_eq!(s.params["scope"][0], format!("{LINEITEM} {SCORE}"));
    // really form-encoded: reserved characters escaped, the space a `+`
    assert!(!s.raw_body.contains("://"), "{}", s.raw_body);
    assert!(
        s.raw_body.contains("urn%3Aietf%3Aparams%3Aoauth"),
        "{}",
        s.raw_body
    );
    assert!(s.raw_body.contains("lineitem+https"), "{}", s.raw_body);
}

// ----- c72: exactly the scopes asked for -----

#[tokio::test]
async fn c72_each_scope_set_is_requested_exactly_and_cached_apart() {
    let w = world().await;
    let a = w.tokens.token(&endpoint(), &score()).await.unwrap();
    let b = w
        .tokens
        .token(&endpoint(), &Scopes::parse(LINEITEM))
        .await
        .unwrap();
    assert_ne!(a.secret(), b.secret());
    let seen = w.platform.seen();
    assert_eq!(seen[0].params["scope"], [SCORE]);
    assert_eq!(seen[1].params["scope"], [LINEITEM]);
    // the same set, built differently, is a cache hit
    let again: Scopes = [SCORE, SCORE].into_iter().collect();
    assert_eq!(
        w.tokens.token(&endpoint(), &again).await.unwrap().secret(),
        a.secret()
    );
    assert_eq!(w.platform.token_requests(), 2);
    assert_eq!(w.tokens.cached_token_count(), 2);
    assert!(a.scopes().contains(SCORE) && !a.scopes().contains(LINEITEM));
}

#[tokio::test]
async fn c72_tokens_are_cached_per_deployment() {
    let w = world().await;
    let other = TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
        .unwrap()
        .with_deployment_id("2")
        .unwrap();
    let a = w.tokens.token(&endpoint(), &score()).await.unwrap();
    let b = w.tokens.token(&other, &score()).await.unwrap();
    assert_ne!(a.secret(), b.secret());
    assert_eq!(w.platform.token_requests(), 2);
}

#[tokio::test]
async fn c72_no_scope_or_a_malformed_scope_sends_nothing() {
    let w = world().await;
    let e = w
        .tokens
        .token(&endpoint(), &Scopes::new())
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::NoScopes { .. }), "{e}");
    let bad: Scopes = ["https://x.example/scope\"; injected"]
        .into_iter()
        .collect();
    let e = w.tokens.token(&endpoint(), &bad).await.unwrap_err();
    assert!(matches!(e, TokenError::InvalidScope { .. }), "{e}");
    assert_eq!(e.party(), Party::Configuration);
    assert_eq!(w.platform.token_requests(), 0);
}

// ----- c73: reuse until expiry, then a new token; Authorization: Bearer -----

#[tokio::test]
async fn c73_token_reused_until_expiry_then_renewed() {
    let w = world().await;
    let first = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(first.secret(), "platform-token-1");
    // 3600 s lifetime, 60 s margin: served from the cache for 3540 s
    w.clock.advance(Duration::from_secs(3539));
    let again = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(again.secret(), first.secret());
    assert_eq!(w.platform.token_requests(), 1);

    w.clock.advance(Duration::from_secs(1));
    let renewed = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(renewed.secret(), "platform-token-2");
    assert_eq!(w.platform.token_requests(), 2);
    // a fresh assertion for the new request, never a refresh token
    let seen = w.platform.seen();
    assert_ne!(seen[0].claims["jti"], seen[1].claims["jti"]);
    assert_eq!(
        seen[1].params["grant_type"],
        [GRANT_TYPE_CLIENT_CREDENTIALS]
    );
}

#[tokio::test]
async fn c73_service_calls_carry_the_bearer_token_and_reuse_it() {
    let w = world().await;
    for _ in 0..3 {
        let response = w
            .tokens
            .send(&endpoint(), &score(), service_request())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(w.platform.token_requests(), 1);
    let auth = w.platform.service_auth.lock().unwrap().clone();
    assert_eq!(auth.len(), 3);
    assert!(
        auth.iter()
            .all(|a| a.as_deref() == Some("Bearer platform-token-1")),
        "{auth:?}"
    );
}

#[tokio::test]
async fn c73_lifetime_from_expires_in_as_a_string_and_default_without_it() {
    let w = world().await;
    *w.platform.expires_in.lock().unwrap() = Some(json!("120"));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    // 120 s, margin min(60 s, 12 s) = 12 s
    w.clock.advance(Duration::from_secs(107));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 1);
    w.clock.advance(Duration::from_secs(1));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 2);

    // no expires_in: the conservative default of 300 s (margin 30 s)
    *w.platform.expires_in.lock().unwrap() = None;
    w.tokens.invalidate(&endpoint(), &score());
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 3);
    w.clock.advance(Duration::from_secs(269));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 3);
    w.clock.advance(Duration::from_secs(1));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 4);
}

#[tokio::test]
async fn c73_expiry_margin_is_configurable() {
    let w = world_with(TokenSourceConfig::default().with_expiry_margin(Duration::ZERO)).await;
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    w.clock.advance(Duration::from_secs(3599));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 1);
    w.clock.advance(Duration::from_secs(1));
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(w.platform.token_requests(), 2);
}

// ----- single flight -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c73_fifty_concurrent_callers_share_one_token_request() {
    let w = world().await;
    *w.platform.delay.lock().unwrap() = Duration::from_millis(50);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let tokens = w.tokens.clone();
        tasks.push(tokio::spawn(async move {
            tokens.token(&endpoint(), &score()).await.unwrap()
        }));
    }
    let mut secrets = HashSet::new();
    for task in tasks {
        secrets.insert(task.await.unwrap().secret().to_owned());
    }
    assert_eq!(w.platform.token_requests(), 1);
    assert_eq!(secrets.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_a_failure_but_it_is_not_cached() {
    let w = world().await;
    *w.platform.delay.lock().unwrap() = Duration::from_millis(50);
    w.platform
        .answer_next(Answer::json(400, json!({"error": "invalid_client"})));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let tokens = w.tokens.clone();
        tasks.push(tokio::spawn(async move {
            tokens.token(&endpoint(), &score()).await
        }));
    }
    for task in tasks {
        let e = task.await.unwrap().unwrap_err();
        assert_eq!(
            e.oauth_error().unwrap().error,
            OAuthErrorCode::InvalidClient
        );
    }
    assert_eq!(w.platform.token_requests(), 1);
    // the next call asks again, and succeeds
    let token = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(token.secret(), "platform-token-2");
    assert_eq!(w.platform.token_requests(), 2);
}

// ----- the 401 retry -----

#[tokio::test]
async fn c73_a_401_drops_the_token_and_retries_exactly_once() {
    let w = world().await;
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    // the platform revoked the token before its expiry
    w.platform.revoke_all();
    let response = w
        .tokens
        .send(&endpoint(), &score(), service_request())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(w.platform.token_requests(), 2);
    assert_eq!(w.platform.service_requests(), 2);
    let auth = w.platform.service_auth.lock().unwrap().clone();
    assert_eq!(
        auth,
        [
            Some("Bearer platform-token-1".to_owned()),
            Some("Bearer platform-token-2".to_owned())
        ]
    );
    // the new token is the cached one now
    let cached = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(cached.secret(), "platform-token-2");
    assert_eq!(w.platform.token_requests(), 2);
}

#[tokio::test]
async fn c73_a_second_401_is_returned_not_looped() {
    let w = world().await;
    *w.platform.service_always_401.lock().unwrap() = true;
    let response = w
        .tokens
        .send(&endpoint(), &score(), service_request())
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(w.platform.service_requests(), 2);
    assert_eq!(w.platform.token_requests(), 2);
}

#[tokio::test]
async fn a_403_is_not_retried() {
    let w = world().await;
    let router = w.router.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let platform = Arc::clone(&w.platform);
    router
        .route(ORIGIN, move |request: http::Request<Bytes>| {
            let platform = Arc::clone(&platform);
            let counted = Arc::clone(&counted);
            async move {
                if request.uri().path() == "/login/oauth2/token" {
                    return platform.token_endpoint(request).await;
                }
                counted.fetch_add(1, Ordering::SeqCst);
                http::Response::builder()
                    .status(403)
                    .body(Bytes::new())
                    .unwrap()
            }
        })
        .unwrap();
    let response = w
        .tokens
        .send(&endpoint(), &score(), service_request())
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(w.platform.token_requests(), 1);
}

#[tokio::test]
async fn the_bearer_token_is_never_sent_over_plain_http() {
    let w = world().await;
    let request = http::Request::get("http://lms.example/api/members")
        .body(Bytes::new())
        .unwrap();
    let e = w
        .tokens
        .send(&endpoint(), &score(), request)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::InsecureServiceUrl { .. }), "{e}");
    assert_eq!(w.platform.token_requests(), 0);
}

#[tokio::test]
async fn send_keeps_method_headers_and_body_on_the_retry() {
    let w = world().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&bodies);
    let platform = Arc::clone(&w.platform);
    w.router
        .route(ORIGIN, move |request: http::Request<Bytes>| {
            let platform = Arc::clone(&platform);
            let recorded = Arc::clone(&recorded);
            async move {
                if request.uri().path() == "/login/oauth2/token" {
                    return platform.token_endpoint(request).await;
                }
                let ct = request.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
                let mut bodies = recorded.lock().unwrap();
                bodies.push((request.method().clone(), ct, request.body().clone()));
                let status = if bodies.len() == 1 { 401 } else { 200 };
                http::Response::builder()
                    .status(status)
                    .body(Bytes::new())
                    .unwrap()
            }
        })
        .unwrap();
    let response = w
        .tokens
        .send(&endpoint(), &score(), service_request())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1].0, http::Method::POST);
    assert_eq!(bodies[1].1, "application/vnd.ims.lis.v1.score+json");
}

// ----- errors from the platform -----

#[tokio::test]
async fn platform_error_body_is_surfaced_with_its_status() {
    let w = world().await;
    w.platform.answer_next(Answer::json(
        400,
        json!({"error": "invalid_scope", "error_description": "scope lineitem is not enabled for this tool"}),
    ));
    let e = w.tokens.token(&endpoint(), &score()).await.unwrap_err();
    match &e {
        TokenError::Refused { url, status, error } => {
            assert_eq!(url, TOKEN_URL);
            assert_eq!(*status, 400);
            assert_eq!(error.error, OAuthErrorCode::InvalidScope);
            assert_eq!(
                error.error_description.as_deref(),
                Some("scope lineitem is not enabled for this tool")
            );
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    let message = e.to_string();
    assert!(message.contains("HTTP 400"), "{message}");
    assert!(
        message.contains("invalid_scope: scope lineitem is not enabled"),
        "{message}"
    );
    assert_eq!(e.party(), Party::Peer);
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn an_error_description_echoing_the_assertion_does_not_leak_it() {
    let w = world().await;
    // what a platform would say if it echoed our request: the assertion is cut out of the message
    let router = w.router.clone();
    let platform = Arc::clone(&w.platform);
    router
        .route(ORIGIN, move |request: http::Request<Bytes>| {
            let platform = Arc::clone(&platform);
            async move {
                let body = String::from_utf8(request.body().to_vec()).unwrap();
                platform.token_endpoint(request).await;
                let assertion = url::form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "client_assertion")
                    .unwrap()
                    .1
                    .into_owned();
                json_response(
                    401,
                    json!({"error": "invalid_client", "error_description": format!("bad assertion {assertion}")}),
                )
            }
        })
        .unwrap();
    let e = w.tokens.token(&endpoint(), &score()).await.unwrap_err();
    let assertion = w.platform.seen()[0].assertion.clone();
    for shown in [e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains(&assertion), "{shown}");
        assert!(!shown.contains(&assertion[..40]), "{shown}");
        assert!(shown.contains("bad assertion"), "{shown}");
    }
}

/// Whether an error is the one a case expects.
type Expect = fn(&TokenError) -> bool;

#[tokio::test]
async fn hostile_responses_each_give_their_typed_error() {
    let html = "<!DOCTYPE html><html><body>Sign in to continue</body></html>";
    let cases: Vec<(&str, Answer, Expect)> = vec![
        (
            "HTML page with 200",
            Answer::raw(200, Some("text/html; charset=utf-8"), html),
            |e| matches!(e, TokenError::UnexpectedContentType { status: 200, found, .. } if found.starts_with("text/html")),
        ),
        (
            "HTML page without Content-Type",
            Answer::raw(200, None, html),
            |e| matches!(e, TokenError::MalformedResponse { reason, .. } if reason.contains("markup")),
        ),
        (
            "proxy error page",
            Answer::raw(502, Some("text/html"), html),
            |e| matches!(e, TokenError::Status { status: 502, body: Some(b), .. } if b.contains("Sign in")),
        ),
        ("empty 500", Answer::raw(500, None, ""), |e| {
            matches!(
                e,
                TokenError::Status {
                    status: 500,
                    body: None,
                    ..
                }
            )
        }),
        (
            "missing access_token",
            Answer::json(200, json!({"token_type": "bearer", "expires_in": 3600})),
            |e| {
                matches!(
                    e,
                    TokenError::MissingField {
                        field: "access_token",
                        ..
                    }
                )
            },
        ),
        (
            "access_token not a string",
            Answer::json(200, json!({"access_token": 42, "token_type": "bearer"})),
            |e| matches!(e, TokenError::InvalidField { field: "access_token", found, .. } if found == "a number"),
        ),
        (
            "access_token with a newline (header injection)",
            Answer::json(
                200,
                json!({"access_token": "abc\r\nX-Evil: 1", "token_type": "bearer"}),
            ),
            |e| {
                matches!(
                    e,
                    TokenError::InvalidField {
                        field: "access_token",
                        ..
                    }
                )
            },
        ),
        (
            "missing token_type",
            Answer::json(200, json!({"access_token": "t"})),
            |e| {
                matches!(
                    e,
                    TokenError::MissingField {
                        field: "token_type",
                        ..
                    }
                )
            },
        ),
        (
            "token_type mac",
            Answer::json(200, json!({"access_token": "t", "token_type": "mac"})),
            |e| matches!(e, TokenError::UnsupportedTokenType { found, .. } if found == "mac"),
        ),
        (
            "negative expires_in",
            Answer::json(
                200,
                json!({"access_token": "t", "token_type": "bearer", "expires_in": -3600}),
            ),
            |e| matches!(e, TokenError::InvalidField { field: "expires_in", found, .. } if found == "-3600"),
        ),
        (
            "absurd expires_in",
            Answer::json(
                200,
                json!({"access_token": "t", "token_type": "bearer", "expires_in": 1e30}),
            ),
            |e| {
                matches!(
                    e,
                    TokenError::InvalidField {
                        field: "expires_in",
                        ..
                    }
                )
            },
        ),
        (
            "expires_in of 100 years",
            Answer::json(
                200,
                json!({"access_token": "t", "token_type": "bearer", "expires_in": 3_153_600_000_u64}),
            ),
            |e| {
                matches!(
                    e,
                    TokenError::InvalidField {
                        field: "expires_in",
                        ..
                    }
                )
            },
        ),
        (
            "scope not a string",
            Answer::json(
                200,
                json!({"access_token": "t", "token_type": "bearer", "scope": [SCORE]}),
            ),
            |e| matches!(e, TokenError::InvalidField { field: "scope", .. }),
        ),
        (
            "JSON array",
            Answer::json(200, json!(["access_token", "t"])),
            |e| matches!(e, TokenError::MalformedResponse { reason, .. } if reason.contains("an array")),
        ),
        (
            "truncated JSON",
            Answer::raw(
                200,
                Some("application/json"),
                "{\"access_token\":\"t\",\"tok",
            ),
            |e| matches!(e, TokenError::MalformedResponse { reason, .. } if reason.contains("line 1")),
        ),
        (
            "empty body",
            Answer::raw(200, Some("application/json"), ""),
            |e| matches!(e, TokenError::MalformedResponse { reason, .. } if reason.contains("empty")),
        ),
        (
            "5 MiB body",
            Answer::raw(
                200,
                Some("application/json"),
                format!("{{\"access_token\":\"{}\"}}", "a".repeat(5 * 1024 * 1024)),
            ),
            |e| matches!(e, TokenError::ResponseTooLarge { limit, .. } if *limit == 64 * 1024),
        ),
        (
            "non-UTF-8 body",
            Answer::raw(
                200,
                Some("application/json"),
                Bytes::from_static(b"\xff\xfe{}"),
            ),
            |e| matches!(e, TokenError::MalformedResponse { .. }),
        ),
    ];
    for (name, answer, expected) in cases {
        let w = world().await;
        w.platform.answer_next(answer);
        let e = w.tokens.token(&endpoint(), &score()).await.unwrap_err();
        assert!(expected(&e), "{name}: got {e:?}");
        assert_eq!(e.party(), Party::Peer, "{name}");
        // nothing secret in the message or in Debug: neither the assertion nor a token
        let assertion = w.platform.seen()[0].assertion.clone();
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains(&assertion[..40]), "{name}: {shown}");
            assert!(
                shown.len() < 1000,
                "{name}: message of {} bytes",
                shown.len()
            );
        }
        // and an error is not cached
        assert_eq!(w.tokens.cached_token_count(), 0, "{name}");
    }
}

#[tokio::test]
async fn sloppy_but_harmless_answers_are_accepted() {
    let cases = [
        Answer::raw(
            200,
            None,
            r#"{"access_token":"t1","token_type":"bearer","expires_in":3600}"#,
        ),
        Answer::raw(
            200,
            Some("Application/JSON; Charset=UTF-8"),
            "\u{feff}{\"access_token\":\"t1\",\"token_type\":\"BEARER\",\"expires_in\":\"3600\"}",
        ),
        Answer::json(
            200,
            json!({"access_token": "t1", "token_type": "Bearer", "expires_in": 3600.0, "scope": null, "extra": {"x": 1}}),
        ),
    ];
    for answer in cases {
        let w = world().await;
        w.platform.answer_next(answer.clone());
        let token = w.tokens.token(&endpoint(), &score()).await.unwrap();
        assert_eq!(token.secret(), "t1", "{answer:?}");
        // no scope in the answer: granted as requested [RFC 6749 §5.1]
        assert_eq!(token.scopes(), &score());
        assert_eq!(
            token.expires_at(),
            std::time::UNIX_EPOCH + Duration::from_secs(START + 3540)
        );
    }
}

#[tokio::test]
async fn a_transport_failure_is_an_http_error() {
    let w = world().await;
    w.router.unroute(ORIGIN).unwrap();
    let e = w.tokens.token(&endpoint(), &score()).await.unwrap_err();
    assert!(
        matches!(&e, TokenError::Http { url, source } if url == TOKEN_URL && matches!(**source, HttpError::NoRoute { .. })),
        "{e:?}"
    );
    assert_eq!(e.party(), Party::Internal);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let w = world().await;
    let token = w.tokens.token(&endpoint(), &score()).await.unwrap();
    let shown = format!("{token:?} {:?} {:?}", w.tokens, endpoint());
    assert!(!shown.contains("platform-token-1"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[tokio::test]
async fn invalidate_forces_a_new_request() {
    let w = world().await;
    w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert!(w.tokens.invalidate(&endpoint(), &score()));
    assert!(!w.tokens.invalidate(&endpoint(), &score()));
    assert_eq!(w.tokens.cached_token_count(), 0);
    let token = w.tokens.token(&endpoint(), &score()).await.unwrap();
    assert_eq!(token.secret(), "platform-token-2");
}
