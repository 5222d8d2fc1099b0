//! Hostile-input sweeps: thousands of deterministic mutations of a valid token, key set and PEM document. The
//! contract is that nothing panics, and that no altered token verifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use lti_security::{
    Algorithm, AlgorithmSet, ClaimRules, JwtVerifier, KeySet, ManualClock, SigningKey,
    UnverifiedJws, VerifyingKey, sign_jwt,
};

/// xorshift64*: a fixed sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

const INTERESTING: &[u8] = b".=-_+/ \"{}[]:,\\\0\xff\xc3AQz09";

/// One random edit: flip a bit, replace, insert, delete, truncate or duplicate a range.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let at = rng.below(out.len());
    match rng.below(6) {
        0 => out[at] ^= 1 << rng.below(8),
        1 => out[at] = INTERESTING[rng.below(INTERESTING.len())],
        2 => out.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
        3 => {
            out.remove(at);
        }
        4 => out.truncate(at),
        _ => {
            let end = (at + rng.below(16)).min(out.len());
            let copy = out[at..end].to_vec();
            out.splice(at..at, copy);
        }
    }
    out
}

#[tokio::test]
async fn mutated_tokens_never_verify_and_never_panic() {
    let key = SigningKey::generate(Algorithm::Rs256).unwrap();
    let ec = SigningKey::generate(Algorithm::Es256).unwrap();
    let keys = KeySet::from_keys([key.verifying_key().clone(), ec.verifying_key().clone()]);
    let claims = serde_json::json!({
        "iss": "https://platform.example", "aud": ["client-1"], "azp": "client-1", "sub": "u",
        "iat": 1_700_000_000, "exp": 1_700_000_300, "nonce": "n",
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"a": "é ☃", "nested": [1, 2.5, null, true]}
    });
    let verifier = JwtVerifier::new(Arc::new(ManualClock::at_unix_seconds(1_700_000_010)))
        .with_algorithms(AlgorithmSet::ALL);
    let rules = ClaimRules::new()
        .issuer("https://platform.example")
        .audience("client-1");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for signer in [&key, &ec] {
        let token = sign_jwt(signer, &claims).unwrap();
        verifier.verify(&token, &keys, &rules).await.unwrap();
        for _ in 0..3000 {
            let mut bytes = mutate(&mut rng, token.as_bytes());
            if rng.below(4) == 0 {
                bytes = mutate(&mut rng, &bytes);
            }
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            if text == token {
                continue;
            }
            // A mutation may only succeed if it decodes to the very same header, payload and signature bytes,
            // which strict base64url makes impossible.
            let result = verifier.verify(&text, &keys, &rules).await;
            assert!(result.is_err(), "a mutated token verified: {text}");
            rejected += 1;
            // the unverified accessors must not panic either
            if let Ok(jws) = UnverifiedJws::parse(&text, 1 << 17) {
                let _ = jws.unverified_claims::<serde_json::Value>();
            }
        }
    }
    assert!(rejected > 5000, "too few mutations exercised: {rejected}");
}

#[test]
fn mutated_key_sets_never_panic() {
    let rsa = SigningKey::generate(Algorithm::Rs256).unwrap();
    let ec = SigningKey::generate(Algorithm::Es384).unwrap();
    let json = KeySet::from_keys([rsa.verifying_key().clone(), ec.verifying_key().clone()])
        .to_json()
        .unwrap();
    let mut rng = Rng(42);
    let mut loaded = 0;
    for _ in 0..4000 {
        let bytes = mutate(&mut rng, json.as_bytes());
        if let Ok((set, _skipped)) = KeySet::from_json(&bytes, "fuzz") {
            loaded += set.len();
            for key in set.iter() {
                // every key that loads must be usable: the thumbprint and JWK must not panic
                let _ = key.thumbprint();
                let _ = key.to_jwk();
            }
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = VerifyingKey::from_jwk_json(text);
        }
    }
    assert!(
        loaded > 0,
        "no mutation kept a loadable key; the sweep is not exercising parsing"
    );
}

#[test]
fn mutated_pem_never_panics() {
    let pem = SigningKey::generate(Algorithm::Es256)
        .unwrap()
        .to_pkcs8_pem()
        .unwrap();
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let bytes = mutate(&mut rng, pem.as_bytes());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = SigningKey::from_pem(text);
            let _ = VerifyingKey::from_public_pem(text);
        }
    }
}
