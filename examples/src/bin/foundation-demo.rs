//! What lti-rs can do today, end to end and for real.
//!
//! Run with `cargo xtask demo` (or `cargo run -p lti-examples --bin foundation-demo -- [DATA_DIR]`).
//!
//! A platform keeps its signing keys in a key ring, encrypted at rest in a sled store under `DATA_DIR`
//! (default `target/lti-demo`); run it again and the keys come back. It publishes its JWKS, signs a
//! launch-shaped id_token, and a tool verifies it the way lti-rs verifies every token: JWKS fetched once
//! through the pluggable HTTP layer and cached, strict JWS parsing, RS256 allow-list, exact issuer, audience,
//! expiry. Then the hostile cases, a key rotation, and a throughput measurement.

use std::error::Error as StdError;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use lti_http::RouterClient;
use lti_security::{
    ClaimRules, Clock, JwksCache, JwksCacheConfig, JwtVerifier, KeyEncryptionKey, KeyProtection,
    KeyRing, KeyRingConfig, RequiredClaim, SystemClock, sign_jwt,
};
use lti_storage::{SledStore, Store};
use serde_json::json;

const PLATFORM: &str = "https://platform.example";
const JWKS_URL: &str = "https://platform.example/.well-known/jwks.json";
const CLIENT_ID: &str = "demo-tool";

type DemoResult<T> = Result<T, Box<dyn StdError + Send + Sync>>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> DemoResult<()> {
    let data_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/lti-demo"));
    std::fs::create_dir_all(&data_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    step("1. the platform's key ring (sled store, private keys AES-256-GCM encrypted at rest)");
    let kek = demo_kek(&data_dir)?;
    let store: Arc<dyn Store> = Arc::new(SledStore::open_with_clock(
        data_dir.join("store"),
        clock.clone(),
    )?);
    let ring = Arc::new(
        KeyRing::open(
            store.clone(),
            "platform",
            KeyProtection::encrypted(kek),
            clock.clone(),
            // retired keys stay published for 10 minutes here (default: 7 days)
            KeyRingConfig::new().with_overlap(Duration::from_secs(600)),
        )
        .await?,
    );
    let first_kid = ring.signing_key().kid().clone();
    say(&format!(
        "store:       {}",
        data_dir.join("store").display()
    ));
    say(&format!("active kid:  {first_kid}"));
    say(
        "             (step 6 rotates; run the demo again and it starts with the key it rotated to, read",
    );
    say(
        "             back from the store and decrypted with the key-encryption key in DATA_DIR/kek)",
    );

    step(
        "2. the platform publishes its JWKS; the tool reaches it through lti-http (in-process, no sockets)",
    );
    let http = RouterClient::new();
    let jwks_requests = Arc::new(AtomicUsize::new(0));
    {
        let ring = ring.clone();
        let count = jwks_requests.clone();
        http.route(PLATFORM, move |request: http::Request<Bytes>| {
            let ring = ring.clone();
            let count = count.clone();
            async move {
                if request.uri().path() != "/.well-known/jwks.json" {
                    return status(404, "not found");
                }
                count.fetch_add(1, Ordering::SeqCst);
                match ring.jwks_json() {
                    Ok(body) => http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .header("cache-control", "max-age=3600")
                        .body(Bytes::from(body))
                        .unwrap_or_else(|_| status(500, "response")),
                    Err(_) => status(500, "jwks"),
                }
            }
        })?;
    }
    // The default config rate-limits kid-miss refetches to one per 30 s per URL; the demo rotates keys within
    // a second of its first fetch, so it allows an immediate refetch.
    let config = JwksCacheConfig::default().with_min_refetch_interval(Duration::ZERO);
    let jwks =
        JwksCache::with_config(Arc::new(http), clock.clone(), config).resolver(JWKS_URL.parse()?);
    let published = jwks.keys().await?;
    say(&format!(
        "JWKS:        {} key(s), fetched once and cached (Cache-Control: max-age=3600)",
        published.len()
    ));

    step("3. the platform signs a launch-shaped id_token (RS256, kid header)");
    let now = clock.unix_seconds();
    let claims = launch_claims(now);
    let token = sign_jwt(&ring.signing_key(), &claims)?;
    say(&format!(
        "id_token:    {} bytes, header kid {}",
        token.len(),
        ring.signing_key().kid()
    ));

    step(
        "4. the tool verifies it: strict parse, RS256 allow-list, key by kid, signature, iss, aud, exp, iat, nonce",
    );
    let verifier = JwtVerifier::new(clock.clone());
    let rules = ClaimRules::new()
        .issuer(PLATFORM)
        .audience(CLIENT_ID)
        .max_age(Duration::from_secs(600))
        .require(RequiredClaim::Nonce)
        .require(RequiredClaim::Sub);
    let verified = verifier.verify(&token, &jwks, &rules).await?;
    let payload: serde_json::Value = verified.claims()?;
    say(&format!(
        "verified:    sub={} message_type={} roles={}",
        verified.registered().sub.as_deref().unwrap_or("-"),
        payload
            .get("https://purl.imsglobal.org/spec/lti/claim/message_type")
            .unwrap_or(&json!(null)),
        payload
            .get("https://purl.imsglobal.org/spec/lti/claim/roles")
            .unwrap_or(&json!(null))
    ));

    step("5. hostile tokens are refused, each with its own reason");
    let attacker = lti_security::SigningKey::generate(lti_security::Algorithm::Rs256)?
        .with_kid(ring.signing_key().kid().as_str());
    let wrong_aud = with(&claims, &[("aud", json!("some-other-tool"))]);
    let expired = with(
        &claims,
        &[("iat", json!(now - 4000)), ("exp", json!(now - 3600))],
    );
    let wrong_iss = with(&claims, &[("iss", json!("https://platform.example/"))]);
    let hostile = [
        ("payload edited after signing", tamper(&token)),
        ("alg: none", unsigned(&claims)),
        (
            "signed by an impostor under the real kid",
            sign_jwt(&attacker, &claims)?,
        ),
        (
            "aud is another tool",
            sign_jwt(&ring.signing_key(), &wrong_aud)?,
        ),
        (
            "iss has a trailing slash",
            sign_jwt(&ring.signing_key(), &wrong_iss)?,
        ),
        (
            "expired an hour ago",
            sign_jwt(&ring.signing_key(), &expired)?,
        ),
    ];
    for (what, bad) in hostile {
        match verifier.verify(&bad, &jwks, &rules).await {
            Ok(_) => return Err(format!("accepted a hostile token: {what}").into()),
            Err(e) => say(&format!("refused:     {what:<42} -> {e}")),
        }
    }

    step("6. key rotation: a new kid signs, the old one stays published for the overlap");
    let new_kid = ring.rotate().await?;
    let old_token_still_ok = verifier.verify(&token, &jwks, &rules).await.is_ok();
    let before = jwks_requests.load(Ordering::SeqCst);
    let fresh = sign_jwt(&ring.signing_key(), &launch_claims(clock.unix_seconds()))?;
    verifier.verify(&fresh, &jwks, &rules).await?;
    let refetches = jwks_requests.load(Ordering::SeqCst) - before;
    let kids: Vec<String> = ring.kids().iter().map(ToString::to_string).collect();
    say(&format!("rotated:     {first_kid} -> {new_kid}"));
    say(&format!("published:   {}", kids.join(", ")));
    say(&format!(
        "tool side:   token under the old kid still verifies: {old_token_still_ok}; the new kid cost {refetches} JWKS refetch"
    ));

    step("7. throughput of the whole verify path (parse + key lookup + RS256 + claims), one core");
    let n = 2000;
    let started = Instant::now();
    for _ in 0..n {
        verifier.verify(&fresh, &jwks, &rules).await?;
    }
    let elapsed = started.elapsed();
    say(&format!(
        "verified {n} launches in {} ms: {:.0} launches/s (unoptimised build; release numbers: docs/benchmarks.md)",
        elapsed.as_millis(),
        f64::from(n) / elapsed.as_secs_f64()
    ));
    store.flush().await?;

    step(
        "built but not shown here yet: the OIDC launch flow, tool and platform (lti-core, lti-tool, lti-platform);",
    );
    say(
        "its end-to-end run is crates/lti-platform/tests/e2e.rs (cargo test -p lti-platform --test e2e)",
    );
    step("not built yet (see README: Status)");
    for item in [
        "OAuth2 client credentials (tool TokenSource, platform token endpoint)",
        "lti-deep-linking, lti-ags, lti-nrps",
        "reference platform and reference tool servers (this demo will then start them)",
    ] {
        say(&format!("- {item}"));
    }
    Ok(())
}

/// The demo's key-encryption key: kept in `DATA_DIR/kek` so reruns can decrypt the ring. In production it comes
/// from a secret store, via `KeyEncryptionKey::from_env` or `from_file`, never next to the data.
fn demo_kek(dir: &std::path::Path) -> DemoResult<KeyEncryptionKey> {
    let path = dir.join("kek");
    if path.exists() {
        return Ok(KeyEncryptionKey::from_file(&path)?);
    }
    let kek = KeyEncryptionKey::generate()?;
    std::fs::write(&path, kek.to_base64().as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(kek)
}

fn launch_claims(now: u64) -> serde_json::Value {
    json!({
        "iss": PLATFORM, "aud": CLIENT_ID, "sub": "learner-1", "iat": now, "exp": now + 300,
        "nonce": format!("nonce-{now}"),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "link-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "demo-course", "title": "Demo course"}
    })
}

/// `claims` (a JSON object) with `changes` applied.
fn with(claims: &serde_json::Value, changes: &[(&str, serde_json::Value)]) -> serde_json::Value {
    let mut out = claims.clone();
    if let Some(object) = out.as_object_mut() {
        for (key, value) in changes {
            object.insert((*key).to_owned(), value.clone());
        }
    }
    out
}

fn tamper(token: &str) -> String {
    // swap the payload for one claiming the Instructor role, keep header and signature
    let mut parts = token.splitn(3, '.');
    let (header, _, signature) = (parts.next(), parts.next(), parts.next());
    let claims = with(
        &launch_claims(SystemClock.unix_seconds()),
        &[(
            "https://purl.imsglobal.org/spec/lti/claim/roles",
            json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]),
        )],
    );
    format!(
        "{}.{}.{}",
        header.unwrap_or_default(),
        b64(claims.to_string().as_bytes()),
        signature.unwrap_or_default()
    )
}

fn unsigned(claims: &serde_json::Value) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn status(code: u16, text: &'static str) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from_static(text.as_bytes()));
    *response.status_mut() =
        http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response
}

fn step(title: &str) {
    println!("\n== {title}");
}

fn say(line: &str) {
    println!("   {line}");
}
