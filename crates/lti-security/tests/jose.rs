//! JWS / JWT behaviour: round trips, tampering, algorithm rules, key rules and claim rules.
//! Test names carry the conformance checklist id (`cNN_`) where one applies (shared/spec/conformance-checklist.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lti_security::{
    Algorithm, AlgorithmSet, Audience, ClaimRules, Error, JwtVerifier, KeySet, ManualClock,
    NumericDate, RegisteredClaims, RequiredClaim, SigningKey, UnverifiedJws, VerifyingKey, jws,
    sign_jwt,
};
use serde_json::json;

const NOW: u64 = 1_700_000_000;
const ISS: &str = "https://platform.example";
const CLIENT: &str = "client-1";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn claims_at(now: u64) -> serde_json::Value {
    json!({"iss": ISS, "aud": CLIENT, "sub": "user-1", "iat": now, "exp": now + 300, "nonce": "n-1"})
}

fn rules() -> ClaimRules {
    ClaimRules::new().issuer(ISS).audience(CLIENT)
}

fn verifier(clock: &Arc<ManualClock>) -> JwtVerifier {
    JwtVerifier::new(clock.clone())
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(NOW))
}

fn rs256() -> SigningKey {
    SigningKey::generate(Algorithm::Rs256).unwrap()
}

fn set_of(key: &SigningKey) -> KeySet {
    KeySet::from_keys([key.verifying_key().clone()])
}

async fn verify(
    token: &str,
    keys: &KeySet,
    rules: &ClaimRules,
    clock: &Arc<ManualClock>,
) -> Result<RegisteredClaims, Error> {
    verifier(clock)
        .with_algorithms(AlgorithmSet::ALL)
        .verify(token, keys, rules)
        .await
        .map(|v| v.registered().clone())
}

/// Builds a token from raw header and payload JSON, signed by `sign` over the signing input.
fn raw_token(
    header: &serde_json::Value,
    payload: &serde_json::Value,
    sign: impl FnOnce(&[u8]) -> Vec<u8>,
) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let sig = sign(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

#[tokio::test]
async fn round_trip_for_every_algorithm() {
    let clock = clock();
    for alg in Algorithm::ALL {
        let key = SigningKey::generate(alg).unwrap();
        let token = sign_jwt(&key, &claims_at(NOW)).unwrap();
        let verified = verifier(&clock)
            .with_algorithms(AlgorithmSet::ALL)
            .verify(&token, &set_of(&key), &rules())
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.header().alg, alg);
        assert_eq!(verified.header().kid.as_ref(), Some(key.kid()));
        assert_eq!(verified.header().typ.as_deref(), Some("JWT"));
        assert_eq!(verified.registered().sub.as_deref(), Some("user-1"));
        let all: serde_json::Value = verified.claims().unwrap();
        assert_eq!(all["nonce"], "n-1");
    }
}

#[tokio::test]
async fn c13_tampered_header_payload_or_signature_is_rejected() {
    let clock = clock();
    let key = rs256();
    let keys = set_of(&key);
    let token = sign_jwt(&key, &claims_at(NOW)).unwrap();
    let parts: Vec<&str> = token.split('.').collect();

    // re-encoded edits keep the structure valid, so only the signature can catch them
    let mut header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    header["typ"] = json!("JWS");
    let edited_header = format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        parts[1],
        parts[2]
    );
    let mut payload = claims_at(NOW);
    payload["sub"] = json!("admin");
    let edited_payload = format!(
        "{}.{}.{}",
        parts[0],
        b64(payload.to_string().as_bytes()),
        parts[2]
    );
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 0x01;
    let edited_sig = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
    for (what, t) in [
        ("header", edited_header),
        ("payload", edited_payload),
        ("signature", edited_sig),
    ] {
        let r = verify(&t, &keys, &rules(), &clock).await;
        assert!(matches!(r, Err(Error::InvalidSignature)), "{what}: {r:?}");
    }

    // a flipped character anywhere never verifies
    for i in (0..token.len()).step_by(7) {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let t = String::from_utf8(bytes).unwrap();
        if t != token {
            assert!(
                verify(&t, &keys, &rules(), &clock).await.is_err(),
                "flip at {i} verified"
            );
        }
    }
}

#[tokio::test]
async fn c14_alg_none_is_rejected() {
    let clock = clock();
    let key = rs256();
    let header = json!({"alg": "none", "kid": key.kid().as_str()});
    let token = format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims_at(NOW).to_string().as_bytes())
    );
    assert!(matches!(
        verify(&token, &set_of(&key), &rules(), &clock).await,
        Err(Error::AlgorithmNone)
    ));
}

#[tokio::test]
async fn c14_hs256_signed_with_the_public_key_is_rejected() {
    // The classic algorithm-confusion attack: HMAC keyed with the verifier's public key (PEM or JWK bytes).
    let clock = clock();
    let key = rs256();
    let keys = set_of(&key);
    let public_jwk = serde_json::to_string(&key.public_jwk()).unwrap();
    for secret in [
        public_jwk.as_bytes(),
        key.verifying_key().thumbprint().as_bytes(),
    ] {
        let header = json!({"alg": "HS256", "kid": key.kid().as_str(), "typ": "JWT"});
        let token = raw_token(&header, &claims_at(NOW), |input| {
            hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input)
                .as_ref()
                .to_vec()
        });
        let r = verify(&token, &keys, &rules(), &clock).await;
        assert!(
            matches!(r, Err(Error::SymmetricAlgorithm { ref alg }) if alg == "HS256"),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn default_allow_list_is_rs256_only() {
    let clock = clock();
    let ec = SigningKey::generate(Algorithm::Es256).unwrap();
    let token = sign_jwt(&ec, &claims_at(NOW)).unwrap();
    let r = verifier(&clock)
        .verify(&token, &set_of(&ec), &rules())
        .await;
    assert!(
        matches!(r, Err(Error::AlgorithmNotAllowed { found: Algorithm::Es256, ref allowed }) if allowed == "RS256"),
        "{r:?}"
    );
    let rs = rs256();
    let token = sign_jwt(&rs.with_alg(Algorithm::Rs512).unwrap(), &claims_at(NOW)).unwrap();
    let r = verifier(&clock)
        .verify(&token, &KeySet::new(), &rules())
        .await;
    assert!(
        matches!(
            r,
            Err(Error::AlgorithmNotAllowed {
                found: Algorithm::Rs512,
                ..
            })
        ),
        "{r:?}"
    );
}

#[tokio::test]
async fn c11_missing_kid_is_rejected() {
    let clock = clock();
    let key = rs256();
    let token = raw_token(
        &json!({"alg": "RS256", "typ": "JWT"}),
        &claims_at(NOW),
        |m| key.sign(m).unwrap(),
    );
    assert!(matches!(
        verify(&token, &set_of(&key), &rules(), &clock).await,
        Err(Error::MissingKid)
    ));
}

#[tokio::test]
async fn c12_unknown_kid_is_rejected() {
    let clock = clock();
    let key = rs256();
    let other = rs256();
    let token = sign_jwt(&key, &claims_at(NOW)).unwrap();
    let r = verify(&token, &set_of(&other), &rules(), &clock).await;
    assert!(
        matches!(r, Err(Error::KidNotFound { ref kid, .. }) if kid == key.kid().as_str()),
        "{r:?}"
    );
}

#[tokio::test]
async fn key_type_must_match_alg() {
    let clock = clock();
    // an EC key published under the kid an RS256 token names
    let rsa = rs256();
    let ec = SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .with_kid(rsa.kid().as_str());
    let token = sign_jwt(&rsa, &claims_at(NOW)).unwrap();
    let r = verify(&token, &set_of(&ec), &rules(), &clock).await;
    assert!(
        matches!(
            r,
            Err(Error::KeyAlgorithmMismatch {
                alg: Algorithm::Rs256,
                ..
            })
        ),
        "{r:?}"
    );
    // an RSA key declared for RS512 does not verify RS256
    let declared = VerifyingKey::from_jwk_json(
        &serde_json::to_string(&rsa.public_jwk())
            .unwrap()
            .replace("RS256", "RS512"),
    )
    .unwrap();
    let r = verify(&token, &KeySet::from_keys([declared]), &rules(), &clock).await;
    assert!(
        matches!(r, Err(Error::KeyAlgorithmMismatch { .. })),
        "{r:?}"
    );
    // the right key still works
    assert!(
        verify(&token, &set_of(&rsa), &rules(), &clock)
            .await
            .is_ok()
    );
}

#[test]
fn c68_rsa_keys_under_2048_bits_are_refused() {
    let pem = include_str!("data/rsa1024.pem");
    let r = SigningKey::from_pem(pem);
    assert!(
        matches!(
            r,
            Err(Error::WeakKey { .. }) | Err(Error::KeyRejected { .. })
        ),
        "{r:?}"
    );
    // a 1024-bit modulus in a JWK
    let n = b64(&[0xC5u8; 128]);
    let r = VerifyingKey::from_jwk_json(
        &json!({"kty": "RSA", "kid": "weak", "n": n, "e": "AQAB"}).to_string(),
    );
    assert!(
        matches!(
            r,
            Err(Error::WeakKey {
                bits: 1024,
                min: 2048
            })
        ),
        "{r:?}"
    );
    let too_big = b64(&vec![0xC5u8; 1025]);
    let r = VerifyingKey::from_jwk_json(
        &json!({"kty": "RSA", "kid": "huge", "n": too_big, "e": "AQAB"}).to_string(),
    );
    assert!(matches!(r, Err(Error::KeyRejected { .. })), "{r:?}");
}

#[tokio::test]
async fn c20_c21_exp_and_iat_at_the_leeway_boundaries() {
    let key = rs256();
    let keys = set_of(&key);
    let leeway = 60;
    let rules = rules()
        .leeway(Duration::from_secs(leeway))
        .max_age(Duration::from_secs(3600));
    let clock = clock();
    let claims = claims_at(NOW); // iat NOW, exp NOW + 300
    let token = sign_jwt(&key, &claims).unwrap();
    let exp = NOW + 300;

    clock.set_unix_seconds(exp + leeway - 1);
    assert!(
        verify(&token, &keys, &rules, &clock).await.is_ok(),
        "one second inside the leeway"
    );
    clock.set_unix_seconds(exp + leeway);
    let r = verify(&token, &keys, &rules, &clock).await;
    assert!(
        matches!(r, Err(Error::Expired { exp: e, .. }) if e == exp),
        "{r:?}"
    );

    // iat in the future: accepted up to the leeway, rejected one second past it
    clock.set_unix_seconds(NOW - leeway);
    assert!(verify(&token, &keys, &rules, &clock).await.is_ok());
    clock.set_unix_seconds(NOW - leeway - 1);
    assert!(matches!(
        verify(&token, &keys, &rules, &clock).await,
        Err(Error::IssuedInFuture { .. })
    ));

    // too old
    let mut old = claims_at(NOW);
    old["exp"] = json!(NOW + 10_000);
    let old = sign_jwt(&key, &old).unwrap();
    clock.set_unix_seconds(NOW + 3600);
    assert!(verify(&old, &keys, &rules, &clock).await.is_ok());
    clock.set_unix_seconds(NOW + 3601);
    assert!(matches!(
        verify(&old, &keys, &rules, &clock).await,
        Err(Error::TooOld { .. })
    ));

    // nbf
    let mut early = claims_at(NOW);
    early["nbf"] = json!(NOW + 100);
    let early = sign_jwt(&key, &early).unwrap();
    clock.set_unix_seconds(NOW + 100 - leeway);
    assert!(verify(&early, &keys, &rules, &clock).await.is_ok());
    clock.set_unix_seconds(NOW + 100 - leeway - 1);
    assert!(matches!(
        verify(&early, &keys, &rules, &clock).await,
        Err(Error::NotYetValid { .. })
    ));
}

#[test]
fn leeway_is_capped_at_five_minutes() {
    let rules = ClaimRules::new().leeway(Duration::from_secs(86_400));
    assert_eq!(rules.leeway_value(), Duration::from_secs(300));
}

fn registered(value: serde_json::Value) -> RegisteredClaims {
    serde_json::from_value(value).unwrap()
}

#[test]
fn c15_to_c19_issuer_audience_and_azp_rules() {
    let now = NOW + 1;
    let base = |aud: serde_json::Value| {
        let mut c = claims_at(NOW);
        c["aud"] = aud;
        c
    };
    // c15: exact issuer; a trailing slash or a case change is another issuer
    for iss in [
        "https://platform.example/",
        "https://Platform.example",
        "https://platform.example ",
    ] {
        let mut c = claims_at(NOW);
        c["iss"] = json!(iss);
        let r = rules().check(&registered(c), now);
        assert!(
            matches!(r, Err(Error::IssuerMismatch { .. })),
            "{iss}: {r:?}"
        );
    }
    let mut no_iss = claims_at(NOW);
    no_iss.as_object_mut().unwrap().remove("iss");
    assert!(matches!(
        rules().check(&registered(no_iss), now),
        Err(Error::MissingClaim { claim: "iss" })
    ));

    // c16: aud without our client id
    let r = rules().check(&registered(base(json!("client-2"))), now);
    assert!(
        matches!(r, Err(Error::AudienceMismatch { ref expected, .. }) if expected == CLIENT),
        "{r:?}"
    );
    // c17: string and one-element array both accepted
    assert!(rules().check(&registered(base(json!(CLIENT))), now).is_ok());
    assert!(
        rules()
            .check(&registered(base(json!([CLIENT]))), now)
            .is_ok()
    );
    // c18: an untrusted extra audience
    let mut multi = base(json!([CLIENT, "https://evil.example"]));
    multi["azp"] = json!(CLIENT);
    let r = rules().check(&registered(multi.clone()), now);
    assert!(
        matches!(r, Err(Error::UntrustedAudience { ref audience }) if audience == "https://evil.example"),
        "{r:?}"
    );
    assert!(
        rules()
            .trust_audience("https://evil.example")
            .check(&registered(multi), now)
            .is_ok()
    );
    // c19: several audiences need azp, and azp must be our client id
    let two = base(json!([CLIENT, "https://partner.example"]));
    let trusted = rules().trust_audience("https://partner.example");
    assert!(matches!(
        trusted.check(&registered(two.clone()), now),
        Err(Error::AzpMissing { count: 2 })
    ));
    let mut wrong_azp = two.clone();
    wrong_azp["azp"] = json!("client-2");
    assert!(matches!(
        trusted.check(&registered(wrong_azp), now),
        Err(Error::AzpMismatch { .. })
    ));
    let mut good = two;
    good["azp"] = json!(CLIENT);
    assert!(trusted.check(&registered(good), now).is_ok());
    // azp on a single audience must still match
    let mut single_wrong = claims_at(NOW);
    single_wrong["azp"] = json!("someone-else");
    assert!(matches!(
        rules().check(&registered(single_wrong), now),
        Err(Error::AzpMismatch { .. })
    ));
}

#[test]
fn required_claims_and_missing_exp() {
    let mut c = claims_at(NOW);
    c["sub"] = json!("");
    let r = rules()
        .require(RequiredClaim::Sub)
        .check(&registered(c), NOW);
    assert!(
        matches!(r, Err(Error::InvalidClaim { claim: "sub", .. })),
        "{r:?}"
    );
    let r = rules()
        .require(RequiredClaim::Jti)
        .check(&registered(claims_at(NOW)), NOW);
    assert!(
        matches!(r, Err(Error::MissingClaim { claim: "jti" })),
        "{r:?}"
    );
    let mut no_exp = claims_at(NOW);
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(matches!(
        rules().check(&registered(no_exp), NOW),
        Err(Error::MissingClaim { claim: "exp" })
    ));
    let mut no_iat = claims_at(NOW);
    no_iat.as_object_mut().unwrap().remove("iat");
    assert!(matches!(
        rules().check(&registered(no_iat.clone()), NOW),
        Err(Error::MissingClaim { claim: "iat" })
    ));
    assert!(
        rules()
            .allow_missing_iat()
            .check(&registered(no_iat), NOW)
            .is_ok()
    );
}

#[tokio::test]
async fn c69_keys_in_the_header_are_never_trusted() {
    // The attacker signs with their own key and ships it in `jwk` / points `jku` at it.
    let clock = clock();
    let real = rs256();
    let attacker = rs256().with_kid(real.kid().as_str());
    let header = json!({
        "alg": "RS256", "kid": real.kid().as_str(),
        "jwk": attacker.public_jwk(), "jku": "https://evil.example/jwks", "x5u": "https://evil.example/cert"
    });
    let token = raw_token(&header, &claims_at(NOW), |m| attacker.sign(m).unwrap());
    assert!(matches!(
        verify(&token, &set_of(&real), &rules(), &clock).await,
        Err(Error::InvalidSignature)
    ));
}

#[test]
fn oversized_token_is_rejected_before_parsing() {
    let token = format!(
        "{}.{}.{}",
        "a".repeat(10),
        "b".repeat(jws::DEFAULT_MAX_TOKEN_BYTES),
        "c"
    );
    assert!(matches!(
        UnverifiedJws::parse(&token, jws::DEFAULT_MAX_TOKEN_BYTES),
        Err(Error::TokenTooLarge { .. })
    ));
}

#[test]
fn c65_jwks_parsing_skips_unusable_keys_and_accepts_keys_without_alg() {
    let rsa = rs256();
    let ec = SigningKey::generate(Algorithm::Es256).unwrap();
    let mut no_alg = serde_json::to_value(rsa.public_jwk()).unwrap();
    no_alg.as_object_mut().unwrap().remove("alg");
    no_alg.as_object_mut().unwrap().remove("use");
    let mut enc = serde_json::to_value(rs256().public_jwk()).unwrap();
    enc["use"] = json!("enc");
    enc["kid"] = json!("enc-key");
    let mut no_kid = serde_json::to_value(rs256().public_jwk()).unwrap();
    no_kid.as_object_mut().unwrap().remove("kid");
    let mut duplicate = serde_json::to_value(rs256().public_jwk()).unwrap();
    duplicate["kid"] = json!(rsa.kid().as_str());
    let jwks = json!({"keys": [
        no_alg,
        ec.public_jwk(),
        enc,
        {"kty": "oct", "kid": "hmac", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"},
        {"kty": "RSA", "kid": "weak", "n": b64(&[0xC5u8; 128]), "e": "AQAB"},
        {"kty": "EC", "kid": "p521", "crv": "P-521", "x": "AQ", "y": "AQ"},
        {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "RSA", "kid": "bad-alg", "alg": "PS256", "n": "AQAB", "e": "AQAB"},
        "not even an object",
        no_kid,
        duplicate,
    ]});
    let (set, skipped) =
        KeySet::from_json(jwks.to_string().as_bytes(), "https://platform.example/jwks").unwrap();
    assert_eq!(set.len(), 2, "loaded: {set:?}, skipped: {skipped:?}");
    assert_eq!(skipped.len(), 9, "{skipped:?}");
    assert!(set.contains_kid(rsa.kid().as_str()));
    assert!(set.contains_kid(ec.kid().as_str()));
    // the key without alg verifies both RS256 and (when allowed) RS512 from the token's alg
    let found = set.find(rsa.kid().as_str(), Algorithm::Rs512).unwrap();
    assert_eq!(found.alg(), None);
    // whole-document errors
    for bad in [&b"[]"[..], b"{\"keys\": {}}", b"<html>oops</html>", b""] {
        assert!(matches!(
            KeySet::from_json(bad, "u"),
            Err(Error::JwksMalformed { .. })
        ));
    }
}

#[test]
fn published_jwks_has_required_members() {
    let set = KeySet::from_keys([
        rs256().verifying_key().clone(),
        SigningKey::generate(Algorithm::Es256)
            .unwrap()
            .verifying_key()
            .clone(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&set.to_json().unwrap()).unwrap();
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert!(k["kid"].is_string() && k["alg"].is_string(), "{k}");
        assert_eq!(k["use"], "sig");
        assert!(k.get("d").is_none(), "private member published: {k}");
    }
    assert!(keys[0]["n"].is_string() && keys[0]["e"] == "AQAB" && keys[0]["kty"] == "RSA");
    assert!(keys[1]["x"].is_string() && keys[1]["y"].is_string() && keys[1]["crv"] == "P-256");
}

#[test]
fn pkcs8_pem_round_trip_keeps_the_key_and_debug_hides_it() {
    for alg in [Algorithm::Rs256, Algorithm::Es256, Algorithm::Es384] {
        let key = SigningKey::generate(alg).unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let back = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.alg(), alg);
        let debug = format!("{key:?} {:?}", key.verifying_key());
        let body_line = pem.lines().nth(1).unwrap();
        assert!(
            !debug.contains(body_line),
            "Debug leaks key material: {debug}"
        );
        assert!(debug.contains(key.kid().as_str()));
    }
}

#[test]
fn openssl_key_formats_load() {
    // PKCS#1 RSA, SEC1 EC and PKCS#8 EC private keys, and SubjectPublicKeyInfo public keys, written by OpenSSL
    let rsa = SigningKey::from_pem(include_str!("data/rsa2048-pkcs1.pem")).unwrap();
    let rsa_pub = VerifyingKey::from_public_pem(include_str!("data/rsa2048-public.pem")).unwrap();
    let ec = SigningKey::from_pem(include_str!("data/ec256-pkcs8.pem")).unwrap();
    let ec_sec1 = SigningKey::from_pem(include_str!("data/ec256-sec1.pem")).unwrap();
    let ec_pub = VerifyingKey::from_public_pem(include_str!("data/ec256-public.pem")).unwrap();
    assert_eq!(rsa.alg(), Algorithm::Rs256);
    assert_eq!(ec.alg(), Algorithm::Es256);
    assert_eq!(ec.kid(), ec_sec1.kid());
    assert_eq!(rsa_pub.thumbprint(), rsa.kid().as_str());
    assert_eq!(ec_pub.thumbprint(), ec.kid().as_str());
    // a public PEM key has no kid: in a KeySet it matches whatever kid the token names
    assert!(rsa_pub.kid().is_none());
    let msg = b"signed by a key OpenSSL wrote";
    rsa_pub
        .verify(Algorithm::Rs256, msg, &rsa.sign(msg).unwrap())
        .unwrap();
    ec_pub
        .verify(Algorithm::Es256, msg, &ec_sec1.sign(msg).unwrap())
        .unwrap();
    assert!(matches!(
        SigningKey::from_pem(include_str!("data/rsa2048-public.pem")),
        Err(Error::Pem { .. })
    ));
    assert!(matches!(
        VerifyingKey::from_public_pem(include_str!("data/ec256-pkcs8.pem")),
        Err(Error::Pem { .. })
    ));
}

#[test]
fn audience_and_numeric_date_serialize_as_jwt_expects() {
    let mut c = RegisteredClaims::default();
    c.aud = Audience::one(CLIENT);
    c.exp = Some(NumericDate::from_unix_seconds(NOW));
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"aud": CLIENT, "exp": NOW})
    );
}

/// A caller's own claims type, verified into directly (one payload parse).
#[derive(Debug, serde::Deserialize)]
struct AppClaims {
    iss: Option<String>,
    aud: Audience,
    iat: Option<NumericDate>,
    exp: Option<NumericDate>,
    nonce: Option<String>,
    #[serde(rename = "https://example.com/claim/course")]
    course: String,
}

impl lti_security::JwtClaims for AppClaims {
    fn registered(&self) -> lti_security::ClaimsRef<'_> {
        let mut view = lti_security::ClaimsRef::new();
        view.iss = self.iss.as_deref();
        view.aud = self.aud.as_slice();
        view.iat = self.iat;
        view.exp = self.exp;
        view.nonce = self.nonce.as_deref();
        view
    }
}

#[tokio::test]
async fn verify_parsed_as_checks_the_same_rules_on_the_callers_type() {
    let key = rs256();
    let keys = set_of(&key);
    let clock = clock();
    let mut claims = claims_at(NOW);
    claims["https://example.com/claim/course"] = json!("bio-101");
    let token = sign_jwt(&key, &claims).unwrap();
    let rules = rules().require(RequiredClaim::Nonce);
    let v = verifier(&clock);
    let ok = v
        .verify_parsed_as::<AppClaims>(v.parse(&token).unwrap(), &keys, &rules)
        .await
        .unwrap();
    assert_eq!(ok.claims().course, "bio-101");
    assert_eq!(
        ok.header().kid.as_ref().map(|k| k.as_str()),
        Some(key.kid().as_str())
    );

    // The rules see the caller's type: wrong issuer, expiry and a missing nonce are each refused.
    let mut wrong_iss = claims.clone();
    wrong_iss["iss"] = json!("https://other.example");
    let t = sign_jwt(&key, &wrong_iss).unwrap();
    let err = v
        .verify_parsed_as::<AppClaims>(v.parse(&t).unwrap(), &keys, &rules)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err}");
    clock.advance(Duration::from_secs(3600));
    let err = v
        .verify_parsed_as::<AppClaims>(v.parse(&token).unwrap(), &keys, &rules)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Expired { .. }), "{err}");
    clock.set_unix_seconds(NOW);
    let mut no_nonce = claims.clone();
    no_nonce.as_object_mut().unwrap().remove("nonce");
    let t = sign_jwt(&key, &no_nonce).unwrap();
    let err = v
        .verify_parsed_as::<AppClaims>(v.parse(&t).unwrap(), &keys, &rules)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "nonce" }),
        "{err}"
    );

    // A payload that is not the caller's type is malformed claims, after the signature verified.
    let t = sign_jwt(&key, &claims_at(NOW)).unwrap();
    let err = v
        .verify_parsed_as::<AppClaims>(v.parse(&t).unwrap(), &keys, &rules)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MalformedClaims { .. }), "{err}");
    // A tampered payload fails on the signature, before any parse.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged = claims.clone();
    forged["https://example.com/claim/course"] = json!("chem-201");
    parts[1] = b64(forged.to_string().as_bytes());
    let t = parts.join(".");
    let err = v
        .verify_parsed_as::<AppClaims>(v.parse(&t).unwrap(), &keys, &rules)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSignature), "{err}");
}
