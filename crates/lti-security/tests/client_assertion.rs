//! `ClientAssertionVerifier` on its own: one mutation of a valid assertion per row, each with its own
//! `AssertionError` variant (checklist H74-H78), and the order rule "the jti is spent last".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use lti_http::RouterClient;
use lti_security::oauth::{AssertionError, ClientAssertionVerifier, OAuthErrorCode};
use lti_security::{
    Algorithm, AlgorithmSet, Error, JwksCache, KeySet, MAX_LEEWAY, SigningKey, sign_jwt,
};
use lti_storage::{Clock as _, ManualClock, MemoryStore, Store};
use serde_json::{Value, json};

const TOKEN_URL: &str = "https://lms.example/token";
const CLIENT: &str = "tool-1";
const NOW: u64 = 1_800_000_000;

struct Setup {
    verifier: ClientAssertionVerifier,
    clock: Arc<ManualClock>,
    store: Arc<MemoryStore>,
    key: SigningKey,
    keys: KeySet,
}

fn setup() -> Setup {
    let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let store = Arc::new(MemoryStore::with_clock(clock.clone()));
    let verifier = ClientAssertionVerifier::new(TOKEN_URL, store.clone(), clock.clone())
        .with_audience("https://lms.example");
    let key = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("tool-key");
    let keys = KeySet::from_keys([key.verifying_key().clone()]);
    Setup {
        verifier,
        clock,
        store,
        key,
        keys,
    }
}

fn claims() -> Value {
    json!({
        "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL,
        "iat": NOW, "exp": NOW + 300, "jti": "jti-1",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
    })
}

async fn verify(s: &Setup, token: &str) -> Result<String, AssertionError> {
    let parsed = s.verifier.parse(token)?;
    let client = parsed.unverified_issuer().to_owned();
    s.verifier
        .verify(parsed, &client, &s.keys)
        .await
        .map(|v| v.client_id().to_owned())
}

async fn spent_jtis(s: &Setup) -> usize {
    s.store
        .scan_prefix(ClientAssertionVerifier::JTI_NAMESPACE, b"", None, 100)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn c77_valid_assertion_verifies_once_with_its_fields() {
    let s = setup();
    let token = sign_jwt(&s.key, &claims()).unwrap();
    let parsed = s.verifier.parse(&token).unwrap();
    assert_eq!(parsed.unverified_issuer(), CLIENT);
    let verified = s.verifier.verify(parsed, CLIENT, &s.keys).await.unwrap();
    assert_eq!(verified.client_id(), CLIENT);
    assert_eq!(verified.jti(), "jti-1");
    assert_eq!(verified.deployment_id(), Some("dep-1"));
    assert_eq!(verified.expires_at().unix_seconds(), NOW + 300);
    assert!(matches!(
        verify(&s, &token).await,
        Err(AssertionError::Replayed { .. })
    ));
}

#[tokio::test]
async fn c75_c76_c78_each_claim_mutation_gets_its_own_error() {
    type Mutation = fn(&mut Value);
    type Expect = fn(&AssertionError) -> bool;
    let rows: Vec<(&str, Mutation, Expect)> = vec![
        (
            "iss missing",
            |c| drop(c.as_object_mut().unwrap().remove("iss")),
            |e| {
                matches!(
                    e,
                    AssertionError::Malformed(Error::MissingClaim { claim: "iss" })
                )
            },
        ),
        (
            "sub differs",
            |c| c["sub"] = json!("tool-2"),
            |e| matches!(e, AssertionError::IssuerSubjectMismatch { .. }),
        ),
        (
            "sub missing",
            |c| drop(c.as_object_mut().unwrap().remove("sub")),
            |e| {
                matches!(
                    e,
                    AssertionError::Claims(Error::MissingClaim { claim: "sub" })
                )
            },
        ),
        (
            "aud other",
            |c| c["aud"] = json!("https://evil.example/token"),
            |e| matches!(e, AssertionError::AudienceMismatch { .. }),
        ),
        (
            "aud missing",
            |c| drop(c.as_object_mut().unwrap().remove("aud")),
            |e| {
                matches!(
                    e,
                    AssertionError::Claims(Error::MissingClaim { claim: "aud" })
                )
            },
        ),
        (
            "aud wrong type",
            |c| c["aud"] = json!(42),
            |e| matches!(e, AssertionError::Claims(Error::MalformedClaims { .. })),
        ),
        (
            "expired",
            |c| c["exp"] = json!(NOW - 61),
            |e| matches!(e, AssertionError::Expired { .. }),
        ),
        (
            "nbf in future",
            |c| c["nbf"] = json!(NOW + 61),
            |e| matches!(e, AssertionError::Claims(Error::NotYetValid { .. })),
        ),
        (
            "iat in future",
            |c| c["iat"] = json!(NOW + 61),
            |e| matches!(e, AssertionError::IssuedInFuture { .. }),
        ),
        (
            "iat too old",
            |c| c["iat"] = json!(NOW - 3601),
            |e| matches!(e, AssertionError::TooOld { .. }),
        ),
        (
            "lifetime too long",
            |c| c["exp"] = json!(NOW + 3601),
            |e| matches!(e, AssertionError::LifetimeTooLong { .. }),
        ),
        (
            "exp before iat",
            |c| {
                c["iat"] = json!(NOW + 30);
                c["exp"] = json!(NOW + 10);
            },
            |e| {
                matches!(
                    e,
                    AssertionError::Claims(Error::InvalidClaim { claim: "exp", .. })
                )
            },
        ),
        (
            "jti missing",
            |c| drop(c.as_object_mut().unwrap().remove("jti")),
            |e| {
                matches!(
                    e,
                    AssertionError::Claims(Error::MissingClaim { claim: "jti" })
                )
            },
        ),
        (
            "jti too long",
            |c| c["jti"] = json!("j".repeat(2000)),
            |e| {
                matches!(
                    e,
                    AssertionError::Claims(Error::InvalidClaim { claim: "jti", .. })
                )
            },
        ),
        (
            "empty deployment",
            |c| c["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = json!(""),
            |e| matches!(e, AssertionError::Claims(Error::InvalidClaim { .. })),
        ),
    ];
    for (name, mutate, expected) in rows {
        let s = setup();
        let mut c = claims();
        mutate(&mut c);
        let token = sign_jwt(&s.key, &c).unwrap();
        let err = verify(&s, &token).await.unwrap_err();
        assert!(expected(&err), "{name}: got {err:?}");
        assert_eq!(err.oauth_error(), OAuthErrorCode::InvalidClient, "{name}");
        assert_eq!(
            spent_jtis(&s).await,
            0,
            "{name}: a refused assertion spends no jti"
        );
    }
}

#[tokio::test]
async fn c74_c78_issuer_must_be_the_registered_client_and_signature_must_verify() {
    let s = setup();
    let token = sign_jwt(&s.key, &claims()).unwrap();
    let parsed = s.verifier.parse(&token).unwrap();
    let e = s
        .verifier
        .check(parsed, "tool-2", &s.keys)
        .await
        .unwrap_err();
    assert!(matches!(e, AssertionError::IssuerMismatch { .. }), "{e:?}");

    let other = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("tool-key");
    let forged = sign_jwt(&other, &claims()).unwrap();
    let e = verify(&s, &forged).await.unwrap_err();
    assert!(
        matches!(e, AssertionError::Signature(Error::InvalidSignature)),
        "{e:?}"
    );
    assert_eq!(spent_jtis(&s).await, 0, "a forgery spends no jti");

    let es256 = SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .with_kid("tool-key");
    let e = verify(&s, &sign_jwt(&es256, &claims()).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            AssertionError::Signature(Error::AlgorithmNotAllowed { .. })
        ),
        "{e:?}"
    );
    let s = Setup {
        verifier: s.verifier.clone().with_algorithms(AlgorithmSet::from_iter([
            Algorithm::Rs256,
            Algorithm::Es256,
        ])),
        ..s
    };
    let e = verify(&s, &sign_jwt(&es256, &claims()).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            AssertionError::Signature(Error::KeyAlgorithmMismatch { .. })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn c77_jti_is_per_client_and_lives_until_the_assertion_expires() {
    let s = setup();
    let token = sign_jwt(&s.key, &claims()).unwrap();
    verify(&s, &token).await.unwrap();
    // Another client may use the same jti.
    let mut other = claims();
    other["iss"] = json!("tool-2");
    other["sub"] = json!("tool-2");
    verify(&s, &sign_jwt(&s.key, &other).unwrap())
        .await
        .unwrap();
    // Once the first assertion can no longer be accepted, its jti record is gone with it.
    s.clock.advance(Duration::from_secs(300 + 60));
    assert_eq!(spent_jtis(&s).await, 0);
    assert!(matches!(
        verify(&s, &token).await,
        Err(AssertionError::Expired { .. })
    ));
}

#[tokio::test]
async fn c76_consume_after_expiry_is_refused() {
    let s = setup();
    let token = sign_jwt(&s.key, &claims()).unwrap();
    let parsed = s.verifier.parse(&token).unwrap();
    let checked = s.verifier.check(parsed, CLIENT, &s.keys).await.unwrap();
    assert_eq!(checked.deployment_id(), Some("dep-1"));
    s.clock.advance(Duration::from_secs(400));
    assert!(matches!(
        s.verifier.consume(checked).await,
        Err(AssertionError::Expired { .. })
    ));
}

#[tokio::test]
async fn c74_key_fetch_failures_are_classified_by_who_must_act() {
    let s = setup();
    let token = sign_jwt(&s.key, &claims()).unwrap();
    let router = RouterClient::new();
    router
        .route("https://down.example", |_r: http::Request<Bytes>| async {
            http::Response::builder()
                .status(503)
                .body(Bytes::new())
                .unwrap()
        })
        .unwrap();
    let cache = JwksCache::new(Arc::new(router), s.clock.clone());
    // The tool's endpoint answers 503: the tool must act.
    let tool_down = cache.resolver("https://down.example/jwks".parse().unwrap());
    let parsed = s.verifier.parse(&token).unwrap();
    let e = s
        .verifier
        .check(parsed, CLIENT, &tool_down)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AssertionError::Signature(Error::JwksStatus { .. })),
        "{e:?}"
    );
    assert!(!e.is_internal());
    // No way to reach it at all (no route here, a network failure in production): ours.
    let unreachable = cache.resolver("https://nowhere.example/jwks".parse().unwrap());
    let parsed = s.verifier.parse(&token).unwrap();
    let e = s
        .verifier
        .check(parsed, CLIENT, &unreachable)
        .await
        .unwrap_err();
    assert!(matches!(e, AssertionError::KeysUnavailable(_)), "{e:?}");
    assert!(e.is_internal());
    assert_eq!(e.oauth_error().as_str(), "server_error");
}

#[test]
fn hostile_inputs_are_malformed_not_panics() {
    let s = setup();
    for token in [
        "",
        ".",
        "a.b.c",
        "e30.e30.e30",
        "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
        &"a".repeat(17 * 1024),
    ] {
        assert!(
            matches!(s.verifier.parse(token), Err(AssertionError::Malformed(_))),
            "{token:.40}"
        );
    }
}

#[tokio::test]
async fn c76_leeway_is_capped_at_max_leeway() {
    let s = setup();
    let s = Setup {
        verifier: s.verifier.clone().with_leeway(Duration::from_secs(3600)),
        ..s
    };
    let mut c = claims();
    c["iat"] = json!(NOW - 400);
    c["exp"] = json!(NOW - MAX_LEEWAY.as_secs() - 1);
    let e = verify(&s, &sign_jwt(&s.key, &c).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AssertionError::Expired { leeway, .. } if leeway == MAX_LEEWAY),
        "{e:?}"
    );
    assert_eq!(s.clock.unix_seconds(), NOW);
}
