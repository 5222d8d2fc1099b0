//! The platform's token endpoint and resource-server check, named by conformance checklist id (section H).
//!
//! Tools sign real client assertions with their own `KeyRing`; the tool registered by JWKS URL serves its key set
//! over an in-process `RouterClient`, the other is registered with a static key.
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
use http::{HeaderMap, HeaderValue, StatusCode, header};
use lti_core::{Issuer, ToolRegistration};
use lti_http::RouterClient;
use lti_platform::{Platform, PlatformConfig, ServiceAuthError, StaticToolRegistry};
use lti_security::oauth::{OAuthErrorBody, OAuthErrorCode, TokenResponse};
use lti_security::{
    Algorithm, JwksCache, KeyProtection, KeyRing, KeyRingConfig, SigningKey, sign_jwt,
};
use lti_storage::{ManualClock, MemoryStore, SledStore, Store};
use serde_json::{Value, json};
use url::Url;

const ISSUER: &str = "https://lms.example";
const TOKEN_URL: &str = "https://lms.example/token";
const AS_ID: &str = "https://lms.example/as";
const JWKS_TOOL: &str = "tool-jwks";
const STATIC_TOOL: &str = "tool-static";
const DEPLOYMENT: &str = "dep-1";
const START: u64 = 1_800_000_000;
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
const RESULT: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";

struct Fixture {
    platform: Platform,
    clock: Arc<ManualClock>,
    /// The JWKS-URL tool's signing keys.
    tool_keys: Arc<KeyRing>,
    /// The static-key tool's signing key.
    static_key: Arc<SigningKey>,
    jwks_fetches: Arc<AtomicUsize>,
    jti: AtomicUsize,
}

async fn fixture() -> Fixture {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    fixture_with_store(clock.clone(), Arc::new(MemoryStore::with_clock(clock))).await
}

async fn fixture_with_store(clock: Arc<ManualClock>, store: Arc<dyn Store>) -> Fixture {
    fixture_with(clock, store, lti_platform::DEFAULT_ACCESS_TOKEN_TTL).await
}

async fn fixture_with(
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    access_token_ttl: Duration,
) -> Fixture {
    let tool_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let ring = |name: &'static str| {
        KeyRing::open(
            tool_store.clone(),
            name,
            KeyProtection::insecure_plaintext_for_development(),
            clock.clone(),
            KeyRingConfig::new(),
        )
    };
    let tool_keys = Arc::new(ring("tool-jwks").await.unwrap());
    let static_ring = ring("tool-static").await.unwrap();
    let static_key = static_ring.signing_key();
    let static_jwk = serde_json::to_string(&static_key.public_jwk()).unwrap();

    let router = RouterClient::new();
    let jwks_fetches = Arc::new(AtomicUsize::new(0));
    let (keys, fetches) = (tool_keys.clone(), jwks_fetches.clone());
    router
        .route(
            "https://tool.example",
            move |_request: http::Request<Bytes>| {
                let (keys, fetches) = (keys.clone(), fetches.clone());
                async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    http::Response::builder()
                        .header("content-type", "application/json")
                        .body(Bytes::from(keys.jwks_json().unwrap()))
                        .unwrap()
                }
            },
        )
        .unwrap();

    let registration = |client_id: &str| {
        ToolRegistration::builder(client_id)
            .redirect_uri("https://tool.example/launch")
            .initiate_login_uri("https://tool.example/login")
            .target_link_uri("https://tool.example/home")
            .deployment(DEPLOYMENT)
            .scope(LINEITEM)
            .scope(SCORE)
            .scope(NRPS)
    };
    let tools = StaticToolRegistry::new()
        .with(
            registration(JWKS_TOOL)
                .jwks_url("https://tool.example/jwks")
                .build()
                .unwrap(),
        )
        .with(
            registration(STATIC_TOOL)
                .static_key(static_jwk)
                .build()
                .unwrap(),
        );
    let platform_keys = Arc::new(
        KeyRing::open(
            store.clone(),
            "platform",
            KeyProtection::insecure_plaintext_for_development(),
            clock.clone(),
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    );
    let config = PlatformConfig::new(
        Issuer::new(ISSUER),
        Url::parse("https://lms.example/auth").unwrap(),
    )
    .with_token_endpoint(Url::parse(TOKEN_URL).unwrap())
    .with_authorization_server_id(AS_ID)
    .with_access_token_ttl(access_token_ttl);
    let platform = Platform::builder(config)
        .tools(Arc::new(tools))
        .store(store)
        .key_ring(platform_keys)
        .clock(clock.clone())
        .jwks_cache(JwksCache::new(Arc::new(router), clock.clone()))
        .build()
        .unwrap();
    Fixture {
        platform,
        clock,
        tool_keys,
        static_key,
        jwks_fetches,
        jti: AtomicUsize::new(0),
    }
}

impl Fixture {
    fn now(&self) -> u64 {
        use lti_storage::Clock as _;
        self.clock.unix_seconds()
    }

    /// Valid claims of the JWKS tool, with a fresh `jti`.
    fn claims(&self, client_id: &str) -> Value {
        let now = self.now();
        json!({
            "iss": client_id,
            "sub": client_id,
            "aud": TOKEN_URL,
            "iat": now,
            "exp": now + 300,
            "jti": format!("jti-{}", self.jti.fetch_add(1, Ordering::SeqCst)),
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT,
        })
    }

    fn sign(&self, claims: &Value) -> String {
        sign_jwt(&self.tool_keys.signing_key(), claims).unwrap()
    }

    fn assertion(&self) -> String {
        self.sign(&self.claims(JWKS_TOOL))
    }

    async fn post(&self, pairs: &[(&str, &str)]) -> http::Response<Bytes> {
        self.platform.token(form(pairs)).await
    }

    async fn request_token(&self, assertion: &str, scope: &str) -> http::Response<Bytes> {
        self.post(&params(assertion, scope)).await
    }

    async fn token(&self, scope: &str) -> TokenResponse {
        let response = self.request_token(&self.assertion(), scope).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", text(&response));
        serde_json::from_slice(response.body()).unwrap()
    }
}

fn params<'a>(assertion: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
        ("scope", scope),
    ]
}

fn form(pairs: &[(&str, &str)]) -> http::Request<Bytes> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    raw_post("application/x-www-form-urlencoded", body.into_bytes())
}

fn raw_post(content_type: &str, body: Vec<u8>) -> http::Request<Bytes> {
    http::Request::post(TOKEN_URL)
        .header("content-type", content_type)
        .body(Bytes::from(body))
        .unwrap()
}

fn text(response: &http::Response<Bytes>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

/// Asserts an RFC 6749 §5.2 error: status, code, no-store headers; returns the description.
fn assert_oauth_error(response: &http::Response<Bytes>, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "{}", text(response));
    assert_no_store(response);
    let body: OAuthErrorBody = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body.error.as_str(), code, "{}", text(response));
    if status == 401 {
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
    body.error_description.unwrap_or_default()
}

fn assert_no_store(response: &http::Response<Bytes>) {
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::PRAGMA], "no-cache");
}

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    headers
}

// ----- H74: signature -----

#[tokio::test]
async fn c74_assertion_signed_with_another_key_is_invalid_client() {
    let f = fixture().await;
    // Same kid, different key: the tool's published key does not verify it.
    let kid = f.tool_keys.signing_key().kid().clone();
    let impostor = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid(kid);
    let forged = sign_jwt(&impostor, &f.claims(JWKS_TOOL)).unwrap();
    let description = assert_oauth_error(
        &f.request_token(&forged, SCORE).await,
        401,
        "invalid_client",
    );
    assert!(
        description.contains("signature does not verify"),
        "{description}"
    );

    // A payload altered after signing.
    let good = f.assertion();
    let mut parts: Vec<&str> = good.split('.').collect();
    let mut claims = f.claims(JWKS_TOOL);
    claims["sub"] = json!("someone-else");
    let altered_payload = sign_jwt(&impostor, &claims).unwrap();
    parts[1] = altered_payload.split('.').nth(1).unwrap();
    let tampered = parts.join(".");
    assert_oauth_error(
        &f.request_token(&tampered, SCORE).await,
        401,
        "invalid_client",
    );
}

#[tokio::test]
async fn c74_unknown_kid_alg_none_and_hs256_are_invalid_client() {
    let f = fixture().await;
    let other = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("not-published");
    let unknown_kid = sign_jwt(&other, &f.claims(JWKS_TOOL)).unwrap();
    let d = assert_oauth_error(
        &f.request_token(&unknown_kid, SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("not-published"), "{d}");

    let b64 = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let payload = b64(&f.claims(JWKS_TOOL));
    for header in [
        json!({"alg": "none", "kid": "k"}),
        json!({"alg": "HS256", "kid": "k"}),
    ] {
        let token = format!("{}.{payload}.c2ln", b64(&header));
        let d = assert_oauth_error(&f.request_token(&token, SCORE).await, 401, "invalid_client");
        assert!(d.contains("malformed"), "{d}");
    }
    for garbage in ["not-a-jwt", "a.b", "a.b.c.d", "....", &"x".repeat(20_000)] {
        let response = f.request_token(garbage, SCORE).await;
        // The 20 kB one is over the body limit before it is an assertion.
        let code = if garbage.len() > 16_000 {
            "invalid_request"
        } else {
            "invalid_client"
        };
        assert_oauth_error(&response, response.status().as_u16(), code);
    }
}

// ----- H75: audience -----

#[tokio::test]
async fn c75_assertion_for_another_audience_is_rejected() {
    let f = fixture().await;
    for aud in [
        json!("https://other-lms.example/token"),
        json!(ISSUER),
        json!([]),
        json!(["https://other.example", "https://lms.example/token/"]),
    ] {
        let mut claims = f.claims(JWKS_TOOL);
        claims["aud"] = aud.clone();
        let d = assert_oauth_error(
            &f.request_token(&f.sign(&claims), SCORE).await,
            401,
            "invalid_client",
        );
        assert!(d.contains("aud"), "{aud}: {d}");
    }
}

#[tokio::test]
async fn c75_aud_array_and_configured_authorization_server_id_are_accepted() {
    let f = fixture().await;
    for aud in [
        json!(["https://other.example", TOKEN_URL]),
        json!(AS_ID),
        json!([AS_ID]),
    ] {
        let mut claims = f.claims(JWKS_TOOL);
        claims["aud"] = aud.clone();
        let response = f.request_token(&f.sign(&claims), SCORE).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{aud}: {}",
            text(&response)
        );
    }
}

// ----- H76: expiry and time claims -----

#[tokio::test]
async fn c76_expired_assertion_is_rejected() {
    let f = fixture().await;
    let assertion = f.assertion();
    // exp = now + 300; the leeway is 60 s: at exp + 60 it is expired.
    f.clock.advance(Duration::from_secs(360));
    let d = assert_oauth_error(
        &f.request_token(&assertion, SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("expired"), "{d}");
}

#[tokio::test]
async fn c76_iat_in_future_too_old_missing_and_overlong_lifetime_are_rejected() {
    let f = fixture().await;
    let now = f.now();
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "in the future",
            Box::new(move |c| c["iat"] = json!(now + 3600)),
        ),
        (
            "too old",
            Box::new(move |c| {
                c["iat"] = json!(now - 7200);
                c["exp"] = json!(now + 60);
            }),
        ),
        (
            "lifetime",
            Box::new(move |c| c["exp"] = json!(now + 86_400)),
        ),
        (
            "`iat` is missing",
            Box::new(|c| drop(c.as_object_mut().unwrap().remove("iat"))),
        ),
        (
            "`exp` is missing",
            Box::new(|c| drop(c.as_object_mut().unwrap().remove("exp"))),
        ),
        (
            "`jti` is missing",
            Box::new(|c| drop(c.as_object_mut().unwrap().remove("jti"))),
        ),
        ("`jti` is invalid", Box::new(|c| c["jti"] = json!(""))),
        ("malformed claims", Box::new(|c| c["exp"] = json!("soon"))),
        (
            "before `iat`",
            Box::new(move |c| {
                c["iat"] = json!(now);
                c["exp"] = json!(now - 10);
            }),
        ),
    ];
    for (want, mutate) in cases {
        let mut claims = f.claims(JWKS_TOOL);
        mutate(&mut claims);
        let d = assert_oauth_error(
            &f.request_token(&f.sign(&claims), SCORE).await,
            401,
            "invalid_client",
        );
        assert!(d.contains(want), "{want}: {d}");
    }
}

// ----- H77: replay -----

#[tokio::test]
async fn c77_replayed_jti_is_rejected_until_the_assertion_expires() {
    let f = fixture().await;
    let assertion = f.assertion();
    assert_eq!(
        f.request_token(&assertion, SCORE).await.status(),
        StatusCode::OK
    );
    let d = assert_oauth_error(
        &f.request_token(&assertion, SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("already used"), "{d}");
    // A new assertion re-using the jti is refused too while the first is valid.
    let mut claims = f.claims(JWKS_TOOL);
    claims["jti"] = json!("jti-0");
    let d = assert_oauth_error(
        &f.request_token(&f.sign(&claims), SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("already used"), "{d}");
}

#[tokio::test]
async fn c77_refused_assertions_do_not_spend_the_jti() {
    let f = fixture().await;
    let claims = f.claims(JWKS_TOOL);
    // A forgery carrying the victim's jti is refused and does not burn it.
    let forger = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid(f.tool_keys.signing_key().kid().clone());
    let forged = sign_jwt(&forger, &claims).unwrap();
    assert_oauth_error(
        &f.request_token(&forged, SCORE).await,
        401,
        "invalid_client",
    );
    // An authentic assertion asking for a forbidden scope is refused without spending it either.
    let genuine = f.sign(&claims);
    assert_oauth_error(
        &f.request_token(&genuine, RESULT).await,
        400,
        "invalid_scope",
    );
    assert_eq!(
        f.request_token(&genuine, SCORE).await.status(),
        StatusCode::OK
    );
}

async fn exactly_one_of_concurrent_posts_wins(f: Fixture) {
    let f = Arc::new(f);
    let assertion = Arc::new(f.assertion());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (f, assertion) = (f.clone(), assertion.clone());
        tasks.push(tokio::spawn(async move {
            f.request_token(&assertion, SCORE).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let response = task.await.unwrap();
        if response.status() == StatusCode::OK {
            ok += 1;
        } else {
            let d = assert_oauth_error(&response, 401, "invalid_client");
            assert!(d.contains("already used"), "{d}");
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        f.jwks_fetches.load(Ordering::SeqCst),
        1,
        "one JWKS fetch, shared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c77_twenty_concurrent_posts_of_one_assertion_yield_one_token_memory() {
    exactly_one_of_concurrent_posts_wins(fixture().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c77_twenty_concurrent_posts_of_one_assertion_yield_one_token_sled() {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let store = Arc::new(SledStore::temporary_with_clock(clock.clone()).unwrap());
    exactly_one_of_concurrent_posts_wins(fixture_with_store(clock, store).await).await;
}

// ----- H78: client identity -----

#[tokio::test]
async fn c78_unknown_client_is_invalid_client() {
    let f = fixture().await;
    let claims = f.claims("tool-unknown");
    let d = assert_oauth_error(
        &f.request_token(&f.sign(&claims), SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("tool-unknown"), "{d}");
}

#[tokio::test]
async fn c78_iss_not_sub_or_not_the_key_owner_is_invalid_client() {
    let f = fixture().await;
    let mut claims = f.claims(JWKS_TOOL);
    claims["sub"] = json!(STATIC_TOOL);
    let d = assert_oauth_error(
        &f.request_token(&f.sign(&claims), SCORE).await,
        401,
        "invalid_client",
    );
    assert!(d.contains("`sub`"), "{d}");

    // The static tool's key cannot speak for the JWKS tool, nor the other way round.
    let as_other = sign_jwt(&f.static_key, &f.claims(JWKS_TOOL)).unwrap();
    assert_oauth_error(
        &f.request_token(&as_other, SCORE).await,
        401,
        "invalid_client",
    );
    let as_static = f.sign(&f.claims(STATIC_TOOL));
    assert_oauth_error(
        &f.request_token(&as_static, SCORE).await,
        401,
        "invalid_client",
    );

    // A client_id parameter must name the assertion's issuer.
    let assertion = f.assertion();
    let mut pairs = params(&assertion, SCORE);
    pairs.push(("client_id", STATIC_TOOL));
    let d = assert_oauth_error(&f.post(&pairs).await, 401, "invalid_client");
    assert!(d.contains("client_id"), "{d}");
}

// ----- H79: grant type, assertion type, request shape -----

#[tokio::test]
async fn c79_wrong_grant_type_is_unsupported_grant_type() {
    let f = fixture().await;
    let assertion = f.assertion();
    for grant in ["authorization_code", "password", "CLIENT_CREDENTIALS"] {
        let mut pairs = params(&assertion, SCORE);
        pairs[0].1 = grant;
        assert_oauth_error(&f.post(&pairs).await, 400, "unsupported_grant_type");
    }
    let mut pairs = params(&assertion, SCORE);
    pairs.remove(0);
    assert_oauth_error(&f.post(&pairs).await, 400, "invalid_request");
}

#[tokio::test]
async fn c79_wrong_or_missing_assertion_type_or_assertion_is_refused() {
    let f = fixture().await;
    let assertion = f.assertion();
    let mut wrong = params(&assertion, SCORE);
    wrong[1].1 = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
    let d = assert_oauth_error(&f.post(&wrong).await, 400, "invalid_request");
    assert!(d.contains("client_assertion_type"), "{d}");
    let mut missing = params(&assertion, SCORE);
    missing.remove(1);
    assert_oauth_error(&f.post(&missing).await, 400, "invalid_request");
    let mut no_assertion = params(&assertion, SCORE);
    no_assertion.remove(2);
    assert_oauth_error(&f.post(&no_assertion).await, 401, "invalid_client");
    // A second authentication method besides the assertion [RFC 6749 §2.3].
    let mut with_secret = params(&assertion, SCORE);
    with_secret.push(("client_secret", "hunter2"));
    let d = assert_oauth_error(&f.post(&with_secret).await, 400, "invalid_request");
    assert!(d.contains("client_secret"), "{d}");
    let mut basic = form(&params(&assertion, SCORE));
    basic.headers_mut().insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Basic dG9vbC0xOnNlY3JldA=="),
    );
    let d = assert_oauth_error(&f.platform.token(basic).await, 400, "invalid_request");
    assert!(d.contains("Authorization"), "{d}");
    // None of these spent the assertion.
    assert_eq!(
        f.request_token(&assertion, SCORE).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn c79_get_and_wrong_content_type_are_invalid_request() {
    let f = fixture().await;
    let assertion = f.assertion();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params(&assertion, SCORE))
        .finish();
    let get = http::Request::get(format!("{TOKEN_URL}?{body}"))
        .body(Bytes::new())
        .unwrap();
    let response = f.platform.token(get).await;
    assert_oauth_error(&response, 405, "invalid_request");
    assert_eq!(response.headers()[header::ALLOW], "POST");
    for content_type in ["application/json", "multipart/form-data", "text/plain"] {
        let response = f
            .platform
            .token(raw_post(content_type, body.clone().into_bytes()))
            .await;
        let d = assert_oauth_error(&response, 400, "invalid_request");
        assert!(d.contains(content_type), "{d}");
    }
    let no_type = http::Request::post(TOKEN_URL)
        .body(Bytes::from(body.clone()))
        .unwrap();
    assert_oauth_error(&f.platform.token(no_type).await, 400, "invalid_request");
    // Parameters on the content type are fine.
    let with_charset = raw_post(
        "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        body.into_bytes(),
    );
    assert_eq!(
        f.platform.token(with_charset).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn c79_hostile_bodies_get_typed_errors() {
    let f = fixture().await;
    let huge = vec![b'a'; 1024 * 1024];
    let d = assert_oauth_error(
        &f.platform
            .token(raw_post("application/x-www-form-urlencoded", huge))
            .await,
        400,
        "invalid_request",
    );
    assert!(d.contains("1048576 bytes"), "{d}");

    let ten_thousand: String = (0..10_000).map(|i| format!("p{i}=1&")).collect();
    let d = assert_oauth_error(
        &f.platform
            .token(raw_post(
                "application/x-www-form-urlencoded",
                ten_thousand.into_bytes(),
            ))
            .await,
        400,
        "invalid_request",
    );
    assert!(d.contains("bytes"), "{d}");
    // Under the size limit, the parameter count limit applies.
    let forty: String = (0..40).map(|i| format!("p{i}=1&")).collect();
    let d = assert_oauth_error(
        &f.platform
            .token(raw_post(
                "application/x-www-form-urlencoded",
                forty.into_bytes(),
            ))
            .await,
        400,
        "invalid_request",
    );
    assert!(d.contains("more than 32 parameters"), "{d}");

    for (body, want) in [
        (b"grant_type=client_\xff\xfe".to_vec(), "not UTF-8"),
        (b"grant_type=%C3%28".to_vec(), "not UTF-8"),
        (b"grant_type=%G1".to_vec(), "hex"),
        (
            b"grant_type=client_credentials&grant_type=client_credentials".to_vec(),
            "more than once",
        ),
        (b"scope=a&scope=".to_vec(), "more than once"),
    ] {
        let d = assert_oauth_error(
            &f.platform
                .token(raw_post("application/x-www-form-urlencoded", body))
                .await,
            400,
            "invalid_request",
        );
        assert!(d.contains(want), "{want}: {d}");
    }
}

// ----- H80: scopes -----

#[tokio::test]
async fn c80_scope_not_allowed_or_unknown_is_invalid_scope() {
    let f = fixture().await;
    for scope in [
        RESULT.to_owned(),
        format!("{SCORE} {RESULT}"),
        "https://example.com/unknown-scope".to_owned(),
    ] {
        let d = assert_oauth_error(
            &f.request_token(&f.assertion(), &scope).await,
            400,
            "invalid_scope",
        );
        assert!(d.contains(RESULT) || d.contains("unknown-scope"), "{d}");
        assert!(!d.contains(SCORE), "only the refused scopes are named: {d}");
    }
    for scope in ["", "   "] {
        assert_oauth_error(
            &f.request_token(&f.assertion(), scope).await,
            400,
            "invalid_scope",
        );
    }
}

#[tokio::test]
async fn deployment_claim_must_be_registered_for_the_tool() {
    let f = fixture().await;
    let mut claims = f.claims(JWKS_TOOL);
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = json!("dep-other");
    let d = assert_oauth_error(
        &f.request_token(&f.sign(&claims), SCORE).await,
        400,
        "invalid_grant",
    );
    assert!(d.contains("dep-other"), "{d}");
}

// ----- H81: success -----

#[tokio::test]
async fn c81_success_is_a_bearer_token_with_the_requested_scopes_only() {
    let f = fixture().await;
    let response = f
        .request_token(&f.assertion(), &format!("{SCORE}  {LINEITEM} {SCORE}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{}", text(&response));
    assert_no_store(&response);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    let object = body.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["access_token", "expires_in", "scope", "token_type"]);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    // The registration also allows NRPS: it is not granted because it was not requested.
    assert_eq!(body["scope"], format!("{LINEITEM} {SCORE}"));
    let token = body["access_token"].as_str().unwrap();
    assert!(token.len() >= 43);
    let grant = f
        .platform
        .authorize_service(&bearer(token), SCORE)
        .await
        .unwrap();
    assert_eq!(grant.client_id().as_str(), JWKS_TOOL);
    assert_eq!(grant.deployment_id().unwrap().as_str(), DEPLOYMENT);
    assert!(!grant.has_scope(NRPS));
    assert_eq!(grant.expires_at(), START + 3600);
}

#[tokio::test]
async fn c81_static_key_registration_gets_tokens_without_any_fetch() {
    let f = fixture().await;
    let mut claims = f.claims(STATIC_TOOL);
    claims
        .as_object_mut()
        .unwrap()
        .remove("https://purl.imsglobal.org/spec/lti/claim/deployment_id");
    let assertion = sign_jwt(&f.static_key, &claims).unwrap();
    let response = f.request_token(&assertion, NRPS).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", text(&response));
    assert_eq!(f.jwks_fetches.load(Ordering::SeqCst), 0);
    let token: TokenResponse = serde_json::from_slice(response.body()).unwrap();
    let grant = f
        .platform
        .authorize_service(&bearer(&token.access_token), NRPS)
        .await
        .unwrap();
    assert_eq!(grant.client_id().as_str(), STATIC_TOOL);
    assert!(grant.deployment_id().is_none());
}

#[tokio::test]
async fn c81_jwks_is_fetched_once_for_many_token_requests() {
    let f = fixture().await;
    for _ in 0..5 {
        f.token(SCORE).await;
    }
    assert_eq!(f.jwks_fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn c81_access_token_ttl_is_configurable() {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let f = fixture_with(clock, store, Duration::from_secs(600)).await;
    let token = f.token(SCORE).await;
    assert_eq!(token.expires_in, Some(600));
    f.clock.advance(Duration::from_secs(599));
    f.platform
        .authorize_service(&bearer(&token.access_token), SCORE)
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(1));
    assert!(matches!(
        f.platform
            .authorize_service(&bearer(&token.access_token), SCORE)
            .await,
        Err(ServiceAuthError::InvalidToken)
    ));
    for ttl in [Duration::ZERO, Duration::from_secs(2 * 86_400)] {
        let config = f.platform.config().clone().with_access_token_ttl(ttl);
        let built = Platform::builder(config)
            .tools(Arc::new(StaticToolRegistry::new()))
            .store(Arc::new(MemoryStore::new()))
            .key_ring(f.tool_keys.clone())
            .build();
        assert!(built.is_err(), "{ttl:?}");
    }
}

#[tokio::test]
async fn token_endpoint_without_configured_url_is_a_server_error() {
    let f = fixture().await;
    let mut config = f.platform.config().clone();
    config.token_endpoint = None;
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new()))
        .store(Arc::new(MemoryStore::new()))
        .key_ring(f.tool_keys.clone())
        .build()
        .unwrap();
    let response = platform.token(form(&params(&f.assertion(), SCORE))).await;
    assert_oauth_error(&response, 500, "server_error");
    assert!(
        !text(&response).contains("with_token_endpoint"),
        "details stay in the log"
    );
}

// ----- H82: resource server -----

#[tokio::test]
async fn c82_service_call_without_a_bearer_token_is_401_without_error_code() {
    let f = fixture().await;
    let mut basic = HeaderMap::new();
    basic.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Basic dXNlcjpwdw=="),
    );
    for headers in [HeaderMap::new(), basic] {
        let e = f
            .platform
            .authorize_service(&headers, SCORE)
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceAuthError::MissingToken), "{e:?}");
        let response = e.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn c82_malformed_unknown_revoked_or_expired_token_is_401_invalid_token() {
    let f = fixture().await;
    let token = f.token(SCORE).await.access_token;
    let check = |headers: HeaderMap| {
        let platform = f.platform.clone();
        async move {
            let e = platform
                .authorize_service(&headers, SCORE)
                .await
                .unwrap_err();
            assert!(matches!(e, ServiceAuthError::InvalidToken), "{e:?}");
            let response = e.into_response();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                "Bearer error=\"invalid_token\""
            );
        }
    };
    check(bearer("not-a-token-we-issued")).await;
    check(bearer(&format!("{token}x"))).await;
    check(bearer("")).await;
    check(bearer("a b")).await;
    check(bearer("tok\"en")).await;
    check(bearer(&"a".repeat(5000))).await;
    // Lower-case scheme is fine; the token still works here.
    let mut lower = HeaderMap::new();
    lower.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("bearer {token}")).unwrap(),
    );
    f.platform.authorize_service(&lower, SCORE).await.unwrap();

    // Expiry by the platform clock: valid just before, invalid at expires_in.
    f.clock.advance(Duration::from_secs(3599));
    f.platform
        .authorize_service(&bearer(&token), SCORE)
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(1));
    check(bearer(&token)).await;

    // Revocation.
    let other = f.token(SCORE).await.access_token;
    assert!(f.platform.revoke_token(&other).await.unwrap());
    assert!(!f.platform.revoke_token(&other).await.unwrap());
    check(bearer(&other)).await;
}

#[tokio::test]
async fn c82_token_without_the_needed_scope_is_403_insufficient_scope() {
    let f = fixture().await;
    let token = f.token(SCORE).await.access_token;
    let e = f
        .platform
        .authorize_service(&bearer(&token), LINEITEM)
        .await
        .unwrap_err();
    assert!(matches!(&e, ServiceAuthError::InsufficientScope { required } if required == LINEITEM));
    let response = e.into_response();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        format!("Bearer error=\"insufficient_scope\", scope=\"{LINEITEM}\"").as_str()
    );
    let body: OAuthErrorBody = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(
        body.error,
        OAuthErrorCode::Other("insufficient_scope".into())
    );
}

#[tokio::test]
async fn c82_duplicated_authorization_header_is_400_invalid_request() {
    let f = fixture().await;
    let token = f.token(SCORE).await.access_token;
    let mut headers = bearer(&token);
    headers.append(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let e = f
        .platform
        .authorize_service(&headers, SCORE)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceAuthError::DuplicateAuthorization));
    assert_eq!(e.into_response().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn c82_store_holds_only_a_hash_of_the_token() {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let store = Arc::new(MemoryStore::with_clock(clock.clone()));
    let f = fixture_with_store(clock, store.clone()).await;
    let token = f.token(SCORE).await.access_token;
    let entries = store
        .scan_prefix(Platform::ACCESS_TOKEN_NAMESPACE, b"", None, 100)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.key.len(), 32, "SHA-256");
    assert_ne!(entry.key, token.as_bytes());
    let value = String::from_utf8_lossy(&entry.value);
    assert!(!value.contains(&token), "{value}");
    assert!(value.contains(JWKS_TOOL), "{value}");
}

// ----- H83: not bound to a context -----

#[tokio::test]
async fn c83_token_works_for_every_context_of_the_deployment() {
    let f = fixture().await;
    let token = f.token(&format!("{SCORE} {LINEITEM}")).await.access_token;
    // Service calls for two different courses carry the same token; both are authorized with the same grant.
    for path in [
        "https://lms.example/contexts/course-1/lineitems/1/scores",
        "https://lms.example/contexts/course-2/lineitems/7/scores",
    ] {
        let request = http::Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Bytes::new())
            .unwrap();
        let grant = f
            .platform
            .authorize_service(request.headers(), SCORE)
            .await
            .unwrap();
        assert_eq!(grant.client_id().as_str(), JWKS_TOOL);
        assert_eq!(grant.deployment_id().unwrap().as_str(), DEPLOYMENT);
    }
}
