//! JOSE hot paths next to the raw aws-lc-rs operation they wrap, so the overhead of our layer is visible.
//!
//! Run: `cargo bench -p lti-security --bench jose` (numbers go in docs/benchmarks.md).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{self, KeyPair, ParsedPublicKey};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lti_security::{
    Algorithm, AlgorithmSet, ClaimRules, JwtVerifier, KeySet, ManualClock, RegisteredClaims,
    SigningKey, UnverifiedJws, sign_jwt,
};

const NOW: u64 = 1_700_000_000;

/// A launch-shaped id_token payload (~1.3 KB of JSON), as a platform sends it.
fn launch_claims() -> serde_json::Value {
    serde_json::from_str(include_str!("launch_claims.json")).unwrap()
}

fn bench_rs256(c: &mut Criterion) {
    let key = SigningKey::generate(Algorithm::Rs256).unwrap();
    let claims = launch_claims();
    let token = sign_jwt(&key, &claims).unwrap();
    let (signing_input, sig_b64) = token.rsplit_once('.').unwrap();
    let signature = base64_decode(sig_b64);
    let keys = KeySet::from_keys([key.verifying_key().clone()]);
    let verifier = JwtVerifier::new(Arc::new(ManualClock::at_unix_seconds(NOW + 10)));
    let rules = ClaimRules::new()
        .issuer("https://platform.example")
        .audience("client-1");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    // the raw aws-lc-rs operations, same key, same bytes
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let raw_pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pkcs8).unwrap();
    let public = raw_pair.public_key();
    let raw_public: ParsedPublicKey = PublicKeyComponents {
        n: public.modulus().big_endian_without_leading_zero(),
        e: public.exponent().big_endian_without_leading_zero(),
    }
    .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    let rng = SystemRandom::new();

    let mut g = c.benchmark_group("rs256");
    g.throughput(Throughput::Elements(1));
    g.bench_function("raw_aws_lc_sign", |b| {
        let mut out = vec![0u8; raw_pair.public_modulus_len()];
        b.iter(|| {
            raw_pair
                .sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    black_box(signing_input.as_bytes()),
                    &mut out,
                )
                .unwrap();
        });
    });
    g.bench_function("sign_jwt_launch", |b| {
        b.iter(|| sign_jwt(&key, black_box(&claims)).unwrap())
    });
    g.bench_function("raw_aws_lc_verify", |b| {
        b.iter(|| {
            raw_public
                .verify_sig(black_box(signing_input.as_bytes()), black_box(&signature))
                .unwrap()
        });
    });
    g.bench_function("verify_full_path", |b| {
        b.iter(|| {
            rt.block_on(verifier.verify(black_box(&token), &keys, &rules))
                .unwrap()
        });
    });
    g.finish();

    let mut g = c.benchmark_group("rs256_parts");
    g.bench_function("parse_only", |b| {
        b.iter(|| UnverifiedJws::parse(black_box(&token), 1 << 17).unwrap())
    });
    let parsed = UnverifiedJws::parse(&token, 1 << 17).unwrap();
    g.bench_function("payload_decode", |b| {
        b.iter(|| black_box(&parsed).unverified_payload().unwrap())
    });
    let payload = parsed.unverified_payload().unwrap();
    g.bench_function("registered_claims_parse", |b| {
        b.iter(|| serde_json::from_slice::<RegisteredClaims>(black_box(&payload)).unwrap());
    });
    g.bench_function("json_scan_ignored_any", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&payload)).unwrap());
    });
    g.bench_function("claim_rules_check", |b| {
        let registered: RegisteredClaims = serde_json::from_slice(&payload).unwrap();
        b.iter(|| rules.check(black_box(&registered), NOW + 10).unwrap());
    });
    g.bench_function("block_on_overhead", |b| {
        b.iter(|| rt.block_on(async { black_box(1) }))
    });
    g.bench_function("key_lookup", |b| {
        let kid = key.kid().as_str();
        b.iter(|| keys.find(black_box(kid), Algorithm::Rs256).unwrap().clone());
    });
    g.finish();
}

fn bench_es256(c: &mut Criterion) {
    let key = SigningKey::generate(Algorithm::Es256).unwrap();
    let claims = launch_claims();
    let token = sign_jwt(&key, &claims).unwrap();
    let (signing_input, sig_b64) = token.rsplit_once('.').unwrap();
    let signature = base64_decode(sig_b64);
    let keys = KeySet::from_keys([key.verifying_key().clone()]);
    let verifier = JwtVerifier::new(Arc::new(ManualClock::at_unix_seconds(NOW + 10)))
        .with_algorithms(AlgorithmSet::RS256_ONLY.with(Algorithm::Es256));
    let rules = ClaimRules::new()
        .issuer("https://platform.example")
        .audience("client-1");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let raw_pair =
        signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8)
            .unwrap();
    let raw_public = ParsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        raw_pair.public_key().as_ref(),
    )
    .unwrap();
    let rng = SystemRandom::new();

    let mut g = c.benchmark_group("es256");
    g.throughput(Throughput::Elements(1));
    g.bench_function("raw_aws_lc_sign", |b| {
        b.iter(|| {
            raw_pair
                .sign(&rng, black_box(signing_input.as_bytes()))
                .unwrap()
        });
    });
    g.bench_function("sign_jwt_launch", |b| {
        b.iter(|| sign_jwt(&key, black_box(&claims)).unwrap())
    });
    g.bench_function("raw_aws_lc_verify", |b| {
        b.iter(|| {
            raw_public
                .verify_sig(black_box(signing_input.as_bytes()), black_box(&signature))
                .unwrap()
        });
    });
    g.bench_function("verify_full_path", |b| {
        b.iter(|| {
            rt.block_on(verifier.verify(black_box(&token), &keys, &rules))
                .unwrap()
        });
    });
    g.finish();
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

criterion_group!(benches, bench_rs256, bench_es256);
criterion_main!(benches);
